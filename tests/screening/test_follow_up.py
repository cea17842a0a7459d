"""A fever case followed through the steps the rules ask for, stored and replayed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checkpoint.config import load_settings
from checkpoint.domain.cases import NextStep
from checkpoint.domain.readings import Reading, parse_typed_temperature
from checkpoint.domain.vocabulary import CaseStage, Disposition, Instrument, Symptom, VehicleType
from checkpoint.errors import ValidationError
from checkpoint.screening.desk import PersonEntry, ScreeningDesk, VehicleEntry
from checkpoint.screening.follow_up import REST_OVERRIDE, Answers, FollowUp
from checkpoint.store.engine import open_store
from checkpoint.store.verify import walk

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def typed(text: str, instrument: Instrument = Instrument.INFRARED_TYPED) -> Reading:
    return parse_typed_temperature(text, instrument=instrument, taken_at=NOW)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[ScreeningDesk]:
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    store = open_store(tmp_path / "log.db")
    yield ScreeningDesk(store=store, settings=settings, clock=lambda: NOW)
    store.close()


def _fever(desk: ScreeningDesk, value: str = "38.2") -> tuple[FollowUp, uuid.UUID]:
    shift = desk.open_shift(leader="Li", operators=["Wang"])
    passage = desk.start_passage(shift.id, VehicleEntry(VehicleType.CAR, None), operator="Wang")
    result = desk.screen(shift.id, passage, PersonEntry(), typed(value), operator="Wang")
    return FollowUp(
        store=desk.store, rule=desk.fever_rule, clock=lambda: NOW + timedelta(minutes=12)
    ), result.person_id


def test_a_fever_goes_through_every_step_to_the_fever_clinic(desk: ScreeningDesk) -> None:
    follow, person = _fever(desk)
    view = follow.case(person)
    assert view.state.stage is CaseStage.SUSPECTED and view.next_steps[0] is NextStep.TAKE_ASIDE
    with pytest.raises(ValidationError):
        follow.remeasure(person, typed("38.0"), by="Wang")  # not aside yet
    follow.take_aside(person, by="Wang")
    view = follow.remeasure(person, typed("37.9"), by="Wang")
    assert NextStep.AXILLARY in view.next_steps
    view = follow.axillary(person, typed("37.8", Instrument.AXILLARY_TYPED), by="Dr Zhao")
    assert view.state.confirmed_fever
    assert view.state.recommended == (Disposition.REFERRED_FEVER_CLINIC,)
    view = follow.decide(person, Disposition.REFERRED_FEVER_CLINIC, by="Li")
    assert not view.state.open and view.state.decided_by == "Li"
    assert follow.open_cases() == []
    assert [r.purpose.value for r in view.readings] == ["screening", "remeasure", "axillary"]
    with desk.store.reading() as session:
        assert walk(session).ok


def test_a_lower_remeasurement_never_closes_the_case_by_itself(desk: ScreeningDesk) -> None:
    follow, person = _fever(desk, "37.5")
    follow.take_aside(person, by="Wang")
    view = follow.remeasure(person, typed("36.6"), by="Wang")
    assert view.state.open
    assert [c.person_id for c in follow.open_cases()] == [person]
    view = follow.record_history(
        person,
        symptoms=frozenset({Symptom.COUGH}),
        risk_area_travel=False,
        contact=False,
        by="Wang",
    )
    assert view.state.treat_as_suspected_case
    with pytest.raises(ValidationError):
        follow.decide(person, Disposition.RELEASED, by="Li")  # needs a note
    view = follow.decide(person, Disposition.RELEASED, by="Li", note="doctor saw a cold")
    assert view.state.disposition is Disposition.RELEASED


def test_answers_given_with_the_decision_are_stored_with_it_and_checked(
    desk: ScreeningDesk,
) -> None:
    follow, person = _fever(desk, "37.5")
    follow.take_aside(person, by="Wang")
    follow.remeasure(person, typed("36.6"), by="Wang")
    cough = Answers(symptoms=frozenset({Symptom.COUGH}))
    with pytest.raises(ValidationError):  # a cough makes "released" need a note
        follow.decide(person, Disposition.RELEASED, by="Li", answers=cough)
    assert follow.case(person).state.symptoms == frozenset()  # neither step was stored
    view = follow.decide(person, Disposition.REFERRED_FEVER_CLINIC, by="Li", answers=cough)
    assert view.state.symptoms == {Symptom.COUGH} and not view.state.open
    with desk.store.reading() as session:
        kinds = session.connection().exec_driver_sql(
            "SELECT kind, symptoms FROM case_event ORDER BY seq"
        )
        assert [tuple(r) for r in kinds][-2:] == [("history", '["cough"]'), ("decided", "[]")]


def test_a_remeasurement_during_the_rest_is_refused_unless_asked_for_early(
    desk: ScreeningDesk,
) -> None:
    _, person = _fever(desk)
    resting = FollowUp(store=desk.store, rule=desk.fever_rule, clock=lambda: NOW, rest_minutes=10)
    resting.take_aside(person, by="Wang")
    with pytest.raises(ValidationError) as refused:
        resting.remeasure(person, typed("38.0"), by="Wang")
    assert refused.value.code == "followup.resting"
    view = resting.remeasure(person, typed("38.0"), by="Wang", early=True)
    assert view.state.remeasure_compared
    after = FollowUp(
        store=desk.store,
        rule=desk.fever_rule,
        clock=lambda: NOW + timedelta(minutes=10),
        rest_minutes=10,
    )
    after.remeasure(person, typed("37.9"), by="Wang")
    with desk.store.reading() as session:
        notes = session.connection().exec_driver_sql(
            "SELECT note FROM case_event WHERE kind = 'remeasured' ORDER BY seq"
        )
        assert [n for (n,) in notes] == [REST_OVERRIDE, ""]
