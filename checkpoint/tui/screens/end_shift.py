"""End of shift: the shift's report (figures, cases, charts), printed or saved, the handover
note and the leader's sign-off.

The report is computed from the log in a worker (the same `shift_report` the CLI prints), so
what the leader checks on screen is what the printed sheet says. F5 prints it through CUPS,
F6 saves the PDF; a missing printer is explained and the PDF saved instead.

Cases still open are named (who, when, temperature) before the leader signs; signing anyway
takes a second Enter. Once signed, the PDF is saved again from the log, so that the saved
sheet carries the handover note and the sign-off.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from checkpoint.domain.masking import mask_name
from checkpoint.errors import CheckpointError
from checkpoint.reports.build import shift_report
from checkpoint.reports.model import Report
from checkpoint.reports.output import deliver_pdf
from checkpoint.reports.terminal import renderable, site_table
from checkpoint.screening.desk import ShiftCounters, ShiftInfo
from checkpoint.screening.follow_up import CaseView, FollowUp
from checkpoint.site.tally import with_site
from checkpoint.tui.base import AppScreen
from checkpoint.tui.widgets.key_bar import KeyBar
from checkpoint.tui.widgets.report_charts import ReportCharts


class EndShiftScreen(AppScreen):
    """Dismissed with True once the shift is closed, None if the volunteer went back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "back"),
        Binding("f5", "print_report", "print", priority=True),
        Binding("f6", "save_report", "save PDF", priority=True),
    ]

    def __init__(self, shift: ShiftInfo, counters: ShiftCounters) -> None:
        super().__init__()
        self.shift = shift
        self.counters = counters
        self.report: Report | None = None
        """The shift's report once computed (None while it loads)."""
        self.open_cases: list[CaseView] = []
        """The shift's cases not decided yet, as last read from the log."""
        self._signing_anyway: frozenset[uuid.UUID] = frozenset()
        """Open cases the leader was warned of at sign-off: a second Enter signs anyway."""

    def compose(self) -> ComposeResult:
        yield Static(id="end-title")
        with VerticalScroll(id="end-report"):
            yield Static(id="end-figures")
            # On a site laptop: every lane, right under the summary, before the long sheet.
            yield Static(id="end-site")
            yield Static(id="end-sheet")
            yield ReportCharts(id="end-charts")
        with Vertical(id="end-form"):
            yield Static(id="end-open", classes="error")
            yield Label(id="note-label")
            yield Input(id="note", compact=True)
            yield Label(id="sign-label")
            yield Input(id="sign", compact=True)
            yield Static(id="end-hint", classes="hint")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.relabel()
        self.query_one("#note", Input).focus()
        self._load_report()
        self._load_open_cases()

    def relabel(self) -> None:
        t, c = self.t, self.counters
        self.query_one("#end-title", Static).update(t("tui.end.title", leader=self.shift.leader))
        self.query_one("#end-figures", Static).update(
            t(
                "tui.end.figures",
                people=c.people,
                vehicles=c.vehicles,
                on_foot=c.on_foot,
                passages=c.passages,
                inbound=c.inbound,
                outbound=c.outbound,
                non_local=c.non_local,
                flagged=c.flagged,
                suspected=c.suspected,
                open_cases=c.open_cases,
                turned_back=c.turned_back,
                disinfected=c.disinfected,
            )
        )
        self.query_one("#note-label", Label).update(t("tui.end.note"))
        self.query_one("#sign-label", Label).update(t("tui.end.sign", leader=self.shift.leader))
        self._show_report()
        self._show_open_cases()

    # -- open cases -------------------------------------------------------------------------

    def _follow(self) -> FollowUp:
        return FollowUp(store=self.desk.store, rule=self.desk.fever_rule, clock=self.desk.clock)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cases")
    def _load_open_cases(self) -> None:
        views = self._follow().open_cases(self.shift.id)
        self.app.call_from_thread(self._open_cases_read, views)

    def _open_cases_read(self, views: list[CaseView]) -> None:
        self.open_cases = views
        self._show_open_cases()

    def _show_open_cases(self) -> None:
        line = self.query_one("#end-open", Static)
        line.display = bool(self.open_cases)
        if self.open_cases:
            line.update(
                self.t("endshift.open_cases", count=len(self.open_cases), cases=self._named())
            )

    def _named(self) -> str:
        """Each open case as who, when and the temperature, for the leader to recognise."""
        zone = self.desk.settings.checkpoint.zone
        named = []
        for view in self.open_cases:
            who = " ".join(p for p in (mask_name(view.name or ""), view.plate or "") if p)
            values = [r.value_c for r in view.readings if r.value_c is not None]
            opened = view.state.opened_at
            named.append(
                self.t(
                    "endshift.case",
                    who=who or self.t("tui.side.unnamed"),  # the time follows
                    at=opened.astimezone(zone).strftime("%H:%M") if opened else "—",
                    value=f"{max(values):.1f}" if values else "—",
                )
            )
        return "; ".join(named)

    # -- the report -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def _load_report(self) -> None:
        desk = self.desk
        now = desk.clock()
        report = shift_report(desk.store, desk.settings, self.shift.id, now=now)
        try:
            # On a site laptop: every lane of the checkpoint beside this one.
            report = with_site(report, desk.settings, now=now)
        except CheckpointError as error:
            message, hint = error.text(self.language)
            self.app.call_from_thread(
                self.app.notify, f"{message}\n{hint}", severity="error", timeout=30
            )
        self.app.call_from_thread(self._report_ready, report)

    def _report_ready(self, report: Report) -> None:
        self.report = report
        self._show_report()

    def _show_report(self) -> None:
        sheet = self.query_one("#end-sheet", Static)
        if self.report is None:
            sheet.update(self.t("tui.end.loading"))
            return
        site = self.query_one("#end-site", Static)
        site.display = self.report.site is not None
        if self.report.site is not None:
            site.update(site_table(self.report, self.report.site, self.language))
        sheet.update(renderable(replace(self.report, site=None), self.language))
        self.query_one(ReportCharts).show(self.report, self.t)

    def action_print_report(self) -> None:
        self._deliver(print_it=True)

    def action_save_report(self) -> None:
        self._deliver(print_it=False)

    def _deliver(self, *, print_it: bool) -> None:
        if self.report is None:
            self._hint(self.t("tui.end.loading"), error=False)
            return
        self._hint(self.t("tui.end.printing" if print_it else "tui.end.saving"), error=False)
        self._send(self.report, print_it)

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def _send(self, report: Report, print_it: bool) -> None:
        # Saving first, then printing: a printer that is missing or off loses nothing.
        delivery = deliver_pdf(
            report,
            settings=self.desk.settings,
            output=None,
            print_it=print_it,
            language=self.language,
        )
        self.app.call_from_thread(self._hint, delivery.message, error=delivery.problem is not None)

    def _hint(self, text: str, *, error: bool) -> None:
        hint = self.query_one("#end-hint", Static)
        hint.update(text)
        hint.set_class(error, "error")

    # -- sign-off ---------------------------------------------------------------------------

    @on(Input.Submitted, "#note")
    def _to_sign(self) -> None:
        self.query_one("#sign", Input).focus()

    @on(Input.Submitted, "#sign")
    def _sign(self, event: Input.Submitted) -> None:
        if event.value.strip() != self.shift.leader:
            self._hint(self.t("tui.end.sign_mismatch", leader=self.shift.leader), error=True)
            return
        self._close(self.query_one("#note", Input).value, self._signing_anyway)

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def _close(self, note: str, anyway: frozenset[uuid.UUID]) -> None:
        # Read again at the moment of signing: a case decided meanwhile is no longer named,
        # one opened meanwhile is, and signing over it needs its own second Enter.
        views = self._follow().open_cases(self.shift.id)
        if {v.person_id for v in views} - anyway:
            self.app.call_from_thread(self._warn_open, views)
            return
        self.desk.close_shift(self.shift.id, leader=self.shift.leader, note=note)
        # Saved again now, from the log: the sheet carries the note and the sign-off.
        desk = self.desk
        try:
            now = desk.clock()
            report = shift_report(desk.store, desk.settings, self.shift.id, now=now)
            report = with_site(report, desk.settings, now=now)
            delivery = deliver_pdf(
                report, settings=desk.settings, output=None, print_it=False, language=self.language
            )
        except CheckpointError as error:
            message, hint = error.text(self.language)
            self.app.call_from_thread(
                self.app.notify, f"{message}\n{hint}", severity="error", timeout=30
            )
        else:
            self.app.call_from_thread(self.app.notify, delivery.message, timeout=15)
        self.app.call_from_thread(self.dismiss, True)

    def _warn_open(self, views: list[CaseView]) -> None:
        self.open_cases = views
        self._show_open_cases()
        self._signing_anyway = frozenset(v.person_id for v in views)
        self._hint(
            self.t("endshift.confirm_open", count=len(views), cases=self._named()), error=True
        )
        self.app.bell()

    def action_back(self) -> None:
        self.dismiss(None)
