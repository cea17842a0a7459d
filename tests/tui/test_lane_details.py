"""The lane's details: quick and full mode, required fields per checkpoint kind, plate and
risk-area hints, on-foot exits, and co-travellers held while a case is open."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from checkpoint.config import Settings, load_settings
from checkpoint.domain.risk_areas import parse_risk_area_list
from checkpoint.domain.vocabulary import HealthCode, VehicleType
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store, open_store
from checkpoint.tui.app import make_app
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.screens.screening import ScreeningScreen
from tests.tui.test_screening_app import open_shift, rows, table_rows, until

RISK = '[[area]]\nname = "湖北省武汉市"\naliases = ["武汉"]\nlevel = "high"\nfrom = 2020-01-01\n'


def settings_for(tmp_path: Path, **env: str) -> Settings:
    return load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path), **env}).settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


def desk_for(store: Store, settings: Settings) -> ScreeningDesk:
    return ScreeningDesk(
        store=store, settings=settings, risk_areas=parse_risk_area_list(RISK, source="t")
    )


async def test_full_mode_asks_for_the_required_fields_and_keeps_the_temperature(
    tmp_path: Path, store: Store
) -> None:
    settings = settings_for(tmp_path, CHECKPOINT_SCREENING__ENTRY_MODE="full")
    app = make_app(desk_for(store, settings), None, language="en")
    async with app.run_test(size=(100, 34)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        assert lane.query_one("#more").display
        assert lane.query_one("#name", Input).placeholder == "name *"
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.6", "enter")
        await pilot.pause(0.2)
        hint = str(lane.query_one("#temperature-hint", Static).render())
        # road checkpoints require these (config default), named in the volunteer's language
        assert "name, phone, from, symptoms, contact history" in hint
        assert app.focused is lane.query_one("#name", Input)
        assert rows(store, "SELECT count(*) FROM person") == [(0,)]
        await pilot.press(*"张三", "enter", "enter", *"13812345678", "enter", *"武汉", "enter")
        assert app.focused is lane.query_one("#route", Input)
        lane.query_one("#destination", Input).value = "孝感"
        lane.query_one("#contact", Select).value = False
        lane.query_one("#risk-travel", Select).value = False
        lane.query_one("#health-code", Select).value = HealthCode.GREEN
        lane.query_one("#symptom-none", Checkbox).value = True
        # the origin names a listed high-risk area: the lane says so at once
        lane_hint = lane.query_one("#lane-hint", Static)
        assert lane_hint.has_class("error") and "湖北省武汉市" in str(lane_hint.render())
        lane.query_one("#temperature", Input).focus()
        assert lane.query_one("#temperature", Input).value == "36.6"
        await pilot.press("enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        assert table_rows(app)[0][2] == "suspected"  # the risk area opens a case
        assert lane.query_one("#person-origin", Input).value == ""  # cleared for the next
    saved = rows(
        store,
        "SELECT name, origin, destination, health_code, symptoms, contact_history,"
        " risk_area_travel, risk_area_matches FROM person",
    )
    assert [(*row[:-1], json.loads(str(row[-1]))) for row in saved] == [
        ("张三", "武汉", "孝感", "green", "[]", 0, 1, ["湖北省武汉市"])
    ]


async def test_f3_switches_between_quick_and_full(tmp_path: Path, store: Store) -> None:
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="zh-CN")
    async with app.run_test(size=(100, 34)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        assert not lane.query_one("#more").display
        assert "快速" in str(lane.query_one("#mode", Static).render())
        await pilot.press("f3")
        assert lane.query_one("#more").display
        assert "完整" in str(lane.query_one("#mode", Static).render())
        assert lane.query_one("#name", Input).placeholder == "姓名 *"
        await pilot.press("f3", *"36.5", "enter")  # quick again: the measurement and Enter
        await until(pilot, lambda: len(table_rows(app)) == 1)


async def test_a_bad_arrival_time_is_explained_at_its_field(tmp_path: Path, store: Store) -> None:
    settings = settings_for(tmp_path, CHECKPOINT_CHECKPOINT__KIND="village")
    app = make_app(desk_for(store, settings), None, language="en")
    async with app.run_test(size=(100, 34)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        await pilot.press("f3")
        lane.query_one("#arrival", Input).value = "13-45"
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.5", "enter")
        await pilot.pause(0.2)
        hint = str(lane.query_one("#temperature-hint", Static).render())
        assert '"13-45" is not an arrival time' in hint
        assert app.focused is lane.query_one("#arrival", Input)
        assert lane.query_one("#arrival", Input).value == "13-45"
    assert rows(store, "SELECT count(*) FROM person") == [(0,)]


async def test_local_plates_are_told_apart(tmp_path: Path, store: Store) -> None:
    settings = settings_for(tmp_path, CHECKPOINT_CHECKPOINT__LOCAL_PLATES='["鄂K"]')
    app = make_app(desk_for(store, settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        non_local = lane.query_one("#non-local", Checkbox)
        await pilot.press("ctrl+l", *"鄂K12345")
        assert not non_local.value
        assert "local" in str(lane.query_one("#lane-hint", Static).render())
        lane.query_one("#plate", Input).value = "粤B12345"
        await pilot.pause(0.05)
        assert non_local.value
        hint = str(lane.query_one("#lane-hint", Static).render())
        assert "plate of Guangdong" in hint and "non-local" in hint
        assert "Guangdong" in lane.query_one("#origin", Input).placeholder
        await pilot.press("enter", *"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
    assert rows(store, "SELECT plate, non_local, origin FROM vehicle_passage") == [
        ("粤B12345", 1, "广东省")  # canonical, shown in each reader's language
    ]


async def test_a_station_exit_starts_on_foot(tmp_path: Path, store: Store) -> None:
    settings = settings_for(tmp_path, CHECKPOINT_CHECKPOINT__KIND="station")
    app = make_app(desk_for(store, settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        assert lane.query_one("#vehicle-type", Select).value is VehicleType.ON_FOOT
        assert not lane.query_one("#plate", Input).display
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
    assert rows(store, "SELECT vehicle_type, plate FROM vehicle_passage") == [("on-foot", None)]
    assert rows(store, "SELECT role FROM person") == [("pedestrian",)]


async def test_co_travellers_are_shown_held_until_the_case_is_decided(
    tmp_path: Path, store: Store
) -> None:
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        assert table_rows(app)[0][2] == "ok"
        await pilot.press(*"38.2", "enter")
        await until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        await until(pilot, lambda: len(table_rows(app)) == 2)
        assert [row[2] for row in table_rows(app)] == ["held", "FEVER"]
        await pilot.press(*"36.4", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 3)
        assert table_rows(app)[2][2] == "held"
        hint = str(app.screen.query_one("#temperature-hint", Static).render())
        assert "held" in hint
        # the case is decided elsewhere (the follow-up screen is tested on its own)
        desk = app.desk
        case_person = rows(store, "SELECT person_id FROM case_event")[0][0]
        from checkpoint.domain.vocabulary import Disposition
        from checkpoint.screening.follow_up import FollowUp

        follow_up = FollowUp(store=store, rule=desk.fever_rule, clock=lambda: datetime.now(UTC))
        follow_up.decide(
            uuid.UUID(hex=str(case_person)),
            Disposition.RELEASED,
            by="Li",
            note="36.5 axillary after rest",
        )
        await pilot.press("ctrl+o")  # the queue, and back: the lane checks the hold again
        await pilot.pause(0.2)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        await until(pilot, lambda: table_rows(app)[0][2] == "ok")
        assert app.screen.query_one("#occupants", DataTable).row_count == 3


async def test_the_status_bar_counts_records_not_yet_sent(tmp_path: Path, store: Store) -> None:
    from checkpoint.tui.widgets.status_bar import StatusBar

    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="en")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_shift(pilot, app)
        status = app.screen.query_one(StatusBar)
        await until(pilot, lambda: status.counters.unsynced > 0)
        before = status.counters.unsynced
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: status.counters.people == 1)
        # a vehicle, a person and a reading: three more records wait for the hub
        assert status.counters.unsynced == before + 3
        assert f"unsent {before + 3}" in str(status.render())
    (head,) = rows(store, "SELECT seq FROM chain_head")
    assert head == (before + 3,)


async def test_every_key_of_the_lane_is_in_the_command_palette(
    tmp_path: Path, store: Store
) -> None:
    from textual.command import CommandPalette

    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        titles = [command.title for command in app.get_system_commands(lane)]
        for action in ("next vehicle", "disinfected", "turn back", "release", "end shift"):
            assert action in titles
        assert "quick/full" in titles and "中文" in titles
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"disinfected")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is lane)
        hint = lane.query_one("#temperature-hint", Static)
        await until(pilot, lambda: "No vehicle yet" in str(hint.render()))


async def test_a_language_switch_keeps_what_was_chosen(tmp_path: Path, store: Store) -> None:
    from checkpoint.domain.vocabulary import Direction

    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="en")
    async with app.run_test(size=(100, 34)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        lane.query_one("#direction", Select).value = Direction.OUT
        lane.query_one("#vehicle-type", Select).value = VehicleType.TRUCK
        await pilot.press("f3")
        lane.query_one("#health-code", Select).value = HealthCode.YELLOW
        await pilot.press("f2")
        await pilot.pause(0.2)
        assert lane.query_one("#direction", Select).value is Direction.OUT
        assert lane.query_one("#vehicle-type", Select).value is VehicleType.TRUCK
        assert lane.query_one("#health-code", Select).value is HealthCode.YELLOW
        assert lane.query_one("#name", Input).placeholder == "姓名 *"
