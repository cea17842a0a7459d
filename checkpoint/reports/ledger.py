"""The ledger (台账): one row per person screened over a range of local dates, as CSV or XLSX.

A row carries every field the lane collects (route, arrival time, train/coach number,
destination, reason, health code, symptoms, risk-area and contact history), the person's own
time (when they were screened, not when their vehicle arrived: a bus unloads over minutes), the
case's disposition and whether the vehicle was turned back (劝返) and why.

Rows are in the amended view (a corrected name is exported with its corrected value) and in log
order. Documents and phones are masked unless the full values are asked for (PIPL: show no more
than needed; a ledger file leaves the laptop). Rows stream from one read snapshot a chunk at a
time, with the amendments of each chunk, so a million screenings never sit in memory at once.
Cells are made safe for spreadsheets by `cells.py`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from checkpoint import files
from checkpoint.domain.masking import mask_document, mask_phone
from checkpoint.domain.plates import place_name
from checkpoint.domain.vocabulary import Symptom
from checkpoint.errors import ReportError
from checkpoint.locale import Language, translate
from checkpoint.reports.cells import csv_text, xlsx_text
from checkpoint.store.engine import Store
from checkpoint.store.types import UTCDateTime

CHUNK: Final = 2000
"""People fetched and amended at a time."""

SLACK: Final = timedelta(days=1)
"""How long before the range a vehicle may have arrived with someone screened in the range
(found through the index on the vehicle's time, then kept by the person's own time)."""


class LedgerFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One person screened, as the ledger lists it (labels in the ledger's language)."""

    time: datetime
    """Local time the person was screened, naive (spreadsheets have no time zones)."""
    plate: str
    vehicle_type: str
    direction: str
    non_local: str
    name: str
    document_kind: str
    document: str
    phone: str
    origin: str
    route: str
    arrival_at: datetime | None
    """来乡时间, local and naive like `time`."""
    transport_no: str
    destination: str
    travel_reason: str
    health_code: str
    symptoms: str
    risk_area_travel: str
    risk_areas: str
    """The risk areas the origin or route matched when the person was screened."""
    contact_history: str
    temperature_c: float | None
    flagged: str
    disposition: str
    """The case's latest decision; "turned back" for a person whose vehicle was turned back
    without a case decision."""
    turned_back: str
    turn_back_reason: str
    operator: str
    record_id: str


COLUMNS: Final[tuple[str, ...]] = tuple(f.name for f in fields(LedgerRow))
TEXT_COLUMNS: Final = frozenset(COLUMNS) - {"time", "arrival_at", "temperature_c"}
"""Columns that hold text (a spreadsheet must never read them as a number or a formula)."""
WIDTHS: Final[dict[str, int]] = {
    "time": 20,
    "plate": 11,
    "vehicle_type": 9,
    "direction": 6,
    "non_local": 8,
    "name": 12,
    "document_kind": 14,
    "document": 22,
    "phone": 16,
    "origin": 14,
    "route": 24,
    "arrival_at": 20,
    "transport_no": 10,
    "destination": 14,
    "travel_reason": 16,
    "health_code": 10,
    "symptoms": 16,
    "risk_area_travel": 8,
    "risk_areas": 20,
    "contact_history": 8,
    "temperature_c": 8,
    "flagged": 8,
    "disposition": 16,
    "turned_back": 8,
    "turn_back_reason": 20,
    "operator": 10,
    "record_id": 34,
}

# Person rows of the range in log order, with their vehicle, the first screening reading, the
# latest decision on a case and the vehicle's turn-back. Scalar
# subqueries rather than joins: a person with two screening readings or two decisions is still
# one row. The vehicle's indexed time narrows the search; the person's own time decides.
_ROWS = """
    SELECT * FROM (
    SELECT p.id, p.passage_id, p.created_at, v.passed_at, v.plate, v.vehicle_type, v.direction,
           v.non_local, v.destination AS vehicle_destination,
           p.name, p.document_kind, p.document_number, p.phone, p.origin, p.route, p.arrival_at,
           p.transport_no, p.destination, p.travel_reason, p.health_code, p.symptoms,
           p.risk_area_travel, p.risk_area_matches, p.contact_history, p.operator,
           (SELECT r.value_c FROM reading r WHERE r.person_id = p.id AND r.purpose = 'screening'
             ORDER BY r.seq LIMIT 1) AS value_c,
           (SELECT r.flagged FROM reading r WHERE r.person_id = p.id AND r.purpose = 'screening'
             ORDER BY r.seq LIMIT 1) AS flagged,
           (SELECT r.taken_at FROM reading r WHERE r.person_id = p.id AND r.purpose = 'screening'
             ORDER BY r.seq LIMIT 1) AS screened_at,
           (SELECT r.id FROM reading r WHERE r.person_id = p.id AND r.purpose = 'screening'
             ORDER BY r.seq LIMIT 1) AS reading_id,
           (SELECT c.disposition FROM case_event c WHERE c.person_id = p.id
               AND c.kind = 'decided' ORDER BY c.seq DESC LIMIT 1) AS disposition,
           (SELECT t.reason FROM turn_back t WHERE t.passage_id = v.id
               ORDER BY t.seq DESC LIMIT 1) AS turn_back_reason
    FROM vehicle_passage v JOIN person p ON p.passage_id = v.id
    WHERE v.passed_at >= :search AND v.passed_at < :end
    ORDER BY p.seq
    ) WHERE coalesce(screened_at, created_at) >= :start
        AND coalesce(screened_at, created_at) < :end
"""

_HISTORY = """
    SELECT person_id, symptoms, risk_area_travel, contact_history FROM case_event
    WHERE kind = 'history' AND person_id IN ({marks})
"""


@dataclass(frozen=True, slots=True)
class _History:
    """What the follow-ups of a case asked, added up (a later answer never withdraws one)."""

    symptoms: frozenset[str] = frozenset()
    risk_area_travel: bool | None = None
    contact_history: bool | None = None
    """None: no follow-up asked it."""


def period_of(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[from 00:00, day after `end` 00:00) in `zone`, as UTC: the dates are inclusive."""
    if end < start:
        raise ReportError.of("export.range_reversed", start=start, end=end)
    first = datetime.combine(start, time(0), zone).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return first, after


def _bounds(start: date, end: date, zone: ZoneInfo) -> dict[str, Any]:
    first, after = period_of(start, end, zone)
    bind = UTCDateTime().process_bind_param
    dialect = sa.engine.default.DefaultDialect()
    return {
        "start": bind(first, dialect),
        "end": bind(after, dialect),
        "search": bind(first - SLACK, dialect),
    }


def ledger_count(store: Store, *, start: date, end: date, zone: ZoneInfo) -> int:
    """How many rows `ledger_rows` gives for the range (to show the progress of an export)."""
    with store.reading() as session:
        counted = session.connection().execute(
            sa.text(f"SELECT count(*) FROM ({_ROWS})"), _bounds(start, end, zone)
        )
        return int(counted.scalar_one())


def ledger_rows(
    store: Store,
    *,
    start: date,
    end: date,
    zone: ZoneInfo,
    language: Language,
    full_documents: bool = False,
) -> Iterator[LedgerRow]:
    """People screened from `start` to `end` (local dates, inclusive), in log order."""
    params = _bounds(start, end, zone)
    with store.reading() as session:
        connection = session.connection()
        result = connection.execution_options(yield_per=CHUNK).execute(sa.text(_ROWS), params)
        for chunk in result.mappings().partitions(CHUNK):
            corrections = _amendments(connection, chunk)
            histories = _histories(connection, chunk)
            for found in chunk:
                yield _row(found, corrections, histories, zone, language, full_documents)


def _amendments(
    connection: sa.Connection, chunk: Iterable[sa.RowMapping]
) -> dict[str, dict[str, Any]]:
    """Latest value of each amended field, by target id (the chunk's people, passages and
    screening readings: a misread temperature is corrected on its reading)."""
    targets = list(
        {r["id"] for r in chunk}
        | {r["passage_id"] for r in chunk}
        | {r["reading_id"] for r in chunk if r["reading_id"] is not None}
    )
    found: dict[str, dict[str, Any]] = {}
    # At most 500 bound parameters a statement: SQLite's limit is lower on old builds.
    for begin in range(0, len(targets), 500):
        part = targets[begin : begin + 500]
        marks = ", ".join(f":t{i}" for i in range(len(part)))
        rows = connection.execute(
            sa.text(
                "SELECT target_id, field, json_extract(new_value, '$') FROM amendment "
                f"WHERE target_id IN ({marks}) ORDER BY seq"
            ),
            {f"t{i}": target for i, target in enumerate(part)},
        )
        for target, field, value in rows:
            found.setdefault(target, {})[field] = value
    return found


def _histories(connection: sa.Connection, chunk: Iterable[sa.RowMapping]) -> dict[str, _History]:
    """The follow-up answers of the chunk's people who have a case, by person id."""
    wanted = [r["id"] for r in chunk]  # a case may open from the lane's answers, not only a fever
    found: dict[str, _History] = {}
    for begin in range(0, len(wanted), 500):
        part = wanted[begin : begin + 500]
        marks = ", ".join(f":h{i}" for i in range(len(part)))
        rows = connection.execute(
            sa.text(_HISTORY.format(marks=marks)), {f"h{i}": h for i, h in enumerate(part)}
        )
        for person_id, symptoms, risk_area_travel, contact_history in rows:
            before = found.get(person_id, _History())
            found[person_id] = _History(
                before.symptoms | frozenset(map(str, _json_list(symptoms))),
                _either(before.risk_area_travel, risk_area_travel),
                _either(before.contact_history, contact_history),
            )
    return found


def _row(
    found: sa.RowMapping,
    corrections: dict[str, dict[str, Any]],
    histories: dict[str, _History],
    zone: ZoneInfo,
    language: Language,
    full: bool,
) -> LedgerRow:
    person = {**found, **corrections.get(found["id"], {})}
    vehicle = {
        "plate": found["plate"],
        "vehicle_type": found["vehicle_type"],
        "direction": found["direction"],
        "non_local": found["non_local"],
        "destination": found["vehicle_destination"],
        **corrections.get(found["passage_id"], {}),
    }
    # What the follow-up asked adds to what was declared at the lane.
    history = histories.get(found["id"], _History())
    symptoms = set(map(str, _json_list(person["symptoms"]))) | history.symptoms
    risk_area_travel = _either(person["risk_area_travel"], history.risk_area_travel)
    contact_history = _either(person["contact_history"], history.contact_history)
    document = person["document_number"] or ""
    phone = person["phone"] or ""
    disposition = found["disposition"]
    turned_back = found["turn_back_reason"] is not None
    if disposition is None and turned_back:
        disposition = "turned-back"
    reading = {
        "value_c": found["value_c"],
        "flagged": found["flagged"],
        **corrections.get(found["reading_id"], {}),
    }
    value_c = reading["value_c"]
    health_code = person["health_code"]
    return LedgerRow(
        time=_local(found["screened_at"] or found["created_at"], zone),
        plate=vehicle["plate"] or "",
        vehicle_type=translate(f"vehicle_type.{vehicle['vehicle_type']}", language),
        direction=translate(f"direction.{vehicle['direction']}", language),
        non_local=_yes_no(vehicle["non_local"], language),
        name=person["name"] or "",
        document_kind=translate(f"ledger.document.{person['document_kind']}", language),
        document=document if full or not document else mask_document(document),
        phone=phone if full or not phone else mask_phone(phone),
        origin=place_name(person["origin"] or "", language),
        route=person["route"] or "",
        arrival_at=None if person["arrival_at"] is None else _local(person["arrival_at"], zone),
        transport_no=person["transport_no"] or "",
        destination=person["destination"] or vehicle["destination"] or "",
        travel_reason=person["travel_reason"] or "",
        health_code=""
        if health_code is None
        else translate(f"health_code.{health_code}", language),
        symptoms=_joined(
            [translate(f"symptom.{s}", language) for s in Symptom if s.value in symptoms],
            language,
        ),
        risk_area_travel=_answer(risk_area_travel, language),
        risk_areas=_joined(
            [place_name(str(area), language) for area in _json_list(person["risk_area_matches"])],
            language,
        ),
        contact_history=_answer(contact_history, language),
        temperature_c=None if value_c is None else float(value_c),
        flagged=_yes_no(reading["flagged"], language),
        disposition=""
        if disposition is None
        else translate(f"disposition.{disposition}", language),
        turned_back=_yes_no(turned_back, language),
        turn_back_reason=found["turn_back_reason"] or "",
        operator=person["operator"] or "",
        record_id=found["id"],
    )


def _local(stored: str, zone: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).replace(tzinfo=None)


def _json_list(stored: object) -> list[Any]:
    """A JSON column's list, from its stored text (or an amendment's extracted value)."""
    if isinstance(stored, list):
        return stored
    if not isinstance(stored, str) or not stored:
        return []
    try:
        value = json.loads(stored)
    except ValueError:
        return [stored]
    return value if isinstance(value, list) else [value]


def _joined(items: list[str], language: Language) -> str:
    return ("、" if language == "zh-CN" else ", ").join(items)


def _yes_no(value: object, language: Language) -> str:
    return translate("ledger.yes" if value else "ledger.no", language)


def _answer(value: object, language: Language) -> str:
    """Yes or no as answered; blank for a question nobody asked (NULL), never "no"."""
    return "" if value is None else _yes_no(value, language)


def _either(first: object, second: object) -> bool | None:
    """Two answers to one question added up: yes if either is yes, None if neither was asked."""
    if first is None and second is None:
        return None
    return bool(first) or bool(second)


def headers(language: Language) -> list[str]:
    """Column titles in `language`."""
    return [translate(f"ledger.col.{column}", language) for column in COLUMNS]


SHEET_ROWS: Final = 1_048_576
"""Rows of an XLSX sheet (Excel's and LibreOffice's limit), its header included."""
PROGRESS_EVERY: Final = 1000
"""Rows written between two calls of an export's progress callback."""

Progress = Callable[[int], None]
"""Told the number of rows written so far, now and then during an export."""


def write_ledger(
    rows: Iterable[LedgerRow],
    path: Path,
    *,
    format: LedgerFormat,
    language: Language,
    sheet_rows: int = SHEET_ROWS,
    progress: Progress | None = None,
) -> int:
    """Write the rows to `path` (replaced in one step, readable by its owner only: the
    ledger holds personal data; a device or FIFO is written into, see `files.staged`);
    return the number of rows.

    An XLSX ledger continues on a new sheet, with the header again, once a sheet holds
    `sheet_rows` rows."""
    try:
        with files.staged(path) as temporary:
            if format is LedgerFormat.CSV:
                count = _write_csv(rows, temporary, language, progress)
            else:
                count = _write_xlsx(rows, temporary, language, sheet_rows, progress)
    except OSError as error:
        raise ReportError.of(
            "export.write_failed", path=path, reason=error.strerror or error
        ) from error
    return count


def _moment(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(sep=" ", timespec="seconds")


def _temperature(value: float | None) -> str:
    """At least the tenth a thermometer shows (37.0, never 37), more only if it was typed."""
    if value is None:
        return ""
    return f"{value:.1f}" if round(value, 1) == value else f"{value:g}"


def _csv_values(row: LedgerRow) -> list[str]:
    values: list[str] = []
    for column in COLUMNS:
        value = getattr(row, column)
        if column in TEXT_COLUMNS:
            values.append(csv_text(value))
        elif column == "temperature_c":
            values.append(_temperature(value))
        else:
            values.append(_moment(value))
    return values


def _write_csv(
    rows: Iterable[LedgerRow], path: Path, language: Language, progress: Progress | None
) -> int:
    count = 0
    # utf-8-sig: the byte-order mark makes Excel read the Chinese text as UTF-8.
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([csv_text(title) for title in headers(language)])
        for row in rows:
            writer.writerow(_csv_values(row))
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    if progress is not None:
        progress(count)
    return count


def _xlsx_values(sheet: Any, row: LedgerRow) -> list[Any]:
    values: list[Any] = []
    for column in COLUMNS:
        value = getattr(row, column)
        if column in TEXT_COLUMNS:
            # Typed as text: openpyxl would otherwise store "=…" as a formula.
            cell = WriteOnlyCell(sheet, value=xlsx_text(value))
            cell.data_type = "s"
            values.append(cell)
        elif isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
            values.append(cell)
        else:
            values.append(value)
    return values


def _new_sheet(book: Workbook, language: Language, number: int) -> Any:
    title = translate("ledger.sheet", language)
    sheet = book.create_sheet(title if number == 1 else f"{title} ({number})")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[column]
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_text(title) for title in headers(language)])
    return sheet


def _write_xlsx(
    rows: Iterable[LedgerRow],
    path: Path,
    language: Language,
    sheet_rows: int,
    progress: Progress | None,
) -> int:
    if sheet_rows < 2:
        raise ValueError("a sheet holds its header and at least one row")
    # Write-only mode streams rows to the file instead of building the sheet in memory.
    book = Workbook(write_only=True)
    sheets = 1
    sheet = _new_sheet(book, language, sheets)
    count = on_sheet = 0
    for row in rows:
        if on_sheet == sheet_rows - 1:  # the header takes the first row of each sheet
            sheets += 1
            sheet, on_sheet = _new_sheet(book, language, sheets), 0
        sheet.append(_xlsx_values(sheet, row))
        count += 1
        on_sheet += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    book.save(path)
    if progress is not None:
        progress(count)
    return count
