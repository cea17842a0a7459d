"""At 120×40 the lane shows the last vehicles and the open cases beside the occupants; at
80×24 the panel is hidden and the occupants take the width."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from checkpoint.config import Settings
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store
from checkpoint.tui.app import make_app
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.widgets.lane_side import LaneSide
from tests.tui.test_screening_app import open_shift, settings, store, until

__all__ = ["settings", "store"]  # the fixtures, shared with test_screening_app


def shown(app: object, selector: str) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one(selector, Static).render())


async def test_the_wide_lane_shows_the_last_vehicles_and_the_open_cases(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Updated by the saves themselves: the panel's slow timer never fires in this test.
    monkeypatch.setattr("checkpoint.tui.widgets.lane_side.RELOAD_S", 3600.0)
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        side = app.screen.query_one(LaneSide)
        assert side.display and side.region.width > 0
        await until(pilot, lambda: "none yet" in shown(app, "#side-vehicles"))
        assert "none open" in shown(app, "#side-cases")

        await pilot.press("ctrl+l", *"京A12345", "enter", *"36.5", "enter", *"38.6", "enter")
        await until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        await until(pilot, lambda: "38.6 ℃" in shown(app, "#side-cases"))
        vehicles = shown(app, "#side-vehicles")
        assert "京A12345" in vehicles and "2 ppl" in vehicles and "⚠" in vehicles
        assert "since" in shown(app, "#side-cases")
        # Beside the occupants, not instead of them.
        table = app.screen.query_one("#occupants", DataTable)
        assert table.region.right <= side.region.x

        await pilot.press("f2")
        await until(pilot, lambda: "最近车辆" in shown(app, "#side-vehicles"))
        assert "未结案例" in shown(app, "#side-cases")


async def test_the_narrow_lane_hides_the_panel(settings: Settings, store: Store) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        side = app.screen.query_one(LaneSide)
        assert not side.display
        table = app.screen.query_one("#occupants", DataTable)
        assert table.region.width == 80
