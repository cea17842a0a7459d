"""Messages on the lane stay until the volunteer acts: a thermometer reading that arrives
meanwhile fills the field but never replaces the message they have not read yet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from checkpoint.config import Settings, load_settings
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store, open_store
from checkpoint.tui.app import make_app
from checkpoint.tui.messages import MeasurementReceived
from checkpoint.tui.widgets.message_line import MessageLine
from tests.tui.test_screening_app import _device_measurement, open_shift, table_rows, until


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


async def test_saved_and_disinfected_stay_until_the_next_key(
    settings: Settings, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        line = lane.query_one(MessageLine)
        field = lane.query_one("#temperature", Input)
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await until(pilot, lambda: "Saved 36.5" in str(line.render()))
        for value in (36.6, 36.7):  # the next person in front of the thermometer, frame by frame
            app.post_message(MeasurementReceived(_device_measurement(value)))
            await until(pilot, lambda v=value: field.value == f"{v:.1f}")  # type: ignore[misc]
        assert "Saved 36.5" in str(line.render())
        await pilot.press("ctrl+d")
        await until(pilot, lambda: "Disinfection recorded" in str(line.render()))
        app.post_message(MeasurementReceived(_device_measurement(36.8)))
        await until(pilot, lambda: field.value == "36.8")
        assert "Disinfection recorded" in str(line.render())
        await pilot.press("right")  # the volunteer's next action: the message may go now
        app.post_message(MeasurementReceived(_device_measurement(36.9)))
        await until(pilot, lambda: field.value == "36.9")
        assert "Measured" in str(line.render())


async def test_an_error_stays_over_readings_and_a_reconnecting_line(
    settings: Settings, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="zh-CN")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        line = lane.query_one(MessageLine)
        await pilot.press("ctrl+r")  # release with no vehicle yet: explained
        await until(pilot, lambda: line.has_class("error"))
        said = str(line.render())
        app.post_message(MeasurementReceived(_device_measurement(36.6)))
        await until(pilot, lambda: lane.query_one("#temperature", Input).value == "36.6")
        lane.relabel()  # as when the thermometer's line comes back
        assert str(line.render()) == said and line.has_class("error")
