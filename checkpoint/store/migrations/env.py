"""Alembic environment: always run on a connection handed over by `checkpoint.store.migrate`."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import checkpoint.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from checkpoint.store.types import EnumText, UTCDateTime

connection = context.config.attributes["connection"]


def _render_item(kind: str, item: Any, _context: Any) -> str | Literal[False]:
    # Migrations store plain strings: times as UTC text, enums as their values. Rendering the
    # Python-side types would tie every migration to today's module layout.
    if kind == "type" and isinstance(item, UTCDateTime | EnumText | AutoString):
        length = getattr(item, "length", None) or getattr(
            getattr(item, "impl", None), "length", None
        )
        return f"sa.String(length={length})" if length else "sa.String()"
    return False


# Batch mode: SQLite's ALTER TABLE cannot change or drop columns, so Alembic copies the table.
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
