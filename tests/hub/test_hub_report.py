"""The hub's daily report: two checkpoints reported, one enrolled and silent, one revoked and one
enrolled later (neither expected); totals exact, the silent one listed, every format readable."""

from __future__ import annotations

import copy
import csv
import io
import json
from dataclasses import fields
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from rich.cells import cell_len

from checkpoint.errors import ReportError
from checkpoint.hub import db
from checkpoint.hub.report_ingest import store_report
from checkpoint.hub.report_render import (
    TABLE_FIGURES,
    render_csv,
    render_json,
    render_pdf,
    render_text,
    render_xlsx,
)
from checkpoint.hub.reports import HubDayReport, hub_day_report
from checkpoint.reports.build import day_report
from checkpoint.reports.fonts import CjkFont
from checkpoint.reports.json_form import to_data
from checkpoint.reports.model import Figures
from checkpoint.wire.reports import canonical
from tests.cli.test_init_verify import invoke
from tests.reports.conftest import (
    DAY,
    Log,
    MachineFonts,
    fontconfig_with,
    pdf_text,
    poppler,
    poppler_text,
    report_settings,
    utc,
)
from tests.reports.conftest import cjk_font as cjk_font  # the fixture, skipping without a font
from tests.reports.conftest import machine_fonts as machine_fonts  # the fixture
from tests.sync.test_reports_travel import known as known  # the known log, as a fixture

A, B, SILENT, REVOKED, LATER = "HB-XG-0012", "HB-XG-0020", "HB-XG-0030", "HB-XG-0040", "HB-XG-0050"
PERIOD_END = utc(25, 4)
"""The end of report day 2026-11-24 at the checkpoints (12:00 Asia/Shanghai)."""
NAMES = [f.name for f in fields(Figures)]


def _other(data: dict[str, Any]) -> dict[str, Any]:
    """Checkpoint B's report: A's with its own code and name and other figures."""
    other = copy.deepcopy(data)
    other["checkpoint"] |= {"code": B, "name": "槐荫收费站"}
    for index, name in enumerate(NAMES):
        other["new"][name] = index + 1
        other["cumulative"][name] = 100 * (index + 1)
    other["cases"] = []
    other["zero_report"] = False
    return other


@pytest.fixture
def hub_engine(tmp_path: Path, known: Log) -> tuple[sa.Engine, dict[str, Any], dict[str, Any]]:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = db.make_engine(url)
    before = utc(20, 0)
    for code in (A, B, SILENT, REVOKED):
        db.enroll(engine, code, now=before)
    db.revoke(engine, REVOKED, now=utc(22, 0))
    db.enroll(engine, LATER, now=utc(26, 0))
    ours = canonical(to_data(day_report(known.store, report_settings(), DAY, now=utc(25, 5))))
    theirs = _other(ours)
    store_report(engine, A, DAY, ours, now=PERIOD_END + timedelta(hours=1))
    store_report(engine, B, DAY, theirs, now=PERIOD_END + timedelta(hours=5))
    return engine, ours, theirs


def _report(hub: tuple[sa.Engine, dict[str, Any], dict[str, Any]]) -> HubDayReport:
    return hub_day_report(hub[0], DAY, now=utc(25, 6))


def test_totals_are_the_sums_and_the_silent_checkpoint_is_listed(
    hub_engine: tuple[sa.Engine, dict[str, Any], dict[str, Any]],
) -> None:
    _, ours, theirs = hub_engine
    report = _report(hub_engine)
    assert [row.checkpoint_id for row in report.rows] == [A, B]
    for name in NAMES:
        assert getattr(report.total_new, name) == ours["new"][name] + theirs["new"][name]
        assert getattr(report.total_cumulative, name) == (
            ours["cumulative"][name] + theirs["cumulative"][name]
        )
    assert [o.checkpoint_id for o in report.omissions] == [SILENT]
    assert report.expected == 3
    assert [(row.checkpoint_id, row.late) for row in report.rows] == [(A, False), (B, True)]
    assert len(report.cases) == len(ours["cases"]) > 0
    assert {c.case.name for c in report.cases} == {c["name"] for c in ours["cases"]}


def test_a_new_token_keeps_the_enrolment_and_a_return_after_revocation_starts_anew(
    hub_engine: tuple[sa.Engine, dict[str, Any], dict[str, Any]],
) -> None:
    engine = hub_engine[0]
    # SILENT lost its token: a new one, whenever it is issued, leaves it expected on DAY.
    db.enroll(engine, SILENT, now=utc(30, 0))
    assert [o.checkpoint_id for o in _report(hub_engine).omissions] == [SILENT]
    # REVOKED, set up again after the day: still not expected on DAY, expected from now on.
    db.enroll(engine, REVOKED, now=utc(27, 0))
    report = _report(hub_engine)
    assert report.expected == 3 and [o.checkpoint_id for o in report.omissions] == [SILENT]
    later = hub_day_report(engine, DAY + timedelta(days=3), now=utc(28, 6))
    assert REVOKED in [o.checkpoint_id for o in later.omissions]


def test_the_text_is_80_columns_in_both_languages(
    hub_engine: tuple[sa.Engine, dict[str, Any], dict[str, Any]],
) -> None:
    report = _report(hub_engine)
    for language in ("zh-CN", "en"):
        text = render_text(report, language)
        assert all(cell_len(line) <= 80 for line in text.splitlines())
        assert SILENT in text and "槐荫收费站" in text
    english = render_text(report, "en")
    total_line = next(line for line in english.splitlines() if line.startswith("Total"))
    assert total_line.split()[1:] == [str(getattr(report.total_new, n)) for n in TABLE_FIGURES]
    assert TABLE_FIGURES == (
        "people",
        "vehicles",
        "on_foot",
        "at_or_over",
        "suspected",
        "referred",
        "turned_back",
    )
    assert "LATE" in english and "never reported" in english


def test_json_csv_and_xlsx_read_back(
    hub_engine: tuple[sa.Engine, dict[str, Any], dict[str, Any]],
) -> None:
    report = _report(hub_engine)
    data = json.loads(render_json(report))
    assert data["total"]["new"]["people"] == report.total_new.people
    assert [o["code"] for o in data["omissions"]] == [SILENT]
    raw = render_csv(report, "zh-CN")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [A, B, SILENT, "合计"]
    # Column 1 is the lane (empty on a checkpoint's row); the figures start at column 8.
    assert rows[0][8].startswith("新增") and rows[0][8 + len(NAMES)].startswith("累计")
    assert int(rows[-1][8]) == report.total_new.people
    assert rows[3][5] == "未报告"
    sheet = load_workbook(io.BytesIO(render_xlsx(report, "en"))).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [row[0] for row in values[1:]] == [A, B, SILENT, "Total"]
    assert values[-1][8] == report.total_new.people
    assert values[-1][8 + len(NAMES)] == report.total_cumulative.people


def test_the_pdf_has_the_tables_the_omissions_and_the_cases(
    hub_engine: tuple[sa.Engine, dict[str, Any], dict[str, Any]], cjk_font: CjkFont
) -> None:
    report = _report(hub_engine)
    pdf = render_pdf(report, "zh-CN", font=cjk_font)
    text = pdf_text(pdf)
    for expected in (
        "各卡点日报汇总",
        "槐荫收费站",
        SILENT,
        "合计",
        "迟报",
        str(report.total_new.people),
    ):
        assert expected in text
    assert report.cases[0].case.name in text


def test_the_command_writes_each_format(
    hub_engine: tuple[sa.Engine, dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    url = hub_engine[0].url.render_as_string(hide_password=False)
    shown = invoke(tmp_path, "hub", "report", "day", "--date", "2026-11-24", "--db", url)
    assert shown.exit_code == 0, shown.output
    assert SILENT in shown.stdout
    for form in ("json", "csv", "xlsx"):
        out = tmp_path / f"hub.{form}"
        result = invoke(
            tmp_path, "hub", "report", "day", "--date", "2026-11-24", "--db", url,
            "--format", form, "--output", str(out), "--language", "en",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert json.loads((tmp_path / "hub.json").read_text())["reported"] == 2
    bad = invoke(tmp_path, "hub", "report", "day", "--date", "24/11", "--db", url)
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_the_pdf_is_set_in_fonts_that_have_every_character(
    hub_engine: tuple[sa.Engine, dict[str, Any], dict[str, Any]],
    machine_fonts: MachineFonts,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from checkpoint.reports import fonts

    # fontconfig's only Chinese font has no digits or Latin, and the shipped font is missing:
    # a Latin font fills in; without it, no PDF at all.
    fontconfig_with(monkeypatch, tmp_path, machine_fonts.chinese_only, machine_fonts.latin)
    monkeypatch.setattr(fonts, "bundled_fonts", list)
    report = _report(hub_engine)
    pdf = render_pdf(report, "zh-CN")
    fonts_used = sorted(
        line.split()[0].split("+")[1] for line in poppler("pdffonts", pdf).splitlines()[2:]
    )
    assert fonts_used == ["ChineseOnly", "LatinOnly"]
    assert report.day.isoformat() in poppler_text(pdf)
    monkeypatch.setattr(fonts, "fontconfig_for", lambda chars: [])
    with pytest.raises(ReportError) as raised:
        render_pdf(report, "en", font=machine_fonts.chinese_only)
    assert raised.value.code == "pdf.font.missing_glyphs"
