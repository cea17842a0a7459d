"""The words of the domain as enumerations, shared by rules, tables, reports and screens.

Values are stable lowercase identifiers: they are stored in the log and travel to the hub, so a
value is never renamed once released. Labels for people live in `checkpoint/locale/`.
"""

from __future__ import annotations

from enum import StrEnum


class CheckpointKind(StrEnum):
    """Where the checkpoint stands; decides which person fields are required."""

    EXPRESSWAY_EXIT = "expressway-exit"
    ROAD = "road"
    VILLAGE = "village"
    STATION = "station"
    PIER = "pier"
    GATE = "gate"


class EntryMode(StrEnum):
    """How much the lane asks of each person."""

    QUICK = "quick"
    """快速: the measurement and Enter; details are optional (a bus unloading, a queue)."""
    FULL = "full"
    """完整: the fields the checkpoint kind requires must be filled before a person is saved."""


class DirectionMode(StrEnum):
    """单向 (inbound only) or 双向 (arrivals and departures screened)."""

    ONE_WAY = "one-way"
    TWO_WAY = "two-way"


class Direction(StrEnum):
    """Direction of one passage."""

    IN = "in"
    OUT = "out"


class VehicleType(StrEnum):
    CAR = "car"
    BUS = "bus"
    TRUCK = "truck"
    VAN = "van"
    MOTORCYCLE = "motorcycle"
    OTHER = "other"
    ON_FOOT = "on-foot"
    """Station and pier exits: people pass on foot, no vehicle."""


class Unit(StrEnum):
    """Unit a value arrived in."""

    CELSIUS = "C"
    FAHRENHEIT = "F"
    UNKNOWN = "?"
    """A bare number without unit: 90–110 is probably ℉ but is never silently converted."""


class Site(StrEnum):
    """What a temperature value is the temperature of."""

    BODY = "body"
    OBJECT = "object"
    """Surface (skin) temperature: 0.3–1.5 ℃ below body; never compared with the threshold."""
    AMBIENT = "ambient"
    ESTIMATED_BODY = "estimated-body"
    """A surface value turned into a body estimate by a configured offset profile."""


class Instrument(StrEnum):
    """How a reading was taken."""

    SERIAL_INFRARED = "serial-infrared"
    INFRARED_TYPED = "infrared-typed"
    AXILLARY_TYPED = "axillary-typed"


class Plausibility(StrEnum):
    """Whether a body value lies inside the plausibility window (about 32–43 ℃)."""

    OK = "ok"
    LO = "lo"
    HI = "hi"


class ReadingPurpose(StrEnum):
    """Why a reading was taken."""

    SCREENING = "screening"
    REMEASURE = "remeasure"
    AXILLARY = "axillary"
    STAFF_SELF_CHECK = "staff-self-check"


class DocumentKind(StrEnum):
    RESIDENT_ID = "resident-id"
    PASSPORT = "passport"
    HK_MACAU_PERMIT = "hk-macau-permit"
    TAIWAN_PERMIT = "taiwan-permit"
    NONE = "none"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class FieldSource(StrEnum):
    """Where a person's field came from (labels: `source.*`)."""

    CARD_READER = "card-reader"
    SCANNER = "scanner"
    TYPED = "typed"


class HealthCode(StrEnum):
    """健康码 colour as shown; NONE when the person has no code (often the elderly)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"


class Symptom(StrEnum):
    FEVER = "fever"
    COUGH = "cough"
    CHEST_TIGHTNESS = "chest-tightness"
    FATIGUE = "fatigue"
    DIARRHOEA = "diarrhoea"
    VOMITING = "vomiting"


class PersonRole(StrEnum):
    DRIVER = "driver"
    PASSENGER = "passenger"
    PEDESTRIAN = "pedestrian"


class CaseStage(StrEnum):
    """Where a flagged person is in the follow-up (domain.md, "The fever rule")."""

    SUSPECTED = "suspected"
    """At or over the threshold, or symptoms / epidemiological history: taken aside."""
    REMEASURED = "remeasured"
    AXILLARY = "axillary"
    DISPOSED = "disposed"


class Disposition(StrEnum):
    """Decisions seen in practice; each is recorded with who decided."""

    RELEASED = "released"
    """放行"""
    TURNED_BACK = "turned-back"
    """劝返"""
    DENIED_ENTRY = "denied-entry"
    """不准进入"""
    HELD_FOR_OBSERVATION = "held-for-observation"
    """留观"""
    REFERRED_FEVER_CLINIC = "referred-fever-clinic"
    """转发热门诊 / 120"""
    HOME_ISOLATION = "home-isolation"
    """居家隔离"""
    HOME_HEALTH_MONITORING = "home-health-monitoring"
    """居家健康监测"""
    CENTRAL_ISOLATION = "central-isolation"
    """集中隔离"""
