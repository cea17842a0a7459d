"""The hub's report, lane by lane: a row per lane under its checkpoint in the text, the PDF, the
CSV and the XLSX (the lanes add up to their checkpoint's row, LibreOffice included), and a lane
silent today keeps its earlier days in the cumulative figures."""

from __future__ import annotations

import copy
import csv
import io
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from checkpoint.hub.report_ingest import store_report
from checkpoint.hub.report_render import render_csv, render_pdf, render_text, render_xlsx
from checkpoint.hub.reports import FIGURE_NAMES, HubDayReport, hub_day_report
from checkpoint.hub.reports import to_data as hub_data
from checkpoint.reports.fonts import CjkFont
from checkpoint.wire.reports import canonical
from tests.hub.test_hub_lanes import CODE, _lane, engine, ours
from tests.reports.conftest import DAY, cjk_font, pdf_text, utc
from tests.reports.test_ledger_cells import SOFFICE, machine_fonts, needs_libreoffice
from tests.sync.test_reports_travel import known

__all__ = ["cjk_font", "engine", "known", "ours"]

YESTERDAY = DAY - timedelta(days=1)


def _on(report: dict[str, Any], day: date, cumulative_factor: int = 1) -> dict[str, Any]:
    other = copy.deepcopy(report)
    other["report_day"] = day.isoformat()
    for name in FIGURE_NAMES:
        other["cumulative"][name] = report["cumulative"][name] * cumulative_factor
    return canonical(other)


def _sums(reports: list[dict[str, Any]], part: str) -> dict[str, int]:
    return {name: sum(r[part][name] for r in reports) for name in FIGURE_NAMES}


@pytest.fixture
def silent_day(engine: sa.Engine, ours: dict[str, Any]) -> tuple[HubDayReport, list[Any]]:
    """Three lanes reported yesterday; today 进城 and the default lane, 2号口 is silent."""
    lanes = [ours, _lane(ours, "2号口", 2), _lane(ours, "进城", 3)]
    yesterday = [_on(lane, YESTERDAY) for lane in lanes]
    yesterday[1] = _on(lanes[1], YESTERDAY, cumulative_factor=5)  # its own cumulative
    for lane in yesterday:
        store_report(engine, CODE, YESTERDAY, lane, now=utc(24, 5))
    for lane in (lanes[0], lanes[2]):
        store_report(engine, CODE, DAY, lane, now=utc(25, 5))
    return hub_day_report(engine, DAY, now=utc(25, 6)), [lanes[0], yesterday[1], lanes[2]]


def test_a_silent_lane_keeps_its_earlier_days_in_the_cumulative_figures(
    silent_day: tuple[HubDayReport, list[Any]],
) -> None:
    report, (first, silent, third) = silent_day
    (row,) = report.rows
    data = hub_data(report)["checkpoints"][0]
    assert data["new"] == _sums([first, third], "new")  # nothing new from the silent lane
    assert data["cumulative"] == _sums([first, silent, third], "cumulative")
    assert hub_data(report)["total"]["cumulative"] == data["cumulative"]
    assert [(lane.name, lane.last_reported) for lane in row.silent_lanes] == [("2号口", YESTERDAY)]
    assert data["silent_lanes"][0]["cumulative"] == silent["cumulative"]
    assert not report.omissions


def _column_sums(rows: list[list[Any]], first: int) -> tuple[list[int], list[int]]:
    """The checkpoint's row and the sum of its lanes' rows, from column `first` on."""
    (checkpoint,) = [r for r in rows[1:] if r[0] == CODE and not r[1]]
    lanes = [r for r in rows[1:] if r[0] == CODE and r[1]]
    assert len(lanes) == 3

    def number(value: Any) -> int:
        return int(value) if value not in (None, "") else 0

    sums = [sum(number(lane[i]) for lane in lanes) for i in range(first, len(rows[0]))]
    return [number(v) for v in checkpoint[first:]], sums


def test_the_spreadsheets_have_a_row_per_lane_that_add_up_to_the_checkpoint(
    silent_day: tuple[HubDayReport, list[Any]],
) -> None:
    report, _ = silent_day
    rows = list(csv.reader(io.StringIO(render_csv(report, "zh-CN").decode("utf-8-sig"))))
    assert rows[0][:2] == ["卡点", "通道"] and rows[0][8].startswith("新增")
    first = 8
    checkpoint, sums = _column_sums(rows, first)
    assert checkpoint == sums
    by_lane = {r[1]: r for r in rows[1:] if r[1]}
    assert set(by_lane) == {"进城", "2号口", "默认通道"}
    assert by_lane["2号口"][first] == ""  # silent: no new figures, its cumulative ones
    assert "2号口" in by_lane["2号口"][5] and YESTERDAY.isoformat() in by_lane["2号口"][5]
    assert by_lane["进城"][6] == "2026-11-25 13:00"  # when that lane's report arrived (local)
    assert rows[-1][0] == "合计" and int(rows[-1][first]) == report.total_new.people

    sheet = load_workbook(io.BytesIO(render_xlsx(report, "en"))).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][1] == "Lane"
    checkpoint, sums = _column_sums(values, first)
    assert checkpoint == sums


@needs_libreoffice
def test_libreoffice_reads_the_lane_rows_of_the_xlsx(
    silent_day: tuple[HubDayReport, list[Any]], tmp_path: Path
) -> None:
    assert SOFFICE is not None
    report, _ = silent_day
    source = tmp_path / "hub.xlsx"
    source.write_bytes(render_xlsx(report, "zh-CN"))
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
        env=machine_fonts(),
    )
    if b"No fonts could be found" in done.stderr:
        pytest.skip("LibreOffice needs a font to start and this machine has none")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "hub.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    checkpoint, sums = _column_sums(rows, 8)
    assert checkpoint == sums
    assert {r[1] for r in rows[1:] if r[1]} == {"进城", "2号口", "默认通道"}


def test_text_and_pdf_show_each_lane_under_its_checkpoint(
    silent_day: tuple[HubDayReport, list[Any]], cjk_font: CjkFont
) -> None:
    report, (first, _, third) = silent_day
    text = render_text(report, "en")
    lines = text.splitlines()
    start = lines.index("New in the report day (people-times)") + 2  # after the heading
    rows = lines[start : start + 4]
    assert rows[0].startswith("孝感北收费站 (HB")
    assert [row.split()[1] for row in rows[1:]] == ["default", "进城", "2号口"]
    assert "silent today" in rows[3]
    assert rows[2].split()[2] == str(third["new"]["people"])
    assert rows[1].split()[3] == str(first["new"]["people"])
    pdf = pdf_text(render_pdf(report, "zh-CN", font=cjk_font))
    assert "└进城" in pdf and "└2号口" in pdf and "└默认通道" in pdf  # spaces dropped
    assert str(first["new"]["people"]) in pdf
