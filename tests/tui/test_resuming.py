"""A restart with a shift left open: no shift form first, and no key typed meanwhile is lost.

`checkpoint run` sees the open shift before its first screen (`store.peek`) and says so to the
app (`resuming`); the keys typed before the log is open wait for the lane and go into it.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from checkpoint.config import Settings
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store
from checkpoint.store.peek import open_shift_leader
from checkpoint.tui.app import make_app
from checkpoint.tui.screens.resuming import ResumingScreen
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen
from tests.tui.test_opening import HeldOpener, lane_ready, settings, store
from tests.tui.test_screening_app import until

__all__ = ["settings", "store"]  # the fixtures, shared with test_opening


async def test_keys_typed_while_the_log_opens_go_into_the_lane(
    settings: Settings, store: Store
) -> None:
    desk = ScreeningDesk(store=store, settings=settings)
    shift = desk.open_shift(leader="Li", operators=["Wang"])
    assert open_shift_leader(store.path, settings.checkpoint.id) == "Li"
    opener = HeldOpener(desk)
    app = make_app(opener, language="en", resuming="Li")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ResumingScreen))
        # Never a shift form, not even for a frame: nothing to type a leader into.
        assert not app.screen.query(Input)
        await pilot.press(*"36.6")
        opener.release()
        await until(pilot, lambda: lane_ready(app))
        field = app.screen.query_one("#temperature", Input)
        await until(pilot, lambda: field.value == "36.6")
        assert app.shift is not None and app.shift.id == shift.id
        assert not any(isinstance(s, ShiftStartScreen | ResumingScreen) for s in app.screen_stack)


async def test_an_open_shift_seen_wrongly_still_keeps_the_keys_for_the_form(
    settings: Settings, store: Store
) -> None:
    # The quick look said "open" but the log, once open, has no open shift: the form comes,
    # with what was typed in its first field.
    opener = HeldOpener(ScreeningDesk(store=store, settings=settings))
    app = make_app(opener, language="en", resuming="Li")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ResumingScreen))
        await pilot.press(*"Zhao")
        opener.release()
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        leader = app.screen.query_one("#leader", Input)
        await until(pilot, lambda: leader.value == "Zhao")
        await pilot.press("enter", *"Wang", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        assert app.shift is not None and app.shift.leader == "Zhao"


def test_the_quick_look_finds_only_a_shift_left_open(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    assert open_shift_leader(tmp_path / "nowhere.db", "local") is None
    assert open_shift_leader(store.path, settings.checkpoint.id) is None  # no shift yet
    desk = ScreeningDesk(store=store, settings=settings)
    desk.open_shift(leader="Li", operators=["Wang"])
    assert open_shift_leader(store.path, "another-checkpoint") is None
    assert open_shift_leader(store.path, settings.checkpoint.id) == "Li"
    (tmp_path / "not-a-log.db").write_bytes(b"not sqlite at all")
    assert open_shift_leader(tmp_path / "not-a-log.db", "local") is None
