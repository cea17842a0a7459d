"""Fever follow-up: aside with a mask → re-measure after the rest → axillary → history →
disposition, with who decided. Every step is checked by the rules before it is stored.

Nothing ticked is lost: answers not yet stored go with the decision, and leaving the screen
stores them first. The thermometer fills the re-measurement only once the volunteer asked for
it (Ctrl+R): meanwhile the lane is measuring the next person, whose readings go to the lane.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Select, Static

from checkpoint.domain.cases import CaseReason, NextStep, recheck_due
from checkpoint.domain.readings import Reading, parse_typed_temperature
from checkpoint.domain.vocabulary import Disposition, Instrument, Symptom
from checkpoint.errors import CheckpointError, ValidationError
from checkpoint.screening.follow_up import Answers, CaseView, FollowUp
from checkpoint.thermometer.events import Measurement
from checkpoint.tui.base import AppScreen
from checkpoint.tui.case_names import case_who
from checkpoint.tui.widgets.key_bar import KeyBar
from checkpoint.tui.widgets.message_line import MessageLine
from checkpoint.tui.widgets.selects import relabel_select


class FollowUpScreen(AppScreen):
    """One person's case; Escape goes back to the lane, the case stays in the queue."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "back", priority=True),
        Binding("ctrl+a", "aside", "taken aside", priority=True),
        Binding("ctrl+h", "history", "record history", priority=True),
        Binding("ctrl+r", "remeasure_now", "re-measure", priority=True),
    ]

    def __init__(self, person_id: uuid.UUID, operator: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.operator = operator
        self.view: CaseView | None = None
        self._device: Reading | None = None
        self._asked = False
        """The volunteer asked for a re-measurement (Ctrl+R): the next reading is this
        person's. Any reading before that is someone else's, at the lane."""
        self._early = False
        """The volunteer chose to re-measure before the rest is over (Ctrl+R twice)."""
        self._early_offered = False
        """Ctrl+R was refused during the rest: pressed again, it overrides."""
        self._then: Callable[[], object] | None = None
        """Leaving (Escape, quitting): what to do once the answers are stored."""

    @property
    def follow(self) -> FollowUp:
        return FollowUp(
            store=self.desk.store,
            rule=self.desk.fever_rule,
            clock=self.desk.clock,
            rest_minutes=self.desk.settings.screening.recheck_wait_minutes,
        )

    @property
    def leader(self) -> str:
        """The shift leader, who decides by default (带班领导)."""
        shift = self.checkpoint_app.shift
        return shift.leader if shift is not None else self.operator

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
            yield Static(id="decided-by-label", classes="hint")
            with Horizontal(id="case-decision"):
                yield Select[Disposition]([], id="disposition", compact=True)
                yield Input(id="decided-by", compact=True)
                yield Input(id="case-note", compact=True)
            yield MessageLine(id="case-hint", classes="hint")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one("#decided-by", Input).value = self.leader
        self.set_interval(1.0, self._tick)
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case")
    def _load(self) -> None:
        view = self.follow.case(self.person_id)
        self.app.call_from_thread(self._show, view)

    def _show(self, view: CaseView) -> None:
        self.view = view
        self._show_answers(view)
        self.relabel()
        self.query_one("#case-temp", Input).focus()

    # -- the answers ------------------------------------------------------------------------

    def _show_answers(self, view: CaseView) -> None:
        """Tick what the case holds already; answers ticked since and not stored stay."""
        state = view.state
        for symptom in state.symptoms:
            self.query_one(f"#symptom-{symptom.value}", Checkbox).value = True
        if CaseReason.RISK_AREA_TRAVEL in state.reasons:
            self.query_one("#risk", Checkbox).value = True
        if CaseReason.CONTACT in state.reasons:
            self.query_one("#contact", Checkbox).value = True

    def answers(self) -> Answers:
        """The symptoms and history as ticked now."""
        return Answers(
            symptoms=frozenset(
                s for s in Symptom if self.query_one(f"#symptom-{s.value}", Checkbox).value
            ),
            risk_area_travel=self.query_one("#risk", Checkbox).value,
            contact=self.query_one("#contact", Checkbox).value,
        )

    @property
    def unsaved(self) -> bool:
        """Answers are ticked that the log does not hold yet."""
        view = self.view
        return view is not None and view.state.open and self.answers().add_to(view.state)

    def relabel(self) -> None:
        t, view = self.t, self.view
        for symptom in Symptom:
            self.query_one(f"#symptom-{symptom.value}", Checkbox).label = t(
                f"symptom.{symptom.value}"
            )
        self.query_one("#risk", Checkbox).label = t("tui.case.risk")
        self.query_one("#contact", Checkbox).label = t("tui.case.contact")
        self.query_one("#decided-by", Input).placeholder = t("tui.case.decided_by")
        self.query_one("#decided-by-label", Static).update(
            t("followup.decided_by", leader=self.leader)
        )
        self.query_one("#case-note", Input).placeholder = t("tui.case.note")
        if view is None:
            return
        state = view.state
        stage = t(f"case.stage.{state.stage.value}") if state.stage else "—"
        who = case_who(view, t, self.desk.settings.checkpoint.zone)
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
            t("tui.case.next", steps=steps or "—", recommended=recommended)
            if recommended
            else t("tui.case.next_only", steps=steps or "—")  # no "Recommended: —"
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
        # The countdown is to the re-measurement: once it is done (or not the next step), a
        # clock still counting down would call for a second one.
        if (
            view is None
            or view.state.taken_aside_at is None
            or not view.state.open
            or NextStep.REMEASURE not in view.next_steps
        ):
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
        if not self._asked or self.view is None or NextStep.AXILLARY in self.view.next_steps:
            # Not asked for (or the axillary value, typed from a mercury thermometer): the
            # thermometer is measuring the next person at the lane, so it goes there.
            self._to_lane(measurement)
            return
        if reading.value_c is None:
            return
        field = self.query_one("#case-temp", Input)
        if field.value and self._device is None:
            return  # a value is being typed: never overwrite it
        self._asked = False  # one reading per request
        self._device = reading
        field.value = f"{reading.value_c:.1f}"
        field.select_all()  # a digit typed now replaces the measured value, never extends it
        self._hint(self.t("followup.measured"), error=False)

    def _to_lane(self, measurement: Measurement) -> None:
        below = [s for s in self.app.screen_stack if isinstance(s, AppScreen) and s is not self]
        if below:
            below[-1].measurement_arrived(measurement)
        value = measurement.reading.value_c
        if value is not None and self.view is not None and self.view.state.open:
            note = self.t("followup.not_this_person", value=f"{value:.1f}")
            self.query_one(MessageLine).remark(note)  # never over a message unread

    def action_remeasure_now(self) -> None:
        """Ask for the re-measurement: the next reading is this person's. During the rest the
        first press explains and the second overrides (recorded with the step)."""
        view = self.view
        if view is None or not view.state.open:
            return
        if NextStep.AXILLARY in view.next_steps:
            self._hint(self.t("followup.axillary_typed"), error=True)
            return
        left = self.follow.rest_left(view)
        if left is None:
            self._failed(ValidationError.of("case.not_taken_aside"))
            return
        if left and not self._early_offered:
            self._early_offered = True
            seconds = int(left.total_seconds())
            self._hint(
                self.t(
                    "followup.rest_not_over",
                    minutes=seconds // 60,
                    seconds=f"{seconds % 60:02d}",
                ),
                error=True,
            )
            self.app.bell()
            return
        self._early = bool(left)
        self._asked = True
        self._hint(self.t("followup.asked_early" if left else "followup.asked"), error=False)
        self.query_one("#case-temp", Input).focus()

    @on(Input.Changed, "#case-temp")
    def _typed(self, event: Input.Changed) -> None:
        device = self._device
        if device is not None and event.value != f"{device.value_c:.1f}":
            self._device = None  # edited by hand: the typed value is what is recorded

    # -- steps ------------------------------------------------------------------------------

    def _hint(self, text: str, *, error: bool) -> None:
        """A message for the volunteer: it stays until their next action (see MessageLine)."""
        self.query_one(MessageLine).say(text, error=error)

    def volunteer_acted(self) -> None:
        self.query_one(MessageLine).release()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case")
    def _step(
        self, name: str, reading: Reading | None = None, answers: Answers | None = None
    ) -> None:
        follow, by = self.follow, self.operator
        try:
            if name == "aside":
                view = follow.take_aside(self.person_id, by=by)
            elif name == "remeasure" and reading is not None:
                view = follow.remeasure(self.person_id, reading, by=by, early=self._early)
            elif name == "axillary" and reading is not None:
                view = follow.axillary(self.person_id, reading, by=by)
            elif name == "history" and answers is not None:
                view = follow.record_history(
                    self.person_id,
                    symptoms=answers.symptoms,
                    risk_area_travel=answers.risk_area_travel,
                    contact=answers.contact,
                    by=by,
                )
            else:
                return
        except CheckpointError as error:
            self.app.call_from_thread(self._failed, error)
            return
        self.app.call_from_thread(self._stepped, view, name)

    def _failed(self, error: CheckpointError) -> None:
        self._then = None  # the answers are not stored: stay, with the reason
        if error.code == "followup.resting":
            self._early_offered = True  # its hint says Ctrl+R overrides: once is enough now
        self._hint(" ".join(error.text(self.language)), error=True)
        self.app.bell()

    def _stepped(self, view: CaseView, name: str) -> None:
        self._show(view)
        self._hint(self.t(f"tui.case.done.{name}"), error=False)
        if name in ("remeasure", "axillary"):
            self.query_one("#case-temp", Input).value = ""
            self._device = None
            self._asked = self._early = self._early_offered = False
        then, self._then = self._then, None
        if then is not None:
            then()

    def action_aside(self) -> None:
        self._step("aside")

    def action_history(self) -> None:
        self._step("history", answers=self.answers())

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
            self._hint(self.t("followup.choose_disposition"), error=True)
            self.query_one("#disposition", Select).focus()
            return
        self._decision(
            choice,
            self.query_one("#decided-by", Input).value.strip(),
            self.query_one("#case-note", Input).value.strip(),
            self.answers(),
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="case")
    def _decision(self, disposition: Disposition, by: str, note: str, answers: Answers) -> None:
        try:
            view = self.follow.decide(
                self.person_id, disposition, by=by, note=note, answers=answers
            )
        except CheckpointError as error:
            self.app.call_from_thread(self._failed, error)
            return
        self.app.call_from_thread(self._stepped, view, "decided")

    def action_back(self) -> None:
        self.leave(lambda: self.dismiss(None))

    def leave(self, then: Callable[[], object]) -> None:
        """Answers ticked and not stored are stored first (by whoever is on the follow-up);
        a refusal keeps the screen open with the reason."""
        if not self.unsaved:
            then()
            return
        self._then = then
        self._hint(self.t("followup.saving_answers"), error=False)
        self._step("history", answers=self.answers())
