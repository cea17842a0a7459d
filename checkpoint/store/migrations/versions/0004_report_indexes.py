"""Covering indexes for reports: screenings by purpose and time, passages by time, and the
people with risk-area travel.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reading_report", ["purpose", "taken_at", "flagged", "rounded_c"], unique=False
        )
    with op.batch_alter_table("vehicle_passage", schema=None) as batch_op:
        batch_op.create_index(
            "ix_vehicle_passage_report",
            ["passed_at", "vehicle_type", "direction", "non_local"],
            unique=False,
        )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_risk_area_travel",
            ["id"],
            unique=False,
            sqlite_where=sa.text("risk_area_travel = 1"),
        )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_risk_area_travel")
    with op.batch_alter_table("vehicle_passage", schema=None) as batch_op:
        batch_op.drop_index("ix_vehicle_passage_report")
    with op.batch_alter_table("reading", schema=None) as batch_op:
        batch_op.drop_index("ix_reading_report")
