"""Renderers: widths in display cells (CJK double width), the zero statement, signatures, the
log range, and JSON that validates against the committed schema."""

from __future__ import annotations

import json
from dataclasses import fields

import jsonschema
import pytest
from rich.cells import cell_len

from checkpoint.locale import LANGUAGES, Language, catalog
from checkpoint.reports.build import day_report, shift_report
from checkpoint.reports.json_form import render_json, schema
from checkpoint.reports.model import Figures, Report
from checkpoint.reports.terminal import render_terminal
from checkpoint.reports.text import fit, render_receipt, render_text, wrap
from tests.reports.conftest import DAY, EMPTY_DAY, GENERATED, Log, report_settings


@pytest.fixture
def day(log: Log) -> Report:
    return day_report(log.store, report_settings(), DAY, now=GENERATED)


@pytest.fixture
def empty_day(log: Log) -> Report:
    return day_report(log.store, report_settings(), EMPTY_DAY, now=GENERATED)


def test_fit_and_wrap_count_display_cells() -> None:
    assert fit("检测人次", 10) == "检测人次  "
    assert cell_len(fit("检测人次", 10)) == 10
    # Cut text is marked; a double-width character that would straddle the edge is a space.
    assert fit("检测人次", 5) == "检测…" and cell_len(fit("检测人次", 5)) == 5
    assert fit("检测人次", 6) == "检测… " and cell_len(fit("检测人次", 6)) == 6
    assert fit("12", 5, right=True) == "   12"
    assert all(cell_len(line) <= 7 for line in wrap("湖北省武汉市江岸区 Hankou station", 7))


@pytest.mark.parametrize("language", LANGUAGES)
def test_text_columns_line_up_by_display_width(day: Report, language: Language) -> None:
    lines = render_text(day, language).splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    labels = {catalog(language)[f"report.figure.{f.name}"] for f in fields(Figures)}
    rows = [line for line in lines if any(line.startswith(label + " ") for label in labels)]
    assert len(rows) == len(fields(Figures))
    # Both numbers end at the same display column on every row, whatever the label's script.
    assert {cell_len(row) for row in rows} == {80}
    people = next(r for r in rows if r.startswith(catalog(language)["report.figure.people"]))
    assert people.split()[-2:] == ["5", "6"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_receipt_lines_fit_32_cells(day: Report, empty_day: Report, language: Language) -> None:
    for report in (day, empty_day):
        lines = render_receipt(report, language).splitlines()
        too_wide = [line for line in lines if cell_len(line) > 32]
        assert not too_wide, too_wide


def test_text_has_the_sheet_furniture(day: Report, empty_day: Report) -> None:
    text = render_text(day, "zh-CN")
    for expected in ("日报告", "孝感北收费站", "毛陈镇", "孝南区", "值班人员签字", "带班领导签字"):
        assert expected in text
    assert "欧阳**" in text and "110105********002X" in text and "138****5678" in text
    assert "11010519491231002X" not in text and "13812345678" not in text
    assert day.log_range.chain_head in text.replace("\n  ", "")
    assert "本日未发现体温异常人员" not in text
    zero = render_text(empty_day, "zh-CN")
    assert "本日未发现体温异常人员" in zero and "零报告" in zero
    assert "No person at or above the threshold." in render_text(empty_day, "en")
    receipt = render_receipt(day, "zh-CN")
    assert day.log_range.chain_head in "".join(line.strip() for line in receipt.splitlines())


def test_terminal_rendering_has_the_tables(day: Report) -> None:
    text = render_terminal(day, "en", width=100)
    assert "People screened" in text and "By hour" in text and "欧阳**" in text


def test_json_validates_against_the_schema(log: Log, day: Report, empty_day: Report) -> None:
    shift = shift_report(log.store, report_settings(), None, now=GENERATED)
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    jsonschema.Draft202012Validator.check_schema(schema())
    for report in (day, empty_day, shift):
        data = json.loads(render_json(report))
        validator.validate(data)
    data = json.loads(render_json(day))
    assert data["new"]["people"] == 5 and data["cumulative"]["people"] == 6
    assert data["zero_report"] is False and data["report_day"] == "2026-11-24"
    assert data["cases"][0]["disposition"] == "referred-fever-clinic"


def test_every_figure_and_step_has_a_label_in_both_languages() -> None:
    keys = [f"report.figure.{f.name}" for f in fields(Figures)]
    keys += [f"report.step.{k}" for k in ("opened", "taken-aside", "remeasured", "axillary")]
    keys += [f"report.step.{k}" for k in ("history", "decided")]
    for language in LANGUAGES:
        missing = [key for key in keys if key not in catalog(language)]
        assert not missing, (language, missing)


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("12:35 处置 转发热门诊/120 (李强)", 24),
        ("处置: 转发热门诊/120; 决定人：李强", 26),
        ("处置：居家健康监测（李强），已通知社区。", 12),
    ],
)
def test_wrapped_lines_never_start_with_closing_punctuation(text: str, width: int) -> None:
    lines = wrap(text, width, indent="  ")
    assert all(cell_len(line) <= width for line in lines)
    assert all(line.strip()[:1] not in ")）：，。、;；" for line in lines[1:]), lines
    assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")
    if "(李强)" in text:
        assert any("(李强)" in line for line in lines)  # a short name in brackets stays whole
