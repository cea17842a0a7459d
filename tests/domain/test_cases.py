"""A person's follow-up: suspected → taken aside → re-measured → axillary → history → decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from checkpoint.domain.cases import (
    AxillaryMeasured,
    CaseEvent,
    CaseReason,
    CaseState,
    Decided,
    HistoryRecorded,
    NextStep,
    Remeasured,
    ScreeningMeasured,
    TakenAside,
    apply,
    next_steps,
    recheck_due,
    replay,
)
from checkpoint.domain.fever import FeverAssessment, FeverRule
from checkpoint.domain.readings import Reading, parse_typed_temperature
from checkpoint.domain.vocabulary import CaseStage, Disposition, Instrument, Site, Symptom, Unit
from checkpoint.errors import ValidationError

START = datetime(2020, 2, 1, 8, 0, tzinfo=UTC)
RULE = FeverRule()
ZHANG = "张伟"
LI = "李娜"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def infrared(value_c: float, site: Site = Site.BODY) -> Reading:
    return Reading.create(
        value=value_c,
        unit=Unit.CELSIUS,
        site=site,
        instrument=Instrument.SERIAL_INFRARED,
        raw="",
        taken_at=START,
    )


def assess(value_c: float, site: Site = Site.BODY) -> FeverAssessment:
    return RULE.assess(infrared(value_c, site))


def screening(value_c: float, minutes: float = 0, site: Site = Site.BODY) -> ScreeningMeasured:
    return ScreeningMeasured(
        at=at(minutes), by=ZHANG, assessment=assess(value_c, site), reading=infrared(value_c, site)
    )


def aside(minutes: float = 1) -> TakenAside:
    return TakenAside(at=at(minutes), by=ZHANG)


def remeasure(value_c: float, minutes: float = 20) -> Remeasured:
    return Remeasured(at=at(minutes), by=ZHANG, assessment=assess(value_c))


def axillary(text: str, minutes: float = 32) -> AxillaryMeasured:
    typed = parse_typed_temperature(
        text, instrument=Instrument.AXILLARY_TYPED, taken_at=at(minutes)
    )
    return AxillaryMeasured(at=at(minutes), by=ZHANG, assessment=RULE.assess(typed), reading=typed)


def history(
    *symptoms: Symptom, travel: bool = False, contact: bool = False, minutes: float = 35
) -> HistoryRecorded:
    return HistoryRecorded(
        at=at(minutes),
        by=ZHANG,
        symptoms=frozenset(symptoms),
        risk_area_travel=travel,
        contact=contact,
    )


def decided(disposition: Disposition, note: str = "", minutes: float = 40) -> Decided:
    return Decided(at=at(minutes), by=LI, disposition=disposition, note=note)


def refused(events: list[CaseEvent]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        replay(events)
    return caught.value


class TestOpening:
    def test_normal_reading_makes_no_case(self) -> None:
        state = replay([screening(36.5)])
        assert state.stage is None
        assert not state.suspected
        assert not state.open
        assert state.screened and state.screening_compared
        assert next_steps(state) == ()
        assert state.recommended == ()

    def test_no_events_no_case(self) -> None:
        assert replay([]) == CaseState()

    def test_fever_at_screening_makes_a_suspected_case(self) -> None:
        state = replay([screening(37.3)])
        assert state.stage is CaseStage.SUSPECTED
        assert state.suspected and state.open
        assert state.reasons == {CaseReason.FEVER}
        assert state.opened_at == at(0)
        assert not state.confirmed_fever
        assert not state.treat_as_suspected_case
        assert next_steps(state) == (
            NextStep.TAKE_ASIDE,
            NextStep.REMEASURE,
            NextStep.RECORD_HISTORY,
            NextStep.DECIDE,
        )

    def test_37_24_is_not_a_case(self) -> None:
        assert not replay([screening(37.24)]).suspected

    def test_hi_reading_makes_a_case(self) -> None:
        assert replay([screening(44.0)]).reasons == {CaseReason.FEVER}

    @pytest.mark.parametrize(
        ("value_c", "site"), [(25.0, Site.BODY), (37.5, Site.OBJECT), (38.0, Site.AMBIENT)]
    )
    def test_uncompared_screening_asks_to_measure_again(self, value_c: float, site: Site) -> None:
        state = replay([screening(value_c, site=site)])
        assert not state.suspected
        assert next_steps(state) == (NextStep.MEASURE_AGAIN,)

    def test_measuring_again_after_lo_settles_it(self) -> None:
        state = replay([screening(25.0), screening(36.4, minutes=1)])
        assert next_steps(state) == ()

    @pytest.mark.parametrize(
        ("event", "reason"),
        [
            (history(Symptom.COUGH), CaseReason.SYMPTOMS),
            (history(Symptom.DIARRHOEA), CaseReason.SYMPTOMS),
            (history(travel=True), CaseReason.RISK_AREA_TRAVEL),
            (history(contact=True), CaseReason.CONTACT),
        ],
    )
    def test_symptoms_or_history_make_a_case_whatever_the_temperature(
        self, event: HistoryRecorded, reason: CaseReason
    ) -> None:
        state = replay([screening(36.2), event])
        assert state.suspected
        assert state.reasons == {reason}
        assert state.treat_as_suspected_case
        assert state.recommended == (Disposition.REFERRED_FEVER_CLINIC,)
        # No temperature steps: they would only delay the report and the transfer.
        assert next_steps(state) == (NextStep.TAKE_ASIDE, NextStep.DECIDE)

    def test_empty_history_makes_no_case(self) -> None:
        state = replay([screening(36.2), history()])
        assert not state.suspected
        assert state.history_recorded

    def test_histories_add_up(self) -> None:
        state = replay([screening(36.2), history(Symptom.COUGH), history(travel=True)])
        assert state.reasons == {CaseReason.SYMPTOMS, CaseReason.RISK_AREA_TRAVEL}
        assert state.symptoms == {Symptom.COUGH}


class TestFollowUp:
    def test_remeasure_comes_after_taking_aside(self) -> None:
        state = replay([screening(37.6), aside()])
        assert state.taken_aside_at == at(1)
        assert state.mask_given
        assert next_steps(state) == (NextStep.REMEASURE, NextStep.RECORD_HISTORY, NextStep.DECIDE)

    def test_still_high_goes_to_axillary(self) -> None:
        state = replay([screening(37.6), aside(), remeasure(37.5)])
        assert state.stage is CaseStage.REMEASURED
        assert next_steps(state) == (NextStep.AXILLARY, NextStep.RECORD_HISTORY, NextStep.DECIDE)
        assert state.recommended == ()

    def test_hi_remeasure_goes_to_axillary(self) -> None:
        state = replay([screening(37.6), aside(), remeasure(44.0)])
        assert next_steps(state)[0] is NextStep.AXILLARY

    def test_lo_remeasure_must_be_repeated(self) -> None:
        state = replay([screening(37.6), aside(), remeasure(25.0)])
        assert next_steps(state)[0] is NextStep.REMEASURE

    def test_lower_remeasure_does_not_clear_the_case(self) -> None:
        state = replay([screening(37.8), aside(), remeasure(36.6)])
        assert state.suspected and state.open
        assert state.stage is CaseStage.REMEASURED
        assert CaseReason.FEVER in state.reasons
        assert state.disposition is None
        # A person must still decide; the rules now point to release.
        assert next_steps(state) == (NextStep.RECORD_HISTORY, NextStep.DECIDE)
        assert state.recommended == (Disposition.RELEASED, Disposition.HOME_HEALTH_MONITORING)

    def test_lower_then_higher_remeasure_goes_to_axillary(self) -> None:
        state = replay([screening(37.8), aside(), remeasure(36.6), remeasure(37.4, minutes=25)])
        assert next_steps(state)[0] is NextStep.AXILLARY

    def test_confirmed_fever_is_a_suspected_case(self) -> None:
        state = replay([screening(37.8), aside(), remeasure(37.6), axillary("37.5")])
        assert state.stage is CaseStage.AXILLARY
        assert state.confirmed_fever
        assert state.treat_as_suspected_case
        assert state.recommended == (Disposition.REFERRED_FEVER_CLINIC,)
        assert next_steps(state) == (NextStep.RECORD_HISTORY, NextStep.DECIDE)

    def test_lower_axillary_after_confirmed_fever_does_not_undo_it(self) -> None:
        state = replay(
            [screening(37.8), aside(), remeasure(37.6), axillary("37.5"), axillary("36.9", 45)]
        )
        assert state.confirmed_fever
        assert state.treat_as_suspected_case

    def test_later_low_infrared_does_not_undo_confirmed_fever(self) -> None:
        state = replay(
            [screening(37.8), aside(), remeasure(37.6), axillary("37.5"), remeasure(36.2, 50)]
        )
        assert state.confirmed_fever
        assert state.stage is CaseStage.AXILLARY  # stages only move forward
        assert state.open

    def test_axillary_below_threshold_points_to_release(self) -> None:
        state = replay([screening(37.8), aside(), remeasure(37.6), axillary("37.0")])
        assert not state.confirmed_fever
        assert not state.treat_as_suspected_case
        assert state.recommended == (Disposition.RELEASED, Disposition.HOME_HEALTH_MONITORING)

    def test_history_with_fever_skips_remaining_temperature_steps(self) -> None:
        state = replay([screening(37.8), aside(), history(Symptom.COUGH)])
        assert next_steps(state) == (NextStep.DECIDE,)

    def test_screening_again_on_an_open_case_does_not_clear_it(self) -> None:
        state = replay([screening(37.8), screening(36.0, minutes=2)])
        assert state.open
        assert state.reasons == {CaseReason.FEVER}


@pytest.mark.parametrize(
    ("events", "disposition", "note"),
    [
        (
            [screening(37.5), aside(), remeasure(36.7)],
            Disposition.RELEASED,
            "",
        ),
        (
            [screening(37.5), aside(), remeasure(37.4), axillary("36.9")],
            Disposition.HOME_HEALTH_MONITORING,
            "",
        ),
        (
            [screening(37.9), aside(), remeasure(37.9), axillary("38.1"), history()],
            Disposition.REFERRED_FEVER_CLINIC,
            "",
        ),
        (
            [screening(36.4), history(travel=True), aside()],
            Disposition.CENTRAL_ISOLATION,
            "No symptoms; county command sent him to the isolation hotel.",
        ),
        (
            [screening(36.4), history(contact=True), aside()],
            Disposition.HOME_ISOLATION,
            "Instructed by the township health centre.",
        ),
        (
            [screening(37.5), aside()],
            Disposition.TURNED_BACK,
            "Refused to wait for the re-measurement; turned back.",
        ),
        (
            [screening(37.5), aside(), remeasure(37.3)],
            Disposition.HELD_FOR_OBSERVATION,
            "Axillary thermometer broken; held until a new one arrives.",
        ),
        (
            [screening(37.5), aside(), history(Symptom.COUGH)],
            Disposition.DENIED_ENTRY,
            "Non-local, returned to the origin by the county command.",
        ),
    ],
)
def test_lifecycle_to_each_disposition(
    events: list[CaseEvent], disposition: Disposition, note: str
) -> None:
    state = replay([*events, decided(disposition, note)])
    assert state.stage is CaseStage.DISPOSED
    assert not state.open
    assert state.suspected
    assert state.disposition is disposition
    assert state.decided_by == LI
    assert state.decided_at == at(40)
    assert state.note == note
    assert next_steps(state) == ()
    assert len(state.events) == len(events) + 1


def test_referral_needs_no_note_even_before_the_steps_are_done() -> None:
    state = replay([screening(37.5), aside(), decided(Disposition.REFERRED_FEVER_CLINIC)])
    assert state.disposition is Disposition.REFERRED_FEVER_CLINIC


def test_every_disposition_is_reachable() -> None:
    covered = {
        Disposition.RELEASED,
        Disposition.HOME_HEALTH_MONITORING,
        Disposition.REFERRED_FEVER_CLINIC,
        Disposition.CENTRAL_ISOLATION,
        Disposition.HOME_ISOLATION,
        Disposition.TURNED_BACK,
        Disposition.HELD_FOR_OBSERVATION,
        Disposition.DENIED_ENTRY,
    }
    assert covered == set(Disposition)


class TestInvalidTransitions:
    @pytest.mark.parametrize(
        ("events", "code"),
        [
            ([screening(37.5), aside(), decided(Disposition.RELEASED, "ok"), decided(
                Disposition.RELEASED, "again")], "case.already_decided"),
            ([screening(37.5), aside(), decided(Disposition.RELEASED, "ok"), remeasure(36.0)],
             "case.closed"),
            ([screening(37.5), aside(), decided(Disposition.RELEASED, "ok"), history()],
             "case.closed"),
            ([screening(36.5), axillary("37.5")], "case.not_open"),
            ([axillary("37.5")], "case.not_open"),
            ([screening(36.5), remeasure(36.0)], "case.not_open"),
            ([screening(36.5), aside()], "case.not_open"),
            ([screening(36.5), decided(Disposition.RELEASED, "fine")], "case.not_open"),
            ([screening(37.5), remeasure(37.0)], "case.not_taken_aside"),
            ([screening(37.5), axillary("37.5")], "case.not_taken_aside"),
            ([screening(37.5), aside(), aside(2)], "case.already_taken_aside"),
            ([screening(37.5), aside(), decided(Disposition.RELEASED)], "case.note_required"),
            ([screening(37.5), aside(), axillary("38.0"), decided(Disposition.RELEASED, "  ")],
             "case.note_required"),
        ],
    )  # fmt: skip
    def test_refused(self, events: list[CaseEvent], code: str) -> None:
        error = refused(events)
        assert error.code == code
        assert error.hint
        assert error.text("zh-CN")[0] != error.message

    def test_already_decided_names_who_decided(self) -> None:
        done = replay([screening(37.5), aside(), decided(Disposition.REFERRED_FEVER_CLINIC)])
        with pytest.raises(ValidationError) as caught:
            apply(done, decided(Disposition.RELEASED, "changed my mind"))
        assert LI in caught.value.message

    def test_operator_must_be_named(self) -> None:
        nameless = TakenAside(at=at(1), by="  ")
        error = refused([screening(37.5), nameless])
        assert error.code == "case.operator_missing"

    def test_axillary_must_be_typed_from_a_mercury_thermometer(self) -> None:
        wrong = AxillaryMeasured(
            at=at(30), by=ZHANG, assessment=assess(37.5), reading=infrared(37.5)
        )
        error = refused([screening(37.5), aside(), wrong])
        assert error.code == "case.axillary_wrong_instrument"

    def test_apply_does_not_change_the_state_it_was_given(self) -> None:
        before = replay([screening(37.5)])
        after = apply(before, aside())
        assert before.taken_aside_at is None
        assert after.taken_aside_at == at(1)

    def test_event_time_must_be_aware(self) -> None:
        with pytest.raises(ValueError, match="time zone"):
            TakenAside(at=datetime(2020, 2, 1, 8, 0), by=ZHANG)

    def test_event_time_is_kept_in_utc(self) -> None:
        beijing = timezone(timedelta(hours=8))
        event = TakenAside(at=datetime(2020, 2, 1, 16, 0, tzinfo=beijing), by=ZHANG)
        assert event.at == at(0) and event.at.tzinfo is UTC


@pytest.mark.parametrize(
    ("wait_minutes", "now_minutes", "remaining"),
    [
        (15, 1, timedelta(minutes=14)),
        (15, 15, timedelta(0)),
        (15, 30, timedelta(0)),
        (0, 0, timedelta(0)),
        (10.5, 0, timedelta(minutes=10, seconds=30)),
    ],
)
def test_recheck_due(wait_minutes: float, now_minutes: float, remaining: timedelta) -> None:
    assert recheck_due(at(0), wait_minutes, at(now_minutes)) == remaining


def test_recheck_due_across_time_zones() -> None:
    beijing = timezone(timedelta(hours=8))
    assert recheck_due(at(0), 15, datetime(2020, 2, 1, 16, 5, tzinfo=beijing)) == timedelta(
        minutes=10
    )


def test_recheck_due_refuses_negative_wait() -> None:
    with pytest.raises(ValueError, match="negative"):
        recheck_due(at(0), -1, at(0))
