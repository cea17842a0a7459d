"""The lane shows a value the thermometer never turned into a measurement, beside the field and
marked as such, and never saves it as the person's temperature."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input

from checkpoint.config import Settings
from checkpoint.domain.readings import Reading
from checkpoint.domain.vocabulary import Instrument, Site, Unit
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store
from checkpoint.thermometer.events import LiveState, RawReading
from checkpoint.thermometer.protocols.base import Sample
from checkpoint.tui.app import make_app
from checkpoint.tui.messages import MeasurementReceived, ReadingReceived
from checkpoint.tui.widgets.live_reading import LiveReading
from tests.tui.test_screening_app import (
    _device_measurement,
    _simulated,
    back_from_follow_up,
    open_shift,
    rows,
    settings,
    store,
    table_rows,
    until,
)

__all__ = ["settings", "store"]  # fixtures shared with the lane's tests

SCREENED = "SELECT value, instrument FROM reading WHERE purpose = 'screening'"


def _raw(value_c: float, state: LiveState) -> ReadingReceived:
    reading = Reading.create(
        value=value_c,
        unit=Unit.CELSIUS,
        site=Site.BODY,
        instrument=Instrument.SERIAL_INFRARED,
        raw="aa55",
        taken_at=datetime.now(UTC),
    )
    sample = Sample(value=value_c, unit=Unit.CELSIUS, site=Site.BODY, raw=b"\xaa\x55")
    return ReadingReceived(RawReading(sample=sample, reading=reading, state=state))


async def test_a_value_that_never_settles_is_shown_and_never_saved(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    # Someone walks past: the value climbs to 36.8 and never holds still, then nobody.
    source = _simulated(
        settings,
        tmp_path,
        "[[step]]\nnobody = 3.0\n[[step]]\nperson = 37.0\nramp = 40\nframes = 0\n"
        "[[step]]\nnobody = 60\n",
    )
    app = make_app(ScreeningDesk(store=store, settings=settings), source, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        live = app.screen.query_one(LiveReading)
        field = app.screen.query_one("#temperature", Input)
        await until(pilot, lambda: live.display and not live.present)
        assert str(live.render()).strip() == "36.8 ℃ not measured: measure again"
        assert field.value == "" and not live.has_class("fever")
        await pilot.press("enter")  # an empty field: the value beside it is not saved
        await pilot.pause()
        assert rows(store, SCREENED) == []
        await pilot.press(*"36.8", "enter")  # the volunteer takes it: typed, as typed
        await until(pilot, lambda: len(table_rows(app)) == 1)
        assert not live.display
    assert rows(store, SCREENED) == [(36.8, "infrared-typed")]


async def test_the_live_value_gives_way_to_the_measurement_in_either_language(
    settings: Settings, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="zh-CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        live = app.screen.query_one(LiveReading)
        field = app.screen.query_one("#temperature", Input)
        app.post_message(_raw(37.9, LiveState.UNSTABLE))
        await until(pilot, lambda: live.display)
        assert str(live.render()).strip() == "~37.9 ℃ 未稳定，未计入"
        assert live.has_class("fever") and field.value == ""
        await pilot.press("f2")
        await until(pilot, lambda: "settling" in str(live.render()))
        # Nobody in front: the value stays, marked as never measured.
        app.post_message(_raw(24.0, LiveState.NOBODY))
        await until(pilot, lambda: "measure again" in str(live.render()))
        # The next person's value settles: it fills the field, the live value goes.
        app.post_message(_raw(38.2, LiveState.UNSTABLE))
        await until(pilot, lambda: "38.2" in str(live.render()))
        app.post_message(_raw(38.2, LiveState.MEASURED))
        app.post_message(MeasurementReceived(_device_measurement(38.2)))
        await until(pilot, lambda: field.value == "38.2" and not live.display)
        # Values of the person already measured do not show again.
        app.post_message(_raw(38.3, LiveState.MEASURED))
        await pilot.pause(0.1)
        assert not live.display
        await pilot.press("enter")
        await back_from_follow_up(pilot, app)
    assert rows(store, SCREENED) == [(38.2, "serial-infrared")]


def test_a_burst_collapses_within_one_state_only() -> None:
    # The last unsettled value before "nobody" must reach the lane to be shown as not measured.
    settling, gone = _raw(38.4, LiveState.UNSTABLE), _raw(24.0, LiveState.NOBODY)
    assert _raw(38.5, LiveState.UNSTABLE).can_replace(settling)
    assert not gone.can_replace(settling)
