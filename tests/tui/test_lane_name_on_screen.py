"""The screening screen's top line names this laptop's lane when it has one."""

from __future__ import annotations

from textual.widgets import Static

from checkpoint.config import Settings
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store
from checkpoint.store.lanes import name_lane
from checkpoint.tui.app import make_app
from tests.tui.test_screening_app import open_shift
from tests.tui.test_screening_app import settings as settings  # the fixture
from tests.tui.test_screening_app import store as store  # the fixture


async def test_the_top_line_names_the_lane_in_both_languages(
    settings: Settings, store: Store
) -> None:
    with store.session() as session:
        name_lane(session=session, name="2号口")
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        top = app.screen.query_one("#top", Static)
        assert "Lane 2号口" in str(top.render())
        await pilot.press("f2")
        await pilot.pause()
        assert "通道 2号口" in str(top.render())


async def test_the_default_lane_is_not_shown(settings: Settings, store: Store) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        assert "Lane" not in str(app.screen.query_one("#top", Static).render())
