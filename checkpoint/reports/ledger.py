"""The ledger (台账): one row per person screened over a range of local dates, as CSV or XLSX.

Rows are in the amended view (a corrected name is exported with its corrected value) and in log
order. Documents and phones are masked unless the full values are asked for (PIPL: show no more
than needed; a ledger file leaves the laptop). Rows stream from one read snapshot a chunk at a
time, with the amendments of each chunk, so a million screenings never sit in memory at once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields
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
from checkpoint.errors import ReportError
from checkpoint.locale import Language, translate
from checkpoint.store.engine import Store
from checkpoint.store.types import UTCDateTime

CHUNK: Final = 2000
"""People fetched and amended at a time."""


class LedgerFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One person screened, as the ledger lists it (labels in the ledger's language)."""

    time: datetime
    """Local time of the passage, naive (spreadsheets have no time zones)."""
    plate: str
    vehicle_type: str
    direction: str
    non_local: str
    name: str
    document_kind: str
    document: str
    phone: str
    origin: str
    destination: str
    temperature_c: float | None
    flagged: str
    disposition: str
    operator: str
    record_id: str


COLUMNS: Final[tuple[str, ...]] = tuple(f.name for f in fields(LedgerRow))
_WIDTHS: Final[tuple[int, ...]] = (20, 11, 9, 6, 8, 12, 14, 22, 15, 14, 14, 8, 8, 16, 10, 34)

# Person rows of the range in log order, with their vehicle, the first screening reading and
# the latest decision on a case. Scalar subqueries rather than joins: a person with two
# screening readings or two decisions is still one row.
_ROWS = """
    SELECT p.id, p.passage_id, v.passed_at, v.plate, v.vehicle_type, v.direction, v.non_local,
           v.destination AS vehicle_destination,
           p.name, p.document_kind, p.document_number, p.phone, p.origin, p.destination,
           p.operator,
           (SELECT r.value_c FROM reading r WHERE r.person_id = p.id AND r.purpose = 'screening'
             ORDER BY r.seq LIMIT 1) AS value_c,
           (SELECT r.flagged FROM reading r WHERE r.person_id = p.id AND r.purpose = 'screening'
             ORDER BY r.seq LIMIT 1) AS flagged,
           (SELECT c.disposition FROM case_event c WHERE c.person_id = p.id
               AND c.kind = 'decided' ORDER BY c.seq DESC LIMIT 1) AS disposition
    FROM vehicle_passage v JOIN person p ON p.passage_id = v.id
    WHERE v.passed_at >= :start AND v.passed_at < :end
    ORDER BY p.seq
"""


def period_of(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[from 00:00, day after `end` 00:00) in `zone`, as UTC: the dates are inclusive."""
    if end < start:
        raise ReportError.of("export.range_reversed", start=start, end=end)
    first = datetime.combine(start, time(0), zone).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return first, after


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
    first, after = period_of(start, end, zone)
    bind = UTCDateTime().process_bind_param
    params = {
        "start": bind(first, sa.engine.default.DefaultDialect()),
        "end": bind(after, sa.engine.default.DefaultDialect()),
    }
    with store.reading() as session:
        connection = session.connection()
        result = connection.execution_options(yield_per=CHUNK).execute(sa.text(_ROWS), params)
        for chunk in result.mappings().partitions(CHUNK):
            corrections = _amendments(connection, chunk)
            for found in chunk:
                yield _row(found, corrections, zone, language, full_documents)


def _amendments(
    connection: sa.Connection, chunk: Iterable[sa.RowMapping]
) -> dict[str, dict[str, Any]]:
    """Latest value of each amended field, by target id (people and passages of the chunk)."""
    targets = list({r["id"] for r in chunk} | {r["passage_id"] for r in chunk})
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


def _row(
    found: sa.RowMapping,
    corrections: dict[str, dict[str, Any]],
    zone: ZoneInfo,
    language: Language,
    full: bool,
) -> LedgerRow:
    person = {**found, **corrections.get(found["id"], {})}
    vehicle = {
        "passed_at": found["passed_at"],
        "plate": found["plate"],
        "vehicle_type": found["vehicle_type"],
        "direction": found["direction"],
        "non_local": found["non_local"],
        "destination": found["vehicle_destination"],
        **corrections.get(found["passage_id"], {}),
    }
    document = person["document_number"] or ""
    phone = person["phone"] or ""
    disposition = found["disposition"]
    value_c = found["value_c"]
    return LedgerRow(
        time=datetime.fromisoformat(vehicle["passed_at"]).astimezone(zone).replace(tzinfo=None),
        plate=vehicle["plate"] or "",
        vehicle_type=translate(f"vehicle_type.{vehicle['vehicle_type']}", language),
        direction=translate(f"direction.{vehicle['direction']}", language),
        non_local=_yes_no(vehicle["non_local"], language),
        name=person["name"] or "",
        document_kind=translate(f"ledger.document.{person['document_kind']}", language),
        document=document if full or not document else mask_document(document),
        phone=phone if full or not phone else mask_phone(phone),
        origin=place_name(person["origin"] or "", language),
        destination=person["destination"] or vehicle["destination"] or "",
        temperature_c=None if value_c is None else float(value_c),
        flagged=_yes_no(found["flagged"], language),
        disposition=""
        if disposition is None
        else translate(f"disposition.{disposition}", language),
        operator=person["operator"] or "",
        record_id=found["id"],
    )


def _yes_no(value: object, language: Language) -> str:
    return translate("ledger.yes" if value else "ledger.no", language)


def headers(language: Language) -> list[str]:
    """Column titles in `language`."""
    return [translate(f"ledger.col.{column}", language) for column in COLUMNS]


def write_ledger(
    rows: Iterable[LedgerRow], path: Path, *, format: LedgerFormat, language: Language
) -> int:
    """Write the rows to `path` (replaced in one step, readable by its owner only: the
    ledger holds personal data; a device or FIFO is written into, see `files.staged`);
    return the number of rows."""
    try:
        with files.staged(path) as temporary:
            if format is LedgerFormat.CSV:
                count = _write_csv(rows, temporary, language)
            else:
                count = _write_xlsx(rows, temporary, language)
    except OSError as error:
        raise ReportError.of(
            "export.write_failed", path=path, reason=error.strerror or error
        ) from error
    return count


def _write_csv(rows: Iterable[LedgerRow], path: Path, language: Language) -> int:
    count = 0
    # utf-8-sig: the byte-order mark makes Excel read the Chinese text as UTF-8.
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(headers(language))
        for row in rows:
            values = list(astuple(row))
            values[0] = row.time.isoformat(sep=" ", timespec="seconds")
            values[COLUMNS.index("temperature_c")] = (
                "" if row.temperature_c is None else f"{row.temperature_c:g}"
            )
            writer.writerow(values)
            count += 1
    return count


def _write_xlsx(rows: Iterable[LedgerRow], path: Path, language: Language) -> int:
    # Write-only mode streams rows to the file instead of building the sheet in memory.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(translate("ledger.sheet", language))
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(headers(language))
    count = 0
    for row in rows:
        moment = WriteOnlyCell(sheet, value=row.time)
        moment.number_format = "yyyy-mm-dd hh:mm:ss"
        sheet.append([moment, *astuple(row)[1:]])
        count += 1
    book.save(path)
    return count
