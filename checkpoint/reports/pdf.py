"""The printed report: an A4 PDF for the shift leader to check, sign and hand over.

Laid out top to bottom: the header (checkpoint, township, county, period, who is on duty), the
figures new and cumulative, the zero-report statement or the list of cases with their
follow-up, two charts (people per hour, temperature distribution with the threshold marked),
the handover note and the signature lines (值班人员 / 带班领导签字). Every page's footer says
when the report was made and which records of the log it was computed from, down to the hash
of the chain head, so a signed sheet can be matched to the log later.

Charts are drawn with fpdf2's rectangles and lines: no plotting library, no images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import Align, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from checkpoint.domain.plates import place_name
from checkpoint.locale import Language, translate
from checkpoint.reports import fonts, site_text
from checkpoint.reports.fonts import CjkFont, FontChoice
from checkpoint.reports.model import CaseStep, FeverCase, Figures, Report, ReportKind
from checkpoint.reports.text import sums_line

FIGURE_ORDER: Final[tuple[str, ...]] = (
    "people",
    "passages",
    "vehicles",
    "on_foot",
    "inbound",
    "outbound",
    "non_local",
    "from_risk_areas",
    "at_or_over",
    "suspected",
    "remeasured",
    "axillary_confirmed",
    "referred",
    "held",
    "home_isolation",
    "central_isolation",
    "turned_back",
    "disinfections",
    "staff_checks",
    "staff_flagged",
)
"""The figures in the order of the printed table (as the tally is read out)."""

_CASE_COLUMNS: Final[tuple[str, ...]] = (
    "time",
    "name",
    "document",
    "phone",
    "plate",
    "origin",
    "first",
    "reasons",
    "follow_up",
    "disposition",
)
_FAMILY: Final = "cjk"
_MARGIN: Final = 15.0
_GREY: Final = (90, 90, 90)
_BAR: Final = (110, 140, 180)
_HOT: Final = (200, 40, 40)
_LIGHT: Final = (235, 235, 235)


_LIMITS: Final[dict[str, int]] = {
    "name": 24,
    "document": 24,
    "phone": 20,
    "plate": 12,
    "origin": 40,
    "reasons": 120,
    "follow_up": 600,
    "disposition": 60,
}
"""Characters a cell of the case table shows: longer text is cut with "…", so one row always
fits on a page (fpdf2 refuses a row taller than the page)."""
_MAX_NAMES: Final = 120
"""Characters of the names on a header or signature line (the rest is cut with "…")."""


def render_pdf(
    report: Report, *, language: Language, font: Path | CjkFont | FontChoice | None = None
) -> bytes:
    """The report as an A4 PDF in `language`.

    `font` is the configured font file (`reports.font`), a font already found, or None to
    choose one (see `checkpoint.reports.fonts`). Raises `ReportError` when no font has Chinese
    or some character of the report is in no font: a PDF is never made with a glyph missing.
    """

    def lay_out(choice: FontChoice) -> _Sheet:
        sheet = _Sheet(report, language, choice)
        sheet.add_page()
        sheet.header_block()
        sheet.figures_table()
        sheet.site_table()
        sheet.cases_block()
        sheet.charts()
        sheet.signatures()
        return sheet

    text = fonts.text_of(report) + fonts.text_of(_catalog_text(language))
    return bytes(fonts.lay_out(lay_out, text, font).output())


def _catalog_text(language: Language) -> list[str]:
    """The labels a PDF may print, so the font is chosen for them too."""
    from checkpoint.locale import catalog

    prefixes = ("pdf.", "disposition.", "case.reason.", "site.", "lanes.default_name")
    return [text for key, text in catalog(language).items() if key.startswith(prefixes)]


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the cut marked with "…"."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class _Bar:
    label: str
    value: int
    hot: int
    """The part of `value` drawn in red (at or over the threshold)."""


class _Sheet(FPDF):
    """One report being laid out; `footer` is called by fpdf2 at the end of every page."""

    def __init__(self, report: Report, language: Language, choice: FontChoice) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.language: Language = language
        self.zone = ZoneInfo(report.timezone)
        self.choice = choice
        fonts.install(self, choice, _FAMILY)
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_font(_FAMILY, size=10)
        self.set_title(f"{report.checkpoint_name} {self.t(f'pdf.title.{report.kind.value}')}")
        self.set_creator("checkpoint")
        # The report's own time, not the rendering's: the same report gives the same bytes.
        self.set_creation_date(report.generated_at)

    # -- helpers ----------------------------------------------------------------------------

    def normalize_text(self, text: str) -> str:
        # Every text fpdf2 writes passes here: ℃ becomes °C where no chosen font has it.
        return super().normalize_text(fonts.printable(text, self.choice))

    def t(self, key: str, /, **params: object) -> str:
        return translate(key, self.language, **params)

    def local(self, moment: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
        return moment.astimezone(self.zone).strftime(pattern)

    def text_line(self, text: str, *, size: float = 10, height: float = 5.5) -> None:
        self.set_font(_FAMILY, size=size)
        self.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.text_line(text, size=12, height=7)

    @property
    def usable_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    # -- sections ---------------------------------------------------------------------------

    def header_block(self) -> None:
        report = self.report
        title = f"{report.checkpoint_name or report.checkpoint_code} "
        title += self.t(f"pdf.title.{report.kind.value}")
        self.set_font(_FAMILY, size=16)
        self.multi_cell(0, 8, title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        none = self.t("pdf.none")
        place = [
            f"{self.t('pdf.checkpoint')}: {report.checkpoint_name or none} "
            f"({report.checkpoint_code})",
            f"{self.t('lanes.label')}: {report.lane.shown(self.language)}",
            f"{self.t('pdf.township')}: {report.township or none}",
            f"{self.t('pdf.county')}: {report.county or none}",
        ]
        self.text_line("    ".join(place))
        period = (
            f"{self.t('pdf.period')}: {self.local(report.start)} – {self.local(report.end)} "
            f"({report.timezone})"
        )
        if report.kind is ReportKind.DAY and report.report_day:
            period += f"    {self.t('pdf.report_day')}: {report.report_day}"
        self.text_line(period)
        leaders = report.leaders or ((report.leader,) if report.leader else ())
        people = f"{self.t('pdf.leader')}: {_names(leaders, self.language) or none}"
        if report.staff_on_duty:
            people += f"    {self.t('pdf.staff')}: {_names(report.staff_on_duty, self.language)}"
        self.text_line(people)

    def figures_table(self) -> None:
        self.heading(self.t("pdf.figures"))
        new, cumulative = self.report.new, self.report.cumulative
        half = (len(FIGURE_ORDER) + 1) // 2
        left, right = FIGURE_ORDER[:half], FIGURE_ORDER[half:]
        heading = (self.t("pdf.col.item"), self.t("pdf.col.new"), self.t("pdf.col.cumulative"))
        self.set_font(_FAMILY, size=9)
        with self.table(
            col_widths=(46, 22, 22, 46, 22, 22),
            text_align=("LEFT", "RIGHT", "RIGHT", "LEFT", "RIGHT", "RIGHT"),
            line_height=5.5,
            headings_style=FontFace(emphasis="NONE", fill_color=_LIGHT),
            cell_fill_mode=TableCellFillMode.NONE,
        ) as table:
            table.row(heading + heading)
            for index, name in enumerate(left):
                cells = [*self._figure_cells(name, new, cumulative)]
                cells += (
                    self._figure_cells(right[index], new, cumulative)
                    if index < len(right)
                    else ("", "", "")
                )
                table.row(cells)
        self.text_line(sums_line(new, self.language))

    def site_table(self) -> None:
        """On a site laptop: every lane of the checkpoint, the total, who has not handed in."""
        tally = self.report.site
        if tally is None:
            return
        self.heading(self.t("site.title"))
        columns = site_text.COLUMNS
        self.set_font(_FAMILY, size=9)
        with self.table(
            col_widths=(44, 18, 18, 18, 18, 64),
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
            line_height=5.5,
            headings_style=FontFace(emphasis="NONE", fill_color=_LIGHT),
            cell_fill_mode=TableCellFillMode.NONE,
        ) as table:
            table.row(
                [
                    self.t("site.col.lane"),
                    *site_text.column_titles(columns, self.report, self.language),
                    self.t("site.col.handed_in"),
                ]
            )
            for lane in tally.lanes:
                table.row(
                    [
                        site_text.lane_label(lane, self.language),
                        *site_text.cells(lane.new, columns),
                        site_text.handed_in(lane, tally, self.zone, self.language),
                    ]
                )
            table.row([self.t("site.total"), *site_text.cells(tally.total_new, columns), ""])
        for note in site_text.notes(tally, self.zone, self.language):
            self.text_line(note, size=9)

    def _figure_cells(self, name: str, new: Figures, cumulative: Figures) -> tuple[str, str, str]:
        return (
            self.t(f"pdf.figure.{name}"),
            str(getattr(new, name)),
            str(getattr(cumulative, name)),
        )

    def cases_block(self) -> None:
        report = self.report
        threshold = f"{report.threshold_c:.1f}"
        if report.zero_report:
            self.ln(3)
            self.set_font(_FAMILY, size=13)
            self.set_fill_color(*_LIGHT)
            text = self.t(f"pdf.zero.{report.kind.value}", threshold=threshold)
            self.multi_cell(0, 9, text, fill=True, align=Align.C, new_x=XPos.LMARGIN)
            self.ln(1)
        if not report.cases:
            return
        self.heading(self.t("pdf.cases"))
        columns = _CASE_COLUMNS
        self.set_font(_FAMILY, size=7.5)
        with self.table(
            col_widths=(10, 12, 30, 19, 16, 14, 9, 14, 38, 18),
            line_height=4.2,
            headings_style=FontFace(emphasis="NONE", fill_color=_LIGHT),
            cell_fill_mode=TableCellFillMode.NONE,
        ) as table:
            table.row([self.t(f"pdf.case.{column}") for column in columns])
            for case in report.cases:
                table.row(self._case_cells(case))

    def _case_cells(self, case: FeverCase) -> list[str]:
        first = "" if case.first_value_c is None else f"{case.first_value_c:.1f}"
        reasons = _joined(
            [self.t(f"case.reason.{reason}") for reason in case.reasons], self.language
        )
        steps = "\n".join(self._step(step) for step in case.steps)
        if case.disposition is None:
            disposition = self.t("pdf.case.open")
        else:
            disposition = self.t(f"disposition.{case.disposition.value}")
            if case.decided_by:
                disposition += f" ({case.decided_by})"
        return [
            self.local(case.screened_at, "%H:%M"),
            shorten(case.name, _LIMITS["name"]),
            shorten(case.document, _LIMITS["document"]),
            shorten(case.phone, _LIMITS["phone"]),
            shorten(case.plate, _LIMITS["plate"]),
            shorten(place_name(case.origin, self.language), _LIMITS["origin"]),
            first,
            shorten(reasons, _LIMITS["reasons"]),
            shorten(steps, _LIMITS["follow_up"]),
            shorten(disposition, _LIMITS["disposition"]),
        ]

    def _step(self, step: CaseStep) -> str:
        text = f"{self.local(step.at, '%H:%M')} {self.t(f'pdf.step.{step.kind}')}"
        if step.value_c is not None:
            text += f" {step.value_c:.1f} ℃"
        if step.disposition is not None:
            text += f" {self.t(f'disposition.{step.disposition.value}')}"
        if step.note:
            text += f" {step.note}"
        if step.by:
            text += f" ({step.by})"
        return text

    def charts(self) -> None:
        """The two charts side by side, each with its title above it."""
        height, gap = 42.0, 8.0
        if self.get_y() + height + 20 > self.h - self.b_margin:
            self.add_page()
        self.ln(2)
        width = (self.usable_width - gap) / 2
        top = self.get_y()
        bars, threshold_at = self._temperature_bars()
        charts = (
            (self.t("pdf.chart.hourly"), self._hour_bars(), None),
            (self.t("pdf.chart.temperatures"), bars, threshold_at),
        )
        for column, (title, chart_bars, threshold) in enumerate(charts):
            x = self.l_margin + column * (width + gap)
            self.set_font(_FAMILY, size=11)
            self.set_xy(x, top)
            self.cell(width, 7, title)
            self._bar_chart(
                chart_bars, x=x, top=top + 9, width=width, height=height, threshold_at=threshold
            )
        self.set_xy(self.l_margin, top + 9 + height + 7)

    def _hour_bars(self) -> list[_Bar]:
        return [
            _Bar(self.local(hour.hour_start, "%H"), hour.people, hour.at_or_over)
            for hour in self.report.by_hour
        ]

    def _temperature_bars(self) -> tuple[list[_Bar], float | None]:
        """One bar per 0.1 ℃ from a little below the lowest reading to a little above the
        threshold or the highest reading, and where the threshold falls (in bars)."""
        counts = {round(value * 10): people for value, people in self.report.temperatures}
        if not counts:
            return [], None
        threshold = round(self.report.threshold_c * 10)
        low = min(min(counts), threshold - 10)
        high = max(max(counts), threshold + 3)
        bars = []
        for tenth in range(low, high + 1):
            people = counts.get(tenth, 0)
            label = f"{tenth / 10:.1f}" if tenth % 5 == 0 else ""
            bars.append(_Bar(label, people, people if tenth >= threshold else 0))
        return bars, float(threshold - low)

    def _bar_chart(
        self,
        bars: Sequence[_Bar],
        *,
        x: float,
        top: float,
        width: float,
        height: float,
        threshold_at: float | None,
    ) -> None:
        """Bars in the box (x, top, width, height), the y axis scaled to the largest bar;
        `threshold_at` (in bar widths from the left) draws the threshold as a red line."""
        self.set_font(_FAMILY, size=6.5)
        if not bars or not any(bar.value for bar in bars):
            self.set_xy(x, top)
            self.cell(width, 6, self.t("pdf.chart.empty"))
            return
        x0, plot_width, bottom = x + 8, width - 8, top + height
        largest = max(bar.value for bar in bars)
        scale = (height - 5) / largest
        step = plot_width / len(bars)
        self.set_draw_color(*_GREY)
        self.set_line_width(0.2)
        self.line(x0, bottom, x0 + plot_width, bottom)
        self.line(x0, top, x0, bottom)
        for value in sorted({0, largest // 2, largest}):
            self.set_xy(x, bottom - value * scale - 2)
            self.cell(7, 4, str(value), align=Align.R)
        # A label every bar while they fit (about 4 mm each), else every second or third.
        every = max(1, round(4.5 / step))
        for index, bar in enumerate(bars):
            left = x0 + index * step + step * 0.12
            if bar.value:
                # At least a hairline, so one person among hundreds still shows.
                total = max(bar.value * scale, 0.6)
                hot = max(bar.hot * scale, 0.6) if bar.hot else 0.0
                if total > hot:
                    self.set_fill_color(*_BAR)
                    self.rect(left, bottom - total, step * 0.76, total - hot, style="F")
                if hot:
                    self.set_fill_color(*_HOT)
                    self.rect(left, bottom - hot, step * 0.76, hot, style="F")
            if bar.label and (index % every == 0 or threshold_at is not None):
                self.set_xy(x0 + index * step + step / 2 - 5, bottom + 0.5)
                self.cell(10, 3.5, bar.label, align=Align.C)
        if threshold_at is not None:
            line_x = x0 + threshold_at * step
            self.set_draw_color(*_HOT)
            self.set_line_width(0.5)
            self.set_dash_pattern(dash=1.2, gap=0.8)
            self.line(line_x, top - 1, line_x, bottom)
            self.set_dash_pattern()
            self.set_text_color(*_HOT)
            label = self.t("pdf.chart.threshold", threshold=f"{self.report.threshold_c:.1f}")
            label_width = self.get_string_width(label) + 2
            # Right of the line unless that runs off the chart.
            label_x = line_x + 1 if line_x + label_width < x + width else line_x - label_width
            self.set_xy(label_x, top - 1)
            self.cell(label_width, 4, label)
            self.set_text_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.2)

    def signatures(self) -> None:
        report = self.report
        if self.get_y() + 40 > self.h - self.b_margin:
            self.add_page()
        if report.handover_note:
            self.heading(self.t("pdf.handover"))
            self.text_line(report.handover_note)
        if report.closed_by and report.closed_at is not None:
            self.ln(2)
            self.text_line(
                self.t("pdf.signed_off", by=report.closed_by, at=self.local(report.closed_at))
            )
        self.ln(6)
        for signature in report.signatures:
            label = self.t(f"pdf.sign.{signature.role}")
            if signature.names:
                label += f" ({_names(signature.names, self.language)})"
            self.set_font(_FAMILY, size=11)
            # Many or long names wrap in the left half; the line to sign on is beside the last.
            self.multi_cell(95, 6, f"{label}:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            y = self.get_y()
            self.line(self.l_margin + 95, y, self.w - self.r_margin, y)
            self.ln(8)

    def footer(self) -> None:
        report = self.report
        none = self.t("pdf.none")
        first, last = report.log_range.first_seq, report.log_range.last_seq
        text = self.t(
            "pdf.footer",
            generated=f"{self.local(report.generated_at)} ({report.timezone})",
            first=none if first is None else first,
            last=none if last is None else last,
            head=report.log_range.chain_head or none,
        )
        self.set_y(-14)
        self.set_font(_FAMILY, size=6.5)
        self.set_text_color(*_GREY)
        self.multi_cell(self.usable_width - 16, 3.2, text, new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.cell(16, 3.2, self.t("pdf.footer.page", page=self.page_no()), align=Align.R)
        self.set_text_color(0, 0, 0)


def _names(names: Sequence[str], language: Language) -> str:
    return shorten(_joined(list(names), language), _MAX_NAMES)


def _joined(items: Sequence[str], language: Language) -> str:
    return ("、" if language == "zh-CN" else ", ").join(items)
