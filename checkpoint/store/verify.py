"""Walking the hash chain: finds the first row that was changed, removed or inserted."""

from __future__ import annotations

import heapq
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import Session

from checkpoint.errors import StoreError
from checkpoint.locale import Language, translate
from checkpoint.locale.spans import span_text
from checkpoint.store.chain import column_names, personal_digest, row_hash
from checkpoint.store.models import GENESIS_HASH, LOG_TABLES, LogRecord


class Break(StrEnum):
    """How the chain is broken at the first bad row."""

    CHANGED = "changed"
    """A row's content no longer matches its hash."""
    REMOVED = "removed"
    """A sequence number is missing: a row was deleted."""
    INSERTED = "inserted"
    """A row that the chain does not account for: a duplicate number or a foreign link."""


@dataclass(frozen=True)
class ChainProblem:
    """The first break found: its kind, where, and a catalog message describing it."""

    kind: Break
    seq: int
    table: str | None
    record_id: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self, language: Language = "en") -> str:
        return translate(
            self.code,
            language,
            seq=self.seq,
            table=self.table,
            record_id=self.record_id,
            **self.params,
        )


@dataclass(frozen=True, slots=True)
class TimeJump:
    """A place where the log's times go backwards: record `seq` was written at `at`, earlier
    than record `prev_seq` (the one just before it) at `prev_at`. Nothing is wrong with the chain;
    the laptop's clock was (at one of the two times)."""

    seq: int
    table: str
    record_id: str
    at: datetime
    prev_seq: int
    prev_at: datetime

    @property
    def span(self) -> timedelta:
        return self.prev_at - self.at

    def describe(self, language: Language = "en") -> str:
        return translate(
            "verify.backwards",
            language,
            seq=self.seq,
            table=self.table,
            record_id=self.record_id,
            at=_shown(self.at),
            prev_seq=self.prev_seq,
            prev_at=_shown(self.prev_at),
            span=span_text(self.span, language),
        )


def _shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


BACKWARDS_TOLERANCE: Final = timedelta(minutes=1)
"""A step back this small is a clock's correction (NTP), not a wrong clock."""
JUMPS_KEPT: Final = 20
"""Places where times go backwards that a walk describes; the others are counted."""


class _Jumps:
    """Steps back of `created_at` in seq order, each against the record just before it: a
    clock set back shows once, where it was set back, not at every record after it."""

    def __init__(self) -> None:
        self.last_text = ""
        self.last_seq = 0
        self.found: list[TimeJump] = []
        self.count = 0

    def see(self, seq: int, text: Any, table: str, row_id: Any) -> None:
        if not isinstance(text, str):
            return
        last_text, last_seq = self.last_text, self.last_seq
        self.last_text, self.last_seq = text, seq
        if text >= last_text:  # stored times are UTC text: text order is time order
            return
        try:
            at, last = _aware(text), _aware(last_text)
        except ValueError:
            return
        if last - at <= BACKWARDS_TOLERANCE:
            return
        self.count += 1
        if len(self.found) < JUMPS_KEPT:
            self.found.append(TimeJump(seq, table, _record_id(row_id), at, last_seq, last))


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a walk: rows checked, the recorded head, and the first problem if any."""

    rows: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None
    backwards: tuple[TimeJump, ...] = ()
    """The first places (`JUMPS_KEPT`) where the log's times go backwards, in log order."""
    backwards_count: int = 0
    """How many places in all."""

    @property
    def ok(self) -> bool:
        return self.problem is None


_NOT_A_NUMBER: Final = (1, 0)
"""Sort key of a row whose seq is not a number: after all the others, as SQLite orders it."""


def _sort_key(seq: Any) -> tuple[int, Any]:
    if isinstance(seq, int | float) and not isinstance(seq, bool):
        return (0, seq)
    return _NOT_A_NUMBER


def _rows(
    session: Session, record_type: type[LogRecord]
) -> Iterator[tuple[tuple[int, Any], Any, type[LogRecord], Sequence[Any]]]:
    # Raw driver rows, exactly as stored (the chain hashes those), and no ORM objects: a walk
    # over a million rows must not fill an identity map. Numbers first, in order, then seqs of
    # another type (text, blob, NULL) put there by hand: `_sort_key` orders them the same way.
    names = column_names(record_type)
    seq_at = names.index("seq")
    result = session.connection().exec_driver_sql(
        f"SELECT {', '.join(names)} FROM {record_type.__tablename__} "
        "ORDER BY typeof(seq) NOT IN ('integer', 'real'), seq"
    )
    for row in result.yield_per(5000):
        yield _sort_key(row[seq_at]), row[seq_at], record_type, row


def _record_id(value: Any) -> str:
    """The record's id as the program shows it; whatever was stored, if it is not one."""
    try:
        if isinstance(value, bytes) and len(value) == 16:
            return str(uuid.UUID(bytes=value))
        return str(uuid.UUID(hex=value))
    except (TypeError, ValueError, AttributeError):
        return repr(value)[:80]


def _check_row(
    seq: Any, expected: int, previous: str, record_type: type[LogRecord], row: Sequence[Any]
) -> ChainProblem | None:
    names = column_names(record_type)
    value = dict(zip(names, row, strict=True))
    where = (str(record_type.__tablename__), _record_id(value["id"]))
    if not isinstance(seq, int) or isinstance(seq, bool):
        # A float, text, blob or NULL where the log writes whole numbers: changed by hand.
        return ChainProblem(
            Break.CHANGED, expected, *where, "verify.changed_seq", {"value": repr(seq)[:80]}
        )
    if seq < expected:
        return ChainProblem(Break.INSERTED, seq, *where, "verify.inserted_duplicate")
    if seq > expected:
        return ChainProblem(Break.REMOVED, expected, *where, "verify.removed", {"last": seq - 1})
    misfit = stored_misfit(record_type, row)
    if misfit is not None:
        column, kind = misfit
        return ChainProblem(
            Break.CHANGED, seq, *where, "verify.changed_type", {"column": column, "kind": kind}
        )
    digest = value.get("personal_digest")
    if (
        "purged_at" in value
        and value["purged_at"] is None
        and personal_digest(record_type, row) != digest
    ):
        return ChainProblem(Break.CHANGED, seq, *where, "verify.changed_personal")
    if row_hash(record_type, row, digest) != value["hash"]:
        return ChainProblem(Break.CHANGED, seq, *where, "verify.changed")
    if value["prev_hash"] != previous:
        return ChainProblem(Break.INSERTED, seq, *where, "verify.inserted_link")
    return None


def stored_misfit(record_type: type[LogRecord], row: Sequence[Any]) -> tuple[str, str] | None:
    """The first column of a raw row holding a value the program never writes there (a blob
    in a text column, text in a number column, JSON that does not parse), as (column, what
    it holds); None when every value has its column's kind. The program writes each column's
    kind only (see `chain._to_driver`), so such a value was put there by hand."""
    for column, stored in zip(_table(record_type).columns, row, strict=True):
        if stored is None:
            if column.nullable:
                continue
            return column.name, "NULL"
        wanted = _stored_kind(column.type)
        if not isinstance(stored, wanted) or isinstance(stored, bool):
            return column.name, type(stored).__name__
        if isinstance(column.type, sa.JSON):
            try:
                json.loads(str(stored))
            except ValueError:
                return column.name, "broken JSON"
    return None


def _stored_kind(column_type: sa.types.TypeEngine[Any]) -> type | tuple[type, ...]:
    # Booleans and integers come back from SQLite as int; REAL as float, or int when the
    # value is whole; everything else (text, times, enums, UUIDs as hex, JSON) as str.
    if isinstance(column_type, sa.Float):
        return (float, int)
    if isinstance(column_type, sa.Integer | sa.Boolean):
        return int
    return str


def _table(record_type: type[LogRecord]) -> sa.Table:
    table = record_type.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table


def _head(session: Session) -> tuple[int, str] | None:
    """The recorded chain head, raw; None when it was changed to something the program never
    writes there."""
    row = (
        session.connection()
        .exec_driver_sql("SELECT seq, hash FROM chain_head WHERE id = 1")
        .first()
    )
    if row is None:
        return 0, GENESIS_HASH
    seq, digest = row
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(digest, str):
        return None
    return seq, digest


def walk(session: Session) -> ChainReport:
    """Check every row of every logged table in sequence order against the chain.

    Whatever was put in the file by hand (another type in a column, a seq that is not a
    number, JSON that does not parse), the first record that was changed is named; nothing
    raises on a value the program did not write.
    """
    head = _head(session)
    head_seq, head_hash = head or (-1, "")
    # A log from before a table existed (not upgraded yet) holds none of its rows.
    present = set(sa.inspect(session.connection()).get_table_names())
    merged: Iterator[tuple[tuple[int, Any], Any, type[LogRecord], Sequence[Any]]] = heapq.merge(
        *(_rows(session, t) for t in LOG_TABLES if t.__tablename__ in present),
        key=lambda item: item[0],
    )
    expected, previous, count = 1, GENESIS_HASH, 0
    jumps = _Jumps()
    for _key, seq, record_type, row in merged:
        count += 1
        try:
            problem = _check_row(seq, expected, previous, record_type, row)
        except (TypeError, ValueError):
            # A value `stored_misfit` let through that still cannot be hashed: changed.
            problem = ChainProblem(
                Break.CHANGED,
                expected,
                str(record_type.__tablename__),
                _record_id(row[column_names(record_type).index("id")]),
                "verify.changed",
            )
        if problem is not None:
            return ChainReport(count, head_seq, head_hash, problem, tuple(jumps.found), jumps.count)
        names = column_names(record_type)
        jumps.see(
            seq,
            row[names.index("created_at")],
            str(record_type.__tablename__),
            row[names.index("id")],
        )
        expected, previous = seq + 1, row[names.index("hash")]
    last = expected - 1
    tail: ChainProblem | None = None
    if head is None:
        tail = ChainProblem(Break.CHANGED, last, None, None, "verify.head_unreadable")
    elif last < head_seq:
        tail = ChainProblem(
            Break.REMOVED, last + 1, None, None, "verify.removed_tail", {"last": head_seq}
        )
    elif last > head_seq:
        tail = ChainProblem(
            Break.INSERTED, head_seq + 1, None, None, "verify.inserted_tail", {"last": last}
        )
    elif previous != head_hash:
        tail = ChainProblem(Break.CHANGED, last, None, None, "verify.head_mismatch")
    return ChainReport(count, head_seq, head_hash, tail, tuple(jumps.found), jumps.count)


def check(session: Session, path: Path) -> ChainReport:
    """SQLite's own check of the file, then the walk of the chain: what `checkpoint verify`
    does, and what reports and exports run before using the log. Damage SQLite finds is a
    StoreError (`store.integrity`); a broken chain is the report's problem."""
    damage = session.connection().exec_driver_sql("PRAGMA quick_check").scalar_one()
    if damage != "ok":
        raise StoreError.of("store.integrity", path=path, detail=damage)
    return walk(session)
