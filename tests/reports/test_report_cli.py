"""`checkpoint report shift|day` through the real Typer app, on the known log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from checkpoint.cli.main import _register, app
from checkpoint.reports.fonts import CjkFont
from checkpoint.store.engine import open_store
from tests.reports.conftest import build_log, pdf_text

if not any(group.name == "report" for group in app.registered_groups):
    _register()

runner = CliRunner()


def invoke(home: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    environment: dict[str, str | None] = {
        n: None for n in os.environ if n.startswith("CHECKPOINT_")
    }
    environment |= {
        "CHECKPOINT_HOME": str(home),
        "CHECKPOINT_UI__LANGUAGE": "en",
        "CHECKPOINT_CHECKPOINT__ID": "HB-XG-0012",
        "CHECKPOINT_REPORTS__DAY_CUTOFF_HOUR": "12",
    }
    environment |= env or {}
    return runner.invoke(app, list(args), env=environment)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    with open_store(folder / "checkpoint.db") as store:
        build_log(store)
    return folder


def test_day_report_as_json(home: Path) -> None:
    result = invoke(home, "report", "day", "--date", "2026-11-24", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["new"]["people"], data["new"]["non_local"]) == (5, 1)


def test_day_report_text_to_a_file_in_english(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "day.txt"
    result = invoke(
        home,
        "report",
        "day",
        "--date",
        "2026-11-25",
        "--format",
        "text",
        "-o",
        str(out),
        "--language",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.output
    assert "No person at or above the threshold." in out.read_text(encoding="utf-8")


def test_shift_report_defaults_to_the_open_shift_as_text(home: Path) -> None:
    result = invoke(home, "report", "shift", "--format", "receipt")
    assert result.exit_code == 0, result.output
    assert "赵敏" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("report", "day", "--date", "24/11/2026"), 2, "Not a date: 24/11/2026"),
        (("report", "shift", "--shift", "ffffffff"), 1, "No shift with the id ffffffff"),
        (("report", "day", "-o", "/nonexistent/dir/day.txt"), 1, "Cannot write the report"),
        (("report", "day", "--language", "fr"), 2, "zh-CN or en"),
    ],
)
def test_errors_are_one_line_with_an_exit_code(
    home: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    result = invoke(home, *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_log_is_an_error(tmp_path: Path) -> None:
    result = invoke(tmp_path, "report", "day")
    assert result.exit_code == 1
    assert "no checkpoint database" in result.output


def test_day_report_as_pdf_to_a_file(home: Path, tmp_path: Path, cjk_font: object) -> None:

    out = tmp_path / "day.pdf"
    result = invoke(
        home, "report", "day", "--date", "2026-11-24", "--format", "pdf", "--output", str(out)
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.stderr
    text = pdf_text(out.read_bytes())
    assert "孝感北收费站" in text and "HB-XG-0012" in text


def test_print_needs_a_pdf(home: Path) -> None:
    result = invoke(home, "report", "day", "--date", "2026-11-24", "--format", "json", "--print")
    assert result.exit_code == 2
    assert "--print prints a PDF" in result.stderr


def test_print_without_a_printer_saves_the_pdf_and_says_how_to_add_one(
    home: Path, tmp_path: Path, cjk_font: CjkFont, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No lp on PATH at all: printing cannot happen; the PDF is kept, the user told why, and
    # the command fails (a script must not take "not printed" for printed).
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    out = tmp_path / "shift.pdf"
    font = {"CHECKPOINT_REPORTS__FONT": str(cjk_font.path)}
    result = invoke(home, "report", "shift", "--print", "--output", str(out), env=font)
    assert result.exit_code == 1, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert "lp" in result.stderr and str(out) in result.stderr


def test_print_on_a_real_cups_queue_reports_the_job_id(
    home: Path, tmp_path: Path, cjk_font: object, cups_server: Path
) -> None:
    from tests.reports.conftest import QUEUE, run_tool

    added = run_tool("lpadmin", "-p", QUEUE, "-E", "-v", "file:///dev/null")
    if added.returncode != 0:
        pytest.skip(f"lpadmin could not add a /dev/null queue: {added.stderr.strip()}")
    result = invoke(home, "report", "day", "--date", "2026-11-24", "--print", "--printer", QUEUE)
    assert result.exit_code == 0, result.output
    assert f"{QUEUE}-" in result.stderr


@pytest.mark.parametrize("case", ["no default printer", "unknown printer", "queue rejecting"])
def test_printing_that_fails_exits_1_with_the_message_and_the_saved_pdf(
    case: str, home: Path, tmp_path: Path, cups_server: Path
) -> None:
    from tests.reports.conftest import QUEUE, run_tool

    args = ["report", "day", "--date", "2026-11-24", "--print", "--output", str(tmp_path / "d.pdf")]
    expected = {"no default printer": "No printer is set up"}.get(case, "did not take the job")
    if case == "unknown printer":
        args += ["--printer", "nosuch"]
    if case == "queue rejecting":
        added = run_tool("lpadmin", "-p", QUEUE, "-E", "-v", "file:///dev/null")
        rejected = run_tool("cupsreject", "-r", "out of paper", QUEUE)
        if added.returncode != 0 or rejected.returncode != 0:
            pytest.skip(f"could not set up a rejecting queue: {added.stderr}{rejected.stderr}")
        args += ["--printer", QUEUE]
    result = invoke(home, *args)
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    assert f"The PDF is saved at {tmp_path / 'd.pdf'}" in result.stderr
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF-")
    if case == "queue rejecting":
        assert "not accepting jobs" in result.stderr.lower()
