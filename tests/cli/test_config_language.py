"""Configuration errors through the real command line, in the language the configuration
names (read leniently from a file that does not validate), `--language`, or
CHECKPOINT_UI__LANGUAGE; every detail kept: key, value, file and line, what is allowed, the
close match."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_init_verify import CONFIG_ERROR_EXIT, invoke
from tests.cli.test_run import environment, run_on_terminal

MISTAKES = """\
[ui]
language = "{language}"
[screening]
threshhold_c = 37.5
threshold_c = 42
[checkpoint]
kind = "toll"
timezone = "Mars/Base"
local_plates = ["HB"]
[thermometer]
port = "ttyUSB0"
baudrate = 1234
[sync]
hub_url = "ftp://hub.example.org"
"""

ENGLISH_WORDS = ("Input should", "unknown", "did you mean", "allowed", "line ", "problem")


def _config(home: Path, language: str, text: str = MISTAKES) -> Path:
    home.mkdir(exist_ok=True)
    path = home / "config.toml"
    path.write_text(text.format(language=language), encoding="utf-8")
    return path


def _said_in_chinese(output: str, path: Path) -> None:
    assert "错误：配置有 8 处问题：" in output
    assert f"screening.threshhold_c = 37.5（{path} 第 4 行）：未知的配置项" in output
    assert "是否应为 threshold_c？" in output
    assert (
        f"screening.threshold_c = 42（{path} 第 5 行）：应小于或等于 40.0；允许：35.0 至 40.0"
        in (output)
    )
    assert 'checkpoint.kind = "toll"' in output and "'road'、'village'" in output
    assert "未知的时区" in output and "'HB' 不是车牌前缀" in output
    assert 'thermometer.port = "ttyUSB0"' in output and "设备路径" in output
    assert "不是标准波特率；允许：1200, 2400" in output
    assert "网址应以 'http' 或 'https' 开头" in output
    assert "请逐项修改" in output
    for word in ENGLISH_WORDS:
        assert word not in output, word


def _said_in_english(output: str, path: Path) -> None:
    assert "error: The configuration has 8 problem(s):" in output
    assert f"screening.threshhold_c = 37.5 ({path}, line 4): unknown key" in output
    assert "did you mean threshold_c?" in output
    assert "less than or equal to 40.0; allowed: 35.0 to 40.0" in output
    assert "'HB' is not a plate prefix" in output
    assert "URL scheme should be 'http' or 'https'" in output
    assert "配置" not in output and "允许" not in output


def test_config_check_speaks_the_language_the_broken_file_names(tmp_path: Path) -> None:
    path = _config(tmp_path / "home", "zh-CN")

    result = invoke(tmp_path / "home", "config", "check", language=None)

    assert result.exit_code == CONFIG_ERROR_EXIT
    _said_in_chinese(result.output, path)


def test_a_file_in_english_is_answered_in_english(tmp_path: Path) -> None:
    path = _config(tmp_path / "home", "en")

    result = invoke(tmp_path / "home", "config", "check", language=None)

    assert result.exit_code == CONFIG_ERROR_EXIT
    _said_in_english(result.output, path)


def test_language_option_and_environment_come_before_the_file(tmp_path: Path) -> None:
    path = _config(tmp_path / "home", "zh-CN")

    asked = invoke(tmp_path / "home", "--language", "en", "config", "check", language=None)
    _said_in_english(asked.output, path)
    environment_says = invoke(tmp_path / "home", "config", "check", language="en")
    _said_in_english(environment_says.output, path)


def test_a_file_without_a_language_is_answered_in_the_default(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _config(home, "", '[screening]\nthreshold_c = "high"\n')

    result = invoke(home, "config", "check", language=None)

    assert result.exit_code == CONFIG_ERROR_EXIT
    assert 'screening.threshold_c = "high"' in result.output
    assert "应为数字，无法把文字读成数字" in result.output  # zh-CN: [ui] language's default


@pytest.mark.parametrize(
    ("text", "chinese", "english"),
    [
        (
            '[ui]\nlanguage = "{language}"\n[screening]\nthreshold_c 37.5\n',
            "第 4 行第 13 列：配置项名后应有 '='",
            "line 4, column 13: Expected '=' after a key",
        ),
        (
            '[ui]\nlanguage = "{language}"\n[checkpoint]\nname = 东门\n',
            "第 4 行第 8 列：无效的值（文字需加引号）",
            "line 4, column 8: Invalid value",
        ),
        (
            '[ui]\nlanguage = "{language}"\n[checkpoint\n',
            "节名末尾应有 ']'",
            "Expected ']' at the end of a table declaration",
        ),
    ],
)
def test_a_toml_mistake_is_said_in_the_language_of_the_file(
    tmp_path: Path, text: str, chinese: str, english: str
) -> None:
    home = tmp_path / "home"
    for language, expected in (("zh-CN", chinese), ("en", english)):
        _config(home, language, text.replace("{language}", "{language}"))
        result = invoke(home, "config", "check", language=None)
        assert result.exit_code == CONFIG_ERROR_EXIT
        assert expected in result.output, result.output


@pytest.mark.parametrize(
    "command",
    [
        ["sync"],
        ["verify"],
        ["report", "day"],
        ["export", "--from", "2020-01-01", "--to", "2020-01-02", "-o", "people.csv"],
        ["devices"],
        ["simulate"],
        ["bundle", "export", "-o", "log.bundle"],
    ],
)
def test_every_command_says_a_configuration_error_in_that_language(
    tmp_path: Path, command: list[str]
) -> None:
    path = _config(tmp_path / "home", "zh-CN")

    result = invoke(tmp_path / "home", *command, language=None)

    assert result.exit_code == CONFIG_ERROR_EXIT, result.output
    _said_in_chinese(result.output, path)


def test_checkpoint_run_reports_the_configuration_in_the_language_it_names(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = _config(home, "zh-CN")
    env = environment(home)
    del env["CHECKPOINT_UI__LANGUAGE"]

    code, output = run_on_terminal(env)

    assert code == CONFIG_ERROR_EXIT, output
    _said_in_chinese(" ".join(output.split()).replace("\n", " "), path)
