"""SVG snapshots of the main screens in both languages, at 80×24 and 120×40.

The shift start screen as it first opens, the screening screen with two saved rows (one
normal, one fever), and the same lane in full mode with a plate typed. No thermometer, so
nothing live changes between runs; the desk's clock is fixed, so the times in the rows are
too. Baselines live in `__snapshots__/`; after an intended change of a screen, look at the
report and accept with `pytest --snapshot-update`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from checkpoint.config import Settings, load_settings
from checkpoint.locale import Language
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store, open_store
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen
from checkpoint.tui.widgets.status_bar import StatusBar

FIXED_UTC = datetime(2026, 2, 3, 1, 2, 3, tzinfo=UTC)
"""09:02:03 at the checkpoint (Asia/Shanghai): every time the screens show."""

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
LANGUAGES = [pytest.param("en", id="en"), pytest.param("zh-CN", id="zh")]

Snapshot = Callable[..., bool]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


def snapshot_app(store: Store, settings: Settings, language: Language) -> CheckpointApp:
    desk = ScreeningDesk(store=store, settings=settings, clock=lambda: FIXED_UTC)
    return make_app(desk, None, language=language)


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for the app to get there (a guard against hangs, never a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "the app never got there"
        await pilot.pause(0.02)


async def still_cursors(pilot: Pilot[None]) -> None:
    """A blinking cursor would be on or off depending on when the screenshot is taken."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def at_shift_start(pilot: Pilot[None]) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen) and app.focused is not None)
    # The log opens behind the form; its top line says how temperatures come in once it is.
    await until(pilot, lambda: isinstance(app, CheckpointApp) and app.opened)
    await pilot.pause()
    await still_cursors(pilot)


async def with_two_rows(pilot: Pilot[None]) -> None:
    app = pilot.app
    await at_shift_start(pilot)
    await pilot.press(*"Li", "enter", *"Wang", "enter", *"Wang 36.4", "enter")
    await until(pilot, lambda: isinstance(app.screen, ScreeningScreen) and app.focused is not None)
    screen = app.screen
    table = screen.query_one("#occupants", DataTable)
    await pilot.press(*"36.6", "enter")
    await until(pilot, lambda: table.row_count == 1)
    await pilot.press(*"38.2", "enter")
    await until(pilot, lambda: table.row_count == 2)
    # A fever opens its follow-up at once; back to the lane for the picture.
    await until(pilot, lambda: app.screen is not screen)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is screen and app.focused is not None)
    status = screen.query_one(StatusBar)
    await until(pilot, lambda: status.counters.people == 2 and status.counters.flagged == 1)
    await still_cursors(pilot)


async def full_mode(pilot: Pilot[None]) -> None:
    """The lane in full mode (F3): every detail field, the required ones marked."""
    await with_two_rows(pilot)
    await pilot.press("f3")
    await pilot.press("ctrl+l", *"鄂A12345")
    await still_cursors(pilot)


SCREENS: dict[str, Callable[[Pilot[None]], Awaitable[None]]] = {
    "shift_start": at_shift_start,
    "screening": with_two_rows,
    "full_mode": full_mode,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_main_screens(
    snap_compare: Snapshot,
    store: Store,
    settings: Settings,
    screen: str,
    language: Language,
    size: tuple[int, int],
) -> None:
    app = snapshot_app(store, settings, language)
    assert snap_compare(app, terminal_size=size, run_before=SCREENS[screen])
