"""The lane's side panel on a wide terminal: the last vehicles and the open cases.

At 120 columns the occupants table leaves half the lane empty; this panel puts there what a
volunteer otherwise leaves the lane for (history, the observation queue). Hidden on a narrow
terminal (the `-narrow` screen class, `app.tcss`). The app reloads it as the lane saves; a slow
timer catches what changes elsewhere (a case decided on the follow-up screen).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from checkpoint.screening.follow_up import FollowUp
from checkpoint.screening.lane_side import OpenCase, RecentPassage, open_cases, recent_passages

if TYPE_CHECKING:
    from checkpoint.tui.app import CheckpointApp

RELOAD_S = 5.0
"""How often the panel reads the log again besides each save (cases decided elsewhere)."""


class LaneSide(Vertical):
    """Last vehicles (plate, people, time, fever mark) and open cases (who, ℃, since when)."""

    vehicles: reactive[tuple[RecentPassage, ...]] = reactive(tuple, init=False)
    """The shift's last passages, newest first."""
    cases: reactive[tuple[OpenCase, ...]] = reactive(tuple, init=False)
    """The cases not decided yet, oldest first."""

    def __init__(self, shift_id: uuid.UUID, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shift_id = shift_id

    @property
    def checkpoint_app(self) -> CheckpointApp:
        return cast("CheckpointApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="side-vehicles")
        yield Static(id="side-cases")

    def on_mount(self) -> None:
        self.relabel()
        self.reload()
        self.set_interval(RELOAD_S, self.reload)

    @work(thread=True, exclusive=True, exit_on_error=False, group="side")
    def reload(self) -> None:
        """Read the log again (in a thread) and show what it holds."""
        desk = self.checkpoint_app.desk
        vehicles = recent_passages(store=desk.store, shift_id=self.shift_id)
        follow = FollowUp(store=desk.store, rule=desk.fever_rule, clock=desk.clock)
        cases = open_cases(follow)
        self.app.call_from_thread(self._loaded, tuple(vehicles), tuple(cases))

    def _loaded(self, vehicles: tuple[RecentPassage, ...], cases: tuple[OpenCase, ...]) -> None:
        self.vehicles, self.cases = vehicles, cases

    def watch_vehicles(self) -> None:
        self.relabel()

    def watch_cases(self) -> None:
        self.relabel()

    def relabel(self) -> None:
        """Both lists in the current language (also on F2)."""
        t = self.checkpoint_app.t
        zone = self.checkpoint_app.desk.settings.checkpoint.zone
        lines = Text(t("tui.side.vehicles"), style="bold")
        for p in self.vehicles:
            plate = p.plate or t(f"vehicle_type.{p.vehicle_type.value}")
            at = p.passed_at.astimezone(zone).strftime("%H:%M")
            lines.append(f"\n{at} {plate}  {t('tui.side.people', count=p.people)}")
            if p.fever:
                lines.append(" ⚠", style="bold red")
        if not self.vehicles:
            lines.append(f"\n{t('tui.side.none')}", style="dim")
        self.query_one("#side-vehicles", Static).update(lines)

        cases = Text(t("tui.side.cases"), style="bold")
        for case in self.cases:
            value = "—" if case.temperature_c is None else f"{case.temperature_c:.1f} ℃"
            since = (
                t("tui.side.since", time=case.since.astimezone(zone).strftime("%H:%M"))
                if case.since
                else ""
            )
            cases.append(f"\n{case.who or t('tui.side.unnamed')}  ")
            cases.append(value, style="bold red")
            cases.append(f"  {since}")
        if not self.cases:
            cases.append(f"\n{t('tui.side.no_cases')}", style="dim")
        self.query_one("#side-cases", Static).update(cases)
