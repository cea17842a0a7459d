"""The site tally in words and columns, shared by the text, terminal and PDF renderers.

Each other lane says where its figures come from and when it last handed in: "10:42",
"not since 10:42" (longer ago than `[site] stale_minutes`), "never", or the day report its
figures are. Figures of a lane with nothing for the period are "—", never 0: nothing is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from checkpoint.domain.lanes import lane_name_shown
from checkpoint.locale import Language, translate
from checkpoint.reports.model import Figures, Report
from checkpoint.reports.site_model import LaneSource, SiteLane, SiteTally

COLUMNS = ("people", "passages", "at_or_over", "turned_back")
"""The figures shown per lane (the total has them all in the JSON form)."""
NARROW_COLUMNS = ("people", "at_or_over")
"""The figures shown per lane on a 58 mm receipt."""


def _t(key: str, language: Language, **params: object) -> str:
    return translate(key, language, **params)


def when(moment: datetime, now: datetime, zone: ZoneInfo) -> str:
    """A hand-in time: the clock time on the day of `now`, else the date too."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    return local.strftime("%H:%M" if local.date() == today.date() else "%m-%d %H:%M")


def lane_shown(lane: SiteLane, language: Language) -> str:
    """The lane's name; another lane with no name here by its id's first characters (as its
    `checkpoint init` printed it), until it sends a day report or is named at the site."""
    if lane.name or lane.own or not lane.lane_id:
        return lane_name_shown(lane.name, language)
    return _t("site.unnamed", language, lane_id=lane.lane_id[:8])


def lane_label(lane: SiteLane, language: Language) -> str:
    name = lane_shown(lane, language)
    return _t("site.own", language, name=name) if lane.own else name


def handed_in(lane: SiteLane, tally: SiteTally, zone: ZoneInfo, language: Language) -> str:
    """Where the lane's figures come from and when it last handed in."""
    if lane.own:
        return _t("site.live", language)
    if lane.last_handed_in is None:
        return _t("site.never", language)
    at = when(lane.last_handed_in, tally.generated_at, zone)
    text = _t("site.since" if lane.stale else "site.at", language, time=at)
    if lane.source is LaneSource.DAY_REPORT:
        text += " " + _t("site.day_report", language, day=lane.report_day)
    return text


def column_titles(columns: Sequence[str], report: Report, language: Language) -> list[str]:
    return [
        _t(f"site.col.{name}", language, threshold=f"{report.threshold_c:.1f}") for name in columns
    ]


def cells(figures: Figures | None, columns: Sequence[str]) -> list[str]:
    return ["—" if figures is None else str(getattr(figures, name)) for name in columns]


def notes(tally: SiteTally, zone: ZoneInfo, language: Language) -> list[str]:
    """The sentences under the table: what "as of" means, what the total leaves out, which
    lanes have not handed in since when."""
    out = [_t("site.as_of_note", language)]
    left_out = [
        lane_shown(lane, language)
        for lane in tally.lanes
        if lane.source is LaneSource.DAY_REPORT and not lane.in_total
    ]
    if left_out:
        out.append(_t("site.not_in_total", language, lanes=_joined(left_out, language)))
    behind = [
        f"{lane_shown(lane, language)} "
        + (
            _t("site.never", language)
            if lane.last_handed_in is None
            else _t(
                "site.since", language, time=when(lane.last_handed_in, tally.generated_at, zone)
            )
        )
        for lane in tally.behind
    ]
    if behind:
        out.append(_t("site.behind", language, lanes=_joined(behind, language)))
    else:
        out.append(_t("site.all_in", language, minutes=tally.stale_minutes))
    return out


def _joined(items: Sequence[str], language: Language) -> str:
    return ("；" if language == "zh-CN" else "; ").join(items)
