"""History and corrections: people screened, newest first, and amendments of their details.

Pages are keyset pages over `person.seq` (the log order): the next page is "the newest rows
below this seq", so page 1,000 costs what page 1 costs, and a row written while someone pages
never shifts the pages or shows twice. Everything is in the amended view: a search finds a
person by the current value of a field (an amended name by its new value; the original value
no longer matches), and each row says which of its fields were corrected.

A correction is an `Amendment` row (the original stays as written, see `store/amendments.py`).
New values are checked by the same domain parsers the lane uses before anything is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from checkpoint.config import Settings
from checkpoint.domain.documents import (
    detect_document_kind,
    normalise_document_number,
    parse_document,
)
from checkpoint.domain.phones import parse_phone
from checkpoint.domain.plates import normalise_plate, parse_plate
from checkpoint.domain.vocabulary import DocumentKind
from checkpoint.errors import ValidationError
from checkpoint.store import amendments
from checkpoint.store.amendments import Amended
from checkpoint.store.engine import Store
from checkpoint.store.models import Amendment, LogRecord, Person, VehiclePassage

PAGE_SIZE = 50
_END = 2**62
"""A seq bound past every row: the newest page."""


class AmendField(StrEnum):
    """What can be corrected from the history list.

    A temperature is not among them: a reading is the instrument's record and is never
    corrected; a doubtful value is measured again (a new reading, see the follow-up).
    """

    NAME = "name"
    DOCUMENT = "document"
    PHONE = "phone"
    ORIGIN = "origin"
    DESTINATION = "destination"
    PLATE = "plate"
    """The vehicle's plate: a correction shows on every occupant of that passage."""


# Stored column behind each field; the document also has its kind (amended with it).
_COLUMNS: dict[AmendField, str] = {
    AmendField.NAME: "name",
    AmendField.DOCUMENT: "document_number",
    AmendField.PHONE: "phone",
    AmendField.ORIGIN: "origin",
    AmendField.DESTINATION: "destination",
    AmendField.PLATE: "plate",
}


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One person screened, as the history list shows it (amended view)."""

    person_id: uuid.UUID
    seq: int
    plate: str | None
    passed_at: datetime
    name: str | None
    document: str | None
    value_c: float | None
    flagged: bool
    amended: frozenset[AmendField] = frozenset()
    """Fields of this row shown with a correction."""


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """A page of rows, newest first, and whether there are rows on either side of it."""

    rows: tuple[HistoryRow, ...]
    older: bool
    """There are rows after the last one (PageDown has somewhere to go)."""
    newer: bool
    """There are rows before the first one (PageUp has somewhere to go)."""

    @property
    def first_seq(self) -> int | None:
        return self.rows[0].seq if self.rows else None

    @property
    def last_seq(self) -> int | None:
        return self.rows[-1].seq if self.rows else None


@dataclass(frozen=True, slots=True)
class Correction:
    """One amendment of a field, as the amend screen lists it."""

    field: AmendField
    value: str | None
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person's details, original and current, with the corrections made so far."""

    person_id: uuid.UUID
    passage_id: uuid.UUID
    passed_at: datetime
    original: dict[AmendField, str | None]
    current: dict[AmendField, str | None]
    corrections: tuple[Correction, ...]

    @property
    def amended(self) -> frozenset[AmendField]:
        return frozenset(c.field for c in self.corrections)


def _prefix_range(prefix: str) -> tuple[str, str]:
    """[low, high) of the strings starting with `prefix`, so a plain index can answer it
    (LIKE with a prefix uses an index only under case-insensitive collation)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _like_part(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Person seqs matching a search, in the amended view. Each branch is answered from an index
# (plate, document number, the covering name index, amendment target) so the cost follows the
# number of matches, not the size of the log. A value that was amended matches only through
# its latest amendment, never through the original column.
_LATEST = """
    a.seq = (SELECT max(b.seq) FROM amendment b
             WHERE b.target_id = a.target_id AND b.field = a.field)
"""
_NOT_AMENDED = """
    NOT EXISTS (SELECT 1 FROM amendment n WHERE n.target_id = {target} AND n.field = '{field}')
"""
_AMENDED_HITS = f"""
    SELECT p.seq FROM amendment a JOIN person p ON p.passage_id = a.target_id
     WHERE a.target_table = 'vehicle_passage' AND a.field = 'plate' AND {_LATEST}
       AND json_extract(a.new_value, '$') >= :plate_lo
       AND json_extract(a.new_value, '$') < :plate_hi
    UNION
    SELECT p.seq FROM amendment a JOIN person p ON p.id = a.target_id
     WHERE a.target_table = 'person' AND a.field IN ('document_number', 'name') AND {_LATEST}
       AND ((a.field = 'document_number'
             AND json_extract(a.new_value, '$') >= :doc_lo
             AND json_extract(a.new_value, '$') < :doc_hi)
         OR (a.field = 'name' AND json_extract(a.new_value, '$') LIKE :part ESCAPE '\\'))
"""
"""People whose corrected plate, document or name matches (from the few amendment rows)."""

_HITS = f"""
    SELECT p.seq FROM vehicle_passage v JOIN person p ON p.passage_id = v.id
     WHERE v.plate >= :plate_lo AND v.plate < :plate_hi
       AND {_NOT_AMENDED.format(target="v.id", field="plate")}
    UNION
    SELECT p.seq FROM person p
     WHERE p.document_number >= :doc_lo AND p.document_number < :doc_hi
       AND {_NOT_AMENDED.format(target="p.id", field="document_number")}
    UNION
    SELECT p.seq FROM person p
     WHERE p.rowid IN (SELECT rowid FROM person WHERE name LIKE :part ESCAPE '\\')
       AND {_NOT_AMENDED.format(target="p.id", field="name")}
    UNION
    {_AMENDED_HITS}
"""

# The same test, one row at a time (for the window next to the bound): the row's original
# values, unless that field was corrected, or a corrected value (computed once per query).
_MATCHES = f"""
    AND ((v.plate >= :plate_lo AND v.plate < :plate_hi
          AND {_NOT_AMENDED.format(target="v.id", field="plate")})
      OR (p.document_number >= :doc_lo AND p.document_number < :doc_hi
          AND {_NOT_AMENDED.format(target="p.id", field="document_number")})
      OR (p.name LIKE :part ESCAPE '\\'
          AND {_NOT_AMENDED.format(target="p.id", field="name")})
      OR p.seq IN ({_AMENDED_HITS}))
"""

_PAGE = """
    SELECT p.seq, p.id, p.passage_id, v.plate, v.passed_at, p.name, p.document_number,
           r.value_c, r.flagged
    FROM person p
    JOIN vehicle_passage v ON v.id = p.passage_id
    LEFT JOIN reading r ON r.person_id = p.id AND r.purpose = 'screening'
    WHERE {bound} {search}
    ORDER BY p.seq {order} LIMIT :limit
"""

WINDOW = 3000
"""People a search checks row by row, newest first, before it asks the indexes instead."""


def page_sql(*, newer: bool, search: str = "") -> str:
    """The SQL of one page: newest first below `:bound` (or oldest first above it, for the
    page before), optionally searched. Public for the benchmark and the query-plan test.

    `search="window"` tests each row of the seq range up to `:edge` (exclusive) against the
    search in the amended view: quick when matches are frequent, since the page fills early.
    `search="hits"` collects the matches from the indexes first: quick when they are rare.
    """
    bound = "p.seq > :bound" if newer else "p.seq < :bound"
    if search == "window":
        bound += " AND p.seq < :edge" if newer else " AND p.seq > :edge"
        where = _MATCHES
    elif search == "hits":
        where = f"AND p.seq IN ({_HITS})"
    else:
        where = ""
    return _PAGE.format(bound=bound, search=where, order="ASC" if newer else "DESC")


def search_params(query: str) -> dict[str, str]:
    """The bound values of a search: plate and document prefixes, normalised as stored, and
    the name part (LIKE pattern). A part that normalises to nothing matches no prefix."""
    plate = normalise_plate(query) or "\x00"
    document = normalise_document_number(query) or "\x00"
    plate_lo, plate_hi = _prefix_range(plate)
    doc_lo, doc_hi = _prefix_range(document)
    return {
        "plate_lo": plate_lo,
        "plate_hi": plate_hi,
        "doc_lo": doc_lo,
        "doc_hi": doc_hi,
        "part": _like_part(query.strip()),
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


@dataclass
class History:
    """The history list and corrections of one checkpoint's log."""

    store: Store
    settings: Settings
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def today(self) -> date:
        return self.clock().astimezone(self.settings.checkpoint.zone).date()

    # -- the list ---------------------------------------------------------------------------

    def page(
        self,
        query: str = "",
        *,
        before: int | None = None,
        after: int | None = None,
        limit: int = PAGE_SIZE,
    ) -> HistoryPage:
        """People screened, newest first, in the amended view.

        Without a bound, the newest page. `before=seq`: the page after a page whose last row
        has that seq (PageDown); `after=seq`: the page before a page whose first row has it
        (PageUp). `query` matches the start of a plate or of a document number, or part of a
        name, each in its current (amended) value.
        """
        newer = after is not None
        bound = after if after is not None else before if before is not None else _END
        text = query.strip()
        params: dict[str, object] = {"limit": limit + 1, "bound": bound}
        with self.store.reading() as session:
            connection = session.connection()
            if not text:
                found = list(connection.execute(sa.text(page_sql(newer=newer)), params).all())
            else:
                params.update(search_params(text))
                found = self._search(connection, params, newer=newer)
            more = len(found) > limit
            found = found[:limit]
            if newer:
                found.reverse()
            rows = self._rows(connection, found)
        if newer:
            return HistoryPage(rows, older=True, newer=more)
        return HistoryPage(rows, older=more, newer=bound != _END)

    def _search(
        self, connection: sa.Connection, params: dict[str, object], *, newer: bool
    ) -> list[Any]:
        # First the WINDOW people next to the bound, row by row: a frequent match (a plate
        # prefix, a surname) fills the page there. Only when it does not are the matches
        # collected from the indexes, below that window: they are rare by then.
        direction = (">", "ASC") if newer else ("<", "DESC")
        edge_sql = (
            "SELECT seq FROM person WHERE seq {} :bound ORDER BY seq {} LIMIT 1 OFFSET :window"
        )
        edge_sql = edge_sql.format(*direction)
        edge = connection.execute(
            sa.text(edge_sql), {"bound": params["bound"], "window": WINDOW}
        ).scalar()
        window = {**params, "edge": (_END if newer else 0) if edge is None else edge}
        found = list(connection.execute(sa.text(page_sql(newer=newer, search="window")), window))
        wanted = int(str(params["limit"]))
        if len(found) >= wanted or edge is None:
            return found
        rest = {**params, "limit": wanted - len(found)}
        # The edge row itself was outside the window (exclusive): include it.
        rest["bound"] = edge - 1 if newer else edge + 1
        found += connection.execute(sa.text(page_sql(newer=newer, search="hits")), rest)
        return found

    def _rows(self, connection: sa.Connection, found: list[Any]) -> tuple[HistoryRow, ...]:
        """Rows for the screen, with the amendments of their people and passages applied."""
        if not found:
            return ()
        targets = list({row[1] for row in found} | {row[2] for row in found})
        marks = ", ".join(f":t{i}" for i in range(len(targets)))
        corrections = connection.execute(
            sa.text(
                "SELECT target_id, field, json_extract(new_value, '$') FROM amendment "
                f"WHERE target_id IN ({marks}) ORDER BY seq"
            ),
            {f"t{i}": target for i, target in enumerate(targets)},
        ).all()
        amended: dict[str, dict[str, Any]] = {}
        for target, column, value in corrections:
            amended.setdefault(target, {})[column] = value
        rows = []
        for seq, person, passage, plate, passed_at, name, document, value_c, flagged in found:
            of_person, of_passage = amended.get(person, {}), amended.get(passage, {})
            fields = {_field_of(c) for c in (*of_person, *of_passage)}
            rows.append(
                HistoryRow(
                    person_id=uuid.UUID(hex=person),
                    seq=seq,
                    plate=of_passage.get("plate", plate),
                    passed_at=datetime.fromisoformat(passed_at),
                    name=of_person.get("name", name),
                    document=of_person.get("document_number", document),
                    value_c=value_c,
                    flagged=bool(flagged),
                    amended=frozenset(f for f in fields if f is not None),
                )
            )
        return tuple(rows)

    # -- one person and its corrections -----------------------------------------------------

    def person(self, person_id: uuid.UUID) -> PersonRecord:
        """The person's details as written and as corrected, with every correction."""
        with self.store.reading() as session:
            return self._person(session, person_id)

    def _person(self, session: Session, person_id: uuid.UUID) -> PersonRecord:
        person = amendments.get_amended(session=session, record_type=Person, record_id=person_id)
        if person is None:
            raise KeyError(person_id)
        passage = amendments.get_amended(
            session=session, record_type=VehiclePassage, record_id=person.record.passage_id
        )
        assert passage is not None
        original = _values(person.original, passage.original)
        current = _values(person.record, passage.record)
        corrections = sorted((*person.amendments, *passage.amendments), key=lambda a: a.seq or 0)
        return PersonRecord(
            person_id=person_id,
            passage_id=passage.record.id,
            passed_at=passage.record.passed_at,
            original=original,
            current=current,
            corrections=tuple(
                _correction(a) for a in corrections if _field_of(a.field) is not None
            ),
        )

    def amend(
        self, person_id: uuid.UUID, field: AmendField, text: str, *, reason: str, by: str
    ) -> PersonRecord:
        """Correct one field of a person (or of their vehicle's plate); the original stays.

        The new value is checked as the lane checks it (document with its check digit, phone,
        plate); an empty value clears a name, document, phone or destination. A reason and
        who corrects are required. Nothing is stored unless everything is valid.
        """
        changes = self._changes(field, text)
        if not reason.strip():
            raise ValidationError.of("amendment.reason_required")
        if not by.strip():
            raise ValidationError.of("amendment.author_required")
        at = self.clock()
        with self.store.session() as session:
            person = session.get(Person, person_id)
            if person is None:
                raise KeyError(person_id)
            target: LogRecord = person
            if field is AmendField.PLATE:
                passage = session.get(VehiclePassage, person.passage_id)
                assert passage is not None
                target = passage
            current = amendments.amended_view(session=session, records=[target])[0].record
            changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
            if not changed:
                raise ValidationError.of("history.amend_unchanged")
            for column, value in changed.items():
                amendments.amend(
                    session=session,
                    record=target,
                    field=column,
                    new_value=value,
                    reason=reason,
                    by=by,
                    at=at,
                )
        return self.person(person_id)

    def _changes(self, field: AmendField, text: str) -> dict[str, Any]:
        """The stored columns and values a correction writes, after the domain's checks."""
        typed = text.strip()
        if field is AmendField.DOCUMENT:
            if not typed:
                return {"document_kind": DocumentKind.NONE, "document_number": None}
            kind = detect_document_kind(typed) or DocumentKind.PASSPORT
            document = parse_document(kind, typed, today=self.today())
            return {"document_kind": document.kind, "document_number": document.number}
        if field is AmendField.PHONE:
            return {"phone": parse_phone(typed).e164 if typed else None}
        if field is AmendField.PLATE:
            return {"plate": parse_plate(typed).text}
        if field is AmendField.ORIGIN:
            return {"origin": typed}
        return {_COLUMNS[field]: typed or None}


def _values(person: Person, passage: VehiclePassage) -> dict[AmendField, str | None]:
    return {
        field: _text(getattr(passage if field is AmendField.PLATE else person, column))
        for field, column in _COLUMNS.items()
    }


def _field_of(column: str) -> AmendField | None:
    for field, name in _COLUMNS.items():
        if name == column:
            return field
    return None


def _fields(amended: Amended[Any]) -> frozenset[AmendField]:
    return frozenset(field for field in map(_field_of, amended.changed_fields) if field is not None)


def _correction(amendment: Amendment) -> Correction:
    field = _field_of(amendment.field)
    assert field is not None
    value = amendment.new_value
    return Correction(
        field=field,
        value=None if value is None else str(value),
        reason=amendment.reason,
        by=amendment.amended_by,
        at=amendment.amended_at,
    )
