"""The acknowledged mark of each hub, and the records a hub has not acknowledged yet."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlmodel import Session, col, select

from checkpoint.store.chain import column_names
from checkpoint.store.models import LOG_TABLES, HeldBack, LogRecord, SyncState


def acked_mark(*, session: Session, hub: str) -> int:
    """The highest seq up to which `hub` acknowledged every record (0 when it never did)."""
    state = session.get(SyncState, hub)
    return state.acked_seq if state is not None else 0


def head_seq(*, session: Session) -> int:
    """The seq of the newest record of the log (0 for an empty log)."""
    value = session.connection().exec_driver_sql("SELECT seq FROM chain_head WHERE id = 1").scalar()
    return int(value or 0)


def unsynced_count(*, session: Session, hub: str | None = None) -> int:
    """Records `hub` has not acknowledged (the whole log when none did); with `hub` None, the
    hub that acknowledged the most (the one configured, on a laptop that syncs to one).

    For the status bar's "unsent" counter: one indexed read, no scan.
    """
    mark_query = "SELECT coalesce(max(acked_seq), 0) FROM sync_state"
    params: tuple[Any, ...] = ()
    if hub is not None:
        mark_query += " WHERE hub = ?"
        params = (hub,)
    connection = session.connection()
    mark = int(connection.exec_driver_sql(mark_query, params).scalar() or 0)
    return max(0, head_seq(session=session) - mark)


def advance_mark(*, session: Session, hub: str, seq: int, now: datetime | None = None) -> int:
    """Raise `hub`'s mark to `seq` (never lower it) and note a success; returns the mark."""
    at = now or datetime.now(UTC)
    state = session.get(SyncState, hub)
    if state is None:
        state = SyncState(hub=hub)
    state.acked_seq = max(state.acked_seq, seq)
    state.last_success_at = at
    state.last_attempt_at = at
    state.last_error = None
    session.add(state)
    session.flush()
    return state.acked_seq


def note_failure(*, session: Session, hub: str, error: str, now: datetime | None = None) -> None:
    """Remember the last failure of a sync with `hub`, in plain words."""
    state = session.get(SyncState, hub) or SyncState(hub=hub)
    state.last_attempt_at = now or datetime.now(UTC)
    state.last_error = error
    session.add(state)
    session.flush()


def note_hub_clock(*, session: Session, hub: str, skew_s: float, hub_time: datetime) -> None:
    """Remember how far this laptop's clock was from `hub`'s (`skew_s`, laptop minus hub) when
    the hub's clock said `hub_time`."""
    state = session.get(SyncState, hub) or SyncState(hub=hub)
    state.clock_skew_s = skew_s
    state.hub_time_at = hub_time
    session.add(state)
    session.flush()


def known_skew(*, session: Session) -> tuple[float, datetime] | None:
    """The skew seen at the latest sync with any hub, and the hub's time then; None if no sync
    learned one yet."""
    row = (
        session.connection()
        .exec_driver_sql(
            "SELECT clock_skew_s, hub_time_at FROM sync_state WHERE clock_skew_s IS NOT NULL "
            "ORDER BY hub_time_at DESC LIMIT 1"
        )
        .first()
    )
    if row is None or row[1] is None:
        return None
    at = datetime.fromisoformat(str(row[1]))
    return float(row[0]), at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def sync_state(*, session: Session, hub: str) -> SyncState | None:
    """Everything known about syncing with `hub` (for a status line), None before the first try."""
    return session.get(SyncState, hub)


@cache
def _range_query(record_type: type[LogRecord]) -> tuple[str, int]:
    """The query of `rows_between` for one table, and where `seq` is in its rows."""
    names = column_names(record_type)
    select = (
        f"SELECT {', '.join(names)} FROM {record_type.__tablename__} "
        "WHERE seq BETWEEN ? AND ? ORDER BY seq"
    )
    return select, names.index("seq")


def rows_between(
    *, session: Session, first: int, last: int
) -> Iterator[tuple[type[LogRecord], Sequence[Any]]]:
    """Raw rows (driver values, `column_names` order) with `first <= seq <= last`, by seq."""
    # (seq, the table's index, row): plain values, which the garbage collector stops watching
    # at its first pass (with the table's type in them it watched thousands a batch).
    found: list[tuple[int, int, Sequence[Any]]] = []
    # The driver's own cursor: plain tuples, without SQLAlchemy's row objects (about 1 µs a
    # row less); a sync reads every row of the log this way.
    driver = session.connection().connection.dbapi_connection
    assert driver is not None
    for index, record_type in enumerate(LOG_TABLES):
        select, seq_at = _range_query(record_type)
        rows = driver.execute(select, (first, last)).fetchall()
        found += [(row[seq_at], index, row) for row in rows]
    found.sort(key=lambda item: item[0])
    for _, index, row in found:
        yield LOG_TABLES[index], row


RECORD = "record"
REPORT = "report"
"""The kinds of what may be held back (`HeldBack.kind`)."""


def hold_back(
    *,
    session: Session,
    hub: str,
    kind: str,
    item: str,
    code: str,
    reason: str,
    params: dict[str, Any] | None = None,
    seq: int | None = None,
    table_name: str | None = None,
    now: datetime | None = None,
) -> None:
    """Remember that `item` (a record's id, a report's day) could not be sent to `hub`, and why;
    one held back before keeps when it first was."""
    at = now or datetime.now(UTC)
    held = session.get(HeldBack, (hub, kind, item)) or HeldBack(
        hub=hub, kind=kind, item=item, code=code, reason=reason, first_at=at, last_at=at
    )
    held.seq, held.table_name = seq, table_name
    # Kept as JSON: a value that is not one (a phrase said in each language) as its text.
    kept = {
        str(name): value if isinstance(value, str | int | float | None) else str(value)
        for name, value in (params or {}).items()
    }
    held.code, held.reason, held.params = code, reason, kept
    held.last_at = at
    session.add(held)
    session.flush()


def release(*, session: Session, hub: str, kind: str, item: str) -> bool:
    """`item` reached `hub` after all: no longer held back. Whether it was."""
    held = session.get(HeldBack, (hub, kind, item))
    if held is None:
        return False
    session.delete(held)
    session.flush()
    return True


def held_back(*, session: Session, hub: str, kind: str | None = None) -> list[HeldBack]:
    """What is held back from `hub` (of one `kind`, or all): records by seq, then reports by day."""
    query = select(HeldBack).where(HeldBack.hub == hub)
    if kind is not None:
        query = query.where(HeldBack.kind == kind)
    found = list(session.exec(query.order_by(col(HeldBack.kind).desc(), col(HeldBack.item))))
    found.sort(key=lambda h: (h.kind != RECORD, h.seq or 0, h.item))
    return found


def held_back_count(*, session: Session, hub: str | None = None) -> int:
    """How many records and reports are held back from `hub` (every hub's, with None); for the
    status bar: one indexed count."""
    query = "SELECT count(*) FROM held_back"
    params: tuple[Any, ...] = ()
    if hub is not None:
        query += " WHERE hub = ?"
        params = (hub,)
    return int(session.connection().exec_driver_sql(query, params).scalar() or 0)
