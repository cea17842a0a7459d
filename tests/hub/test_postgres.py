"""The hub on the real PostgreSQL server at 127.0.0.1:5432, in a database made for this run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint.hub import db
from checkpoint.hub.forward import forward, upstream_mark
from checkpoint.hub.imports import import_bundle
from checkpoint.sync.bundle import write_bundle
from checkpoint.sync.client import HubClient, SyncError, sync
from tests.hub.test_forward import lane_of
from tests.store.conftest import Scene
from tests.sync.conftest import (
    CHECKPOINT,
    Hub,
    assert_mark_not_ahead,
    log_records,
    make_log,
    serve_in_thread,
)
from tests.sync.faulty_proxy import FaultyProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_hub(pg_url: str) -> Iterator[Hub]:
    served, server = serve_in_thread(pg_url)
    try:
        yield served
    finally:
        server.stop()
        served.engine.dispose()


def test_postgres_hub_holds_each_record_once_through_faults_and_concurrent_checkpoints(
    tmp_path: Path, pg_hub: Hub
) -> None:
    scenes: list[Scene] = [make_log(tmp_path / n / "checkpoint.db", people=300) for n in "ab"]
    tokens = [pg_hub.enroll(CHECKPOINT), pg_hub.enroll("CP-B")]
    proxy = FaultyProxy(pg_hub.port, seed=11, delay=0.05).start()
    address = f"http://127.0.0.1:{proxy.port}"
    failures: list[BaseException] = []

    def run(scene: Scene, token: str, code: str) -> None:
        try:
            with HubClient(address, token, timeout=20) as client:
                for _ in range(60):
                    try:
                        result = sync(
                            scene.store,
                            client,
                            checkpoint_id=code,
                            batch_size=61,
                            retries=2,
                            sleep=lambda _: None,
                        )
                    except SyncError:
                        continue
                    if result.mark == result.head:
                        return
                raise AssertionError(f"{code} never completed")
        except BaseException as error:
            failures.append(error)

    threads = [
        threading.Thread(target=run, args=(scenes[0], tokens[0], CHECKPOINT)),
        threading.Thread(target=run, args=(scenes[1], tokens[1], "CP-B")),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures, failures
        assert pg_hub.held(CHECKPOINT) == log_records(scenes[0].store)
        assert pg_hub.held("CP-B") == log_records(scenes[1].store)
        assert pg_hub.row_count() == 2 * 603
        assert assert_mark_not_ahead(scenes[0].store, address, pg_hub) == 603
        assert proxy.seen["duplicate"] > 0
    finally:
        proxy.stop()
        for scene in scenes:
            scene.store.close()


def test_a_postgres_township_imports_a_bundle_and_forwards_it_to_its_county(
    log: Scene, pg_hub: Hub, tmp_path: Path
) -> None:
    token = pg_hub.enroll(CHECKPOINT)
    bundle = tmp_path / "log.ckpt.gz"
    write_bundle(log.store, bundle, checkpoint_id=CHECKPOINT, token=token)
    assert import_bundle(pg_hub.engine, bundle).stored == 403
    assert import_bundle(pg_hub.engine, bundle).duplicates == 403
    county, server = serve_in_thread(f"sqlite:///{tmp_path / 'county.db'}")
    try:
        hub_token = db.enroll(county.engine, "XG-TOWNSHIP", hub=True)
        with HubClient(county.address, hub_token) as client:
            first = forward(pg_hub.engine, client, batch_size=100)
            again = forward(pg_hub.engine, client)
        assert first.stored == 403 and first.pending == 0 and again.sent == 0
        assert upstream_mark(pg_hub.engine, county.address, CHECKPOINT, lane_of(log)) == 403
        assert county.held() == pg_hub.held() == log_records(log.store)
    finally:
        server.stop()
        county.engine.dispose()
