"""Long text never breaks a report: PDF cells are cut with a mark, lines wrap, receipts keep
plates whole; and the day report names the leaders of the day's shifts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from rich.cells import cell_len

from checkpoint.reports.build import day_report
from checkpoint.reports.fonts import CjkFont
from checkpoint.reports.pdf import render_pdf
from checkpoint.reports.text import RECEIPT, render_receipt, render_text
from tests.reports.conftest import (
    DAY,
    LONG_NAME,
    LONG_ORIGIN,
    Log,
    make_long_report,
    make_report,
    pdf_text,
    report_settings,
)


def test_a_pdf_with_a_200_character_name_and_a_400_character_origin(cjk_font: CjkFont) -> None:
    # fpdf2 refused the row: "ValueError: The row … is too high".
    report = make_long_report()
    for language in ("zh-CN", "en"):
        text = pdf_text(render_pdf(report, language=language, font=cjk_font))
        assert LONG_NAME[:20] in text and LONG_NAME not in text
        assert LONG_ORIGIN[:30] in text and LONG_ORIGIN not in text
        assert "…" in text  # the cuts are marked
        assert "湘A66666" in text
        assert "志愿者000" in text  # the long list of names wraps in the header


def test_text_and_receipt_wrap_long_text_within_their_width() -> None:
    report = make_long_report()
    for language in ("zh-CN", "en"):
        for rendered, width in (
            (render_text(report, language), 80),
            (render_receipt(report, language), RECEIPT),
        ):
            lines = rendered.splitlines()
            assert max(cell_len(line) for line in lines) <= width
            joined = "".join(line.strip() for line in lines)
            assert LONG_NAME.replace(" ", "") in joined.replace(" ", "")  # wrapped, all of it
            assert LONG_ORIGIN.replace(" ", "") in joined.replace(" ", "")


def test_the_receipt_never_breaks_a_plate() -> None:
    base = make_report()
    for padding in range(40):  # the plate at every position of a 32-cell line
        case = replace(base.cases[0], name="张" + "三" * (padding % 12), plate="湘A66666")
        case = replace(case, document="4" * (padding // 12))
        receipt = render_receipt(replace(base, cases=(case,)), "zh-CN")
        assert "湘A66666" in receipt, receipt


def test_the_day_report_header_names_the_leaders_of_the_days_shifts(
    log: Log, cjk_font: CjkFont
) -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    report = day_report(log.store, report_settings(), DAY, now=now)
    assert report.leaders == ("李强", "赵敏")
    header = pdf_text(render_pdf(report, language="zh-CN", font=cjk_font)).split("检测人员")[0]
    assert "带班领导:李强、赵敏" in header
    english = pdf_text(render_pdf(report, language="en", font=cjk_font)).split("Figures")[0]
    assert "Shiftleader:李强,赵敏" in english
    text = render_text(report, "zh-CN").split("-" * 80)[0]
    assert "李强、赵敏" in text
