"""A flagged person's follow-up, stored as case events and checked by the domain's rules.

Each step (taken aside, re-measured, axillary reading, history, decision) is first applied to
the case state rebuilt from the log (`domain.cases.replay`), so a step the rules refuse is never
stored; then it is appended with the reading it carries, if any.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from checkpoint.domain import cases
from checkpoint.domain.fever import FeverAssessment, FeverRule
from checkpoint.domain.readings import Reading
from checkpoint.domain.vocabulary import Disposition, ReadingPurpose, Symptom
from checkpoint.errors import ValidationError
from checkpoint.store import records
from checkpoint.store.amendments import amended_view
from checkpoint.store.chain import append
from checkpoint.store.engine import Store
from checkpoint.store.models import CaseEvent, CaseEventFields, Person, VehiclePassage
from checkpoint.store.models import Reading as ReadingRow

REST_OVERRIDE = "rest-override"
"""The note of a re-measurement taken before the rest was over, on the volunteer's say-so."""

OPENED, TAKEN_ASIDE, REMEASURED, AXILLARY, HISTORY, DECIDED = (
    "opened",
    "taken-aside",
    "remeasured",
    "axillary",
    "history",
    "decided",
)


@dataclass(frozen=True, slots=True)
class CaseView:
    """One person's case as the follow-up screen shows it."""

    person_id: uuid.UUID
    shift_id: uuid.UUID
    plate: str | None
    name: str | None
    state: cases.CaseState
    readings: tuple[ReadingRow, ...]

    @property
    def next_steps(self) -> tuple[cases.NextStep, ...]:
        return cases.next_steps(self.state)


def _assessment(row: ReadingRow) -> FeverAssessment:
    return FeverAssessment(
        compared=row.rounded_c is not None,
        rounded_c=None if row.rounded_c is None else Decimal(str(row.rounded_c)),
        at_or_over=row.flagged,
        threshold_c=Decimal(str(row.threshold_c)),
        plausibility=row.plausibility,
    )


def _domain_events(
    stored: list[CaseEvent], readings: dict[uuid.UUID, ReadingRow]
) -> list[cases.CaseEvent]:
    events: list[cases.CaseEvent] = []
    for row in stored:
        reading = readings.get(row.reading_id) if row.reading_id else None
        if row.kind == OPENED:
            if reading is not None:
                events.append(
                    cases.ScreeningMeasured(at=row.at, by=row.by, assessment=_assessment(reading))
                )
            if row.symptoms or row.risk_area_travel or row.contact_history:
                events.append(_history(row))
        elif row.kind == TAKEN_ASIDE:
            events.append(cases.TakenAside(at=row.at, by=row.by))
        elif row.kind == REMEASURED and reading is not None:
            events.append(cases.Remeasured(at=row.at, by=row.by, assessment=_assessment(reading)))
        elif row.kind == AXILLARY and reading is not None:
            events.append(
                cases.AxillaryMeasured(at=row.at, by=row.by, assessment=_assessment(reading))
            )
        elif row.kind == HISTORY:
            events.append(_history(row))
        elif row.kind == DECIDED and row.disposition is not None:
            events.append(
                cases.Decided(at=row.at, by=row.by, disposition=row.disposition, note=row.note)
            )
    return events


def _corrected(session: Session, readings: list[ReadingRow]) -> list[ReadingRow]:
    """The readings in their corrected view (a mistyped value fixed from the history), where a
    flag, once raised, stays raised: a corrected lower value never closes a case by itself, a
    person decides (domain.md, rule 6)."""
    shown = []
    for amended in amended_view(session=session, records=readings):
        row = amended.record
        if amended.original.flagged and not row.flagged:
            row = row.model_copy(update={"flagged": True})
        shown.append(row)
    return shown


def _history(row: CaseEvent) -> cases.HistoryRecorded:
    return cases.HistoryRecorded(
        at=row.at,
        by=row.by,
        symptoms=frozenset(Symptom(s) for s in row.symptoms),
        risk_area_travel=row.risk_area_travel,
        contact=row.contact_history,
    )


@dataclass(frozen=True, slots=True)
class Answers:
    """Symptoms and epidemiological history as ticked on the follow-up."""

    symptoms: frozenset[Symptom] = frozenset()
    risk_area_travel: bool = False
    contact: bool = False

    def add_to(self, state: cases.CaseState) -> bool:
        """Storing these answers would add to the case (see `cases.adds_to_history`)."""
        return cases.adds_to_history(
            state,
            symptoms=self.symptoms,
            risk_area_travel=self.risk_area_travel,
            contact=self.contact,
        )


@dataclass
class FollowUp:
    """The follow-up steps of flagged people, on one checkpoint's log."""

    store: Store
    rule: FeverRule
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    rest_minutes: float = 0
    """The rest before a re-measurement (`screening.recheck_wait_minutes`)."""

    def case(self, person_id: uuid.UUID) -> CaseView:
        with self.store.reading() as session:
            return self._view(session, person_id)

    def _view(self, session: Session, person_id: uuid.UUID) -> CaseView:
        person = session.get(Person, person_id)
        if person is None:
            raise KeyError(person_id)
        passage = session.get(VehiclePassage, person.passage_id)
        assert passage is not None
        readings = _corrected(session, records.readings_of(session=session, person_id=person_id))
        stored = list(
            session.exec(
                select(CaseEvent)
                .where(CaseEvent.person_id == person_id)
                .order_by(col(CaseEvent.seq))
            )
        )
        state = cases.replay(_domain_events(stored, {r.id: r for r in readings}))
        return CaseView(
            person_id, passage.shift_id, passage.plate, person.name, state, tuple(readings)
        )

    def open_cases(self, shift_id: uuid.UUID | None = None) -> list[CaseView]:
        """Every case not decided yet, oldest first: the observation queue; with `shift_id`,
        only the cases of people screened in that shift."""
        with self.store.reading() as session:
            decided = select(CaseEvent.person_id).where(CaseEvent.kind == DECIDED)
            people = session.exec(
                select(CaseEvent.person_id)
                .where(CaseEvent.kind == OPENED, col(CaseEvent.person_id).not_in(decided))
                .order_by(col(CaseEvent.seq))
            ).all()
            views = [self._view(session, person_id) for person_id in people]
        return [v for v in views if shift_id is None or v.shift_id == shift_id]

    def rest_left(self, view: CaseView) -> timedelta | None:
        """Time left of the rest before the re-measurement; None before the person is taken
        aside, zero once the rest is over."""
        aside = view.state.taken_aside_at
        if aside is None:
            return None
        return cases.recheck_due(aside, self.rest_minutes, self.clock())

    def _record(
        self,
        view: CaseView,
        *steps: tuple[cases.CaseEvent, CaseEventFields],
        reading: Reading | None = None,
        purpose: ReadingPurpose | None = None,
    ) -> CaseView:
        """Check `steps` in order against the case, then store them in one unit of work (a
        history given with a decision is stored with it, or neither is); `reading` goes with
        the last step."""
        state = view.state
        for event, _ in steps:
            state = cases.apply(state, event)  # refuses a step the rules do not allow
        rows = [row for _, row in steps]
        with self.store.session() as session:
            if reading is not None and purpose is not None:
                reading_row = records.reading_fields(
                    reading,
                    self.rule.assess(reading),
                    purpose=purpose,
                    shift_id=view.shift_id,
                    operator=rows[-1].by,
                    person_id=view.person_id,
                )
                rows[-1] = rows[-1].model_copy(update={"reading_id": reading_row.id})
                append(session, reading_row, *rows)
            else:
                append(session, *rows)
        return self.case(view.person_id)

    def take_aside(self, person_id: uuid.UUID, *, by: str) -> CaseView:
        view, at = self.case(person_id), self.clock()
        return self._record(
            view,
            (
                cases.TakenAside(at=at, by=by),
                CaseEventFields(person_id=person_id, kind=TAKEN_ASIDE, at=at, by=by),
            ),
        )

    def remeasure(
        self, person_id: uuid.UUID, reading: Reading, *, by: str, early: bool = False
    ) -> CaseView:
        """The re-measurement after the rest. Before the rest is over it is refused (a person
        just walked over from the lane still reads high), unless `early`: the volunteer chose
        to measure now, which is recorded with the step (note `REST_OVERRIDE`)."""
        view, at = self.case(person_id), self.clock()
        left = self.rest_left(view)
        if left and not early:
            seconds = int(left.total_seconds())
            raise ValidationError.of(
                "followup.resting", minutes=seconds // 60, seconds=f"{seconds % 60:02d}"
            )
        event = cases.Remeasured(at=at, by=by, assessment=self.rule.assess(reading))
        note = REST_OVERRIDE if left else ""
        row = CaseEventFields(person_id=person_id, kind=REMEASURED, at=at, by=by, note=note)
        return self._record(view, (event, row), reading=reading, purpose=ReadingPurpose.REMEASURE)

    def axillary(self, person_id: uuid.UUID, reading: Reading, *, by: str) -> CaseView:
        view, at = self.case(person_id), self.clock()
        event = cases.AxillaryMeasured(
            at=at, by=by, assessment=self.rule.assess(reading), reading=reading
        )
        row = CaseEventFields(person_id=person_id, kind=AXILLARY, at=at, by=by)
        return self._record(view, (event, row), reading=reading, purpose=ReadingPurpose.AXILLARY)

    def record_history(
        self,
        person_id: uuid.UUID,
        *,
        symptoms: frozenset[Symptom],
        risk_area_travel: bool,
        contact: bool,
        by: str,
    ) -> CaseView:
        answers = Answers(symptoms, risk_area_travel, contact)
        return self._record(self.case(person_id), self._history(person_id, answers, by))

    def _history(
        self, person_id: uuid.UUID, answers: Answers, by: str
    ) -> tuple[cases.CaseEvent, CaseEventFields]:
        at = self.clock()
        event = cases.HistoryRecorded(
            at=at,
            by=by,
            symptoms=answers.symptoms,
            risk_area_travel=answers.risk_area_travel,
            contact=answers.contact,
        )
        row = CaseEventFields(
            person_id=person_id,
            kind=HISTORY,
            at=at,
            by=by,
            symptoms=sorted(answers.symptoms),
            risk_area_travel=answers.risk_area_travel,
            contact_history=answers.contact,
        )
        return event, row

    def decide(
        self,
        person_id: uuid.UUID,
        disposition: Disposition,
        *,
        by: str,
        note: str = "",
        answers: Answers | None = None,
    ) -> CaseView:
        """The decision; `answers` ticked but not stored yet are stored with it, first, so
        the decision is checked against them (a cough ticked makes "released" need a note)."""
        view = self.case(person_id)
        steps = []
        if answers is not None and answers.add_to(view.state):
            steps.append(self._history(person_id, answers, by))
        at = self.clock()
        event = cases.Decided(at=at, by=by, disposition=disposition, note=note)
        row = CaseEventFields(
            person_id=person_id, kind=DECIDED, at=at, by=by, disposition=disposition, note=note
        )
        steps.append((event, row))
        return self._record(view, *steps)
