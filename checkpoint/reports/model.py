"""What a shift or daily report says, as plain data: computed once from the log, rendered many
ways (terminal, 80-column text, 58 mm receipt, PDF, JSON).

Every figure counts people-times (人次) in the amended view. A report covers a period
[start, end) in UTC; `new` figures are for the period, `cumulative` ones from the checkpoint's
first record up to `end`. Times are aware datetimes in UTC; renderers show them in the
checkpoint's time zone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from checkpoint.domain.lanes import LEGACY_LANE_ID, Lane
from checkpoint.domain.vocabulary import Disposition

if TYPE_CHECKING:
    from checkpoint.reports.site_model import SiteTally

REPORT_SCHEMA_VERSION = 2
"""Version of the JSON form (`reports/json_form.py` documents it); bumped on any change."""


class ReportKind(StrEnum):
    SHIFT = "shift"
    """One shift, from its opening to its closing (or now, while open)."""
    DAY = "day"
    """One report day, from the configured cut-off hour to the same hour the next day."""


@dataclass(frozen=True, slots=True)
class Figures:
    """The tally of one period (domain.md, "Reports"); all counts are people-times."""

    people: int = 0
    """People screened (one per person record)."""
    passages: int = 0
    """Everything that passed: vehicles + groups on foot = inbound + outbound."""
    vehicles: int = 0
    """Vehicle passages (groups on foot are not vehicles)."""
    on_foot: int = 0
    """Groups on foot (a station's or pier's arrivals, screened together)."""
    inbound: int = 0
    """Passages in (vehicles and groups on foot)."""
    outbound: int = 0
    non_local: int = 0
    """Non-local vehicles (外来车辆)."""
    from_risk_areas: int = 0
    """People with travel or residence in a listed risk area (matched or declared)."""
    at_or_over: int = 0
    """People whose screening reading was at or over the threshold (corrected value)."""
    suspected: int = 0
    """People treated as suspected, for any reason: a reading at or over the threshold,
    symptoms, or an epidemiological history (a case opened). Not the same as `at_or_over`:
    a person with a cough and 36.5 ℃ is suspected without a fever."""
    remeasured: int = 0
    """People re-measured after resting."""
    axillary_confirmed: int = 0
    """People whose axillary reading was at or over the threshold."""
    referred: int = 0
    """Dispositions: fever clinic / 120."""
    held: int = 0
    """Dispositions: held for observation (留观)."""
    home_isolation: int = 0
    """Dispositions: home isolation or home health monitoring."""
    central_isolation: int = 0
    turned_back: int = 0
    """Vehicles turned back (劝返)."""
    disinfections: int = 0
    staff_checks: int = 0
    """Staff self-checks before duty (上岗前测温)."""
    staff_flagged: int = 0
    """Staff self-checks at or over the threshold."""


@dataclass(frozen=True, slots=True)
class HourCount:
    """People and flagged readings in one local clock hour of the period."""

    hour_start: datetime
    people: int
    at_or_over: int


@dataclass(frozen=True, slots=True)
class CaseStep:
    """One step of a case's follow-up, in log order."""

    at: datetime
    kind: str
    """"opened", "aside", "remeasured", "axillary", "history", "decided"."""
    by: str
    value_c: float | None = None
    disposition: Disposition | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class FeverCase:
    """A person at or over the threshold (or otherwise suspected) and what followed.

    Personal fields are already masked (documents and phones) for printing.
    """

    person_id: uuid.UUID
    screened_at: datetime
    name: str
    """Masked name, e.g. "张*"."""
    document: str
    """Masked document number, "" when none was given."""
    phone: str
    """Masked phone, "" when none was given."""
    plate: str
    origin: str
    first_value_c: float | None
    reasons: tuple[str, ...]
    """Why the case opened: "fever", "symptoms", "risk-area-travel", "contact"."""
    steps: tuple[CaseStep, ...]
    disposition: Disposition | None
    """The decision, None while the case is still open."""
    decided_by: str = ""


@dataclass(frozen=True, slots=True)
class Signature:
    """A line to sign on paper: the role (值班人员 / 带班领导) and the names on duty."""

    role: str
    """"duty-staff" or "shift-leader"."""
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LogRange:
    """The records the report was computed from, so a printed sheet can be matched to the log."""

    first_seq: int | None
    last_seq: int | None
    chain_head: str
    """Hash of the newest record of the log when the report was made ("" for an empty log)."""


@dataclass(frozen=True, slots=True)
class TimeStep:
    """A reading whose time is earlier than the one before it in the log."""

    seq: int
    at: datetime
    prev_seq: int
    prev_at: datetime


@dataclass(frozen=True, slots=True)
class Report:
    """A shift or daily report, ready to render."""

    kind: ReportKind
    checkpoint_code: str
    checkpoint_name: str
    township: str
    county: str
    timezone: str
    start: datetime
    end: datetime
    """Exclusive; for an open shift, the moment the report was made."""
    generated_at: datetime
    new: Figures
    cumulative: Figures
    by_hour: tuple[HourCount, ...]
    cases: tuple[FeverCase, ...]
    staff_on_duty: tuple[str, ...]
    signatures: tuple[Signature, ...]
    log_range: LogRange
    threshold_c: float
    temperatures: tuple[tuple[float, int], ...] = field(default=())
    """Distribution of screening readings: (value rounded to 0.1 ℃, people), ascending."""
    shift_id: uuid.UUID | None = None
    leader: str = ""
    """For a shift report: its leader (带班领导)."""
    leaders: tuple[str, ...] = ()
    """The leaders of the shifts in the period (a day has several), in the order they led."""
    handover_note: str = ""
    closed_by: str = ""
    """Who signed the shift off in the log ("" while the shift is open)."""
    closed_at: datetime | None = None
    """When the shift was signed off in the log."""
    report_day: str = ""
    """For a daily report: the report day as an ISO date (the day the period starts)."""
    lane: Lane = field(default=Lane(LEGACY_LANE_ID, ""))
    """The lane of the checkpoint this log is: its figures are this lane's only."""
    backwards: tuple[TimeStep, ...] = ()
    """Where the readings of the report (in log order) go backwards in time: the laptop's
    clock jumped back. Said on the sheet; not part of the JSON form."""
    site: SiteTally | None = None
    """On a site laptop: every lane of the checkpoint and their total (`site_model.py`). The
    report's own figures stay this lane's; this is never sent to a hub as the lane's report."""

    @property
    def zero_report(self) -> bool:
        """Nobody at or over the threshold in the period: the report says so in words
        (本日未发现体温异常人员 / No person at or above the threshold)."""
        return self.new.at_or_over == 0
