"""The core never imports Textual: each core module, imported alone in a fresh interpreter.

A module that pulls in Textual (even indirectly) makes every command, the hub and the reports
pay for the TUI at start-up, and ties pure rules to a screen. Each module runs in its own
interpreter because `sys.modules` of this test process already holds whatever other tests
imported.
"""

from __future__ import annotations

import importlib.util
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

CORE_PACKAGES = (
    "checkpoint.domain",
    "checkpoint.store",
    "checkpoint.thermometer",
    "checkpoint.idcard",
    "checkpoint.scanner",
    "checkpoint.sync",
    "checkpoint.wire",
    "checkpoint.hub",
    "checkpoint.reports",
    "checkpoint.screening",
)
REQUIRED_PACKAGES = frozenset(
    {"checkpoint.domain", "checkpoint.store", "checkpoint.thermometer", "checkpoint.screening"}
)

# Alembic's environment script runs only inside a migration (it reads `context.config`), so it
# is checked the way it runs: by migrating a new database, which executes it and every version.
ALEMBIC_ENV = "checkpoint.store.migrations.env"

IMPORT_CHECK = (
    "import sys, importlib; importlib.import_module({name!r}); print('textual' in sys.modules)"
)
MIGRATION_CHECK = (
    "import sys; from pathlib import Path; from checkpoint.store.engine import open_store\n"
    "with open_store(Path(sys.argv[1]) / 'checkpoint.db'):\n"
    "    pass\n"
    "print('textual' in sys.modules)"
)


def _core_modules() -> list[str]:
    found: list[str] = []
    for package in CORE_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.submodule_search_locations is None:
            continue  # a package not written yet
        found.append(package)
        found += [
            info.name
            for info in pkgutil.walk_packages(spec.submodule_search_locations, f"{package}.")
        ]
    return sorted(found)


CORE_MODULES = _core_modules()


def test_the_required_core_packages_are_found() -> None:
    missing = REQUIRED_PACKAGES - set(CORE_MODULES)
    assert not missing, f"core packages not found: {sorted(missing)}"


@pytest.mark.parametrize("name", CORE_MODULES)
def test_core_module_does_not_import_textual(name: str, tmp_path: Path) -> None:
    if name == ALEMBIC_ENV:
        argv = [sys.executable, "-c", MIGRATION_CHECK, str(tmp_path)]
    else:
        argv = [sys.executable, "-c", IMPORT_CHECK.format(name=name)]
    result = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 0, f"{name} does not import on its own:\n{result.stderr}"
    assert result.stdout.strip().splitlines()[-1] == "False", f"{name} imports textual"


HEAVY_AT_START = ("sqlalchemy", "alembic", "pydantic", "fpdf", "openpyxl", "fastapi", "httpx")
CLI_START = (
    "import sys; from checkpoint.cli.main import _register; _register(); "
    "print(' '.join(sorted({name!r}[i] for i in range({count}) "
    "if {name!r}[i] in sys.modules)))"
)


def test_the_cli_starts_without_the_heavy_libraries() -> None:
    """`checkpoint run` draws its first screen before the store, the configuration model,
    reports and sync are needed (bench/startup.py): registering the commands must not import
    them; each command imports what it uses when it runs."""
    code = CLI_START.format(name=HEAVY_AT_START, count=len(HEAVY_AT_START))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "", f"imported at CLI start-up: {done.stdout.strip()}"


FIRST_SCREEN = """
import asyncio, sys, threading
from checkpoint.tui.app import CheckpointApp
from checkpoint.tui.screens.shift_start import ShiftStartScreen

never = threading.Event()

def opener():
    never.wait()  # the log never opens: only what the first screen needs is imported
    raise SystemExit

async def main():
    app = CheckpointApp(opener, "zh-CN")
    async with app.run_test(size=(100, 30)) as pilot:
        while not (isinstance(app.screen, ShiftStartScreen) and app.focused is not None):
            await pilot.pause(0.01)
        await pilot.pause(0.2)
        heavy = {heavy!r}
        print(" ".join(sorted(name for name in heavy if name in sys.modules)))
        never.set()

asyncio.run(main())
"""


def test_the_first_screen_is_drawn_without_the_heavy_libraries() -> None:
    """The shift form is up before the log opens: until then neither the store (SQLAlchemy),
    the configuration model (pydantic) nor the sync client (httpx) may be imported on the
    screen's thread — a reactive's first watch once pulled in the sync client (+550 ms)."""
    code = FIRST_SCREEN.format(heavy=HEAVY_AT_START)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1:] in ([], [""]), done.stdout
