"""The ID card reader and the scanner on the lane, through the real serial stack: a card placed
fills the person and Enter saves them (full mode), a card never overwrites a person being typed
without asking, a scanned health-code token goes to its field with the colour given by one key,
and a reader unplugged shows a banner and comes back by itself."""

from __future__ import annotations

import json
import os
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static

from checkpoint.config import Settings, load_settings
from checkpoint.domain.risk_areas import parse_risk_area_list
from checkpoint.domain.vocabulary import HealthCode
from checkpoint.idcard.reader import IdCardReader, IdReaderSettings
from checkpoint.idcard.scenario import CardScript, Nothing
from checkpoint.idcard.simulator import IdCardSimulator
from checkpoint.idcard.source import IdReaderSource
from checkpoint.scanner.reader import ScannerReader
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store, open_store
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.screens.key_choice import KeyChoiceScreen
from checkpoint.tui.screens.screening import ScreeningScreen
from tests.idcard.cards import LI, ZHANG
from tests.tui.test_screening_app import open_shift, rows, table_rows, until

RISK = '[[area]]\nname = "湖北省武汉市"\naliases = ["武汉"]\nlevel = "high"\nfrom = 2020-01-01\n'
TOKEN = "https://jkm.example.gov.cn/v?t=Q2hlY2twb2ludA0x9f3a"
FULL = {
    "CHECKPOINT_SCREENING__ENTRY_MODE": "full",
    "CHECKPOINT_SCREENING__REQUIRED_FIELDS__ROAD": '["name", "document", "origin"]',
}


def settings_for(tmp_path: Path, **env: str) -> Settings:
    return load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path), **env}).settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


@pytest.fixture
def simulator() -> Iterator[IdCardSimulator]:
    """A reader with no card on it until the test lays one there."""
    with IdCardSimulator(CardScript(steps=(Nothing(3600),))) as running:
        yield running


def reader_on(simulator: IdCardSimulator) -> IdReaderSource:
    settings = IdReaderSettings(target=simulator.path, poll_interval_s=0.05)
    return IdReaderSource(IdCardReader(settings), simulator)


def app_with(
    store: Store, settings: Settings, simulator: IdCardSimulator, **kwargs: object
) -> CheckpointApp:
    desk = ScreeningDesk(
        store=store, settings=settings, risk_areas=parse_risk_area_list(RISK, source="t")
    )
    return make_app(desk, None, id_reader=reader_on(simulator), **kwargs)  # type: ignore[arg-type]


def value(app: CheckpointApp, widget_id: str) -> str:
    return app.screen.query_one(f"#{widget_id}", Input).value


async def test_a_card_placed_fills_the_row_and_enter_saves_a_full_mode_person(
    tmp_path: Path, store: Store, simulator: IdCardSimulator
) -> None:
    app = app_with(store, settings_for(tmp_path, **FULL), simulator, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        simulator.place(ZHANG)
        await until(pilot, lambda: value(app, "name") == "张伟")
        assert value(app, "document") == "440305199003070014"
        assert value(app, "person-origin") == "广东省深圳市"
        card_line = str(lane.query_one("#card-line", Static).render())
        assert "male" in card_line and "1990-03-07" in card_line and "Han" in card_line
        phone = lane.query_one("#phone", Input)
        await until(pilot, lambda: app.focused is phone)  # the next field the card lacks
        assert "Filled from the ID card" in str(lane.query_one("#temperature-hint").render())
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.6", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        assert "张*" in table_rows(app)[0][4]  # shown masked, as typed people are
        assert value(app, "name") == ""  # cleared for the next person
    assert rows(store, "SELECT name, document_kind, document_number, origin FROM person") == [
        ("张伟", "resident-id", "440305199003070014", "广东省深圳市")
    ]
    ((sources, token),) = rows(store, "SELECT sources, health_code_token FROM person_source")
    assert json.loads(str(sources)) == {
        "name": "card-reader",
        "document": "card-reader",
        "sex": "card-reader",
        "birth_date": "card-reader",
        "origin": "card-reader",
    }
    assert token is None


async def test_a_corrected_field_is_stored_as_typed_and_the_risk_area_shows_at_once(
    tmp_path: Path, store: Store, simulator: IdCardSimulator
) -> None:
    app = app_with(store, settings_for(tmp_path, **FULL), simulator, language="zh-CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        simulator.place(LI)
        await until(pilot, lambda: value(app, "name") == "李芳")
        hint = lane.query_one("#lane-hint", Static)
        assert hint.has_class("error") and "湖北省武汉市" in str(hint.render())
        card_line = lane.query_one("#card-line", Static)
        assert "女" in str(card_line.render()) and "来自 湖北省武汉市" in str(card_line.render())
        await pilot.press("f2")  # the card's line follows the language
        await until(pilot, lambda: "female" in str(card_line.render()))
        assert "from 湖北省武汉市" in str(card_line.render())
        lane.query_one("#name", Input).value = "李芳芳"  # the volunteer corrects it
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
    ((sources,),) = rows(store, "SELECT sources FROM person_source")
    assert "name" not in json.loads(str(sources))  # typed: not the card's any more
    assert json.loads(str(sources))["document"] == "card-reader"


async def test_a_card_never_overwrites_a_person_being_typed_without_asking(
    tmp_path: Path, store: Store, simulator: IdCardSimulator
) -> None:
    app = app_with(store, settings_for(tmp_path, **FULL), simulator, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        await pilot.press("ctrl+l", "enter")  # from the plate to the person's name
        await until(pilot, lambda: app.focused is not None and app.focused.id == "name")
        await pilot.press(*"王芳", "enter", *"1381")
        simulator.place(ZHANG)
        await until(pilot, lambda: isinstance(app.screen, KeyChoiceScreen))
        assert "Replace what is typed" in str(app.screen.query_one("#key-choice-question").render())
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        assert value(app, "name") == "王芳" and value(app, "document") == "1381"
        simulator.take_away()
        await pilot.pause(0.5)
        simulator.place(ZHANG)  # placed again: asked again, and this time replaced
        await until(pilot, lambda: isinstance(app.screen, KeyChoiceScreen))
        await pilot.press("y")
        await until(pilot, lambda: value(app, "name") == "张伟")
        assert value(app, "document") == "440305199003070014"


async def test_a_scanned_health_code_goes_to_its_field_with_one_key_for_the_colour(
    tmp_path: Path, store: Store, simulator: IdCardSimulator
) -> None:
    master, slave = os.openpty()
    tty.setraw(master)
    scanner = ScannerReader(os.ttyname(slave))
    app = app_with(store, settings_for(tmp_path, **FULL), simulator, scanner=scanner, language="en")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await open_shift(pilot, app)
            lane = app.screen
            simulator.place(ZHANG)
            await until(pilot, lambda: value(app, "name") == "张伟")
            os.write(master, TOKEN.encode() + b"\r\n")
            await until(pilot, lambda: isinstance(app.screen, KeyChoiceScreen))
            question = str(app.screen.query_one("#key-choice-question").render())
            assert "https://…9f3a" in question and "jkm.example" not in question  # masked
            await pilot.press("g")
            await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
            assert lane.query_one("#health-code", Select).value is HealthCode.GREEN
            token_field = lane.query_one("#health-token", Input)
            assert token_field.value == TOKEN and token_field.password  # masked on screen
            await pilot.press(*"36.4", "enter")
            await until(pilot, lambda: len(table_rows(app)) == 1)
            assert "jkm" not in " ".join(table_rows(app)[0])
    finally:
        os.close(master)
        os.close(slave)
    ((sources, token),) = rows(store, "SELECT sources, health_code_token FROM person_source")
    assert token == TOKEN and json.loads(str(sources))["health_code_token"] == "scanner"
    assert rows(store, "SELECT health_code FROM person") == [("green",)]


async def test_a_keyboard_wedge_scan_into_the_token_field_asks_the_colour(
    tmp_path: Path, store: Store, simulator: IdCardSimulator
) -> None:
    app = app_with(store, settings_for(tmp_path, **FULL), simulator, language="zh-CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        lane.query_one("#health-token", Input).focus()
        await pilot.press(*"HC-0042-ABCD", "enter")
        await until(pilot, lambda: isinstance(app.screen, KeyChoiceScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        assert lane.query_one("#health-code", Select).value is HealthCode.YELLOW


async def test_an_unplugged_reader_shows_a_banner_and_comes_back(
    tmp_path: Path, store: Store
) -> None:
    simulator = IdCardSimulator(CardScript(steps=(Nothing(3600),)), link=tmp_path / "reader")
    simulator.start()
    try:
        app = app_with(store, settings_for(tmp_path), simulator, language="en")
        async with app.run_test(size=(120, 40)) as pilot:
            await open_shift(pilot, app)
            banner = app.screen.query_one("#banner", Static)
            await until(pilot, lambda: "ID reader ready" in app.thermometer_text())
            simulator.unplug()
            await until(pilot, lambda: "ID card reader unplugged" in str(banner.render()))
            await pilot.press(*"36.5", "enter")  # typing works meanwhile
            await until(pilot, lambda: len(table_rows(app)) == 1)
            simulator.replug()
            await until(pilot, lambda: "ID card reader" not in str(banner.render()))
            assert "No thermometer configured" in str(banner.render())  # the other line stays
            assert "ID reader" in app.thermometer_text()
            assert "SIMULATED" in app.thermometer_text()
    finally:
        simulator.stop()
