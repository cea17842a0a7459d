"""End of shift: the shift's report (figures, cases, charts), printed or saved, the handover
note and the leader's sign-off.

The report is computed from the log in a worker (the same `shift_report` the CLI prints), so
what the leader checks on screen is what the printed sheet says. F5 prints it through CUPS,
F6 saves the PDF; a missing printer is explained and the PDF saved instead.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from checkpoint.reports.build import shift_report
from checkpoint.reports.model import Report
from checkpoint.reports.output import deliver_pdf
from checkpoint.reports.terminal import renderable
from checkpoint.screening.desk import ShiftCounters, ShiftInfo
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

    def compose(self) -> ComposeResult:
        yield Static(id="end-title")
        with VerticalScroll(id="end-report"):
            yield Static(id="end-figures")
            yield Static(id="end-sheet")
            yield ReportCharts(id="end-charts")
        with Vertical(id="end-form"):
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
        self._show_report()

    # -- the report -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def _load_report(self) -> None:
        desk = self.desk
        report = shift_report(desk.store, desk.settings, self.shift.id, now=desk.clock())
        self.app.call_from_thread(self._report_ready, report)

    def _report_ready(self, report: Report) -> None:
        self.report = report
        self._show_report()

    def _show_report(self) -> None:
        sheet = self.query_one("#end-sheet", Static)
        if self.report is None:
            sheet.update(self.t("tui.end.loading"))
            return
        sheet.update(renderable(self.report, self.language))
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
        self._close(self.query_one("#note", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def _close(self, note: str) -> None:
        self.desk.close_shift(self.shift.id, leader=self.shift.leader, note=note)
        self.app.call_from_thread(self.dismiss, True)

    def action_back(self) -> None:
        self.dismiss(None)
