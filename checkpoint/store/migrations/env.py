"""Alembic environment: always run on a connection handed over by `checkpoint.store.migrate`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import checkpoint.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
# Batch mode: SQLite's ALTER TABLE cannot change or drop columns, so Alembic copies the table.
context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
