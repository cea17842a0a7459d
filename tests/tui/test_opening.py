"""The shift form shows before the log is open; the log opens behind it in a thread worker.

Typing works at once; a submit made too early waits for the log and then goes ahead; a shift
left open is resumed once the log is open; a failure to open ends the app with the error.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from checkpoint.config import Settings, load_settings
from checkpoint.errors import StoreError
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store, open_store
from checkpoint.tui.app import CheckpointApp, Opened, make_app
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen
from tests.tui.test_screening_app import rows, until

HANG_GUARD_S = 20.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


def lane_ready(app: CheckpointApp) -> bool:
    """The lane is shown and complete (its on_mount ends by focusing a field)."""
    return isinstance(app.screen, ScreeningScreen) and app.focused is not None


class HeldOpener:
    """Opens the desk only when the test lets it (`release()`)."""

    def __init__(self, desk: ScreeningDesk) -> None:
        self.desk = desk
        self.released = threading.Event()
        self.calls = 0

    def __call__(self) -> Opened:
        self.calls += 1
        assert self.released.wait(HANG_GUARD_S), "the test never let the log open"
        return Opened(self.desk, None)

    def release(self) -> None:
        self.released.set()


async def test_the_form_takes_typing_before_the_log_is_open(
    settings: Settings, store: Store
) -> None:
    opener = HeldOpener(ScreeningDesk(store=store, settings=settings))
    app = make_app(opener, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        await until(pilot, lambda: app.focused is not None and app.focused.id == "leader")
        assert not app.opened
        await pilot.press(*"Li", "enter", *"Wang", "enter", *"Wang 36.4", "enter")
        await pilot.pause()
        # The submit waits for the log and says so; the form is still there, fields kept.
        assert isinstance(app.screen, ShiftStartScreen)
        assert app.screen.query_one("#leader", Input).value == "Li"
        hint = str(app.screen.query_one("#shift-hint", Static).render())
        assert "Opening the log" in hint
        assert rows(store, "SELECT count(*) FROM shift") == [(0,)]

        opener.release()
        await until(pilot, lambda: lane_ready(app))
        assert app.opened and app.shift is not None and app.shift.leader == "Li"
    assert rows(store, "SELECT leader FROM shift") == [("Li",)]
    assert opener.calls == 1


async def test_an_open_shift_is_resumed_once_the_log_is_open(
    settings: Settings, store: Store
) -> None:
    desk = ScreeningDesk(store=store, settings=settings)
    shift = desk.open_shift(leader="Li", operators=["Wang"])
    opener = HeldOpener(desk)
    app = make_app(opener, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        opener.release()
        await until(pilot, lambda: lane_ready(app))
        assert app.shift is not None and app.shift.id == shift.id and app.shift.resumed
        # The form gave way to the lane: it is not waiting underneath.
        assert not any(isinstance(screen, ShiftStartScreen) for screen in app.screen_stack)


async def test_a_failure_to_open_ends_the_app_with_the_error(tmp_path: Path) -> None:
    error = StoreError.of("store.in_use", path=tmp_path / "log.db")

    def opener() -> Opened:
        raise error

    app = make_app(opener, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: not app.is_running or app.open_error is not None)
    assert app.open_error is error
    assert app.return_code == 1


async def test_the_labels_follow_the_settings_language_once_read(
    tmp_path: Path, store: Store
) -> None:
    settings = load_settings(
        None, env={"CHECKPOINT_HOME": str(tmp_path), "CHECKPOINT_UI__LANGUAGE": "zh-CN"}
    ).settings
    opener = HeldOpener(ScreeningDesk(store=store, settings=settings))
    app = make_app(opener, language="en")  # a wrong first guess
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        assert app.language == "en"
        opener.release()
        await until(pilot, lambda: app.opened)
        await pilot.pause()
        assert app.language == "zh-CN"
        title = str(app.screen.query_one("#shift-title", Static).render())
        assert title != "Start of shift"
