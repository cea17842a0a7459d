"""The hub's daily report (汇总日报): every checkpoint's daily report of one report day side by
side, their total, the fever cases of all of them, and who did not report (不漏报: the hub
must see it).

Built from the reports the hub holds (one per checkpoint, lane and day, the latest version),
never from the records: the county adds up what each checkpoint reported and signed for. A
checkpoint with several laptops reports once per lane (each log its own); its figures of the
day are the sum of its lanes' reports, each lane counted once. A report from before lanes is
its checkpoint's legacy lane; once any lane of the checkpoint has reported the day with its
lane named (laptops resend their days after the upgrade), the legacy report of that day is
left out: it was one of those laptops' reports, sent under the checkpoint alone. A lane that
reported before the day and not on it is listed as silent beside its checkpoint, and its
cumulative figures as of its last report stay in its checkpoint's cumulative figures (new
today: none). A
checkpoint is expected to report a day when it was enrolled by the end of that day and its
token was not revoked before then, here or at a hub below this one (`below.py`: forwarding tells
the parent which checkpoints exist below); one that sent nothing for the day is in the omission
list, and its cumulative figures as of its last reports stay in the hub's cumulative total.
A report is late when its first version arrived more than the grace period after the end of
its report day (its period's end, which the report carries: each checkpoint has its cut-off
hour). Fever cases come as the checkpoints printed them, with names, documents and phones
already masked.

    report = hub_day_report(engine, date(2026, 11, 24), now=datetime.now(UTC))
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, TypeVar

import sqlalchemy as sa

from checkpoint.domain.lanes import LEGACY_LANE_ID
from checkpoint.domain.vocabulary import Disposition
from checkpoint.hub.below import known_checkpoints
from checkpoint.hub.db import report_versions, reports
from checkpoint.reports.model import CaseStep, FeverCase, Figures
from checkpoint.wire.reports import lane_of

DEFAULT_GRACE_HOURS: Final = 2.0
"""How long after the end of its report day a report still counts as on time."""
HUB_REPORT_VERSION: Final = 3
"""Version of the hub report's JSON form (`to_data`); bumped on any change."""
FIGURE_NAMES: Final[tuple[str, ...]] = tuple(f.name for f in fields(Figures))


@dataclass(frozen=True, slots=True)
class LaneDay:
    """One lane's report of the day, as the hub holds it."""

    lane_id: str
    name: str
    """As its laptop's person named it; empty: the default lane."""
    first_received_at: datetime
    received_at: datetime
    versions: int
    late: bool
    new: Figures
    cumulative: Figures


@dataclass(frozen=True, slots=True)
class SilentLane:
    """A lane of a checkpoint that reported before the day and not on it."""

    lane_id: str
    name: str
    last_reported: date
    cumulative: Figures = field(default_factory=Figures)
    """Its cumulative figures as of its last report: still part of its checkpoint's."""


@dataclass(frozen=True, slots=True)
class CheckpointDay:
    """One checkpoint's report of the day: the sum of its lanes' reports."""

    checkpoint_id: str
    name: str
    township: str
    county: str
    timezone: str
    period_end: datetime
    first_received_at: datetime
    """When the first version of the report arrived: says whether it was on time."""
    received_at: datetime
    """When the version held arrived."""
    versions: int
    """Distinct versions received (more than one: corrected after it was first sent)."""
    late: bool
    zero_report: bool
    new: Figures
    cumulative: Figures
    """Its reporting lanes' cumulative figures and its silent lanes' as of their last reports:
    a lane that did not report the day still counts its earlier days."""
    lanes: tuple[LaneDay, ...] = ()
    """The lanes that reported the day, by name."""
    silent_lanes: tuple[SilentLane, ...] = ()
    """Its known lanes that did not report the day."""


@dataclass(frozen=True, slots=True)
class HubCase:
    """A fever case of one checkpoint, masked as the checkpoint printed it."""

    checkpoint_id: str
    checkpoint_name: str
    timezone: str
    case: FeverCase


@dataclass(frozen=True, slots=True)
class Omission:
    """An enrolled checkpoint with no report of the day."""

    checkpoint_id: str
    enrolled_at: datetime
    last_reported: date | None
    """The latest day it did report, None if it never did."""
    silent_lanes: tuple[SilentLane, ...] = ()
    """Its lanes known from earlier days, all silent: their cumulative figures as of their
    last reports are in the hub's cumulative total."""

    @property
    def cumulative(self) -> Figures:
        """Its cumulative figures as of its lanes' last reports (none if it never reported)."""
        return total(lane.cumulative for lane in self.silent_lanes)


@dataclass(frozen=True, slots=True)
class HubDayReport:
    """The hub's report of one report day."""

    day: date
    generated_at: datetime
    grace: timedelta
    rows: tuple[CheckpointDay, ...]
    """Checkpoints that reported, by code."""
    total_new: Figures
    total_cumulative: Figures
    """Every expected checkpoint's cumulative figures: those of the rows, and those of the
    silent checkpoints (`omissions`) as of their last reports."""
    cases: tuple[HubCase, ...]
    omissions: tuple[Omission, ...]
    expected: int
    """Checkpoints expected to report the day (enrolled, not revoked)."""

    @property
    def late(self) -> tuple[CheckpointDay, ...]:
        return tuple(row for row in self.rows if row.late)


def _aware(moment: datetime) -> datetime:
    # SQLite gives times back naive; they were stored in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _figures(data: dict[str, Any]) -> Figures:
    return Figures(**{name: int(data.get(name, 0)) for name in FIGURE_NAMES})


def total(figures: Iterable[Figures]) -> Figures:
    """The sum of `figures`, figure by figure."""
    sums = dict.fromkeys(FIGURE_NAMES, 0)
    for one in figures:
        for name in FIGURE_NAMES:
            sums[name] += getattr(one, name)
    return Figures(**sums)


def _case(data: dict[str, Any]) -> FeverCase:
    def disposition(value: str | None) -> Disposition | None:
        return None if value is None else Disposition(value)

    return FeverCase(
        person_id=uuid.UUID(data["person_id"]),
        screened_at=_time(data["screened_at"]),
        name=data["name"],
        document=data["document"],
        phone=data["phone"],
        plate=data["plate"],
        origin=data["origin"],
        first_value_c=data["first_value_c"],
        reasons=tuple(data["reasons"]),
        steps=tuple(
            CaseStep(
                at=_time(step["at"]),
                kind=step["kind"],
                by=step["by"],
                value_c=step["value_c"],
                disposition=disposition(step["disposition"]),
                note=step["note"],
            )
            for step in data["steps"]
        ),
        disposition=disposition(data["disposition"]),
        decided_by=data["decided_by"],
    )


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _HeldLane:
    checkpoint_id: str
    lane_id: str
    body: dict[str, Any]
    received_at: datetime
    first: datetime
    versions: int


def _held(connection: sa.Connection, day: date) -> list[_HeldLane]:
    """Every lane's report of `day`, with when its first version arrived and how many."""
    first_version = (
        sa.select(
            report_versions.c.checkpoint_id,
            report_versions.c.lane_id,
            sa.func.min(report_versions.c.received_at).label("first"),
            sa.func.count().label("versions"),
        )
        .where(report_versions.c.day == day)
        .group_by(report_versions.c.checkpoint_id, report_versions.c.lane_id)
        .subquery()
    )
    rows = connection.execute(
        sa.select(
            reports.c.checkpoint_id,
            reports.c.lane_id,
            reports.c.body,
            reports.c.received_at,
            first_version.c.first,
            first_version.c.versions,
        )
        .select_from(
            reports.outerjoin(
                first_version,
                (first_version.c.checkpoint_id == reports.c.checkpoint_id)
                & (first_version.c.lane_id == reports.c.lane_id),
            )
        )
        .where(reports.c.day == day)
        .order_by(reports.c.checkpoint_id, reports.c.lane_id)
    ).all()
    held = []
    for row in rows:
        received_at = _aware(row.received_at)
        first = _aware(row.first) if row.first is not None else received_at
        held.append(
            _HeldLane(
                row.checkpoint_id,
                row.lane_id,
                row.body,
                received_at,
                first,
                int(row.versions or 1),
            )
        )
    return _without_superseded_legacy(held, key=lambda h: (h.checkpoint_id, h.lane_id))


def _without_superseded_legacy(
    items: list[_T], *, key: Callable[[_T], tuple[str, str]]
) -> list[_T]:
    """`items` less the legacy lane's of each checkpoint that has a named lane among them."""
    laned = {key(item)[0] for item in items if key(item)[1] != LEGACY_LANE_ID}
    return [item for item in items if key(item)[1] != LEGACY_LANE_ID or key(item)[0] not in laned]


def _known_lanes(connection: sa.Connection, day: date) -> dict[str, list[SilentLane]]:
    """Each checkpoint's lanes that reported before `day`: their name and last day."""
    last = (
        sa.select(
            reports.c.checkpoint_id,
            reports.c.lane_id,
            sa.func.max(reports.c.day).label("last"),
        )
        .where(reports.c.day < day)
        .group_by(reports.c.checkpoint_id, reports.c.lane_id)
        .subquery()
    )
    rows = connection.execute(
        sa.select(reports.c.checkpoint_id, reports.c.lane_id, reports.c.body, last.c.last)
        .select_from(
            reports.join(
                last,
                (last.c.checkpoint_id == reports.c.checkpoint_id)
                & (last.c.lane_id == reports.c.lane_id)
                & (last.c.last == reports.c.day),
            )
        )
        .order_by(reports.c.checkpoint_id, reports.c.lane_id)
    ).all()
    lanes: dict[str, list[SilentLane]] = {}
    for row in _without_superseded_legacy(list(rows), key=lambda r: (r.checkpoint_id, r.lane_id)):
        _, name = lane_of(row.body)
        lanes.setdefault(row.checkpoint_id, []).append(
            SilentLane(row.lane_id, name, row.last, _figures(row.body["cumulative"]))
        )
    return lanes


def _checkpoint_day(
    lanes: list[_HeldLane], silent: tuple[SilentLane, ...], grace: timedelta
) -> CheckpointDay:
    """A checkpoint's day from its lanes' reports: their sums, each lane once."""
    days: list[LaneDay] = []
    for held in lanes:
        body = held.body
        period_end = _time(body["period"]["end"])
        days.append(
            LaneDay(
                lane_id=held.lane_id,
                name=lane_of(body)[1],
                first_received_at=held.first,
                received_at=held.received_at,
                versions=held.versions,
                late=held.first > period_end + grace,
                new=_figures(body["new"]),
                cumulative=_figures(body["cumulative"]),
            )
        )
    site = lanes[0].body["checkpoint"]
    new = total(d.new for d in days)
    return CheckpointDay(
        checkpoint_id=lanes[0].checkpoint_id,
        name=site["name"],
        township=site["township"],
        county=site["county"],
        timezone=site["timezone"],
        period_end=max(_time(h.body["period"]["end"]) for h in lanes),
        first_received_at=min(d.first_received_at for d in days),
        received_at=max(d.received_at for d in days),
        versions=sum(d.versions for d in days),
        late=any(d.late for d in days),
        zero_report=all(bool(h.body["zero_report"]) for h in lanes),
        new=new,
        cumulative=total([*(d.cumulative for d in days), *(lane.cumulative for lane in silent)]),
        lanes=tuple(sorted(days, key=lambda d: (d.name, d.lane_id))),
        silent_lanes=silent,
    )


def hub_day_report(
    engine: sa.Engine,
    day: date,
    *,
    now: datetime,
    grace: timedelta = timedelta(hours=DEFAULT_GRACE_HOURS),
) -> HubDayReport:
    """The hub's report of report day `day` from the daily reports it holds."""
    end_of_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
    with engine.connect() as connection:
        held = _held(connection, day)
        known = _known_lanes(connection, day)
        last_days = dict(
            connection.execute(
                sa.select(reports.c.checkpoint_id, sa.func.max(reports.c.day))
                .where(reports.c.day < day)
                .group_by(reports.c.checkpoint_id)
            ).all()
        )
        connection.rollback()
    enrolled = known_checkpoints(engine)
    by_checkpoint: dict[str, list[_HeldLane]] = {}
    for one in held:
        by_checkpoint.setdefault(one.checkpoint_id, []).append(one)
    rows: list[CheckpointDay] = []
    cases: list[HubCase] = []
    for checkpoint_id, lanes in by_checkpoint.items():
        reported_lanes = {h.lane_id for h in lanes}
        laned = any(lane != LEGACY_LANE_ID for lane in reported_lanes)
        silent = tuple(
            lane
            for lane in known.get(checkpoint_id, [])
            if lane.lane_id not in reported_lanes
            # The legacy lane is not silent once the checkpoint's lanes report with names.
            and not (laned and lane.lane_id == LEGACY_LANE_ID)
        )
        row = _checkpoint_day(lanes, silent, grace)
        rows.append(row)
        for one in lanes:
            site = one.body["checkpoint"]
            cases += [
                HubCase(checkpoint_id, site["name"], site["timezone"], _case(case))
                for case in one.body["cases"]
            ]
    reported = {row.checkpoint_id for row in rows}
    expected = [
        e
        for e in enrolled
        if e.enrolled_at < end_of_day and (e.revoked_at is None or e.revoked_at >= end_of_day)
    ]
    omissions = tuple(
        Omission(
            e.checkpoint_id,
            e.enrolled_at,
            last_days.get(e.checkpoint_id),
            tuple(known.get(e.checkpoint_id, [])),
        )
        for e in expected
        if e.checkpoint_id not in reported
    )
    return HubDayReport(
        day=day,
        generated_at=now,
        grace=grace,
        rows=tuple(rows),
        total_new=total(r.new for r in rows),
        # A checkpoint silent today with all its lanes still counts its earlier days.
        total_cumulative=total(
            [
                *(r.cumulative for r in rows),
                *(o.cumulative for o in omissions),
            ]
        ),
        cases=tuple(sorted(cases, key=lambda c: (c.case.screened_at, c.checkpoint_id))),
        omissions=omissions,
        expected=len(expected),
    )


# --------------------------------------------------------------------------------- JSON form


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _figure_data(figures: Figures) -> dict[str, int]:
    return {name: getattr(figures, name) for name in FIGURE_NAMES}


def _lane_data(lane: LaneDay) -> dict[str, Any]:
    return {
        "id": lane.lane_id,
        "name": lane.name,
        "first_received_at": _utc(lane.first_received_at),
        "received_at": _utc(lane.received_at),
        "versions": lane.versions,
        "late": lane.late,
        "new": _figure_data(lane.new),
        "cumulative": _figure_data(lane.cumulative),
    }


def _silent_data(lane: SilentLane) -> dict[str, Any]:
    return {
        "id": lane.lane_id,
        "name": lane.name,
        "last_reported": lane.last_reported.isoformat(),
        "cumulative": _figure_data(lane.cumulative),
    }


def to_data(report: HubDayReport) -> dict[str, Any]:
    """The hub report as plain JSON data: times in UTC, counts in people-times."""
    return {
        "schema_version": HUB_REPORT_VERSION,
        "report_day": report.day.isoformat(),
        "generated_at": _utc(report.generated_at),
        "grace_hours": report.grace.total_seconds() / 3600,
        "expected": report.expected,
        "reported": len(report.rows),
        "checkpoints": [
            {
                "code": row.checkpoint_id,
                "name": row.name,
                "township": row.township,
                "county": row.county,
                "timezone": row.timezone,
                "period_end": _utc(row.period_end),
                "first_received_at": _utc(row.first_received_at),
                "received_at": _utc(row.received_at),
                "versions": row.versions,
                "late": row.late,
                "zero_report": row.zero_report,
                "new": _figure_data(row.new),
                "cumulative": _figure_data(row.cumulative),
                "lanes": [_lane_data(lane) for lane in row.lanes],
                "silent_lanes": [_silent_data(lane) for lane in row.silent_lanes],
            }
            for row in report.rows
        ],
        "total": {
            "new": _figure_data(report.total_new),
            "cumulative": _figure_data(report.total_cumulative),
        },
        "omissions": [
            {
                "code": o.checkpoint_id,
                "enrolled_at": _utc(o.enrolled_at),
                "last_reported": o.last_reported.isoformat() if o.last_reported else None,
                "silent_lanes": [_silent_data(lane) for lane in o.silent_lanes],
            }
            for o in report.omissions
        ],
        "cases": [
            {
                "checkpoint": c.checkpoint_id,
                "person_id": str(c.case.person_id),
                "screened_at": _utc(c.case.screened_at),
                "name": c.case.name,
                "document": c.case.document,
                "phone": c.case.phone,
                "plate": c.case.plate,
                "origin": c.case.origin,
                "first_value_c": c.case.first_value_c,
                "reasons": list(c.case.reasons),
                "disposition": c.case.disposition.value if c.case.disposition else None,
                "decided_by": c.case.decided_by,
            }
            for c in report.cases
        ],
    }
