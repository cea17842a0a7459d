"""Shift start: who is on duty, who leads, and each one's own temperature (上岗前测温)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from checkpoint.domain.staff_checks import SEPARATORS, staff_entries, staff_names, waiting_name
from checkpoint.errors import CheckpointError
from checkpoint.tui.base import AppScreen
from checkpoint.tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from checkpoint.domain.readings import Reading
    from checkpoint.screening.handover import Handover
    from checkpoint.thermometer.events import Measurement


class ShiftStartScreen(AppScreen):
    """Dismissed with the opened shift.

    Shown while the log is still opening: typing works at once, and a submit made before the
    log is open waits for it (saying so) and goes ahead as soon as it is.
    """

    OWN_TOP_LINE = True

    waiting: reactive[bool] = reactive(False)
    """A submit is waiting for the log to open."""

    def __init__(self) -> None:
        super().__init__()
        self._opening = False
        """The shift is being written: keys typed meanwhile belong to the lane."""
        self._measured: dict[str, Reading] = {}
        """Staff readings that came from the thermometer, by name, as filled in the field."""
        self._held: Reading | None = None
        """A reading that arrived while a name was being typed: it waits for the name's end."""
        self._typed_at = float("-inf")
        """When the volunteer last changed the staff line (monotonic seconds)."""
        self._written: str | None = None
        """The staff line as this screen last wrote it (a change to it is not the volunteer's)."""
        self._handover: Handover | None = None
        """The note the last shift left, once read from the log."""

    def compose(self) -> ComposeResult:
        yield Static(id="shift-top")
        with Vertical(id="shift-form"):
            yield Static(id="shift-title")
            yield Static(id="handover")
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
        measuring = self.checkpoint_app.thermometer is not None
        self.query_one("#staff-label", Label).update(
            t("tui.shift.staff_measured" if measuring else "tui.shift.staff")
        )
        self.query_one("#shift-top", Static).update(self._top_line())
        self.query_one("#staff", Input).placeholder = t("tui.shift.staff_placeholder")
        self.query_one("#open-shift", Button).label = t("tui.shift.open")
        if self.waiting:
            self.query_one("#shift-hint", Static).update(t("tui.shift.opening"))
        if self._handover is not None:
            self._show_handover(self._handover)

    def on_mount(self) -> None:
        self.relabel()
        self.query_one("#leader", Input).focus()
        self.watch(self.app, "opened", self._log_opened, init=False)
        self.query_one("#handover", Static).display = False
        if self.checkpoint_app.opened:
            self._load_handover()

    @work(thread=True, exclusive=True, exit_on_error=False, group="handover")
    def _load_handover(self) -> None:
        from checkpoint.screening.handover import last_handover

        handover = last_handover(self.desk.store)
        if handover is not None:
            self.app.call_from_thread(self._show_handover, handover)

    def _show_handover(self, handover: Handover) -> None:
        """The last shift's note, until this shift opens (the form goes with it)."""
        self._handover = handover
        zone = self.desk.settings.checkpoint.zone
        line = self.query_one("#handover", Static)
        line.update(
            self.t(
                "endshift.handover",
                leader=handover.leader,
                at=handover.closed_at.astimezone(zone).strftime("%m-%d %H:%M"),
                note=handover.note,
            )
        )
        line.display = True

    def _top_line(self) -> Text:
        """The thermometer (or typed temperatures) and SIMULATED, as on the lane's top line."""
        app = self.checkpoint_app
        line = Text(" ")
        if app.opened:
            line.append(app.thermometer_text(marked=False))
        if app.simulated:
            line.append(f" {self.t('tui.simulated')} ", style="bold reverse yellow")
        banner = app.banner_text() if app.opened else ""
        if banner:
            line.append(f"\n {banner}", style="bold")
        return line

    @property
    def holds_keys(self) -> bool:
        return self.waiting or self._opening

    def _log_opened(self, opened: bool) -> None:
        self.relabel()
        if opened:
            self._load_handover()
        if opened and self.waiting:
            self.waiting = False
            self._submit()

    def watch_waiting(self, waiting: bool) -> None:
        self._hint(self.t("tui.shift.opening") if waiting else "", error=False)

    def measurement_arrived(self, measurement: Measurement) -> None:
        """A staff member's own reading: it goes after the name typed last, once that name is
        finished (never inside it: "Zhao Le" may be "Zhao Lei" one key later)."""
        reading = measurement.reading
        field = self.query_one("#staff", Input)
        if reading.value_c is None:
            if field.has_focus:
                self._hint(self.t("tui.shift.no_value"), error=True)
            return
        value = f"{reading.value_c:.1f}"
        name = waiting_name(field.value)
        if name is None:
            # Someone measured while the field waits for no one: said only while the volunteer
            # is at the staff field, so that the leader's and operators' fields stay quiet.
            if field.has_focus:
                self._hint(self.t("tui.shift.name_first", value=value), error=True)
            return
        pause = self.desk.settings.ui.staff_name_pause_s
        if field.has_focus and time.monotonic() - self._typed_at < pause:
            self._held = reading  # a newer reading replaces one held: the last one counts
            self._hint(self.t("devices.staff.held", value=value), error=False)
            self.set_timer(pause, self._name_paused)
            return
        self._place(reading)

    def _name_paused(self) -> None:
        if self._held is None:
            return
        idle = time.monotonic() - self._typed_at
        pause = self.desk.settings.ui.staff_name_pause_s
        if idle < pause:
            self.set_timer(pause - idle, self._name_paused)  # still typing: wait again
        else:
            self._place_held()

    def _place_held(self, separator: str | None = None, text: str | None = None) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._place(held, separator, text)

    def _place(
        self, reading: Reading, separator: str | None = None, text: str | None = None
    ) -> None:
        """Write `reading` after the name the staff line (`text`, else the field's) ends with;
        `separator` ends the entry (the one the volunteer typed), else the language's comma."""
        field = self.query_one("#staff", Input)
        value = f"{reading.value_c:.1f}"
        text = field.value if text is None else text
        name = waiting_name(text)
        if name is None:  # the name was deleted meanwhile: whose reading it is is unknown
            self._hint(self.t("tui.shift.name_first", value=value), error=True)
            return
        if separator is None:
            separator = "，" if self.language == "zh-CN" else ", "
        elif separator in ",;":
            separator += " "
        self._written = f"{text.rstrip()} {value}{separator}"
        field.value = self._written
        field.cursor_position = len(field.value)
        self._measured[name] = reading
        if self.desk.fever_rule.assess(reading).at_or_over:
            self._hint(self.t("tui.shift.staff_fever", name=name, value=value), error=True)
        else:
            self._hint(self.t("tui.shift.staff_measured_one", name=name, value=value), error=False)

    @on(Input.Changed, "#staff")
    def _staff_typed(self, event: Input.Changed) -> None:
        if event.value == self._written:
            return  # the screen's own writing, not a key
        self._typed_at = time.monotonic()
        text = event.value
        if self._held is not None and text and text[-1] in SEPARATORS:
            # The volunteer ended the name: the reading goes before the separator they typed.
            self._place_held(text[-1], text[:-1])

    @on(Input.Blurred, "#staff")
    def _staff_left(self) -> None:
        self._place_held()  # moving on finishes the name

    def _hint(self, text: str, *, error: bool) -> None:
        hint = self.query_one("#shift-hint", Static)
        hint.update(text)
        hint.set_class(error, "error")

    def _staff(self) -> list[tuple[str, Reading]]:
        # Imported on submit: the form is the first screen, shown before anything else loads.
        from checkpoint.domain.readings import parse_typed_temperature
        from checkpoint.domain.vocabulary import Instrument

        text = self.query_one("#staff", Input).value
        entries = []
        for name, value in staff_entries(text):
            measured = self._measured.get(name)
            if measured is not None and value == f"{measured.value_c:.1f}":
                entries.append((name, measured))  # from the thermometer, as it was filled in
                continue
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
        if event.input.id == "staff":
            self._place_held()  # Enter finishes the name being typed
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
        operators = staff_names(self.query_one("#operators", Input).value)
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
        self._opening = True
        self._open(leader, operators or [leader], staff)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A shift that could not be opened (the app says why) gives the keys back to the form.
        if event.worker.name == "_open" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._opening = False

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def _open(self, leader: str, operators: list[str], staff: list[tuple[str, Reading]]) -> None:
        shift = self.desk.open_shift(leader=leader, operators=operators, staff_readings=staff)
        self.app.call_from_thread(self.dismiss, shift)
