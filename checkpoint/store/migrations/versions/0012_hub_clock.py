"""What the log knows of each hub's clock (sync_state.clock_skew_s, hub_time_at).

Every sync learns the hub's time from its answers: how far this laptop's clock is from it, and
when (by the hub's clock) that was last seen. Both empty until the next sync.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.add_column(sa.Column("clock_skew_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("hub_time_at", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("hub_time_at")
        batch.drop_column("clock_skew_s")
