"""JSON columns stored as UTF-8 text instead of \\u escapes, so that LIKE '%王芳%' finds 王芳.

Only how the values are written changes, not the values: the hash chain covers each JSON
column as `json.dumps` writes it (`chain.hashed_json`), which is the text these rows held, so
every hash stays valid. Text that is not JSON (a tampered row) is left as it is, for `verify`
to name.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_COLUMNS = (
    ("shift", "operators"),
    ("person", "symptoms"),
    ("person", "risk_area_matches"),
    ("case_event", "symptoms"),
    ("daily_report", "figures"),
    ("amendment", "new_value"),
)


def upgrade() -> None:
    connection = op.get_bind()
    for table, column in JSON_COLUMNS:
        rows = connection.execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE instr({column}, '\\u') > 0")
        ).all()
        for row_id, text in rows:
            if not isinstance(text, str):
                continue
            try:
                value = json.loads(text)
            except ValueError:
                continue
            rewritten = json.dumps(value, ensure_ascii=False)
            if rewritten != text:
                connection.execute(
                    sa.text(f"UPDATE {table} SET {column} = :text WHERE id = :id"),
                    {"text": rewritten, "id": row_id},
                )


def downgrade() -> None:
    # Rows holding non-ASCII text go back to \u escapes (every row is looked at).
    connection = op.get_bind()
    for table, column in JSON_COLUMNS:
        rows = connection.execute(sa.text(f"SELECT id, {column} FROM {table}")).all()
        for row_id, text in rows:
            if not isinstance(text, str) or text.isascii():
                continue
            try:
                value = json.loads(text)
            except ValueError:
                continue
            connection.execute(
                sa.text(f"UPDATE {table} SET {column} = :text WHERE id = :id"),
                {"text": json.dumps(value), "id": row_id},
            )
