"""Every command's `--help` in the configured language or the one `--language` asks for:
the program's own texts and Click's and Typer's ("Usage:", "Options", "Show this message…")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from checkpoint.cli import speech
from checkpoint.cli.main import _register, app

if not any(command.name == "init" for command in app.registered_commands):
    _register()


def _paths() -> tuple[list[list[str]], list[str]]:
    """Every command line that shows a help, and every help text the program wrote."""
    root = typer.main.get_command(app)
    found: list[list[str]] = [[]]

    def walk(command: object, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            found.append([*path, name])
            walk(sub, [*path, name])

    walk(root, [])
    return found, speech.help_texts(root)


COMMAND_PATHS, HELP_TEXTS = _paths()
CLICK_ENGLISH = ("Usage:", "Options", "Commands", "Show this message and exit.")


def _help(path: list[str], tmp_path: Path, *options: str, **env: str) -> str:
    environment = {n: v for n, v in os.environ.items() if not n.startswith("CHECKPOINT_")}
    environment |= {"CHECKPOINT_HOME": str(tmp_path), "COLUMNS": "100", **env}
    done = subprocess.run(
        [sys.executable, "-m", "checkpoint", *options, *path, "--help"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # Rich draws boxes and wraps lines: the words alone, one space apart.
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", done.stdout).split())


def _sentences(text: str) -> list[str]:
    """The first words of each sentence of `text`: what would show if it were left English."""
    words = " ".join(text.split()).split(" ")
    return [" ".join(words[:4])] if len(words) >= 4 else []


def test_every_help_text_has_its_translation() -> None:
    table = speech.texts("zh-CN")["help"]
    missing = [text for text in HELP_TEXTS if text not in table]
    assert not missing, "add to checkpoint/locale/help.zh-CN.toml:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "checkpoint")
def test_help_in_zh_cn_has_no_english_from_the_program(path: list[str], tmp_path: Path) -> None:
    shown = _help(path, tmp_path, "--language", "zh-CN")

    assert "用法：" in shown and "显示本帮助并退出。" in shown
    for word in CLICK_ENGLISH:
        assert word not in shown
    left = [s for text in HELP_TEXTS for s in _sentences(text) if s in shown]
    assert not left, f"untranslated: {left}"


def test_the_configured_language_is_the_default(tmp_path: Path) -> None:
    shown = _help(["report", "day"], tmp_path, CHECKPOINT_UI__LANGUAGE="zh-CN")
    assert "日报告；无人达到或超过体温阈值时为零报告。" in shown
    english = _help(["report", "day"], tmp_path, CHECKPOINT_UI__LANGUAGE="en")
    assert "Show this message and exit." in english and "用法" not in english
    # The option wins over the configuration; a TOML section named in a help text is shown.
    asked = _help(["report", "day"], tmp_path, "--language", "en", CHECKPOINT_UI__LANGUAGE="zh-CN")
    assert "starts at [reports] day_cutoff_hour" in asked
