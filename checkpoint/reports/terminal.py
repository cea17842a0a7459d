"""The report on a terminal: rich tables for the figures, the hours and the cases.

Rich, not Textual: the CLI prints it and exits. `render_terminal` returns the text with the
terminal's escape codes, so the command can write it like any other format.
"""

from __future__ import annotations

import io
from dataclasses import fields
from zoneinfo import ZoneInfo

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from checkpoint.locale import Language, translate
from checkpoint.reports import site_text
from checkpoint.reports.model import Figures, Report
from checkpoint.reports.site_model import SiteTally
from checkpoint.reports.text import case_lines, local, period_text, sums_line, title


def renderable(report: Report, language: Language) -> RenderableType:
    """The report as rich renderables (figures, by hour, cases, signatures, log range)."""

    def t(key: str, **params: object) -> str:
        return translate(key, language, **params)

    zone = ZoneInfo(report.timezone)
    head = Text()
    head.append(title(report, language) + "\n", style="bold")
    head.append(f"{t('report.checkpoint')}: {report.checkpoint_name} ({report.checkpoint_code})  ")
    head.append(f"{t('lanes.label')}: {report.lane.shown(language)}  ")
    head.append(
        f"{t('report.township')}: {report.township}  {t('report.county')}: {report.county}\n"
    )
    if report.report_day:
        head.append(f"{t('report.day')}: {report.report_day}  ")
    head.append(f"{t('report.period')}: {period_text(report)}  ")
    head.append(f"{t('report.threshold')}: {report.threshold_c:.1f}℃")
    leaders = report.leaders or ((report.leader,) if report.leader else ())
    if leaders:
        head.append(f"\n{t('report.leader')}: {'、'.join(leaders)}")
    figures = Table(show_edge=False)
    figures.add_column(t("report.item"))
    figures.add_column(t("report.new"), justify="right")
    figures.add_column(t("report.cumulative"), justify="right")
    for f in fields(Figures):
        figures.add_row(
            t(f"report.figure.{f.name}"),
            str(getattr(report.new, f.name)),
            str(getattr(report.cumulative, f.name)),
        )
    parts: list[RenderableType] = [head, figures, Text(sums_line(report.new, language))]
    if report.site is not None:
        parts.append(site_table(report, report.site, language))
    if report.zero_report:
        parts.append(Text(t("report.zero_statement"), style="bold green"))
    if report.by_hour:
        hours = Table(title=t("report.by_hour"), show_edge=False)
        hours.add_column(t("report.hour"))
        hours.add_column(t("report.people"), justify="right")
        hours.add_column(t("report.flagged"), justify="right")
        for h in report.by_hour:
            hours.add_row(local(h.hour_start, zone)[11:], str(h.people), str(h.at_or_over))
        parts.append(hours)
    cases = Text(f"{t('report.cases')}: {len(report.cases)}\n", style="bold")
    for number, case in enumerate(report.cases, 1):
        cases.append("\n".join(case_lines(case, number, report, language)) + "\n")
    parts.append(cases)
    footer = Text()
    for signature in report.signatures:
        footer.append(
            f"{t(f'report.sign.{signature.role}')}: {'、'.join(signature.names)}  ________\n"
        )
    log = report.log_range
    span = f"{log.first_seq}–{log.last_seq}" if log.first_seq is not None else "—"
    footer.append(f"{t('report.generated')}: {local(report.generated_at, zone)}  ")
    footer.append(
        f"{t('report.records')}: {span}\n{t('report.chain_head')}: {log.chain_head or '—'}"
    )
    parts.append(footer)
    return Group(*parts)


def site_table(report: Report, tally: SiteTally, language: Language) -> RenderableType:
    """The site tally: a row per lane, the total, and which lanes have not handed in."""
    zone = ZoneInfo(report.timezone)
    table = Table(title=translate("site.title", language), show_edge=False)
    table.add_column(translate("site.col.lane", language))
    for title_ in site_text.column_titles(site_text.COLUMNS, report, language):
        table.add_column(title_, justify="right")
    table.add_column(translate("site.col.handed_in", language))
    for lane in tally.lanes:
        table.add_row(
            site_text.lane_label(lane, language),
            *site_text.cells(lane.new, site_text.COLUMNS),
            site_text.handed_in(lane, tally, zone, language),
            style="yellow" if lane.stale and not lane.own else None,
        )
    table.add_row(
        translate("site.total", language),
        *site_text.cells(tally.total_new, site_text.COLUMNS),
        "",
        style="bold",
    )
    notes = Text("\n".join(site_text.notes(tally, zone, language)))
    return Group(table, notes)


def render_terminal(report: Report, language: Language, *, width: int | None = None) -> str:
    """The rich rendering as text with escape codes, for a terminal `width` columns wide."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 100, force_terminal=True, highlight=False)
    console.print(renderable(report, language))
    return buffer.getvalue()
