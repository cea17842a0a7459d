"""The observation queue: open cases with the time since they were opened; Enter resumes one."""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from checkpoint.screening.follow_up import CaseView, FollowUp
from checkpoint.tui.base import AppScreen
from checkpoint.tui.case_names import case_who
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.widgets.key_bar import KeyBar


class QueueScreen(AppScreen):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "back", priority=True)]

    def __init__(self, operator: str) -> None:
        super().__init__()
        self.operator = operator
        self._back_from_case = False
        """Shown again after a follow-up: with no case left open, the lane is where to go."""

    def compose(self) -> ComposeResult:
        yield Static(id="queue-title")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.relabel()
        self.query_one(DataTable).focus()
        self._load()
        self.set_interval(15.0, self._load)

    def on_screen_resume(self) -> None:
        self._load()

    def on_screen_suspend(self) -> None:
        self._back_from_case = True

    def relabel(self) -> None:
        self.query_one("#queue-title", Static).update(self.t("tui.queue.title"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def _load(self) -> None:
        follow = FollowUp(store=self.desk.store, rule=self.desk.fever_rule, clock=self.desk.clock)
        self.app.call_from_thread(self._show, follow.open_cases())

    def _show(self, views: list[CaseView]) -> None:
        if not views and self._back_from_case and self.is_current:
            # The last case was just decided: an empty queue would only swallow the keys typed
            # for the next vehicle (Ctrl+N and its plate), so the volunteer is put back on the lane.
            self.dismiss(None)
            return
        t = self.t
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(*(t(f"tui.queue.{c}") for c in ("who", "stage", "elapsed", "next")))
        now = self.desk.clock()
        for view in views:
            state = view.state
            opened = state.opened_at or now
            minutes = int((now - opened).total_seconds() // 60)
            steps = view.next_steps
            table.add_row(
                case_who(view, t, self.desk.settings.checkpoint.zone),
                t(f"case.stage.{state.stage.value}") if state.stage else "—",
                t("tui.queue.minutes", minutes=minutes),
                t(f"case.step.{steps[0].value}") if steps else "—",
                key=view.person_id.hex,
            )

    @on(DataTable.RowSelected)
    def _resume(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(FollowUpScreen(uuid.UUID(hex=event.row_key.value), self.operator))

    def action_back(self) -> None:
        self.dismiss(None)
