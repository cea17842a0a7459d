"""Report days and periods: the day runs from the configured cut-off hour to the same hour the
next day, in the checkpoint's time zone (figures "as of 12:00" have a cut-off hour of 12).

A report day is named by the date its period starts. Periods are half-open, [start, end): a
record at the cut-off instant belongs to the day that starts there, never to both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)


def report_day_of(moment: datetime, *, zone: ZoneInfo, cutoff_hour: int) -> date:
    """The report day `moment` falls in: its local date, or the day before when it is earlier
    than the cut-off hour on that date."""
    local = _utc(moment).astimezone(zone)
    if local.hour < cutoff_hour:
        return local.date() - timedelta(days=1)
    return local.date()


def day_period(day: date, *, zone: ZoneInfo, cutoff_hour: int) -> tuple[datetime, datetime]:
    """[start, end) of report day `day` in UTC: the cut-off hour on `day` to the cut-off hour
    on the next day, local time (23 or 25 hours long across a daylight-saving change)."""
    start = datetime.combine(day, time(cutoff_hour), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(cutoff_hour), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def stored_time(moment: datetime) -> str:
    """`moment` as the log stores times (UTC ISO text with microseconds), so that periods are
    compared with stored values as text, in the order of time."""
    return _utc(moment).isoformat(timespec="microseconds")


def whole_hour_offsets(zone: ZoneInfo, start: datetime, end: datetime) -> bool:
    """Whether the zone is a whole number of hours from UTC at both ends of the period: local
    clock hours are then UTC clock hours, and stored times group by hour as text."""
    return all(
        (offset := _utc(moment).astimezone(zone).utcoffset()) is not None
        and offset.total_seconds() % 3600 == 0
        for moment in (start, end)
    )
