"""History and corrections: people screened, newest first, and amendments of their details.

Pages are keyset pages over `person.seq` (the log order): the next page is "the newest rows
below this seq", so page 1,000 costs what page 1 costs, and a row written while someone pages
never shifts the pages or shows twice. Everything is in the amended view: a search finds a
person by the current value of a field (an amended name by its new value; the original value
no longer matches), and each row says which of its fields were corrected.

A correction is an `Amendment` row (the original stays as written, see `store/amendments.py`).
New values are checked by the same domain parsers the lane uses before anything is stored; a
corrected temperature goes through the lane's parser and the fever rule in force when the person
was screened, so a corrected value at or over the threshold is flagged (and opens a case) and the
reports count the corrected value.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from checkpoint.config import Settings
from checkpoint.domain.documents import (
    detect_document_kind,
    normalise_document_number,
    parse_document,
)
from checkpoint.domain.fever import FeverRule
from checkpoint.domain.phones import parse_phone
from checkpoint.domain.plates import normalise_plate, parse_plate
from checkpoint.domain.readings import parse_typed_temperature
from checkpoint.domain.text_limits import check_lengths
from checkpoint.domain.vocabulary import DocumentKind, Instrument, ReadingPurpose
from checkpoint.errors import ValidationError
from checkpoint.store import amendments
from checkpoint.store.amendments import Amended
from checkpoint.store.chain import append
from checkpoint.store.engine import Store
from checkpoint.store.models import (
    Amendment,
    CaseEvent,
    CaseEventFields,
    LogRecord,
    Person,
    Reading,
    VehiclePassage,
)

PAGE_SIZE = 50
_END = 2**62
"""A seq bound past every row: the newest page."""


class AmendField(StrEnum):
    """What can be corrected from the history list."""

    NAME = "name"
    DOCUMENT = "document"
    PHONE = "phone"
    ORIGIN = "origin"
    DESTINATION = "destination"
    PLATE = "plate"
    """The vehicle's plate: a correction shows on every occupant of that passage."""
    TEMPERATURE = "temperature"
    """The screening reading's value, misread or mistyped (a doubtful but rightly recorded
    value is measured again instead: a new reading, see the follow-up). The value, its ℃ form,
    rounding and flag are amended together."""


# Stored column behind each field; the document also has its kind (amended with it).
_COLUMNS: dict[AmendField, str] = {
    AmendField.NAME: "name",
    AmendField.DOCUMENT: "document_number",
    AmendField.PHONE: "phone",
    AmendField.ORIGIN: "origin",
    AmendField.DESTINATION: "destination",
    AmendField.PLATE: "plate",
    AmendField.TEMPERATURE: "value_c",
}
_READING_COLUMNS: tuple[str, ...] = (
    "value",
    "unit",
    "value_c",
    "site",
    "raw",
    "plausibility",
    "estimated_from_c",
    "ambient_c",
    "rounded_c",
    "flagged",
)
"""Columns of a reading a temperature correction may write: the value and what the parser and
the fever rule derive from it."""


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
    """Each field as text; the temperature as "38.1" (℃, one decimal), None without one."""
    corrections: tuple[Correction, ...]
    flagged: tuple[bool, bool] = (False, False)
    """Whether the screening reading was at or over the threshold: as written, as corrected."""

    @property
    def amended(self) -> frozenset[AmendField]:
        return frozenset(c.field for c in self.corrections)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def searchable(query: str) -> str:
    """`query` as text SQLite can hold: a terminal can hand over lone surrogates (bytes it could
    not decode), which UTF-8 cannot encode, and SQLite ends a bound text at NUL (which would
    then match everyone); each becomes U+FFFD and so matches nothing."""
    return _UNSTORABLE.sub("\ufffd", query)


def _like_part(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Person seqs matching a search, in the amended view: any contiguous part of a plate ("12345"
# finds 京A12345), of a document number or of a name. A part has no prefix for a B-tree to
# seek, so each branch scans a covering index (plate, document number, name: the short column
# alone, never the table), which costs a few milliseconds per 100,000 rows and reads only the
# matching rows after it. A part that cannot be in a column skips its scan (`:doc_ok`,
# `:name_ok` are constants SQLite tests before the loop): Chinese characters are never in a
# document number, a number alone is never a name. A value that was amended matches only
# through its latest amendment, never through the original column.
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
       AND json_extract(a.new_value, '$') LIKE :plate_part ESCAPE '\\'
    UNION
    SELECT p.seq FROM amendment a JOIN person p ON p.id = a.target_id
     WHERE a.target_table = 'person' AND a.field IN ('document_number', 'name') AND {_LATEST}
       AND ((a.field = 'document_number'
             AND json_extract(a.new_value, '$') LIKE :doc_part ESCAPE '\\')
         OR (a.field = 'name' AND json_extract(a.new_value, '$') LIKE :part ESCAPE '\\'))
"""
"""People whose corrected plate, document or name matches (from the few amendment rows)."""

_HITS = f"""
    SELECT p.seq FROM vehicle_passage v JOIN person p ON p.passage_id = v.id
     WHERE v.rowid IN (SELECT rowid FROM vehicle_passage
                        WHERE plate LIKE :plate_part ESCAPE '\\')
       AND {_NOT_AMENDED.format(target="v.id", field="plate")}
    UNION
    SELECT p.seq FROM person p
     WHERE :doc_ok
       AND p.rowid IN (SELECT rowid FROM person WHERE document_number LIKE :doc_part ESCAPE '\\')
       AND {_NOT_AMENDED.format(target="p.id", field="document_number")}
    UNION
    SELECT p.seq FROM person p
     WHERE :name_ok AND p.rowid IN (SELECT rowid FROM person WHERE name LIKE :part ESCAPE '\\')
       AND {_NOT_AMENDED.format(target="p.id", field="name")}
    UNION
    {_AMENDED_HITS}
"""

# The same test, one row at a time (for the window next to the bound): the row's original
# values, unless that field was corrected, or a corrected value (computed once per query).
_MATCHES = f"""
    AND ((v.plate LIKE :plate_part ESCAPE '\\'
          AND {_NOT_AMENDED.format(target="v.id", field="plate")})
      OR (p.document_number LIKE :doc_part ESCAPE '\\'
          AND {_NOT_AMENDED.format(target="p.id", field="document_number")})
      OR (p.name LIKE :part ESCAPE '\\'
          AND {_NOT_AMENDED.format(target="p.id", field="name")})
      OR p.seq IN ({_AMENDED_HITS}))
"""

_PAGE = """
    SELECT p.seq, p.id, p.passage_id, v.plate, v.passed_at, p.name, p.document_number,
           r.value_c, r.flagged, r.id
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


def search_params(query: str) -> dict[str, str | int]:
    """The bound values of a search (LIKE patterns): the part of a plate and of a document
    number, normalised as they are stored, and the part of a name as typed. A part that
    normalises to nothing matches nothing."""
    query = searchable(query)
    plate = normalise_plate(query) or "\x00"
    document = normalise_document_number(query) or "\x00"
    return {
        "plate_part": _like_part(plate),
        "doc_part": _like_part(document),
        "part": _like_part(query.strip()),
        "doc_ok": int(document.isascii() and document.isalnum()),
        "name_ok": int(not document.isdigit()),
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
        text = searchable(query).strip()
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
        targets = list({row[i] for row in found for i in (1, 2, 9) if row[i] is not None})
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
        for seq, person, passage, plate, passed_at, name, document, value_c, flag, read in found:
            of_person, of_passage = amended.get(person, {}), amended.get(passage, {})
            of_reading = amended.get(read, {}) if read else {}
            fields = {_field_of(c) for c in (*of_person, *of_passage, *of_reading)}
            rows.append(
                HistoryRow(
                    person_id=uuid.UUID(hex=person),
                    seq=seq,
                    plate=of_passage.get("plate", plate),
                    passed_at=datetime.fromisoformat(passed_at),
                    name=of_person.get("name", name),
                    document=of_person.get("document_number", document),
                    value_c=of_reading.get("value_c", value_c),
                    flagged=bool(of_reading.get("flagged", flag)),
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
        screening = _screening_reading(session, person_id)
        reading = (
            None
            if screening is None
            else amendments.amended_view(session=session, records=[screening])[0]
        )
        original = _values(person.original, passage.original, reading.original if reading else None)
        current = _values(person.record, passage.record, reading.record if reading else None)
        corrections = sorted(
            (*person.amendments, *passage.amendments, *(reading.amendments if reading else ())),
            key=lambda a: a.seq or 0,
        )
        return PersonRecord(
            person_id=person_id,
            passage_id=passage.record.id,
            passed_at=passage.record.passed_at,
            original=original,
            current=current,
            corrections=tuple(
                _correction(a) for a in corrections if _field_of(a.field) is not None
            ),
            flagged=(
                (reading.original.flagged, reading.record.flagged) if reading else (False, False)
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
        if field is AmendField.TEMPERATURE:
            return self._amend_temperature(person_id, text, reason=reason, by=by)
        changes = self._changes(field, text)
        _check_author(reason, by)
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

    def _amend_temperature(
        self, person_id: uuid.UUID, text: str, *, reason: str, by: str
    ) -> PersonRecord:
        """Correct the screening reading's value, parsed as the lane parses a typed value and
        judged by the fever rule with the threshold in force when it was taken. A corrected
        value at or over the threshold is flagged and, when the person has no case yet, opens
        one (the same rule as at the lane); a lower value never closes a case: a person decides
        (domain.md, rule 6)."""
        at = self.clock()
        with self.store.session() as session:
            row = _screening_reading(session, person_id)
            if row is None:
                if session.get(Person, person_id) is None:
                    raise KeyError(person_id)
                raise ValidationError.of("history.no_reading")
            parsed = parse_typed_temperature(
                text, instrument=Instrument.INFRARED_TYPED, taken_at=row.taken_at
            )
            _check_author(reason, by)
            assessment = FeverRule(Decimal(str(row.threshold_c))).assess(parsed)
            new: dict[str, Any] = {
                "value": parsed.value,
                "unit": parsed.unit,
                "value_c": parsed.value_c,
                "site": parsed.site,
                "raw": parsed.raw,
                "plausibility": parsed.plausibility,
                "estimated_from_c": None,
                "ambient_c": None,
                "rounded_c": None if assessment.rounded_c is None else float(assessment.rounded_c),
                "flagged": assessment.at_or_over,
            }
            current = amendments.amended_view(session=session, records=[row])[0].record
            if current.rounded_c == new["rounded_c"] and current.flagged == new["flagged"]:
                raise ValidationError.of("history.amend_unchanged")
            # The value first: the history lists a correction by it (`_COLUMNS`).
            for column in sorted(_READING_COLUMNS, key=lambda c: c != "value_c"):
                if getattr(current, column) != new[column]:
                    amendments.amend(
                        session=session,
                        record=row,
                        field=column,
                        new_value=new[column],
                        reason=reason,
                        by=by,
                        at=at,
                    )
            if assessment.at_or_over and not _has_case(session, person_id):
                append(
                    session,
                    CaseEventFields(
                        person_id=person_id,
                        kind="opened",
                        # The case belongs with the screening it comes from (its period).
                        at=row.taken_at,
                        by=by.strip(),
                        reading_id=row.id,
                        note=reason.strip(),  # why the value was corrected
                    ),
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
            check_lengths(origin=typed)
            return {"origin": typed}
        check_lengths(**{_COLUMNS[field]: typed})
        return {_COLUMNS[field]: typed or None}


def _check_author(reason: str, by: str) -> None:
    if not reason.strip():
        raise ValidationError.of("amendment.reason_required")
    if not by.strip():
        raise ValidationError.of("amendment.author_required")


def _screening_reading(session: Session, person_id: uuid.UUID) -> Reading | None:
    """The person's screening reading as written (one per person)."""
    query = (
        select(Reading)
        .where(Reading.person_id == person_id, Reading.purpose == ReadingPurpose.SCREENING)
        .order_by(col(Reading.seq))
    )
    return session.exec(query).first()


def _has_case(session: Session, person_id: uuid.UUID) -> bool:
    query = select(CaseEvent.id).where(CaseEvent.person_id == person_id, CaseEvent.kind == "opened")
    return session.exec(query).first() is not None


def _temperature(reading: Reading | None) -> str | None:
    if reading is None or reading.value_c is None:
        return None
    shown = reading.rounded_c if reading.rounded_c is not None else reading.value_c
    return f"{shown:.1f}"


def _values(
    person: Person, passage: VehiclePassage, reading: Reading | None
) -> dict[AmendField, str | None]:
    values: dict[AmendField, str | None] = {
        field: _text(getattr(passage if field is AmendField.PLATE else person, column))
        for field, column in _COLUMNS.items()
        if field is not AmendField.TEMPERATURE
    }
    values[AmendField.TEMPERATURE] = _temperature(reading)
    return values


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
    if field is AmendField.TEMPERATURE and isinstance(value, float):
        value = f"{value:.1f}"
    return Correction(
        field=field,
        value=None if value is None else str(value),
        reason=amendment.reason,
        by=amendment.amended_by,
        at=amendment.amended_at,
    )
