"""The shift form: SIMULATED from its first frame, and the staff's own readings taken from the
thermometer (a reading goes after the name typed last, and is stored as the device's)."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input, Static

from checkpoint.config import Settings, load_settings
from checkpoint.domain.vocabulary import Instrument
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store
from checkpoint.tui.app import make_app
from checkpoint.tui.messages import MeasurementReceived
from checkpoint.tui.screens.shift_start import ShiftStartScreen
from tests.tui.test_opening import HeldOpener, lane_ready, settings, store
from tests.tui.test_screening_app import _device_measurement, _simulated, rows, until

__all__ = ["settings", "store"]  # fixtures shared with the opening tests


async def test_the_form_says_simulated_before_the_log_and_the_line_are_open(
    settings: Settings, store: Store
) -> None:
    opener = HeldOpener(ScreeningDesk(store=store, settings=settings))
    app = make_app(opener, language="en", simulating=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        top = app.screen.query_one("#shift-top", Static)
        await until(pilot, lambda: "SIMULATED" in str(top.render()))
        await pilot.press("f2")
        await until(pilot, lambda: "模拟" in str(top.render()))
        # This opener opens no thermometer: once open, the form says temperatures are typed.
        opener.release()
        await until(pilot, lambda: app.opened)
        await until(pilot, lambda: "模拟" not in str(top.render()))
        assert "手工" in str(top.render()) or "输入" in str(top.render())


async def test_staff_readings_come_from_the_thermometer_after_each_name(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    source = _simulated(
        settings,
        tmp_path,
        "[[step]]\nnobody = 3.0\n[[step]]\nperson = 36.6\nframes = 30\n"
        "[[step]]\nnobody = 1.5\n[[step]]\nperson = 37.8\nframes = 30\n"
        "[[step]]\nnobody = 60\n",
    )
    app = make_app(ScreeningDesk(store=store, settings=settings), source, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.opened and isinstance(app.screen, ShiftStartScreen))
        form = app.screen
        assert "SIMULATED" in str(form.query_one("#shift-top", Static).render())
        assert "then measure" in str(form.query_one("#staff-label").render())
        await until(pilot, lambda: app.focused is not None and app.focused.id == "leader")
        await pilot.press(*"Li", "enter", *"Wang", "enter", *"Wang")
        staff = form.query_one("#staff", Input)
        await until(pilot, lambda: "36.6" in staff.value)
        assert staff.value == "Wang 36.6, "
        await pilot.press(*"Zhao")
        await until(pilot, lambda: "37.8" in staff.value)
        assert staff.value == "Wang 36.6, Zhao 37.8, "
        hint = str(form.query_one("#shift-hint", Static).render())
        assert "Zhao" in hint and "threshold" in hint
        await pilot.press("enter")
        await until(pilot, lambda: lane_ready(app))
    checks = rows(
        store,
        "SELECT s.staff_name, r.value, r.instrument, s.flagged FROM staff_check s "
        "JOIN reading r ON r.id = s.reading_id ORDER BY r.value",
    )
    assert checks == [("Wang", 36.6, "serial-infrared", 0), ("Zhao", 37.8, "serial-infrared", 1)]


async def test_a_reading_without_a_name_waiting_asks_for_the_name_and_an_edit_is_typed(
    settings: Settings, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.opened and isinstance(app.screen, ShiftStartScreen))
        form = app.screen
        assert isinstance(form, ShiftStartScreen)
        staff = form.query_one("#staff", Input)
        hint = form.query_one("#shift-hint", Static)
        # Away from the staff field a reading is not announced: the leader is typing.
        form.measurement_arrived(_device_measurement(36.5))
        assert str(hint.render()).strip() == ""
        await pilot.press(*"Li", "enter", *"Wang", "enter")
        form.measurement_arrived(_device_measurement(36.5))
        await pilot.pause()
        assert staff.value == ""
        assert "name first" in str(hint.render())
        await pilot.press(*"Wang")
        form.measurement_arrived(_device_measurement(36.5))
        await until(pilot, lambda: staff.value == "Wang 36.5, ")  # once typing paused
        # Corrected by hand ("36.5" → "36.7"): a typed value, not the device's.
        await pilot.press("backspace", "backspace", "backspace", "7", "enter")
        await until(pilot, lambda: lane_ready(app))
    assert rows(
        store,
        "SELECT s.staff_name, r.value, r.instrument FROM staff_check s "
        "JOIN reading r ON r.id = s.reading_id",
    ) == [("Wang", 36.7, Instrument.INFRARED_TYPED.value)]


async def test_a_staff_member_without_a_value_is_named_and_nothing_is_opened(
    settings: Settings, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.opened and isinstance(app.screen, ShiftStartScreen))
        await until(pilot, lambda: app.focused is not None and app.focused.id == "leader")
        await pilot.press(*"Li", "enter", *"Wang", "enter", *"Wang 36.4, Zhao", "enter")
        await pilot.pause()
        hint = app.screen.query_one("#shift-hint", Static)
        assert "Zhao has no temperature" in str(hint.render())
        assert app.screen.query_one("#staff", Input).value == "Wang 36.4, Zhao"
    assert rows(store, "SELECT count(*) FROM shift") == [(0,)]


async def type_text(pilot: Pilot[object], app: App[object], text: str) -> None:
    """Keys as a terminal sends them (Pilot.press drops "、": it finds no character for it)."""
    for character in text:
        app.post_message(events.Key(_character_to_key(character), character))
        await pilot.pause()


async def test_a_reading_that_arrives_mid_name_waits_for_the_name(
    tmp_path: Path, store: Store
) -> None:
    # A long pause: only the volunteer's comma or Enter finishes a name in this test.
    env = {"CHECKPOINT_HOME": str(tmp_path), "CHECKPOINT_UI__STAFF_NAME_PAUSE_S": "10"}
    slow = load_settings(None, env=env).settings
    app = make_app(ScreeningDesk(store=store, settings=slow), language="zh-CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.opened and isinstance(app.screen, ShiftStartScreen))
        form = app.screen
        staff = form.query_one("#staff", Input)
        hint = form.query_one("#shift-hint", Static)
        await until(pilot, lambda: app.focused is not None and app.focused.id == "leader")
        await pilot.press(*"Li Na", "enter")
        await type_text(pilot, app, "Zhao Lei、Chen Jie")
        await pilot.press("enter", *"Zhao Le")
        app.post_message(MeasurementReceived(_device_measurement(36.5)))
        await until(pilot, lambda: "36.5" in str(hint.render()))
        assert staff.value == "Zhao Le"  # not "Zhao Le 36.5，" with an "i" to come after it
        await pilot.press("i")
        assert staff.value == "Zhao Lei"
        await type_text(
            pilot, app, "、"
        )  # the name is finished: the reading goes before the separator
        await until(pilot, lambda: staff.value == "Zhao Lei 36.5、")
        await pilot.press(*"Chen Ji")
        app.post_message(MeasurementReceived(_device_measurement(36.6)))
        await until(pilot, lambda: "36.6" in str(hint.render()))
        await pilot.press("e")
        assert staff.value == "Zhao Lei 36.5、Chen Jie"
        await pilot.press("enter")  # Enter finishes the name and opens the shift
        await until(pilot, lambda: lane_ready(app))
    assert rows(store, "SELECT leader, operators FROM shift") == [
        ("Li Na", '["Zhao Lei", "Chen Jie"]')
    ]
    assert rows(
        store,
        "SELECT s.staff_name, r.value, r.instrument FROM staff_check s "
        "JOIN reading r ON r.id = s.reading_id ORDER BY r.value",
    ) == [("Zhao Lei", 36.5, "serial-infrared"), ("Chen Jie", 36.6, "serial-infrared")]


async def test_a_held_reading_goes_after_the_name_when_typing_pauses(
    settings: Settings, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.opened and isinstance(app.screen, ShiftStartScreen))
        form = app.screen
        staff = form.query_one("#staff", Input)
        await until(pilot, lambda: app.focused is not None and app.focused.id == "leader")
        await pilot.press(*"Li", "enter", *"Wang", "enter", *"Zhao Lei")
        app.post_message(MeasurementReceived(_device_measurement(36.5)))
        await until(pilot, lambda: staff.value == "Zhao Lei 36.5, ")
        hint = str(form.query_one("#shift-hint", Static).render())
        assert "Zhao Lei: 36.5 ℃ from the thermometer" in hint
