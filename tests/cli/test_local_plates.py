"""`checkpoint init` asks for (or takes) the local plate prefixes; `config check` warns when
there are none. Through the real command: answers on stdin, options, both languages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from checkpoint.config import load_settings
from checkpoint.domain.plates import parse_plate
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import open_store
from tests.cli.test_init_verify import CONFIG_ERROR_EXIT, OK_EXIT, app

runner = CliRunner()


def invoke(home: Path, *args: str, answers: str = "", language: str = "en") -> Result:
    environment: dict[str, str | None] = {
        n: None for n in os.environ if n.startswith("CHECKPOINT_")
    }
    environment |= {"CHECKPOINT_HOME": str(home), "CHECKPOINT_UI__LANGUAGE": language}
    return runner.invoke(app, list(args), env=environment, input=answers)


def local_plates(home: Path) -> tuple[str, ...]:
    return load_settings(
        home / "config.toml", env={"CHECKPOINT_HOME": str(home)}
    ).settings.checkpoint.local_plates


def test_the_prefixes_answered_make_the_first_vehicle_non_local(tmp_path: Path) -> None:
    result = invoke(tmp_path, "init", answers="鄂k，鄂A\n")

    assert result.exit_code == OK_EXIT, result.output
    assert "Local plate prefixes" in result.output
    assert "Local plates: 鄂K, 鄂A." in result.output
    assert local_plates(tmp_path) == ("鄂K", "鄂A")
    settings = load_settings(
        tmp_path / "config.toml", env={"CHECKPOINT_HOME": str(tmp_path)}
    ).settings
    assert settings.storage.database.is_relative_to(tmp_path)  # never the machine's own log
    with open_store(settings.storage.database) as store:
        desk = ScreeningDesk(store=store, settings=settings)
        assert desk.is_local(parse_plate("京A12345")) is False
        assert desk.is_local(parse_plate("鄂K12345")) is True


def test_a_wrong_answer_is_explained_and_asked_again(tmp_path: Path) -> None:
    result = invoke(tmp_path, "init", answers="Hubei\n鄂K\n", language="zh-CN")

    assert result.exit_code == OK_EXIT, result.output
    assert "“HUBEI”不是车牌前缀" in result.output
    assert result.output.count("本地车牌前缀") == 2
    assert local_plates(tmp_path) == ("鄂K",)


def test_the_option_answers_without_asking(tmp_path: Path) -> None:
    result = invoke(tmp_path, "init", "--local-plates", "鄂K,鄂A")

    assert result.exit_code == OK_EXIT, result.output
    assert "Local plate prefixes (" not in result.output
    assert local_plates(tmp_path) == ("鄂K", "鄂A")


def test_a_wrong_option_writes_nothing(tmp_path: Path) -> None:
    result = invoke(tmp_path, "init", "--local-plates", "KA", language="zh-CN")

    assert result.exit_code == CONFIG_ERROR_EXIT
    assert "“KA”不是车牌前缀" in result.output
    assert not (tmp_path / "config.toml").exists()


def test_the_option_on_a_kept_configuration_says_it_was_not_applied(tmp_path: Path) -> None:
    assert invoke(tmp_path, "init", "--local-plates", "鄂K").exit_code == OK_EXIT

    result = invoke(tmp_path, "init", "--local-plates", "鄂A")

    assert result.exit_code == CONFIG_ERROR_EXIT
    assert "--local-plates was not applied" in result.output
    assert local_plates(tmp_path) == ("鄂K",)


@pytest.mark.parametrize(
    ("language", "warning"), [("en", "no local plate prefixes"), ("zh-CN", "未设置本地车牌前缀")]
)
def test_no_answer_leaves_none_and_config_check_warns(
    tmp_path: Path, language: str, warning: str
) -> None:
    result = invoke(tmp_path, "init", language=language)  # the end of input: no answer
    assert result.exit_code == OK_EXIT, result.output
    assert local_plates(tmp_path) == ()

    check = invoke(tmp_path, "config", "check", language=language)

    assert check.exit_code == OK_EXIT, check.output
    assert warning in check.output


def test_config_check_names_the_prefixes_set(tmp_path: Path) -> None:
    invoke(tmp_path, "init", "--local-plates", "鄂K")
    check = invoke(tmp_path, "config", "check", language="zh-CN")
    assert "本地车牌：鄂K" in check.output
    assert "未设置本地车牌前缀" not in check.output


def test_the_installed_command_reads_the_answer_from_a_pipe(tmp_path: Path) -> None:
    environment = {n: v for n, v in os.environ.items() if not n.startswith("CHECKPOINT_")}
    environment |= {"CHECKPOINT_HOME": str(tmp_path), "CHECKPOINT_UI__LANGUAGE": "zh-CN"}
    done = subprocess.run(
        [sys.executable, "-m", "checkpoint", "init"],
        input="鄂K 鄂A\n",
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert done.returncode == OK_EXIT, done.stderr
    assert "本地车牌：鄂K、鄂A" in done.stdout
    assert local_plates(tmp_path) == ("鄂K", "鄂A")
