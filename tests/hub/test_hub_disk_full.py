"""A hub whose disk is full answers 503 saying so; the checkpoint says the hub's disk is full
(not that it could not be reached), loses nothing, and its mark does not move.

The full disk is SQLite's `max_page_count`: the hub's file may not grow by one page."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from checkpoint.hub import db
from checkpoint.hub.app import make_hub_app
from checkpoint.hub.disk_full import is_disk_full
from checkpoint.store.sync_state import unsynced_count
from checkpoint.sync.client import HubClient, Problem, SyncError, sync
from checkpoint.wire import DISK_FULL, PROBLEM_HEADER
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub, ThreadedHub, free_port


@pytest.fixture
def full_hub(tmp_path: Path) -> Iterator[Hub]:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = db.make_engine(url)
    with engine.connect() as connection:
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar() or 0)
        connection.rollback()

    def no_room(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", no_room)
    engine.dispose()  # connections opened before the limit are gone
    port = free_port()
    server = ThreadedHub(make_hub_app(engine=engine), port)
    server.start()
    try:
        yield Hub(url=url, port=port, engine=engine)
    finally:
        server.stop()
        engine.dispose()


def _no_sleep(_: float) -> None:
    pass


def test_the_hub_answers_503_disk_full(full_hub: Hub, log: Scene) -> None:
    token = full_hub.enroll()  # enrolling fits in the pages already there
    with pytest.raises(SyncError) as caught, HubClient(full_hub.address, token) as client:
        sync(log.store, client, checkpoint_id=CHECKPOINT, retries=2, sleep=_no_sleep)
    error = caught.value
    assert error.problem is Problem.HUB_FULL and error.status == 503
    message, hint = error.text("en")
    assert "disk is full" in message and "could not be reached" not in message
    assert "Nothing is lost" in hint
    assert "磁盘已满" in error.text("zh-CN")[0]
    assert full_hub.row_count() == 0
    with log.store.reading() as session:
        assert unsynced_count(session=session, hub=full_hub.address) == 403  # the mark stayed


class _Recording(httpx.HTTPTransport):
    """The real transport, keeping each response's status and headers."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[int, httpx.Headers]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.answers.append((response.status_code, response.headers))
        return response


def test_the_answer_is_503_with_the_problem_named(full_hub: Hub, log: Scene) -> None:
    token = full_hub.enroll()
    transport = _Recording()
    with (
        HubClient(full_hub.address, token, transport=transport) as client,
        pytest.raises(SyncError),
    ):
        sync(log.store, client, checkpoint_id=CHECKPOINT, retries=0, sleep=_no_sleep)
    refused = [headers for status, headers in transport.answers if status == 503]
    assert refused and all(h[PROBLEM_HEADER] == DISK_FULL for h in refused)
    assert all(int(h["Retry-After"]) > 0 for h in refused)
    assert all(status in (200, 503) for status, _ in transport.answers)  # never a bare 500


def test_disk_full_is_recognised_through_its_causes() -> None:
    full = sqlite3.OperationalError("database or disk is full")
    assert is_disk_full(sa.exc.OperationalError("INSERT", {}, full))
    assert is_disk_full(full)
    assert is_disk_full(OSError(28, "No space left on device"))
    locked = sqlite3.OperationalError("database is locked")
    assert not is_disk_full(sa.exc.OperationalError("INSERT", {}, locked))


def test_hub_import_on_a_full_disk_says_so(
    tmp_path: Path, log: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checkpoint.sync.bundle import write_bundle
    from tests.cli.test_init_verify import invoke

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = db.make_engine(url)
    token = db.enroll(engine, CHECKPOINT)
    engine.dispose()
    bundle = tmp_path / "log.ckpt.gz"
    write_bundle(log.store, bundle, checkpoint_id=CHECKPOINT, token=token)
    make_engine = db.make_engine

    def full(url: str) -> sa.Engine:
        made = make_engine(url)
        with made.connect() as connection:
            pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar() or 0)
            connection.rollback()
        event.listen(made, "connect", lambda c, _r: c.execute(f"PRAGMA max_page_count = {pages}"))
        made.dispose()
        return made

    monkeypatch.setattr(db, "make_engine", full)
    result = invoke(tmp_path / "home", "hub", "import", str(bundle), "--db", url)
    assert result.exit_code == 1, result.output
    assert "is full: the import stopped" in result.output
    assert "import the same bundle again" in result.output
    assert "Traceback" not in result.output
