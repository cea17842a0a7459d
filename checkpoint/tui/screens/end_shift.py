"""End of shift: the shift's figures, the handover note and the leader's sign-off."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from checkpoint.screening.desk import ShiftCounters, ShiftInfo
from checkpoint.tui.base import AppScreen
from checkpoint.tui.widgets.key_bar import KeyBar


class EndShiftScreen(AppScreen):
    """Dismissed with True once the shift is closed, None if the volunteer went back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "back")]

    def __init__(self, shift: ShiftInfo, counters: ShiftCounters) -> None:
        super().__init__()
        self.shift = shift
        self.counters = counters

    def compose(self) -> ComposeResult:
        with Vertical(id="shift-form"):
            yield Static(id="end-title")
            yield Static(id="end-figures")
            yield Label(id="note-label")
            yield Input(id="note", compact=True)
            yield Label(id="sign-label")
            yield Input(id="sign", compact=True)
            yield Static(id="end-hint", classes="hint")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.relabel()
        self.query_one("#note", Input).focus()

    def relabel(self) -> None:
        t, c = self.t, self.counters
        self.query_one("#end-title", Static).update(t("tui.end.title", leader=self.shift.leader))
        self.query_one("#end-figures", Static).update(
            t(
                "tui.end.figures",
                people=c.people,
                vehicles=c.vehicles,
                inbound=c.inbound,
                outbound=c.outbound,
                non_local=c.non_local,
                flagged=c.flagged,
                open_cases=c.open_cases,
                turned_back=c.turned_back,
                disinfected=c.disinfected,
            )
        )
        self.query_one("#note-label", Label).update(t("tui.end.note"))
        self.query_one("#sign-label", Label).update(t("tui.end.sign", leader=self.shift.leader))

    @on(Input.Submitted, "#note")
    def _to_sign(self) -> None:
        self.query_one("#sign", Input).focus()

    @on(Input.Submitted, "#sign")
    def _sign(self, event: Input.Submitted) -> None:
        if event.value.strip() != self.shift.leader:
            hint = self.query_one("#end-hint", Static)
            hint.update(self.t("tui.end.sign_mismatch", leader=self.shift.leader))
            hint.add_class("error")
            return
        self._close(self.query_one("#note", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def _close(self, note: str) -> None:
        self.desk.close_shift(self.shift.id, leader=self.shift.leader, note=note)
        self.app.call_from_thread(self.dismiss, True)

    def action_back(self) -> None:
        self.dismiss(None)
