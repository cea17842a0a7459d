"""The end-of-shift screen: the shift's report from the log with its charts, saved as a PDF or
printed (a missing printer is explained and the PDF kept), then the leader's sign-off."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static
from textual_plotext import PlotextPlot

from checkpoint.config import load_settings
from checkpoint.errors import ReportError
from checkpoint.reports.fonts import find_cjk_font
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store, open_store
from checkpoint.tui.app import make_app
from checkpoint.tui.screens.end_shift import EndShiftScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen
from tests.reports.test_pdf import pdf_text
from tests.tui.test_screening_app import back_from_follow_up, open_shift, rows, table_rows, until


def shown(sheet: Static) -> str:
    """The text of a Static holding rich renderables, as a terminal would show it."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(sheet.content)
    return console.export_text()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


@pytest.fixture
def font() -> Path:
    try:
        return find_cjk_font(None).path
    except ReportError as error:
        pytest.skip(f"no CJK font for the PDF ({error.message}); .ci/run installs one")


async def test_the_report_is_shown_with_charts_and_saved_as_a_pdf(
    tmp_path: Path, store: Store, font: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(
        None, env={"CHECKPOINT_HOME": str(tmp_path), "CHECKPOINT_REPORTS__FONT": str(font)}
    ).settings
    monkeypatch.setenv("CHECKPOINT_HOME", str(tmp_path))  # the reports folder of deliver_pdf
    monkeypatch.setenv("PATH", str(tmp_path / "no-printer-here"))  # no lp: printing explained
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_shift(pilot, app)
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press(*"38.1", "enter")
        await back_from_follow_up(pilot, app)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, EndShiftScreen))
        screen = app.screen
        assert isinstance(screen, EndShiftScreen)
        await until(pilot, lambda: screen.report is not None)
        assert screen.report is not None and screen.report.new.people == 2
        assert screen.report.new.at_or_over == 1
        sheet = screen.query_one("#end-sheet", Static)
        assert "38.1" in shown(sheet)  # the fever case is listed
        hours = screen.query_one("#chart-hours", PlotextPlot)
        assert "People per hour" in str(hours.plt.build())
        hint = screen.query_one("#end-hint", Static)
        await pilot.press("f6")
        await until(pilot, lambda: ".pdf" in str(hint.render()))
        saved = sorted((tmp_path / "reports").glob("*.pdf"))
        assert len(saved) == 1 and saved[0].read_bytes().startswith(b"%PDF")
        await pilot.press("f5")
        await until(pilot, lambda: hint.has_class("error"))
        text = str(hint.render())
        assert "lp" in text and ".pdf" in text  # what is missing, and where the PDF is


async def test_the_sheet_follows_the_language(tmp_path: Path, store: Store) -> None:
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="zh-CN")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_shift(pilot, app)
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, EndShiftScreen))
        screen = app.screen
        assert isinstance(screen, EndShiftScreen)
        await until(pilot, lambda: screen.report is not None)
        sheet = screen.query_one("#end-sheet", Static)
        assert "未发现体温异常人员" in shown(sheet)
        await pilot.press("f2")
        await until(pilot, lambda: "No person at or above" in shown(sheet))


async def test_signing_off_over_open_cases_names_them_and_asks_again(
    tmp_path: Path, store: Store
) -> None:
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_shift(pilot, app)
        await pilot.press(*"38.6", "enter")
        await back_from_follow_up(pilot, app)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, EndShiftScreen))
        screen = app.screen
        assert isinstance(screen, EndShiftScreen)
        warning = screen.query_one("#end-open", Static)
        await until(pilot, lambda: warning.display and "38.6" in str(warning.render()))
        await pilot.press(*"one case open", "enter", *"Li", "enter")
        hint = screen.query_one("#end-hint", Static)
        await until(pilot, lambda: "Press Enter again" in str(hint.render()))
        text = str(hint.render())
        assert "1 case(s) still open" in text and "38.6 ℃" in text
        assert rows(store, "SELECT count(*) FROM shift_closure") == [(0,)]  # not signed yet
        await pilot.press("enter")  # signed anyway
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
    assert rows(store, "SELECT closed_by, handover_note FROM shift_closure") == [
        ("Li", "one case open")
    ]


async def test_the_next_shift_reads_the_handover_note(tmp_path: Path, store: Store) -> None:
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_shift(pilot, app)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, EndShiftScreen))
        await pilot.press(*"barrier 2 is broken", "enter", *"Li", "enter")
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        note = app.screen.query_one("#handover", Static)
        await until(pilot, lambda: note.display and "barrier 2 is broken" in str(note.render()))
        assert "leader Li" in str(note.render())
    # The next morning, a new start of the program: the form shows it too, in Chinese.
    again = make_app(ScreeningDesk(store=store, settings=settings), None, language="zh-CN")
    async with again.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(again.screen, ShiftStartScreen))
        note = again.screen.query_one("#handover", Static)
        await until(pilot, lambda: note.display and "上一班交接事项" in str(note.render()))
        assert "barrier 2 is broken" in str(note.render())
        await open_shift(pilot, again)  # opening the shift is reading it: the form goes


async def test_the_pdf_is_saved_after_the_sign_off_with_the_note(
    tmp_path: Path, store: Store, font: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(
        None,
        env={
            "CHECKPOINT_HOME": str(tmp_path),
            "CHECKPOINT_REPORTS__FONT": str(font),
            "CHECKPOINT_REPORTS__LANGUAGE": "en",
        },
    ).settings
    monkeypatch.setenv("CHECKPOINT_HOME", str(tmp_path))  # the reports folder of deliver_pdf
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_shift(pilot, app)
        await pilot.press(*"36.5", "enter")
        await until(pilot, lambda: len(table_rows(app)) == 1)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, EndShiftScreen))
        await pilot.press(*"gate light out", "enter", *"Li", "enter")
        await until(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
    saved = sorted((tmp_path / "reports").glob("*.pdf"))
    assert len(saved) == 1  # saved by the sign-off itself (F6 was never pressed)
    text = pdf_text(saved[0].read_bytes())
    assert "gatelightout" in text and "SignedoffinthelogbyLi" in text
