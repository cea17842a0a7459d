"""A lane's figures from the records it handed in to the site, by the log's own rules.

The records travel as the lane's log stores them (`wire/records.py`): laid back into an
in-memory SQLite database with the log's columns, they are counted by the same code as the
lane's own reports (`reports/figures.py`, `reports/follow_ups.py`), in the amended view, for
any period: the site's figures of a lane are what that lane's own report says for the same
period, up to the last record it handed in. Personal fields never travel; no figure depends on
them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from checkpoint.hub.db import records
from checkpoint.reports.figures import Tally, load_corrections, tally
from checkpoint.reports.follow_ups import count_follow_ups
from checkpoint.store.chain import column_names
from checkpoint.wire.records import TABLES, wire_body


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _log_of(bodies: Iterable[Mapping[str, Any]]) -> sqlite3.Connection:
    """An in-memory database with the log's tables (untyped columns: values stay as sent)
    holding the records `bodies` (as the hub holds them)."""
    log = sqlite3.connect(":memory:")
    layouts = {name: column_names(record_type) for name, record_type in TABLES.items()}
    for name, columns in layouts.items():
        log.execute(f"CREATE TABLE {_quoted(name)} ({', '.join(map(_quoted, columns))})")
    inserts = {
        name: f"INSERT INTO {_quoted(name)} VALUES ({', '.join('?' * len(columns))})"
        for name, columns in layouts.items()
    }
    for body in bodies:
        wire = wire_body(body)
        table = str(wire["table"])
        if table not in layouts:
            continue  # a table of a newer lane: nothing this version counts
        row = {**wire["values"], **(wire.get("personal") or {})}
        row.update(
            (name, wire.get(name))
            for name in ("id", "seq", "created_at", "prev_hash", "hash", "personal_digest")
        )
        log.execute(inserts[table], [row.get(column) for column in layouts[table]])
    return log


def lane_tally(
    engine: sa.Engine,
    checkpoint_id: str,
    lane_id: str,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> Tally:
    """The figures of [start, end) (and cumulative up to `end`) of one lane of `checkpoint_id`,
    from the records of it that the hub on `engine` holds."""
    with engine.connect() as connection:
        bodies = connection.execute(
            sa.select(records.c.body)
            .where(records.c.checkpoint_id == checkpoint_id)
            .where(records.c.lane_id == lane_id)
            .order_by(records.c.seq)
        ).scalars()
        log = _log_of(bodies)
        connection.rollback()
    try:
        corrections = load_corrections(log)
        result = tally(log, corrections, start=start, end=end, zone=zone)
        count_follow_ups(log, corrections, result)
    finally:
        log.close()
    return result
