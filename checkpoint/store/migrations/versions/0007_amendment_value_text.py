"""An amendment's new value stored with TEXT affinity, as written (amendment.new_value).

Declared JSON, the column had SQLite's NUMERIC affinity, which turns the JSON text of a corrected
number ("37.3") into the number itself: read back, the row no longer matched its hash and
`checkpoint verify` reported it as changed. Copying the table into a TEXT column turns such
numbers back into their text (37.3 → "37.3").

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.alter_column(
            "new_value", existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.alter_column(
            "new_value", existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False
        )
