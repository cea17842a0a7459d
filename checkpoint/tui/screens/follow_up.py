"""Fever follow-up: aside with a mask → re-measure after the rest → axillary → history →
disposition, with who decided. Every step is checked by the rules before it is stored."""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Select, Static

from checkpoint.domain.cases import NextStep, recheck_due
from checkpoint.domain.readings import Reading, parse_typed_temperature
from checkpoint.domain.vocabulary import Disposition, Instrument, Symptom
from checkpoint.errors import CheckpointError
from checkpoint.screening.follow_up import CaseView, FollowUp
from checkpoint.thermometer.events import Measurement
from checkpoint.tui.base import AppScreen
from checkpoint.tui.widgets.key_bar import KeyBar
from checkpoint.tui.widgets.selects import relabel_select


class FollowUpScreen(AppScreen):
    """One person's case; Escape goes back to the lane, the case stays in the queue."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "back", priority=True),
        Binding("ctrl+a", "aside", "taken aside", priority=True),
        Binding("ctrl+h", "history", "record history", priority=True),
    ]

    def __init__(self, person_id: uuid.UUID, operator: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.operator = operator
        self.view: CaseView | None = None
        self._device: Reading | None = None

    @property
    def follow(self) -> FollowUp:
        return FollowUp(store=self.desk.store, rule=self.desk.fever_rule, clock=self.desk.clock)

    def compose(self) -> ComposeResult:
        with Vertical(id="case"):
            yield Static(id="case-title")
            yield Static(id="case-readings")
            yield Static(id="case-next", classes="hint")
            with Horizontal(id="case-measure"):
                yield Input(id="case-temp", compact=True)
                yield Static(id="case-timer", classes="hint")
            with Horizontal(id="case-history"):
                for symptom in Symptom:
                    yield Checkbox(id=f"symptom-{symptom.value}", compact=True)
                yield Checkbox(id="risk", compact=True)
                yield Checkbox(id="contact", compact=True)
            with Horizontal(id="case-decision"):
                yield Select[Disposition]([], id="disposition", compact=True)
                yield Input(id="decided-by", compact=True)
                yield Input(id="case-note", compact=True)
            yield Static(id="case-hint", classes="hint")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one("#decided-by", Input).value = self.operator
        self.set_interval(1.0, self._tick)
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case")
    def _load(self) -> None:
        view = self.follow.case(self.person_id)
        self.app.call_from_thread(self._show, view)

    def _show(self, view: CaseView) -> None:
        self.view = view
        self.relabel()
        self.query_one("#case-temp", Input).focus()

    def relabel(self) -> None:
        t, view = self.t, self.view
        for symptom in Symptom:
            self.query_one(f"#symptom-{symptom.value}", Checkbox).label = t(
                f"symptom.{symptom.value}"
            )
        self.query_one("#risk", Checkbox).label = t("tui.case.risk")
        self.query_one("#contact", Checkbox).label = t("tui.case.contact")
        self.query_one("#decided-by", Input).placeholder = t("tui.case.decided_by")
        self.query_one("#case-note", Input).placeholder = t("tui.case.note")
        if view is None:
            return
        state = view.state
        stage = t(f"case.stage.{state.stage.value}") if state.stage else "—"
        who = view.name or view.plate or str(view.person_id)[:8]
        title = t("tui.case.title", who=who, stage=stage)
        if state.disposition is not None:
            title += "  " + t(
                "tui.case.decided",
                disposition=t(f"disposition.{state.disposition.value}"),
                by=state.decided_by,
            )
        self.query_one("#case-title", Static).update(title)
        zone = self.desk.settings.checkpoint.zone
        lines = [
            t(
                "tui.case.reading",
                at=r.taken_at.astimezone(zone).strftime("%H:%M"),
                purpose=t(f"purpose.{r.purpose.value}"),
                value="—" if r.value_c is None else f"{r.value_c:.1f}",
                flag="⚠" if r.flagged else "",
            )
            for r in view.readings
        ]
        self.query_one("#case-readings", Static).update("\n".join(lines))
        steps = " → ".join(t(f"case.step.{step.value}") for step in view.next_steps)
        recommended = ", ".join(t(f"disposition.{d.value}") for d in state.recommended)
        self.query_one("#case-next", Static).update(
            t("tui.case.next", steps=steps or "—", recommended=recommended or "—")
        )
        axillary = NextStep.AXILLARY in view.next_steps
        self.query_one("#case-temp", Input).placeholder = t(
            "tui.case.axillary" if axillary else "tui.case.remeasure"
        )
        order = list(state.recommended) + [d for d in Disposition if d not in state.recommended]
        options = [(t(f"disposition.{d.value}"), d) for d in order]
        # The recommended disposition comes first and is chosen, as the case moves on.
        relabel_select(
            self.query_one("#disposition", Select),
            options,
            t("tui.case.disposition_prompt"),
            keep_value=False,
        )
        self._tick()

    def _tick(self) -> None:
        view = self.view
        if view is None or view.state.taken_aside_at is None or not view.state.open:
            self.query_one("#case-timer", Static).update("")
            return
        wait = self.desk.settings.screening.recheck_wait_minutes
        left = recheck_due(view.state.taken_aside_at, wait, self.desk.clock())
        seconds = max(0, int(left.total_seconds()))
        key = "tui.case.rest" if seconds else "tui.case.rest_over"
        self.query_one("#case-timer", Static).update(
            self.t(key, minutes=seconds // 60, seconds=f"{seconds % 60:02d}")
        )

    def measurement_arrived(self, measurement: Measurement) -> None:
        reading = measurement.reading
        if reading.value_c is None or self.view is None:
            return
        if NextStep.AXILLARY in self.view.next_steps:
            return  # the axillary value comes from a mercury thermometer, typed in
        field = self.query_one("#case-temp", Input)
        if field.value and self._device is None:
            return  # a value is being typed: never overwrite it
        self._device = reading
        field.value = f"{reading.value_c:.1f}"
        field.select_all()  # a digit typed now replaces the measured value, never extends it

    @on(Input.Changed, "#case-temp")
    def _typed(self, event: Input.Changed) -> None:
        device = self._device
        if device is not None and event.value != f"{device.value_c:.1f}":
            self._device = None  # edited by hand: the typed value is what is recorded

    # -- steps ------------------------------------------------------------------------------

    def _hint(self, text: str, *, error: bool) -> None:
        hint = self.query_one("#case-hint", Static)
        hint.update(text)
        hint.set_class(error, "error")

    def _failed(self, error: CheckpointError) -> None:
        self._hint(" ".join(error.text(self.language)), error=True)
        self.app.bell()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case")
    def _step(self, name: str, reading: Reading | None = None) -> None:
        follow, by = self.follow, self.operator
        try:
            if name == "aside":
                view = follow.take_aside(self.person_id, by=by)
            elif name == "remeasure" and reading is not None:
                view = follow.remeasure(self.person_id, reading, by=by)
            elif name == "axillary" and reading is not None:
                view = follow.axillary(self.person_id, reading, by=by)
            elif name == "history":
                symptoms = frozenset(
                    s for s in Symptom if self.query_one(f"#symptom-{s.value}", Checkbox).value
                )
                view = follow.record_history(
                    self.person_id,
                    symptoms=symptoms,
                    risk_area_travel=self.query_one("#risk", Checkbox).value,
                    contact=self.query_one("#contact", Checkbox).value,
                    by=by,
                )
            else:
                return
        except CheckpointError as error:
            self.app.call_from_thread(self._failed, error)
            return
        self.app.call_from_thread(self._stepped, view, name)

    def _stepped(self, view: CaseView, name: str) -> None:
        self._show(view)
        self._hint(self.t(f"tui.case.done.{name}"), error=False)
        if name in ("remeasure", "axillary"):
            self.query_one("#case-temp", Input).value = ""
            self._device = None

    def action_aside(self) -> None:
        self._step("aside")

    def action_history(self) -> None:
        self._step("history")

    @on(Input.Submitted, "#case-temp")
    def _measured(self, event: Input.Submitted) -> None:
        if self.view is None:
            return
        axillary = NextStep.AXILLARY in self.view.next_steps
        try:
            reading = self._device or parse_typed_temperature(
                event.value,
                instrument=Instrument.AXILLARY_TYPED if axillary else Instrument.INFRARED_TYPED,
                taken_at=self.desk.clock(),
            )
        except CheckpointError as error:
            self._failed(error)
            return
        self._step("axillary" if axillary else "remeasure", reading)

    @on(Input.Submitted, "#decided-by")
    @on(Input.Submitted, "#case-note")
    def _decide(self) -> None:
        choice = self.query_one("#disposition", Select).value
        if not isinstance(choice, Disposition):
            return
        self._decision(
            choice,
            self.query_one("#decided-by", Input).value.strip(),
            self.query_one("#case-note", Input).value.strip(),
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="case")
    def _decision(self, disposition: Disposition, by: str, note: str) -> None:
        try:
            view = self.follow.decide(self.person_id, disposition, by=by, note=note)
        except CheckpointError as error:
            self.app.call_from_thread(self._failed, error)
            return
        self.app.call_from_thread(self._stepped, view, "decided")

    def action_back(self) -> None:
        self.dismiss(None)
