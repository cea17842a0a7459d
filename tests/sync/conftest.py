"""A real hub on 127.0.0.1 (uvicorn in a thread or a subprocess), checkpoint logs to sync, and
helpers to compare what the hub holds with what a log has."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn

from checkpoint.hub import db
from checkpoint.hub.app import make_hub_app
from checkpoint.store.engine import Store, open_store
from checkpoint.store.models import LOG_TABLES
from checkpoint.store.sync_state import acked_mark
from tests.store.conftest import Scene, build_scene, make_person, make_reading

CHECKPOINT = "HB-XG-0012"
ENROLLED_AT = datetime(2026, 1, 1, tzinfo=UTC)
"""When the `Hub.enroll` of the tests enrolls a checkpoint (before every log of the tests)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, *, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class Hub:
    """A hub serving on 127.0.0.1:`port` over the database at `url`."""

    url: str
    port: int
    engine: sa.Engine

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def enroll(self, checkpoint_id: str = CHECKPOINT, *, now: datetime = ENROLLED_AT) -> str:
        # Enrolled before the logs' days (November 2026), as a checkpoint is: the hub refuses
        # reports of days before a checkpoint's enrolment and first record.
        return db.enroll(self.engine, checkpoint_id, now=now)

    def held(self, checkpoint_id: str = CHECKPOINT) -> dict[str, tuple[int, str]]:
        """id -> (seq, hash) of every record the hub holds from `checkpoint_id`."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(db.records.c.id, db.records.c.seq, db.records.c.hash).where(
                    db.records.c.checkpoint_id == checkpoint_id
                )
            ).all()
            connection.rollback()
        return {row.id: (row.seq, row.hash) for row in rows}

    def row_count(self) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(sa.select(sa.func.count()).select_from(db.records)).scalar()
            connection.rollback()
        return int(count or 0)


class ThreadedHub:
    """uvicorn serving `app` in a daemon thread until `stop()`."""

    def __init__(self, app: object, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the hub did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def serve_in_thread(url: str, **options: object) -> tuple[Hub, ThreadedHub]:
    engine = db.make_engine(url)
    app = make_hub_app(engine=engine, **options)  # type: ignore[arg-type]
    port = free_port()
    server = ThreadedHub(app, port)
    server.start()
    return Hub(url=url, port=port, engine=engine), server


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    """A hub on an SQLite file, in a thread of this process."""
    served, server = serve_in_thread(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        yield served
    finally:
        server.stop()
        served.engine.dispose()


def start_hub_process(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`checkpoint hub serve` in its own process (so that it can be killed with SIGKILL)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "checkpoint", "hub", "serve", "--db", url),
            *("--host", "127.0.0.1", "--port", str(port)),
        ],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        wait_for_port(port)
    except TimeoutError:
        process.kill()
        raise
    return process


# ------------------------------------------------------------------------------ checkpoint logs


def fill(scene: Scene, people: int, *, per_unit: int = 50) -> None:
    """Screen `people` more people (a person and a reading each), `per_unit` per transaction."""
    from checkpoint.store import records

    done = 0
    while done < people:
        with scene.store.session() as session:
            for _ in range(min(per_unit, people - done)):
                person = make_person(scene.passage, f"旅客{done}")
                reading = make_reading(scene.shift, person, 36.5 + (done % 15) / 10)
                records.record_screening(session=session, person=person, reading=reading)
                done += 1


def make_log(path: Path, people: int = 0) -> Scene:
    scene = build_scene(open_store(path))
    fill(scene, people)
    return scene


def log_records(store: Store) -> dict[str, tuple[int, str]]:
    """id -> (seq, hash) of every record of a local log."""
    found: dict[str, tuple[int, str]] = {}
    with store.reading() as session:
        for record_type in LOG_TABLES:
            query = f"SELECT id, seq, hash FROM {record_type.__tablename__}"
            found.update(
                (row[0], (row[1], row[2])) for row in session.connection().exec_driver_sql(query)
            )
    return found


def mark_of(store: Store, hub: str) -> int:
    with store.reading() as session:
        return acked_mark(session=session, hub=hub)


def assert_mark_not_ahead(store: Store, hub_url: str, hub: Hub) -> int:
    """Every record up to the client's mark is held by the hub, with the same hash."""
    mark = mark_of(store, hub_url)
    held = hub.held()
    local = log_records(store)
    missing = [seq for rid, (seq, h) in local.items() if seq <= mark and held.get(rid) != (seq, h)]
    assert not missing, f"mark {mark} runs ahead of the hub: seqs {sorted(missing)[:10]} missing"
    return mark


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Scene]:
    scene = make_log(tmp_path / "checkpoint" / "checkpoint.db", people=200)
    try:
        yield scene
    finally:
        scene.store.close()


def say_below(hub: Hub, hub_name: str, *codes: str) -> None:
    """What a forward tells `hub` first: `codes` are enrolled at the hub `hub_name` or below."""
    from datetime import UTC, datetime

    from checkpoint.hub.below import BelowCheckpoint, store_below

    at = datetime(2026, 1, 1, tzinfo=UTC)
    store_below(hub.engine, hub_name, [BelowCheckpoint(code=c, enrolled_at=at) for c in codes])


POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
"""The machines' PostgreSQL (`.ci/run` starts it if it is stopped); tests skip without it."""


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh PostgreSQL database of the test's own, dropped after it."""
    name = f"checkpoint_hub_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        POSTGRES_SERVER, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server to use at 127.0.0.1:5432: {error.orig}")
    try:
        yield POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()
