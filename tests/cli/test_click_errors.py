"""Click's and Typer's error sentences in the error box, and the usage line's placeholders, in
the language of the command line (`--language`, or the configured one), through the real
program: `python -m checkpoint`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from checkpoint.cli import speech

USAGE_EXIT = 2


def _failed(tmp_path: Path, *arguments: str, **env: str) -> str:
    environment = {n: v for n, v in os.environ.items() if not n.startswith("CHECKPOINT_")}
    environment |= {"CHECKPOINT_HOME": str(tmp_path), "COLUMNS": "200", **env}
    done = subprocess.run(
        [sys.executable, "-m", "checkpoint", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert done.returncode == USAGE_EXIT, done.stderr
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", done.stderr).split())


@pytest.mark.parametrize(
    ("arguments", "chinese", "english"),
    [
        (["report", "day", "--bogus"], "没有选项：--bogus", "No such option: --bogus"),
        (["export"], "缺少选项 '--from'。", "Missing option '--from'."),
        (["report", "day", "extra"], "多余的参数（extra）", "Got unexpected extra argument(s)"),
        (
            ["sync", "--batch-size", "0"],
            "'--batch-size' 的值无效：0 不在范围 1<=x<=20000 内。",
            "Invalid value for '--batch-size': 0 is not in the range 1<=x<=20000.",
        ),
        (
            ["sync", "--batch-size", "many"],
            "'--batch-size' 的值无效：'many' 不是有效的整数。",
            "Invalid value for '--batch-size': 'many' is not a valid int range.",
        ),
        (
            ["report", "day", "--dat", "2020-01-01"],
            "没有选项：--dat（可用的选项：--date",
            "No such option: --dat (Possible options: --date",
        ),
        (["sync", "--hub"], "选项 '--hub' 需要一个值。", "Option '--hub' requires an argument."),
        (["repor"], "没有命令 'repor'。您是不是要输入 'report'", "Did you mean 'report'"),
    ],
)
def test_click_errors_are_said_in_the_language(
    tmp_path: Path, arguments: list[str], chinese: str, english: str
) -> None:
    said = _failed(tmp_path, "--language", "zh-CN", *arguments)
    assert chinese in said, said
    assert "[OPTIONS]" not in said and ("用法：" not in said or "[选项]" in said)
    assert not re.search(r"Error|Usage|Invalid|Missing|No such|Got|Option '", said), said

    configured = _failed(tmp_path, *arguments, CHECKPOINT_UI__LANGUAGE="zh-CN")
    assert chinese in configured

    assert english in _failed(tmp_path, "--language", "en", *arguments)


def test_a_group_names_its_placeholders_in_the_language(tmp_path: Path) -> None:
    said = _failed(tmp_path, "--language", "zh-CN", "bogus")
    assert "用法：checkpoint [选项] 命令 [参数]..." in said


def test_a_sentence_of_an_unknown_form_is_left_as_it_is() -> None:
    assert speech.say_error("错误：日期无效", "zh-CN") == "错误：日期无效"
    assert speech.say_error("Something new happened", "zh-CN") == "Something new happened"
