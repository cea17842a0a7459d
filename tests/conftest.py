"""Options and fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from checkpoint.thermometer.protocols import available

# --------------------------------------------------------------------------------------------
# No test reads or writes the machine's own configuration, log or cache: a test that forgot
# CHECKPOINT_HOME once opened (and upgraded) the log in the user's data folder, and failed
# wherever another version had written that log first.


def pytest_configure(config: pytest.Config) -> None:
    base = Path(tempfile.mkdtemp(prefix="checkpoint-tests-"))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(base / name.lower())


# --------------------------------------------------------------------------------------------
# Opt-in hardware tests: `pytest --device /dev/ttyUSB0 --device-protocol lu90614`


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hardware", "tests against a real thermometer (opt-in)")
    group.addoption(
        "--device",
        metavar="PATH",
        default=None,
        help="Serial port of a real thermometer module; without it hardware tests are skipped.",
    )
    group.addoption(
        "--device-protocol",
        metavar="NAME",
        default=None,
        help="Protocol the module on --device speaks (e.g. lu90614, aa55); required with it.",
    )
    group.addoption(
        "--id-reader",
        metavar="PATH",
        default=None,
        help="Serial port of a real ID card reader (id-card protocol); without it its hardware "
        "tests are skipped.",
    )
    clock = parser.getgroup("clock", "the suite on another day")
    clock.addoption(
        "--today",
        metavar="YYYY-MM-DD",
        default=None,
        help="Move this process's clock to that day (09:00 UTC, ticking) for every test: a test "
        "that passes only near the day it was written fails. Subprocesses keep the real clock.",
    )


@pytest.fixture(autouse=True)
def _moved_clock(pytestconfig: pytest.Config) -> Iterator[None]:
    today = pytestconfig.getoption("today")
    if not today:
        yield
        return
    import time_machine

    with time_machine.travel(f"{today}T09:00:00+00:00", tick=True):
        yield


@dataclass(frozen=True)
class HardwareDevice:
    """The real thermometer given on the command line."""

    path: str
    protocol: str


@pytest.fixture(scope="session")
def hardware_device(pytestconfig: pytest.Config) -> HardwareDevice:
    """The device given with --device, or a skip: hardware tests never run by default."""
    path = pytestconfig.getoption("device")
    if not path:
        pytest.skip("no --device given: hardware tests are opt-in")
    protocol = pytestconfig.getoption("device_protocol")
    if not protocol:
        raise pytest.UsageError("--device needs --device-protocol NAME (e.g. lu90614, aa55)")
    if protocol not in available():
        raise pytest.UsageError(
            f"--device-protocol {protocol}: unknown; known: {', '.join(sorted(available()))}"
        )
    return HardwareDevice(path=str(path), protocol=str(protocol))


@pytest.fixture(scope="session")
def hardware_id_reader(pytestconfig: pytest.Config) -> str:
    """The ID card reader given with --id-reader, or a skip: never run by default."""
    path = pytestconfig.getoption("id_reader")
    if not path:
        pytest.skip("no --id-reader given: hardware tests are opt-in")
    return str(path)


# --------------------------------------------------------------------------------------------
# Fonts: no test sees the machine's fonts unless it says so, so PDF tests pass on a machine with
# any set of fonts (none, or Droid Sans Fallback first). A test that wants some fonts points
# FONTCONFIG_FILE at a configuration of its own (tests/reports/conftest.py: `fontconfig_with`).

EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture(autouse=True, scope="session")
def no_machine_fonts() -> Iterator[Path]:
    """FONTCONFIG_FILE for the whole run: a fontconfig that knows no font at all."""
    folder = Path(tempfile.mkdtemp(prefix="fontconfig-"))
    config = folder / "fonts.conf"
    config.write_text(EMPTY_FONTCONFIG.format(cache=folder / "cache"), encoding="utf-8")
    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(config)
    try:
        yield config
    finally:
        if before is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = before
