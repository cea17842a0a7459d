"""The screening desk: what a volunteer's actions do to the log, as blocking calls.

The TUI calls these from thread workers; each call is one unit of work (saved whole or not at
all). Rules come from `domain/`, rows go through `store/`. Nothing here knows about screens.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from checkpoint.config import PersonField, Settings
from checkpoint.domain import cases
from checkpoint.domain.documents import Document
from checkpoint.domain.fever import FeverAssessment, FeverRule
from checkpoint.domain.lanes import Lane
from checkpoint.domain.phones import Phone
from checkpoint.domain.plates import Plate
from checkpoint.domain.readings import Reading
from checkpoint.domain.risk_areas import RiskArea, RiskAreaList
from checkpoint.domain.text_limits import check_lengths
from checkpoint.domain.vocabulary import (
    Direction,
    DocumentKind,
    EntryMode,
    FieldSource,
    HealthCode,
    PersonRole,
    ReadingPurpose,
    Symptom,
    VehicleType,
)
from checkpoint.errors import ValidationError
from checkpoint.locale import Terms
from checkpoint.store import records
from checkpoint.store.chain import append
from checkpoint.store.engine import Store
from checkpoint.store.lanes import log_lane
from checkpoint.store.models import (
    CaseEventFields,
    CheckpointSiteFields,
    DisinfectionFields,
    PersonFields,
    PersonSourceFields,
    ShiftClosureFields,
    ShiftFields,
    StaffCheckFields,
    TurnBackFields,
    VehiclePassageFields,
    VehicleReleaseFields,
)
from checkpoint.store.sync_state import held_back_count, unsynced_count

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class ShiftInfo:
    id: uuid.UUID
    opened_at: datetime
    leader: str
    operators: tuple[str, ...]
    resumed: bool = False
    """True when the shift was found open (after a restart or a crash)."""


@dataclass(frozen=True, slots=True)
class VehicleEntry:
    """A vehicle (or a group on foot) as typed, already validated."""

    vehicle_type: VehicleType
    plate: Plate | None
    direction: Direction = Direction.IN
    non_local: bool = False
    origin: str = ""
    destination: str = ""
    occupants: int = 0


@dataclass(frozen=True, slots=True)
class PersonEntry:
    """A person's details as typed, already validated (all optional in quick mode).

    For the three questions, None means "not asked": an empty answer is recorded as "no", but
    only an asked question satisfies a checkpoint that requires it.
    """

    role: PersonRole = PersonRole.PASSENGER
    name: str | None = None
    document: Document | None = None
    phone: Phone | None = None
    origin: str = ""
    route: str = ""
    arrival_at: datetime | None = None
    transport_no: str | None = None
    destination: str | None = None
    travel_reason: str | None = None
    health_code: HealthCode | None = None
    symptoms: frozenset[Symptom] | None = None
    contact_history: bool | None = None
    risk_area_travel: bool | None = None
    """Declared travel or residence in a risk area in the last 14 days (beyond what the origin
    and route match in the list)."""
    sources: Mapping[str, FieldSource] = field(default_factory=dict)
    """Fields that did not come from the keyboard (name → card reader, token → scanner); a
    field not named here was typed."""
    health_code_token: str | None = None
    """The scanned health-code token (personal: kept locally, never sent to the hub)."""

    def answered(self, field: PersonField) -> bool:
        """Whether `field` was filled (or, for a question, asked)."""
        value = {
            "name": self.name,
            "document": self.document,
            "phone": self.phone,
            "origin": self.origin,
            "route": self.route,
            "arrival_time": self.arrival_at,
            "transport_no": self.transport_no,
            "destination": self.destination,
            "travel_reason": self.travel_reason,
            "health_code": self.health_code,
            "symptoms": self.symptoms,
            "contact_history": self.contact_history,
            "risk_area_history": self.risk_area_travel,
        }[field]
        if isinstance(value, str):
            return bool(value.strip())
        return value is not None

    def missing(self, required: Sequence[PersonField]) -> tuple[PersonField, ...]:
        """The required fields not filled, in the order they are required."""
        return tuple(field for field in required if not self.answered(field))


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    person_id: uuid.UUID
    reading_id: uuid.UUID
    assessment: FeverAssessment
    risk_areas: tuple[str, ...]
    case_opened: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShiftCounters:
    """People-times and vehicles of one shift, for the status bar and the end of the shift."""

    people: int = 0
    vehicles: int = 0
    flagged: int = 0
    """People whose screening reading is at or over the threshold (as corrected)."""
    turned_back: int = 0
    disinfected: int = 0
    inbound: int = 0
    outbound: int = 0
    non_local: int = 0
    open_cases: int = 0
    on_foot: int = 0
    """Groups on foot: vehicles + on_foot = passages = inbound + outbound."""
    suspected: int = 0
    """People with a case opened for any reason (fever, symptoms, history)."""
    unsynced: int = 0
    """Records of the whole log not yet acknowledged by the hub (all of them until the first
    sync)."""
    held_back: int = 0
    """Records and daily reports held back from the hub: they cannot be sent as they are (the
    rest went on without them); `checkpoint sync` lists them with how to fix each."""

    @property
    def passages(self) -> int:
        """Everything that passed: vehicles and groups on foot."""
        return self.vehicles + self.on_foot


@dataclass
class ScreeningDesk:
    """One checkpoint's log as the screens use it."""

    store: Store
    settings: Settings
    risk_areas: RiskAreaList = field(default_factory=lambda: RiskAreaList(source="", areas=()))
    clock: Clock = field(default=lambda: datetime.now(UTC))
    site_id: uuid.UUID | None = None

    @property
    def fever_rule(self) -> FeverRule:
        return FeverRule(Decimal(str(self.settings.screening.threshold_c)))

    def today(self) -> date:
        return self.clock().astimezone(self.settings.checkpoint.zone).date()

    def lane(self) -> Lane:
        """This log's lane of the checkpoint (shown beside its name when it has one)."""
        with self.store.reading() as session:
            return log_lane(session=session)

    @property
    def required_fields(self) -> tuple[PersonField, ...]:
        """Person fields this kind of checkpoint requires in full mode."""
        screening = self.settings.screening
        return screening.required_fields[self.settings.checkpoint.kind]

    def risk_matches(self, *, origin: str, route: str = "") -> list[RiskArea]:
        """Risk areas in effect today that `origin` or `route` names (for the inline hint)."""
        return self.risk_areas.match(origin=origin, route=route, on=self.today())

    def is_local(self, plate: Plate) -> bool | None:
        """Whether the plate is local by the configured prefixes; None when none are set."""
        prefixes = self.settings.checkpoint.local_plates
        if not prefixes:
            return None
        return plate.text.startswith(prefixes)

    # -- the checkpoint and its shifts ------------------------------------------------------

    def ensure_site(self) -> uuid.UUID:
        """The checkpoint's id in this log, registering it on first use."""
        if self.site_id is not None:
            return self.site_id
        config = self.settings.checkpoint
        with self.store.session() as session:
            site = records.current_checkpoint(session=session, code=config.id)
            if site is None:
                fields = CheckpointSiteFields(
                    code=config.id,
                    name=config.name,
                    kind=config.kind,
                    direction_mode=config.direction_mode,
                    township=config.township,
                    county=config.county,
                    timezone=config.timezone,
                    active_from=self.clock(),
                )
                records.register_checkpoint(session=session, site=fields)
                self.site_id = fields.id
            else:
                self.site_id = site.id
        return self.site_id

    def resume_shift(self) -> ShiftInfo | None:
        """The shift left open (a restart, a crash), if any: nothing of it is lost."""
        site_id = self.ensure_site()
        with self.store.reading() as session:
            shifts = records.open_shifts(session=session, checkpoint_id=site_id)
        if not shifts:
            return None
        shift = shifts[-1]
        return ShiftInfo(shift.id, shift.opened_at, shift.leader, tuple(shift.operators), True)

    def open_shift(
        self,
        *,
        leader: str,
        operators: Sequence[str],
        staff_readings: Sequence[tuple[str, Reading]] = (),
    ) -> ShiftInfo:
        """Open a shift with the staff's own temperatures (上岗前测温), each judged by the rule."""
        site_id = self.ensure_site()
        # The staff measured themselves on the way in (a thermometer reading or a typed value,
        # taken before the form was sent): the shift opens with the first of those, so the
        # shift's own report counts its self-checks.
        now = min([self.clock(), *(reading.taken_at for _, reading in staff_readings)])
        shift = ShiftFields(
            checkpoint_id=site_id, opened_at=now, leader=leader, operators=list(operators)
        )
        checks = []
        for name, reading in staff_readings:
            assessment = self.fever_rule.assess(reading)
            row = records.reading_fields(
                reading,
                assessment,
                purpose=ReadingPurpose.STAFF_SELF_CHECK,
                shift_id=shift.id,
                operator=leader,
            )
            checks.append(
                (
                    row,
                    StaffCheckFields(
                        shift_id=shift.id,
                        staff_name=name,
                        reading_id=row.id,
                        flagged=assessment.at_or_over,
                    ),
                )
            )
        with self.store.session() as session:
            records.open_shift(session=session, shift=shift, staff_checks=checks)
        return ShiftInfo(shift.id, now, leader, tuple(operators))

    def close_shift(self, shift_id: uuid.UUID, *, leader: str, note: str) -> None:
        """The leader's sign-off with the handover note; the shift is closed."""
        closure = ShiftClosureFields(
            shift_id=shift_id, closed_at=self.clock(), closed_by=leader, handover_note=note
        )
        with self.store.session() as session:
            append(session, closure)

    # -- vehicles and people ----------------------------------------------------------------

    def start_passage(
        self, shift_id: uuid.UUID, vehicle: VehicleEntry, *, operator: str
    ) -> uuid.UUID:
        """Log a vehicle (or a group on foot) arriving; returns the passage id."""
        passage = VehiclePassageFields(
            shift_id=shift_id,
            passed_at=self.clock(),
            vehicle_type=vehicle.vehicle_type,
            plate=vehicle.plate.text if vehicle.plate else None,
            plate_override_reason=vehicle.plate.override_reason if vehicle.plate else None,
            direction=vehicle.direction,
            non_local=vehicle.non_local,
            origin=vehicle.origin,
            destination=vehicle.destination,
            occupants=vehicle.occupants,
            operator=operator,
        )
        with self.store.session() as session:
            records.record_passage(session=session, passage=passage)
        return passage.id

    def screen(
        self,
        shift_id: uuid.UUID,
        passage_id: uuid.UUID,
        person: PersonEntry,
        reading: Reading,
        *,
        operator: str,
        mode: EntryMode = EntryMode.QUICK,
    ) -> ScreeningResult:
        """Log one person and their reading; open a case when the rule says so.

        In full mode the fields the checkpoint kind requires must be filled; nothing is written
        otherwise (the error names the missing fields).
        """
        check_lengths(
            name=person.name,
            origin=person.origin,
            route=person.route,
            transport_no=person.transport_no,
            destination=person.destination,
            travel_reason=person.travel_reason,
        )
        if mode is EntryMode.FULL:
            missing = person.missing(self.required_fields)
            if missing:
                raise ValidationError.of(
                    "desk.missing_fields", fields=Terms(f"field.{name}" for name in missing)
                )
        symptoms = person.symptoms or frozenset()
        contact = bool(person.contact_history)
        assessment = self.fever_rule.assess(reading)
        on = reading.taken_at.astimezone(self.settings.checkpoint.zone).date()
        matches = tuple(
            area.name
            for area in self.risk_areas.match(origin=person.origin, route=person.route, on=on)
        )
        risk_travel = bool(matches) or bool(person.risk_area_travel)
        # The log keeps "not asked" (None) apart from "no": a match from the origin or route
        # is a yes whatever was asked.
        risk_answer = True if matches else person.risk_area_travel
        row = PersonFields(
            passage_id=passage_id,
            role=person.role,
            name=person.name,
            document_kind=person.document.kind if person.document else DocumentKind.NONE,
            document_number=person.document.number if person.document else None,
            phone=person.phone.e164 if person.phone else None,
            origin=person.origin,
            route=person.route or None,
            arrival_at=person.arrival_at,
            transport_no=person.transport_no,
            destination=person.destination,
            travel_reason=person.travel_reason,
            health_code=person.health_code,
            symptoms=sorted(symptoms),
            risk_area_travel=risk_answer,
            risk_area_matches=list(matches),
            contact_history=person.contact_history,
            operator=operator,
        )
        reading_row = records.reading_fields(
            reading,
            assessment,
            purpose=ReadingPurpose.SCREENING,
            shift_id=shift_id,
            operator=operator,
            person_id=row.id,
        )
        # Whether this opens a case is the domain's rule, not the desk's: the same replay the
        # follow-up uses decides it.
        events: list[cases.CaseEvent] = [
            cases.ScreeningMeasured(at=reading.taken_at, by=operator, assessment=assessment)
        ]
        if symptoms or risk_travel or contact:
            events.append(
                cases.HistoryRecorded(
                    at=reading.taken_at,
                    by=operator,
                    symptoms=symptoms,
                    risk_area_travel=risk_travel,
                    contact=contact,
                )
            )
        state = cases.replay(events)
        reasons = [reason.value for reason in cases.CaseReason if reason in state.reasons]
        sources = {name: source.value for name, source in sorted(person.sources.items())}
        with self.store.session() as session:
            records.record_screening(session=session, person=row, reading=reading_row)
            if person.health_code_token or any(
                source != FieldSource.TYPED for source in sources.values()
            ):
                append(
                    session,
                    PersonSourceFields(
                        person_id=row.id,
                        sources=sources,
                        health_code_token=person.health_code_token,
                    ),
                )
            if state.suspected:
                append(
                    session,
                    CaseEventFields(
                        person_id=row.id,
                        kind="opened",
                        at=reading.taken_at,
                        by=operator,
                        reading_id=reading_row.id,
                        symptoms=sorted(symptoms),
                        risk_area_travel=risk_travel,
                        contact_history=contact,
                        # The reasons follow from the fields above; a note is a person's words,
                        # never codes that a report would print as they are.
                    ),
                )
        return ScreeningResult(
            row.id, reading_row.id, assessment, matches, state.suspected, tuple(reasons)
        )

    # -- vehicle actions --------------------------------------------------------------------

    def disinfect(self, passage_id: uuid.UUID, *, by: str) -> None:
        """The vehicle was disinfected (消毒车辆)."""
        with self.store.session() as session:
            append(session, DisinfectionFields(passage_id=passage_id, at=self.clock(), by=by))

    def turn_back(self, passage_id: uuid.UUID, *, reason: str, by: str) -> None:
        """The vehicle was turned back (劝返); a reason is required."""
        if not reason.strip():
            raise ValidationError.of("desk.turn_back_reason")
        with self.store.session() as session:
            append(
                session,
                TurnBackFields(
                    passage_id=passage_id, at=self.clock(), by=by, reason=reason.strip()
                ),
            )

    def open_cases(self, passage_id: uuid.UUID) -> int:
        """People of the passage with a case not yet decided."""
        sql = sa.text(
            """
            SELECT count(DISTINCT c.person_id) FROM case_event c JOIN person p ON c.person_id = p.id
            WHERE p.passage_id = :passage AND c.person_id NOT IN
              (SELECT person_id FROM case_event WHERE kind = 'decided')
            """
        )
        with self.store.reading() as session:
            return int(session.connection().execute(sql, {"passage": passage_id.hex}).scalar_one())

    def release(self, passage_id: uuid.UUID, *, by: str) -> None:
        """Let the vehicle through (放行); refused while one of its people has an open case:
        co-travellers are held until the case is decided."""
        open_cases = self.open_cases(passage_id)
        if open_cases:
            raise ValidationError.of("desk.release_open_case", count=open_cases)
        with self.store.session() as session:
            append(session, VehicleReleaseFields(passage_id=passage_id, at=self.clock(), by=by))

    # -- figures ----------------------------------------------------------------------------

    def counters(self, shift_id: uuid.UUID) -> ShiftCounters:
        """The shift's people-times, vehicles and flags so far (a corrected temperature counts
        with its corrected flag, as in the reports)."""
        sql = sa.text(
            """
            SELECT
              (SELECT count(*) FROM person p JOIN vehicle_passage v ON p.passage_id = v.id
                 WHERE v.shift_id = :shift),
              (SELECT count(*) FROM vehicle_passage WHERE shift_id = :shift
                 AND vehicle_type != 'on-foot'),
              (SELECT count(*) FROM reading r WHERE r.shift_id = :shift
                 AND r.purpose = 'screening'
                 AND coalesce((SELECT json_extract(a.new_value, '$') FROM amendment a
                                WHERE a.target_id = r.id AND a.field = 'flagged'
                                ORDER BY a.seq DESC LIMIT 1), r.flagged) = 1),
              (SELECT count(*) FROM turn_back t JOIN vehicle_passage v ON t.passage_id = v.id
                 WHERE v.shift_id = :shift),
              (SELECT count(*) FROM disinfection d JOIN vehicle_passage v ON d.passage_id = v.id
                 WHERE v.shift_id = :shift),
              (SELECT count(*) FROM vehicle_passage WHERE shift_id = :shift AND direction = 'in'),
              (SELECT count(*) FROM vehicle_passage WHERE shift_id = :shift AND direction = 'out'),
              (SELECT count(*) FROM vehicle_passage WHERE shift_id = :shift AND non_local = 1),
              (SELECT count(DISTINCT c.person_id) FROM case_event c
                 JOIN person p ON c.person_id = p.id
                 JOIN vehicle_passage v ON p.passage_id = v.id
                 WHERE v.shift_id = :shift AND c.person_id NOT IN
                   (SELECT person_id FROM case_event WHERE kind = 'decided')),
              (SELECT count(*) FROM vehicle_passage WHERE shift_id = :shift
                 AND vehicle_type = 'on-foot'),
              (SELECT count(DISTINCT c.person_id) FROM case_event c
                 JOIN person p ON c.person_id = p.id
                 JOIN vehicle_passage v ON p.passage_id = v.id
                 WHERE v.shift_id = :shift AND c.kind = 'opened')
            """
        )
        with self.store.reading() as session:
            row = session.connection().execute(sql, {"shift": shift_id.hex}).one()
            unsynced = unsynced_count(session=session)
            held = held_back_count(session=session)
        counters = ShiftCounters(*(int(v) for v in row))
        return dataclasses.replace(counters, unsynced=unsynced, held_back=held)
