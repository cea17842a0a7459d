"""Where each screened person's fields came from (ID card reader, scanner or typed), and the
scanned health-code token: a new chained table, person_source, one row beside a person whose
details did not all come from the keyboard.

A table of its own rather than columns of `person`: a column added to `person` would change the
column list every person row's hash covers, and no existing row would verify any more. The
token is a personal field (covered through the row's personal digest, purged with the rest,
never sent to the hub).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_source",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("personal_digest", sa.String(length=64), nullable=True),
        sa.Column("purged_at", sa.String(length=32), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("health_code_token", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("person_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_source_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_source_person_id"))
    op.drop_table("person_source")
