"""History and corrections in the real app: a search by part of a plate, Enter on a row, a
temperature corrected over the threshold, and what the corrector is shown of the record."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static

from checkpoint.config import Settings
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.screening.history import AmendField
from checkpoint.store.engine import Store
from checkpoint.store.verify import walk
from checkpoint.tui.app import make_app
from checkpoint.tui.screens.amend import AmendScreen
from checkpoint.tui.screens.history import HistoryScreen
from checkpoint.tui.widgets.status_bar import StatusBar
from tests.tui.test_screening_app import (  # noqa: F401 (fixtures)
    open_shift,
    rows,
    settings,
    store,
    table_rows,
    until,
)


async def test_a_temperature_corrected_from_the_history_is_flagged_and_shown(
    settings: Settings,  # noqa: F811
    store: Store,  # noqa: F811
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        lane.query_one("#plate", Input).value = "京A12345"
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.5", "enter")  # nobody asked a name: quick mode
        await until(pilot, lambda: len(table_rows(app)) == 1)
        lane.query_one("#name", Input).value = "张三"
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.6", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 2)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        table = history.query_one("#history", DataTable)
        await until(pilot, lambda: table.row_count == 2)
        await pilot.press(*"12345")  # the digits of the plate, not its start
        await until(pilot, lambda: history.query_text == "12345")
        await pilot.pause(0.2)
        assert table.row_count == 2
        await pilot.press("enter", "down", "enter")  # to the rows, the older one, open it
        await until(pilot, lambda: isinstance(app.screen, AmendScreen))
        screen = app.screen
        assert isinstance(screen, AmendScreen)
        title = screen.query_one("#amend-title", Static)
        await until(pilot, lambda: "京A12345" in str(title.render()))
        assert "the unnamed person" in str(title.render())  # named by plate and time
        screen.query_one("#amend-field", Select).value = AmendField.TEMPERATURE
        current = screen.query_one("#amend-current", Static)
        await until(pilot, lambda: "36.5 ℃" in str(current.render()))
        assert "Changing temperature" in str(current.render())
        screen.query_one("#amend-value", Input).focus()
        await pilot.press(*"38.2", "enter", *"misread", "enter")
        fields = screen.query_one("#amend-fields", Static)
        await until(pilot, lambda: "36.5 ℃ → 38.2 ℃ ⚠" in str(fields.render()))
        hint = str(screen.query_one("#amend-hint", Static).render())
        assert "observation queue" in hint
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is history)
        await until(pilot, lambda: str(table.get_row_at(1)[4]) == "⚠ 38.2")
        assert str(table.get_row_at(1)[5]) == "✎"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is lane)
        bar = lane.query_one(StatusBar)  # the lane counts the corrected value at once
        await until(pilot, lambda: (bar.counters.flagged, bar.counters.suspected) == (1, 1))
        assert "≥37.3 1" in str(bar.render()) and "suspected 1" in str(bar.render())
    assert rows(store, "SELECT count(*) FROM case_event WHERE kind = 'opened'") == [(1,)]
    assert rows(store, "SELECT value FROM reading ORDER BY seq DESC LIMIT 2") == [(36.6,), (36.5,)]
    with store.reading() as session:
        assert walk(session).ok


async def test_the_leader_sees_the_value_whole_a_volunteer_masked(
    settings: Settings,  # noqa: F811
    store: Store,  # noqa: F811
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)  # leader Li, volunteer Wang
        app.screen.query_one("#name", Input).value = "张三"
        app.screen.query_one("#temperature", Input).focus()
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one("#history", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, AmendScreen))
        screen = app.screen
        current = screen.query_one("#amend-current", Static)
        await until(pilot, lambda: "张*" in str(current.render()))
        assert "masked" in str(current.render()) and "张三" not in str(current.render())
        screen.query_one("#amend-by", Input).value = "Li"  # the shift leader corrects
        await until(pilot, lambda: "张三" in str(current.render()))
        assert "张三" in str(screen.query_one("#amend-fields", Static).render())
