"""Opening the local log: the file, its pragmas, its lock, its schema version.

A record shown as saved must survive a power cut (WAL with `synchronous=FULL`); the file holds
personal data, so it is created readable by its owner only; a file that is not ours is never
touched; a second instance on the same file is refused at once with a clear error.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from checkpoint import files
from checkpoint.errors import StoreError
from checkpoint.paths import ensure_private_dir
from checkpoint.store import instance_lock, migrate
from checkpoint.store.chain import forget_head, json_text
from checkpoint.store.models import APPLICATION_ID

_SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


@dataclass
class Store:
    """An open local log. Use `session()` for each unit of work; `close()` when done."""

    path: Path
    engine: sa.Engine
    _lock: instance_lock.InstanceLock | None = field(default=None, repr=False)
    backup_path: Path | None = None
    """Where the database was copied before a migration at this opening, if one ran."""
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _idle: list[Session] = field(default_factory=list, repr=False)
    _sessions: list[tuple[Session, sa.Connection]] = field(default_factory=list, repr=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: a write transaction that commits on success, rolls back on error.

        SQLite errors come out as `StoreError` with a message for the user; on any error the
        transaction is rolled back whole, so no partial record is ever left behind. Units of
        work do not nest within a thread.
        """
        if getattr(self._local, "in_unit", False):
            raise RuntimeError("a unit of work is already open in this thread")
        session = self._take_session()
        self._local.in_unit = True
        try:
            yield session
            session.commit()
        except BaseException as error:
            session.rollback()
            if isinstance(error, DBAPIError | sqlite3.Error):
                raise translate_error(error, self.path) from error
            raise
        finally:
            self._local.in_unit = False
            forget_head(session)
            session.expunge_all()
            with self._guard:
                self._idle.append(session)

    def _take_session(self) -> Session:
        # Sessions bound to their own connection are reused across units of work, whatever
        # thread runs them: building a Session and checking a connection out of the pool for
        # every screening cost more than all the rest of the bookkeeping. A session is used by
        # one unit at a time; short-lived worker threads leave nothing behind.
        with self._guard:
            if self._idle:
                return self._idle.pop()
            connection = self.engine.connect()
            session = Session(bind=connection, expire_on_commit=False)
            self._sessions.append((session, connection))
            return session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only view of the log: one consistent snapshot that never blocks the writer."""
        connection = self.engine.connect().execution_options(**{READ_ONLY_OPTION: True})
        try:
            # Closing (not rolling back) ends the snapshot and leaves loaded rows usable.
            with Session(bind=connection) as session:
                yield session
        except (DBAPIError, sqlite3.Error) as error:
            raise translate_error(error, self.path) from error
        finally:
            connection.close()

    def close(self) -> None:
        """Dispose of connections (checkpointing the WAL) and release the instance lock."""
        for session, connection in self._sessions:
            session.close()
            connection.close()
        self._sessions.clear()
        self._idle.clear()
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def translate_error(error: DBAPIError | sqlite3.Error, path: Path) -> StoreError:
    """A user-facing error for an SQLite failure on `path` (through SQLAlchemy or not)."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    text = str(cause).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return StoreError.of("store.disk_full", path=path)
    if "not a database" in text or "malformed" in text:
        return StoreError.of("store.corrupt", path=path, detail=str(cause))
    if "locked" in text or "busy" in text:
        return StoreError.of("store.locked", path=path)
    if "readonly" in text or "read-only" in text:
        return StoreError.of("store.read_only", path=path)
    return StoreError.of("store.sqlite_error", path=path, detail=str(cause))


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Autocommit at the driver level so that SQLAlchemy's "begin" below controls transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _set_reader_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # No journal_mode or synchronous: a reader never writes, not even the header of a file.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


READ_ONLY_OPTION = "checkpoint_read_only"


def _begin(connection: sa.Connection) -> None:
    # Units of work take the write lock at BEGIN: a deferred transaction that reads the chain
    # head and then writes could otherwise fail with SQLITE_BUSY halfway through. Readers
    # (verify, reports) begin deferred and read a WAL snapshot without blocking the writer.
    if connection.get_execution_options().get(READ_ONLY_OPTION):
        connection.exec_driver_sql("BEGIN DEFERRED")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(path: Path, *, read_only: bool = False) -> sa.Engine:
    """An engine on `path` with the log's pragmas and immediate write transactions;
    `read_only`: one that never writes, and reads a log on a read-only folder or disk."""
    # No reset on return: every unit of work ends in an explicit commit or rollback, and the
    # extra ROLLBACK per screening would cost more than the rest of the bookkeeping.
    options: dict[str, Any] = {}
    if read_only:
        uri = reader_uri(path)
        options["creator"] = lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
    engine = sa.create_engine(
        f"sqlite:///{path}",
        poolclass=sa.pool.QueuePool,
        pool_size=2,
        pool_reset_on_return=None,
        **options,
        json_serializer=json_text,  # UTF-8, as the chain writes JSON columns
    )
    event.listen(engine, "connect", _set_reader_pragmas if read_only else _set_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


def read_only_location(path: Path) -> bool:
    """Whether the log at `path` cannot be written: a read-only file, folder or file system."""
    return not (os.access(path.parent, os.W_OK) and os.access(path, os.W_OK))


def reader_uri(path: Path) -> str:
    """An SQLite URI that opens `path` without ever writing to it.

    On a read-only folder or file system SQLite cannot create the -shm file a WAL log needs to
    be read; when no -wal file holds records beyond the main file, `immutable` tells SQLite
    that no one can change the file, and it reads without the -shm.
    """
    query = "mode=ro"
    if read_only_location(path) and not Path(f"{path}-wal").exists():
        query += "&immutable=1"
    return f"file:{quote(str(path))}?{query}"


def _check_file(path: Path, *, reading: bool = False) -> bool:
    """True if `path` exists and is an SQLite file; StoreError if it is anything else (an
    empty file too, for a reader: it is reported, never given a header)."""
    if path.is_symlink() and not path.exists():
        raise StoreError.of("store.dangling_link", path=path, target=path.readlink())
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise StoreError.of("store.no_permission", path=path) from error
    if stat.S_ISDIR(info.st_mode):
        raise StoreError.of("store.is_directory", path=path)
    if not stat.S_ISREG(info.st_mode):
        # A FIFO would block the open below until some other program wrote to it.
        raise StoreError.of("store.not_a_file", path=path)
    if reading and info.st_size == 0:
        raise StoreError.of("store.empty", path=path)
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except PermissionError as error:
        raise StoreError.of("store.no_permission", path=path) from error
    if header and header != _SQLITE_HEADER:
        raise StoreError.of("store.not_sqlite", path=path)
    return True


def _check_ownership(path: Path) -> None:
    """Refuse an SQLite file that belongs to another program (never overwrite it)."""
    try:
        with contextlib.closing(sqlite3.connect(reader_uri(path), uri=True)) as connection:
            app_id = connection.execute("PRAGMA application_id").fetchone()[0]
            tables = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise _open_error(error, path) from error
    if app_id != APPLICATION_ID and tables:
        raise StoreError.of("store.foreign", path=path)


def _open_error(error: sqlite3.DatabaseError, path: Path) -> StoreError:
    # "unable to open database file" is not damage: most often the folder cannot be written
    # (a WAL log needs its -shm file), which must never be answered with "start a new log".
    if isinstance(error, sqlite3.OperationalError) and read_only_location(path):
        return StoreError.of("store.read_only", path=path)
    return translate_error(error, path)


def _acquire(path: Path) -> instance_lock.InstanceLock:
    try:
        return instance_lock.acquire(path)
    except OSError as error:
        if read_only_location(path):
            raise StoreError.of("store.read_only", path=path) from error
        raise StoreError.of(
            "store.lock_failed", path=instance_lock.lock_file(path), detail=error.strerror
        ) from error


def open_store(
    path: Path,
    *,
    backup_dir: Path | None = None,
    exclusive: bool = True,
    create: bool = True,
    lock: instance_lock.InstanceLock | None = None,
) -> Store:
    """Open the log at `path`, migrating an older schema after a backup.

    `create` makes a new log where there is none (otherwise a missing file is an error).
    `exclusive` takes the instance lock: one running program writes to a log at a time;
    tools that only read (`checkpoint verify`) pass False. `lock` is that lock when the caller
    took it already (`checkpoint run` does, before its first screen); the store then holds it.
    """
    path = path.expanduser()
    if create:
        # Before the lock file: it would otherwise create the folder with default permissions.
        ensure_private_dir(path.parent)
    if lock is not None and lock.database != path:
        raise ValueError(f"the lock held is {lock.database}'s, not {path}'s")
    if lock is None and exclusive:
        lock = _acquire(path)
    try:
        if _check_file(path, reading=not create):
            _check_ownership(path)
            if create:  # a writer: a log an older version left readable to others is made private
                for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    files.make_private(name)
        elif create:
            # Owner-only from its first byte; SQLite gives -wal and -shm the same permissions.
            files.create_private(path)
        else:
            raise StoreError.of("store.missing", path=path)
        engine = make_engine(path, read_only=not create and not exclusive)
        try:
            backup = migrate.upgrade(
                engine,
                path=path,
                backup_dir=backup_dir or path.parent / "backups",
                allowed=exclusive,
            )
        except DBAPIError as error:
            engine.dispose()
            raise translate_error(error, path) from error
        except BaseException:
            engine.dispose()
            raise
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return Store(path=path, engine=engine, _lock=lock, backup_path=backup)
