"""The background sync in the real app, against a real hub (uvicorn) on 127.0.0.1.

Records reach the hub while the lane works; with the hub down the status bar says why and the
lane still saves; once the hub is back the log catches up and nothing is left unsent; a hub that
hangs never holds up a screening. The sync's pace is quickened (`SyncTiming`) so the tests do
not wait for minutes; every wait is a guard against hangs, never a timing assertion.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint.config import Settings, SyncSection, load_settings
from checkpoint.hub import db
from checkpoint.hub.app import make_hub_app
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store, open_store
from checkpoint.sync.background import SyncTiming
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.widgets.status_bar import StatusBar
from tests.sync.conftest import Hub, ThreadedHub, free_port, log_records, serve_in_thread
from tests.sync.faulty_proxy import FaultyProxy
from tests.tui.test_screening_app import open_shift, rows, table_rows, until

QUICK = SyncTiming(debounce_s=0.1, first_backoff_s=0.3, max_backoff_s=1.0, timeout_s=10.0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    served, server = serve_in_thread(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        yield served
    finally:
        server.stop()
        served.engine.dispose()


def settings_for(tmp_path: Path, hub_url: str | None, token: str | None) -> Settings:
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    sync = SyncSection.model_validate({"hub_url": hub_url, "token": token})
    return settings.model_copy(update={"sync": sync})


def app_for(store: Store, settings: Settings, timing: SyncTiming = QUICK) -> CheckpointApp:
    desk = ScreeningDesk(store=store, settings=settings)
    return make_app(desk, None, language="en", sync_timing=timing)


def bar(app: CheckpointApp) -> StatusBar:
    return app.screen.query_one(StatusBar)


async def screen_people(pilot: object, app: CheckpointApp, *values: str) -> None:
    """Type each temperature and wait until its row shows (it is saved by then)."""
    for value in values:
        before = len(table_rows(app))
        await pilot.press(*value, "enter")  # type: ignore[attr-defined]
        await until(pilot, lambda before=before: len(table_rows(app)) == before + 1)


def all_held(store: Store, hub: Hub, checkpoint_id: str) -> bool:
    return hub.held(checkpoint_id) == log_records(store)


async def test_records_reach_the_hub_while_the_lane_works(
    tmp_path: Path, store: Store, hub: Hub
) -> None:
    settings = settings_for(tmp_path, hub.address, None)
    token = hub.enroll(settings.checkpoint.id)
    settings = settings_for(tmp_path, hub.address, token)
    app = app_for(store, settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_shift(pilot, app)
        await screen_people(pilot, app, "36.6", "36.7")
        await until(pilot, lambda: hub.row_count() >= 4)  # the shift and the first screenings
        await screen_people(pilot, app, "36.5")
        status = bar(app)
        await until(
            pilot,
            lambda: all_held(store, hub, settings.checkpoint.id) and status.counters.unsynced == 0,
        )
        await until(pilot, lambda: status.sync.startswith("synced "))
        assert "│  synced" in str(status.render())


async def test_hub_down_the_lane_saves_and_the_log_catches_up_when_it_is_back(
    tmp_path: Path, store: Store
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = db.make_engine(url)
    port = free_port()  # nothing listens there yet
    settings = settings_for(tmp_path, f"http://127.0.0.1:{port}", None)
    token = db.enroll(engine, settings.checkpoint.id)
    settings = settings_for(tmp_path, f"http://127.0.0.1:{port}", token)
    app = app_for(store, settings)
    server: ThreadedHub | None = None
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await open_shift(pilot, app)
            await screen_people(pilot, app, "36.6", "36.8")
            status = bar(app)
            await until(pilot, lambda: "hub unreachable (connection refused)" in status.sync)
            assert "retrying in" in status.sync
            await screen_people(pilot, app, "36.4")  # the lane still saves
            saved = rows(store, "SELECT count(*) FROM reading WHERE purpose = 'screening'")
            assert saved == [(3,)]
            await until(pilot, lambda: status.counters.unsynced > 0)

            server = ThreadedHub(make_hub_app(engine=engine), port)
            server.start()
            hub = Hub(url=url, port=port, engine=engine)
            await until(
                pilot,
                lambda: (
                    all_held(store, hub, settings.checkpoint.id)
                    and status.counters.unsynced == 0
                    and status.sync.startswith("synced ")
                ),
            )
    finally:
        if server is not None:
            server.stop()
        engine.dispose()


async def test_a_hub_that_hangs_never_holds_up_a_screening(
    tmp_path: Path, store: Store, hub: Hub
) -> None:
    proxy = FaultyProxy(hub.port, faults=["hold"]).start()
    address = f"http://127.0.0.1:{proxy.port}"
    settings = settings_for(tmp_path, address, None)
    token = hub.enroll(settings.checkpoint.id)
    settings = settings_for(tmp_path, address, token)
    # A timeout longer than the test: the request stays stuck until the proxy lets it go.
    app = app_for(store, settings, SyncTiming(debounce_s=0.1, first_backoff_s=0.3, timeout_s=120))
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await until(pilot, lambda: proxy.seen["hold"] >= 1)  # the first sync is stuck
            await open_shift(pilot, app)
            await screen_people(pilot, app, "36.6", "36.9", "36.5")
            saved = rows(store, "SELECT count(*) FROM reading WHERE purpose = 'screening'")
            assert saved == [(3,)]
            status = bar(app)
            assert status.sync == "hub: connecting…"
            assert hub.row_count() == 0
            proxy.release()
            await until(
                pilot,
                lambda: (
                    all_held(store, hub, settings.checkpoint.id) and status.counters.unsynced == 0
                ),
            )
    finally:
        proxy.stop()


async def test_without_a_hub_the_status_bar_says_offline(tmp_path: Path, store: Store) -> None:
    app = app_for(store, settings_for(tmp_path, None, None))
    async with app.run_test(size=(140, 30)) as pilot:
        await open_shift(pilot, app)
        status = bar(app)
        assert status.sync == "offline (no hub set)"
        await pilot.press("f2")
        await until(pilot, lambda: status.sync == "离线（未设置上级汇总端）")
