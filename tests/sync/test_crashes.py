"""SIGKILL on either side in the middle of a sync: nothing lost, nothing twice, mark not ahead."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from checkpoint.hub import db
from checkpoint.store.engine import open_store
from checkpoint.sync.client import HubClient, SyncError, sync
from tests.sync.conftest import (
    CHECKPOINT,
    Hub,
    assert_mark_not_ahead,
    free_port,
    log_records,
    make_log,
    mark_of,
    start_hub_process,
)


def _wait_until(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the sync to get going")
        time.sleep(0.01)


def test_hub_killed_mid_sync_then_restarted(tmp_path: Path) -> None:
    url, port = f"sqlite:///{tmp_path / 'hub.db'}", free_port()
    engine = db.make_engine(url)
    hub = Hub(url=url, port=port, engine=engine)
    token = hub.enroll()
    scene = make_log(tmp_path / "cp" / "checkpoint.db", people=3000)
    address = f"http://127.0.0.1:{port}"
    process = start_hub_process(url, port, tmp_path / "hub.log")
    outcome: list[object] = []

    def run() -> None:
        try:
            with HubClient(address, token, timeout=20) as client:
                outcome.append(
                    sync(
                        scene.store,
                        client,
                        checkpoint_id=CHECKPOINT,
                        batch_size=100,
                        retries=1,
                        backoff=0.01,
                    )
                )
        except SyncError as error:
            outcome.append(error)

    try:
        worker = threading.Thread(target=run)
        worker.start()
        _wait_until(lambda: hub.row_count() >= 500)
        process.send_signal(signal.SIGKILL)
        process.wait()
        worker.join(timeout=120)
        assert len(outcome) == 1 and isinstance(outcome[0], SyncError), outcome
        assert "could not be reached" in outcome[0].message
        mark = assert_mark_not_ahead(scene.store, address, hub)
        assert 0 < mark < 6003
        process = start_hub_process(url, port, tmp_path / "hub.log")
        with HubClient(address, token) as client:
            result = sync(scene.store, client, checkpoint_id=CHECKPOINT, batch_size=500)
        assert result.mark == 6003
        assert hub.held() == log_records(scene.store) and hub.row_count() == 6003
    finally:
        process.kill()
        process.wait()
        scene.store.close()
        engine.dispose()


CLIENT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from checkpoint.store.engine import open_store
    from checkpoint.sync.client import HubClient, sync
    with open_store(Path(sys.argv[1])) as store, HubClient(sys.argv[2], sys.argv[3]) as client:
        sync(store, client, checkpoint_id=sys.argv[4], batch_size=50)
    """
)


def test_client_killed_mid_batch_resumes_without_loss_or_double(tmp_path: Path, hub: Hub) -> None:
    path = tmp_path / "cp" / "checkpoint.db"
    make_log(path, people=3000).store.close()
    token = hub.enroll()
    for kill_at in (300, 2500):
        before = hub.row_count()
        client = subprocess.Popen(
            [sys.executable, "-c", CLIENT, str(path), hub.address, token, CHECKPOINT]
        )
        try:
            target = before + kill_at
            _wait_until(
                lambda target=target, client=client: (
                    hub.row_count() >= target or client.poll() is not None
                )
            )
        finally:
            client.send_signal(signal.SIGKILL)
            client.wait()
        with open_store(path) as store:
            assert_mark_not_ahead(store, hub.address, hub)
    with open_store(path) as store:
        assert mark_of(store, hub.address) < 6003 or hub.row_count() == 6003
        with HubClient(hub.address, token) as client:
            result = sync(store, client, checkpoint_id=CHECKPOINT)
        assert result.mark == 6003
        assert hub.held() == log_records(store) and hub.row_count() == 6003
