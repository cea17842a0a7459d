"""Every word a volunteer sees is in the chosen language: a walk through every screen in zh-CN
looking for internal codes and Textual's English, and the origin a plate suggests."""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

from textual.command import CommandPalette

from checkpoint.reports.ledger import ledger_rows
from checkpoint.store.engine import Store
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.screens.screening import ScreeningScreen
from tests.tui.test_lane_details import desk_for, settings_for, store
from tests.tui.test_screening_app import fever_follow_up, open_shift, rows, table_rows, until

__all__ = ["store"]  # the fixture

FORBIDDEN = re.compile(
    r"fever|symptom|risk-area|contact|on-foot|PAGEDOWN|PAGEUP|ESCAPE|ENTER|CTRL"
    r"|Quit|theme|Screenshot|Keys|Search for|vehicle"
    # a message key shown as itself: a catalog entry is missing
    r"|\b(?:tui|key|keycap|case|disposition|symptom|thermometer)\.[a-z_]",
)
"""English that must not show on a zh-CN screen: the program's codes, Textual's own words."""


def screen_text(app: CheckpointApp) -> str:
    """What the terminal shows, as text (the SVG screenshot without its markup)."""
    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", "", svg.split("</style>", 1)[-1]))
    return text.replace("\xa0", " ")


def english_on(app: CheckpointApp, where: str) -> list[str]:
    return [f"{where}: {m.group(0)!r}" for m in FORBIDDEN.finditer(screen_text(app))]


async def test_every_screen_in_zh_cn_shows_no_english_codes(tmp_path: Path, store: Store) -> None:
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="zh-CN")
    found: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        found += english_on(app, "shift start")
        await open_shift(pilot, app)
        lane = app.screen
        found += english_on(app, "lane")
        follow_up = await fever_follow_up(pilot, app)
        found += english_on(app, "follow-up")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is lane)
        for key, where in (("ctrl+o", "queue"), ("ctrl+f", "history")):
            await pilot.press(key)
            await until(pilot, lambda: app.screen is not lane)
            await pilot.pause(0.3)
            found += english_on(app, where)
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is lane)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.pause(0.3)
        found += english_on(app, "palette")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is lane)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: app.screen is not lane)
        await pilot.pause(0.5)
        found += english_on(app, "end of shift")
        assert follow_up is not None
    assert not found, "\n".join(found)


async def test_the_palette_speaks_the_language_and_names_keys(tmp_path: Path, store: Store) -> None:
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language="zh-CN")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.screen.is_mounted)
        # the form's screen inherits Textual's own keys: left out, not shown in English
        first = list(app.get_system_commands(app.screen))
        assert [c.title for c in first] == ["English", "退出"]
        assert [c.help for c in first] == ["F2", "Ctrl+Q"]
        await open_shift(pilot, app)
        commands = list(app.get_system_commands(app.screen))
        titles = [c.title for c in commands]
        assert "Quit" not in titles and "Theme" not in titles
        assert "Ctrl+L" in [c.help for c in commands]


async def test_the_origin_a_plate_suggests_is_a_place_in_each_language(
    tmp_path: Path, store: Store
) -> None:
    settings = settings_for(tmp_path)
    app = make_app(desk_for(store, settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        assert isinstance(app.screen, ScreeningScreen)
        await pilot.press("ctrl+l", *"鄂A12345")
        await pilot.pause(0.05)
        assert "Hubei" in app.screen.query_one("#origin").placeholder  # type: ignore[attr-defined]
        await pilot.press("enter", *"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
    assert rows(store, "SELECT origin FROM person") == [("湖北省",)]
    zone = settings.checkpoint.zone
    (taken,) = rows(
        store, "SELECT taken_at FROM reading WHERE purpose = 'screening'"
    )  # the record's day, not today's
    local = datetime.fromisoformat(str(taken[0])).astimezone(zone).date()
    for language, shown in (("en", "Hubei"), ("zh-CN", "湖北省")):
        (row,) = ledger_rows(store, start=local, end=local, zone=zone, language=language)
        assert row.origin == shown
