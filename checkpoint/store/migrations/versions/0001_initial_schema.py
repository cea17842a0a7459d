"""Initial schema of the local log.

Times are stored as UTC ISO text and enumerations as their values, both as plain strings.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "amendment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("personal_digest", sa.String(length=64), nullable=True),
        sa.Column("purged_at", sa.String(length=32), nullable=True),
        sa.Column("target_table", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("new_value", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("amended_by", sa.String(), nullable=False),
        sa.Column("amended_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_amendment_target_id"), ["target_id"], unique=False)

    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    op.create_table(
        "checkpoint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("direction_mode", sa.String(length=40), nullable=False),
        sa.Column("township", sa.String(), nullable=False),
        sa.Column("county", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("active_from", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("checkpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkpoint_code"), ["code"], unique=False)

    op.create_table(
        "daily_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("checkpoint_id", sa.Uuid(), nullable=False),
        sa.Column("report_day", sa.Date(), nullable=False),
        sa.Column("period_start", sa.String(length=32), nullable=False),
        sa.Column("period_end", sa.String(length=32), nullable=False),
        sa.Column("zero_report", sa.Boolean(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoint.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("daily_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_daily_report_checkpoint_id"), ["checkpoint_id"], unique=False
        )

    op.create_table(
        "shift",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("checkpoint_id", sa.Uuid(), nullable=False),
        sa.Column("opened_at", sa.String(length=32), nullable=False),
        sa.Column("leader", sa.String(), nullable=False),
        sa.Column("operators", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoint.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_checkpoint_id"), ["checkpoint_id"], unique=False)

    op.create_table(
        "shift_closure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("closed_at", sa.String(length=32), nullable=False),
        sa.Column("closed_by", sa.String(), nullable=False),
        sa.Column("handover_note", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shift.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
        sa.UniqueConstraint("shift_id"),
    )
    op.create_table(
        "vehicle_passage",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("passed_at", sa.String(length=32), nullable=False),
        sa.Column("vehicle_type", sa.String(length=40), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=True),
        sa.Column("plate_override_reason", sa.String(), nullable=True),
        sa.Column("direction", sa.String(length=40), nullable=False),
        sa.Column("non_local", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("destination", sa.String(), nullable=False),
        sa.Column("occupants", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shift.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("vehicle_passage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicle_passage_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "disinfection",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("passage_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["passage_id"],
            ["vehicle_passage.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("disinfection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disinfection_passage_id"), ["passage_id"], unique=False
        )

    op.create_table(
        "person",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("personal_digest", sa.String(length=64), nullable=True),
        sa.Column("purged_at", sa.String(length=32), nullable=True),
        sa.Column("passage_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("document_kind", sa.String(length=40), nullable=False),
        sa.Column("document_number", sa.String(length=32), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("route", sa.String(), nullable=True),
        sa.Column("arrival_at", sa.String(length=32), nullable=True),
        sa.Column("transport_no", sa.String(), nullable=True),
        sa.Column("destination", sa.String(), nullable=True),
        sa.Column("travel_reason", sa.String(), nullable=True),
        sa.Column("health_code", sa.String(length=40), nullable=True),
        sa.Column("symptoms", sa.JSON(), nullable=False),
        sa.Column("risk_area_travel", sa.Boolean(), nullable=False),
        sa.Column("risk_area_matches", sa.JSON(), nullable=False),
        sa.Column("contact_history", sa.Boolean(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["passage_id"],
            ["vehicle_passage.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_passage_id"), ["passage_id"], unique=False)

    op.create_table(
        "turn_back",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("passage_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["passage_id"],
            ["vehicle_passage.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("turn_back", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_turn_back_passage_id"), ["passage_id"], unique=False)

    op.create_table(
        "reading",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("taken_at", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("value_c", sa.Float(), nullable=True),
        sa.Column("site", sa.String(length=40), nullable=False),
        sa.Column("instrument", sa.String(length=40), nullable=False),
        sa.Column("raw", sa.String(), nullable=False),
        sa.Column("plausibility", sa.String(length=40), nullable=False),
        sa.Column("estimated_from_c", sa.Float(), nullable=True),
        sa.Column("ambient_c", sa.Float(), nullable=True),
        sa.Column("threshold_c", sa.Float(), nullable=False),
        sa.Column("rounded_c", sa.Float(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shift.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reading_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reading_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "case_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("reading_id", sa.Uuid(), nullable=True),
        sa.Column("symptoms", sa.JSON(), nullable=False),
        sa.Column("risk_area_travel", sa.Boolean(), nullable=False),
        sa.Column("contact_history", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reading_id"],
            ["reading.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_event_reading_id"), ["reading_id"], unique=False)

    op.create_table(
        "staff_check",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("staff_name", sa.String(), nullable=False),
        sa.Column("reading_id", sa.Uuid(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reading_id"],
            ["reading.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shift.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("staff_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_check_reading_id"), ["reading_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_check_shift_id"), ["shift_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_check_shift_id"))
        batch_op.drop_index(batch_op.f("ix_staff_check_reading_id"))

    op.drop_table("staff_check")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_reading_id"))
        batch_op.drop_index(batch_op.f("ix_case_event_person_id"))

    op.drop_table("case_event")
    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reading_shift_id"))
        batch_op.drop_index(batch_op.f("ix_reading_person_id"))

    op.drop_table("reading")
    with op.batch_alter_table("turn_back", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_turn_back_passage_id"))

    op.drop_table("turn_back")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_passage_id"))

    op.drop_table("person")
    with op.batch_alter_table("disinfection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disinfection_passage_id"))

    op.drop_table("disinfection")
    with op.batch_alter_table("vehicle_passage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_passage_shift_id"))

    op.drop_table("vehicle_passage")
    op.drop_table("shift_closure")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_checkpoint_id"))

    op.drop_table("shift")
    with op.batch_alter_table("daily_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_daily_report_checkpoint_id"))

    op.drop_table("daily_report")
    with op.batch_alter_table("checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkpoint_code"))

    op.drop_table("checkpoint")
    op.drop_table("chain_head")
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_amendment_target_id"))

    op.drop_table("amendment")
