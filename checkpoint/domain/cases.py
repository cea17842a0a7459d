"""A flagged person's follow-up, as a pure state machine over an immutable list of events.

domain.md, "The fever rule and what follows": a reading at or over the threshold, symptoms or
an epidemiological history make a person suspected; they are taken aside with a mask, measured
again after a rest, then under the arm; confirmed fever, symptoms or history mean "treat as a
suspected case" (report, 120, fever clinic). Nothing but a recorded decision closes a case: a
later, lower reading never clears it by itself.

The log is the truth: `replay(events)` rebuilds the state, `apply(state, event)` checks one new
event before it is stored, and `next_steps(state)` tells a screen what to offer next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from checkpoint.domain.fever import FeverAssessment
from checkpoint.domain.readings import Reading
from checkpoint.domain.vocabulary import CaseStage, Disposition, Instrument, Symptom
from checkpoint.errors import ValidationError


class CaseReason(StrEnum):
    """Why a person is suspected (labels: `case.reason.*`)."""

    FEVER = "fever"
    SYMPTOMS = "symptoms"
    RISK_AREA_TRAVEL = "risk-area-travel"
    CONTACT = "contact"


EPIDEMIOLOGICAL: Final[frozenset[CaseReason]] = frozenset(
    {CaseReason.SYMPTOMS, CaseReason.RISK_AREA_TRAVEL, CaseReason.CONTACT}
)
"""Reasons that make a suspected case whatever the temperature (rule 4)."""


class NextStep(StrEnum):
    """What a screen should offer next, in order (labels: `case.step.*`)."""

    MEASURE_AGAIN = "measure-again"
    """No case, but no screening value could be compared (Lo, surface, unknown unit)."""
    TAKE_ASIDE = "take-aside"
    """To the temporary observation point, with a mask, to rest."""
    REMEASURE = "remeasure"
    """After the rest: see `recheck_due`."""
    AXILLARY = "axillary"
    """Still high: mercury thermometer under the arm, 5–10 minutes, typed in."""
    RECORD_HISTORY = "record-history"
    DECIDE = "decide"


_STAGE_ORDER: Final = (
    CaseStage.SUSPECTED,
    CaseStage.REMEASURED,
    CaseStage.AXILLARY,
    CaseStage.DISPOSED,
)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Event:
    at: datetime
    """When it happened (aware; kept in UTC)."""
    by: str
    """The operator who recorded it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", _utc(self.at))


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreeningMeasured(_Event):
    """The screening reading at the lane, with the fever rule's verdict."""

    assessment: FeverAssessment
    reading: Reading | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TakenAside(_Event):
    """Taken to the temporary observation point (临时留观点): the rest before re-measuring."""

    mask_given: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Remeasured(_Event):
    """An infrared reading after the rest."""

    assessment: FeverAssessment
    reading: Reading | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AxillaryMeasured(_Event):
    """A mercury thermometer under the arm (腋温), typed in."""

    assessment: FeverAssessment
    reading: Reading | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryRecorded(_Event):
    """Symptoms and epidemiological history as the person gave them."""

    symptoms: frozenset[Symptom] = frozenset()
    risk_area_travel: bool = False
    """Travel or residence in a risk area in the last 14 days."""
    contact: bool = False
    """Contact with a confirmed or suspected case (接触史)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Decided(_Event):
    """The disposition, decided and recorded by a person (`by`): the only way a case closes."""

    disposition: Disposition
    note: str = ""
    """Why; required when the decision is neither recommended nor a referral."""


CaseEvent = (
    ScreeningMeasured | TakenAside | Remeasured | AxillaryMeasured | HistoryRecorded | Decided
)


@dataclass(frozen=True, slots=True)
class CaseState:
    """Where one person's follow-up stands, rebuilt from events by `replay`."""

    stage: CaseStage | None = None
    """None while there is no case (the person is normal so far)."""
    reasons: frozenset[CaseReason] = frozenset()
    confirmed_fever: bool = False
    """An axillary reading at or over the threshold; a later lower one does not undo it."""
    symptoms: frozenset[Symptom] = frozenset()
    history_recorded: bool = False
    screened: bool = False
    screening_compared: bool = False
    """At least one screening value was compared with the threshold."""
    opened_at: datetime | None = None
    taken_aside_at: datetime | None = None
    """Start of the rest before re-measuring (see `recheck_due`)."""
    mask_given: bool = False
    remeasure_compared: bool = False
    remeasure_at_or_over: bool = False
    """Any compared re-measurement at or over the threshold: go on to the axillary reading."""
    axillary_compared: bool = False
    disposition: Disposition | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""
    events: tuple[CaseEvent, ...] = field(default=(), repr=False)
    """The events replayed so far, in order."""

    @property
    def suspected(self) -> bool:
        """A case was opened: fever at screening, symptoms or epidemiological history."""
        return self.stage is not None

    @property
    def open(self) -> bool:
        """A case exists and nobody has decided it yet."""
        return self.suspected and self.disposition is None

    @property
    def treat_as_suspected_case(self) -> bool:
        """Rule 4: confirmed fever, symptoms or epi history → report, 120, fever clinic."""
        return self.confirmed_fever or bool(self.reasons & EPIDEMIOLOGICAL)

    @property
    def fever_settled(self) -> bool:
        """The temperature steps are done: axillary measured, or a re-measurement came back
        under the threshold and none was over it (rule 3 asks for the axillary reading only
        when the re-measurement is still high)."""
        return self.axillary_compared or (self.remeasure_compared and not self.remeasure_at_or_over)

    @property
    def recommended(self) -> tuple[Disposition, ...]:
        """Dispositions the rules point to now; empty while the steps are not done.

        Deciding anything else is allowed (a person decides) but needs a note saying why,
        except a referral to the fever clinic, which is always on the safe side.
        """
        if not self.suspected:
            return ()
        if self.treat_as_suspected_case:
            return (Disposition.REFERRED_FEVER_CLINIC,)
        if self.fever_settled:
            return (Disposition.RELEASED, Disposition.HOME_HEALTH_MONITORING)
        return ()


def apply(state: CaseState, event: CaseEvent) -> CaseState:
    """The state after `event`, or ValidationError if the event cannot happen now."""
    if not event.by.strip():
        raise ValidationError.of("case.operator_missing")
    if state.disposition is not None:
        if isinstance(event, Decided):
            raise ValidationError.of("case.already_decided", by=state.decided_by)
        raise ValidationError.of("case.closed", by=state.decided_by)
    state = replace(state, events=(*state.events, event))
    match event:
        case ScreeningMeasured(assessment=assessment):
            state = replace(
                state,
                screened=True,
                screening_compared=state.screening_compared or assessment.compared,
            )
            if assessment.at_or_over:
                state = _open(state, event.at, {CaseReason.FEVER})
            return state
        case HistoryRecorded(symptoms=symptoms):
            reasons = set[CaseReason]()
            if symptoms:
                reasons.add(CaseReason.SYMPTOMS)
            if event.risk_area_travel:
                reasons.add(CaseReason.RISK_AREA_TRAVEL)
            if event.contact:
                reasons.add(CaseReason.CONTACT)
            # Histories add up: a later answer can add a reason but never withdraw one.
            state = replace(state, history_recorded=True, symptoms=state.symptoms | symptoms)
            return _open(state, event.at, reasons) if reasons else state
        case TakenAside(mask_given=mask_given):
            _require_open(state)
            if state.taken_aside_at is not None:
                raise ValidationError.of("case.already_taken_aside")
            return replace(state, taken_aside_at=event.at, mask_given=mask_given)
        case Remeasured(assessment=assessment):
            _require_taken_aside(state)
            return replace(
                state,
                stage=_advance(state.stage, CaseStage.REMEASURED),
                remeasure_compared=state.remeasure_compared or assessment.compared,
                remeasure_at_or_over=state.remeasure_at_or_over or assessment.at_or_over,
            )
        case AxillaryMeasured(assessment=assessment, reading=reading):
            _require_taken_aside(state)
            if reading is not None and reading.instrument is not Instrument.AXILLARY_TYPED:
                raise ValidationError.of("case.axillary_wrong_instrument")
            return replace(
                state,
                stage=_advance(state.stage, CaseStage.AXILLARY),
                axillary_compared=state.axillary_compared or assessment.compared,
                confirmed_fever=state.confirmed_fever or assessment.at_or_over,
            )
        case Decided(disposition=disposition, note=note):
            _require_open(state)
            # Referring to the fever clinic is never the risky choice, so it needs no reason;
            # anything else the rules do not point to must say why.
            if (
                disposition not in state.recommended
                and disposition is not Disposition.REFERRED_FEVER_CLINIC
                and not note.strip()
            ):
                raise ValidationError.of("case.note_required")
            return replace(
                state,
                stage=CaseStage.DISPOSED,
                disposition=disposition,
                decided_by=event.by,
                decided_at=event.at,
                note=note.strip(),
            )
    raise TypeError(f"not a case event: {event!r}")  # pragma: no cover


def replay(events: Iterable[CaseEvent]) -> CaseState:
    """The state after all `events`, in the order given.

    Events are not re-sorted by time: laptop clocks at checkpoints drift and jump, so the order
    they were recorded in is the order they happened in.
    """
    state = CaseState()
    for event in events:
        state = apply(state, event)
    return state


def next_steps(state: CaseState) -> tuple[NextStep, ...]:
    """What is still to be done, first the most urgent; empty when nothing is.

    Take aside → re-measure after the rest → axillary if still high → history → decision.
    When the person is already to be treated as a suspected case the temperature steps are
    skipped: they would only delay the report and the transfer.
    """
    if state.disposition is not None:
        return ()
    if not state.suspected:
        if state.screened and not state.screening_compared:
            return (NextStep.MEASURE_AGAIN,)
        return ()
    steps: list[NextStep] = []
    if state.taken_aside_at is None:
        steps.append(NextStep.TAKE_ASIDE)
    if (
        CaseReason.FEVER in state.reasons
        and not state.treat_as_suspected_case
        and not state.fever_settled
    ):
        steps.append(NextStep.AXILLARY if state.remeasure_at_or_over else NextStep.REMEASURE)
    if not state.history_recorded:
        steps.append(NextStep.RECORD_HISTORY)
    steps.append(NextStep.DECIDE)
    return tuple(steps)


def adds_to_history(
    state: CaseState, *, symptoms: frozenset[Symptom], risk_area_travel: bool, contact: bool
) -> bool:
    """Whether recording these answers would add to what the case already holds: answers
    ticked on a screen but not yet stored must be saved before the screen is left.

    Histories add up (see `apply`), so answers that are all recorded already add nothing.
    """
    return (
        bool(symptoms - state.symptoms)
        or (risk_area_travel and CaseReason.RISK_AREA_TRAVEL not in state.reasons)
        or (contact and CaseReason.CONTACT not in state.reasons)
    )


def recheck_due(opened_at: datetime, wait_minutes: float, now: datetime) -> timedelta:
    """Time left before the re-measurement, counted from `opened_at` (when the person was taken
    aside); zero once the wait is over."""
    if wait_minutes < 0:
        raise ValueError("wait_minutes must not be negative")
    remaining = _utc(opened_at) + timedelta(minutes=wait_minutes) - _utc(now)
    return max(remaining, timedelta(0))


def _open(state: CaseState, at: datetime, reasons: set[CaseReason]) -> CaseState:
    return replace(
        state,
        stage=state.stage or CaseStage.SUSPECTED,
        opened_at=state.opened_at or at,
        reasons=state.reasons | reasons,
    )


def _advance(stage: CaseStage | None, to: CaseStage) -> CaseStage:
    # Stages only move forward: a further re-measurement after the axillary reading is
    # recorded, but the case stays at the axillary stage.
    if stage is None:
        return to
    return max(stage, to, key=_STAGE_ORDER.index)


def _require_open(state: CaseState) -> None:
    if not state.open:
        raise ValidationError.of("case.not_open")


def _require_taken_aside(state: CaseState) -> None:
    _require_open(state)
    if state.taken_aside_at is None:
        raise ValidationError.of("case.not_taken_aside")
