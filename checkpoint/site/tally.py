"""The site tally: a report of this laptop's lane, with every other lane of the checkpoint beside
it, their total, and which lanes have not handed in since when.

    report = with_site(shift_report(store, settings, None, now=now), settings, now=now)

Each lane is counted once. This laptop's own lane comes from its log (the report's own
figures); its records at the site hub, should it ever have synced or imported them there, are
left out. Every other lane comes from what it handed in: its records, counted for the report's
period by the log's own rules (`replay.py`), else its daily report of the day, which a shift's
total leaves out (a day's figures are not a shift's) and says so. A lane whose laptop is off
blocks nothing: it is listed with its last hand-in, or "never" when expected by name
(`[site] lanes`) and never seen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from checkpoint.config import Settings
from checkpoint.hub import db
from checkpoint.hub.reports import total
from checkpoint.reports.model import Figures, Report, ReportKind
from checkpoint.reports.period import report_day_of
from checkpoint.reports.site_model import LaneSource, SiteLane, SiteTally
from checkpoint.site.hub import Site, SiteError, open_site, site_lanes
from checkpoint.site.replay import lane_tally
from checkpoint.wire.reports import lane_of


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass
class _Known:
    """A lane as the site hub knows it."""

    lane_id: str
    name: str = ""
    last: datetime | None = None
    records: int = 0

    def handed_in(self, moment: datetime | None) -> None:
        moment = _aware(moment)
        if moment is not None and (self.last is None or moment > self.last):
            self.last = moment


def _known_lanes(connection: sa.Connection, checkpoint_id: str) -> dict[str, _Known]:
    """Every lane of `checkpoint_id` the site hub holds anything of, with its name and last
    hand-in."""
    known: dict[str, _Known] = {}

    def lane(lane_id: str) -> _Known:
        return known.setdefault(lane_id, _Known(lane_id))

    held = connection.execute(
        sa.select(db.records.c.lane_id, sa.func.count(), sa.func.max(db.records.c.received_at))
        .where(db.records.c.checkpoint_id == checkpoint_id)
        .group_by(db.records.c.lane_id)
    )
    for lane_id, count, last in held:
        lane(lane_id).records = int(count)
        lane(lane_id).handed_in(last)
    reported = connection.execute(
        sa.select(db.reports.c.lane_id, db.reports.c.body, db.reports.c.received_at)
        .where(db.reports.c.checkpoint_id == checkpoint_id)
        .order_by(db.reports.c.day)
    )
    for lane_id, body, received_at in reported:
        lane(lane_id).handed_in(received_at)
        lane(lane_id).name = lane_of(body)[1] or lane(lane_id).name  # the latest day's name
    named = connection.execute(
        sa.select(site_lanes.c.lane_id, site_lanes.c.name).where(
            site_lanes.c.checkpoint_id == checkpoint_id
        )
    )
    for lane_id, name in named:
        if lane_id in known and not known[lane_id].name:
            known[lane_id].name = name
    return known


def _day_report(
    connection: sa.Connection, checkpoint_id: str, lane_id: str, day: str
) -> dict[str, Any] | None:
    body: dict[str, Any] | None = connection.execute(
        sa.select(db.reports.c.body)
        .where(db.reports.c.checkpoint_id == checkpoint_id)
        .where(db.reports.c.lane_id == lane_id)
        .where(db.reports.c.day == datetime.fromisoformat(day).date())
    ).scalar()
    return body


def _figures(data: dict[str, Any]) -> Figures:
    return Figures(**{name: int(data.get(name, 0)) for name in Figures.__dataclass_fields__})


def site_tally(site: Site, report: Report, settings: Settings, *, now: datetime) -> SiteTally:
    """Every lane of the checkpoint for `report`'s period, as this laptop knows them."""
    zone = settings.checkpoint.zone
    stale_after = timedelta(minutes=settings.site.stale_minutes)
    own_id = report.lane.lane_id
    day = (
        report.report_day
        or report_day_of(
            report.start, zone=zone, cutoff_hour=settings.reports.day_cutoff_hour
        ).isoformat()
    )
    others: list[SiteLane] = []
    with site.engine.connect() as connection:
        known = _known_lanes(connection, site.checkpoint_id)
        known.pop(own_id, None)  # the own lane is counted live, never again from the site hub
        day_reports = {
            lane_id: _day_report(connection, site.checkpoint_id, lane_id, day) for lane_id in known
        }
        connection.rollback()
    for lane in known.values():
        stale = lane.last is None or now - lane.last > stale_after
        if lane.records:
            tallied = lane_tally(
                site.engine,
                site.checkpoint_id,
                lane.lane_id,
                start=report.start,
                end=report.end,
                zone=zone,
            )
            entry = SiteLane(
                lane.lane_id,
                lane.name,
                LaneSource.RECORDS,
                lane.last,
                stale,
                tallied.figures(tallied.new),
                tallied.figures(tallied.cumulative),
                in_total=True,
            )
        elif (body := day_reports[lane.lane_id]) is not None:
            entry = SiteLane(
                lane.lane_id,
                lane.name,
                LaneSource.DAY_REPORT,
                lane.last,
                stale,
                _figures(body["new"]),
                _figures(body["cumulative"]),
                in_total=report.kind is ReportKind.DAY,
                report_day=day,
            )
        else:
            entry = SiteLane(
                lane.lane_id, lane.name, LaneSource.NONE, lane.last, stale, None, None, False
            )
        others.append(entry)
    seen = {lane.name for lane in others} | {report.lane.name}
    for name in settings.site.lanes:
        if name not in seen:
            seen.add(name)
            others.append(SiteLane("", name, LaneSource.NONE, None, True, None, None, False))
    own = SiteLane(
        own_id, report.lane.name, LaneSource.LIVE, None, False, report.new, report.cumulative, True
    )
    lanes = (own, *sorted(others, key=lambda lane: (lane.name, lane.lane_id)))
    counted = [lane for lane in lanes if lane.in_total]
    return SiteTally(
        generated_at=now,
        lanes=lanes,
        total_new=total(lane.new for lane in counted if lane.new is not None),
        total_cumulative=total(lane.cumulative for lane in counted if lane.cumulative is not None),
        stale_minutes=settings.site.stale_minutes,
    )


def with_site(report: Report, settings: Settings, *, now: datetime) -> Report:
    """`report` with the site tally, on a site laptop; as it is on any other laptop."""
    site = open_site(settings, create=False)
    if site is None:
        return report
    try:
        return replace(report, site=site_tally(site, report, settings, now=now))
    except sa.exc.SQLAlchemyError as error:
        raise SiteError.of("site.cannot_open", path=site.path, detail=error) from error
    finally:
        site.close()
