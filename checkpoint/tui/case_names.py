"""How a case is named on the screens: the person's name or the vehicle's plate, else (on foot,
no name given) the time the case was opened, never the digits of a random id."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from checkpoint.screening.follow_up import CaseView


def case_who(view: CaseView, t: Callable[..., str], zone: ZoneInfo) -> str:
    """Who the case is about, as the volunteer recognises them."""
    if view.name or view.plate:
        return view.name or view.plate or ""
    opened = view.state.opened_at
    at = opened.astimezone(zone).strftime("%H:%M") if opened else "—"
    return t("tui.case.nameless", at=at)
