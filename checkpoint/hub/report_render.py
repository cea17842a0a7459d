"""The hub's daily report rendered: 80-column text, JSON, CSV and XLSX (one row per checkpoint,
the silent ones included, and the total), and an A4 PDF.

A checkpoint with several lanes (or a silent one) has a row per lane under its own row, in the
tables of the text and the PDF and in the spreadsheets: the lane's figures and when its report
was received; a silent lane with no new figures and its cumulative ones as of its last report.
The lanes' rows add up to their checkpoint's row (the spreadsheets' lane column tells them
apart: empty on a checkpoint's row and the total, whose sums count each checkpoint once).

Text columns are padded by display width (`rich.cells.cell_len`), as the checkpoint's reports
are, so Chinese names line up on a terminal and on a fixed-pitch printer.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from rich.cells import cell_len

from checkpoint.domain.lanes import lane_name_shown
from checkpoint.domain.plates import place_name
from checkpoint.hub.reports import (
    FIGURE_NAMES,
    CheckpointDay,
    HubCase,
    HubDayReport,
    LaneDay,
    Omission,
    SilentLane,
    to_data,
)
from checkpoint.locale import Language, translate
from checkpoint.reports.fonts import CjkFont, FontChoice
from checkpoint.reports.model import Figures
from checkpoint.reports.text import PAPER, fit, sums_line, wrap

TABLE_FIGURES: Final[tuple[str, ...]] = (
    "people",
    "vehicles",
    "on_foot",
    "at_or_over",
    "suspected",
    "referred",
    "turned_back",
)
"""The figures of the per-checkpoint tables (all of them are in the total and the files)."""
HUB_FORMATS: Final = ("text", "json", "csv", "xlsx", "pdf")


def _t(key: str, language: Language, **params: object) -> str:
    return translate(key, language, **params)


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _who(row: CheckpointDay) -> str:
    return f"{row.name} ({row.checkpoint_id})" if row.name else row.checkpoint_id


def status_words(row: CheckpointDay, language: Language) -> str:
    """On time or late, zero report, revised: in words, for a table cell."""
    words = [_t("hub.late" if row.late else "hub.on_time", language)]
    if row.zero_report:
        words.append(_t("hub.zero_report", language))
    if row.versions > 1:
        words.append(_t("hub.revised", language, count=row.versions - 1))
    return ("、" if language == "zh-CN" else ", ").join(words)


def omission_text(omission: Omission, language: Language) -> str:
    last = (
        _t("hub.last_reported", language, day=omission.last_reported.isoformat())
        if omission.last_reported
        else _t("hub.never_reported", language)
    )
    silent = "  ".join(silent_text(lane, language) for lane in omission.silent_lanes)
    return f"{omission.checkpoint_id}  {last}" + (
        f"  {silent}" if len(omission.silent_lanes) > 1 else ""
    )


def silent_text(lane: SilentLane, language: Language) -> str:
    """A lane silent on the day, with its last report."""
    last = _t("hub.last_reported", language, day=lane.last_reported.isoformat())
    return _t("lanes.hub.silent", language, name=lane_name_shown(lane.name, language), last=last)


def lane_lines(row: CheckpointDay, language: Language) -> list[str]:
    """Each lane of a checkpoint that reported, then its silent ones (none for a checkpoint with
    a single lane that reported)."""
    if len(row.lanes) == 1 and not row.silent_lanes:
        return []
    lines = []
    for lane in row.lanes:
        words = [_t("hub.late" if lane.late else "hub.on_time", language)]
        if lane.versions > 1:
            words.append(_t("hub.revised", language, count=lane.versions - 1))
        lines.append(
            _t(
                "lanes.hub.lane",
                language,
                name=lane_name_shown(lane.name, language),
                people=lane.new.people,
                fevers=lane.new.at_or_over,
                status=("、" if language == "zh-CN" else ", ").join(words),
            )
        )
    lines += [silent_text(lane, language) for lane in row.silent_lanes]
    return lines


def lane_rows(row: CheckpointDay) -> list[LaneDay | SilentLane]:
    """The lanes shown under a checkpoint's row: those that reported, then the silent ones
    (none for a checkpoint with a single lane that reported, its row says it all)."""
    if len(row.lanes) == 1 and not row.silent_lanes:
        return []
    return [*row.lanes, *row.silent_lanes]


def _lane_label(lane: LaneDay | SilentLane, language: Language) -> str:
    return "  └ " + lane_name_shown(lane.name, language)


def partly_reported(report: HubDayReport, language: Language) -> list[str]:
    """The omission list's lines for checkpoints that reported with some of their lanes silent."""
    lines = []
    for row in report.rows:
        if row.silent_lanes:
            lines.append(_t("lanes.hub.partly", language, code=row.checkpoint_id))
            lines += ["  " + silent_text(lane, language) for lane in row.silent_lanes]
    return lines


def case_text(case: HubCase, language: Language) -> str:
    found = case.case
    value = f" {found.first_value_c:.1f}℃" if found.first_value_c is not None else ""
    who = " ".join(
        p
        for p in (
            found.name,
            found.document,
            found.phone,
            found.plate,
            place_name(found.origin, language),
        )
        if p
    )
    reasons = ("、" if language == "zh-CN" else ", ").join(
        _t(f"report.reason.{r}", language) for r in found.reasons
    )
    outcome = (
        _t("report.case.open", language)
        if found.disposition is None
        else _t(f"report.disposition.{found.disposition.value}", language)
    )
    return (
        f"{case.checkpoint_id} {_local(found.screened_at, case.timezone)}{value} {who}; "
        f"{reasons}; {outcome}"
    )


# --------------------------------------------------------------------------------------- text


def _table(report: HubDayReport, language: Language, width: int, *, cumulative: bool) -> list[str]:
    number = 8
    label = width - len(TABLE_FIGURES) * (number + 1)
    head = fit(_t("hub.col.checkpoint", language), label) + "".join(
        " " + fit(_t(f"hub.short.{name}", language), number, right=True) for name in TABLE_FIGURES
    )

    def line(name: str, figures: Figures) -> str:
        return fit(name, label) + "".join(
            " " + fit(str(getattr(figures, f)), number, right=True) for f in TABLE_FIGURES
        )

    out = [head]
    for row in report.rows:
        out.append(line(_who(row), row.cumulative if cumulative else row.new))
        for lane in lane_rows(row):
            if isinstance(lane, LaneDay):
                out.append(
                    line(_lane_label(lane, language), lane.cumulative if cumulative else lane.new)
                )
            elif cumulative:
                out.append(line(_lane_label(lane, language), lane.cumulative))
            else:
                silent = _t("lanes.hub.silent_short", language)
                out.append(
                    fit(_lane_label(lane, language), label) + fit(silent, width - label, right=True)
                )
    if cumulative:  # a checkpoint silent today still counts its earlier days
        for omission in report.omissions:
            if omission.silent_lanes:
                out.append(line(omission.checkpoint_id, omission.cumulative))
                out.append(fit("  " + _t("lanes.hub.silent_short", language), width).rstrip())
    out.append("-" * width)
    out.append(
        line(
            _t("hub.total", language),
            report.total_cumulative if cumulative else report.total_new,
        )
    )
    return out


def render_text(report: HubDayReport, language: Language, *, width: int = PAPER) -> str:
    """The hub report as plain text lines of at most `width` cells."""
    rule = "-" * width
    out: list[str] = []

    def add(text: str, indent: str = "") -> None:
        out.extend(wrap(text, width, indent))

    heading = _t("hub.title", language)
    out.append(fit(" " * max(0, (width - cell_len(heading)) // 2) + heading, width).rstrip())
    add(f"{_t('report.day', language)}: {report.day.isoformat()}")
    add(
        _t(
            "hub.reported_of",
            language,
            reported=len(report.rows),
            expected=report.expected,
            missing=len(report.omissions),
            late=len(report.late),
        )
    )
    out.append(rule)
    add(_t("hub.section.new", language))
    out += _table(report, language, width, cumulative=False)
    out.append(rule)
    add(_t("hub.section.cumulative", language))
    out += _table(report, language, width, cumulative=True)
    out.append(rule)
    add(_t("hub.section.total", language))
    number = 10
    label = width - 2 * (number + 2)
    out.append(
        fit(_t("report.item", language), label)
        + "  "
        + fit(_t("report.new", language), number, right=True)
        + "  "
        + fit(_t("report.cumulative", language), number, right=True)
    )
    for name in FIGURE_NAMES:
        out.append(
            fit(_t(f"report.figure.{name}", language), label)
            + "  "
            + fit(str(getattr(report.total_new, name)), number, right=True)
            + "  "
            + fit(str(getattr(report.total_cumulative, name)), number, right=True)
        )
    add(sums_line(report.total_new, language), "  ")
    out.append(rule)
    add(f"{_t('hub.section.omissions', language)}: {len(report.omissions)}")
    if not report.omissions:
        add(_t("hub.no_omissions", language))
    for omission in report.omissions:
        add("  " + omission_text(omission, language), "    ")
    for line in partly_reported(report, language):
        add("  " + line, "      ")
    out.append(rule)
    add(_t("hub.section.received", language))
    for row in report.rows:
        add(
            f"  {_who(row)}: {_local(row.first_received_at, row.timezone)}  "
            f"{status_words(row, language)}",
            "    ",
        )
        for line in lane_lines(row, language):
            add("    " + line, "      ")
    out.append(rule)
    add(f"{_t('report.cases', language)}: {len(report.cases)}")
    if not report.cases:
        add(_t("report.no_cases", language))
    for number_, case in enumerate(report.cases, 1):
        add(f"{number_}. {case_text(case, language)}", "   ")
    out.append(rule)
    add(
        _t(
            "hub.footer",
            language,
            generated=report.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
            hours=f"{report.grace.total_seconds() / 3600:g}",
        ),
        "  ",
    )
    return "\n".join(line.rstrip() for line in out) + "\n"


def render_json(report: HubDayReport) -> str:
    return json.dumps(to_data(report), ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------- CSV and XLSX


def table_rows(report: HubDayReport, language: Language) -> list[list[Any]]:
    """The spreadsheet: a header, one row per expected or reporting checkpoint (the silent
    ones with their status, no new figures and their cumulative ones as of their last
    reports), and the total."""
    new, cumulative = _t("report.new", language), _t("report.cumulative", language)
    header: list[Any] = [_t("hub.col.checkpoint", language), _t("lanes.label", language)]
    header += [
        _t(f"hub.col.{c}", language)
        for c in ("name", "township", "county", "status", "received_at", "versions")
    ]
    header += [f"{new}: {_t(f'report.figure.{n}', language)}" for n in FIGURE_NAMES]
    header += [f"{cumulative}: {_t(f'report.figure.{n}', language)}" for n in FIGURE_NAMES]
    rows: list[list[Any]] = [header]
    for row in report.rows:
        rows.append(
            [
                row.checkpoint_id,
                "",
                row.name,
                row.township,
                row.county,
                status_words(row, language),
                _local(row.first_received_at, row.timezone),
                row.versions,
                *(getattr(row.new, n) for n in FIGURE_NAMES),
                *(getattr(row.cumulative, n) for n in FIGURE_NAMES),
            ]
        )
        for lane in lane_rows(row):
            site = [row.name, row.township, row.county]
            name = lane_name_shown(lane.name, language)
            rows.append(
                [row.checkpoint_id, name, *site, *_lane_cells(lane, row.timezone, language)]
            )
    for omission in report.omissions:
        # No new figures; its cumulative ones as of its last reports (part of the total).
        known = omission.silent_lanes
        rows.append(
            [omission.checkpoint_id, "", "", "", "", _t("hub.missing", language), "", 0]
            + [None] * len(FIGURE_NAMES)
            + [getattr(omission.cumulative, n) if known else None for n in FIGURE_NAMES]
        )
    rows.append(
        [_t("hub.total", language), "", "", "", "", "", "", len(report.rows)]
        + [getattr(report.total_new, n) for n in FIGURE_NAMES]
        + [getattr(report.total_cumulative, n) for n in FIGURE_NAMES]
    )
    return rows


def _lane_cells(lane: LaneDay | SilentLane, zone: str, language: Language) -> list[Any]:
    """Status, received, versions and the figures of a lane's row: a silent lane has no new
    figures (it did not report the day) and its cumulative ones as of its last report."""
    if isinstance(lane, SilentLane):
        return [
            silent_text(lane, language),
            "",
            0,
            *([None] * len(FIGURE_NAMES)),
            *(getattr(lane.cumulative, n) for n in FIGURE_NAMES),
        ]
    words = [_t("hub.late" if lane.late else "hub.on_time", language)]
    if lane.versions > 1:
        words.append(_t("hub.revised", language, count=lane.versions - 1))
    return [
        ("、" if language == "zh-CN" else ", ").join(words),
        _local(lane.first_received_at, zone),
        lane.versions,
        *(getattr(lane.new, n) for n in FIGURE_NAMES),
        *(getattr(lane.cumulative, n) for n in FIGURE_NAMES),
    ]


def render_csv(report: HubDayReport, language: Language) -> bytes:
    """CSV in UTF-8 with a byte-order mark (so that Excel reads the Chinese as UTF-8)."""
    stream = io.StringIO()
    writer = csv.writer(stream)
    for row in table_rows(report, language):
        writer.writerow(["" if value is None else value for value in row])
    return stream.getvalue().encode("utf-8-sig")


def render_xlsx(report: HubDayReport, language: Language) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _t("hub.sheet", language)
    for row in table_rows(report, language):
        sheet.append(row)
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 20
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


# ---------------------------------------------------------------------------------------- PDF


def render_pdf(
    report: HubDayReport, language: Language, *, font: Path | CjkFont | FontChoice | None = None
) -> bytes:
    """The hub report as an A4 PDF: the tables, the omission list and the cases. Raises
    `ReportError` when no font has Chinese or a character is in no font (see `fonts`)."""
    from checkpoint.reports import fonts

    def lay_out(choice: FontChoice) -> Any:
        return _pdf(report, language, choice)

    text = fonts.text_of(to_data(report)) + render_text(report, language)
    return bytes(fonts.lay_out(lay_out, text, font).output())


def _pdf(report: HubDayReport, language: Language, choice: FontChoice) -> Any:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    from checkpoint.reports import fonts

    class Sheet(FPDF):
        def normalize_text(self, text: str) -> str:
            # ℃ becomes °C where no chosen font has it.
            return super().normalize_text(fonts.printable(text, choice))

    pdf = Sheet(orientation="portrait", unit="mm", format="A4")
    fonts.install(pdf, choice, "cjk")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_creator("checkpoint")
    pdf.set_title(f"{_t('hub.title', language)} {report.day.isoformat()}")
    pdf.set_creation_date(report.generated_at)
    pdf.add_page()

    def para(text: str, size: float = 10) -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    para(_t("hub.title", language), 16)
    para(f"{_t('report.day', language)}: {report.day.isoformat()}")
    para(
        _t(
            "hub.reported_of",
            language,
            reported=len(report.rows),
            expected=report.expected,
            missing=len(report.omissions),
            late=len(report.late),
        )
    )
    heading = FontFace(emphasis="NONE", fill_color=(235, 235, 235))
    for cumulative in (False, True):
        pdf.ln(2)
        para(_t("hub.section.cumulative" if cumulative else "hub.section.new", language), 12)
        pdf.set_font("cjk", size=9)
        with pdf.table(
            col_widths=(40, *(20,) * len(TABLE_FIGURES)),
            text_align=("LEFT", *("RIGHT",) * len(TABLE_FIGURES)),
            line_height=5.5,
            headings_style=heading,
        ) as table:
            table.row(
                [
                    _t("hub.col.checkpoint", language),
                    *(_t(f"hub.short.{n}", language) for n in TABLE_FIGURES),
                ]
            )
            for row in report.rows:
                figures = row.cumulative if cumulative else row.new
                table.row([_who(row), *(str(getattr(figures, n)) for n in TABLE_FIGURES)])
                for lane in lane_rows(row):
                    label = _lane_label(lane, language)
                    shown: Figures | None = lane.cumulative if cumulative else None
                    if isinstance(lane, LaneDay) and not cumulative:
                        shown = lane.new
                    table.row(
                        [label, *(str(getattr(shown, n)) if shown else "" for n in TABLE_FIGURES)]
                    )
            for omission in report.omissions if cumulative else ():
                if omission.silent_lanes:  # silent today: its earlier days still count
                    label = f"{omission.checkpoint_id} ({_t('lanes.hub.silent_short', language)})"
                    shown = omission.cumulative
                    table.row([label, *(str(getattr(shown, n)) for n in TABLE_FIGURES)])
            figures = report.total_cumulative if cumulative else report.total_new
            table.row(
                [_t("hub.total", language), *(str(getattr(figures, n)) for n in TABLE_FIGURES)]
            )
    pdf.ln(2)
    para(_t("hub.section.total", language), 12)
    pdf.set_font("cjk", size=9)
    with pdf.table(
        col_widths=(90, 45, 45),
        text_align=("LEFT", "RIGHT", "RIGHT"),
        line_height=5,
        headings_style=heading,
    ) as table:
        table.row(
            [
                _t("report.item", language),
                _t("report.new", language),
                _t("report.cumulative", language),
            ]
        )
        for name in FIGURE_NAMES:
            table.row(
                [
                    _t(f"report.figure.{name}", language),
                    str(getattr(report.total_new, name)),
                    str(getattr(report.total_cumulative, name)),
                ]
            )
    para(sums_line(report.total_new, language), 9)
    sections: list[tuple[str, list[str], str]] = [
        (
            f"{_t('hub.section.omissions', language)}: {len(report.omissions)}",
            [omission_text(o, language) for o in report.omissions]
            + partly_reported(report, language),
            _t("hub.no_omissions", language),
        ),
        (
            _t("hub.section.received", language),
            [
                line
                for r in report.rows
                for line in (
                    f"{_who(r)}: {_local(r.first_received_at, r.timezone)}  "
                    f"{status_words(r, language)}",
                    *("    " + lane for lane in lane_lines(r, language)),
                )
            ],
            "",
        ),
        (
            f"{_t('report.cases', language)}: {len(report.cases)}",
            [f"{i}. {case_text(c, language)}" for i, c in enumerate(report.cases, 1)],
            _t("report.no_cases", language),
        ),
    ]
    for title, lines, empty in sections:
        pdf.ln(2)
        para(title, 12)
        for text in lines or ([empty] if empty else []):
            para(text, 9)
    pdf.ln(2)
    para(
        _t(
            "hub.footer",
            language,
            generated=report.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
            hours=f"{report.grace.total_seconds() / 3600:g}",
        ),
        8,
    )
    return pdf


def renderers() -> dict[str, Callable[[HubDayReport, Language], bytes]]:
    """Format name → renderer (the PDF asks fontconfig for its font)."""
    return {
        "text": lambda report, language: render_text(report, language).encode(),
        "json": lambda report, _language: render_json(report).encode(),
        "csv": render_csv,
        "xlsx": render_xlsx,
        "pdf": lambda report, language: render_pdf(report, language),
    }
