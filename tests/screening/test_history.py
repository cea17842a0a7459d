"""History pages, searches in the amended view, and corrections checked before they are stored."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checkpoint.config import load_settings
from checkpoint.domain.documents import parse_document
from checkpoint.domain.phones import parse_phone
from checkpoint.domain.plates import parse_plate
from checkpoint.domain.readings import Reading, parse_typed_temperature
from checkpoint.domain.vocabulary import Disposition, DocumentKind, Instrument, VehicleType
from checkpoint.errors import ValidationError
from checkpoint.reports.build import shift_report
from checkpoint.screening import history as history_module
from checkpoint.screening.desk import PersonEntry, ScreeningDesk, VehicleEntry
from checkpoint.screening.follow_up import FollowUp
from checkpoint.screening.history import AmendField, History, page_sql, search_params
from checkpoint.store.engine import open_store
from checkpoint.store.verify import walk

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
ID_3 = "11010519491231002X"


def typed(text: str) -> Reading:
    return parse_typed_temperature(text, instrument=Instrument.INFRARED_TYPED, taken_at=NOW)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[ScreeningDesk]:
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    store = open_store(tmp_path / "log.db")
    try:
        yield ScreeningDesk(store=store, settings=settings, clock=lambda: NOW)
    finally:
        store.close()


@pytest.fixture
def history(desk: ScreeningDesk) -> History:
    return History(store=desk.store, settings=desk.settings, clock=lambda: NOW)


def screen_people(desk: ScreeningDesk, count: int) -> list[uuid.UUID]:
    """`count` people, one car each (鄂A12340, 鄂A12341, …), named 乘客0, 乘客1, …"""
    shift = desk.open_shift(leader="李强", operators=["王芳"])
    people = []
    for i in range(count):
        plate = parse_plate(f"鄂A{12340 + i}")
        passage = desk.start_passage(
            shift.id, VehicleEntry(VehicleType.CAR, plate), operator="王芳"
        )
        document = parse_document(DocumentKind.RESIDENT_ID, ID_3) if i == 3 else None
        entry = PersonEntry(name=f"乘客{i}", document=document)
        people.append(
            desk.screen(shift.id, passage, entry, typed("36.5"), operator="王芳").person_id
        )
    return people


def test_keyset_pages_cover_every_row_once_both_ways(desk: ScreeningDesk, history: History) -> None:
    people = screen_people(desk, 23)
    pages = [history.page(limit=5)]
    assert pages[0].newer is False
    while pages[-1].older:
        last = pages[-1].last_seq
        assert last is not None
        pages.append(history.page(before=last, limit=5))
    seen = [row.person_id for page in pages for row in page.rows]
    assert seen == list(reversed(people))  # newest first, each exactly once
    assert [len(p.rows) for p in pages] == [5, 5, 5, 5, 3]
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        first = back.first_seq
        assert first is not None
        back = history.page(after=first, limit=5)
        assert back.rows == expected.rows
    assert back.newer is False and back.older is True


def test_a_row_written_while_paging_does_not_shift_the_pages(
    desk: ScreeningDesk, history: History
) -> None:
    screen_people(desk, 10)
    first = history.page(limit=4)
    screen_people(desk, 1)  # someone screened meanwhile
    assert first.last_seq is not None
    second = history.page(before=first.last_seq, limit=4)
    assert [r.name for r in second.rows] == ["乘客5", "乘客4", "乘客3", "乘客2"]


def test_search_by_plate_document_or_name(desk: ScreeningDesk, history: History) -> None:
    screen_people(desk, 7)
    assert [r.name for r in history.page("鄂a12342").rows] == ["乘客2"]  # any case
    assert [r.name for r in history.page("12342").rows] == ["乘客2"]  # any part of a plate
    assert [r.name for r in history.page("a 1234 2").rows] == ["乘客2"]  # typed with spaces
    assert [r.name for r in history.page("110105").rows] == ["乘客3"]  # document prefix
    assert [r.name for r in history.page("19491231").rows] == ["乘客3"]  # any part of it
    assert [r.name for r in history.page("002x").rows] == ["乘客3"]  # its end, any case
    assert [r.name for r in history.page("客5").rows] == ["乘客5"]  # part of a name
    assert [r.name for r in history.page("鄂A1234", limit=3).rows] == ["乘客6", "乘客5", "乘客4"]
    assert history.page("50%").rows == ()  # LIKE wildcards are text


def test_search_finds_amended_values_and_not_the_originals(
    desk: ScreeningDesk, history: History
) -> None:
    people = screen_people(desk, 5)
    history.amend(people[1], AmendField.NAME, "张三", reason="录错", by="李强")
    history.amend(people[2], AmendField.DOCUMENT, ID_3, reason="漏填", by="李强")
    history.amend(people[3], AmendField.DOCUMENT, "E12345678", reason="拿错证件", by="李强")
    history.amend(people[4], AmendField.PLATE, "粤B12345", reason="车牌看错", by="李强")
    assert [r.person_id for r in history.page("张三").rows] == [people[1]]
    assert history.page("乘客1").rows == ()  # the original no longer matches
    assert [r.person_id for r in history.page("110105").rows] == [people[2]]
    assert [r.person_id for r in history.page("e1234").rows] == [people[3]]
    assert [r.person_id for r in history.page("2345678").rows] == [people[3]]  # a part
    assert [r.person_id for r in history.page("粤B").rows] == [people[4]]
    assert [r.person_id for r in history.page("B123").rows] == [people[4]]  # a part
    # people[3]'s original document was amended away; people[2] has it now
    assert [r.person_id for r in history.page("31002X").rows] == [people[2]]
    assert history.page("鄂A12344").rows == ()
    # a second correction of the same field wins over the first
    history.amend(people[1], AmendField.NAME, "张山", reason="再次核对", by="李强")
    assert history.page("张三").rows == ()
    assert [r.name for r in history.page("张山").rows] == ["张山"]


def test_rows_show_the_amended_view_and_what_was_corrected(
    desk: ScreeningDesk, history: History
) -> None:
    people = screen_people(desk, 2)
    history.amend(people[0], AmendField.PLATE, "京A12345", reason="看错", by="李强")
    history.amend(people[0], AmendField.PHONE, "13812345678", reason="补录", by="李强")
    rows = history.page().rows
    assert rows[1].plate == "京A12345"
    assert rows[1].amended == {AmendField.PLATE, AmendField.PHONE}
    assert rows[0].amended == frozenset()
    record = history.person(people[0])
    assert record.original[AmendField.PLATE] == "鄂A12340"
    assert record.current[AmendField.PLATE] == "京A12345"
    assert record.original[AmendField.PHONE] is None
    assert record.current[AmendField.PHONE] == parse_phone("13812345678").e164
    assert [(c.field, c.reason, c.by) for c in record.corrections] == [
        (AmendField.PLATE, "看错", "李强"),
        (AmendField.PHONE, "补录", "李强"),
    ]


def test_corrections_are_checked_before_anything_is_stored(
    desk: ScreeningDesk, history: History
) -> None:
    (person,) = screen_people(desk, 1)
    cases = [
        (
            AmendField.DOCUMENT,
            "110105194912310021",
            "x",
            "李强",
            "document.resident_id.check_digit",
        ),
        (AmendField.PHONE, "12345", "x", "李强", "phone"),
        (AmendField.PLATE, "ABC", "x", "李强", "plate"),
        (AmendField.NAME, "张三", "  ", "李强", "amendment.reason_required"),
        (AmendField.NAME, "张三", "录错", "", "amendment.author_required"),
        (AmendField.NAME, "乘客0", "录错", "李强", "history.amend_unchanged"),
    ]
    for field, value, reason, by, code in cases:
        with pytest.raises(ValidationError) as caught:
            history.amend(person, field, value, reason=reason, by=by)
        assert caught.value.code.startswith(code), (field, caught.value.code)
    assert history.person(person).corrections == ()
    with desk.store.reading() as session:
        assert walk(session).ok


def test_a_document_correction_changes_its_kind_too_and_the_chain_holds(
    desk: ScreeningDesk, history: History
) -> None:
    people = screen_people(desk, 4)
    record = history.amend(people[3], AmendField.DOCUMENT, "E12345678", reason="x", by="李强")
    assert record.original[AmendField.DOCUMENT] == ID_3
    assert record.current[AmendField.DOCUMENT] == "E12345678"
    with desk.store.reading() as session:
        kinds = (
            session.connection().exec_driver_sql("SELECT field FROM amendment ORDER BY seq").all()
        )
        assert [k[0] for k in kinds] == ["document_kind", "document_number"]
        original = (
            session.connection()
            .exec_driver_sql("SELECT document_number FROM person WHERE id = ?", (people[3].hex,))
            .scalar_one()
        )
        assert original == ID_3  # the row as written
        assert walk(session).ok
    cleared = history.amend(people[3], AmendField.DOCUMENT, "", reason="非本人证件", by="李强")
    assert cleared.current[AmendField.DOCUMENT] is None


def test_a_search_past_its_window_asks_the_indexes_and_misses_nothing(
    desk: ScreeningDesk, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows beyond the window checked row by row come from the index search; paging both
    ways through a sparse search still gives every match exactly once."""
    monkeypatch.setattr(history_module, "WINDOW", 3)
    people = screen_people(desk, 20)
    history.amend(people[1], AmendField.NAME, "乘客X", reason="录错", by="李强")
    wanted = [p for i, p in enumerate(people) if i in (1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)]
    pages = [history.page("乘客1", limit=2)]  # 乘客1x and (amended away) not 乘客1 itself
    while pages[-1].older:
        last = pages[-1].last_seq
        assert last is not None
        pages.append(history.page("乘客1", before=last, limit=2))
    seen = [row.person_id for page in pages for row in page.rows]
    assert seen == list(reversed(wanted[1:]))
    assert [r.name for r in history.page("乘客X").rows] == ["乘客X"]
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        first = back.first_seq
        assert first is not None
        back = history.page("乘客1", after=first, limit=2)
        assert back.rows == expected.rows


def test_query_plans_use_indexes(desk: ScreeningDesk) -> None:
    """Pages walk the seq index; the index search reads plate, document, name and amendment
    indexes. The only scans: the covering plate, document and name indexes (a part has no
    prefix; the short column alone, never the table) and the amendment table (corrections are
    few)."""
    screen_people(desk, 3)
    db = sqlite3.connect(desk.store.path)
    try:
        for newer in (False, True):
            for search in ("", "window", "hits"):
                params: dict[str, object] = {"bound": 2, "edge": 1, "limit": 51}
                params.update(search_params("A123"))
                sql = page_sql(newer=newer, search=search)
                plan = [r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
                scans = [step for step in plan if step.startswith("SCAN ")]
                allowed = (
                    "SCAN person USING COVERING INDEX ix_person_name",
                    "SCAN person USING COVERING INDEX ix_person_document_number",
                    "SCAN vehicle_passage USING COVERING INDEX ix_vehicle_passage_plate",
                    "SCAN a",
                )
                assert all(step.startswith(allowed) for step in scans), plan
                assert any("USING INDEX sqlite_autoindex_person_2 (seq" in s for s in plan), plan
    finally:
        db.close()


def _follow_up(desk: ScreeningDesk) -> FollowUp:
    return FollowUp(store=desk.store, rule=desk.fever_rule, clock=lambda: NOW)


def test_a_corrected_temperature_at_the_threshold_is_flagged_opens_a_case_and_is_counted(
    desk: ScreeningDesk, history: History
) -> None:
    people = screen_people(desk, 2)
    before = shift_report(desk.store, desk.settings, None, now=LATER)  # the open shift
    assert (before.new.at_or_over, before.new.suspected) == (0, 0)
    # typed the way the lane accepts it ("37,3" from a Chinese keyboard), judged by the rule
    record = history.amend(people[1], AmendField.TEMPERATURE, "37,3", reason="看错", by="李强")
    assert record.original[AmendField.TEMPERATURE] == "36.5"  # the original kept beside it
    assert record.current[AmendField.TEMPERATURE] == "37.3"
    assert record.flagged == (False, True)
    assert [(c.field, c.value, c.reason) for c in record.corrections] == [
        (AmendField.TEMPERATURE, "37.3", "看错")
    ]
    row = history.page().rows[0]
    assert (row.value_c, row.flagged, row.amended) == (37.3, True, {AmendField.TEMPERATURE})
    # the case is in the observation queue, for a person to follow up and decide
    assert [view.person_id for view in _follow_up(desk).open_cases()] == [people[1]]
    after = shift_report(desk.store, desk.settings, None, now=LATER)
    assert (after.new.people, after.new.at_or_over, after.new.suspected) == (2, 1, 1)
    assert [c.person_id for c in after.cases] == [people[1]]
    assert after.cases[0].first_value_c == 37.3 and "fever" in after.cases[0].reasons
    assert after.shift_id is not None
    assert desk.counters(after.shift_id).flagged == 1
    with desk.store.reading() as session:
        value = (
            session.connection()
            .exec_driver_sql(
                "SELECT value, flagged FROM reading WHERE person_id = ?", (people[1].hex,)
            )
            .one()
        )
        assert tuple(value) == (36.5, 0)  # the row as written
        assert walk(session).ok


def test_a_temperature_corrected_down_is_counted_so_but_its_case_waits_for_a_decision(
    desk: ScreeningDesk, history: History
) -> None:
    shift = desk.open_shift(leader="李强", operators=["王芳"])
    passage = desk.start_passage(
        shift.id, VehicleEntry(VehicleType.CAR, parse_plate("鄂A12345")), operator="王芳"
    )
    person = desk.screen(shift.id, passage, PersonEntry(), typed("38.5"), operator="王芳").person_id
    history.amend(person, AmendField.TEMPERATURE, "36.5", reason="多按了一位", by="李强")
    report = shift_report(desk.store, desk.settings, shift.id, now=LATER)
    assert (report.new.at_or_over, report.new.suspected) == (0, 1)
    assert desk.counters(shift.id).flagged == 0
    (view,) = _follow_up(desk).open_cases()  # a lower value never closes a case by itself
    assert view.state.suspected
    _follow_up(desk).decide(view.person_id, Disposition.RELEASED, by="李强", note="录入错误")
    assert _follow_up(desk).open_cases() == []


def test_a_temperature_correction_is_checked_like_the_lane(
    desk: ScreeningDesk, history: History
) -> None:
    (person,) = screen_people(desk, 1)
    cases = [
        ("365", "reading.missing_decimal_point"),
        ("98", "reading.unit_needed"),
        ("abc", "reading.not_a_number"),
        ("36.5", "history.amend_unchanged"),
        ("", "reading.empty"),
    ]
    for value, code in cases:
        with pytest.raises(ValidationError) as caught:
            history.amend(person, AmendField.TEMPERATURE, value, reason="x", by="李强")
        assert caught.value.code == code, value
    with pytest.raises(ValidationError) as caught:
        history.amend(person, AmendField.TEMPERATURE, "38.0", reason=" ", by="李强")
    assert caught.value.code == "amendment.reason_required"
    assert history.person(person).corrections == ()
    # a Fahrenheit value with its unit is converted, as on the lane
    record = history.amend(person, AmendField.TEMPERATURE, "99.5F", reason="x", by="李强")
    assert record.current[AmendField.TEMPERATURE] == "37.5" and record.flagged == (False, True)
