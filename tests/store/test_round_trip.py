"""Records come back as written: types, times in UTC, enums, JSON, and the amended view."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, timedelta, timezone

import pytest
from sqlmodel import col, select

from checkpoint.domain.vocabulary import PersonRole, Site, Symptom
from checkpoint.errors import StoreError, ValidationError
from checkpoint.store import records
from checkpoint.store.amendments import amend, get_amended
from checkpoint.store.models import Amendment, Person, Reading
from checkpoint.store.verify import walk
from tests.store.conftest import NOW, Scene, make_person, make_reading


def test_a_screening_round_trips_with_its_types(scene: Scene) -> None:
    person, reading = scene.screen("张三", 37.25)
    with scene.store.reading() as session:
        stored = session.get(Person, person.id)
        stored_reading = session.get(Reading, reading.id)
    assert stored is not None and stored_reading is not None
    assert stored.name == "张三"
    assert stored.role is PersonRole.PASSENGER
    assert stored.symptoms == [Symptom.COUGH.value]
    assert stored_reading.site is Site.BODY
    assert stored_reading.value == 37.25
    assert stored_reading.taken_at == NOW
    assert stored_reading.taken_at.tzinfo is not None
    assert stored.created_at is not None and stored.created_at.utcoffset() == timedelta(0)
    assert stored_reading.seq == stored.seq + 1  # type: ignore[operator]


def test_ids_are_time_ordered_uuid7(scene: Scene) -> None:
    first, _ = scene.screen("甲")
    second, _ = scene.screen("乙")
    assert first.id.version == 7
    assert first.id < second.id


def test_local_times_are_stored_as_utc(scene: Scene) -> None:
    beijing = timezone(timedelta(hours=8))
    person = make_person(scene.passage, "丙")
    reading = make_reading(scene.shift, person, 36.5)
    reading = reading.model_copy(update={"taken_at": NOW.astimezone(beijing)})
    with scene.store.session() as session:
        records.record_screening(session=session, person=person, reading=reading)
    raw = sqlite3.connect(scene.store.path).execute(
        "SELECT taken_at FROM reading WHERE id = ?", (reading.id.hex,)
    )
    assert raw.fetchone()[0] == "2026-11-24T04:30:12.123456+00:00"


def test_a_failed_unit_of_work_leaves_nothing(scene: Scene) -> None:
    person = make_person(scene.passage, "丁")
    # A reading of a shift that does not exist: the foreign key fails on the second insert.
    orphan = make_reading(scene.shift, person, 36.5).model_copy(update={"shift_id": uuid.uuid4()})
    with pytest.raises(StoreError), scene.store.session() as session:
        records.record_screening(session=session, person=person, reading=orphan)
    with scene.store.reading() as session:
        assert session.get(Person, person.id) is None
        assert walk(session).ok


def test_amendment_keeps_the_original(scene: Scene) -> None:
    person, _ = scene.screen("张三")
    with scene.store.reading() as session:
        stored = session.get(Person, person.id)
    assert stored is not None
    with scene.store.session() as session:
        amend(
            session=session, record=stored, field="name", new_value="张山", reason="录错", by="李强"
        )
    with scene.store.reading() as session:
        view = get_amended(session=session, record_type=Person, record_id=person.id)
        original = session.get(Person, person.id)
        amendments = list(session.exec(select(Amendment).order_by(col(Amendment.seq))))
        assert walk(session).ok
    assert view is not None and original is not None
    assert view.record.name == "张山"
    assert view.original.name == "张三"
    assert original.name == "张三"
    assert view.changed_fields == {"name"}
    assert [(a.field, a.new_value, a.reason, a.amended_by) for a in amendments] == [
        ("name", "张山", "录错", "李强")
    ]


def test_amendments_apply_in_log_order_and_decode_types(scene: Scene) -> None:
    _, reading = scene.screen("戊", 38.0)
    with scene.store.reading() as session:
        stored = session.get(Reading, reading.id)
    assert stored is not None
    with scene.store.session() as session:
        amend(
            session=session,
            record=stored,
            field="site",
            new_value=Site.OBJECT,
            reason="面温",
            by="李强",
        )
        amend(session=session, record=stored, field="value", new_value=37, reason="a", by="李强")
        amend(session=session, record=stored, field="value", new_value=36.9, reason="b", by="李强")
    with scene.store.reading() as session:
        view = get_amended(session=session, record_type=Reading, record_id=reading.id)
    assert view is not None
    assert view.record.site is Site.OBJECT
    assert view.record.value == 36.9
    assert view.original.value == 38.0


@pytest.mark.parametrize(
    ("field", "reason", "by", "code"),
    [
        ("seq", "x", "李强", "amendment.field"),
        ("hash", "x", "李强", "amendment.field"),
        ("id", "x", "李强", "amendment.field"),
        ("no_such_field", "x", "李强", "amendment.field"),
        ("name", "  ", "李强", "amendment.reason_required"),
        ("name", "x", "", "amendment.author_required"),
    ],
)
def test_bad_amendments_are_refused(
    scene: Scene, field: str, reason: str, by: str, code: str
) -> None:
    person, _ = scene.screen("己")
    with scene.store.reading() as session:
        stored = session.get(Person, person.id)
    assert stored is not None
    with pytest.raises(ValidationError) as caught, scene.store.session() as session:
        amend(session=session, record=stored, field=field, new_value="x", reason=reason, by=by)
    assert caught.value.code == code
    assert caught.value.hint


def test_units_of_work_from_several_threads_keep_one_chain(scene: Scene) -> None:
    errors: list[BaseException] = []

    def worker(prefix: str) -> None:
        try:
            for i in range(40):
                scene.screen(f"{prefix}{i}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(p,)) for p in "ABC"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with scene.store.reading() as session:
        report = walk(session)
        assert report.ok, report.problem
        assert report.rows == 3 + 3 * 40 * 2
        assert records.log_size(session=session) == report.rows


def test_open_shift_is_found_until_closed(scene: Scene) -> None:
    with scene.store.reading() as session:
        assert [
            s.id for s in records.open_shifts(session=session, checkpoint_id=scene.site.id)
        ] == [scene.shift.id]


def test_times_read_back_are_aware() -> None:
    from checkpoint.store.types import UTCDateTime

    column_type = UTCDateTime()
    value = column_type.process_result_value("2026-01-01T00:00:00.000000+00:00", None)  # type: ignore[arg-type]
    assert value is not None and value.tzinfo is not None
    with pytest.raises(ValueError, match="naive"):
        column_type.process_bind_param(NOW.replace(tzinfo=None), None)  # type: ignore[arg-type]
    assert column_type.process_bind_param(NOW, None) == NOW.astimezone(UTC).isoformat(  # type: ignore[arg-type]
        timespec="microseconds"
    )


def test_a_typed_fever_reading_is_stored_as_the_rule_judged_it(scene: Scene) -> None:
    from decimal import Decimal

    from checkpoint.domain.fever import FeverRule
    from checkpoint.domain.readings import parse_typed_temperature
    from checkpoint.domain.vocabulary import Instrument, ReadingPurpose

    person = make_person(scene.passage, "庚")
    reading = parse_typed_temperature("37.25", instrument=Instrument.INFRARED_TYPED, taken_at=NOW)
    assessment = FeverRule(Decimal("37.3")).assess(reading)
    row = records.reading_fields(
        reading,
        assessment,
        purpose=ReadingPurpose.SCREENING,
        shift_id=scene.shift.id,
        operator="王芳",
        person_id=person.id,
    )
    with scene.store.session() as session:
        records.record_screening(session=session, person=person, reading=row)
    with scene.store.reading() as session:
        [stored] = records.readings_of(session=session, person_id=person.id)
    assert stored.raw == "37.25"
    assert stored.value == 37.25
    assert stored.rounded_c == 37.3
    assert stored.threshold_c == 37.3
    assert stored.flagged is True
    assert stored.instrument is Instrument.INFRARED_TYPED
