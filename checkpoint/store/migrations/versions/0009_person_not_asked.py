"""A person's contact and risk-area questions may be unanswered (NULL), not only yes or no.

Quick mode never asks them, and full mode may leave them open; storing False made the ledger
say "no" for a question nobody asked. Only the columns' NOT NULL goes: every existing value
stays as it was (what older releases wrote as False cannot be told apart from a real "no"), so
every row keeps its hash and the chain stays valid. Batch mode rebuilds the table for SQLite,
partial index included.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("risk_area_travel", "contact_history")


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Boolean(), nullable=True)


def downgrade() -> None:
    # An older release reads NULL as it wrote it: "no". The rows whose answer is rewritten no
    # longer match their hash, which `verify` names: a downgrade is a repair, not a routine.
    for column in COLUMNS:
        op.execute(sa.text(f"UPDATE person SET {column} = 0 WHERE {column} IS NULL"))
    with op.batch_alter_table("person", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Boolean(), nullable=False)
