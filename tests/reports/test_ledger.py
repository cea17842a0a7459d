"""The ledger: CSV and XLSX read back equal to the log's rows, in the amended view, masked."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from checkpoint.config import Settings, load_settings
from checkpoint.domain.documents import parse_document
from checkpoint.domain.phones import parse_phone
from checkpoint.domain.plates import parse_plate
from checkpoint.domain.readings import parse_typed_temperature
from checkpoint.domain.vocabulary import (
    Direction,
    Disposition,
    DocumentKind,
    Instrument,
    VehicleType,
)
from checkpoint.errors import ReportError
from checkpoint.reports.cells import csv_text
from checkpoint.reports.ledger import (
    COLUMNS,
    TEXT_COLUMNS,
    LedgerFormat,
    LedgerRow,
    headers,
    ledger_rows,
    period_of,
    write_ledger,
)
from checkpoint.screening.desk import PersonEntry, ScreeningDesk, VehicleEntry
from checkpoint.screening.follow_up import FollowUp
from checkpoint.screening.history import AmendField, History
from checkpoint.store.engine import Store, open_store

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 24)
ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Log:
    store: Store
    settings: Settings
    people: dict[str, uuid.UUID]


def build_log(home: Path) -> Log:
    """Screenings around the report day 2026-11-24 (Asia/Shanghai), one corrected, one fever."""
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(home)}).settings
    store = open_store(settings.storage.database)
    clock = Clock(local(DAY, 8))
    desk = ScreeningDesk(store=store, settings=settings, clock=clock)
    shift = desk.open_shift(leader="李强", operators=["王芳"])
    people: dict[str, uuid.UUID] = {}

    def screen(
        at: datetime,
        name: str,
        value: str,
        *,
        plate: str = "鄂K12345",
        direction: Direction = Direction.IN,
        with_details: bool = False,
    ) -> None:
        clock.now = at
        passage = desk.start_passage(
            shift.id,
            VehicleEntry(
                VehicleType.CAR,
                parse_plate(plate),
                direction=direction,
                non_local=not plate.startswith("鄂"),
                destination="孝感",
            ),
            operator="王芳",
        )
        entry = PersonEntry(
            name=name,
            document=parse_document(DocumentKind.RESIDENT_ID, ID_NUMBER) if with_details else None,
            phone=parse_phone(MOBILE) if with_details else None,
            origin="湖北武汉",
        )
        reading = parse_typed_temperature(value, instrument=Instrument.INFRARED_TYPED, taken_at=at)
        people[name] = desk.screen(shift.id, passage, entry, reading, operator="王芳").person_id

    screen(local(DAY, 0) - timedelta(minutes=1), "前一天", "36.5")  # 23:59 the day before
    screen(local(DAY, 0), "午夜", "36.4")  # 00:00 is the first moment of the day
    screen(local(DAY, 9, 30), "张三", "36.6", plate="粤B12345", with_details=True)
    screen(local(DAY, 15), "发热者", "37.8", direction=Direction.OUT)
    screen(local(DAY + timedelta(days=1), 23, 59), "次日", "36.7")
    screen(local(DAY + timedelta(days=2), 0), "两天后", "36.8")
    clock.now = local(DAY, 16)
    history = History(store=store, settings=settings, clock=clock)
    history.amend(people["午夜"], AmendField.NAME, "王五", reason="录错", by="李强")
    follow_up = FollowUp(store=store, rule=desk.fever_rule, clock=clock)
    follow_up.decide(people["发热者"], Disposition.REFERRED_FEVER_CLINIC, by="李强")
    return Log(store, settings, people)


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Log]:
    built = build_log(tmp_path)
    try:
        yield built
    finally:
        built.store.close()


def rows(log: Log, start: date, end: date, *, full: bool = False) -> list[LedgerRow]:
    return list(
        ledger_rows(
            log.store, start=start, end=end, zone=SHANGHAI, language="zh-CN", full_documents=full
        )
    )


def test_the_range_is_local_dates_inclusive(log: Log) -> None:
    assert [r.name for r in rows(log, DAY, DAY)] == ["王五", "张三", "发热者"]
    two_days = rows(log, DAY, DAY + timedelta(days=1))
    assert [r.name for r in two_days] == ["王五", "张三", "发热者", "次日"]
    assert two_days[-1].time == datetime(2026, 11, 25, 23, 59)  # local, naive
    assert rows(log, date(2026, 1, 1), date(2026, 1, 31)) == []


def test_rows_carry_every_column_in_the_amended_view(log: Log) -> None:
    midnight, zhang, fever = rows(log, DAY, DAY)
    assert midnight.name == "王五"  # the correction, not 午夜
    assert midnight.record_id == log.people["午夜"].hex
    assert midnight.time == datetime(2026, 11, 24, 0, 0)
    assert (zhang.plate, zhang.vehicle_type, zhang.direction, zhang.non_local) == (
        "粤B12345",
        "小客车",
        "进",
        "是",
    )
    assert (zhang.document_kind, zhang.origin, zhang.destination) == (
        "居民身份证",
        "湖北武汉",
        "孝感",
    )
    assert (zhang.temperature_c, zhang.flagged, zhang.disposition) == (36.6, "否", "")
    assert zhang.operator == "王芳"
    assert (fever.temperature_c, fever.flagged, fever.direction) == (37.8, "是", "出")
    assert fever.disposition == "转发热门诊 / 120"
    assert midnight.document == "" and midnight.document_kind == "无"


def test_documents_and_phones_are_masked_unless_full(log: Log) -> None:
    zhang = rows(log, DAY, DAY)[1]
    assert zhang.document == "110105********002X"
    assert zhang.phone == "138****5678"
    full = rows(log, DAY, DAY, full=True)[1]
    assert full.document == ID_NUMBER
    assert full.phone == "+86" + MOBILE


def test_a_reversed_range_is_refused() -> None:
    with pytest.raises(ReportError) as raised:
        period_of(date(2026, 11, 24), date(2026, 11, 23), SHANGHAI)
    assert raised.value.code == "export.range_reversed"
    assert "--from" in raised.value.hint


def expected_cells(row: LedgerRow) -> list[object]:
    return [getattr(row, column) for column in COLUMNS]


def test_csv_reads_back_equal_to_the_rows(log: Log, tmp_path: Path) -> None:
    source = rows(log, DAY, DAY + timedelta(days=1), full=True)
    path = tmp_path / "ledger.csv"
    count = write_ledger(iter(source), path, format=LedgerFormat.CSV, language="zh-CN")
    assert count == len(source) == 4
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    assert path.stat().st_mode & 0o077 == 0
    with path.open(encoding="utf-8-sig", newline="") as stream:
        table = list(csv.reader(stream))
    assert table[0] == headers("zh-CN")
    assert table[0][COLUMNS.index("temperature_c")] == "体温 ℃"
    for written, row in zip(table[1:], source, strict=True):
        read = dict(zip(COLUMNS, written, strict=True))
        assert datetime.fromisoformat(read.pop("time")) == row.time
        temperature = read.pop("temperature_c")
        assert (float(temperature) if temperature else None) == row.temperature_c
        arrival = read.pop("arrival_at")
        assert (datetime.fromisoformat(arrival) if arrival else None) == row.arrival_at
        assert read == {c: csv_text(getattr(row, c)) for c in TEXT_COLUMNS}


def test_xlsx_reads_back_equal_to_the_rows(log: Log, tmp_path: Path) -> None:
    source = rows(log, DAY, DAY + timedelta(days=1))
    path = tmp_path / "ledger.xlsx"
    assert write_ledger(iter(source), path, format=LedgerFormat.XLSX, language="en") == 4
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    table = [list(values) for values in sheet.iter_rows(values_only=True)]
    assert table[0] == headers("en")
    for written, row in zip(table[1:], source, strict=True):
        expected = [value if value != "" else None for value in expected_cells(row)]
        assert written == expected
    assert table[1][COLUMNS.index("name")] == "王五"


def test_rows_stream_in_chunks(log: Log, monkeypatch: pytest.MonkeyPatch) -> None:
    from checkpoint.reports import ledger

    monkeypatch.setattr(ledger, "CHUNK", 2)  # amendments are looked up chunk by chunk
    assert [r.name for r in rows(log, DAY, DAY + timedelta(days=1))] == [
        "王五",
        "张三",
        "发热者",
        "次日",
    ]
