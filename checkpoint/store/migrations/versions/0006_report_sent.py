"""Which daily reports each hub acknowledged, and what they said (report_sent).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_sent",
        sa.Column("hub", sa.String(length=400), nullable=False),
        sa.Column("report_day", sa.Date(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("log_seq", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("hub", "report_day"),
    )


def downgrade() -> None:
    op.drop_table("report_sent")
