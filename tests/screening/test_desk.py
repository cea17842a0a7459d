"""The desk writes what the volunteer did, opens cases by the rule, and resumes open shifts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checkpoint.config import load_settings
from checkpoint.domain.plates import parse_plate
from checkpoint.domain.readings import Reading, parse_typed_temperature
from checkpoint.domain.risk_areas import parse_risk_area_list
from checkpoint.domain.vocabulary import Direction, Instrument, Symptom, VehicleType
from checkpoint.screening.desk import PersonEntry, ScreeningDesk, VehicleEntry
from checkpoint.store.engine import open_store
from checkpoint.store.verify import walk

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
RISK = '[[area]]\nname = "湖北省武汉市"\naliases = ["武汉"]\nlevel = "high"\nfrom = 2026-11-01\n'


def typed(text: str) -> Reading:
    return parse_typed_temperature(text, instrument=Instrument.INFRARED_TYPED, taken_at=NOW)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[ScreeningDesk]:
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    store = open_store(tmp_path / "log.db")
    try:
        yield ScreeningDesk(
            store=store,
            settings=settings,
            risk_areas=parse_risk_area_list(RISK, source="t"),
            clock=lambda: NOW,
        )
    finally:
        store.close()


def test_a_shift_a_car_and_its_people(desk: ScreeningDesk) -> None:
    shift = desk.open_shift(
        leader="李强",
        operators=["王芳"],
        staff_readings=[("王芳", typed("36.4")), ("李强", typed("37.4"))],
    )
    passage = desk.start_passage(
        shift.id,
        VehicleEntry(VehicleType.CAR, parse_plate("鄂A12345"), Direction.IN, True, "武汉", ""),
        operator="王芳",
    )
    normal = desk.screen(shift.id, passage, PersonEntry(), typed("36.6"), operator="王芳")
    fever = desk.screen(shift.id, passage, PersonEntry(), typed("37.25"), operator="王芳")
    from_risk = desk.screen(
        shift.id, passage, PersonEntry(origin="湖北武汉市"), typed("36.5"), operator="王芳"
    )
    coughing = desk.screen(
        shift.id,
        passage,
        PersonEntry(symptoms=frozenset({Symptom.COUGH})),
        typed("36.5"),
        operator="王芳",
    )
    assert not normal.case_opened
    assert fever.case_opened and fever.reasons == ("fever",)
    assert from_risk.case_opened and from_risk.risk_areas == ("湖北省武汉市",)
    assert coughing.case_opened and coughing.reasons == ("symptoms",)
    counters = desk.counters(shift.id)
    assert (counters.people, counters.vehicles, counters.flagged) == (4, 1, 1)
    assert (counters.inbound, counters.non_local, counters.open_cases) == (1, 1, 3)
    with desk.store.reading() as session:
        assert walk(session).ok


def test_an_open_shift_is_resumed_and_a_closed_one_is_not(desk: ScreeningDesk) -> None:
    assert desk.resume_shift() is None
    shift = desk.open_shift(leader="李强", operators=["王芳"])
    resumed = desk.resume_shift()
    assert resumed is not None and resumed.id == shift.id and resumed.resumed
    desk.close_shift(shift.id, leader="李强", note="交接：无异常")
    assert desk.resume_shift() is None


def test_any_symptom_opens_a_case_as_the_domain_rule_says(desk: ScreeningDesk) -> None:
    shift = desk.open_shift(leader="李强", operators=["王芳"])
    passage = desk.start_passage(shift.id, VehicleEntry(VehicleType.CAR, None), operator="王芳")
    tired = desk.screen(
        shift.id,
        passage,
        PersonEntry(symptoms=frozenset({Symptom.FATIGUE})),
        typed("36.5"),
        operator="王芳",
    )
    both = desk.screen(
        shift.id, passage, PersonEntry(contact_history=True), typed("37.6"), operator="王芳"
    )
    assert tired.case_opened and tired.reasons == ("symptoms",)
    assert both.reasons == ("fever", "contact")


def test_full_mode_refuses_a_person_missing_required_fields(desk: ScreeningDesk) -> None:
    from checkpoint.domain.vocabulary import EntryMode
    from checkpoint.errors import ValidationError

    shift = desk.open_shift(leader="李强", operators=["王芳"])
    passage = desk.start_passage(shift.id, VehicleEntry(VehicleType.CAR, None), operator="王芳")
    assert desk.required_fields[:3] == ("name", "phone", "origin")  # road, the default kind
    with pytest.raises(ValidationError) as refused:
        desk.screen(
            shift.id,
            passage,
            PersonEntry(name="张三", symptoms=frozenset()),
            typed("36.5"),
            operator="王芳",
            mode=EntryMode.FULL,
        )
    message_zh, _ = refused.value.text("zh-CN")
    message_en, _ = refused.value.text("en")
    assert "电话、来自、接触史、14天内中高风险地区旅居史、目的地" in message_zh
    assert "phone, from, contact history, risk-area travel (14 days), destination" in message_en
    with desk.store.reading() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM person").scalar() == 0
    # "no" answers count as asked; a declared risk-area stay opens a case even with no match
    result = desk.screen(
        shift.id,
        passage,
        PersonEntry(
            name="张三",
            phone=None,
            origin="孝感",
            destination="云梦",
            symptoms=frozenset(),
            contact_history=False,
            risk_area_travel=True,
        ),
        typed("36.5"),
        operator="王芳",
        mode=EntryMode.QUICK,
    )
    assert result.case_opened and result.reasons == ("risk-area-travel",)


def test_a_question_nobody_asked_is_stored_as_null_not_no(desk: ScreeningDesk) -> None:
    """Quick mode never asks contact or risk-area travel: NULL, not false. A full-mode "no" is
    false; a risk-area match from the origin is true whatever was asked."""
    from checkpoint.domain.phones import parse_phone
    from checkpoint.domain.vocabulary import EntryMode

    shift = desk.open_shift(leader="李强", operators=["王芳"])
    passage = desk.start_passage(shift.id, VehicleEntry(VehicleType.CAR, None), operator="王芳")
    desk.screen(shift.id, passage, PersonEntry(name="快"), typed("36.5"), operator="王芳")
    desk.screen(
        shift.id,
        passage,
        PersonEntry(
            name="全",
            phone=parse_phone("13812345678"),
            origin="孝感",
            destination="云梦",
            symptoms=frozenset(),
            contact_history=False,
            risk_area_travel=False,
        ),
        typed("36.5"),
        operator="王芳",
        mode=EntryMode.FULL,
    )
    desk.screen(
        shift.id, passage, PersonEntry(name="汉", origin="武汉"), typed("36.5"), operator="王芳"
    )
    with desk.store.reading() as session:
        stored = session.connection().exec_driver_sql(
            "SELECT name, risk_area_travel, contact_history FROM person ORDER BY seq"
        )
        assert [tuple(row) for row in stored] == [
            ("快", None, None),
            ("全", 0, 0),
            ("汉", 1, None),
        ]
        assert walk(session).ok


def test_answered_tells_an_unasked_question_from_a_no() -> None:
    person = PersonEntry(contact_history=False, symptoms=None, route="  ")
    assert person.answered("contact_history")
    assert not person.answered("symptoms")
    assert not person.answered("route")
    assert person.missing(("route", "contact_history", "symptoms")) == ("route", "symptoms")


def test_the_shifts_own_report_counts_the_staff_self_checks(tmp_path: Path) -> None:
    """Staff readings are taken on the form, a moment before it is sent: the shift opens with
    the first of them, so its report counts them (it showed 0 new, 1 cumulative)."""
    from datetime import timedelta

    from checkpoint.reports.build import shift_report

    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    store = open_store(tmp_path / "shift.db")
    try:
        sent = NOW + timedelta(seconds=30)
        desk = ScreeningDesk(store=store, settings=settings, clock=lambda: sent)
        shift = desk.open_shift(
            leader="李强", operators=["王芳"], staff_readings=[("王芳", typed("36.4"))]
        )
        assert shift.opened_at == NOW  # the self-check's time
        report = shift_report(store, settings, shift.id, now=sent + timedelta(minutes=5))
        assert (report.new.staff_checks, report.cumulative.staff_checks) == (1, 1)
    finally:
        store.close()
