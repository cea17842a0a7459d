"""At 80×24 every control of every screen is on screen and shown whole, in both languages.

Each screen is reached as a volunteer would (the real app, keys pressed), then every control
(fields, selects, checkboxes, buttons) and every line that must be read whole (labels, the
status bar, the key bar, titles) is checked: scrolled into view if it sits in a scrolling
container, its region must lie inside the screen and inside what its containers show, and its
text must fit its region (nothing cut off at the right or the bottom).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.containers import ScrollableContainer
from textual.geometry import Region, Size
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, Static

from checkpoint.config import Settings
from checkpoint.locale import Language
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.screens.amend import AmendScreen
from checkpoint.tui.screens.end_shift import EndShiftScreen
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.screens.history import HistoryScreen
from checkpoint.tui.screens.queue import QueueScreen
from checkpoint.tui.screens.reason import ReasonScreen
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen
from checkpoint.tui.widgets.key_bar import KeyBar
from checkpoint.tui.widgets.status_bar import StatusBar
from tests.tui.test_screening_app import open_shift, settings, store, until

__all__ = ["settings", "store"]  # the fixtures, shared with test_screening_app

SMALL = (80, 24)
LANGUAGES = [pytest.param("en", id="en"), pytest.param("zh-CN", id="zh")]
CONTROLS = (Input, Select, Checkbox, Button, DataTable, Label, StatusBar, KeyBar)
"""What must be reachable and whole; Statics with an id are checked too (titles, hints)."""


def _shown(widget: Widget) -> bool:
    return all(node.display and node.visible for node in widget.ancestors_with_self)


def _problems(widget: Widget, screen_size: Size) -> list[str]:
    name = f"{type(widget).__name__}#{widget.id}"
    region = widget.region
    if region.area == 0:
        return [f"{name} has no room ({region})"]
    problems = []
    for container in widget.ancestors:
        if isinstance(container, Widget) and container.is_scrollable:
            shown = container.scrollable_content_region
            if region.height > shown.height and container.allow_vertical_scroll:
                # Longer than its scrolling container (the end-of-shift sheet): read by
                # scrolling, so its first lines must show and its width must fit.
                region = Region(region.x, region.y, region.width, shown.height)
            if not shown.contains_region(region):
                problems.append(f"{name} {region} is cut off by {container} {shown}")
            break
    if not Region(0, 0, *screen_size).contains_region(region):
        problems.append(f"{name} {region} lies outside the {screen_size} screen")
    if isinstance(widget, (Input, Select, DataTable)) or region != widget.region:
        return problems
    inner = widget.content_region
    needed_height = widget.get_content_height(inner.size, screen_size, inner.width)
    if needed_height > inner.height:
        problems.append(f"{name} needs {needed_height} lines, has {inner.height}")
    if isinstance(widget, (Checkbox, Button)):
        needed_width = widget.get_content_width(inner.size, screen_size)
        if needed_width > inner.width:
            problems.append(f"{name} needs {needed_width} columns, has {inner.width}")
    return problems


async def assert_all_visible(pilot: Pilot[None]) -> None:
    screen = pilot.app.screen
    problems: list[str] = []
    for widget in screen.query("*"):
        if not isinstance(widget, CONTROLS) and not (type(widget) is Static and widget.id):
            continue
        if not _shown(widget) or isinstance(widget, ScrollableContainer):
            continue
        quiet = isinstance(widget, Static) and not isinstance(widget, (StatusBar, KeyBar))
        if quiet and not str(widget.render()).strip():
            continue  # an empty hint takes no room, says nothing
        screen.scroll_to_widget(widget, animate=False, immediate=True)
        await pilot.pause()
        problems += _problems(widget, screen.size)
    assert not problems, f"{type(screen).__name__}:\n" + "\n".join(problems)


def small_app(store: Store, settings: Settings, language: Language) -> CheckpointApp:
    return make_app(ScreeningDesk(store=store, settings=settings), None, language=language)


Reach = Callable[[Pilot[None], CheckpointApp], Awaitable[None]]


async def _lane(pilot: Pilot[None], app: CheckpointApp) -> None:
    await open_shift(pilot, app)
    await pilot.press(*"36.5", "enter", *"38.6", "enter")
    await until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
    await pilot.press("escape")
    await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))


async def at_lane(pilot: Pilot[None], app: CheckpointApp) -> None:
    await _lane(pilot, app)


async def at_full_mode(pilot: Pilot[None], app: CheckpointApp) -> None:
    await _lane(pilot, app)
    await pilot.press("f3")
    await pilot.pause()


async def at_follow_up(pilot: Pilot[None], app: CheckpointApp) -> None:
    await open_shift(pilot, app)
    await pilot.press(*"38.6", "enter")
    await until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
    screen = app.screen
    assert isinstance(screen, FollowUpScreen)
    await until(pilot, lambda: screen.view is not None)


async def at_bad_plate(pilot: Pilot[None], app: CheckpointApp) -> None:
    await open_shift(pilot, app)
    await pilot.press("ctrl+l", *"WJ12345", "enter")
    await until(pilot, lambda: isinstance(app.screen, ReasonScreen))


async def at_history(pilot: Pilot[None], app: CheckpointApp) -> None:
    await _lane(pilot, app)
    await pilot.press("ctrl+f")
    await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
    table = app.screen.query_one(DataTable)
    await until(pilot, lambda: table.row_count > 0)


async def at_amend(pilot: Pilot[None], app: CheckpointApp) -> None:
    await at_history(pilot, app)
    app.screen.query_one(DataTable).focus()
    await pilot.press("ctrl+a")
    await until(pilot, lambda: isinstance(app.screen, AmendScreen))
    await pilot.pause(0.2)


async def at_queue(pilot: Pilot[None], app: CheckpointApp) -> None:
    await _lane(pilot, app)
    await pilot.press("ctrl+o")
    await until(pilot, lambda: isinstance(app.screen, QueueScreen))
    table = app.screen.query_one(DataTable)
    await until(pilot, lambda: table.row_count > 0)


async def at_end_shift(pilot: Pilot[None], app: CheckpointApp) -> None:
    await _lane(pilot, app)
    await pilot.press("ctrl+e")
    await until(pilot, lambda: isinstance(app.screen, EndShiftScreen))
    await pilot.pause(0.5)


async def at_shift_start(pilot: Pilot[None], app: CheckpointApp) -> None:
    await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen) and app.opened)
    await pilot.pause()


SCREENS = [
    pytest.param(at_shift_start, id="shift_start"),
    pytest.param(at_lane, id="lane"),
    pytest.param(at_full_mode, id="full_mode"),
    pytest.param(at_follow_up, id="follow_up"),
    pytest.param(at_bad_plate, id="bad_plate"),
    pytest.param(at_history, id="history"),
    pytest.param(at_amend, id="amend"),
    pytest.param(at_queue, id="queue"),
    pytest.param(at_end_shift, id="end_shift"),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reach", SCREENS)
async def test_every_control_is_visible_at_80x24(
    settings: Settings, store: Store, language: Language, reach: Reach
) -> None:
    app = small_app(store, settings, language)
    async with app.run_test(size=SMALL) as pilot:
        await reach(pilot, app)
        await assert_all_visible(pilot)
