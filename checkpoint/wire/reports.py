"""Daily reports on the wire: the JSON form of `reports/json_form.py` as a pydantic model (the hub
validates what it receives with it, and the OpenAPI description shows it), a digest of what a
report says, and the hub's answer to a submission.

A daily report travels whole, as `to_data` makes it, one per (checkpoint, lane, report day): a
resubmission of a lane's report replaces that lane's earlier one. The lane travels in the
report's `checkpoint` object; a report without one (from before lanes) is its checkpoint's
legacy lane. A lane's reports of a day are ordered by the state of its log they were made from
(`report_order`: `log_range.last_seq`, which only grows in a lane's log, whatever its clock
says): an older version arriving after a newer one (an old bundle imported late, a township
forwarding its old copy) never replaces it. Its digest leaves out when and from which log state it
was made (`generated_at`, `log_range`): the same figures sent again are "unchanged", not a new
version, whoever recomputed them and when.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import AllowInfNan, BaseModel, ConfigDict, Field, StringConstraints

from checkpoint.domain.lanes import LANE_NAME_MAX, LEGACY_LANE_ID
from checkpoint.wire.records import CheckpointCode

NOT_DIGESTED: Final = frozenset({"generated_at", "log_range"})
"""Members of the JSON form that say when and from what a report was made, not what it says."""

UtcTime = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")]
MAX_COUNT: Final = 1_000_000_000
"""More than any checkpoint's figures, even from its first record on (a larger one is made up)."""
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Celsius = Annotated[float, AllowInfNan(False)]
Disposition = Literal[
    "released",
    "turned-back",
    "denied-entry",
    "held-for-observation",
    "referred-fever-clinic",
    "home-isolation",
    "home-health-monitoring",
    "central-isolation",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class WireFigures(_Strict):
    """The tally of a period in people-times (人次); see `reports/model.py` `Figures`."""

    people: Count
    passages: Count = 0
    """Vehicles + groups on foot (= inbound + outbound); 0 from a checkpoint before version 2."""
    vehicles: Count
    on_foot: Count = 0
    """Groups on foot; 0 from a checkpoint before version 2."""
    inbound: Count
    outbound: Count
    non_local: Count
    from_risk_areas: Count
    at_or_over: Count
    suspected: Count = 0
    """People treated as suspected for any reason; 0 from a checkpoint before version 2."""
    remeasured: Count
    axillary_confirmed: Count
    referred: Count
    held: Count
    home_isolation: Count
    central_isolation: Count
    turned_back: Count
    disinfections: Count
    staff_checks: Count
    staff_flagged: Count


class WireLane(_Strict):
    """Which log of the checkpoint made the report: its figures are that lane's only."""

    id: str = Field(pattern=r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$")
    """The lane's UUID (canonical text), made with its log; empty: the legacy lane."""
    name: str = Field(max_length=LANE_NAME_MAX)
    """As a person chose it; empty: the default lane."""


class WireCheckpoint(_Strict):
    code: CheckpointCode
    name: str = Field(max_length=200)
    township: str = Field(max_length=200)
    county: str = Field(max_length=200)
    timezone: str = Field(max_length=64)
    lane: WireLane | None = None
    """Absent in a report from before lanes: the checkpoint's legacy lane."""


class WirePeriod(_Strict):
    start: UtcTime
    end: UtcTime


class WireHour(_Strict):
    hour_start: UtcTime
    people: Count
    at_or_over: Count


class WireTemperature(_Strict):
    value_c: Celsius
    people: Annotated[int, Field(ge=1, le=MAX_COUNT)]


class WireStep(_Strict):
    at: UtcTime
    kind: str = Field(max_length=40)
    by: str = Field(max_length=200)
    value_c: Celsius | None
    disposition: Disposition | None
    note: str = Field(max_length=2000)


class WireCase(_Strict):
    """A fever case as the checkpoint printed it: name, document and phone already masked."""

    person_id: str = Field(max_length=36)
    screened_at: UtcTime
    name: str = Field(max_length=200)
    document: str = Field(max_length=64)
    phone: str = Field(max_length=32)
    plate: str = Field(max_length=32)
    origin: str = Field(max_length=200)
    first_value_c: Celsius | None
    reasons: list[Literal["fever", "symptoms", "risk-area-travel", "contact"]]
    steps: list[WireStep] = Field(max_length=200)
    disposition: Disposition | None
    decided_by: str = Field(max_length=200)


class WireSignature(_Strict):
    role: Literal["duty-staff", "shift-leader"]
    names: list[str]


class WireLogRange(_Strict):
    first_seq: int | None
    last_seq: int | None
    chain_head: Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{64})?$")]


class DayReport(_Strict):
    """A daily report (日报告) or zero report (零报告) of one checkpoint, as
    `checkpoint report day --format json` writes it (`reports/report.schema.json`)."""

    schema_version: Literal[1, 2]
    kind: Literal["day"]
    """Only daily reports travel; a shift report stays at the checkpoint."""
    checkpoint: WireCheckpoint
    report_day: date
    shift: None
    period: WirePeriod
    generated_at: UtcTime
    threshold_c: Celsius
    zero_report: bool
    new: WireFigures
    """Figures of the report day."""
    cumulative: WireFigures
    """Figures from the checkpoint's first record to the end of the report day."""
    by_hour: list[WireHour] = Field(max_length=100)
    temperatures: list[WireTemperature] = Field(max_length=1000)
    cases: list[WireCase] = Field(max_length=5000)
    staff_on_duty: list[str] = Field(max_length=500)
    signatures: list[WireSignature] = Field(max_length=10)
    log_range: WireLogRange


class ReportStatus(StrEnum):
    """What the hub did with a submitted daily report."""

    STORED = "stored"
    """The first report of this checkpoint for this day."""
    REPLACED = "replaced"
    """A report with other figures replaced the one held; the day is still counted once."""
    UNCHANGED = "unchanged"
    """The hub already held a report saying the same; it was kept as it was."""
    SUPERSEDED = "superseded"
    """The hub holds a newer version of this lane's report of the day (made from a later state
    of its log, `report_order`); it was kept, and the receipt's digest is the newer one's."""


class ReportReceipt(BaseModel):
    """The hub's answer to a daily report."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    checkpoint_id: str
    report_day: date
    lane_id: str = LEGACY_LANE_ID
    """The lane whose report it is ('' for a report from before lanes, or from a hub before
    lanes answering)."""
    status: ReportStatus
    digest: str
    """`report_digest` of the report now held."""
    received_at: str
    """When the report now held was first received (UTC, ISO 8601)."""


RECEIVED_BELOW_HEADER: Final = "Checkpoint-Received-At"
"""Header of a report forwarded by a hub: when it first reached that hub (ISO 8601, UTC)."""


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """`data` (a daily report's JSON form) validated and as the hub stores it; `ValidationError`
    when it is not a daily report."""
    body = DayReport.model_validate(data).model_dump(mode="json")
    if body["checkpoint"]["lane"] is None:
        # A report from before lanes is held exactly as it was (its digest unchanged).
        del body["checkpoint"]["lane"]
    return body


def lane_of(body: dict[str, Any]) -> tuple[str, str]:
    """(lane id, lane name) of a canonical daily report; the legacy lane's for one without."""
    lane = body["checkpoint"].get("lane") or {}
    return str(lane.get("id", LEGACY_LANE_ID)), str(lane.get("name", ""))


def report_order(body: dict[str, Any]) -> int | None:
    """Where a canonical daily report stands among its lane's versions of the day: the last
    seq of the lane's log when it was made (0 for an empty log); a newer version is made from a
    longer log. None for a report from before lanes: the legacy lane may be several laptops'
    logs, whose seqs cannot be compared (the last one to arrive replaces the one held)."""
    if body["checkpoint"].get("lane") is None:
        return None
    return int(body["log_range"].get("last_seq") or 0)


def report_digest(data: dict[str, Any]) -> str:
    """SHA-256 (hex) of what a report's JSON form says: every member but `NOT_DIGESTED`, as
    canonical JSON (sorted keys, no spaces, UTF-8)."""
    kept = {key: value for key, value in data.items() if key not in NOT_DIGESTED}
    text = json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
