"""`checkpoint devices` and `checkpoint simulate` end to end, over real ptys and real processes.

The simulator runs as its own process (`python -m checkpoint simulate --link LINK`), exactly as a
volunteer would start it in a second terminal; `devices read` and `devices probe` run as
processes too, with a timeout, so a reader that never stops fails the test instead of hanging
it. Quick failures that touch no device go through Typer's CliRunner.

Every run gets its own CHECKPOINT_HOME and the English texts unless a test asks otherwise.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import serial
from serial.tools import list_ports
from typer.testing import CliRunner, Result

from checkpoint.cli.main import _register, app
from checkpoint.thermometer.protocols import available

# `_register` adds the commands to the module-level app; a second call would add them twice.
if not any(command.name == "init" for command in app.registered_commands):
    _register()

runner = CliRunner()

OK_EXIT = 0
FAILURE_EXIT = 1
USAGE_EXIT = 2

PROCESS_TIMEOUT_S = 30.0
"""A bound against hanging, not a timing assertion: each command normally ends in a few s."""

JSON_KEYS = frozenset({"kind", "value_c", "site", "unit", "raw_hex", "reason", "at"})
PLAUSIBLE_BODY_C = (34.0, 42.0)


def environment(home: Path, language: str = "en") -> dict[str, str]:
    """This process's environment without any CHECKPOINT_* setting, plus the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKPOINT_")}
    env.update(
        CHECKPOINT_HOME=str(home),
        CHECKPOINT_UI__LANGUAGE=language,
        PYTHONUNBUFFERED="1",
        COLUMNS="200",
    )
    return env


def invoke(home: Path, *args: str, language: str = "en") -> Result:
    """`checkpoint ARGS` in this process (for commands that fail before touching a device)."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("CHECKPOINT_")}
    env.update(environment(home, language))
    return runner.invoke(app, list(args), env=env)


def run(home: Path, *args: str, language: str = "en") -> subprocess.CompletedProcess[str]:
    """`python -m checkpoint ARGS` as its own process, stdout and stderr kept apart."""
    return subprocess.run(
        [sys.executable, "-m", "checkpoint", *args],
        capture_output=True,
        text=True,
        env=environment(home, language),
        cwd=home,
        timeout=PROCESS_TIMEOUT_S,
        check=False,
    )


@dataclass
class Simulated:
    """A running `checkpoint simulate` process and the link it made."""

    process: subprocess.Popen[str]
    link: Path
    home: Path

    def terminate(self) -> int:
        """SIGTERM, as a service manager would send it; the exit code."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=PROCESS_TIMEOUT_S)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def start_simulator(home: Path, *args: str) -> Simulated:
    """Start `checkpoint simulate --link LINK ARGS` and wait for it to print the device path."""
    link = home / "thermometer"
    process = subprocess.Popen(
        [sys.executable, "-m", "checkpoint", "simulate", "--link", str(link), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(home),
        cwd=home,
    )
    simulated = Simulated(process, link, home)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], PROCESS_TIMEOUT_S)
    first = process.stdout.readline() if ready else ""
    if not first:
        simulated.close()
        stderr = process.stderr.read() if process.stderr and not process.stderr.closed else ""
        pytest.fail(f"the simulator printed no device path; exit {process.returncode}\n{stderr}")
    assert first.rstrip("\n") == str(link), f"first line {first!r}"
    return simulated


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def module_home(factory: pytest.TempPathFactory, name: str) -> Path:
    return factory.mktemp(name)


@pytest.fixture(scope="module")
def aa55(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulated]:
    simulated = start_simulator(
        module_home(tmp_path_factory, "aa55"),
        *("--protocol", "aa55", "--interval", "0.05", "--seed", "1"),
    )
    yield simulated
    simulated.close()


@pytest.fixture(scope="module")
def lu90614(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulated]:
    # The simulator's own pace (the protocol's poll interval): at 0.05 s a person stands in
    # front for fewer polls than the reader needs to see the value agree (see the report).
    simulated = start_simulator(
        module_home(tmp_path_factory, "lu90614"), *("--protocol", "lu90614", "--seed", "1")
    )
    yield simulated
    simulated.close()


FEFD_SCENARIO = """\
protocol = "fefd"
interval = 0.05
# Played again and again, so the reader sees it whenever it connects.
repeat = true

[[step]]
unit = "F"

[[step]]
person = 38.5
"""


def write_scenario(home: Path) -> Path:
    path = home / "fahrenheit.toml"
    path.write_text(FEFD_SCENARIO, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def fefd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulated]:
    folder = module_home(tmp_path_factory, "fefd")
    simulated = start_simulator(folder, "--scenario", str(write_scenario(folder)))
    yield simulated
    simulated.close()


def json_lines(stdout: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    assert rows, "no JSON lines"
    return rows


def assert_documented_shape(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        expected = JSON_KEYS | {"detail"} if row["kind"] == "status" else JSON_KEYS
        assert set(row) == expected, row
        at = datetime.fromisoformat(row["at"])
        assert at.utcoffset() == timedelta(0), f"not UTC: {row['at']}"


def measurements(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in rows if row["kind"] == "measurement"]


def answered(stdout: str, port: Path) -> list[str]:
    """The protocols `devices probe` says answered on `port`."""
    match = re.search(rf"{re.escape(str(port))} answered as: (.+)\.$", stdout, re.MULTILINE)
    assert match, stdout
    return match.group(1).split(", ")


# --------------------------------------------------------------------------------------------
# checkpoint devices


def test_devices_lists_the_ports_or_says_there_are_none(home: Path) -> None:
    ports = list_ports.comports()

    result = invoke(home, "devices")

    assert result.exit_code == OK_EXIT, result.output
    if ports:
        for info in ports:
            assert info.device in result.output
    else:
        assert "No serial ports found" in result.output


# --------------------------------------------------------------------------------------------
# A streaming module: aa55


def test_simulate_prints_a_link_to_a_pty(aa55: Simulated) -> None:
    assert aa55.link.is_symlink()
    target = str(aa55.link.readlink())
    assert re.fullmatch(r"/dev/pts/\d+", target), target
    assert aa55.link.readlink().exists()


def test_read_json_aa55(aa55: Simulated) -> None:
    result = run(
        aa55.home,
        *("devices", "read", "--port", str(aa55.link), "--protocol", "aa55"),
        *("--count", "2", "--json"),
    )

    assert result.returncode == OK_EXIT, result.stderr
    rows = json_lines(result.stdout)
    assert_documented_shape(rows)
    assert rows[0]["kind"] == "status"
    assert rows[0]["reason"] == "connected"
    assert rows[-1]["kind"] == "measurement", "read did not stop at the 2nd measurement"
    found = measurements(rows)
    assert len(found) == 2
    for row in found:
        assert PLAUSIBLE_BODY_C[0] <= row["value_c"] <= PLAUSIBLE_BODY_C[1], row
        assert (row["site"], row["unit"], row["reason"]) == ("body", "C", "ok")
        assert row["raw_hex"].startswith("aa5506")
        assert len(bytes.fromhex(row["raw_hex"])) == 6


def test_read_text_aa55(aa55: Simulated) -> None:
    result = run(
        aa55.home,
        *("devices", "read", "--port", str(aa55.link), "--protocol", "aa55", "--count", "1"),
    )

    assert result.returncode == OK_EXIT, result.stderr
    assert "MEASUREMENT" in result.stdout
    assert "connected" in result.stderr  # status lines go to stderr in text mode
    assert "1 measurements" in result.stderr  # the summary


def test_read_text_in_chinese(aa55: Simulated) -> None:
    result = run(
        aa55.home,
        *("devices", "read", "--port", str(aa55.link), "--protocol", "aa55", "--count", "1"),
        language="zh-CN",
    )

    assert result.returncode == OK_EXIT, result.stderr
    assert "测量值" in result.stdout
    assert "MEASUREMENT" not in result.stdout


def test_probe_aa55(aa55: Simulated) -> None:
    result = run(aa55.home, "devices", "probe", str(aa55.link), "--seconds", "0.5")

    assert result.returncode == OK_EXIT, result.stdout + result.stderr
    assert "aa55" in answered(result.stdout, aa55.link)


def test_read_a_port_held_by_another_program(aa55: Simulated) -> None:
    with serial.Serial(str(aa55.link), exclusive=True):
        result = run(
            aa55.home, *("devices", "read", "--port", str(aa55.link), "--protocol", "aa55")
        )

    # It gives up at once instead of retrying: the volunteer must close the other program.
    assert result.returncode == FAILURE_EXIT, result.stdout + result.stderr
    assert "in use by another program" in result.stderr
    assert "MEASUREMENT" not in result.stdout


# --------------------------------------------------------------------------------------------
# A request/response module: lu90614


def test_read_json_lu90614(lu90614: Simulated) -> None:
    result = run(
        lu90614.home,
        *("devices", "read", "--port", str(lu90614.link), "--protocol", "lu90614"),
        *("--count", "2", "--json"),
    )

    assert result.returncode == OK_EXIT, result.stderr
    rows = json_lines(result.stdout)
    assert_documented_shape(rows)
    assert rows[0]["reason"] == "connected"
    assert rows[-1]["kind"] == "measurement"
    found = measurements(rows)
    assert len(found) == 2
    for row in found:
        assert PLAUSIBLE_BODY_C[0] <= row["value_c"] <= PLAUSIBLE_BODY_C[1], row
        assert (row["site"], row["unit"], row["reason"]) == ("body", "C", "ok")
        assert row["raw_hex"].startswith("feac")  # answered in body mode, as asked at start


def test_read_text_lu90614(lu90614: Simulated) -> None:
    result = run(
        lu90614.home,
        *("devices", "read", "--port", str(lu90614.link), "--protocol", "lu90614"),
        *("--count", "1"),
    )

    assert result.returncode == OK_EXIT, result.stderr
    assert "MEASUREMENT" in result.stdout


def test_probe_lu90614(lu90614: Simulated) -> None:
    result = run(lu90614.home, "devices", "probe", str(lu90614.link), "--seconds", "0.5")

    assert result.returncode == OK_EXIT, result.stdout + result.stderr
    assert "lu90614" in answered(result.stdout, lu90614.link)


# --------------------------------------------------------------------------------------------
# A scenario file: fefd in Fahrenheit


def test_scenario_in_fahrenheit(fefd: Simulated) -> None:
    result = run(
        fefd.home,
        *("devices", "read", "--port", str(fefd.link), "--protocol", "fefd"),
        *("--count", "1", "--json"),
    )

    assert result.returncode == OK_EXIT, result.stderr
    rows = json_lines(result.stdout)
    assert_documented_shape(rows)
    (measurement,) = measurements(rows)
    assert measurement["unit"] == "F"
    assert measurement["value_c"] == pytest.approx(38.5, abs=0.06)
    assert measurement["raw_hex"].startswith("fefd15")  # the unit code of ℉ on the wire


# --------------------------------------------------------------------------------------------
# Stopping the simulator


@pytest.mark.parametrize(
    ("args", "protocol"),
    [
        (("--protocol", "aa55", "--interval", "0.05", "--seed", "1"), "aa55"),
        (("--protocol", "lu90614", "--seed", "1"), "lu90614"),
        (("--scenario", "fahrenheit.toml"), "fefd"),
    ],
    ids=["aa55", "lu90614", "scenario"],
)
def test_sigterm_stops_the_simulator_and_removes_the_link(
    home: Path, args: tuple[str, ...], protocol: str
) -> None:
    write_scenario(home)
    simulated = start_simulator(home, *args)
    try:
        used = run(
            home,
            *("devices", "read", "--port", str(simulated.link), "--protocol", protocol),
            *("--count", "1", "--json"),
        )
        assert used.returncode == OK_EXIT, used.stderr
        assert simulated.link.readlink().exists()

        code = simulated.terminate()
    finally:
        simulated.close()

    assert code == OK_EXIT
    assert not simulated.link.is_symlink(), "the link was left behind"
    assert not simulated.link.exists()


def test_sigterm_as_soon_as_the_path_is_printed(home: Path) -> None:
    # A supervisor may stop the simulator as soon as it has read the device path.
    simulated = start_simulator(home, "--protocol", "aa55", "--interval", "0.05")

    code = simulated.terminate()

    assert code == OK_EXIT
    assert not simulated.link.is_symlink(), "the link was left behind"


# --------------------------------------------------------------------------------------------
# Mistakes


def test_read_without_a_port(home: Path) -> None:
    result = invoke(home, "devices", "read")

    assert result.exit_code == USAGE_EXIT, result.output
    assert "--port" in result.output


def test_read_a_port_that_does_not_exist(home: Path) -> None:
    result = invoke(home, "devices", "read", "--port", "/dev/does-not-exist", "--protocol", "aa55")

    assert result.exit_code == FAILURE_EXIT, result.output
    assert "There is no serial port /dev/does-not-exist" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ("devices", "read", "--port", "/dev/does-not-exist", "--protocol", "nope"),
        ("simulate", "--protocol", "nope"),
    ],
    ids=["devices read", "simulate"],
)
def test_an_unknown_protocol_lists_the_known_ones(home: Path, command: tuple[str, ...]) -> None:
    result = invoke(home, *command)

    assert result.exit_code == USAGE_EXIT, result.output
    assert "nope" in result.output
    for name in available():
        assert name in result.output


def test_simulate_with_a_missing_scenario(home: Path) -> None:
    result = invoke(home, "simulate", "--scenario", str(home / "missing.toml"))

    assert result.exit_code == USAGE_EXIT, result.output
    assert "missing.toml" in result.output
    assert "There is no scenario file" in result.output


def test_simulate_with_a_wrong_scenario_names_the_step(home: Path) -> None:
    scenario = home / "wrong.toml"
    scenario.write_text("[[step]]\nperson = 37\n[[step]]\nperson = 50\n", encoding="utf-8")

    result = invoke(home, "simulate", "--scenario", str(scenario))

    assert result.exit_code == USAGE_EXIT, result.output
    assert f"{scenario}, step 2" in result.output
