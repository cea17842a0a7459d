"""Storing a batch exactly once: insert what is absent, compare what is present, never overwrite.

One transaction per batch. Each record that passes its hash check is inserted with
`ON CONFLICT (checkpoint_id, id) DO NOTHING … RETURNING id`: the ids that come back were stored
by this batch. Every other id was already held for this checkpoint (by an earlier or a
concurrent copy of the same request, which the database made wait and then saw): it is a
duplicate when the held row has the same hash, otherwise the record is rejected and the held row
stays as it was. Ids are held per checkpoint: what one checkpoint's token sends (a copy of
another's records, under its own code) can never stand in the way of another checkpoint's. The
receipts are sent only after the commit, so "stored" and "duplicate" mean held for good.

On SQLite the transaction holds the database's only write lock from its BEGIN IMMEDIATE on, so
nothing can come in between: the batch is inserted with one executemany on the driver, and
when the number of rows inserted is the batch's, every one was stored by it. Otherwise (some
were held already) that insert is rolled back to a savepoint, the ids held are read and the
rest inserted. It costs a fraction of RETURNING row by row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import pydantic
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from checkpoint.hub.db import records
from checkpoint.wire.records import Receipt, ReceiptStatus, WireRecord, check_record, hub_body

_RECEIPTS: pydantic.TypeAdapter[list[Receipt]] = pydantic.TypeAdapter(list[Receipt])

CONFLICT = "a different record with this id is already held; it was not overwritten"


NUL_REFUSED = (
    "a text value holds the character U+0000, which this hub's database (PostgreSQL jsonb) "
    "cannot store; the hub's administrator can receive this checkpoint on an SQLite hub"
)
_NUL = "\\u0000"  # how JSON text writes U+0000


def _holds_nul(value: Any) -> bool:
    """Whether a JSON value holds U+0000 in a string (its text may only show "\\u0000")."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _insert_absent(dialect: str) -> Any:
    insert: Any = postgresql.insert(records) if dialect == "postgresql" else sqlite.insert(records)
    return insert.on_conflict_do_nothing(index_elements=["checkpoint_id", "id"]).returning(
        records.c.id
    )


def _held(connection: sa.Connection, checkpoint_id: str, ids: Iterable[str]) -> dict[str, str]:
    """id -> hash of the records among `ids` held for `checkpoint_id`."""
    found: dict[str, str] = {}
    wanted = list(ids)
    for start in range(0, len(wanted), 500):
        query = sa.select(records.c.id, records.c.hash).where(
            records.c.checkpoint_id == checkpoint_id,
            records.c.id.in_(wanted[start : start + 500]),
        )
        found.update((row.id, row.hash) for row in connection.execute(query))
    return found


_SQLITE_INSERT = (
    "INSERT INTO records (id, checkpoint_id, lane_id, table_name, seq, hash, body, received_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (checkpoint_id, id) DO NOTHING"
)


def _store_sqlite(
    connection: sa.Connection, checkpoint_id: str, rows: list[dict[str, Any]], received_at: datetime
) -> set[str]:
    """Insert the `rows` not held yet; their ids. Within BEGIN IMMEDIATE: nothing interleaves.

    The ids of `rows` are distinct. Usually none is held yet: all are inserted at once, and the
    count of rows inserted says so. When some were held (a batch sent again), that insert is
    rolled back and only the rows whose ids are not held are inserted."""
    stamp = records.c.received_at.type.bind_processor(connection.dialect)
    # What sqlite3's default datetime adapter would store, formatted once for the batch.
    at = stamp(received_at) if stamp is not None else received_at.isoformat(" ")
    driver = connection.connection.dbapi_connection
    assert isinstance(driver, sqlite3.Connection)

    def insert(fresh: list[dict[str, Any]]) -> int:
        return driver.executemany(
            _SQLITE_INSERT,
            [
                (
                    r["id"],
                    r["checkpoint_id"],
                    r["lane_id"],
                    r["table_name"],
                    r["seq"],
                    r["hash"],
                    r["json"],
                    at,
                )
                for r in fresh
            ],
        ).rowcount

    driver.execute("SAVEPOINT ingest_all")
    if insert(rows) == len(rows):
        driver.execute("RELEASE ingest_all")
        return {row["id"] for row in rows}
    driver.execute("ROLLBACK TO ingest_all")
    driver.execute("RELEASE ingest_all")
    held = set(_held(connection, checkpoint_id, (row["id"] for row in rows)))
    fresh = [row for row in rows if row["id"] not in held]
    insert(fresh)
    return {row["id"] for row in fresh}


_PG_STAGE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_lane_records "
    "(id TEXT, checkpoint_id TEXT, lane_id TEXT, table_name TEXT, seq BIGINT, hash TEXT, "
    "body JSONB, received_at TIMESTAMPTZ) ON COMMIT DELETE ROWS"
)
_PG_COPY = (
    "COPY incoming_lane_records (id, checkpoint_id, lane_id, table_name, seq, hash, body, "
    "received_at) FROM STDIN"
)
_PG_INSERT = (
    "INSERT INTO records (id, checkpoint_id, lane_id, table_name, seq, hash, body, received_at) "
    "SELECT id, checkpoint_id, lane_id, table_name, seq, hash, body, received_at "
    "FROM incoming_lane_records ON CONFLICT (checkpoint_id, id) DO NOTHING RETURNING id"
)


def _store_postgresql(connection: sa.Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the `rows` not held yet; their ids. The rows are copied (COPY) into a temporary
    table of the transaction, then inserted from it with `ON CONFLICT (checkpoint_id, id) DO
    NOTHING RETURNING id`: the same statement as row by row, in one pass."""
    driver: Any = connection.connection.dbapi_connection
    with driver.cursor() as cursor:
        cursor.execute(_PG_STAGE)
        with cursor.copy(_PG_COPY) as copy:
            for r in rows:
                copy.write_row(
                    (
                        r["id"],
                        r["checkpoint_id"],
                        r["lane_id"],
                        r["table_name"],
                        r["seq"],
                        r["hash"],
                        r["json"],
                        r["received_at"],
                    )
                )
        cursor.execute(_PG_INSERT)
        return {row[0] for row in cursor.fetchall()}


def store_batch(
    engine: sa.Engine,
    checkpoint_id: str,
    batch: Sequence[WireRecord],
    *,
    lane_id: str = "",
    now: datetime | None = None,
) -> list[Receipt]:
    """Store `batch` from `checkpoint_id`'s lane `lane_id` (its log: forwarding keeps each
    lane's seqs apart); one receipt per record, in the batch's order."""
    received_at = now or datetime.now(UTC)
    on_sqlite = engine.dialect.name == "sqlite"
    on_postgresql = engine.dialect.name == "postgresql"
    on_psycopg = on_postgresql and engine.dialect.driver == "psycopg"
    fast = on_sqlite or on_psycopg
    outcome: dict[int, tuple[ReceiptStatus, str | None]] = {}
    first_of: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for position, record in enumerate(batch):
        reason = check_record(record)
        if reason is not None:
            outcome[position] = (ReceiptStatus.REJECTED, reason)
            continue
        if record.id in first_of:  # the same id twice in one batch: judged after the insert
            continue
        first_of[record.id] = position
        row: dict[str, Any] = {
            "id": record.id,
            "checkpoint_id": checkpoint_id,
            "lane_id": lane_id,
            "table_name": record.table,
            "seq": record.seq,
            "hash": record.hash,
            "received_at": received_at,
        }
        # Held with its JSON columns as JSON, not as text inside a string (`wire.hub_body`).
        body = hub_body(record)
        text = orjson.dumps(body).decode()  # UTF-8, in a third of `model_dump_json`'s time
        if on_postgresql and _NUL in text and _holds_nul(body):
            outcome[position] = (ReceiptStatus.REJECTED, NUL_REFUSED)
            del first_of[record.id]
            continue
        if fast:
            row["json"] = text
        else:
            row["body"] = body
        rows.append(row)
    with engine.begin() as connection:
        inserted: set[str] = set()
        if rows and on_sqlite:
            inserted = _store_sqlite(connection, checkpoint_id, rows, received_at)
        elif rows and on_psycopg:
            inserted = _store_postgresql(connection, rows)
        elif rows:
            statement = _insert_absent(engine.dialect.name)
            inserted = set(connection.execute(statement, rows).scalars())
        held = _held(connection, checkpoint_id, {r.id for r in batch} - inserted)
    for position, record in enumerate(batch):
        if position in outcome:
            continue
        if record.id in inserted and first_of[record.id] == position:
            outcome[position] = (ReceiptStatus.STORED, None)
        elif held.get(record.id) == record.hash or (
            record.id in inserted and batch[first_of[record.id]].hash == record.hash
        ):
            outcome[position] = (ReceiptStatus.DUPLICATE, None)
        else:
            outcome[position] = (ReceiptStatus.REJECTED, CONFLICT)
    # One validation for the whole list: receipt by receipt, it cost more than the hash check.
    return _RECEIPTS.validate_python(
        [
            {"id": record.id, "seq": record.seq, "status": outcome[i][0], "reason": outcome[i][1]}
            for i, record in enumerate(batch)
        ]
    )


def held_status(engine: sa.Engine, checkpoint_id: str) -> tuple[int, int]:
    """How many records of `checkpoint_id` the hub holds, and their highest seq."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(records.c.seq), 0)).where(
                records.c.checkpoint_id == checkpoint_id
            )
        ).one()
        connection.rollback()
    return int(row[0]), int(row[1])
