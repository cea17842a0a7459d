"""`checkpoint export` through the real Typer app: files written, masking, bad input explained."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from checkpoint.cli.main import _register, app
from tests.reports.test_ledger import ID_NUMBER, build_log

if not any(command.name == "export" for command in app.registered_commands):
    _register()

runner = CliRunner()
USAGE_EXIT = 2


def invoke(home: Path, *args: str) -> Result:
    environment: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("CHECKPOINT_")
    }
    environment["CHECKPOINT_HOME"] = str(home)
    environment["CHECKPOINT_UI__LANGUAGE"] = "en"
    return runner.invoke(app, ["export", *args], env=environment)


def logged(home: Path) -> Path:
    build_log(home).store.close()
    return home


def test_csv_export_is_masked_by_default(tmp_path: Path) -> None:
    home = logged(tmp_path)
    out = tmp_path / "ledger.csv"
    result = invoke(home, "--from", "2026-11-24", "--to", "2026-11-25", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "4 screenings from 2026-11-24 to 2026-11-25" in result.output
    assert "masked" in result.output
    with out.open(encoding="utf-8-sig", newline="") as stream:
        table = list(csv.reader(stream))
    assert len(table) == 5
    assert table[0][0] == "测温时间"  # the ledger is in the reports' language (zh-CN by default)
    text = out.read_text(encoding="utf-8-sig")
    assert ID_NUMBER not in text
    assert "110105********002X" in text
    assert "王五" in text and "午夜" not in text


def test_xlsx_export_with_full_documents(tmp_path: Path) -> None:
    home = logged(tmp_path)
    out = tmp_path / "ledger.xlsx"
    result = invoke(
        home,
        "--from",
        "2026-11-24",
        "--to",
        "2026-11-24",
        "--format",
        "xlsx",
        "--full-documents",
        "--output",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "keep it private" in result.output
    sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    cells = [value for row in sheet.iter_rows(values_only=True) for value in row]
    assert ID_NUMBER in cells
    assert "+8613812345678" in cells


def test_bad_dates_and_ranges_are_explained(tmp_path: Path) -> None:
    out = str(tmp_path / "x.csv")
    bad = invoke(tmp_path, "--from", "2026-13-01", "--to", "2026-11-24", "--output", out)
    assert bad.exit_code == USAGE_EXIT
    assert "2026-13-01 is not a date" in bad.output
    assert "YYYY-MM-DD" in bad.output
    reversed_range = invoke(tmp_path, "--from", "2026-11-24", "--to", "2026-11-01", "--output", out)
    assert reversed_range.exit_code == USAGE_EXIT
    assert "ends (2026-11-01) before it starts (2026-11-24)" in reversed_range.output
    unknown = invoke(
        tmp_path, "--from", "2026-11-24", "--to", "2026-11-24", "--format", "ods", "--output", out
    )
    assert unknown.exit_code == USAGE_EXIT
    assert "--format csv or --format xlsx" in unknown.output
    assert not Path(out).exists()


def test_without_a_log_says_so(tmp_path: Path) -> None:
    result = invoke(
        tmp_path, "--from", "2026-11-24", "--to", "2026-11-24", "--output", str(tmp_path / "a.csv")
    )
    assert result.exit_code == 1
    assert "checkpoint init" in result.output
    assert not (tmp_path / "a.csv").exists()


def test_a_long_export_shows_a_progress_bar_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from checkpoint.cli import export_cmd

    home = logged(tmp_path)
    args = ("--from", "2026-11-24", "--to", "2026-11-25", "--output", str(tmp_path / "l.csv"))
    monkeypatch.setattr(export_cmd, "PROGRESS_FROM", 4)  # the log has 4 rows in the range
    piped = invoke(home, *args)
    assert piped.exit_code == 0, piped.output
    assert "Writing the ledger" not in piped.output  # no terminal: no bar, not even its text

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=80)
    monkeypatch.setattr(export_cmd, "_console", lambda: terminal)
    shown = invoke(home, *args)
    assert shown.exit_code == 0, shown.output
    assert "Writing the ledger" in screen.getvalue()
    assert "4/4" in screen.getvalue()
    assert "Writing the ledger" not in shown.stdout  # the bar is not in the file's output

    screen.truncate(0)
    monkeypatch.setattr(export_cmd, "PROGRESS_FROM", 5)  # a short export needs no bar
    assert invoke(home, *args).exit_code == 0
    assert screen.getvalue() == ""
