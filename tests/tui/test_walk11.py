"""What a walk through a whole shift found (issue 11's walk): each test fails without its fix."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._select import SelectCurrent

from checkpoint.domain.vocabulary import Disposition, VehicleType
from checkpoint.store.engine import Store
from checkpoint.tui.app import make_app
from checkpoint.tui.screens.amend import AmendScreen
from checkpoint.tui.screens.end_shift import EndShiftScreen
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.screens.history import HistoryScreen
from checkpoint.tui.screens.queue import QueueScreen
from tests.tui.test_lane_details import desk_for, settings_for, store
from tests.tui.test_screening_app import fever_follow_up, open_shift, rows, table_rows, until
from tests.tui.test_words import screen_text

__all__ = ["store"]  # the fixture


def shown(select: Select[object]) -> str:
    """The label the closed select shows."""
    return str(select.query_one(SelectCurrent).query_one("#label").render())


async def test_f2_relabels_the_vehicle_selects_showing_their_first_option(
    tmp_path: Path, store: Store
) -> None:
    # The type (car) and the direction (in) are each their select's first option: Textual does
    # not redraw a value that did not change, so F2 left "小客车" and "进" on an English lane.
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="zh-CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        kind = lane.query_one("#vehicle-type", Select)
        direction = lane.query_one("#direction", Select)
        await until(pilot, lambda: shown(kind) == "小客车" and shown(direction) == "进")
        await pilot.press("f2")
        await until(pilot, lambda: app.language == "en")
        await pilot.pause(0.3)
        assert (shown(kind), shown(direction)) == ("car", "in")
        await pilot.press("f2")
        await until(pilot, lambda: app.language == "zh-CN")
        await pilot.pause(0.3)
        assert (shown(kind), shown(direction)) == ("小客车", "进")


async def test_deciding_the_last_case_from_the_queue_goes_back_to_the_lane(
    tmp_path: Path, store: Store
) -> None:
    # Escape from the decided follow-up came back to an empty queue: the next vehicle's Ctrl+N
    # and plate were typed into it and lost, the volunteer saw nothing happen.
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        await fever_follow_up(pilot, app)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is lane)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        queue = app.screen
        await until(pilot, lambda: queue.query_one(DataTable).row_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
        screen = app.screen
        assert isinstance(screen, FollowUpScreen)
        await until(pilot, lambda: screen.view is not None)
        screen.query_one("#disposition", Select).value = Disposition.REFERRED_FEVER_CLINIC
        screen.query_one("#decided-by", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: screen.view is not None and not screen.view.state.open)
        await pilot.press("escape", "ctrl+n", *"鄂A12345", "enter")  # typed straight on
        await until(pilot, lambda: app.screen is lane)
        await until(pilot, lambda: lane.query_one("#plate", Input).value == "鄂A12345")


async def test_on_foot_a_save_from_the_type_select_leaves_the_next_temperature_focused(
    tmp_path: Path, store: Store
) -> None:
    # On foot chosen by hand, Enter on the type select saved the person but left the focus on
    # the select: the next person's typed "36.6" went to the select, and the next Enter saved
    # the thermometer's value that stood in the field instead.
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        kind = lane.query_one("#vehicle-type", Select)
        kind.value = VehicleType.ON_FOOT
        kind.focus()
        lane.query_one("#temperature", Input).value = "36.8"
        await pilot.press("enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press(*"36.6", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 2)
    assert rows(store, "SELECT raw FROM reading ORDER BY seq") == [("36.4",), ("36.8",), ("36.6",)]


async def test_a_nameless_case_on_foot_is_named_by_its_time_not_by_an_id(
    tmp_path: Path, store: Store
) -> None:
    # "Follow-up of 01a23655": the first digits of a random id named a person on foot with no
    # name, on the follow-up, in the observation queue and at the end of the shift.
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        lane.query_one("#vehicle-type", Select).value = VehicleType.ON_FOOT
        lane.query_one("#temperature", Input).focus()
        screen = await fever_follow_up(pilot, app)
        assert screen.view is not None
        opened = screen.view.state.opened_at
        assert opened is not None
        at = opened.astimezone(app.desk.settings.checkpoint.zone).strftime("%H:%M")
        code = str(screen.person_id)[:8]
        title = str(screen.query_one("#case-title", Static).render())
        assert code not in title and f"the unnamed person of {at}" in title
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is lane)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert str(table.get_row_at(0)[0]) == f"the unnamed person of {at}"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is lane)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, EndShiftScreen))
        await pilot.pause(0.5)
        text = screen_text(app)
        assert code not in text and f"no name given {at}" in text


async def test_down_from_the_history_search_goes_to_the_rows(tmp_path: Path, store: Store) -> None:
    # A volunteer typed part of a plate and Down, Down, Enter: Down did nothing in the search
    # field, so Enter only moved to the rows and the record was never opened.
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        await pilot.press("ctrl+l", *"鄂K77777", "enter", *"36.5", "enter", *"36.7", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 2)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        await pilot.press(*"7777")
        await until(pilot, lambda: history.query_text == "7777")
        await until(pilot, lambda: history.query_one(DataTable).row_count == 2)
        await pilot.press("down", "down", "enter")  # the second row: the older one, 36.5
        await until(pilot, lambda: isinstance(app.screen, AmendScreen))
        fields = app.screen.query_one("#amend-fields", Static)
        await until(pilot, lambda: "36.5 ℃" in str(fields.render()))
        assert lane is not app.screen


async def test_the_rest_countdown_goes_once_the_person_is_re_measured(
    tmp_path: Path, store: Store
) -> None:
    # After the re-measurement the follow-up still said "rest: re-measure in 9:46" beside the
    # axillary field: a second re-measurement seemed due.
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        timer = screen.query_one("#case-timer", Static)
        await pilot.press("ctrl+a")
        await until(pilot, lambda: "re-measure in" in str(timer.render()))
        await pilot.press("ctrl+r", "ctrl+r", *"38.1", "enter")  # before the rest is over
        await until(pilot, lambda: screen.view is not None and screen.view.state.remeasure_compared)
        await pilot.pause(1.2)  # the countdown ticks every second
        assert str(timer.render()) == ""


async def test_no_recommendation_is_not_shown_as_a_dash(tmp_path: Path, store: Store) -> None:
    # A case just opened said "Recommended: —." (建议：—。): a line with nothing to read.
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="zh-CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        shown_next = str(screen.query_one("#case-next", Static).render())
        assert "下一步" in shown_next and "建议" not in shown_next
        await pilot.press("f2")
        await until(pilot, lambda: "Next" in str(screen.query_one("#case-next", Static).render()))
        assert "Recommended" not in str(screen.query_one("#case-next", Static).render())
