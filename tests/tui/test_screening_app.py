"""The real app, headless: shift start, quick screening, fevers, mistakes, resume, languages.

Driven with Textual's Pilot against a real SQLite file and, where a thermometer is involved, the
real serial stack reading the simulator over a pty.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from checkpoint.config import Settings, load_settings
from checkpoint.domain.readings import Reading
from checkpoint.domain.vocabulary import Instrument, Site, Unit
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.screening.history import AmendField
from checkpoint.store.engine import Store, open_store
from checkpoint.store.verify import walk
from checkpoint.thermometer.events import Measurement
from checkpoint.thermometer.protocols import protocol_class
from checkpoint.thermometer.protocols.base import Emission
from checkpoint.thermometer.reader import Reader
from checkpoint.thermometer.scenario import parse_scenario
from checkpoint.thermometer.setup import reader_settings
from checkpoint.thermometer.simulator import Simulator
from checkpoint.thermometer.source import ThermometerSource
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.messages import MeasurementReceived
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.screens.reason import ReasonScreen
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen
from checkpoint.tui.widgets.simulated_mark import SimulatedMark
from checkpoint.tui.widgets.status_bar import StatusBar


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


def rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    with store.reading() as session:
        return [tuple(r) for r in session.connection().exec_driver_sql(sql).fetchall()]


async def until(pilot: object, condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for the app to get there (a guard against hangs, never a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "the app never got there"
        await pilot.pause(0.05)  # type: ignore[attr-defined]


async def open_shift(pilot: object, app: CheckpointApp) -> None:
    await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
    # Keys go to the focused field: wait until the form is mounted and the leader field has it.
    await until(pilot, lambda: app.focused is not None and app.focused.id == "leader")
    press: Callable[..., Awaitable[None]] = pilot.press  # type: ignore[attr-defined]
    await press(*"Li", "enter", *"Wang", "enter", *"Wang 36.4", "enter")
    await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))


async def back_from_follow_up(pilot: object, app: CheckpointApp) -> None:
    """A fever opens the follow-up at once; Escape goes back to the lane."""
    await until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
    await pilot.press("escape")  # type: ignore[attr-defined]
    await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))


async def fever_follow_up(pilot: object, app: CheckpointApp) -> FollowUpScreen:
    """A fever typed on the lane; its follow-up, once the case is loaded."""
    await pilot.press(*"38.4", "enter")  # type: ignore[attr-defined]
    await until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
    screen = app.screen
    assert isinstance(screen, FollowUpScreen)
    await until(pilot, lambda: screen.view is not None)
    return screen


def table_rows(app: CheckpointApp) -> list[list[str]]:
    table = app.screen.query_one("#occupants", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_typed_temperatures_are_saved_one_enter_each(
    settings: Settings, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        banner = app.screen.query_one("#banner", Static)
        assert "No thermometer" in str(banner.render())
        await pilot.press(*"36.6", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press(*"37.25", "enter")
        await back_from_follow_up(pilot, app)
        await until(pilot, lambda: len(table_rows(app)) == 2)
        assert table_rows(app)[1][1:3] == ["37.3", "FEVER"]
        hint = str(app.screen.query_one("#temperature-hint", Static).render())
        assert "take the person aside" in hint
    saved = rows(
        store,
        "SELECT value, flagged, instrument, threshold_c FROM reading "
        "WHERE purpose = 'screening' ORDER BY seq",
    )
    assert saved == [
        (36.6, 0, Instrument.INFRARED_TYPED.value, 37.3),
        (37.25, 1, "infrared-typed", 37.3),
    ]
    staff = rows(store, "SELECT staff_name, flagged FROM staff_check")
    assert staff == [("Wang", 0)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("373", "Did you mean 37.3"),
        ("3.6", "decimal point"),
        ("abc", "is not a temperature"),
        ("", ""),
    ],
)
async def test_a_mistyped_temperature_is_explained_and_kept(
    settings: Settings, store: Store, typed: str, expected: str
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        await pilot.press(*typed, "enter")
        await pilot.pause(0.2)
        field = app.screen.query_one("#temperature", Input)
        hint = app.screen.query_one("#temperature-hint", Static)
        assert field.value == typed  # nothing the volunteer typed is lost
        assert hint.has_class("error")
        assert expected in str(hint.render())
    assert rows(store, "SELECT count(*) FROM person") == [(0,)]


async def test_a_bad_plate_is_explained_next_to_the_field(settings: Settings, store: Store) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        await pilot.press("ctrl+l", *"京A1234O")
        lane_hint = lane.query_one("#lane-hint", Static)
        assert lane_hint.has_class("error") and "letter I or O" in str(lane_hint.render())
        await pilot.press("enter")  # fix it, or keep it as seen with a reason
        await until(pilot, lambda: isinstance(app.screen, ReasonScreen))
        await pilot.press("escape")  # correct the plate instead
        await until(pilot, lambda: app.screen is lane)
        await until(pilot, lambda: app.focused is lane.query_one("#plate", Input))
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.5", "enter")  # saving still refuses the plate, nothing is lost
        await pilot.pause(0.2)
        hint = lane.query_one("#temperature-hint", Static)
        assert hint.has_class("error") and "京A1234O" in str(hint.render())
        assert lane.query_one("#plate", Input).value == "京A1234O"
        assert lane.query_one("#temperature", Input).value == "36.5"
    assert rows(store, "SELECT count(*) FROM vehicle_passage") == [(0,)]


async def test_an_unrecognised_plate_is_kept_as_seen_with_a_reason(
    settings: Settings, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        await pilot.press("ctrl+l", *"WJ12345", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReasonScreen))
        await pilot.press(*"armed police plate", "enter")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        await until(pilot, lambda: app.focused is app.screen.query_one("#temperature", Input))
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
    assert rows(store, "SELECT plate, plate_override_reason FROM vehicle_passage") == [
        ("WJ12345", "armed police plate")
    ]


async def test_the_shift_is_resumed_after_a_restart(settings: Settings, store: Store) -> None:
    desk = ScreeningDesk(store=store, settings=settings)
    shift = desk.open_shift(leader="Li", operators=["Wang"])
    app = make_app(desk, None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        assert app.shift is not None and app.shift.id == shift.id and app.shift.resumed


async def test_the_app_ends_cleanly_while_the_resumed_lane_is_still_mounting(
    settings: Settings, store: Store
) -> None:
    # The lane is the app's screen from the moment it is switched to, before its widgets have
    # mounted. Ending the app right then (here: leaving run_test in that very turn) took the
    # lane down under its own mounting, and Textual's Select failed in its on_mount.
    desk = ScreeningDesk(store=store, settings=settings)
    desk.open_shift(leader="Li", operators=["Wang"])
    app = make_app(desk, None, language="en")
    async with app.run_test(size=(100, 30)):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20.0
        while not isinstance(app.screen, ScreeningScreen):
            assert loop.time() < deadline, "the app never got there"
            await asyncio.sleep(0)  # no pause for idle: leave in the turn the lane appears
        assert not app.screen.is_mounted  # the moment this test is about
    assert app.return_code in (None, 0)


async def test_f2_switches_the_language_at_runtime(settings: Settings, store: Store) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="zh-CN")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        label = app.screen.query_one("#leader-label")
        await until(pilot, lambda: bool(str(label.render())))  # labelled once mounted
        assert "带班领导" in str(label.render())
        await pilot.press("f2")
        await pilot.pause(0.1)
        assert "Shift leader" in str(app.screen.query_one("#leader-label").render())


def _simulated(settings: Settings, tmp_path: Path, steps: str) -> ThermometerSource:
    protocol = protocol_class("aa55")()
    scenario = parse_scenario("interval = 0.05\n" + steps, source="test")
    simulator = Simulator(protocol, scenario=scenario, link=tmp_path / "thermometer", seed=5)
    target = simulator.start()
    reader = Reader(protocol_class("aa55")(), reader_settings(settings, protocol, target=target))
    return ThermometerSource(reader, simulator)


async def test_a_measurement_fills_the_row_and_enter_saves_it(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    source = _simulated(
        settings, tmp_path, "[[step]]\nnobody = 3.0\n[[step]]\nperson = 38.1\nframes = 40\n"
    )
    app = make_app(ScreeningDesk(store=store, settings=settings), source, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        assert "SIMULATED" in str(app.screen.query_one("#top", Static).render())
        status = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "[SIMULATED]" in str(status.render()))
        await pilot.press("f2")
        await until(pilot, lambda: "[模拟]" in str(status.render()))
        assert "模拟" in str(app.screen.query_one("#top", Static).render())
        await pilot.press("f2")
        field = app.screen.query_one("#temperature", Input)
        await until(pilot, lambda: field.value == "38.1")
        await pilot.press("enter")
        # The follow-up, where the re-measurement comes from the same simulator, says so too.
        await until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
        await until(pilot, lambda: bool(app.screen.query(SimulatedMark)))
        mark = app.screen.query_one(SimulatedMark)
        assert mark.display and "SIMULATED" in str(mark.render())
        await pilot.press("f2")
        await until(pilot, lambda: "模拟" in str(mark.render()))
        await pilot.press("f2")
        await back_from_follow_up(pilot, app)
        await until(pilot, lambda: len(table_rows(app)) == 1)
        assert table_rows(app)[0][2] == "FEVER"
    saved = rows(
        store, "SELECT value, instrument, flagged, raw FROM reading WHERE purpose = 'screening'"
    )
    frame = protocol_class("aa55")().encode(Emission(value_c=38.1)).hex()
    assert saved == [(38.1, "serial-infrared", 1, frame)]  # the raw bytes are kept
    with store.reading() as session:
        assert walk(session).ok


async def test_unplugging_shows_a_banner_and_typing_still_works(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    source = _simulated(
        settings,
        tmp_path,
        "[[step]]\nnobody = 2.0\n[[step]]\nunplug = 4000\n[[step]]\nnobody = 30\n",
    )
    app = make_app(ScreeningDesk(store=store, settings=settings), source, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        banner = app.screen.query_one("#banner", Static)
        await until(pilot, lambda: banner.has_class("shown"))
        assert "unplugged" in str(banner.render())
        await pilot.press(*"36.7", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await until(pilot, lambda: not banner.has_class("shown"))
    assert rows(store, "SELECT value FROM reading WHERE purpose = 'screening'") == [(36.7,)]


async def test_vehicle_actions_and_a_held_vehicle(settings: Settings, store: Store) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        hint = app.screen.query_one("#temperature-hint", Static)
        await pilot.press("ctrl+d")  # no vehicle yet
        await pilot.pause(0.1)
        assert "No vehicle yet" in str(hint.render())
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press("ctrl+d")
        await until(pilot, lambda: "Disinfection recorded" in str(hint.render()))
        await pilot.press(*"38.0", "enter")  # a fever in the same car
        await back_from_follow_up(pilot, app)
        await until(pilot, lambda: len(table_rows(app)) == 2)
        hint = app.screen.query_one("#temperature-hint", Static)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "cannot be released" in str(hint.render()))
        await pilot.press("ctrl+t", "enter")  # an empty reason is refused
        await until(pilot, lambda: "needs a reason" in str(hint.render()))
        await pilot.press("ctrl+t", *"no reason to enter", "enter")
        await until(pilot, lambda: "Turned back" in str(hint.render()))
        assert table_rows(app) == []  # the next vehicle
    assert rows(store, "SELECT reason FROM turn_back") == [("no reason to enter",)]
    assert rows(store, "SELECT count(*) FROM disinfection") == [(1,)]
    assert rows(store, "SELECT count(*) FROM vehicle_release") == [(0,)]


async def test_a_vehicle_without_open_cases_is_released(settings: Settings, store: Store) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: not table_rows(app))
    assert rows(store, "SELECT count(*) FROM vehicle_release") == [(1,)]


async def test_the_leader_signs_off_the_shift(settings: Settings, store: Store) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: type(app.screen).__name__ == "EndShiftScreen")
        figures = str(app.screen.query_one("#end-figures", Static).render())
        assert "People-times 1" in figures
        await pilot.press(*"all quiet", "enter", *"Wang", "enter")
        await pilot.pause(0.1)
        assert "Only the shift leader" in str(app.screen.query_one("#end-hint", Static).render())
        app.screen.query_one("#sign", Input).value = ""
        await pilot.press(*"Li", "enter")
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
    assert rows(store, "SELECT closed_by, handover_note FROM shift_closure") == [
        ("Li", "all quiet")
    ]


def no_rest(tmp_path: Path) -> Settings:
    """Settings without the rest before a re-measurement (tests/tui/test_follow_up.py has it)."""
    env = {"CHECKPOINT_HOME": str(tmp_path), "CHECKPOINT_SCREENING__RECHECK_WAIT_MINUTES": "0"}
    return load_settings(None, env=env).settings


async def test_a_fever_is_followed_through_to_a_decision(tmp_path: Path, store: Store) -> None:
    from textual.widgets import Select

    from checkpoint.domain.vocabulary import Disposition
    from checkpoint.tui.screens.queue import QueueScreen

    app = make_app(ScreeningDesk(store=store, settings=no_rest(tmp_path)), None, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        await pilot.press(*"38.0", "enter")  # not taken aside yet: refused, nothing stored
        await until(pilot, lambda: app.screen.query_one("#case-hint").has_class("error"))
        app.screen.query_one("#case-temp", Input).value = ""
        await pilot.press("ctrl+a")
        await until(pilot, lambda: screen.view is not None and screen.view.state.mask_given)
        await pilot.press(*"38.0", "enter")
        await until(pilot, lambda: screen.view is not None and screen.view.state.remeasure_compared)
        await pilot.press(*"37.9", "enter")
        await until(pilot, lambda: screen.view is not None and screen.view.state.confirmed_fever)
        next_line = str(app.screen.query_one("#case-next").render())
        assert "fever clinic" in next_line
        app.screen.query_one("#disposition", Select).value = Disposition.REFERRED_FEVER_CLINIC
        app.screen.query_one("#decided-by", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: screen.view is not None and not screen.view.state.open)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.pause(0.3)
        assert app.screen.query_one("#queue", DataTable).row_count == 0
    kinds = rows(store, "SELECT kind, by FROM case_event ORDER BY seq")
    assert kinds == [
        ("opened", "Wang"),
        ("taken-aside", "Wang"),
        ("remeasured", "Wang"),
        ("axillary", "Wang"),
        ("decided", "Li"),  # the shift leader, by default
    ]
    readings = rows(
        store, "SELECT purpose, instrument FROM reading WHERE person_id IS NOT NULL ORDER BY seq"
    )
    assert readings == [
        ("screening", "infrared-typed"),
        ("remeasure", "infrared-typed"),
        ("axillary", "axillary-typed"),
    ]


async def test_two_quick_enters_save_the_person_once(settings: Settings, store: Store) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        await pilot.press(*"36.6")
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        field = screen.query_one("#temperature", Input)
        field.post_message(Input.Submitted(field, field.value))
        field.post_message(Input.Submitted(field, field.value))  # key bounce
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.pause(0.3)
        assert len(table_rows(app)) == 1
    assert rows(store, "SELECT count(*) FROM person") == [(1,)]


async def test_details_are_checked_saved_and_shown_masked(settings: Settings, store: Store) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        screen = app.screen
        screen.query_one("#name", Input).value = "张三"
        screen.query_one("#document", Input).value = "110105194912310021"  # bad check digit
        screen.query_one("#phone", Input).value = "13812345678"
        screen.query_one("#temperature", Input).focus()
        await pilot.press(*"36.6", "enter")
        await pilot.pause(0.2)
        hint = screen.query_one("#temperature-hint", Static)
        assert hint.has_class("error") and "check" in str(hint.render()).lower()
        assert app.focused is screen.query_one("#document", Input)
        assert screen.query_one("#temperature", Input).value == "36.6"  # nothing lost
        assert rows(store, "SELECT count(*) FROM person") == [(0,)]
        screen.query_one("#document", Input).value = "11010519491231002X"
        screen.query_one("#temperature", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        assert table_rows(app)[0][4] == "张* 110105********002X"
        assert screen.query_one("#name", Input).value == ""
    saved = rows(store, "SELECT name, document_kind, document_number, phone FROM person")
    assert saved == [("张三", "resident-id", "11010519491231002X", "+8613812345678")]


async def test_history_lists_and_finds_people(settings: Settings, store: Store) -> None:
    from checkpoint.tui.screens.history import HistoryScreen

    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        for name in ("张三", "李四"):
            app.screen.query_one("#name", Input).value = name
            app.screen.query_one("#temperature", Input).focus()
            count = len(table_rows(app))
            await pilot.press(*"36.5", "enter")
            await until(pilot, lambda count=count: len(table_rows(app)) == count + 1)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one("#history", DataTable)
        await until(pilot, lambda: table.row_count == 2)
        assert [str(table.get_row_at(i)[2]) for i in range(2)] == ["李*", "张*"]  # newest first
        await pilot.press(*"张")
        await until(pilot, lambda: table.row_count == 1)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))


async def test_a_correction_needs_a_reason_is_checked_and_keeps_the_original(
    settings: Settings, store: Store
) -> None:
    from checkpoint.tui.screens.amend import AmendScreen
    from checkpoint.tui.screens.history import HistoryScreen

    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        app.screen.query_one("#name", Input).value = "张三"
        app.screen.query_one("#temperature", Input).focus()
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        table = history.query_one("#history", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")  # from the search box to the rows
        await pilot.press("enter")  # on the row: its amend screen
        await until(pilot, lambda: isinstance(app.screen, AmendScreen))
        screen = app.screen
        fields = screen.query_one("#amend-fields", Static)
        await until(pilot, lambda: "张*" in str(fields.render()))
        assert screen.query_one("#amend-by", Input).value == "Wang"  # the shift's operator

        def error(name: str) -> str:
            return str(screen.query_one(f"#amend-{name}-error", Static).render())

        # the document field, a wrong check digit: refused beside the value, nothing stored
        screen.query_one("#amend-field", Select).value = AmendField.DOCUMENT
        screen.query_one("#amend-value", Input).focus()
        await pilot.press(*"110105194912310021", "enter", *"typo", "enter")
        await until(pilot, lambda: "check digit" in error("value"))
        assert screen.query_one("#amend-value", Input).value == "110105194912310021"
        # the right number, but no reason: refused beside the reason, the value is kept
        screen.query_one("#amend-value", Input).value = "11010519491231002X"
        screen.query_one("#amend-reason", Input).value = ""
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "needs a reason" in error("reason"))
        assert error("value") == ""
        assert screen.query_one("#amend-value", Input).value == "11010519491231002X"
        assert rows(store, "SELECT count(*) FROM amendment") == [(0,)]
        # with a reason it is stored, and shown beside the original
        screen.query_one("#amend-reason", Input).focus()
        await pilot.press(*"not filled in", "enter")
        await until(pilot, lambda: "110105********002X" in str(fields.render()))
        assert "document: — → 110105********002X" in str(fields.render())
        assert error("reason") == ""
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is history)
        await until(pilot, lambda: str(table.get_row_at(0)[5]) == "✎")
        assert str(table.get_row_at(0)[3]) == "110105********002X"
    saved = rows(store, "SELECT document_number FROM person")
    assert saved == [(None,)]  # the original row as written
    corrections = rows(store, "SELECT field, reason, amended_by FROM amendment ORDER BY seq")
    assert corrections == [
        ("document_kind", "not filled in", "Wang"),
        ("document_number", "not filled in", "Wang"),
    ]
    with store.reading() as session:
        assert walk(session).ok


def _device_measurement(value_c: float) -> Measurement:
    reading = Reading.create(
        value=value_c,
        unit=Unit.CELSIUS,
        site=Site.BODY,
        instrument=Instrument.SERIAL_INFRARED,
        raw="aa55",
        taken_at=datetime.now(UTC),
    )
    return Measurement(reading=reading, stable_by="device", frames=5)


async def test_typing_over_a_measured_value_replaces_it_and_is_recorded_as_typed(
    settings: Settings, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        field = lane.query_one("#temperature", Input)
        app.post_message(MeasurementReceived(_device_measurement(36.5)))
        await until(pilot, lambda: field.value == "36.5")
        await pilot.press(*"36.8")  # the volunteer reads another value: it replaces, not "36.536.8"
        assert field.value == "36.8"
        await pilot.press("enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        # A measurement arriving while a value is being typed leaves the typing alone.
        await pilot.press(*"36")
        app.post_message(MeasurementReceived(_device_measurement(36.4)))
        await pilot.pause(0.1)
        assert field.value == "36"
    assert rows(store, "SELECT value, instrument FROM reading WHERE purpose = 'screening'") == [
        (36.8, "infrared-typed")
    ]


async def test_a_corrected_re_measurement_is_recorded_as_typed(
    tmp_path: Path, store: Store
) -> None:
    app = make_app(ScreeningDesk(store=store, settings=no_rest(tmp_path)), None, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        await pilot.press("ctrl+a")
        await until(pilot, lambda: screen.view is not None and screen.view.state.mask_given)
        field = screen.query_one("#case-temp", Input)
        await pilot.press("ctrl+r")  # the next reading is this person's
        app.post_message(MeasurementReceived(_device_measurement(37.9)))
        await until(pilot, lambda: field.value == "37.9")
        await pilot.press(*"37.4", "enter")  # what the volunteer saw on the handheld
        await until(pilot, lambda: screen.view is not None and screen.view.state.remeasure_compared)
    assert rows(store, "SELECT value, instrument FROM reading WHERE purpose = 'remeasure'") == [
        (37.4, "infrared-typed")
    ]
