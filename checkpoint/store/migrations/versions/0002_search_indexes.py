"""Indexes for history search (plate, name, document) and report periods (times).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_document_number"), ["document_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_name"), ["name"], unique=False)

    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reading_taken_at"), ["taken_at"], unique=False)

    with op.batch_alter_table("vehicle_passage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vehicle_passage_passed_at"), ["passed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_vehicle_passage_plate"), ["plate"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vehicle_passage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_passage_plate"))
        batch_op.drop_index(batch_op.f("ix_vehicle_passage_passed_at"))

    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reading_taken_at"))

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_name"))
        batch_op.drop_index(batch_op.f("ix_person_document_number"))
