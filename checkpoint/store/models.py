"""Every table of the local log.

The log is append-only: a row is written once and never updated or deleted (a correction is an
`Amendment` row). Each row carries a time-ordered UUID made where it was created, its creation
time in UTC, a local sequence number shared by all tables (the order of the log, used by sync),
and a link of the hash chain (`prev_hash`, `hash`, see `chain.py`).

Personal fields (names, document numbers, phones, routes) are listed per table in
`PERSONAL_FIELDS`. The chain covers them through `personal_digest`, so a purge after the
retention period can blank them without breaking the chain or the counts.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from uuid6 import uuid7

from checkpoint.domain.vocabulary import (
    CheckpointKind,
    Direction,
    DirectionMode,
    Disposition,
    DocumentKind,
    HealthCode,
    Instrument,
    PersonRole,
    Plausibility,
    ReadingPurpose,
    Site,
    Unit,
    VehicleType,
)
from checkpoint.store.types import EnumText, JSONText, UTCDateTime

# The database's `PRAGMA application_id`: "CHKP". A SQLite file with another id is not ours.
APPLICATION_ID = 0x43484B50
GENESIS_HASH = "0" * 64
"""`prev_hash` of the first row of a log."""


def new_id() -> uuid.UUID:
    """A UUIDv7: unique without coordination, and sorted by creation time."""
    made: uuid.UUID = uuid7()  # a subclass of uuid.UUID
    return made


def _fk(target: str, *, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        foreign_key=f"{target}.id",
        nullable=nullable,
        index=True,
    )


def _enum(enum_class: type[Any], *, nullable: bool = False) -> Any:
    return Field(default=None if nullable else ..., sa_type=EnumText(enum_class), nullable=nullable)


def _time(*, nullable: bool = False) -> Any:
    return Field(default=None if nullable else ..., sa_type=UTCDateTime, nullable=nullable)


def _empty_list() -> list[Any]:
    return []


def _empty_dict() -> dict[str, Any]:
    return {}


def _json(*, default_factory: Any = _empty_list) -> Any:
    # Python functions, not the `list` builtin: pydantic inspects the factory's signature on
    # every instance, and that is slow for builtins (a screening creates two instances).
    return Field(default_factory=default_factory, sa_type=sa.JSON, nullable=False)


class LogFields(SQLModel):
    """What the creator of a record gives: its id, made where it is created, and its content.

    Each table has a `…Fields` model (plain pydantic: fast to build, validated) and a table
    model inheriting it with the chain columns. New records are built as `…Fields` and
    appended with `chain.append`; rows read back are table models.
    """

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    """Fields the retention purge may blank; the chain covers them through a digest."""

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)


class LogRecord(LogFields):
    """Columns every logged row has besides its content. Subclasses are the tables."""

    CHAIN_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"seq", "created_at", "prev_hash", "hash", "personal_digest", "purged_at"}
    )

    seq: int | None = Field(default=None, nullable=False, unique=True)
    """Position in the local log, shared by all tables; assigned when the row is appended."""
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=False)
    """When the row was written (UTC)."""
    prev_hash: str | None = Field(default=None, max_length=64, nullable=False)
    hash: str | None = Field(default=None, max_length=64, nullable=False)


class PersonalRecord(LogRecord):
    """A row holding personal data that the retention purge may blank."""

    personal_digest: str | None = Field(default=None, max_length=64)
    """SHA-256 of the personal fields as written; the hash chain covers this digest."""
    purged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Set when the personal fields were blanked after the retention period."""


class CheckpointSiteFields(LogFields):
    """The checkpoint this log belongs to, as registered at `checkpoint init`."""

    code: str = Field(max_length=40, index=True)
    name: str
    kind: CheckpointKind = _enum(CheckpointKind)
    direction_mode: DirectionMode = _enum(DirectionMode)
    township: str = ""
    county: str = ""
    timezone: str = Field(max_length=64)
    active_from: datetime = _time()


class CheckpointSite(CheckpointSiteFields, LogRecord, table=True):
    __tablename__ = "checkpoint"


class ShiftFields(LogFields):
    """A duty shift (24小时值班和领导带班): who is on duty and who leads."""

    checkpoint_id: uuid.UUID = _fk("checkpoint")
    opened_at: datetime = _time()
    leader: str
    operators: list[str] = _json()


class Shift(ShiftFields, LogRecord, table=True):
    pass


class StaffCheckFields(LogFields):
    """A staff member's own temperature before starting (上岗前测温)."""

    shift_id: uuid.UUID = _fk("shift")
    staff_name: str
    reading_id: uuid.UUID = _fk("reading")
    flagged: bool


class StaffCheck(StaffCheckFields, LogRecord, table=True):
    __tablename__ = "staff_check"


class ShiftClosureFields(LogFields):
    """End of a shift: the handover note and the leader's sign-off."""

    shift_id: uuid.UUID = Field(foreign_key="shift.id", unique=True)
    closed_at: datetime = _time()
    closed_by: str
    """The shift leader who signed off."""
    handover_note: str = ""


class ShiftClosure(ShiftClosureFields, LogRecord, table=True):
    __tablename__ = "shift_closure"


class VehiclePassageFields(LogFields):
    """One vehicle (or one group on foot) passing the checkpoint."""

    shift_id: uuid.UUID = _fk("shift")
    passed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    vehicle_type: VehicleType = _enum(VehicleType)
    plate: str | None = Field(default=None, max_length=16, index=True)
    plate_override_reason: str | None = None
    """Why an unrecognised plate was accepted; None for a plate that passed validation."""
    direction: Direction = _enum(Direction)
    non_local: bool = False
    origin: str = ""
    destination: str = ""
    occupants: int = 0
    operator: str


class VehiclePassage(VehiclePassageFields, LogRecord, table=True):
    __tablename__ = "vehicle_passage"
    # Reports count passages of a period from this index alone (reports/figures.py).
    __table_args__ = (
        sa.Index(
            "ix_vehicle_passage_report", "passed_at", "vehicle_type", "direction", "non_local"
        ),
    )


class PersonFields(LogFields):
    """One person screened: a driver, a passenger, or a pedestrian."""

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "document_number",
        "phone",
        "route",
        "transport_no",
        "destination",
        "travel_reason",
    )

    passage_id: uuid.UUID = _fk("vehicle_passage")
    role: PersonRole = _enum(PersonRole)
    name: str | None = Field(default=None, index=True)
    document_kind: DocumentKind = _enum(DocumentKind)
    document_number: str | None = Field(default=None, max_length=32, index=True)
    phone: str | None = Field(default=None, max_length=20)
    origin: str = ""
    """Province/city the person comes from (kept after a purge: it feeds the counts)."""
    route: str | None = None
    arrival_at: datetime | None = _time(nullable=True)
    """来乡时间."""
    transport_no: str | None = None
    """Train, coach or flight number."""
    destination: str | None = None
    travel_reason: str | None = None
    health_code: HealthCode | None = _enum(HealthCode, nullable=True)
    symptoms: list[str] = _json()
    risk_area_travel: bool | None = None
    """Declared (or matched from origin/route) travel in a risk area; None: nobody asked."""
    risk_area_matches: list[str] = _json()
    contact_history: bool | None = None
    """None when the question was not asked (quick mode, or left unanswered), never "no"."""
    operator: str


class Person(PersonFields, PersonalRecord, table=True):
    # The few people with risk-area travel, for the report's figure (reports/follow_ups.py).
    __table_args__ = (
        sa.Index("ix_person_risk_area_travel", "id", sqlite_where=sa.text("risk_area_travel = 1")),
    )


class PersonSourceFields(LogFields):
    """Where a screened person's fields came from, and their scanned health-code token.

    One row beside a person whose details did not all come from the keyboard (a person
    without one had every field typed): `sources` maps a person field (name, document, sex,
    birth_date, origin, health_code_token, …) to "card-reader", "scanner" or "typed", so that
    reports and corrections can tell a value read from a card from one typed by hand.
    """

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("health_code_token",)

    person_id: uuid.UUID = _fk("person")
    sources: dict[str, str] = _json(default_factory=_empty_dict)
    health_code_token: str | None = None
    """The health-code token as scanned (a URL or text), only verifiable online: personal
    data, kept locally, masked on screen and print, never sent to the hub."""


class PersonSource(PersonSourceFields, PersonalRecord, table=True):
    __tablename__ = "person_source"


class ReadingFields(LogFields):
    """One temperature reading, exactly as taken; nothing is ever overwritten."""

    person_id: uuid.UUID | None = _fk("person", nullable=True)
    """None for a staff self-check (see `StaffCheck.reading_id`)."""
    shift_id: uuid.UUID = _fk("shift")
    taken_at: datetime = Field(sa_type=UTCDateTime, index=True)
    purpose: ReadingPurpose = _enum(ReadingPurpose)
    value: float
    """The value as received, in `unit`."""
    unit: Unit = _enum(Unit)
    value_c: float | None = None
    site: Site = _enum(Site)
    instrument: Instrument = _enum(Instrument)
    raw: str = ""
    """Raw device bytes as hex, or the text as typed."""
    plausibility: Plausibility = _enum(Plausibility)
    estimated_from_c: float | None = None
    """For an estimated-body value: the surface value (℃) it was estimated from."""
    ambient_c: float | None = None
    """The ambient temperature the device reported with it, if any."""
    threshold_c: float
    """The fever threshold in force when the reading was taken."""
    rounded_c: float | None = None
    """The value compared with the threshold (rounded half-up to 0.1 ℃), if compared."""
    flagged: bool
    operator: str


class Reading(ReadingFields, LogRecord, table=True):
    # Reports count screenings by purpose and period, flagged ones and temperatures, from this
    # index alone (reports/figures.py): a million screenings without reading the table.
    __table_args__ = (sa.Index("ix_reading_report", "purpose", "taken_at", "flagged", "rounded_c"),)


class CaseEventFields(LogFields):
    """One step of a flagged person's follow-up (aside, re-measure, axillary, history, decision)."""

    person_id: uuid.UUID = _fk("person")
    kind: str = Field(max_length=24)
    """opened, taken-aside, remeasured, axillary, history, decided, note."""
    at: datetime = _time()
    by: str
    """Who did or decided this step."""
    reading_id: uuid.UUID | None = _fk("reading", nullable=True)
    symptoms: list[str] = _json()
    risk_area_travel: bool = False
    contact_history: bool = False
    disposition: Disposition | None = _enum(Disposition, nullable=True)
    note: str = ""


class CaseEvent(CaseEventFields, LogRecord, table=True):
    __tablename__ = "case_event"


class DisinfectionFields(LogFields):
    """A vehicle disinfected at the checkpoint (消毒车辆)."""

    passage_id: uuid.UUID = _fk("vehicle_passage")
    at: datetime = _time()
    by: str
    note: str = ""


class Disinfection(DisinfectionFields, LogRecord, table=True):
    pass


class TurnBackFields(LogFields):
    """A vehicle turned back (劝返)."""

    passage_id: uuid.UUID = _fk("vehicle_passage")
    at: datetime = _time()
    by: str
    reason: str


class TurnBack(TurnBackFields, LogRecord, table=True):
    __tablename__ = "turn_back"


class VehicleReleaseFields(LogFields):
    """A vehicle let through (放行) once its people were screened; never with an open case."""

    passage_id: uuid.UUID = _fk("vehicle_passage")
    at: datetime = _time()
    by: str


class VehicleRelease(VehicleReleaseFields, LogRecord, table=True):
    __tablename__ = "vehicle_release"


class DailyReportFields(LogFields):
    """A daily report or zero report (日报告、零报告) as submitted for one report day."""

    checkpoint_id: uuid.UUID = _fk("checkpoint")
    report_day: date
    period_start: datetime = _time()
    period_end: datetime = _time()
    zero_report: bool
    """True when no person was at or over the threshold: "nothing found" is still reported."""
    figures: dict[str, Any] = _json(default_factory=_empty_dict)
    submitted_by: str
    note: str = ""


class DailyReport(DailyReportFields, LogRecord, table=True):
    __tablename__ = "daily_report"


class AmendmentFields(LogFields):
    """A correction of one field of an earlier row; the original row stays as written."""

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("new_value",)

    target_table: str = Field(max_length=40)
    target_id: uuid.UUID = Field(index=True)
    field: str = Field(max_length=40)
    new_value: Any = Field(default=None, sa_type=JSONText)
    """The new value as JSON (see `codec.encode`), stored as text (see `JSONText`)."""
    reason: str
    amended_by: str
    amended_at: datetime = _time()


class Amendment(AmendmentFields, PersonalRecord, table=True):
    pass


class ChainHead(SQLModel, table=True):
    """The last link of the hash chain: catches rows removed from the end of the log.

    The only row of the database that is updated; it is bookkeeping, not a record.
    """

    __tablename__ = "chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default=GENESIS_HASH, max_length=64)


LOG_TABLES: tuple[type[LogRecord], ...] = (
    CheckpointSite,
    Shift,
    Reading,
    StaffCheck,
    ShiftClosure,
    VehiclePassage,
    Person,
    PersonSource,
    CaseEvent,
    Disinfection,
    TurnBack,
    VehicleRelease,
    DailyReport,
    Amendment,
)
"""Every chained table."""


def table_of(record: LogFields) -> type[LogRecord]:
    """The table a record belongs in: its own class for a row, the table of its `…Fields`."""
    record_type = type(record)
    if issubclass(record_type, LogRecord):
        return record_type
    return _TABLE_OF_FIELDS[record_type]


_TABLE_OF_FIELDS: dict[type[LogFields], type[LogRecord]] = {
    base: table for table in LOG_TABLES for base in table.__mro__[1:2]
}


class SyncState(SQLModel, table=True):
    """How far the log has been acknowledged by a hub: bookkeeping like `ChainHead`, not a record.

    `acked_seq` only grows, and only over receipts: every record with `seq <= acked_seq` is
    held by that hub, so the mark never runs ahead of it.
    """

    __tablename__ = "sync_state"

    hub: str = Field(primary_key=True, max_length=400)
    """The hub's address as configured; another address starts from zero (the hub answers
    duplicates for what it already holds)."""
    acked_seq: int = 0
    """The highest seq such that the hub acknowledged every record up to it."""
    last_success_at: datetime | None = _time(nullable=True)
    last_attempt_at: datetime | None = _time(nullable=True)
    last_error: str | None = None
    """The last failure in plain words; None after a sync that succeeded."""
    clock_skew_s: float | None = None
    """This laptop's clock minus the hub's, in seconds, as last seen (positive: ahead); None
    before a sync learned it (`wire.clock`)."""
    hub_time_at: datetime | None = _time(nullable=True)
    """The hub's own time when the skew was last seen."""


class LogLane(SQLModel, table=True):
    """Which lane of its checkpoint this log is (bookkeeping like `ChainHead`, not a record).

    Several laptops often screen at one checkpoint (a two-way point, three exits), each with
    its own log under the same checkpoint code: the lane tells them apart at every hub. The id
    is a random UUID made with the log, so two logs never share one; the name is the one a
    person chose at `checkpoint init` ("进城", "2号口"), empty for the default lane.
    """

    __tablename__ = "lane"

    id: int = Field(default=1, primary_key=True)
    lane_id: str = Field(max_length=36)
    """The lane's UUID, canonical text form."""
    name: str = Field(default="", max_length=40)
    """As a person chose it; empty: the default lane (shown as such in each language)."""


class ReportSent(SQLModel, table=True):
    """A daily report a hub acknowledged: bookkeeping like `SyncState`, not a record.

    The digest says what the report said when it was sent (`sync/report_wire.report_digest`):
    a day is sent again only when its report, computed anew, says something else.
    """

    __tablename__ = "report_sent"

    hub: str = Field(primary_key=True, max_length=400)
    report_day: date = Field(primary_key=True)
    digest: str = Field(max_length=64)
    log_seq: int
    """The seq of the newest record of the log when the report was computed."""
    sent_at: datetime = _time()


class HeldBack(SQLModel, table=True):
    """A record or a daily report that could not be sent to a hub, and why: bookkeeping like
    `SyncState`, not a record.

    One that the hub refused, or that the local check of the wire format refused before
    sending (`sync/client.py`, `sync/report_push.py`), is held back so that it never stops
    what comes after it. It is listed here until it goes (a corrected report, a hub that now
    takes the record): every sync tries it again and says it is still held back, and the
    status bar counts it.
    """

    __tablename__ = "held_back"

    hub: str = Field(primary_key=True, max_length=400)
    kind: str = Field(primary_key=True, max_length=8)
    """"record" or "report"."""
    item: str = Field(primary_key=True, max_length=40)
    """A record's id (32 hex digits), or a report's day (ISO 8601)."""
    seq: int | None = None
    """The record's seq; None for a report."""
    table_name: str | None = Field(default=None, max_length=40)
    """The record's table; None for a report."""
    code: str = Field(max_length=80)
    """Catalog key of why (`sync.held.*` or a hub's `sync.hub.*`), said in each language."""
    params: dict[str, Any] = _json(default_factory=_empty_dict)
    """The values `code`'s message needs."""
    reason: str
    """Why, in English (a hub's own words, or the local check's)."""
    first_at: datetime = _time()
    """When it was first held back."""
    last_at: datetime = _time()
    """When it was last tried and held back again."""
