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
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, Select, Static
from textual.worker import Worker, WorkerState

from checkpoint.domain.addresses import place_of_address
from checkpoint.domain.masking import mask_document, mask_name
from checkpoint.domain.plates import Plate, normalise_plate, parse_plate, province_hint
from checkpoint.domain.readings import Reading, parse_typed_temperature
from checkpoint.domain.vocabulary import (
    CheckpointKind,
    Direction,
    DirectionMode,
    EntryMode,
    FieldSource,
    HealthCode,
    Instrument,
    PersonRole,
    VehicleType,
)
from checkpoint.errors import CheckpointError, ValidationError
from checkpoint.idcard.card import IdCard
from checkpoint.locale import Terms
from checkpoint.scanner.codes import ScanKind, classify_scan, mask_token
from checkpoint.screening.desk import (
    PersonEntry,
    ShiftCounters,
    ShiftInfo,
    VehicleEntry,
)
from checkpoint.thermometer.events import Measurement, RawReading
from checkpoint.tui.base import AppScreen
from checkpoint.tui.messages import ScreeningSaved
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.screens.history import HistoryScreen
from checkpoint.tui.screens.key_choice import KeyChoiceScreen
from checkpoint.tui.screens.queue import QueueScreen
from checkpoint.tui.screens.reason import ReasonScreen
from checkpoint.tui.widgets.key_bar import KeyBar
from checkpoint.tui.widgets.lane_side import LaneSide
from checkpoint.tui.widgets.live_reading import LiveReading
from checkpoint.tui.widgets.message_line import MessageLine
from checkpoint.tui.widgets.person_details import PersonDetails
from checkpoint.tui.widgets.selects import relabel_select
from checkpoint.tui.widgets.status_bar import StatusBar

_ON_FOOT_KINDS = (CheckpointKind.STATION, CheckpointKind.PIER)
"""Station and pier exits: people pass on foot, the lane starts without a plate."""


class ScreeningScreen(AppScreen):
    OWN_TOP_LINE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next_vehicle", "next vehicle", priority=True),
        Binding("ctrl+l", "focus_plate", "plate", priority=True),
        Binding("ctrl+d", "disinfected", "disinfected", priority=True),
        Binding("ctrl+t", "turn_back", "turn back", priority=True),
        Binding("ctrl+r", "release", "release", priority=True),
        Binding("ctrl+e", "end_shift", "end shift", priority=True),
        Binding("ctrl+o", "queue", "observation queue", priority=True),
        Binding("ctrl+f", "history_list", "history", priority=True),
        Binding("f3", "toggle_mode", "quick/full", priority=True),
        Binding("f4", "focus_temperature", "temperature", priority=True),
        # Before the focused widget's own Enter (a checkbox would tick, a select would open):
        # on the lane Enter saves the person or moves on (action_enter).
        Binding("enter", "enter", "save", show=False, priority=True),
    ]

    device_reading: reactive[Reading | None] = reactive(None)
    """The measurement waiting in the temperature field, if it came from the thermometer."""

    mode: reactive[EntryMode] = reactive(EntryMode.QUICK, init=False)
    """Quick (measurement and Enter) or full (the kind's required fields must be filled)."""
    held: reactive[bool] = reactive(False, init=False)
    """A person of this vehicle has an open case: the co-travellers are held."""

    def __init__(self, shift: ShiftInfo) -> None:
        super().__init__()
        self.shift = shift
        self._passage_id: uuid.UUID | None = None
        self._vehicle: VehicleEntry | None = None
        self._lock = threading.Lock()
        self._people = 0
        self._saving = False
        """A save is under way: Enter waits for it."""
        self._acting = False
        """A vehicle action (disinfected, released, turned back) is being written."""
        self._plate_override: tuple[str, str] | None = None
        """(plate as typed, reason) when an unrecognised plate is kept as seen."""
        self._case_rows: set[str] = set()
        """Occupant rows (person ids) with a case of their own."""
        self.lane_name = ""
        """This laptop's lane, as named at `checkpoint init` (empty: the default lane)."""
        self._card: IdCard | None = None
        """The last ID card that filled the person's row (its line follows F2)."""

    @property
    def holds_keys(self) -> bool:
        # Keys typed during a save belong to the next person (the field is cleared when it is
        # saved); during a release or a turn-back, to the next vehicle.
        return self._saving or self._acting

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        yield Static(id="banner")
        with Horizontal(id="vehicle"):
            yield Input(id="plate", compact=True)
            yield Select(
                self._type_options(),
                id="vehicle-type",
                allow_blank=False,
                value=self._default_vehicle_type(),
                compact=True,
            )
            yield Select(
                self._direction_options(),
                id="direction",
                allow_blank=False,
                value=Direction.IN,
                compact=True,
            )
            yield Checkbox(id="non-local", compact=True)
            yield Input(id="origin", compact=True)
        yield Static(id="lane-hint", classes="hint")
        full = self.desk.settings.screening.entry_mode is EntryMode.FULL
        yield PersonDetails(self.t, self.desk.required_fields if full else (), id="details")
        with Horizontal(id="temperature-row"):
            yield Input(id="temperature", compact=True)
            yield LiveReading(self.t, self.desk.fever_rule, id="live")
            yield Static(id="mode")
        yield MessageLine(id="temperature-hint", classes="hint")
        with Horizontal(id="lane-body"):
            yield DataTable(id="occupants", cursor_type="row", zebra_stripes=True)
            yield LaneSide(self.shift.id, id="side")
        yield StatusBar(id="status")
        yield KeyBar(id="keys")

    def _type_options(self) -> list[tuple[str, VehicleType]]:
        return [(self.t(f"vehicle_type.{v.value}"), v) for v in VehicleType]

    def _direction_options(self) -> list[tuple[str, Direction]]:
        return [(self.t(f"direction.{d.value}"), d) for d in Direction]

    def _default_vehicle_type(self) -> VehicleType:
        on_foot = self.desk.settings.checkpoint.kind in _ON_FOOT_KINDS
        return VehicleType.ON_FOOT if on_foot else VehicleType.CAR

    def on_mount(self) -> None:
        # One row of one small table, read once: the lane never changes while the log is open.
        self.lane_name = self.desk.lane().name
        table = self.query_one("#occupants", DataTable)
        self._columns = table.add_columns("#", "℃", " ", "⏱", "👤")
        two_way = self.desk.settings.checkpoint.direction_mode is DirectionMode.TWO_WAY
        self.query_one("#direction", Select).display = two_way
        self.mode = self.desk.settings.screening.entry_mode
        self._show_vehicle_fields()
        self.relabel()
        self.refresh_counters()
        self.query_one("#temperature", Input).focus()

    def lane_t(self, key: str) -> str:
        """The message `key`, or its `.on_foot` wording when the lane has no vehicle: people on
        foot are a group, and a volunteer must not read "vehicle" where there is none."""
        if self.query_one("#vehicle-type", Select).value is VehicleType.ON_FOOT:
            return self.t(f"{key}.on_foot")
        return self.t(key)

    def key_label(self, action: str) -> str | None:
        # On foot the lane's next arrival is a group of people, not a vehicle.
        if action == "next_vehicle":
            return self.lane_t("key.next_vehicle")
        return super().key_label(action)

    def relabel(self) -> None:
        t = self.t
        app = self.checkpoint_app
        site = self.desk.settings.checkpoint
        where = site.name or site.id
        if self.lane_name:  # several laptops at the checkpoint: which one this is
            where += f"  ·  {t('lanes.label')} {self.lane_name}"
        top = Text(f" {where}  ·  {t('tui.leader')} {self.shift.leader} ")
        if app.simulated:
            top.append(f" {t('tui.simulated')} ", style="bold reverse yellow")
        self.query_one("#top", Static).update(top)
        self.query_one("#plate", Input).placeholder = t("tui.plate")
        self.query_one("#origin", Input).placeholder = t("tui.origin")
        self.query_one("#temperature", Input).placeholder = t("tui.temperature")
        self.query_one("#non-local", Checkbox).label = t("tui.non_local")
        self._relabel_details()
        self.query_one(LaneSide).relabel()
        relabel_select(self.query_one("#vehicle-type", Select), self._type_options())
        relabel_select(self.query_one("#direction", Select), self._direction_options())
        status = self.query_one(StatusBar)
        status.labels = {
            name: t(f"tui.counter.{name}")
            for name in ("people", "turned_back", "unsynced", "held_back")
        }
        for name in ("passages", "at_or_over", "suspected"):
            status.labels[name] = t(f"tui.status.{name}")  # templates: the bar fills them in
        status.labels["threshold"] = f"{self.desk.settings.screening.threshold_c:.1f}"
        status.thermometer = app.thermometer_text()
        status.sync = app.sync_text()
        self.query_one(LiveReading).relabel()
        self._show_card_line()
        # Never over a message not read yet (the line coming back relabels the lane).
        self.query_one(MessageLine).remark(self.lane_t("tui.hint.quick"))
        self.update_banner()
        self._plate_hint()

    def _relabel_details(self) -> None:
        full = self.mode is EntryMode.FULL
        required = self.desk.required_fields if full else ()
        self.query_one(PersonDetails).relabel(self.t, required)
        self.query_one("#mode", Static).update(self.t(f"tui.mode.{self.mode.value}"))

    # -- quick and full mode ----------------------------------------------------------------

    def action_toggle_mode(self) -> None:
        self.mode = EntryMode.FULL if self.mode is EntryMode.QUICK else EntryMode.QUICK

    def watch_mode(self, mode: EntryMode) -> None:
        self.query_one("#more").display = mode is EntryMode.FULL
        self.set_class(mode is EntryMode.FULL, "full")
        self._relabel_details()

    # -- vehicle hints ----------------------------------------------------------------------

    @on(Select.Changed, "#vehicle-type")
    def _show_vehicle_fields(self) -> None:
        on_foot = self.query_one("#vehicle-type", Select).value is VehicleType.ON_FOOT
        self.query_one("#plate", Input).display = not on_foot
        self.query_one("#non-local", Checkbox).display = not on_foot
        self.show_keys()  # "next vehicle" or "next group"

    @on(Input.Changed, "#plate")
    def _plate_changed(self, event: Input.Changed) -> None:
        if self._plate_override and self._plate_override[0] != event.value.strip():
            self._plate_override = None
        self._plate_hint()

    @on(Input.Changed, "#origin")
    @on(Input.Changed, "#person-origin")
    @on(Input.Changed, "#route")
    def _places_changed(self) -> None:
        self._plate_hint()

    def _plate_hint(self) -> None:
        """One line under the vehicle: the plate's province or what is wrong with the plate,
        local or not, and any risk area the places typed name."""
        t = self.t
        parts: list[str] = []
        error = False
        text = self.query_one("#plate", Input).value.strip()
        origin = self.query_one("#origin", Input)
        province = province_hint(text) if text else None
        origin.placeholder = (
            t("tui.origin_suggested", province=province.name(self.language))
            if province
            else t("tui.origin")
        )
        if text and self._vehicle is None:
            try:
                plate = self._parse_plate(text)
            except CheckpointError as problem:
                parts.append(problem.text(self.language)[0])
                error = len(text) >= 7
            else:
                if plate.province:
                    parts.append(t("tui.plate_from", province=plate.province.name(self.language)))
                if plate.override_reason:
                    parts.append(t("tui.plate_kept", reason=plate.override_reason))
                local = self.desk.is_local(plate)
                if local is not None:
                    self.query_one("#non-local", Checkbox).value = not local
                    parts.append(t("tui.local" if local else "tui.non_local"))
        places = " ".join(
            self.query_one(f"#{name}", Input).value for name in ("origin", "person-origin")
        )
        route = self.query_one("#route", Input).value
        risks = (
            self.desk.risk_matches(origin=places, route=route) if places.strip() or route else []
        )
        if risks:
            error = True
            parts.append(
                t(
                    "tui.risk_hint",
                    areas="、".join(
                        f"{area.name} ({t(f'risk_areas.level.{area.level.value}')})"
                        for area in risks
                    ),
                )
            )
        hint = self.query_one("#lane-hint", Static)
        hint.update("  ·  ".join(parts))
        hint.set_class(error, "error")

    def _parse_plate(self, text: str) -> Plate:
        override = self._plate_override
        reason = override[1] if override and override[0] == text else None
        return parse_plate(text, override_reason=reason)

    def update_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        text = self.checkpoint_app.banner_text()
        banner.update(text)
        banner.set_class(bool(text), "shown")

    def _show_hint(self, text: str, *, error: bool) -> None:
        """A message for the volunteer: it stays until their next action (see MessageLine)."""
        self.query_one(MessageLine).say(text, error=error)

    def volunteer_acted(self) -> None:
        self.query_one(MessageLine).release()

    # -- the thermometer --------------------------------------------------------------------

    def measurement_arrived(self, measurement: Measurement) -> None:
        """A stable reading: it fills the temperature of the current row."""
        field = self.query_one("#temperature", Input)
        if field.value and self.device_reading is None:
            return  # the volunteer is typing: never overwrite what they typed
        reading = measurement.reading
        self.query_one(LiveReading).clear()
        self.device_reading = reading
        field.value = f"{reading.value_c:.1f}" if reading.value_c is not None else ""
        field.select_all()  # a digit typed now replaces the measured value, never extends it
        self.query_one(MessageLine).remark(self.t("tui.hint.measured"))

    def reading_arrived(self, reading: RawReading) -> None:
        """Any value: one not (yet) measured shows beside the field, never in it."""
        for live in self.query(LiveReading):  # (none while the screen is still mounting)
            live.follow(reading)

    # -- the ID card reader and the scanner ----------------------------------------------

    def card_arrived(self, card: IdCard) -> None:
        """A card placed: it fills the person's row, unless another person is being typed
        there, when the volunteer is asked first (nothing typed is lost without a yes)."""
        details = self.query_one(PersonDetails)
        if details.typed_by_hand():

            def answered(replace: bool | None) -> None:
                if replace:
                    self._fill_from_card(card)
                else:
                    self._show_hint(self.t("idcard.kept_typed"), error=False)

            question = self.t("idcard.overwrite", name=mask_name(card.name))
            choices = [
                (("y", "j"), self.t("idcard.replace"), True),
                (("n",), self.t("idcard.keep"), False),
            ]
            self.app.push_screen(KeyChoiceScreen[bool](question, choices), answered)
            return
        self._fill_from_card(card)

    def _fill_from_card(self, card: IdCard) -> None:
        details = self.query_one(PersonDetails)
        details.clear()
        values = {"name": card.name, "document": card.id_number}
        place = place_of_address(card.address)
        if place is not None:
            values["person-origin"] = place.origin
        details.fill(values, FieldSource.CARD_READER)
        self._card = card
        self._show_card_line()
        self._plate_hint()  # the risk-area match of the origin shows at once
        self._show_hint(self.t("idcard.filled"), error=False)
        if self.mode is EntryMode.FULL:
            self.query_one("#phone", Input).focus()
        else:
            self.query_one("#temperature", Input).focus()

    def _show_card_line(self) -> None:
        """What the card says that has no field of its own, in the current language; empty
        once the person was saved (the fields the card filled are gone)."""
        line = self.query_one("#card-line", Static)
        card = self._card
        if card is None or not self.query_one(PersonDetails).filled:
            line.update("")
            line.display = False  # no empty row at 80x24 when no card was read
            return
        t = self.t
        place = place_of_address(card.address)
        parts = [
            f"🪪 {t(f'idcard.sex.{card.sex.value}')}",
            card.birth_date.isoformat(),
            card.nation_in(self.language),
            t("idcard.from", place=place.origin if place else card.address),
        ]
        expired = card.expired(self.desk.today())
        if expired:
            parts.append(t("idcard.expired", date=card.valid_to))
        line.update("  ·  ".join(parts))
        line.set_class(expired, "error")
        line.display = True

    def code_scanned(self, text: str) -> None:
        """A serial scan goes to its field: an ID number to the document, anything else is a
        health-code token, whose colour the volunteer then gives with one key."""
        details = self.query_one(PersonDetails)
        if classify_scan(text) is ScanKind.DOCUMENT:
            details.fill({"document": text.strip()}, FieldSource.SCANNER)
            return
        details.fill({"health-token": text.strip()}, FieldSource.SCANNER)
        self._ask_health_colour(text.strip())

    @on(Input.Submitted, "#health-token")
    def _token_typed(self, event: Input.Submitted) -> None:
        # A keyboard-wedge scanner typed the token and its Enter: the colour comes next.
        if event.value.strip():
            self._ask_health_colour(event.value.strip())

    def _ask_health_colour(self, token: str) -> None:
        t = self.t
        choices = [
            (("g", "1"), t("health_code.green"), HealthCode.GREEN),
            (("y", "2"), t("health_code.yellow"), HealthCode.YELLOW),
            (("r", "3"), t("health_code.red"), HealthCode.RED),
            (("n", "0"), t("health_code.none"), HealthCode.NONE),
        ]

        def chosen(colour: HealthCode | None) -> None:
            if colour is not None:
                self.query_one("#health-code", Select).value = colour
            self.query_one("#temperature", Input).focus()

        question = t("idcard.token_colour", token=mask_token(token))
        self.app.push_screen(KeyChoiceScreen[HealthCode](question, choices), chosen)

    @on(Input.Changed, "#temperature")
    def _typed(self, event: Input.Changed) -> None:
        reading = self.device_reading
        if reading is not None and event.value != f"{reading.value_c:.1f}":
            self.device_reading = None  # edited by hand: it is a typed value now

    # -- saving a person --------------------------------------------------------------------

    @on(Input.Submitted, "#plate")
    def _plate_done(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self._another_vehicle_typed()
        if text and self._vehicle is None:
            try:
                self._parse_plate(text)
            except CheckpointError as problem:
                self._offer_override(text, problem)
                return
        self._after_vehicle()

    def _offer_override(self, text: str, problem: CheckpointError) -> None:
        """A plate that matches no pattern: fix it, or keep it as seen with a reason."""
        message, advice = problem.text(self.language)

        def keep(reason: str | None) -> None:
            if reason:
                self._plate_override = (text, reason)
                self._plate_hint()
                self._after_vehicle()
            else:
                self.call_after_refresh(self.query_one("#plate", Input).focus)

        question = self.t("tui.plate_override", problem=f"{message} {advice}")
        self.app.push_screen(ReasonScreen(question), keep)

    def _after_vehicle(self) -> None:
        target = "#name" if self.mode is EntryMode.FULL else "#temperature"
        self.call_after_refresh(self.query_one(target, Input).focus)

    @on(Input.Submitted, "#origin")
    def _origin_done(self) -> None:
        self._after_vehicle()

    @on(Input.Submitted, "#details Input")
    def _detail_done(self, event: Input.Submitted) -> None:
        following = self.query_one(PersonDetails).next_after(event.input.id or "")
        self.query_one(f"#{following}" if following else "#temperature", Input).focus()

    @on(Input.Submitted, "#temperature")
    def _save_person(self) -> None:
        if self._saving:
            return  # a second Enter (key bounce, impatience) must not save the person twice
        field = self.query_one("#temperature", Input)
        try:
            vehicle = self._vehicle_entry()
            person = self._person_entry(vehicle)
            try:
                reading = self.device_reading or parse_typed_temperature(
                    field.value,
                    instrument=Instrument.INFRARED_TYPED,
                    taken_at=self.desk.clock(),
                )
            except CheckpointError:
                field.focus()  # saved from another field: the temperature is what is wrong
                raise
        except CheckpointError as error:
            message, advice = error.text(self.language)
            self._show_hint(f"{message} {advice}", error=True)
            self.app.bell()
            return
        self._saving = True
        self._save(vehicle, person, reading, field.value, self.mode)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A save that failed (the app reports why) frees Enter again; the value is still there.
        if event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        if event.worker.name == "_save":
            self._saving = False
        elif event.worker.name == "_vehicle_action":
            self._acting = False

    def _person_entry(self, vehicle: VehicleEntry) -> PersonEntry:
        """The person's details as typed, each checked; in full mode the kind's required
        fields must be there (the first missing one is focused)."""
        details = self.query_one(PersonDetails)
        values = details.read(now=self.desk.clock(), zone=self.desk.settings.checkpoint.zone)
        values["origin"] = values["origin"] or vehicle.origin
        if vehicle.vehicle_type is VehicleType.ON_FOOT:
            values["role"] = PersonRole.PEDESTRIAN
        elif self._people == 0 and self._passage_id is None:
            values["role"] = PersonRole.DRIVER
        person = PersonEntry(**values)  # type: ignore[arg-type]
        if self.mode is EntryMode.FULL:
            missing = person.missing(self.desk.required_fields)
            if missing:
                details.focus_field(missing[0])
                raise ValidationError.of(
                    "desk.missing_fields", fields=Terms(f"field.{name}" for name in missing)
                )
        return person

    def _vehicle_entry(self) -> VehicleEntry:
        self._another_vehicle_typed()
        if self._vehicle is not None:
            return self._vehicle
        kind = self.query_one("#vehicle-type", Select).value
        vehicle_type = kind if isinstance(kind, VehicleType) else VehicleType.CAR
        plate_text = self.query_one("#plate", Input).value.strip()
        plate: Plate | None = None
        if plate_text and vehicle_type is not VehicleType.ON_FOOT:
            try:
                plate = self._parse_plate(plate_text)
            except CheckpointError:
                self.query_one("#plate", Input).focus()
                raise
        direction = self.query_one("#direction", Select).value
        origin = self.query_one("#origin", Input).value.strip()
        if not origin and plate and plate.province:
            origin = plate.province.canonical  # shown in each reader's language
        destination = self.query_one("#destination", Input).value.strip()
        return VehicleEntry(
            vehicle_type=vehicle_type,
            plate=plate,
            direction=direction if isinstance(direction, Direction) else Direction.IN,
            non_local=self.query_one("#non-local", Checkbox).value,
            origin=origin,
            destination=destination,
        )

    @work(thread=True, exit_on_error=False, group="store")
    def _save(
        self,
        vehicle: VehicleEntry,
        person: PersonEntry,
        reading: Reading,
        shown: str,
        mode: EntryMode,
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
                self.shift.id, self._passage_id, person, reading, operator=operator, mode=mode
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
            self.query_one(PersonDetails).clear()
            self.query_one(LiveReading).clear()  # this person's value was dealt with
            focused = self.focused
            if focused is not None and self._within(focused, "#vehicle"):
                # Saved on foot from the type, direction or origin: the next person starts in
                # their row, or their temperature typed next would go to a select.
                self._after_vehicle()
        self._plate_hint()
        self._people += 1
        assessment = result.assessment
        value = "—" if assessment.rounded_c is None else f"{assessment.rounded_c}"
        if result.case_opened:
            self._case_rows.add(str(result.person_id))
        flag = (
            self.t("tui.row.fever")
            if assessment.at_or_over
            else (
                self.t("tui.row.case")
                if result.case_opened
                else self.t("tui.row.held" if self.held else "tui.row.ok")
            )
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
        if result.case_opened:
            self.held = True
        if assessment.at_or_over:
            self.app.bell()
            self._show_hint(self.t("tui.hint.fever", value=value), error=True)
            self._follow_up(result.person_id)  # the follow-up opens at once
        elif result.case_opened:
            reasons = Terms(f"case.reason.{reason}" for reason in result.reasons)
            self._show_hint(self.t("tui.hint.case", reasons=reasons), error=True)
        elif self.held:
            saved = self.t("tui.hint.saved", value=value)
            self._show_hint(f"{saved} {self.lane_t('tui.hint.held')}", error=True)
        else:
            self._show_hint(self.t("tui.hint.saved", value=value), error=False)

    # -- vehicles ---------------------------------------------------------------------------

    def _another_vehicle_typed(self) -> None:
        """A plate other than the saved vehicle's typed over it (the volunteer did not press
        Ctrl+N): the people from now on belong to that new vehicle, never to the one before,
        whose plate stays as recorded (a wrong one is corrected from the history)."""
        vehicle = self._vehicle
        if vehicle is None or vehicle.vehicle_type is VehicleType.ON_FOOT:
            return
        typed = normalise_plate(self.query_one("#plate", Input).value.strip())
        if not typed or typed == (vehicle.plate.text if vehicle.plate else ""):
            return
        before = (
            vehicle.plate.text
            if vehicle.plate
            else self.t(f"vehicle_type.{vehicle.vehicle_type.value}")
        )
        people = self._people
        origin = self.query_one("#origin", Input)
        if origin.value.strip() == vehicle.origin:
            origin.value = ""  # the last vehicle's; the new plate suggests its own
        self._passage_id = None
        self._vehicle = None
        self._people = 0
        self._case_rows.clear()
        self.held = False
        self.query_one("#occupants", DataTable).clear()
        self._show_hint(
            self.t("lane.another_vehicle", plate=typed, before=before, people=people),
            error=False,
        )

    def action_next_vehicle(self) -> None:
        """Close this vehicle and start the next: the form and the list are cleared."""
        self._passage_id = None
        self._vehicle = None
        self._people = 0
        self._plate_override = None
        self._case_rows.clear()
        self.held = False
        for name in ("#plate", "#origin", "#temperature"):
            self.query_one(name, Input).value = ""
        self.query_one(PersonDetails).clear()
        self.query_one("#non-local", Checkbox).value = False
        self.query_one("#vehicle-type", Select).value = self._default_vehicle_type()
        self.query_one("#occupants", DataTable).clear()
        # After the next refresh: coming back from the reason box restores the old focus first.
        # On foot (a station, a pier) there is no plate: the next person's first field.
        if self._default_vehicle_type() is VehicleType.ON_FOOT:
            self._after_vehicle()
        else:
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

        self.app.push_screen(ReasonScreen(self.lane_t("tui.action.turn_back_question")), turn_back)

    def action_release(self) -> None:
        passage = self._passage()
        if passage is not None:
            self._vehicle_action(
                lambda: self.desk.release(passage, by=self._operator()),
                self.lane_t("tui.action.released"),
                next_vehicle=True,
            )

    def _vehicle_action(self, act: Callable[[], None], done: str, *, next_vehicle: bool) -> None:
        self._acting = True
        self._write_vehicle_action(act, done, next_vehicle=next_vehicle)

    @work(thread=True, exit_on_error=False, group="store", name="_vehicle_action")
    def _write_vehicle_action(
        self, act: Callable[[], None], done: str, *, next_vehicle: bool
    ) -> None:
        try:
            with self._lock:
                act()
                counters = self.desk.counters(self.shift.id)
        except CheckpointError as error:
            self.app.call_from_thread(self._action_refused, " ".join(error.text(self.language)))
            return
        self.app.call_from_thread(self._action_done, done, counters, next_vehicle)

    def _action_refused(self, text: str) -> None:
        self._acting = False
        self._show_hint(text, error=True)
        self.app.bell()

    def _action_done(self, done: str, counters: ShiftCounters, next_vehicle: bool) -> None:
        self._acting = False
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

    # -- co-travellers held -----------------------------------------------------------------

    def watch_held(self, held: bool) -> None:
        """Rows of people without a case of their own say whether they are held."""
        table = self.query_one("#occupants", DataTable)
        flag_column = self._columns[2]
        word = self.t("tui.row.held" if held else "tui.row.ok")
        for row_key in list(table.rows):
            if row_key.value not in self._case_rows:
                table.update_cell(row_key, flag_column, Text(word, style="yellow" if held else ""))
        if held:
            self._show_hint(self.lane_t("tui.hint.held"), error=True)

    def on_screen_resume(self) -> None:
        # Back from the follow-up or the queue: a decided case frees the co-travellers.
        if self._passage_id is not None and self.held:
            self._check_held(self._passage_id)
        # Back from the history: a corrected temperature may have changed the counts.
        self._recount()

    @work(thread=True, exclusive=True, exit_on_error=False, group="recount")
    def _recount(self) -> None:
        counters = self.desk.counters(self.shift.id)
        self.app.call_from_thread(setattr, self.query_one(StatusBar), "counters", counters)

    @work(thread=True, exit_on_error=False, group="store")
    def _check_held(self, passage_id: uuid.UUID) -> None:
        still_open = self.desk.open_cases(passage_id) > 0
        self.app.call_from_thread(self._hold_checked, passage_id, still_open)

    def _hold_checked(self, passage_id: uuid.UUID, still_open: bool) -> None:
        if passage_id != self._passage_id:
            return  # the vehicle left meanwhile (turned back, say): its hold is not this one's
        self.held = still_open
        if not still_open:
            self._show_hint(self.lane_t("tui.hint.hold_lifted"), error=False)

    # -- keys -------------------------------------------------------------------------------

    def _on_foot(self) -> bool:
        if self._vehicle is not None:
            return self._vehicle.vehicle_type is VehicleType.ON_FOOT
        return self.query_one("#vehicle-type", Select).value is VehicleType.ON_FOOT

    def action_enter(self) -> None:
        """Enter on the lane: the temperature field saves (its own Submitted); a checkbox, a
        closed select or a button of the person saves too, and on foot, where there is no
        vehicle to fill, any field saves once a temperature is there. Elsewhere Enter moves
        on, as in the text fields (a checkbox never ticks, a select never opens on Enter:
        Space does that)."""
        focused = self.focused
        person = focused is not None and self._within(focused, "#details")
        vehicle = focused is not None and self._within(focused, "#vehicle")
        has_temperature = bool(self.query_one("#temperature", Input).value.strip())
        if isinstance(focused, Checkbox | Select | Button):
            if person or (self._on_foot() and has_temperature):
                self._save_person()
            elif vehicle:
                self._after_vehicle()
            else:
                raise SkipAction()
        elif isinstance(focused, Input) and focused.id != "temperature":
            if self._on_foot() and has_temperature and (person or vehicle):
                self._save_person()
            else:
                raise SkipAction()  # the field's own Enter: it moves on
        else:
            raise SkipAction()

    def _within(self, widget: Widget, selector: str) -> bool:
        container = self.query_one(selector)
        return any(node is container for node in widget.ancestors)

    def action_focus_plate(self) -> None:
        plate = self.query_one("#plate", Input)
        if plate.display:
            plate.focus()
            return
        # On foot there is no plate to type: say so where the vehicle type is chosen.
        self.query_one("#vehicle-type", Select).focus()
        self._show_hint(self.t("lane.no_plate_on_foot"), error=False)

    def action_focus_temperature(self) -> None:
        self.query_one("#temperature", Input).focus()

    def refresh_counters(self) -> None:
        self._load_counters()

    @work(thread=True, exit_on_error=False, group="store")
    def _load_counters(self) -> None:
        counters: ShiftCounters = self.desk.counters(self.shift.id)
        self.app.call_from_thread(setattr, self.query_one(StatusBar), "counters", counters)
