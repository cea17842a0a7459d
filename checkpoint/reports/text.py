"""Plain-text reports for any printer: 80 columns, or 32 for 58 mm receipt printers.

Widths are display cells (`rich.cells.cell_len`): a Chinese character takes two columns on a
terminal and on a printer's fixed-pitch font, so columns are padded by width, never by the
number of characters, and no line is wider than the layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.cells import cell_len

from checkpoint.domain.plates import place_name
from checkpoint.locale import Language, translate
from checkpoint.reports import site_text
from checkpoint.reports.model import FeverCase, Figures, Report, ReportKind
from checkpoint.reports.site_model import SiteTally

PAPER = 80
RECEIPT = 32


def _t(key: str, language: Language, **params: object) -> str:
    return translate(key, language, **params)


MORE = "…"
"""Marks text cut to fit its column."""


def fit(text: str, width: int, *, right: bool = False) -> str:
    """`text` padded (or cut, the cut marked with "…") to exactly `width` cells; a double-width
    character that would straddle the edge is replaced by a space."""
    if width > 1 and cell_len(text) > width:
        text = _cut(text, width - 1).rstrip() + MORE
    padding = " " * (width - cell_len(_cut(text, width)))
    return padding + _cut(text, width) if right else _cut(text, width) + padding


def _cut(text: str, width: int) -> str:
    out, used = [], 0
    for char in text:
        size = cell_len(char)
        if used + size > width:
            break
        out.append(char)
        used += size
    return "".join(out)


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """`text` broken into lines of at most `width` cells (at spaces when it can, anywhere in
    Chinese text, which has none); continuation lines start with `indent`."""
    lines: list[str] = []
    current, used = "", 0
    for word in _words(text):
        size = cell_len(word)
        if used + size > width and current.strip():
            lines.append(current.rstrip())
            current, used = indent, cell_len(indent)
            word = word.lstrip()
            size = cell_len(word)
        while size > width - used:  # a word longer than a line: cut it
            head = _cut(word, width - used).rstrip()
            if not head:
                break
            lines.append(current + head)
            word = word[len(head) :]
            current, used, size = indent, cell_len(indent), cell_len(word)
        current += word
        used += size
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


_NO_LINE_START = frozenset("）)]】」』，。、；：！？:;,.!?%℃")
"""Closing brackets and punctuation never begin a line: they stay with what they close."""
_NO_LINE_END = frozenset("（([【「『")
"""Opening brackets never end a line: they stay with what they open."""


def _short_group(word: str) -> bool:
    # A short bracketed group, such as a name "(李强)", is kept whole: still open, and short.
    return word.lstrip()[:1] in _NO_LINE_END and word[-1] not in ")）]】」』" and cell_len(word) < 9


def _words(text: str) -> list[str]:
    # Latin words stay whole (with their leading space); each CJK character is a word of its
    # own (with the Latin word that follows it without a space), with the punctuation around
    # it kept on its side of a line break.
    words: list[str] = []
    for char in text:
        if words and (
            char in _NO_LINE_START or words[-1][-1] in _NO_LINE_END or _short_group(words[-1])
        ):
            words[-1] += char
        elif words and char.isascii() and char.isalnum() and cell_len(words[-1][-1]) == 2:
            # A letter or digit right after a Chinese character stays with it: a plate
            # (湘A66666) or a figure (体温37.5) is never broken between them.
            words[-1] += char
        elif cell_len(char) == 2 or not words or char == " " or cell_len(words[-1][-1]) == 2:
            words.append(char)
        else:
            words[-1] += char
    return words


def local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _figure_rows(report: Report, language: Language) -> list[tuple[str, int, int]]:
    return [
        (
            _t(f"report.figure.{f.name}", language),
            getattr(report.new, f.name),
            getattr(report.cumulative, f.name),
        )
        for f in fields(Figures)
    ]


def sums_line(figures: Figures, language: Language) -> str:
    """The figures that must add up, written as the sums they are, so whoever checks the
    sheet sees that vehicles + groups on foot = passages = in + out."""
    return _t(
        "report.sums",
        language,
        vehicles=figures.vehicles,
        on_foot=figures.on_foot,
        passages=figures.passages,
        inbound=figures.inbound,
        outbound=figures.outbound,
    )


def title(report: Report, language: Language) -> str:
    if report.kind is ReportKind.SHIFT:
        return _t("report.title.shift", language)
    return _t("report.title.zero" if report.zero_report else "report.title.day", language)


def period_text(report: Report) -> str:
    zone = ZoneInfo(report.timezone)
    return f"{local(report.start, zone)} – {local(report.end, zone)} ({report.timezone})"


def case_lines(case: FeverCase, number: int, report: Report, language: Language) -> list[str]:
    """One case as text lines (not yet wrapped): who, reasons, each step, the disposition."""
    zone = ZoneInfo(report.timezone)
    value = f" {case.first_value_c:.1f}℃" if case.first_value_c is not None else ""
    who = " ".join(
        part
        for part in (
            case.name,
            case.document,
            case.phone,
            case.plate,
            place_name(case.origin, language),
        )
        if part
    )
    reasons = "、" if language == "zh-CN" else ", "
    lines = [
        f"{number}. {local(case.screened_at, zone)}{value} {who}",
        f"   {_t('report.case.reasons', language)}: "
        + reasons.join(_t(f"report.reason.{r}", language) for r in case.reasons),
    ]
    for step in case.steps:
        text = f"   {local(step.at, zone)[11:]} {_t(f'report.step.{step.kind}', language)}"
        if step.value_c is not None:
            text += f" {step.value_c:.1f}℃"
        if step.disposition is not None:
            text += f" {_t(f'report.disposition.{step.disposition.value}', language)}"
        text += f" ({step.by})"
        if step.note:
            text += f" {step.note}"
        lines.append(text)
    if case.disposition is None:
        outcome = _t("report.case.open", language)
    else:
        outcome = _t(f"report.disposition.{case.disposition.value}", language)
        outcome += "; " + _t("report.case.decided_by", language, name=case.decided_by)
    lines.append(f"   {_t('report.case.disposition', language)}: {outcome}")
    return lines


def render_text(report: Report, language: Language, *, width: int = PAPER) -> str:
    """The report as plain text lines of at most `width` cells (80, or 32 for a receipt)."""
    narrow = width < 60
    zone = ZoneInfo(report.timezone)
    rule = "-" * width
    out: list[str] = []

    def add(text: str, indent: str = "") -> None:
        out.extend(wrap(text, width, indent))

    heading = title(report, language)
    out.append(fit(" " * max(0, (width - cell_len(heading)) // 2) + heading, width).rstrip())
    add(
        f"{_t('report.checkpoint', language)}: {report.checkpoint_name} ({report.checkpoint_code})"
        f"  {_t('lanes.label', language)}: {report.lane.shown(language)}"
    )
    add(
        f"{_t('report.township', language)}: {report.township}  "
        f"{_t('report.county', language)}: {report.county}"
    )
    if report.kind is ReportKind.DAY:
        add(f"{_t('report.day', language)}: {report.report_day}")
    elif report.shift_id is not None:
        add(f"{_t('report.shift', language)}: {report.shift_id.hex[:12]}")
    add(f"{_t('report.period', language)}: {period_text(report)}", "  ")
    leaders = report.leaders or ((report.leader,) if report.leader else ())
    if leaders:
        add(f"{_t('report.leader', language)}: {'、'.join(leaders)}", "  ")
    add(f"{_t('report.threshold', language)}: {report.threshold_c:.1f}℃")
    out.append(rule)
    gap = " " if narrow else "  "
    rows = _figure_rows(report, language)
    number = max(
        cell_len(_t("report.new", language)),
        cell_len(_t("report.cumulative", language)),
        *(len(str(n)) for _, _, n in rows),
        5 if narrow else 10,
    )
    label = width - 2 * number - 2 * len(gap)
    out.append(
        fit(_t("report.item", language), label)
        + gap
        + fit(_t("report.new", language), number, right=True)
        + gap
        + fit(_t("report.cumulative", language), number, right=True)
    )
    for name, new, cumulative in rows:
        out.append(
            fit(name, label)
            + gap
            + fit(str(new), number, right=True)
            + gap
            + fit(str(cumulative), number, right=True)
        )
    add(sums_line(report.new, language), "  ")
    out.append(rule)
    if report.site is not None:
        out.extend(_site_lines(report, report.site, language, width))
        out.append(rule)
    if report.zero_report:
        add(_t("report.zero_statement", language))
        out.append(rule)
    if report.by_hour:
        add(_t("report.by_hour", language))
        people = max(cell_len(_t("report.people", language)), 5)
        flagged = max(cell_len(_t("report.flagged", language)), 3)
        head = (
            fit(_t("report.hour", language), 5)
            + " "
            + fit(_t("report.people", language), people, right=True)
            + " "
            + fit(_t("report.flagged", language), flagged, right=True)
        )
        cells = [
            f"{local(h.hour_start, zone)[11:]} {h.people:>{people}} {h.at_or_over:>{flagged}}"
            for h in report.by_hour
        ]
        cell = max(cell_len(c) for c in [head, *cells]) + 3
        per_line = max(1, (width + 3) // cell)
        out.append("   ".join([head] * min(per_line, len(cells))).rstrip())
        for start in range(0, len(cells), per_line):
            out.append("   ".join(cells[start : start + per_line]).rstrip())
        out.append(rule)
    add(f"{_t('report.cases', language)}: {len(report.cases)}")
    if not report.cases:
        add(_t("report.no_cases", language))
    for number_, case in enumerate(report.cases, 1):
        for line in case_lines(case, number_, report, language):
            add(line, "     ")
    out.append(rule)
    if report.staff_on_duty:
        add(f"{_t('report.staff_on_duty', language)}: {'、'.join(report.staff_on_duty)}", "  ")
    if report.handover_note:
        add(f"{_t('report.handover', language)}: {report.handover_note}", "  ")
    if report.closed_by and report.closed_at is not None:
        at = local(report.closed_at, ZoneInfo(report.timezone))
        add(_t("report.signed_off", language, by=report.closed_by, at=at), "  ")
    for signature in report.signatures:
        out.append("")
        add(f"{_t(f'report.sign.{signature.role}', language)}: " + "_" * (12 if narrow else 24))
        if signature.names:
            names = f"({'、'.join(signature.names)})"
            if narrow or cell_len(out[-1]) + 2 + cell_len(names) > width:
                add("  " + names, "  ")
            else:
                out[-1] += "  " + names
    out.append(rule)
    add(f"{_t('report.generated', language)}: {local(report.generated_at, zone)}")
    log = report.log_range
    span = f"{log.first_seq}–{log.last_seq}" if log.first_seq is not None else "—"
    add(f"{_t('report.records', language)}: {span}")
    add(f"{_t('report.chain_head', language)}: {log.chain_head or '—'}", "  ")
    if report.backwards:
        first = report.backwards[0]
        add(
            _t(
                "report.backwards",
                language,
                count=len(report.backwards),
                seq=first.seq,
                at=local(first.at, zone),
                prev_at=local(first.prev_at, zone),
            )
        )
    return "\n".join(line.rstrip() for line in out) + "\n"


def _site_lines(report: Report, tally: SiteTally, language: Language, width: int) -> list[str]:
    """The site tally: a row per lane (its figures, when it handed in), the total, the notes."""
    zone = ZoneInfo(report.timezone)
    narrow = width < 60
    columns = site_text.NARROW_COLUMNS if narrow else site_text.COLUMNS
    titles = site_text.column_titles(columns, report, language)
    rows = [
        (
            site_text.lane_label(lane, language),
            site_text.cells(lane.new, columns),
            site_text.handed_in(lane, tally, zone, language),
        )
        for lane in tally.lanes
    ]
    total = (_t("site.total", language), site_text.cells(tally.total_new, columns), "")
    widths = [
        max(cell_len(title), *(cell_len(row[1][i]) for row in [*rows, total]))
        for i, title in enumerate(titles)
    ]
    lane_width = min(
        max(cell_len(_t("site.col.lane", language)), *(cell_len(row[0]) for row in rows)),
        10 if narrow else 20,
    )

    def line(label: str, figures: Sequence[str], status: str) -> list[str]:
        text = fit(label, lane_width) + "".join(
            " " + fit(cell, w, right=True) for cell, w in zip(figures, widths, strict=True)
        )
        if narrow:  # the hand-in goes on its own line on a receipt
            return [text.rstrip(), *(wrap("  " + status, width, "  ") if status else [])]
        room = width - cell_len(text) - 2
        if cell_len(status) <= room:
            return [(text + "  " + status).rstrip()]
        return [text.rstrip(), *wrap("  " + status, width, "  ")]

    out = wrap(_t("site.title", language), width)
    out += line(
        _t("site.col.lane", language), titles, "" if narrow else _t("site.col.handed_in", language)
    )
    for label, figures, status in rows:
        out += line(label, figures, status)
    out += line(*total)
    for note in site_text.notes(tally, zone, language):
        out += wrap(note, width, "  ")
    return out


def render_receipt(report: Report, language: Language) -> str:
    """The report for a 58 mm receipt printer: 32 cells a line."""
    return render_text(report, language, width=RECEIPT)
