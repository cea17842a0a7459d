"""Walking the hash chain: finds the first row that was changed, removed or inserted."""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from checkpoint.locale import Language, translate
from checkpoint.store.chain import column_names, personal_digest, row_hash
from checkpoint.store.models import GENESIS_HASH, LOG_TABLES, ChainHead, LogRecord


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


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a walk: rows checked, the recorded head, and the first problem if any."""

    rows: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _rows(
    session: Session, record_type: type[LogRecord]
) -> Iterator[tuple[int, type[LogRecord], Sequence[Any]]]:
    # Raw driver rows, exactly as stored (the chain hashes those), and no ORM objects: a walk
    # over a million rows must not fill an identity map.
    names = column_names(record_type)
    seq_at = names.index("seq")
    result = session.connection().exec_driver_sql(
        f"SELECT {', '.join(names)} FROM {record_type.__tablename__} ORDER BY seq"
    )
    for row in result.yield_per(5000):
        yield row[seq_at], record_type, row


def _check_row(
    seq: int, expected: int, previous: str, record_type: type[LogRecord], row: Sequence[Any]
) -> ChainProblem | None:
    names = column_names(record_type)
    value = dict(zip(names, row, strict=True))
    where = (str(record_type.__tablename__), str(uuid.UUID(hex=value["id"])))
    if seq < expected:
        return ChainProblem(Break.INSERTED, seq, *where, "verify.inserted_duplicate")
    if seq > expected:
        return ChainProblem(Break.REMOVED, expected, *where, "verify.removed", {"last": seq - 1})
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


def walk(session: Session) -> ChainReport:
    """Check every row of every logged table in sequence order against the chain."""
    head_row = session.get(ChainHead, 1)
    head_seq, head_hash = (head_row.seq, head_row.hash) if head_row else (0, GENESIS_HASH)
    merged: Iterator[tuple[int, type[LogRecord], Sequence[Any]]] = heapq.merge(
        *(_rows(session, t) for t in LOG_TABLES), key=lambda item: item[0]
    )
    expected, previous, count = 1, GENESIS_HASH, 0
    for seq, record_type, row in merged:
        count += 1
        problem = _check_row(seq, expected, previous, record_type, row)
        if problem is not None:
            return ChainReport(count, head_seq, head_hash, problem)
        expected, previous = seq + 1, row[column_names(record_type).index("hash")]
    last = expected - 1
    tail: ChainProblem | None = None
    if last < head_seq:
        tail = ChainProblem(
            Break.REMOVED, last + 1, None, None, "verify.removed_tail", {"last": head_seq}
        )
    elif last > head_seq:
        tail = ChainProblem(
            Break.INSERTED, head_seq + 1, None, None, "verify.inserted_tail", {"last": last}
        )
    elif previous != head_hash:
        tail = ChainProblem(Break.CHANGED, last, None, None, "verify.head_mismatch")
    return ChainReport(count, head_seq, head_hash, tail)
