"""The ledger carries every field the lane collects, the person's own time, and turn-backs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from checkpoint.config import load_settings
from checkpoint.domain.plates import parse_plate
from checkpoint.domain.readings import parse_typed_temperature
from checkpoint.domain.risk_areas import RiskArea, RiskAreaList, RiskLevel
from checkpoint.domain.vocabulary import (
    Direction,
    Disposition,
    HealthCode,
    Instrument,
    Symptom,
    VehicleType,
)
from checkpoint.reports.ledger import LedgerRow, ledger_rows
from checkpoint.screening.desk import PersonEntry, ScreeningDesk, VehicleEntry
from checkpoint.screening.follow_up import FollowUp
from checkpoint.store.engine import Store, open_store
from tests.reports.test_ledger import DAY, SHANGHAI, Clock, local

WUHAN = RiskArea(name="武汉", aliases=(), level=RiskLevel.HIGH, effective_from=date(2026, 11, 1))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A bus that arrived at 23:58 the day before DAY, its passengers screened after
    midnight; a car turned back; a traveller whose every lane field is filled."""
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    opened = open_store(settings.storage.database)
    clock = Clock(local(DAY, 0) - timedelta(minutes=2))
    desk = ScreeningDesk(
        store=opened,
        settings=settings,
        clock=clock,
        risk_areas=RiskAreaList(source="test", areas=(WUHAN,)),
    )
    shift = desk.open_shift(leader="李强", operators=["王芳"])

    def reading(value: str) -> object:
        return parse_typed_temperature(
            value, instrument=Instrument.INFRARED_TYPED, taken_at=clock.now
        )

    bus = desk.start_passage(
        shift.id,
        VehicleEntry(VehicleType.BUS, parse_plate("鄂A12345"), direction=Direction.IN),
        operator="王芳",
    )
    clock.now = local(DAY, 0, 3)  # the third minute of DAY: the person's own time
    traveller = PersonEntry(
        name="赵六",
        origin="湖北武汉",
        route="武汉-孝感-本乡",
        arrival_at=local(DAY - timedelta(days=1), 18, 30),
        transport_no="G1234",
        destination="本乡三组",
        travel_reason="探亲",
        health_code=HealthCode.YELLOW,
        symptoms=frozenset({Symptom.COUGH}),
        contact_history=True,
        risk_area_travel=True,
    )
    desk.screen(shift.id, bus, traveller, reading("36.6"), operator="王芳")  # type: ignore[arg-type]
    clock.now = local(DAY, 0, 5)
    fever = desk.screen(
        shift.id,
        bus,
        PersonEntry(name="钱七"),
        reading("37.9"),
        operator="王芳",  # type: ignore[arg-type]
    )
    follow_up = FollowUp(store=opened, rule=desk.fever_rule, clock=clock)
    # Two follow-up answers: they add up.
    follow_up.record_history(
        fever.person_id,
        symptoms=frozenset({Symptom.DIARRHOEA}),
        risk_area_travel=False,
        contact=True,
        by="李强",
    )
    follow_up.record_history(
        fever.person_id,
        symptoms=frozenset({Symptom.FEVER}),
        risk_area_travel=False,
        contact=False,
        by="李强",
    )
    follow_up.decide(fever.person_id, Disposition.HELD_FOR_OBSERVATION, by="李强", note="医生意见")

    clock.now = local(DAY, 9)
    car = desk.start_passage(
        shift.id,
        VehicleEntry(VehicleType.CAR, parse_plate("京B54321"), direction=Direction.IN),
        operator="王芳",
    )
    desk.screen(shift.id, car, PersonEntry(name="孙八"), reading("36.5"), operator="王芳")  # type: ignore[arg-type]
    desk.turn_back(car, reason="无通行证明", by="李强")
    try:
        yield opened
    finally:
        opened.close()


def rows(store: Store, start: date, end: date, language: str = "zh-CN") -> list[LedgerRow]:
    return list(
        ledger_rows(store, start=start, end=end, zone=SHANGHAI, language=language)  # type: ignore[arg-type]
    )


def test_every_lane_field_is_exported(store: Store) -> None:
    zhao = rows(store, DAY, DAY)[0]
    assert zhao.name == "赵六"
    assert zhao.route == "武汉-孝感-本乡"
    assert zhao.arrival_at == datetime(2026, 11, 23, 18, 30)  # local, naive
    assert zhao.transport_no == "G1234"
    assert zhao.destination == "本乡三组"
    assert zhao.travel_reason == "探亲"
    assert zhao.health_code == "黄码"
    assert zhao.symptoms == "咳嗽"
    assert (zhao.risk_area_travel, zhao.risk_areas, zhao.contact_history) == ("是", "武汉", "是")
    english = rows(store, DAY, DAY, "en")[0]
    assert (english.health_code, english.symptoms, english.contact_history) == (
        "yellow",
        "cough",
        "yes",
    )


def test_the_person_is_dated_by_their_own_screening_not_the_vehicle(store: Store) -> None:
    # The bus arrived at 23:58 the day before; its people were screened after midnight.
    assert [r.name for r in rows(store, DAY - timedelta(days=1), DAY - timedelta(days=1))] == []
    zhao, qian = rows(store, DAY, DAY)[:2]
    assert zhao.time == datetime(2026, 11, 24, 0, 3)
    assert qian.time == datetime(2026, 11, 24, 0, 5)


def test_the_follow_up_history_and_decision_are_exported(store: Store) -> None:
    qian = rows(store, DAY, DAY)[1]
    assert qian.symptoms == "发热、腹泻"  # asked at the follow-up, not at the lane
    assert (qian.contact_history, qian.risk_area_travel) == ("是", "否")
    assert (qian.flagged, qian.disposition, qian.turned_back) == ("是", "留观", "否")


def test_a_turned_back_vehicle_is_exported_with_its_reason(store: Store) -> None:
    sun = rows(store, DAY, DAY)[2]
    assert (sun.name, sun.plate) == ("孙八", "京B54321")
    assert (sun.turned_back, sun.turn_back_reason, sun.disposition) == ("是", "无通行证明", "劝返")


def test_the_count_for_the_progress_bar_matches_the_rows(store: Store) -> None:
    from checkpoint.reports.ledger import ledger_count

    for start, end in ((DAY, DAY), (DAY - timedelta(days=1), DAY - timedelta(days=1))):
        assert ledger_count(store, start=start, end=end, zone=SHANGHAI) == len(
            rows(store, start, end)
        )


def test_a_corrected_temperature_is_exported_corrected(store: Store, tmp_path: Path) -> None:
    from checkpoint.screening.history import AmendField, History

    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    sun = rows(store, DAY, DAY)[2]
    assert (sun.temperature_c, sun.flagged) == (36.5, "否")
    history = History(store=store, settings=settings, clock=Clock(local(DAY, 10)))
    history.amend(
        uuid.UUID(hex=sun.record_id), AmendField.TEMPERATURE, "38.2", reason="看错", by="李强"
    )
    sun = rows(store, DAY, DAY)[2]
    assert (sun.temperature_c, sun.flagged) == (38.2, "是")


def test_a_question_nobody_asked_is_blank_not_no(store: Store, tmp_path: Path) -> None:
    """孙八 was screened in quick mode: contact and risk-area travel were never asked, so the
    ledger says nothing (CSV and XLSX alike), where an answered "no" says 否."""
    import csv

    import openpyxl

    from checkpoint.reports.ledger import COLUMNS, LedgerFormat, write_ledger

    sun = rows(store, DAY, DAY)[2]
    assert (sun.name, sun.contact_history, sun.risk_area_travel) == ("孙八", "", "")
    with store.reading() as session:
        stored = session.connection().exec_driver_sql(
            "SELECT risk_area_travel, contact_history FROM person WHERE name = '孙八'"
        )
        assert tuple(stored.one()) == (None, None)
    columns = [COLUMNS.index("contact_history"), COLUMNS.index("risk_area_travel")]
    path = tmp_path / "ledger.csv"
    write_ledger(rows(store, DAY, DAY), path, format=LedgerFormat.CSV, language="zh-CN")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        table = list(csv.reader(stream))
    assert [[line[c] for c in columns] for line in table[1:]] == [
        ["是", "是"],
        ["是", "否"],
        ["", ""],
    ]
    path = tmp_path / "ledger.xlsx"
    write_ledger(rows(store, DAY, DAY, "en"), path, format=LedgerFormat.XLSX, language="en")
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    cells = [list(values) for values in sheet.iter_rows(values_only=True)]
    assert [[line[c] for c in columns] for line in cells[1:]] == [
        ["yes", "yes"],
        ["yes", "no"],
        [None, None],
    ]
