"""来乡时间: when a person arrived, typed the way volunteers write it on paper.

Accepted: "14:30" (today, or yesterday if that time has not come yet), "11-20" / "11/20" /
"11月20日" (this year, or last year if that day has not come yet), "2026-11-20", each date
optionally followed by a time ("11-20 14:30"). The result is UTC; a time in the future is
refused, since nobody arrives tomorrow.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from checkpoint.errors import ValidationError

_PATTERN: Final = re.compile(
    r"""^\s*
    (?:
      (?:(?P<year>\d{4})[-/.年])?
      (?P<month>\d{1,2})[-/.月](?P<day>\d{1,2})日?
    )?
    \s*
    (?:(?P<hour>\d{1,2})[:：时](?P<minute>\d{2})分?)?
    \s*$""",
    re.VERBOSE,
)
_SLACK: Final = timedelta(minutes=5)
"""A laptop clock a few minutes behind a phone's is not "the future"."""


def parse_arrival(text: str, *, now: datetime, zone: ZoneInfo) -> datetime:
    """The arrival time typed as `text`, in UTC; `now` is the current time (aware)."""
    match = _PATTERN.match(text)
    if not text.strip() or match is None or not any(match.groupdict().values()):
        raise ValidationError.of("arrival.unreadable", text=text.strip())
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    local_now = now.astimezone(zone)
    try:
        if "month" in parts:
            year = parts.get("year", local_now.year)
            day = date(year, parts["month"], parts["day"])
            if "year" not in parts and day > local_now.date():
                day = date(year - 1, parts["month"], parts["day"])
        else:
            day = local_now.date()
        clock = time(parts.get("hour", 0), parts.get("minute", 0))
    except ValueError:
        raise ValidationError.of("arrival.unreadable", text=text.strip()) from None
    arrived = datetime.combine(day, clock, tzinfo=zone)
    if "month" not in parts and arrived > local_now + _SLACK:
        arrived -= timedelta(days=1)  # "23:40" typed just after midnight: last night
    if arrived > local_now + _SLACK:
        raise ValidationError.of("arrival.future", text=text.strip())
    return arrived.astimezone(UTC)
