"""More of the lane's words in the chosen language: a case opened by contact or symptoms alone
says why in words, the next-arrival key says "group" on foot, and the palette's "no matches"."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.align import Align
from rich.text import Text
from textual.command import CommandList
from textual.widgets import Checkbox, Input, Select, Static

from checkpoint.domain.vocabulary import HealthCode, VehicleType
from checkpoint.store.engine import Store
from checkpoint.tui.app import make_app
from checkpoint.tui.screens.palette import Palette
from checkpoint.tui.widgets.key_bar import KeyBar
from tests.tui.test_lane_details import desk_for, settings_for, store
from tests.tui.test_screening_app import open_shift, rows, table_rows, until
from tests.tui.test_words import FORBIDDEN

__all__ = ["store"]  # the fixture


@pytest.mark.parametrize(
    ("language", "contact", "cough", "said"),
    [
        ("en", True, False, "Suspected (Contact with a case): take the person aside"),
        ("en", False, True, "Suspected (Symptoms): take the person aside"),
        ("zh-CN", True, False, "疑似（接触史）：请带到一旁并跟进处置。"),
        ("zh-CN", False, True, "疑似（有症状）：请带到一旁并跟进处置。"),
    ],
)
async def test_a_case_opened_without_a_fever_says_why_in_words(
    tmp_path: Path, store: Store, language: str, contact: bool, cough: bool, said: str
) -> None:
    settings = settings_for(tmp_path, CHECKPOINT_SCREENING__ENTRY_MODE="full")
    app = make_app(desk_for(store, settings), None, language=language)
    async with app.run_test(size=(100, 34)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        for field, value in (
            ("#name", "李四"),
            ("#phone", "13812345678"),
            ("#person-origin", "孝感"),
            ("#destination", "孝感"),
        ):
            lane.query_one(field, Input).value = value
        lane.query_one("#contact", Select).value = contact
        lane.query_one("#risk-travel", Select).value = False
        lane.query_one("#health-code", Select).value = HealthCode.GREEN
        lane.query_one("#symptom-cough" if cough else "#symptom-none", Checkbox).value = True
        lane.query_one("#temperature", Input).focus()
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        hint = str(lane.query_one("#temperature-hint", Static).render())
        assert said in hint
        assert not FORBIDDEN.search(hint) or language == "en"
    assert rows(store, "SELECT kind FROM case_event") == [("opened",)]


@pytest.mark.parametrize(
    ("language", "vehicle", "group"),
    [("en", "next vehicle", "next group"), ("zh-CN", "下一辆车", "下一组")],
)
async def test_the_next_arrival_key_says_group_on_foot(
    tmp_path: Path, store: Store, language: str, vehicle: str, group: str
) -> None:
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language=language)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        keys = lane.query_one(KeyBar)
        assert vehicle in str(keys.render()) and group not in str(keys.render())
        lane.query_one("#vehicle-type", Select).value = VehicleType.ON_FOOT
        await pilot.pause(0.05)
        assert group in str(keys.render()) and vehicle not in str(keys.render())
        titles = [command.title for command in app.get_system_commands(lane)]
        assert group in titles and vehicle not in titles


@pytest.mark.parametrize(
    ("language", "none"), [("en", "No matches found"), ("zh-CN", "没有匹配的命令")]
)
async def test_the_palette_says_no_matches_in_the_language(
    tmp_path: Path, store: Store, language: str, none: str
) -> None:
    app = make_app(desk_for(store, settings_for(tmp_path)), None, language=language)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, Palette))
        await pilot.press(*"qqqqzzzz")

        def shown() -> list[str]:
            options = app.screen.query_one(CommandList)
            prompts = [options.get_option_at_index(i).prompt for i in range(options.option_count)]
            return [
                p.renderable.plain
                for p in prompts
                if isinstance(p, Align) and isinstance(p.renderable, Text)
            ]

        await until(pilot, lambda: shown() == [none])
