"""Corrections as amendment rows, and the amended view that queries return.

The original row is never updated: an amendment names the row, the field, the new value, the
reason and who made it. Reading a record applies its amendments in log order to a detached
copy, so the original stays available beside the correction.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from checkpoint.errors import ValidationError
from checkpoint.store.chain import append
from checkpoint.store.codec import decode, encode_column
from checkpoint.store.models import Amendment, LogRecord

R = TypeVar("R", bound=LogRecord)


@dataclass(frozen=True)
class Amended(Generic[R]):
    """A record as amended, with the original as written and the amendments applied."""

    record: R
    original: R
    amendments: tuple[Amendment, ...]

    @property
    def changed_fields(self) -> frozenset[str]:
        return frozenset(a.field for a in self.amendments)


def _table(record_type: type[LogRecord]) -> sa.Table:
    table = record_type.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table


def amend(
    *,
    session: Session,
    record: LogRecord,
    field: str,
    new_value: Any,
    reason: str,
    by: str,
    at: datetime | None = None,
) -> Amendment:
    """Record a correction of `record.field`; the original row is left as it is."""
    record_type = type(record)
    columns = _table(record_type).columns
    if field not in columns or field in record_type.CHAIN_FIELDS or field == "id":
        raise ValidationError.of("amendment.field", field=field, table=record_type.__tablename__)
    if not reason.strip():
        raise ValidationError.of("amendment.reason_required")
    if not by.strip():
        raise ValidationError.of("amendment.author_required")
    if record.seq is None:
        raise ValidationError.of("amendment.not_logged", table=record_type.__tablename__)
    amendment = Amendment(
        target_table=str(record_type.__tablename__),
        target_id=record.id,
        field=field,
        new_value=encode_column(columns[field], new_value),
        reason=reason.strip(),
        amended_by=by.strip(),
        amended_at=at or datetime.now(UTC),
    )
    append(session, amendment)
    return amendment


def _detached_copy(record: R) -> R:
    record_type = type(record)
    return record_type(**{c.key: getattr(record, c.key) for c in _table(record_type).columns})


def apply(record: R, amendments: Sequence[Amendment]) -> Amended[R]:
    """`record` with `amendments` (of that record, in log order) applied to a copy."""
    columns = _table(type(record)).columns
    current = _detached_copy(record)
    for amendment in amendments:
        setattr(current, amendment.field, decode(columns[amendment.field], amendment.new_value))
    return Amended(record=current, original=_detached_copy(record), amendments=tuple(amendments))


def amendments_of(
    *, session: Session, record_type: type[LogRecord], ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Amendment]]:
    """The amendments of the given rows, by row id, each list in log order."""
    found: dict[uuid.UUID, list[Amendment]] = defaultdict(list)
    table_name = str(record_type.__tablename__)
    # Chunked: SQLite limits the number of bound parameters in one statement.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = (
            select(Amendment)
            .where(Amendment.target_table == table_name, col(Amendment.target_id).in_(chunk))
            .order_by(col(Amendment.seq))
        )
        for amendment in session.exec(query):
            found[amendment.target_id].append(amendment)
    return found


def amended_view(*, session: Session, records: Sequence[R]) -> list[Amended[R]]:
    """The amended view of `records` (all of one table), in the order given."""
    if not records:
        return []
    by_id = amendments_of(
        session=session, record_type=type(records[0]), ids=[r.id for r in records]
    )
    return [apply(r, by_id.get(r.id, [])) for r in records]


def get_amended(
    *, session: Session, record_type: type[R], record_id: uuid.UUID
) -> Amended[R] | None:
    """One record in its amended view, None if there is no such row."""
    record = session.get(record_type, record_id)
    if record is None:
        return None
    return amended_view(session=session, records=[record])[0]
