"""The log's lane: which of its checkpoint's logs this is (lane).

An existing log gets an id of its own here, made once with a fresh random UUID, and the
default (empty) name: it counts at the hub as one lane of its checkpoint.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    lane = op.create_table(
        "lane",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lane_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(lane, [{"id": 1, "lane_id": str(uuid.uuid4()), "name": ""}])


def downgrade() -> None:
    op.drop_table("lane")
