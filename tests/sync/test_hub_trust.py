"""A hub that trusts nothing it is sent: a token acts for its own checkpoint only, and nothing
one checkpoint's token sends can stand in the way of another checkpoint's records."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from checkpoint.sync.client import HubClient, sync
from checkpoint.sync.hub import db
from checkpoint.sync.wire import encode_batch
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub, log_records
from tests.sync.test_hub import payloads, post

SQUATTER = "HB-XG-0666"


def test_a_checkpoint_cannot_squat_on_another_checkpoints_record_ids(log: Scene, hub: Hub) -> None:
    # A copy of the owner's log (a lost USB bundle, a sniffed batch) sent first under another
    # code, with that code's own valid token: the hashes match, the ids are the owner's.
    squatted = post(hub, encode_batch(SQUATTER, payloads(log)), hub.enroll(SQUATTER))
    assert squatted.status_code == 200
    with HubClient(hub.address, hub.enroll()) as client:
        summary = sync(log.store, client, checkpoint_id=CHECKPOINT)
    # Every record of the owner is stored as its own: none "a different record with this id".
    assert not summary.rejected and summary.mark == summary.head
    assert hub.held() == log_records(log.store)


def _old_records(metadata: sa.MetaData) -> sa.Table:
    """`records` as hubs made it before ids were held per checkpoint: keyed by id alone."""
    return sa.Table(
        "records",
        metadata,
        *(
            sa.Column(c.name, c.type, primary_key=c.name == "id", nullable=c.nullable)
            for c in db.records.columns
        ),
        sa.Index("ix_records_checkpoint_seq", "checkpoint_id", "seq"),
    )


def _migrates(url: str) -> None:
    old = sa.create_engine(url)
    table = _old_records(sa.MetaData())
    table.create(old)
    row = {
        "id": "a" * 32,
        "checkpoint_id": SQUATTER,
        "table_name": "person",
        "seq": 1,
        "hash": "b" * 64,
        "body": {"kept": "王芳"},
        "received_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    with old.begin() as connection:
        connection.execute(table.insert(), [row])
    old.dispose()
    engine = db.make_engine(url)
    try:
        inspector = sa.inspect(engine)
        assert inspector.get_pk_constraint("records")["constrained_columns"] == [
            "checkpoint_id",
            "id",
        ]
        assert "ix_records_checkpoint_seq" in {i["name"] for i in inspector.get_indexes("records")}
        with engine.begin() as connection:
            # The same id under another checkpoint is a row of its own; what was held stays.
            connection.execute(db.records.insert(), [{**row, "checkpoint_id": CHECKPOINT}])
            held = connection.execute(
                sa.select(db.records.c.checkpoint_id, db.records.c.body).order_by(
                    db.records.c.checkpoint_id
                )
            ).all()
        assert [tuple(r) for r in held] == [
            (CHECKPOINT, {"kept": "王芳"}),
            (SQUATTER, {"kept": "王芳"}),
        ]
        engine.dispose()
        db.make_engine(url).dispose()  # opened again: nothing left to change
    finally:
        engine.dispose()


def test_an_sqlite_hub_from_before_holds_ids_per_checkpoint_once_opened(tmp_path: Path) -> None:
    _migrates(f"sqlite:///{tmp_path / 'hub.db'}")


@pytest.fixture
def pg_url() -> Iterator[str]:
    server = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    name = f"checkpoint_hub_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server to use at 127.0.0.1:5432: {error.orig}")
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.postgres
def test_a_postgresql_hub_from_before_holds_ids_per_checkpoint_once_opened(pg_url: str) -> None:
    _migrates(pg_url)
