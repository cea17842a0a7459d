"""A hub whose disk is full is named so in the status bar, not "hub unreachable"."""

from __future__ import annotations

from pathlib import Path

from checkpoint.store.engine import Store
from tests.hub.test_hub_disk_full import full_hub  # noqa: F401  (fixture)
from tests.sync.conftest import Hub
from tests.tui.test_background_sync import app_for, bar, screen_people, settings_for, store  # noqa: F401
from tests.tui.test_screening_app import open_shift, until


async def test_the_status_bar_says_the_hubs_disk_is_full(
    tmp_path: Path,
    store: Store,  # noqa: F811
    full_hub: Hub,  # noqa: F811
) -> None:
    settings = settings_for(tmp_path, full_hub.address, None)
    token = full_hub.enroll(settings.checkpoint.id)
    app = app_for(store, settings_for(tmp_path, full_hub.address, token))
    async with app.run_test(size=(140, 30)) as pilot:
        await open_shift(pilot, app)
        await screen_people(pilot, app, "36.6")
        status = bar(app)
        await until(pilot, lambda: "hub's disk is full" in status.sync)
        assert "unreachable" not in status.sync
