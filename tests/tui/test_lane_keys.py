"""Keys on the lane: Enter saves from the person's checkboxes and selects (never ticking or
opening them), on foot from any field; Ctrl+L never goes to a hidden plate; F4 jumps to the
temperature; focus is always visible."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, Input, Select, Static

from checkpoint.store.engine import Store
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.widgets.key_bar import KeyBar
from tests.tui.test_lane_details import desk_for, settings_for, store
from tests.tui.test_screening_app import open_shift, rows, table_rows, until

__all__ = ["store"]  # the fixture, shared with the lane's other tests

NOTHING_REQUIRED = {
    "CHECKPOINT_SCREENING__REQUIRED_FIELDS__ROAD": "[]",
    "CHECKPOINT_SCREENING__REQUIRED_FIELDS__STATION": "[]",
}


def _lane(tmp_path: Path, store: Store, language: str = "en", **env: str) -> CheckpointApp:
    settings = settings_for(tmp_path, **env)
    return make_app(desk_for(store, settings), None, language=language)  # type: ignore[arg-type]


async def test_enter_on_a_symptom_box_saves_the_person_and_does_not_tick_it(
    tmp_path: Path, store: Store
) -> None:
    app = _lane(tmp_path, store, CHECKPOINT_SCREENING__ENTRY_MODE="full", **NOTHING_REQUIRED)
    async with app.run_test(size=(100, 34)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.6")
        cough = lane.query_one("#symptom-cough", Checkbox)
        cough.focus()
        await pilot.press("enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        assert not cough.value
    assert rows(store, "SELECT symptoms FROM person") == [("[]",)]


async def test_enter_on_a_closed_select_saves_and_does_not_open_it(
    tmp_path: Path, store: Store
) -> None:
    app = _lane(tmp_path, store, CHECKPOINT_SCREENING__ENTRY_MODE="full", **NOTHING_REQUIRED)
    async with app.run_test(size=(100, 34)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        health = lane.query_one("#health-code", Select)
        health.focus()
        await pilot.press("enter")  # no temperature yet: the lane says so, at its field
        await pilot.pause(0.1)
        assert not health.expanded
        assert app.focused is lane.query_one("#temperature", Input)
        hint = lane.query_one("#temperature-hint", Static)
        assert hint.has_class("error") and "No temperature" in str(hint.render())
        await pilot.press(*"36.6")
        health.focus()
        await pilot.press("enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        assert not health.expanded
        await pilot.press("space")  # Space still opens the list
        assert health.expanded
    assert rows(store, "SELECT count(*) FROM person") == [(1,)]


async def test_enter_in_the_vehicle_row_moves_on_without_ticking(
    tmp_path: Path, store: Store
) -> None:
    app = _lane(tmp_path, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        non_local = lane.query_one("#non-local", Checkbox)
        non_local.focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.focused is lane.query_one("#temperature", Input))
        assert not non_local.value
        lane.query_one("#vehicle-type", Select).focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.focused is lane.query_one("#temperature", Input))
        assert not lane.query_one("#vehicle-type", Select).expanded


async def test_on_foot_enter_saves_from_any_field_once_there_is_a_temperature(
    tmp_path: Path, store: Store
) -> None:
    env = {"CHECKPOINT_CHECKPOINT__KIND": "station", **NOTHING_REQUIRED}
    app = _lane(tmp_path, store, **env)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        lane.query_one("#name", Input).focus()
        # No temperature yet: Enter moves on as in a vehicle (a scanner's name⏎document⏎).
        await pilot.press(*"Zhang San", "enter")
        assert app.focused is lane.query_one("#document", Input)
        lane.query_one("#temperature", Input).value = "36.6"
        await pilot.press(*"E12345678", "enter")  # a passport, then Enter: saved
        await until(pilot, lambda: len(table_rows(app)) == 1)
    assert rows(store, "SELECT name, document_number, role FROM person") == [
        ("Zhang San", "E12345678", "pedestrian")
    ]


async def test_ctrl_l_on_foot_says_why_and_never_focuses_the_hidden_plate(
    tmp_path: Path, store: Store
) -> None:
    app = _lane(tmp_path, store, CHECKPOINT_CHECKPOINT__KIND="station")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        plate = lane.query_one("#plate", Input)
        await pilot.press("ctrl+l")
        await pilot.pause(0.1)
        assert not plate.display and app.focused is not plate
        assert app.focused is lane.query_one("#vehicle-type", Select)
        assert "no plate" in str(lane.query_one("#temperature-hint", Static).render())
        await pilot.press(*"36.5", "ctrl+n")  # the next group on foot: not the plate either
        await pilot.pause(0.2)
        assert app.focused is lane.query_one("#temperature", Input)


async def test_f4_jumps_to_the_temperature_and_is_shown_in_both_languages(
    tmp_path: Path, store: Store
) -> None:
    app = _lane(tmp_path, store, CHECKPOINT_SCREENING__ENTRY_MODE="full")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        lane.query_one("#destination", Input).focus()
        await pilot.press(*"Xiaogan", "f4")
        await pilot.pause(0.1)
        assert app.focused is lane.query_one("#temperature", Input)
        assert "F4  temperature" in str(lane.query_one(KeyBar).render())
        titles = [command.title for command in app.get_system_commands(lane)]
        assert "temperature" in titles and "save" not in titles
        await pilot.press("f2")
        await pilot.pause(0.1)
        assert "F4  体温" in str(lane.query_one(KeyBar).render())
        assert "体温" in [command.title for command in app.get_system_commands(lane)]


async def test_a_focused_select_is_visibly_focused(tmp_path: Path, store: Store) -> None:
    app = _lane(tmp_path, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        select = lane.query_one("#vehicle-type", Select)
        blurred = select.query_one("SelectCurrent").styles.background
        select.focus()
        await pilot.pause(0.1)
        assert select.query_one("SelectCurrent").styles.background != blurred


def _cells(app: CheckpointApp) -> list[str]:
    """The lines of the screen as the terminal gets them (the compositor's output)."""
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


async def test_the_vehicle_type_list_shows_every_label_at_80x24_in_chinese(
    tmp_path: Path, store: Store
) -> None:
    from checkpoint.domain.vocabulary import VehicleType

    app = _lane(tmp_path, store, language="zh-CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        kind = lane.query_one("#vehicle-type", Select)
        kind.value = VehicleType.BUS
        await pilot.pause(0.1)
        assert " 客车 " in _cells(app)[2]
        kind.focus()
        await pilot.press("space")  # the list, drawn over the person's fields
        await until(pilot, lambda: kind.expanded)
        await pilot.pause(0.1)
        lines = _cells(app)
        for label in ("小客车", "货车", "面包车", "摩托车", "其他", "步行"):
            assert any(label in line for line in lines), label
        assert any("客车" in line and "小客车" not in line for line in lines[3:]), "客车"


async def test_a_required_phone_is_satisfied_by_a_hong_kong_number(
    tmp_path: Path, store: Store
) -> None:
    env = {
        "CHECKPOINT_SCREENING__ENTRY_MODE": "full",
        "CHECKPOINT_SCREENING__REQUIRED_FIELDS__ROAD": '["phone"]',
    }
    app = _lane(tmp_path, store, **env)
    async with app.run_test(size=(100, 34)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        lane.query_one("#phone", Input).focus()
        await pilot.press(*"9123 4567", "f4", *"36.6", "enter")  # without +852: explained
        await pilot.pause(0.2)
        hint = str(lane.query_one("#temperature-hint", Static).render())
        assert "+852" in hint and app.focused is lane.query_one("#phone", Input)
        lane.query_one("#phone", Input).value = "+852 9123 4567"
        await pilot.press("f4", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
    assert rows(store, "SELECT phone FROM person") == [("+85291234567",)]


async def test_a_new_plate_typed_over_a_saved_vehicle_is_a_new_vehicle(
    tmp_path: Path, store: Store
) -> None:
    app = _lane(tmp_path, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        await pilot.press("ctrl+l", *"京A12345", "enter", *"36.6", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        # The next car, without Ctrl+N: its plate typed over the last one's.
        await pilot.press("ctrl+l", "ctrl+u", *"粤BD12345", "enter")
        await until(pilot, lambda: app.focused is lane.query_one("#temperature", Input))
        assert table_rows(app) == []  # the list is the new vehicle's
        assert "New vehicle 粤BD12345" in str(lane.query_one("#temperature-hint").render())
        await pilot.press(*"36.7", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        # Typed over again without Enter on the plate: the save itself starts the new one.
        await pilot.press("ctrl+l", "ctrl+u", *"鄂K55555", "tab")
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.8", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1 and "36.8" in table_rows(app)[0])
    held = rows(
        store,
        "SELECT v.plate, r.value_c FROM person p JOIN vehicle_passage v ON v.id = p.passage_id"
        " JOIN reading r ON r.person_id = p.id ORDER BY r.seq",
    )
    assert held == [("京A12345", 36.6), ("粤BD12345", 36.7), ("鄂K55555", 36.8)]
