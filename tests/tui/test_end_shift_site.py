"""The end-of-shift screen on a site laptop: every lane of the checkpoint beside this one, the
total, and which lanes have not handed in since when (a lane that never did, too)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from checkpoint.config import SiteSection, StorageSection, SyncSection, load_settings
from checkpoint.hub.imports import import_bundle
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.site.hub import open_site
from checkpoint.store.engine import open_store
from checkpoint.store.lanes import log_lane, name_lane
from checkpoint.sync.bundle import write_bundle
from checkpoint.tui.app import make_app
from checkpoint.tui.screens.end_shift import EndShiftScreen
from tests.reports.conftest import build_log
from tests.tui.test_end_shift import shown
from tests.tui.test_screening_app import open_shift, table_rows, until

TOKEN = "the-checkpoint-token-from-the-township"


async def test_the_end_of_shift_screen_shows_every_lane(tmp_path: Path) -> None:
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    settings = settings.model_copy(
        update={
            "checkpoint": settings.checkpoint.model_copy(update={"id": "HB-XG-0012"}),
            "storage": StorageSection(database=tmp_path / "site" / "checkpoint.db"),
            "sync": SyncSection.model_validate({"token": TOKEN}),
            "site": SiteSection(lanes=("出城", "3号口")),
        }
    )
    other = open_store(tmp_path / "other" / "checkpoint.db")
    try:
        build_log(other)
        with other.session() as session:
            name_lane(session=session, name="出城")
        write_bundle(other, tmp_path / "lane.ckpt.gz", checkpoint_id="HB-XG-0012", token=TOKEN)
        with other.reading() as session:
            other_lane = log_lane(session=session).lane_id
    finally:
        other.close()
    site = open_site(settings, create=True)
    assert site is not None
    try:
        assert import_bundle(site.engine, tmp_path / "lane.ckpt.gz").stored > 0
        site.name_lane(other_lane, "出城")
    finally:
        site.close()
    store = open_store(settings.storage.database)
    try:
        app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
        async with app.run_test(size=(120, 40)) as pilot:
            await open_shift(pilot, app)
            await pilot.press(*"36.5", "enter")
            await until(pilot, lambda: len(table_rows(app)) == 1)
            await pilot.press("ctrl+e")
            await until(pilot, lambda: isinstance(app.screen, EndShiftScreen))
            screen = app.screen
            assert isinstance(screen, EndShiftScreen)
            await until(pilot, lambda: screen.report is not None)
            assert screen.report is not None and screen.report.site is not None
            names = [lane.name for lane in screen.report.site.lanes]
            assert names == ["", "3号口", "出城"]
            assert screen.report.site.total_new.people == 1  # the other lane screened no one now
            text = shown(screen.query_one("#end-site", Static))
            assert "All lanes of the checkpoint" in text and "(this laptop)" in text
            assert "出城" in text and "handed in" in text
            assert "Not handed in lately: 3号口 never handed in" in text
    finally:
        store.close()
