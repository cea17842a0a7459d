"""The hash chain over the local log, and the one way rows are appended to it.

Every row of every logged table gets the next sequence number and a hash covering its content
and the previous row's hash. Changing, removing or inserting a row anywhere breaks the chain
from that point (`verify.py` finds where). It is tamper-evident, not tamper-proof: someone who
rewrites the whole tail can rebuild it, which is why printed reports carry the chain head and
sync sends it upward.

Appending is the hot path of the program (every person screened), so each table's insert
statement and value converters are prepared once and rows go to the SQLite driver directly,
inside the unit of work's transaction.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlmodel import Session

from checkpoint.store.codec import canonical_json
from checkpoint.store.models import LogFields, LogRecord, table_of
from checkpoint.store.types import EnumText, UTCDateTime

_UNHASHED = frozenset({"hash", "personal_digest", "purged_at"})
_HEAD_KEY = "checkpoint.chain_head"


def _table(record_type: type[LogRecord]) -> sa.Table:
    table = record_type.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table


_DIALECT = sqlite_dialect.dialect()


def _none_or(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: None if v is None else convert(v)


def _to_driver(column: sa.Column[Any]) -> Callable[[Any], Any]:
    """How a value of `column` goes to sqlite3: exactly what SQLite will give back when read.

    The hash covers these driver values, so a row hashes the same when written and when read
    back raw by `verify` (37 in a REAL column comes back as 37.0, True as 1: convert first).
    """
    column_type = column.type
    if isinstance(column_type, sa.JSON):
        return json_text  # None too: SQLAlchemy's JSON stores it as the text 'null'
    if isinstance(column_type, UTCDateTime):
        return lambda v: column_type.process_bind_param(v, _DIALECT)
    if isinstance(column_type, EnumText):
        enum_class = column_type.enum_class
        return _none_or(lambda v: v.value if isinstance(v, enum_class) else enum_class(v).value)
    if isinstance(column_type, sa.Uuid):
        return _none_or(lambda v: v.hex)
    if isinstance(column_type, sa.Date):
        return _none_or(lambda v: v.isoformat())
    if isinstance(column_type, sa.Boolean):
        return _none_or(int)
    if isinstance(column_type, sa.Float):
        return _none_or(float)
    if isinstance(column_type, sa.Integer):
        return _none_or(int)
    return _identity  # text: validated as str where the record was made


def _identity(value: Any) -> Any:
    return value


_STORED_JSON = json.JSONEncoder(ensure_ascii=False)
_HASHED_JSON = json.JSONEncoder()


def json_text(value: Any) -> str:
    """How a JSON column's value is stored: UTF-8 text, 王芳 and not \\u738b\\u82b3, so that
    `LIKE '%王芳%'` finds it (the engine's `json_serializer` writes the same)."""
    return _STORED_JSON.encode(value)


def hashed_json(stored: Any) -> Any:
    """What the chain hashes for a JSON column holding `stored`: the text `json.dumps` writes
    (non-ASCII as \\u escapes, as the log stored it before it stored UTF-8), whichever way the
    value is stored, so that older rows keep their hashes and the wire keeps its form.

    Stored text that is not JSON (a tampered row) is hashed as it is: the hash then differs
    and `verify` names the row, instead of failing on it.
    """
    if not isinstance(stored, str) or stored.isascii():
        return stored  # ASCII text is what json.dumps wrote (or a change that shows as one)
    try:
        return _HASHED_JSON.encode(json.loads(stored))
    except (ValueError, RecursionError):
        return stored


@dataclass(frozen=True)
class _Plan:
    """Prepared once per table: the insert statement and how to convert and hash values."""

    table: sa.Table
    insert_sql: str
    names: tuple[str, ...]
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(position, converter) of the columns whose driver value differs from the Python one."""
    hashed: tuple[int, ...]
    """Positions of the columns the row hash covers, in the order of their names."""
    hashed_json: tuple[int, ...]
    """Indexes in `hashed` of the JSON columns (hashed as `hashed_json` gives them)."""
    hash_header: bytes
    """The canonical header of the table's rows: JSON of [table name, hashed column names]."""
    personal: tuple[int, ...]
    """Positions of the personal columns, covered through the personal digest."""
    personal_json: tuple[int, ...]
    """Indexes in `personal` of the JSON columns."""
    personal_header: bytes


@cache
def _plan(record_type: type[LogRecord]) -> _Plan:
    table = _table(record_type)
    names = tuple(c.name for c in table.columns)
    skipped = _UNHASHED | set(record_type.PERSONAL_FIELDS)
    hashed = sorted((n, i) for i, n in enumerate(names) if n not in skipped)
    personal = sorted((n, names.index(n)) for n in record_type.PERSONAL_FIELDS)
    converters = ((i, _to_driver(c)) for i, c in enumerate(table.columns))
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    return _Plan(
        table=table,
        insert_sql=(
            f"INSERT INTO {table.name} ({', '.join(names)}) "
            f"VALUES ({', '.join('?' for _ in names)})"
        ),
        names=names,
        converters=tuple((i, f) for i, f in converters if f is not _identity),
        hashed=tuple(i for _, i in hashed),
        hashed_json=tuple(k for k, (n, _) in enumerate(hashed) if n in json_columns),
        hash_header=_canonical([table.name, [n for n, _ in hashed]]),
        personal=tuple(i for _, i in personal),
        personal_json=tuple(k for k, (n, _) in enumerate(personal) if n in json_columns),
        personal_header=_canonical([table.name, [n for n, _ in personal]]),
    )


def column_names(record_type: type[LogRecord]) -> tuple[str, ...]:
    """The table's columns in the order `row_hash` and `personal_digest` expect a raw row."""
    return _plan(record_type).names


def _canonical(data: Any) -> bytes:
    return canonical_json(data).encode()


def personal_digest(record_type: type[LogRecord], row: Sequence[Any]) -> str | None:
    """SHA-256 over a raw row's personal fields, None for a table without any.

    The digested text is the table's personal header, a newline, and the JSON array of the
    personal values in the order of their column names.
    """
    plan = _plan(record_type)
    if not plan.personal:
        return None
    values = [row[i] for i in plan.personal]
    for k in plan.personal_json:
        values[k] = hashed_json(values[k])
    return hashlib.sha256(plan.personal_header + b"\n" + _canonical(values)).hexdigest()


def row_hash(record_type: type[LogRecord], row: Sequence[Any], digest: str | None) -> str:
    """The hash a raw row (driver values in `column_names` order) must carry.

    SHA-256 of: the JSON array [table name, names of the hashed columns sorted], a newline, the
    JSON array of those columns' stored values in the same order (they include `seq`,
    `created_at` and `prev_hash`, which makes it a chain), a newline, and the personal digest
    (empty for tables without personal fields). JSON is compact, UTF-8, no ASCII escaping; the
    text of a JSON column is hashed as `json.dumps` writes it (`hashed_json`), however stored.
    """
    plan = _plan(record_type)
    return values_hash(record_type, [row[i] for i in plan.hashed], digest)


@cache
def hashed_names(record_type: type[LogRecord]) -> tuple[str, ...]:
    """The columns `row_hash` covers, in the order `values_hash` expects their values."""
    plan = _plan(record_type)
    return tuple(plan.names[i] for i in plan.hashed)


def values_hash(record_type: type[LogRecord], values: Sequence[Any], digest: str | None) -> str:
    """`row_hash` from the hashed columns' values alone, in the order of `hashed_names`."""
    return text_hash(record_type, _canonical(hashed_values(record_type, values)), digest)


def hashed_values(record_type: type[LogRecord], values: Sequence[Any]) -> Sequence[Any]:
    """The hashed columns' stored values (in `hashed_names` order) as the hash covers them:
    JSON columns as `hashed_json` gives them, the rest as they are."""
    json_at = _plan(record_type).hashed_json
    if not json_at:
        return values
    values = list(values)
    for k in json_at:
        values[k] = hashed_json(values[k])
    return values


def text_hash(record_type: type[LogRecord], values_json: bytes, digest: str | None) -> str:
    """`values_hash` from the JSON text of the values (canonical: as `values_hash` writes it,
    of the values as `hashed_values` gives them)."""
    tail = digest.encode() if digest else b""
    header = _plan(record_type).hash_header
    return hashlib.sha256(header + b"\n" + values_json + b"\n" + tail).hexdigest()


def _driver(session: Session) -> sqlite3.Connection:
    # The unit of work's own connection, already inside its BEGIN IMMEDIATE transaction.
    connection = session.connection().connection.dbapi_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


def _head(session: Session, driver: sqlite3.Connection) -> list[Any]:
    # Read once per unit of work (the write lock is held from BEGIN IMMEDIATE on), then kept
    # in step by `append`; `forget_head` drops it when the unit ends.
    head: list[Any] | None = session.info.get(_HEAD_KEY)
    if head is None:
        row = driver.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
        head = [row[0], row[1]]
        session.info[_HEAD_KEY] = head
    return head


def forget_head(session: Session) -> None:
    """Drop the chain head cached for a unit of work; the next unit reads it again, since
    another thread's unit may have appended in between."""
    session.info.pop(_HEAD_KEY, None)


def append(session: Session, *records: LogFields, now: datetime | None = None) -> None:
    """Append `records`, in order, to the log within the session's transaction.

    Rows are inserted at once, in the order given (parents before children), so foreign keys
    hold at every statement. Nothing is visible to others until the unit of work commits.
    Table-model instances get their chain columns set; `…Fields` instances are left as given.
    """
    driver = _driver(session)
    head = _head(session, driver)
    written_at = now or datetime.now(UTC)
    for record in records:
        if getattr(record, "seq", None) is not None:
            raise ValueError(f"{type(record).__name__} {record.id} is already in the log")
        record_type = table_of(record)
        plan = _plan(record_type)
        values = dict(record.__dict__)
        values.update(seq=head[0] + 1, created_at=written_at, prev_hash=head[1])
        if plan.personal:
            values["purged_at"] = None
            values["personal_digest"] = None
        row = [values.get(name) for name in plan.names]
        for position, convert in plan.converters:
            row[position] = convert(row[position])
        if plan.personal:
            values["personal_digest"] = row[plan.names.index("personal_digest")] = personal_digest(
                record_type, row
            )
        values["hash"] = row[plan.names.index("hash")] = row_hash(
            record_type, row, values.get("personal_digest")
        )
        driver.execute(plan.insert_sql, row)
        if isinstance(record, LogRecord):
            for name in LogRecord.CHAIN_FIELDS & values.keys():
                setattr(record, name, values[name])
        head[0], head[1] = values["seq"], values["hash"]
    driver.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (head[0], head[1]))
