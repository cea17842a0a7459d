"""Whether this laptop's clock can be believed, from what the log and the last sync know.

Screening never stops for a doubtful clock: every record keeps the time the laptop said, and
the lane says in plain words what is wrong so that the shift leader confirms or fixes it. The
doubts (`ClockDoubt`), each from facts the caller reads (`ClockFacts`):

- the clock is earlier than the log's newest record (it went backwards);
- earlier than this program existed (`wire.clock.EARLIEST_PLAUSIBLE`: a dead CMOS battery
  boots in 1970 or 2000) or than the checkpoint's registration;
- far in the future: more than `FAR_AHEAD` after the latest time anyone vouched for (the log's
  newest record, the hub's clock at the last sync);
- far from the hub's clock at the last sync (`wire.clock.LARGE_SKEW`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from checkpoint.wire.clock import EARLIEST_PLAUSIBLE, LARGE_SKEW

BACKWARDS_TOLERANCE: Final = timedelta(minutes=2)
"""A clock this much earlier than the newest record is still believed (a small correction)."""
FAR_AHEAD: Final = timedelta(days=366)
"""A clock this far past every time vouched for is in the wrong year."""


class ClockDoubt(StrEnum):
    """Why the laptop's clock cannot be believed as it is (catalog: `clock.doubt.<value>`)."""

    BEFORE_LAST_RECORD = "before_last_record"
    BEFORE_RELEASE = "before_release"
    BEFORE_REGISTRATION = "before_registration"
    FAR_FUTURE = "far_future"
    FAR_FROM_HUB = "far_from_hub"


@dataclass(frozen=True, slots=True)
class ClockFacts:
    """What is known besides the clock itself."""

    last_record_at: datetime | None = None
    """The time the log's newest record was written at."""
    registered_at: datetime | None = None
    """When the checkpoint was registered at `checkpoint init` (as that clock said)."""
    skew: timedelta | None = None
    """This clock minus the hub's at the last sync; None before one."""
    hub_time_at: datetime | None = None
    """The hub's clock at the last sync."""


def clock_doubts(now: datetime, facts: ClockFacts) -> tuple[ClockDoubt, ...]:
    """Every doubt about a clock that says `now`, most telling first; () for a clock to believe."""
    found: list[ClockDoubt] = []
    if now < EARLIEST_PLAUSIBLE:
        found.append(ClockDoubt.BEFORE_RELEASE)
    elif (
        facts.registered_at is not None
        and facts.registered_at >= EARLIEST_PLAUSIBLE
        and now < facts.registered_at - BACKWARDS_TOLERANCE
    ):
        found.append(ClockDoubt.BEFORE_REGISTRATION)
    if facts.last_record_at is not None and now < facts.last_record_at - BACKWARDS_TOLERANCE:
        found.append(ClockDoubt.BEFORE_LAST_RECORD)
    vouched = [
        t
        for t in (facts.last_record_at, facts.hub_time_at)
        if t is not None and t >= EARLIEST_PLAUSIBLE
    ]
    if vouched and now > max(vouched) + FAR_AHEAD:
        found.append(ClockDoubt.FAR_FUTURE)
    if facts.skew is not None and abs(facts.skew) > LARGE_SKEW:
        found.append(ClockDoubt.FAR_FROM_HUB)
    return tuple(found)


def span_parts(span: timedelta) -> tuple[int, str]:
    """A span as whole days and the rest as H:MM:SS (its sign dropped): (2, "3:04:05")."""
    seconds = round(abs(span.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return days, f"{hours}:{minutes:02d}:{seconds:02d}"
