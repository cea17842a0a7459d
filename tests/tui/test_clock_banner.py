"""The lane says in plain words when the laptop's clock cannot be believed, screening goes on,
and the shift leader confirms the clock (Ctrl+K) or sets it right (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from checkpoint.config import Settings, load_settings
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store, open_store
from checkpoint.store.sync_state import note_hub_clock
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.widgets.status_bar import StatusBar
from tests.tui.test_snapshots import until

BOOTED_IN_1970 = datetime(1970, 1, 1, 0, 5, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


def lane_app(
    store: Store, settings: Settings, language: str, *, shift_open: bool = False
) -> CheckpointApp:
    desk = ScreeningDesk(store=store, settings=settings)
    if shift_open:  # the lane of that shift, with its status bar, is the first screen
        desk.open_shift(leader="李强", operators=["王芳"])
    return make_app(desk, None, language=language)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "words"), [("en", "CHECK THE CLOCK"), ("zh-CN", "请检查时钟")]
)
async def test_a_clock_in_1970_is_said_on_screen_until_the_leader_confirms_it(
    store: Store, settings: Settings, language: str, words: str
) -> None:
    app = lane_app(store, settings, language)
    app.wall_clock = lambda: BOOTED_IN_1970
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.opened and app.clock_facts is not None)
        await pilot.pause()
        assert words in app.banner_text() and "1970-01-01 00:05 UTC" in app.banner_text()
        shown = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert words in shown
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert words not in app.banner_text()


async def test_a_clock_far_from_the_hubs_at_the_last_sync_is_on_the_status_bar(
    store: Store, settings: Settings
) -> None:
    with store.session() as session:
        note_hub_clock(
            session=session,
            hub="http://hub",
            skew_s=timedelta(days=3, hours=2).total_seconds(),
            hub_time=datetime.now(UTC),
        )
    app = lane_app(store, settings, "en", shift_open=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.opened and app.clock_facts is not None)
        assert "3 d 2:00:00 ahead of the hub's clock" in app.banner_text()
        assert "clock 3 d 2:00:00 ahead" in app.sync_text()
        await until(pilot, lambda: bool(app.screen.query(StatusBar)))
        await until(pilot, lambda: "clock 3 d" in app.screen.query_one(StatusBar).sync)
        assert "clock 3 d 2:00:00 ahead" in app.screen.query_one(StatusBar).sync


async def test_a_clock_to_believe_shows_no_banner(store: Store, settings: Settings) -> None:
    app = lane_app(store, settings, "en")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.opened and app.clock_facts is not None)
        assert app.clock_text() == ""
