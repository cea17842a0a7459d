"""The application: one factory builds it with its dependencies, the CLI and tests call it."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from checkpoint.errors import CheckpointError
from checkpoint.locale import Language, translate
from checkpoint.screening.desk import ScreeningDesk, ShiftCounters, ShiftInfo
from checkpoint.thermometer.events import Measurement, RawReading, Status, StatusEvent
from checkpoint.thermometer.source import ThermometerSource
from checkpoint.tui.base import AppScreen
from checkpoint.tui.messages import MeasurementReceived, ReadingReceived, ThermometerStatusChanged
from checkpoint.tui.screens.end_shift import EndShiftScreen
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen
from checkpoint.tui.widgets.status_bar import StatusBar

_LINE_DOWN = {Status.DISCONNECTED, Status.RECONNECTING, Status.PORT_ERROR, Status.TIMEOUT}


class CheckpointApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "checkpoint"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "toggle_language", "中文/English", priority=True),
        Binding("ctrl+q", "quit", "quit", priority=True),
    ]

    language: reactive[Language] = reactive("zh-CN")
    """The language of every label; F2 switches it while running."""
    line_status: reactive[Status | None] = reactive(None)
    """The thermometer line's last status; None without a thermometer."""

    def __init__(
        self, desk: ScreeningDesk, thermometer: ThermometerSource | None, language: Language
    ) -> None:
        super().__init__()
        self.desk = desk
        self.thermometer = thermometer
        self.set_reactive(CheckpointApp.language, language)
        self.shift: ShiftInfo | None = None
        self._stop = threading.Event()
        self._last_detail = ""

    @property
    def simulated(self) -> bool:
        return self.thermometer is not None and self.thermometer.simulated

    def t(self, key: str, **params: object) -> str:
        return translate(key, self.language, **params)

    # -- start and stop ---------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.thermometer is not None:
            self.read_thermometer()
        self._resume_or_start()

    @work(thread=True, exclusive=True, exit_on_error=False, group="start")
    def _resume_or_start(self) -> None:
        shift = self.desk.resume_shift()
        self.call_from_thread(self._start, shift)

    def _start(self, shift: ShiftInfo | None) -> None:
        if shift is not None:
            self._enter(shift)
            self.notify(self.t("tui.resumed", leader=shift.leader))
        else:
            self.push_screen(ShiftStartScreen(), self._enter)

    def _enter(self, shift: ShiftInfo | None) -> None:
        if shift is None:
            return
        self.shift = shift
        self.push_screen(ScreeningScreen(shift))

    def end_shift(self, shift: ShiftInfo, counters: ShiftCounters) -> None:
        """Show the end-of-shift sheet; once signed off, the next shift starts."""

        def closed(done: bool | None) -> None:
            if done:
                self.shift = None
                self.pop_screen()  # the screening screen of the closed shift
                self.notify(self.t("tui.end.closed"))
                self.push_screen(ShiftStartScreen(), self._enter)

        self.push_screen(EndShiftScreen(shift, counters), closed)

    def on_unmount(self) -> None:
        self._stop.set()
        if self.thermometer is not None:
            self.thermometer.stop()

    # -- the thermometer --------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="thermometer")
    def read_thermometer(self) -> None:
        assert self.thermometer is not None
        for event in self.thermometer.reader.events(self._stop):
            if isinstance(event, Measurement):
                self.post_message(MeasurementReceived(event))
            elif isinstance(event, RawReading):
                self.post_message(ReadingReceived(event))
            elif isinstance(event, StatusEvent):
                self.post_message(ThermometerStatusChanged(event))

    def on_measurement_received(self, message: MeasurementReceived) -> None:
        screen = self.screen
        if isinstance(screen, AppScreen):
            screen.measurement_arrived(message.measurement)

    def on_reading_received(self, message: ReadingReceived) -> None:
        value = message.reading.reading.value_c
        for bar in self.screen.query(StatusBar):
            bar.last_value = "" if value is None else f"{value:.1f} ℃"

    def on_thermometer_status_changed(self, message: ThermometerStatusChanged) -> None:
        event = message.event
        if event.status in (Status.CONNECTED, Status.DATA_RESUMED) or event.status in _LINE_DOWN:
            self.line_status = event.status
        self._last_detail = event.detail
        if event.status in (Status.AMBIENT_OUT_OF_RANGE, Status.SURFACE_ONLY, Status.UNIT_CHANGED):
            self.notify(self.t(f"thermometer.status.{event.status.value}"), severity="warning")

    def watch_line_status(self) -> None:
        self._refresh_labels()

    def thermometer_text(self) -> str:
        """The thermometer part of the status bar, in the current language."""
        if self.thermometer is None:
            return self.t("tui.manual")
        state = self.line_status.value if self.line_status else "reconnecting"
        text = f"🌡 {self.thermometer.label} {self.t(f'thermometer.status.{state}')}"
        return f"{text} [{self.t('tui.simulated')}]" if self.simulated else text

    def banner_text(self) -> str:
        """A banner above the form when the volunteer must know something, else ""."""
        if self.thermometer is None:
            return self.t("tui.banner.manual")
        if self.line_status in _LINE_DOWN:
            return self.t("tui.banner.unplugged", detail=self._last_detail)
        return ""

    # -- language ---------------------------------------------------------------------------

    def action_toggle_language(self) -> None:
        self.language = "en" if self.language == "zh-CN" else "zh-CN"

    def watch_language(self) -> None:
        self._refresh_labels()

    def _refresh_labels(self) -> None:
        screen = self.screen if self.is_running and self.screen_stack else None
        # A screen still composing has no labels yet: its own on_mount sets them.
        if isinstance(screen, AppScreen) and screen.is_mounted:
            screen.relabel()
            screen.show_keys()

    # -- the command palette (Ctrl+P) -------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the current screen and of the app, by name in the current language,
        so an action can be found by typing its name as well as by its key."""
        shown: set[str] = set()
        for owner in (screen, self):
            for binding in owner.BINDINGS:
                if not isinstance(binding, Binding) or binding.action in shown:
                    continue
                shown.add(binding.action)
                name = self.t(f"key.{binding.action}")
                key = binding.key_display or binding.key.upper().replace("CTRL+", "Ctrl+")
                yield SystemCommand(
                    binding.description if name.startswith("key.") else name,
                    key,
                    partial(owner.run_action, binding.action),
                )
        yield from super().get_system_commands(screen)

    # -- errors, in one place ---------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, CheckpointError):
            message, hint = error.text(self.language)
            self.notify(f"{message}\n{hint}", severity="error", timeout=30)
        else:
            self.notify(self.t("tui.unexpected", detail=repr(error)), severity="error", timeout=30)
        self.bell()


def make_app(
    desk: ScreeningDesk, thermometer: ThermometerSource | None, *, language: Language | None = None
) -> CheckpointApp:
    """The app with its dependencies; the CLI, the tests and the snapshots all call this."""
    return CheckpointApp(desk, thermometer, language or desk.settings.ui.language)
