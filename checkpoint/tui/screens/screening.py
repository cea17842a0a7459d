"""The main screen: a vehicle, its occupants, and each one's temperature, faster than paper.

Quick mode: the current row's temperature fills live from the thermometer; Enter saves the
person. A typed temperature is checked (3.6 or 373 are explained, nothing is lost). A value at
or over the threshold turns the row red and rings the bell.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Select, Static
from textual.worker import Worker, WorkerState

from checkpoint.domain.documents import detect_document_kind, parse_document
from checkpoint.domain.masking import mask_document, mask_name
from checkpoint.domain.phones import parse_phone
from checkpoint.domain.plates import Plate, parse_plate
from checkpoint.domain.readings import Reading, parse_typed_temperature
from checkpoint.domain.vocabulary import (
    Direction,
    DirectionMode,
    DocumentKind,
    Instrument,
    VehicleType,
)
from checkpoint.errors import CheckpointError
from checkpoint.screening.desk import (
    PersonEntry,
    ShiftCounters,
    ShiftInfo,
    VehicleEntry,
)
from checkpoint.thermometer.events import Measurement
from checkpoint.tui.base import AppScreen
from checkpoint.tui.messages import ScreeningSaved
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.screens.history import HistoryScreen
from checkpoint.tui.screens.queue import QueueScreen
from checkpoint.tui.screens.reason import ReasonScreen
from checkpoint.tui.widgets.key_bar import KeyBar
from checkpoint.tui.widgets.status_bar import StatusBar


class ScreeningScreen(AppScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next_vehicle", "next vehicle", priority=True),
        Binding("ctrl+l", "focus_plate", "plate", priority=True),
        Binding("ctrl+d", "disinfected", "disinfected", priority=True),
        Binding("ctrl+t", "turn_back", "turn back", priority=True),
        Binding("ctrl+r", "release", "release", priority=True),
        Binding("ctrl+e", "end_shift", "end shift", priority=True),
        Binding("ctrl+o", "queue", "observation queue", priority=True),
        Binding("ctrl+f", "history_list", "history", priority=True),
    ]

    device_reading: reactive[Reading | None] = reactive(None)
    """The measurement waiting in the temperature field, if it came from the thermometer."""

    def __init__(self, shift: ShiftInfo) -> None:
        super().__init__()
        self.shift = shift
        self._passage_id: uuid.UUID | None = None
        self._vehicle: VehicleEntry | None = None
        self._lock = threading.Lock()
        self._people = 0
        self._saving = False
        """A save is under way: Enter waits for it."""

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        yield Static(id="banner")
        with Horizontal(id="vehicle"):
            yield Input(id="plate", compact=True)
            yield Select(
                self._type_options(), id="vehicle-type", allow_blank=False, value=VehicleType.CAR
            )
            yield Select(
                self._direction_options(), id="direction", allow_blank=False, value=Direction.IN
            )
            yield Input(id="origin", compact=True)
        with Horizontal(id="person"):
            yield Input(id="name", compact=True)
            yield Input(id="document", compact=True)
            yield Input(id="phone", compact=True)
        with Horizontal(id="temperature-row"):
            yield Input(id="temperature", compact=True)
        yield Static(id="temperature-hint", classes="hint")
        yield DataTable(id="occupants", cursor_type="row", zebra_stripes=True)
        yield StatusBar(id="status")
        yield KeyBar(id="keys")

    def _type_options(self) -> list[tuple[str, VehicleType]]:
        return [(self.t(f"vehicle_type.{v.value}"), v) for v in VehicleType]

    def _direction_options(self) -> list[tuple[str, Direction]]:
        return [(self.t(f"direction.{d.value}"), d) for d in Direction]

    def on_mount(self) -> None:
        table = self.query_one("#occupants", DataTable)
        table.add_columns("#", "℃", " ", "⏱", "👤")
        two_way = self.desk.settings.checkpoint.direction_mode is DirectionMode.TWO_WAY
        self.query_one("#direction", Select).display = two_way
        self.relabel()
        self.refresh_counters()
        self.query_one("#temperature", Input).focus()

    def relabel(self) -> None:
        t = self.t
        app = self.checkpoint_app
        site = self.desk.settings.checkpoint
        top = Text(f" {site.name or site.id}  ·  {t('tui.leader')} {self.shift.leader} ")
        if app.simulated:
            top.append(f" {t('tui.simulated')} ", style="bold reverse yellow")
        self.query_one("#top", Static).update(top)
        self.query_one("#plate", Input).placeholder = t("tui.plate")
        self.query_one("#origin", Input).placeholder = t("tui.origin")
        self.query_one("#temperature", Input).placeholder = t("tui.temperature")
        self.query_one("#name", Input).placeholder = t("tui.name")
        self.query_one("#document", Input).placeholder = t("tui.document")
        self.query_one("#phone", Input).placeholder = t("tui.phone")
        self.query_one("#vehicle-type", Select).set_options(self._type_options())
        self.query_one("#direction", Select).set_options(self._direction_options())
        status = self.query_one(StatusBar)
        status.labels = {
            name: t(f"tui.counter.{name}")
            for name in ("people", "vehicles", "flagged", "turned_back")
        }
        status.thermometer = app.thermometer_text()
        self._show_hint(t("tui.hint.quick"), error=False)
        self.update_banner()

    def update_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        text = self.checkpoint_app.banner_text()
        banner.update(text)
        banner.set_class(bool(text), "shown")

    def _show_hint(self, text: str, *, error: bool) -> None:
        hint = self.query_one("#temperature-hint", Static)
        hint.update(text)
        hint.set_class(error, "error")

    # -- the thermometer --------------------------------------------------------------------

    def measurement_arrived(self, measurement: Measurement) -> None:
        """A stable reading: it fills the temperature of the current row."""
        field = self.query_one("#temperature", Input)
        if field.value and self.device_reading is None:
            return  # the volunteer is typing: never overwrite what they typed
        reading = measurement.reading
        self.device_reading = reading
        field.value = f"{reading.value_c:.1f}" if reading.value_c is not None else ""
        self._show_hint(self.t("tui.hint.measured"), error=False)

    @on(Input.Changed, "#temperature")
    def _typed(self, event: Input.Changed) -> None:
        reading = self.device_reading
        if reading is not None and event.value != f"{reading.value_c:.1f}":
            self.device_reading = None  # edited by hand: it is a typed value now

    # -- saving a person --------------------------------------------------------------------

    @on(Input.Submitted, "#plate")
    def _plate_done(self) -> None:
        self.query_one("#temperature", Input).focus()

    @on(Input.Submitted, "#origin")
    def _origin_done(self) -> None:
        self.query_one("#temperature", Input).focus()

    @on(Input.Submitted, "#name")
    def _name_done(self) -> None:
        self.query_one("#document", Input).focus()

    @on(Input.Submitted, "#document")
    def _document_done(self) -> None:
        self.query_one("#phone", Input).focus()

    @on(Input.Submitted, "#phone")
    def _phone_done(self) -> None:
        self.query_one("#temperature", Input).focus()

    @on(Input.Submitted, "#temperature")
    def _save_person(self) -> None:
        if self._saving:
            return  # a second Enter (key bounce, impatience) must not save the person twice
        field = self.query_one("#temperature", Input)
        try:
            vehicle = self._vehicle_entry()
            person = self._person_entry(vehicle)
            reading = self.device_reading or parse_typed_temperature(
                field.value,
                instrument=Instrument.INFRARED_TYPED,
                taken_at=self.desk.clock(),
            )
        except CheckpointError as error:
            message, advice = error.text(self.language)
            self._show_hint(f"{message} {advice}", error=True)
            self.app.bell()
            return
        self._saving = True
        self._save(vehicle, person, reading, field.value)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A save that failed (the app reports why) frees Enter again; the value is still there.
        if event.worker.name == "_save" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._saving = False

    def _person_entry(self, vehicle: VehicleEntry) -> PersonEntry:
        """The person's details as typed; all optional here, each checked when given."""
        name = self.query_one("#name", Input).value.strip() or None
        document_text = self.query_one("#document", Input).value.strip()
        phone_text = self.query_one("#phone", Input).value.strip()
        document = None
        if document_text:
            kind = detect_document_kind(document_text) or DocumentKind.PASSPORT
            try:
                document = parse_document(kind, document_text, today=self.desk.today())
            except CheckpointError:
                self.query_one("#document", Input).focus()
                raise
        phone = None
        if phone_text:
            try:
                phone = parse_phone(phone_text)
            except CheckpointError:
                self.query_one("#phone", Input).focus()
                raise
        return PersonEntry(name=name, document=document, phone=phone, origin=vehicle.origin)

    def _vehicle_entry(self) -> VehicleEntry:
        if self._vehicle is not None:
            return self._vehicle
        plate_text = self.query_one("#plate", Input).value.strip()
        kind = self.query_one("#vehicle-type", Select).value
        vehicle_type = kind if isinstance(kind, VehicleType) else VehicleType.CAR
        plate: Plate | None = None
        if plate_text:
            plate = parse_plate(plate_text)
        direction = self.query_one("#direction", Select).value
        origin = self.query_one("#origin", Input).value.strip()
        if not origin and plate and plate.province:
            origin = plate.province.name(self.language)
        return VehicleEntry(
            vehicle_type=vehicle_type,
            plate=plate,
            direction=direction if isinstance(direction, Direction) else Direction.IN,
            origin=origin,
        )

    @work(thread=True, exit_on_error=False, group="store")
    def _save(
        self, vehicle: VehicleEntry, person: PersonEntry, reading: Reading, shown: str
    ) -> None:
        """Save in a worker; the field keeps the value until it is saved (a failed save loses
        nothing: the value is still there to save again)."""
        desk, operator = (
            self.desk,
            self.shift.operators[0] if self.shift.operators else self.shift.leader,
        )
        with self._lock:
            if self._passage_id is None:
                self._passage_id = desk.start_passage(self.shift.id, vehicle, operator=operator)
                self._vehicle = vehicle
            result = desk.screen(
                self.shift.id,
                self._passage_id,
                person,
                reading,
                operator=operator,
            )
            counters = desk.counters(self.shift.id)
        who = " ".join(
            part
            for part in (
                mask_name(person.name or ""),
                mask_document(person.document.number) if person.document else "",
            )
            if part
        )
        self.post_message(ScreeningSaved(result, counters, shown, who))

    def on_screening_saved(self, message: ScreeningSaved) -> None:
        self._saving = False
        result = message.result
        field = self.query_one("#temperature", Input)
        if field.value == message.shown:
            field.value = ""
            self.device_reading = None
            for name in ("#name", "#document", "#phone"):
                self.query_one(name, Input).value = ""
        self._people += 1
        assessment = result.assessment
        value = "—" if assessment.rounded_c is None else f"{assessment.rounded_c}"
        flag = (
            self.t("tui.row.fever")
            if assessment.at_or_over
            else (self.t("tui.row.case") if result.case_opened else self.t("tui.row.ok"))
        )
        style = (
            "bold white on red"
            if assessment.at_or_over
            else ("bold yellow" if result.case_opened else "")
        )
        now = self.desk.clock().astimezone(self.desk.settings.checkpoint.zone).strftime("%H:%M:%S")
        self.query_one("#occupants", DataTable).add_row(
            Text(str(self._people), style=style),
            Text(value, style=style),
            Text(flag, style=style),
            Text(now, style=style),
            Text(message.who, style=style),
            key=str(result.person_id),
        )
        self.query_one(StatusBar).counters = message.counters
        if assessment.at_or_over:
            self.app.bell()
            self._show_hint(self.t("tui.hint.fever", value=value), error=True)
            self._follow_up(result.person_id)  # the follow-up opens at once
        elif result.case_opened:
            self._show_hint(self.t("tui.hint.case", reasons=", ".join(result.reasons)), error=True)
        else:
            self._show_hint(self.t("tui.hint.saved", value=value), error=False)

    # -- vehicles ---------------------------------------------------------------------------

    def action_next_vehicle(self) -> None:
        """Close this vehicle and start the next: the form and the list are cleared."""
        self._passage_id = None
        self._vehicle = None
        self._people = 0
        for name in ("#plate", "#origin", "#temperature"):
            self.query_one(name, Input).value = ""
        self.query_one("#occupants", DataTable).clear()
        # After the next refresh: coming back from the reason box restores the old focus first.
        self.call_after_refresh(self.query_one("#plate", Input).focus)

    def _passage(self) -> uuid.UUID | None:
        if self._passage_id is None:
            self._show_hint(
                " ".join(CheckpointError.of("desk.no_vehicle").text(self.language)), error=True
            )
        return self._passage_id

    def _operator(self) -> str:
        return self.shift.operators[0] if self.shift.operators else self.shift.leader

    def action_disinfected(self) -> None:
        passage = self._passage()
        if passage is not None:
            self._vehicle_action(
                lambda: self.desk.disinfect(passage, by=self._operator()),
                self.t("tui.action.disinfected"),
                next_vehicle=False,
            )

    def action_turn_back(self) -> None:
        passage = self._passage()
        if passage is None:
            return

        def turn_back(reason: str | None) -> None:
            if reason is None:
                return
            self._vehicle_action(
                lambda: self.desk.turn_back(passage, reason=reason, by=self._operator()),
                self.t("tui.action.turned_back", reason=reason),
                next_vehicle=True,
            )

        self.app.push_screen(ReasonScreen(self.t("tui.action.turn_back_question")), turn_back)

    def action_release(self) -> None:
        passage = self._passage()
        if passage is not None:
            self._vehicle_action(
                lambda: self.desk.release(passage, by=self._operator()),
                self.t("tui.action.released"),
                next_vehicle=True,
            )

    @work(thread=True, exit_on_error=False, group="store")
    def _vehicle_action(self, act: Callable[[], None], done: str, *, next_vehicle: bool) -> None:
        try:
            with self._lock:
                act()
                counters = self.desk.counters(self.shift.id)
        except CheckpointError as error:
            text = " ".join(error.text(self.language))
            self.app.call_from_thread(self._show_hint, text, error=True)
            self.app.call_from_thread(self.app.bell)
            return
        self.app.call_from_thread(self._action_done, done, counters, next_vehicle)

    def _action_done(self, done: str, counters: ShiftCounters, next_vehicle: bool) -> None:
        self.query_one(StatusBar).counters = counters
        if next_vehicle:
            self.action_next_vehicle()
        self._show_hint(done, error=False)

    def action_end_shift(self) -> None:
        self._end_shift()

    @work(thread=True, exit_on_error=False, group="store")
    def _end_shift(self) -> None:
        counters = self.desk.counters(self.shift.id)
        self.app.call_from_thread(self.checkpoint_app.end_shift, self.shift, counters)

    def action_history_list(self) -> None:
        self.app.push_screen(HistoryScreen())

    def action_queue(self) -> None:
        self.app.push_screen(QueueScreen(self._operator()))

    def _follow_up(self, person_id: uuid.UUID) -> None:
        self.app.push_screen(FollowUpScreen(person_id, self._operator()))

    def action_focus_plate(self) -> None:
        self.query_one("#plate", Input).focus()

    def refresh_counters(self) -> None:
        self._load_counters()

    @work(thread=True, exit_on_error=False, group="store")
    def _load_counters(self) -> None:
        counters: ShiftCounters = self.desk.counters(self.shift.id)
        self.app.call_from_thread(setattr, self.query_one(StatusBar), "counters", counters)
