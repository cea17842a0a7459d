"""The application: one factory builds it with its dependencies, the CLI and tests call it."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from checkpoint.errors import CheckpointError
from checkpoint.locale import DEFAULT_LANGUAGE, Language, translate
from checkpoint.tui.base import AppScreen
from checkpoint.tui.key_order import KeyOrder
from checkpoint.tui.messages import (
    CardPlaced,
    CardTurnedDown,
    ClockChecked,
    CodeWasScanned,
    DeskOpened,
    IdReaderStatusChanged,
    MeasurementReceived,
    ReadingReceived,
    ScannerStatusChanged,
    ScreeningSaved,
    SyncFailed,
    SyncFinished,
    ThermometerStatusChanged,
)
from checkpoint.tui.screens.shift_start import ShiftStartScreen

# The shift-start form is all the first screen needs. The desk (SQLAlchemy, the store, the
# configuration model) and the other screens are imported behind it: by the worker that opens
# the log, or when a screen is first shown.
if TYPE_CHECKING:
    from checkpoint.domain.clock import ClockFacts
    from checkpoint.idcard.events import ReaderStatus
    from checkpoint.idcard.source import IdReaderSource
    from checkpoint.scanner.reader import ScannerReader
    from checkpoint.screening.desk import ScreeningDesk, ShiftCounters, ShiftInfo
    from checkpoint.sync.background import BackgroundSync, Synced, SyncFailure, SyncTiming
    from checkpoint.thermometer.events import Status
    from checkpoint.thermometer.source import ThermometerSource


def _line_down(status: Status | None) -> bool:
    """The thermometer's line is down (unplugged, reconnecting, failing)."""
    from checkpoint.thermometer.events import Status

    return status in (Status.DISCONNECTED, Status.RECONNECTING, Status.PORT_ERROR, Status.TIMEOUT)


class Opened(NamedTuple):
    """What an opener returns: the desk over the open log, and the devices there are."""

    desk: ScreeningDesk
    thermometer: ThermometerSource | None
    id_reader: IdReaderSource | None = None
    scanner: ScannerReader | None = None


Opener = Callable[[], Opened]
"""Opens the log (and the thermometer); a blocking call, run in a thread worker."""


CLOCK_CHECK_S = 60.0
"""How often the lane looks at the laptop's clock again (a jump shows within a minute)."""


def _system_now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


_READER_WARNINGS = frozenset({"not-authorised", "self-test-failed"})
"""ID reader states a volunteer is told about at once (the banner says the line is down)."""

MOUNT_WAIT_S = 5.0
"""How long ending the app waits for a screen still mounting (one that never finishes, hung in
its on_mount, must not keep the app from ending)."""


class CheckpointApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "checkpoint"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 (Textual's)
    """Screen classes by width: a wide terminal shows the lane's side panel and more columns."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "toggle_language", "中文/English", priority=True),
        Binding("ctrl+q", "quit", "quit", priority=True),
        # Named in the clock's banner, which shows only when the clock is in doubt.
        Binding("ctrl+k", "confirm_clock", "clock is right", show=False, priority=True),
    ]

    language: reactive[Language] = reactive("zh-CN")
    """The language of every label; F2 switches it while running."""
    line_status: reactive[Status | None] = reactive(None)
    """The thermometer line's last status; None without a thermometer."""
    id_reader_status: reactive[ReaderStatus | None] = reactive(None)
    """The ID card reader's last line status; None without a reader."""
    opened: reactive[bool] = reactive(False)
    """True once the log is open: until then the shift form takes typing but not a submit."""
    sync_outcome: reactive[Synced | SyncFailure | None] = reactive(None, init=False)
    """The last background sync's outcome; None before the first (or without a hub)."""
    clock_facts: reactive[ClockFacts | None] = reactive(None, init=False)
    """What the log and the last sync say about this laptop's clock; None before the first
    look (`screening.clock_check`)."""

    def __init__(
        self,
        opener: Opener,
        language: Language,
        *,
        language_from_settings: bool = False,
        sync_timing: SyncTiming | None = None,
        simulating: bool = False,
        resuming: str | None = None,
    ) -> None:
        super().__init__()
        from checkpoint.tui import wide_chars

        wide_chars.install()  # labels in Chinese drawn whole under and over other widgets
        self._simulating = simulating
        self._resuming = resuming
        self._opener = opener
        self._sync_timing = sync_timing
        self._sync: BackgroundSync | None = None
        self._sync_retry_at = 0.0
        self._desk: ScreeningDesk | None = None
        self.thermometer: ThermometerSource | None = None
        self.id_reader: IdReaderSource | None = None
        self.scanner: ScannerReader | None = None
        self._id_reader_detail = ""
        self.set_reactive(CheckpointApp.language, language)
        self._language_from_settings = language_from_settings
        self.shift: ShiftInfo | None = None
        self.open_error: BaseException | None = None
        """Why the log could not be opened; the app exits and the CLI reports it."""
        self._stop = threading.Event()
        self._last_detail = ""
        self._key_order = KeyOrder(self)
        self.wall_clock: Callable[[], datetime] = _system_now
        """The laptop's clock, as the log's records are stamped with it (tests set a wrong
        one): the clock the banner doubts."""
        self._clock_confirmed: frozenset[str] = frozenset()
        """The doubts about the clock the shift leader confirmed (Ctrl+K): not shown again."""

    @property
    def desk(self) -> ScreeningDesk:
        """The desk over the open log; screens use it only once `opened` is True."""
        if self._desk is None:
            raise RuntimeError("the log is not open yet")
        return self._desk

    @property
    def simulated(self) -> bool:
        """The thermometer is the simulator (said before the log and the line are open, when
        the command asked for one, so that no screen ever looks like a real measurement)."""
        if self.thermometer is not None:
            return self.thermometer.simulated
        return self._simulating and not self.opened

    def t(self, key: str, **params: object) -> str:
        return translate(key, self.language, **params)

    # -- start and stop ---------------------------------------------------------------------

    def on_mount(self) -> None:
        if self._resuming is not None:
            # A shift was left open: no form to type into, the keys wait for the lane.
            from checkpoint.tui.screens.resuming import ResumingScreen

            self.push_screen(ResumingScreen(self._resuming))
            return
        # The form first, so that the volunteer can type while the log opens behind it.
        self.push_screen(ShiftStartScreen(), self._enter)

    def on_ready(self) -> None:
        # Once the form is on screen: the imports behind the log would otherwise hold the GIL
        # while the first frame is being drawn.
        self._open()

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _open(self) -> None:
        opened = self._opener()
        self.id_reader, self.scanner = opened.id_reader, opened.scanner
        self.post_message(DeskOpened(opened.desk, opened.thermometer, opened.desk.resume_shift()))

    async def on_desk_opened(self, message: DeskOpened) -> None:
        from checkpoint.tui.screens.resuming import ResumingScreen

        self._desk = message.desk
        self.thermometer = message.thermometer
        if self._language_from_settings:
            self.language = message.desk.settings.ui.language
        if self.thermometer is not None:
            self.read_thermometer()
        if self.id_reader is not None:
            self.read_id_cards()
        if self.scanner is not None:
            self.read_scanner()
        self._start_sync(message.desk)
        self._check_clock()
        self.set_interval(CLOCK_CHECK_S, self._check_clock)
        shift = message.shift
        waiting = self.screen
        kept = waiting.take_keys() if isinstance(waiting, ResumingScreen) else []
        if shift is not None:
            # The form (or the resuming screen) shown while the log opened gives way to the
            # lane of the open shift.
            from checkpoint.tui.screens.screening import ScreeningScreen

            self.shift = shift
            await self.switch_screen(ScreeningScreen(shift))
            self.notify(self.t("tui.resumed", leader=shift.leader))
        elif isinstance(waiting, ResumingScreen):
            # The quick look saw an open shift that the log does not (closed meanwhile).
            await self.pop_screen()
            await self.push_screen(ShiftStartScreen(), self._enter)
        self.opened = True
        for key in kept:
            # Replayed in order, after the new screen's focus (queued by its on_mount).
            self.post_message(events.Key(key.key, key.character))

    def _enter(self, shift: ShiftInfo | None) -> None:
        if shift is None:
            return
        from checkpoint.tui.screens.screening import ScreeningScreen

        self.shift = shift
        self.push_screen(ScreeningScreen(shift))

    def end_shift(self, shift: ShiftInfo, counters: ShiftCounters) -> None:
        """Show the end-of-shift sheet; once signed off, the next shift starts."""
        from checkpoint.tui.screens.end_shift import EndShiftScreen

        def closed(done: bool | None) -> None:
            if done:
                self.shift = None
                self.pop_screen()  # the screening screen of the closed shift
                self.notify(self.t("tui.end.closed"))
                self.push_screen(ShiftStartScreen(), self._enter)

        self.push_screen(EndShiftScreen(shift, counters), closed)

    async def on_event(self, event: events.Event) -> None:
        # Keys of one terminal read are applied one after the other, each once the previous
        # one has settled (key_order.py): a scanner's "name⏎document⏎" lands where it would
        # if typed slowly.
        await self._key_order.handle(event, self._apply_event)

    async def _apply_event(self, event: events.Event) -> None:
        # Every key and click of the volunteer, before any widget or binding handles it (a
        # key held by the key order counts when it is applied, in its turn).
        if isinstance(event, (events.Key, events.MouseDown)) and not event.is_forwarded:
            screen = self.screen if self.screen_stack else None
            if isinstance(screen, AppScreen):
                screen.volunteer_acted()
        await super().on_event(event)

    async def action_quit(self) -> None:
        """Quit; the screen shown stores what it holds first (see `AppScreen.leave`)."""
        screen = self.screen
        if isinstance(screen, AppScreen):
            screen.leave(self.exit)
        else:
            self.exit()

    async def _shutdown(self) -> None:
        # However the app ends (Ctrl+Q, an error, a test leaving run_test), a screen still
        # mounting is let finish first. The lane is the current screen from the moment it is
        # switched to, before its widgets mount; taken down under them, Textual's own widgets
        # fail in their on_mount (a Select finds its option list gone: NoMatches), and those
        # tracebacks are what would be shown instead of a clean exit.
        mounting = [screen for screen in self.screen_stack if not screen.is_mounted]
        deadline = time.monotonic() + MOUNT_WAIT_S
        while any(not screen.is_mounted for screen in mounting) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await super()._shutdown()

    def on_unmount(self) -> None:
        self._key_order.close()
        self._stop.set()
        if self._sync is not None:
            self._sync.stop()
        if self.thermometer is not None:
            self.thermometer.stop()
        if self.id_reader is not None:
            self.id_reader.stop()

    # -- the thermometer --------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="thermometer")
    def read_thermometer(self) -> None:
        from checkpoint.thermometer.events import Measurement, RawReading, StatusEvent

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
        from checkpoint.tui.widgets.status_bar import StatusBar

        value = message.reading.reading.value_c
        for bar in self.screen.query(StatusBar):
            bar.last_value = "" if value is None else f"{value:.1f} ℃"
        screen = self.screen
        if isinstance(screen, AppScreen):
            screen.reading_arrived(message.reading)

    def on_thermometer_status_changed(self, message: ThermometerStatusChanged) -> None:
        from checkpoint.thermometer.events import Status

        event = message.event
        if event.status in (Status.CONNECTED, Status.DATA_RESUMED) or _line_down(event.status):
            self.line_status = event.status
        self._last_detail = event.detail
        if event.status in (Status.AMBIENT_OUT_OF_RANGE, Status.SURFACE_ONLY, Status.UNIT_CHANGED):
            self.notify(self.t(f"thermometer.status.{event.status.value}"), severity="warning")

    def watch_line_status(self) -> None:
        self._refresh_labels()

    # -- the ID card reader and the scanner --------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="id_reader")
    def read_id_cards(self) -> None:
        from checkpoint.idcard.events import CardRead, CardRefused

        assert self.id_reader is not None
        for event in self.id_reader.reader.events(self._stop):
            if isinstance(event, CardRead):
                self.post_message(CardPlaced(event))
            elif isinstance(event, CardRefused):
                self.post_message(CardTurnedDown(event))
            else:
                self.post_message(IdReaderStatusChanged(event))

    def on_card_placed(self, message: CardPlaced) -> None:
        screen = self.screen
        if isinstance(screen, AppScreen):
            screen.card_arrived(message.event.card)

    def on_card_turned_down(self, message: CardTurnedDown) -> None:
        text, hint = message.event.error.text(self.language)
        self.notify(f"{self.t('idcard.refused')} {text}\n{hint}", severity="error", timeout=15)
        self.bell()

    def on_id_reader_status_changed(self, message: IdReaderStatusChanged) -> None:
        from checkpoint.idcard.events import ReaderStatus

        event = message.event
        self._id_reader_detail = event.detail
        if event.status in _READER_WARNINGS:
            self.notify(self.t(f"idcard.status.{event.status.value}"), severity="warning")
        if event.status not in (ReaderStatus.NO_CARD, ReaderStatus.CARD_REMOVED):
            self.id_reader_status = event.status
        elif self.id_reader_status is not ReaderStatus.CONNECTED:
            self.id_reader_status = ReaderStatus.CONNECTED  # answering again

    def watch_id_reader_status(self) -> None:
        self._refresh_labels()

    def id_reader_down(self) -> bool:
        """The ID card reader is configured but unplugged, silent or failing."""
        from checkpoint.idcard.events import ReaderStatus

        return self.id_reader is not None and self.id_reader_status not in (
            None,
            ReaderStatus.CONNECTED,
        )

    def id_reader_text(self) -> str:
        """The reader's part of the status bar, "" without one."""
        if self.id_reader is None:
            return ""
        state = self.id_reader_status.value if self.id_reader_status else "reconnecting"
        text = f"🪪 {self.t(f'idcard.status.{state}')}"
        return f"{text} [{self.t('tui.simulated')}]" if self.id_reader.simulated else text

    @work(thread=True, exclusive=True, exit_on_error=False, group="scanner")
    def read_scanner(self) -> None:
        from checkpoint.scanner.reader import CodeScanned

        assert self.scanner is not None
        for event in self.scanner.events(self._stop):
            if isinstance(event, CodeScanned):
                self.post_message(CodeWasScanned(event))
            else:
                self.post_message(ScannerStatusChanged(event))

    def on_code_was_scanned(self, message: CodeWasScanned) -> None:
        screen = self.screen
        if isinstance(screen, AppScreen):
            screen.code_scanned(message.event.text)

    def on_scanner_status_changed(self, message: ScannerStatusChanged) -> None:
        from checkpoint.scanner.reader import ScannerStatus

        status = message.event.status
        if status in (ScannerStatus.DISCONNECTED, ScannerStatus.PORT_ERROR):
            self.notify(
                self.t(f"scanner.status.{status.value}", detail=message.event.detail),
                severity="warning",
            )

    def thermometer_text(self, *, marked: bool = True) -> str:
        """The thermometer part of the status bar, in the current language; `marked` adds
        "[SIMULATED]" for the simulator (a screen that shows its own mark leaves it out)."""
        if self.thermometer is None:
            reader = self.id_reader_text()
            return f"{self.t('tui.manual')}  {reader}" if reader else self.t("tui.manual")
        state = self.line_status.value if self.line_status else "reconnecting"
        text = f"🌡 {self.thermometer.label} {self.t(f'thermometer.status.{state}')}"
        if marked and self.simulated:
            text = f"{text} [{self.t('tui.simulated')}]"
        reader = self.id_reader_text()
        return f"{text}  {reader}" if reader else text

    def banner_text(self) -> str:
        """A banner above the form when the volunteer must know something, else ""."""
        lines = [self.clock_text()]
        if self.thermometer is None:
            lines.append(self.t("tui.banner.manual"))
        elif _line_down(self.line_status):
            lines.append(self.t("tui.banner.unplugged", detail=self._last_detail))
        if self.id_reader_down():
            lines.append(self.t("idcard.banner.unplugged", detail=self._id_reader_detail))
        return "\n".join(line for line in lines if line)

    # -- the laptop's clock -----------------------------------------------------------------

    def clock_text(self) -> str:
        """What is wrong with the laptop's clock, in plain words, unless the leader confirmed
        it; "" for a clock to believe."""
        from checkpoint.domain.clock import clock_doubts
        from checkpoint.screening.clock_check import clock_warning

        facts = self.clock_facts
        if facts is None:
            return ""
        now = self.wall_clock()
        doubts = {d.value for d in clock_doubts(now, facts)}
        if not doubts or doubts <= self._clock_confirmed:
            return ""
        return clock_warning(now, facts, self.language) or ""

    @work(thread=True, exclusive=True, exit_on_error=False, group="clock")
    def _check_clock(self) -> None:
        if self._desk is None:
            return
        from checkpoint.screening.clock_check import read_facts

        self.post_message(ClockChecked(read_facts(self._desk.store)))

    def on_clock_checked(self, message: ClockChecked) -> None:
        self.clock_facts = message.facts

    def watch_clock_facts(self) -> None:
        self._refresh_labels()

    def action_confirm_clock(self) -> None:
        """The shift leader says the clock is right as it is: its doubts are not shown again
        (new ones are). Screening never stopped for them."""
        from checkpoint.domain.clock import clock_doubts

        if self.clock_facts is None:
            return
        now = self.wall_clock()
        doubts = {d.value for d in clock_doubts(now, self.clock_facts)}
        if not doubts:
            return
        self._clock_confirmed = self._clock_confirmed | doubts
        self.notify(self.t("clock.confirmed", now=now.strftime("%Y-%m-%d %H:%M UTC")))
        self._refresh_labels()

    # -- the background sync ---------------------------------------------------------------

    def _start_sync(self, desk: ScreeningDesk) -> None:
        settings = desk.settings.sync
        if settings.hub_url is None or settings.token is None:
            return
        from checkpoint.sync.background import BackgroundSync

        self._sync = BackgroundSync(
            desk.store,
            hub_url=str(settings.hub_url),
            token=settings.token.get_secret_value(),
            checkpoint_id=desk.settings.checkpoint.id,
            interval_s=settings.interval_seconds,
            timing=self._sync_timing,
        )
        self._run_sync(self._sync)
        self.set_interval(1.0, self._count_down)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync")
    def _run_sync(self, runner: BackgroundSync) -> None:
        runner.run(
            lambda outcome: self.post_message(SyncFinished(outcome)),
            lambda failure: self.post_message(SyncFailed(failure)),
        )

    def on_screening_saved(self, _message: ScreeningSaved) -> None:
        # Bubbled up from the lane: new records, so sync soon, and show them beside the lane.
        from checkpoint.tui.widgets.lane_side import LaneSide

        # The lane may be under the follow-up it has just opened for a fever.
        for screen in self.screen_stack:
            for side in screen.query(LaneSide):
                side.reload()
        if self._sync is not None:
            self._sync.nudge()

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.sync_outcome = message.outcome
        self._check_clock()  # the sync learned the hub's time

    def on_sync_failed(self, message: SyncFailed) -> None:
        self._sync_retry_at = time.monotonic() + message.failure.retry_in_s
        self.sync_outcome = message.failure
        self._check_clock()

    def watch_sync_outcome(self) -> None:
        self._show_sync()

    def _count_down(self) -> None:
        from checkpoint.sync.background import SyncFailure

        if isinstance(self.sync_outcome, SyncFailure):
            self._show_sync()

    def _show_sync(self) -> None:
        from checkpoint.tui.widgets.status_bar import StatusBar

        outcome = self.sync_outcome
        unsynced = outcome.unsynced if outcome is not None else None
        held = outcome.held_back if outcome is not None else None
        for bar in self.screen.query(StatusBar):
            bar.sync = self.sync_text()
            if unsynced is not None:
                bar.counters = dataclasses.replace(bar.counters, unsynced=unsynced)
            if held is not None:
                bar.counters = dataclasses.replace(bar.counters, held_back=held)

    def _local_time(self, at: datetime | None) -> str:
        if at is None or self._desk is None:
            return ""
        zone = self._desk.settings.checkpoint.zone
        local = at.astimezone(zone)
        today = self._desk.clock().astimezone(zone).date()
        return local.strftime("%H:%M" if local.date() == today else "%m-%d %H:%M")

    def sync_text(self) -> str:
        """The sync part of the status bar, in the current language; with the clock's distance
        from the hub's when the last sync found it large."""
        text = self._sync_state_text()
        facts = self.clock_facts
        if text and facts is not None and facts.skew is not None:
            from checkpoint.locale.spans import skew_text
            from checkpoint.wire.clock import LARGE_SKEW

            if abs(facts.skew) > LARGE_SKEW:
                text += "  " + self.t("tui.sync.skew", skew=skew_text(facts.skew, self.language))
        return text

    def _sync_state_text(self) -> str:
        if self._desk is None:
            return ""
        settings = self._desk.settings.sync
        if settings.hub_url is None:
            return self.t("tui.sync.offline")
        if settings.token is None:
            return self.t("tui.sync.no_token")
        outcome = self.sync_outcome
        if outcome is None:
            return self.t("tui.sync.connecting")
        # Only once there is an outcome: the client (httpx, pydantic, the store) must not be
        # imported before the first screen is drawn (bench/startup.py).
        from checkpoint.sync.background import Synced
        from checkpoint.sync.client import Problem

        last = self._local_time(outcome.last_success_at)
        if isinstance(outcome, Synced):
            return self.t("tui.sync.synced", time=last)
        if outcome.error is not None:
            problem = self.t("tui.sync.problem.local", detail=outcome.error.text(self.language)[0])
        elif outcome.problem is not Problem.UNREACHABLE and (short := self._short(outcome.refusal)):
            problem = short
        elif outcome.problem is Problem.UNREACHABLE:
            cause = outcome.cause.value if outcome.cause else "network"
            problem = self.t(
                "tui.sync.problem.unreachable",
                cause=self.t(f"tui.sync.cause.{cause}", status=outcome.status),
            )
        elif outcome.problem is Problem.HUB_FULL:
            problem = self.t("tui.sync.problem.hub_full")
        elif outcome.problem is Problem.TOKEN:
            problem = self.t("tui.sync.problem.token", status=outcome.status)
        else:
            problem = self.t("tui.sync.problem.refused", status=outcome.status or "—")
        seconds = max(0, round(self._sync_retry_at - time.monotonic()))
        text = self.t("tui.sync.failed", problem=problem, seconds=seconds)
        return f"{text}{self.t('tui.sync.last', time=last)}" if last else text

    def _short(self, refusal: CheckpointError | None) -> str:
        """The status bar's short form of a hub's refusal or an HTTPS failure (what is wrong
        and what to do), when its code has one."""
        if refusal is None or not refusal.code:
            return ""
        key = f"{refusal.code}.short"
        text = self.t(key, **refusal.params)
        return "" if text == key else text

    # -- language ---------------------------------------------------------------------------

    def action_toggle_language(self) -> None:
        self._language_from_settings = False  # the volunteer's choice stands
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
        from checkpoint.tui.widgets.key_bar import key_name

        label = screen.key_label if isinstance(screen, AppScreen) else self._key_label
        shown: set[str] = set()
        for owner in (screen, self):
            for binding in owner.BINDINGS:
                if (
                    not isinstance(binding, Binding)
                    or not binding.show  # Enter, say: a key of the fields, not a command
                    or binding.action in shown
                ):
                    continue
                shown.add(binding.action)
                name = label(binding.action)
                if name is None:
                    continue  # Textual's own (copy, focus next), named in English only
                key = binding.key_display or key_name(binding.key, self.language)
                yield SystemCommand(name, key, partial(owner.run_action, binding.action))
        # Textual's own entries (theme, keys panel, maximize, screenshot) are left out: they
        # are English only, and none of them helps at a checkpoint; quitting is a key above.

    def _key_label(self, action: str) -> str | None:
        name = self.t(f"key.{action}")
        return None if name == f"key.{action}" else name

    def action_command_palette(self) -> None:
        """The palette, with its prompt and "no matches" in the current language."""
        from checkpoint.tui.screens.palette import Palette

        if self.use_command_palette and not Palette.is_open(self):  # type: ignore[arg-type]
            placeholder = self.t("palette.placeholder")
            self.push_screen(Palette(placeholder=placeholder, no_matches=self.t("palette.none")))

    # -- errors, in one place ---------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "open":
            # Nothing can be logged: leave the screens and let the CLI say why.
            self.open_error = error
            self.exit(return_code=1)
            return
        if isinstance(error, CheckpointError):
            message, hint = error.text(self.language)
            self.notify(f"{message}\n{hint}", severity="error", timeout=30)
        else:
            self.notify(self.t("tui.unexpected", detail=repr(error)), severity="error", timeout=30)
        self.bell()


def make_app(
    desk: ScreeningDesk | Opener,
    thermometer: ThermometerSource | None = None,
    *,
    id_reader: IdReaderSource | None = None,
    scanner: ScannerReader | None = None,
    language: Language | None = None,
    sync_timing: SyncTiming | None = None,
    simulating: bool = False,
    resuming: str | None = None,
) -> CheckpointApp:
    """The app with its dependencies; the CLI, the tests and the snapshots all call this.

    `desk` is an open desk (with `thermometer`), or an opener that the app runs in a thread
    worker behind the shift-start form, so that the form shows at once (`checkpoint run`). With
    an open desk the labels are in `language`, by default the settings'. With an opener they
    are in `language` (default: the built-in one) until the settings are read, then in the
    settings' language, unless the volunteer switched with F2 in the meantime.

    With a hub and a token in the settings' [sync], the log is sent in the background once it
    is open; `sync_timing` changes its pace (the tests make it quick). `simulating` says that
    the opener starts the simulator, so the first screen is marked SIMULATED before it runs.
    `resuming` (the leader's name) says that the log holds an open shift (`store.peek`): the
    first screen is then not the shift form but one that keeps the keys typed for the lane.
    """
    if callable(desk):
        return CheckpointApp(
            desk,
            language or DEFAULT_LANGUAGE,
            language_from_settings=True,
            sync_timing=sync_timing,
            simulating=simulating,
            resuming=resuming,
        )
    opened = Opened(desk, thermometer, id_reader, scanner)
    return CheckpointApp(
        lambda: opened,
        language or desk.settings.ui.language,
        sync_timing=sync_timing,
        simulating=thermometer is not None and thermometer.simulated,
    )
