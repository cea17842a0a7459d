"""What a site laptop's report adds: every lane of the checkpoint, the total, and when each
other lane last handed in (`checkpoint/site/tally.py` computes it).

A lane is counted once: this laptop's own lane from its log, as the rest of the report; each
other lane from what it handed in to this laptop (its records, counted for the report's
period, or, without records, its daily report). Figures of another lane are "as of" its last
hand-in: whatever it screened since is not in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from checkpoint.reports.model import Figures


class LaneSource(StrEnum):
    """Where a lane's figures in the site tally come from."""

    LIVE = "live"
    """This laptop's own lane, from its log: the figures of the rest of the report."""
    RECORDS = "records"
    """The records the lane handed in, counted for the report's period."""
    DAY_REPORT = "day-report"
    """The lane's daily report (no records of it here): the day's figures, not the shift's."""
    NONE = "none"
    """Nothing of the period handed in."""


@dataclass(frozen=True, slots=True)
class SiteLane:
    """One lane in the site tally."""

    lane_id: str
    """Its UUID; empty for a lane expected by name (`[site] lanes`) that never handed in."""
    name: str
    """As its laptop's person named it; empty: the default lane."""
    source: LaneSource
    last_handed_in: datetime | None
    """When its latest record or report reached this laptop; None: never (or the own lane)."""
    stale: bool
    """Not handed in for longer than `[site] stale_minutes` (or never)."""
    new: Figures | None
    """Its figures of the period (None: nothing handed in)."""
    cumulative: Figures | None
    in_total: bool
    """Counted in the site total (a day report is not, in a shift's tally)."""
    report_day: str = ""
    """For `DAY_REPORT`: the report day whose figures these are."""

    @property
    def own(self) -> bool:
        return self.source is LaneSource.LIVE


@dataclass(frozen=True, slots=True)
class SiteTally:
    """The checkpoint's tally of all its lanes, as this laptop knows them."""

    generated_at: datetime
    lanes: tuple[SiteLane, ...]
    """This laptop's lane first, then the others by name."""
    total_new: Figures
    total_cumulative: Figures
    stale_minutes: int

    @property
    def behind(self) -> tuple[SiteLane, ...]:
        """Other lanes that have not handed in lately, or never."""
        return tuple(lane for lane in self.lanes if not lane.own and lane.stale)
