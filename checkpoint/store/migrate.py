"""Schema versions of the local log through Alembic, with a backup before any upgrade."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from checkpoint import files, paths
from checkpoint.errors import StoreError
from checkpoint.store.models import APPLICATION_ID

SCRIPT_LOCATION = "checkpoint.store:migrations"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration for the package's migrations, bound to `connection`."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this program knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision this program knows."""
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(connection: sa.Connection) -> str | None:
    """The revision a database is at, None for a database without the log's tables."""
    return MigrationContext.configure(connection).get_current_revision()


def backup(path: Path, backup_dir: Path, revision: str) -> Path:
    """Copy the database at `path` (consistently, through SQLite's backup API) to `backup_dir`."""
    paths.ensure_private_dir(backup_dir)  # mkdir's mode alone is filtered by the umask
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"{path.stem}-{stamp}-rev{revision}.db"
    if not files.create_private(target):
        raise FileExistsError(17, os.strerror(17), str(target))
    with (
        contextlib.closing(sqlite3.connect(path)) as source,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    return target


def upgrade(
    engine: sa.Engine, *, path: Path, backup_dir: Path, target: str = "head", allowed: bool = True
) -> Path | None:
    """Bring the database to `target`; back it up first unless it is new. Returns the backup.

    `allowed` False (a reader without the instance lock) refuses a database that needs
    upgrading rather than changing a file another program may be writing.
    """
    with engine.connect() as connection:
        current = current_revision(connection)
        connection.rollback()
    wanted = head_revision() if target == "head" else target
    if current == wanted:
        return None
    if current is not None and current not in known_revisions():
        raise StoreError.of("store.newer_schema", path=path, revision=current)
    if not allowed:
        raise StoreError.of("store.needs_upgrade", path=path, revision=current or "none")
    saved = backup(path, backup_dir, current) if current is not None else None
    # A separate connection without `foreign_keys`: batch migrations copy and drop tables,
    # which must not cascade; the keys are checked once the schema is in place.
    migration_engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    try:
        with migration_engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode = WAL")
            connection.exec_driver_sql("PRAGMA synchronous = FULL")
            command.upgrade(alembic_config(connection), target)
            connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise StoreError.of("store.migration_broke_keys", path=path, count=len(problems))
    finally:
        migration_engine.dispose()
    return saved
