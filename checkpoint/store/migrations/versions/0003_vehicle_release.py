"""Vehicles let through (放行): a table of its own, appended like every record.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vehicle_release",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("passage_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["passage_id"],
            ["vehicle_passage.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("vehicle_release", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vehicle_release_passage_id"), ["passage_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("vehicle_release", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_release_passage_id"))

    op.drop_table("vehicle_release")
