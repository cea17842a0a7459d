"""Two charts of a report in the terminal: people per hour, and the temperature distribution
with the threshold marked (plotext inside Textual; the PDF draws the same two)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual_plotext import PlotextPlot

from checkpoint.reports.model import Report

Translate = Callable[..., str]
"""`t(key, **params)` of the screen: the text in the current language."""


class ReportCharts(Horizontal):
    """People per hour (left) and the screening temperatures (right)."""

    def compose(self) -> ComposeResult:
        yield PlotextPlot(id="chart-hours")
        yield PlotextPlot(id="chart-temperatures")

    def show(self, report: Report, t: Translate) -> None:
        zone = ZoneInfo(report.timezone)
        hours = self.query_one("#chart-hours", PlotextPlot)
        plt = hours.plt
        plt.clear_data()
        plt.clear_figure()
        labels = [h.hour_start.astimezone(zone).strftime("%H") for h in report.by_hour]
        if labels:
            plt.bar(labels, [h.people for h in report.by_hour], marker="hd")
        plt.title(t("tui.chart.hours"))
        hours.refresh()

        temperatures = self.query_one("#chart-temperatures", PlotextPlot)
        plt = temperatures.plt
        plt.clear_data()
        plt.clear_figure()
        if report.temperatures:
            values = [value for value, _ in report.temperatures]
            plt.bar(values, [count for _, count in report.temperatures], width=0.08)
            plt.vline(report.threshold_c, "red")
        plt.title(t("tui.chart.temperatures", threshold=report.threshold_c))
        temperatures.refresh()
