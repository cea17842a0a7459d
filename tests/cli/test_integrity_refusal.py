"""report, export and bundle export refuse a log that fails its integrity check (exit 3, the
first changed record named), or write it with --unverified under a loud warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkpoint.store.engine import open_store
from tests.cli.test_init_verify import invoke, tamper
from tests.reports.conftest import build_log

BROKEN_EXIT = 3

COMMANDS = {
    "report": ("report", "day", "--date", "2026-11-24", "--format", "json", "-o"),
    "export": ("export", "--from", "2026-11-24", "--to", "2026-11-25", "-o"),
    "export-xlsx": (
        "export",
        "--from",
        "2026-11-24",
        "--to",
        "2026-11-25",
        "--format",
        "xlsx",
        "-o",
    ),
    "bundle": ("bundle", "export", "--all", "--token", "t" * 43, "-o"),
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    with open_store(folder / "checkpoint.db") as store:
        build_log(store)
    return folder


@pytest.mark.parametrize("command", COMMANDS)
def test_an_intact_log_is_used_without_a_word(home: Path, tmp_path: Path, command: str) -> None:
    out = tmp_path / "out"
    result = invoke(home, *COMMANDS[command], str(out))
    assert result.exit_code == 0, result.output
    assert "integrity" not in result.output and out.exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_tampered_log_is_refused(home: Path, tmp_path: Path, command: str) -> None:
    tamper(home / "checkpoint.db", "UPDATE person SET name = 'forged' WHERE seq = 6")
    out = tmp_path / "out"

    result = invoke(home, *COMMANDS[command], str(out))

    assert result.exit_code == BROKEN_EXIT, result.output
    assert "fails its integrity check" in result.output
    assert "Record 6 (person" in result.output  # the first changed record, named
    assert "--unverified" in result.output
    assert "{" not in result.output  # every placeholder filled
    assert result.output.startswith("error: " + str(home / "checkpoint.db"))
    assert not out.exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_unverified_writes_it_with_a_warning(home: Path, tmp_path: Path, command: str) -> None:
    tamper(home / "checkpoint.db", "UPDATE person SET name = x'ff00' WHERE seq = 6")
    out = tmp_path / "out"

    result = invoke(home, *COMMANDS[command], str(out), "--unverified")

    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output and "must not be trusted" in result.output
    assert out.exists()


def test_the_refusal_is_said_in_chinese(home: Path, tmp_path: Path) -> None:
    tamper(home / "checkpoint.db", "UPDATE person SET name = 'forged' WHERE seq = 6")
    result = invoke(home, *COMMANDS["export"], str(tmp_path / "x.csv"), language="zh-CN")
    assert result.exit_code == BROKEN_EXIT
    assert "未通过完整性检查" in result.output and "第 6 条记录" in result.output
    assert result.output.startswith("错误：" + str(home / "checkpoint.db"))
