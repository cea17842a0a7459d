"""`checkpoint init`, `verify` and `config check` through the real Typer app.

Every test gets its own CHECKPOINT_HOME, so the configuration and the log live under tmp_path.
`result.output` holds stdout and stderr together (Typer's runner mixes them); `result.stdout`
holds stdout alone, which is where `verify --json` writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from checkpoint.cli.main import _register, app
from checkpoint.config import example_config_text

# `_register` adds the commands to the module-level app; a second call would add them twice.
if not any(command.name == "init" for command in app.registered_commands):
    _register()

runner = CliRunner()

OK_EXIT = 0
FAILURE_EXIT = 1
CONFIG_ERROR_EXIT = 2
BROKEN_EXIT = 3


def invoke(home: Path, *args: str, language: str | None = "en", **env: str) -> Result:
    """Run `checkpoint ARGS` with its files under `home` and no other CHECKPOINT_* setting."""
    environment: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("CHECKPOINT_")
    }
    environment["CHECKPOINT_HOME"] = str(home)
    if language is not None:
        environment["CHECKPOINT_UI__LANGUAGE"] = language
    environment.update(env)
    return runner.invoke(app, list(args), env=environment)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def tamper(database: Path, *statements: str) -> None:
    """Change the log behind the program's back, as someone with the sqlite3 shell could."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.commit()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def initialised(home: Path) -> Path:
    result = invoke(home, "init")
    assert result.exit_code == OK_EXIT, result.output
    return home


# --------------------------------------------------------------------------------------------
# init


def test_init_writes_a_private_config_and_log(home: Path) -> None:
    result = invoke(home, "init")

    assert result.exit_code == OK_EXIT, result.output
    config, database = home / "config.toml", home / "checkpoint.db"
    assert config.is_file()
    assert database.is_file()
    assert mode_of(config) == 0o600, f"config.toml has mode {mode_of(config):o}"
    assert mode_of(database) == 0o600, f"checkpoint.db has mode {mode_of(database):o}"
    assert "Wrote a starting configuration" in result.output
    assert "Registered checkpoint" in result.output
    assert "(1 record(s))" in result.output


def test_init_again_keeps_the_config_and_registers_once(initialised: Path) -> None:
    config = initialised / "config.toml"
    before = config.read_bytes()

    result = invoke(initialised, "init")

    assert result.exit_code == OK_EXIT, result.output
    assert config.read_bytes() == before
    assert "--force" in result.output
    assert "already registered" in result.output
    assert "Registered checkpoint" not in result.output
    assert "(1 record(s))" in result.output


def test_init_force_rewrites_a_changed_config(initialised: Path) -> None:
    config = initialised / "config.toml"
    config.write_text('[checkpoint]\nname = "East gate"\n', encoding="utf-8")

    result = invoke(initialised, "init", "--force")

    assert result.exit_code == OK_EXIT, result.output
    assert config.read_text(encoding="utf-8") == example_config_text()
    assert mode_of(config) == 0o600
    assert "Wrote a starting configuration" in result.output


def test_init_writes_the_config_named_by_the_option(home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "site.toml"

    result = invoke(home, "--config", str(elsewhere), "init")

    assert result.exit_code == OK_EXIT, result.output
    assert elsewhere.is_file()
    assert mode_of(elsewhere) == 0o600
    assert str(elsewhere) in result.output
    assert not (home / "config.toml").exists()
    # The database setting is not in the file, so the log still goes to the home folder.
    assert (home / "checkpoint.db").is_file()


# --------------------------------------------------------------------------------------------
# verify


def test_verify_an_intact_log(initialised: Path) -> None:
    result = invoke(initialised, "verify")

    assert result.exit_code == OK_EXIT, result.output
    assert "intact" in result.output


def test_verify_json_of_an_intact_log(initialised: Path) -> None:
    result = invoke(initialised, "verify", "--json")

    assert result.exit_code == OK_EXIT, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["records"] == 1
    assert report["problem"] is None


def test_verify_finds_a_changed_record(initialised: Path) -> None:
    tamper(initialised / "checkpoint.db", "UPDATE checkpoint SET name = 'forged'")

    result = invoke(initialised, "verify")

    assert result.exit_code == BROKEN_EXIT, result.output
    assert "changed" in result.output
    assert "checkpoint" in result.output.replace(str(initialised), "")


def test_verify_json_reports_a_changed_record(initialised: Path) -> None:
    tamper(initialised / "checkpoint.db", "UPDATE checkpoint SET name = 'forged'")

    result = invoke(initialised, "verify", "--json")

    assert result.exit_code == BROKEN_EXIT, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["problem"]["kind"] == "changed"
    assert report["problem"]["table"] == "checkpoint"
    assert report["problem"]["seq"] == 1


def test_verify_finds_a_removed_record(initialised: Path) -> None:
    tamper(initialised / "checkpoint.db", "PRAGMA foreign_keys=OFF", "DELETE FROM checkpoint")

    text = invoke(initialised, "verify")
    result = invoke(initialised, "verify", "--json")

    assert text.exit_code == BROKEN_EXIT, text.output
    assert "removed" in text.output
    assert result.exit_code == BROKEN_EXIT, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["problem"]["kind"] == "removed"


def test_verify_without_a_log(home: Path) -> None:
    result = invoke(home, "verify")

    assert result.exit_code == FAILURE_EXIT, result.output
    assert "no checkpoint database" in result.output
    assert "checkpoint init" in result.output
    assert not (home / "checkpoint.db").exists(), "verify created the log it was asked to check"


def test_verify_leaves_a_file_that_is_not_sqlite_alone(home: Path) -> None:
    notes = home / "notes.txt"
    content = b"shift notes, not a database\n"
    notes.write_bytes(content)

    result = invoke(home, "verify", CHECKPOINT_STORAGE__DATABASE=str(notes))

    assert result.exit_code == FAILURE_EXIT, result.output
    assert "not a checkpoint database" in result.output
    assert notes.read_bytes() == content
    assert sorted(p.name for p in home.iterdir()) == ["notes.txt"], "verify left files behind"


def test_verify_in_chinese(home: Path) -> None:
    assert invoke(home, "init", language="zh-CN").exit_code == OK_EXIT

    result = invoke(home, "verify", language="zh-CN")

    assert result.exit_code == OK_EXIT, result.output
    assert "日志完整" in result.output


# --------------------------------------------------------------------------------------------
# A configuration with a mistake


@pytest.mark.parametrize("command", [["config", "check"], ["init"]], ids=" ".join)
def test_an_unknown_key_is_named_with_its_place_and_a_suggestion(
    home: Path, command: list[str]
) -> None:
    config = home / "config.toml"
    config.write_text('[checkpoint]\nnmae = "x"\n', encoding="utf-8")
    before = config.read_bytes()

    result = invoke(home, *command)

    assert result.exit_code == CONFIG_ERROR_EXIT, result.output
    assert "nmae" in result.output
    assert str(config) in result.output
    assert "line 2" in result.output
    assert "did you mean name" in result.output
    assert config.read_bytes() == before
    assert not (home / "checkpoint.db").exists()


# --------------------------------------------------------------------------------------------
# The module entry point


def test_python_dash_m_checkpoint_help(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CHECKPOINT_")}
    environment["CHECKPOINT_HOME"] = str(tmp_path)
    environment["CHECKPOINT_UI__LANGUAGE"] = "en"  # the help follows the configured language

    result = subprocess.run(
        [sys.executable, "-m", "checkpoint", "--help"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    # The first word of each row of the Commands panel ("│ init    Write a …").
    panel = result.stdout.partition("Commands")[2]
    listed = set(re.findall(r"^\W*([a-z][a-z-]*)\s{2,}", panel, flags=re.MULTILINE))
    assert {"init", "verify", "config"} <= listed, f"commands listed: {listed}\n{result.stdout}"


# --------------------------------------------------------------------------------------------
# lanes


def _lane_row(home: Path) -> tuple[str, str]:
    database = next(home.rglob("checkpoint.db"))
    with contextlib.closing(sqlite3.connect(database)) as connection:
        lane_id, name = connection.execute("SELECT lane_id, name FROM lane").fetchone()
    return str(lane_id), str(name)


def test_init_names_the_lane_given_and_says_it(home: Path) -> None:
    result = invoke(home, "init", "--local-plates", "鄂K", "--lane", "2号口")
    assert result.exit_code == OK_EXIT, result.output
    lane_id, name = _lane_row(home)
    assert name == "2号口"
    assert f"lane 2号口 ({lane_id})" in result.output
    again = invoke(home, "init", "--lane", "进城")
    assert again.exit_code == FAILURE_EXIT
    assert "already named 2号口" in again.output
    assert _lane_row(home) == (lane_id, "2号口")


def test_init_asks_for_the_lane_and_an_empty_answer_keeps_the_default(home: Path) -> None:
    result = runner.invoke(
        app,
        ["init"],
        input="鄂K\n\n",
        env={"CHECKPOINT_HOME": str(home), "CHECKPOINT_UI__LANGUAGE": "zh-CN"},
    )
    assert result.exit_code == OK_EXIT, result.output
    assert "通道" in result.output
    assert "默认通道" in result.output
    assert _lane_row(home)[1] == ""


def test_init_refuses_a_lane_name_that_cannot_be_used(home: Path) -> None:
    result = invoke(home, "init", "--local-plates", "鄂K", "--lane", "口" * 41)
    assert result.exit_code == CONFIG_ERROR_EXIT
    assert "at most 40" in result.output
