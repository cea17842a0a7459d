"""Shift start: who is on duty, who leads, and each one's own temperature (上岗前测温)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Button, Input, Label, Static

from checkpoint.errors import CheckpointError
from checkpoint.tui.base import AppScreen
from checkpoint.tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from checkpoint.domain.readings import Reading

_STAFF_ENTRY = re.compile(
    r"\s*([^\s,;:=，；：]+)\s*[=:：]?\s*([0-9０-９][0-9０-９.,，。]*\s*[CFcf℃℉]?)"
)


class ShiftStartScreen(AppScreen):
    """Dismissed with the opened shift.

    Shown while the log is still opening: typing works at once, and a submit made before the
    log is open waits for it (saying so) and goes ahead as soon as it is.
    """

    waiting: reactive[bool] = reactive(False)
    """A submit is waiting for the log to open."""

    def compose(self) -> ComposeResult:
        with Vertical(id="shift-form"):
            yield Static(id="shift-title")
            yield Label(id="leader-label")
            yield Input(id="leader", compact=True)
            yield Label(id="operators-label")
            yield Input(id="operators", compact=True)
            yield Label(id="staff-label")
            yield Input(id="staff", compact=True)
            yield Static(id="shift-hint", classes="hint")
            yield Button(id="open-shift", variant="primary")
        yield KeyBar(id="keys")

    def relabel(self) -> None:
        t = self.t
        self.query_one("#shift-title", Static).update(t("tui.shift.title"))
        self.query_one("#leader-label", Label).update(t("tui.shift.leader"))
        self.query_one("#operators-label", Label).update(t("tui.shift.operators"))
        self.query_one("#staff-label", Label).update(t("tui.shift.staff"))
        self.query_one("#staff", Input).placeholder = t("tui.shift.staff_placeholder")
        self.query_one("#open-shift", Button).label = t("tui.shift.open")
        if self.waiting:
            self.query_one("#shift-hint", Static).update(t("tui.shift.opening"))

    def on_mount(self) -> None:
        self.relabel()
        self.query_one("#leader", Input).focus()
        self.watch(self.app, "opened", self._log_opened, init=False)

    def _log_opened(self, opened: bool) -> None:
        if opened and self.waiting:
            self.waiting = False
            self._submit()

    def watch_waiting(self, waiting: bool) -> None:
        hint = self.query_one("#shift-hint", Static)
        hint.remove_class("error")
        hint.update(self.t("tui.shift.opening") if waiting else "")

    def _staff(self) -> list[tuple[str, Reading]]:
        # Imported on submit: the form is the first screen, shown before anything else loads.
        from checkpoint.domain.readings import parse_typed_temperature
        from checkpoint.domain.vocabulary import Instrument

        text = self.query_one("#staff", Input).value
        entries = []
        for match in _STAFF_ENTRY.finditer(text):
            name, value = match.groups()
            entries.append(
                (
                    name,
                    parse_typed_temperature(
                        value, instrument=Instrument.INFRARED_TYPED, taken_at=self.desk.clock()
                    ),
                )
            )
        return entries

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        order = ["leader", "operators", "staff"]
        if event.input.id in order[:-1]:
            self.query_one(f"#{order[order.index(event.input.id) + 1]}", Input).focus()
        else:
            self._submit()

    @on(Button.Pressed, "#open-shift")
    def _pressed(self) -> None:
        self._submit()

    def _submit(self) -> None:
        if not self.checkpoint_app.opened:
            self.waiting = True
            return
        hint = self.query_one("#shift-hint", Static)
        leader = self.query_one("#leader", Input).value.strip()
        operators = [
            name
            for name in re.split(r"[\s,;，；、]+", self.query_one("#operators", Input).value)
            if name
        ]
        if not leader:
            hint.update(self.t("tui.shift.leader_required"))
            hint.add_class("error")
            self.query_one("#leader", Input).focus()
            return
        try:
            staff = self._staff()
        except CheckpointError as error:
            message, advice = error.text(self.language)
            hint.update(f"{message} {advice}")
            hint.add_class("error")
            self.query_one("#staff", Input).focus()
            return
        self._open(leader, operators or [leader], staff)

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def _open(self, leader: str, operators: list[str], staff: list[tuple[str, Reading]]) -> None:
        shift = self.desk.open_shift(leader=leader, operators=operators, staff_readings=staff)
        self.app.call_from_thread(self.dismiss, shift)
