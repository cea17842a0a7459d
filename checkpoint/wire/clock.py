"""Clocks that cannot be trusted: what a laptop, a hub and the hub above it agree on.

Laptops at checkpoints are old and often offline: a dead CMOS battery boots one in 1970 or
2000, someone sets the wrong year, the clock jumps when a network appears. A record keeps the
time its laptop said; what a time may be believed for is decided here:

- nothing happened before `EARLIEST_PLAUSIBLE` (before this program existed): a time earlier
  than that is a wrong clock, never the day a checkpoint started;
- a report day is named by a local date, and local dates run up to `ZONE_MARGIN` ahead of UTC
  (UTC+14), so "today" anywhere is at most the UTC date of now + `ZONE_MARGIN`;
- every hub answer says the hub's time (`HUB_TIME_HEADER`, besides HTTP's `Date`, which has
  whole seconds only); a caller that says its own time when sending (`SENT_AT_HEADER`) is
  told how far its clock is from the hub's (`SKEW_HEADER`), so a hub below whose clock is off
  learns it on every forward.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Final

EARLIEST_PLAUSIBLE: Final = datetime(2026, 1, 1, tzinfo=UTC)
"""No checkpoint used this program before this instant: an earlier clock is wrong."""
ZONE_MARGIN: Final = timedelta(hours=14)
"""How far a local date can run ahead of (or, with 12, behind) the UTC date."""
LARGE_SKEW: Final = timedelta(minutes=5)
"""A clock this far from the hub's is said on screen and in `checkpoint sync`."""
SKEW_TOLERANCE: Final = timedelta(minutes=1)
"""Two clocks this close agree: the difference measured is the network's delay."""

HUB_TIME_HEADER: Final = "Checkpoint-Hub-Time"
"""On every hub answer: the hub's own time when it answered (ISO 8601, UTC, microseconds)."""
SENT_AT_HEADER: Final = "Checkpoint-Sent-At"
"""On a request, optional: the caller's clock when it sent the request (ISO 8601)."""
SKEW_HEADER: Final = "Checkpoint-Clock-Skew"
"""On the answer to a request with `SENT_AT_HEADER`: the caller's clock minus the hub's, in
whole seconds (positive: the caller is ahead)."""


def utc_text(moment: datetime) -> str:
    """`moment` as the headers carry it."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def hub_time(headers: Mapping[str, str]) -> datetime | None:
    """The hub's time from its answer's headers: `HUB_TIME_HEADER`, else `Date` (an older hub,
    or a proxy's); None when neither is there or readable."""
    text = headers.get(HUB_TIME_HEADER)
    if text:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(UTC)
    text = headers.get("date")
    if text:
        try:
            return email.utils.parsedate_to_datetime(text).astimezone(UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return None


def latest_today(now: datetime) -> date:
    """The latest date that is today somewhere on Earth at `now`."""
    return (now.astimezone(UTC) + ZONE_MARGIN).date()


def first_day_of(moment: datetime) -> date:
    """The earliest report day that may not have ended anywhere at `moment` (a day whose period
    ends at or after it, for any time zone and cut-off hour): days before it were over
    everywhere before `moment`."""
    return (moment.astimezone(UTC) - ZONE_MARGIN).date() - timedelta(days=1)


def plausible(moment: datetime) -> bool:
    """Whether a clock could have said `moment` truthfully (not before the program existed)."""
    return moment.astimezone(UTC) >= EARLIEST_PLAUSIBLE
