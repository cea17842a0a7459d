"""The hub holds JSON as JSON: UTF-8 text a LIKE finds, the log's JSON columns as JSON values
(not JSON inside a string), `jsonb` on PostgreSQL; hashes still check, and forward unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.store.amendments import amend
from checkpoint.store.chain import column_names
from checkpoint.store.models import Shift, VehiclePassage
from checkpoint.sync.client import HubClient, sync
from checkpoint.wire.records import WireRecord, check_record, record_payload
from tests.hub.test_hub import payloads
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub


def synced(log: Scene, hub: Hub) -> None:
    with log.store.session() as session:
        passage = session.get(VehiclePassage, log.passage.id)
        assert passage is not None
        amend(
            session=session,
            record=passage,
            field="plate",
            new_value="鄂K54321",
            reason="看错",
            by="王芳",
        )
    with HubClient(hub.address, hub.enroll()) as client:
        sync(log.store, client, checkpoint_id=CHECKPOINT)


def test_json_travels_as_it_always_did(log: Scene) -> None:
    # The log stores ["王芳"]; the wire carries json.dumps's text, which older hubs hash.
    (shift,) = [p for p in payloads(log) if p["table"] == "shift"]
    assert shift["values"]["operators"] == '["\\u738b\\u82b3"]'


def test_the_hub_accepts_json_columns_in_utf8_too(log: Scene) -> None:
    with log.store.reading() as session:
        row = (
            session.connection()
            .exec_driver_sql(f"SELECT {', '.join(column_names(Shift))} FROM shift")
            .one()
        )
    payload = record_payload(Shift, row)
    payload["values"]["operators"] = '["王芳"]'  # as a client storing UTF-8 might send it
    assert check_record(WireRecord.model_validate(payload)) is None
    payload["values"]["operators"] = '["李四"]'
    assert "hash" in (check_record(WireRecord.model_validate(payload)) or "")
    payload["values"]["operators"] = '["王芳"'
    assert "not JSON" in (check_record(WireRecord.model_validate(payload)) or "")


def bodies_where(hub: Hub, condition: str) -> list[Any]:
    with hub.engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT body FROM records WHERE {condition}")).all()
        connection.rollback()
    return [row[0] if not isinstance(row[0], str) else json.loads(row[0]) for row in rows]


def test_an_sqlite_hub_holds_utf8_json_a_like_finds(log: Scene, hub: Hub) -> None:
    synced(log, hub)
    (shift,) = bodies_where(hub, "table_name = 'shift' AND body LIKE '%[\"王芳\"]%'")
    assert shift["values"]["operators"] == ["王芳"]  # a list, not '["王芳"]' in a string
    (amendment,) = bodies_where(hub, "json_extract(body, '$.personal.new_value') = '鄂K54321'")
    assert amendment["values"]["field"] == "plate"


# ----------------------------------------------------------------------------- PostgreSQL


def column_types(engine: sa.Engine) -> set[tuple[str, str]]:
    with engine.connect() as connection:
        found = connection.execute(
            sa.text(
                "SELECT table_name, data_type FROM information_schema.columns "
                "WHERE column_name = 'body' AND table_schema = current_schema()"
            )
        ).all()
    return {(table, kind) for table, kind in found}


@pytest.mark.postgres
def test_a_postgresql_hub_holds_json_columns_as_jsonb(log: Scene, pg_url: str) -> None:
    from tests.sync.conftest import serve_in_thread

    hub, server = serve_in_thread(pg_url)
    try:
        synced(log, hub)
        assert column_types(hub.engine) == {("records", "jsonb"), ("lane_reports", "jsonb")}
        with hub.engine.connect() as connection:
            kind, first = connection.execute(
                sa.text(
                    "SELECT jsonb_typeof(body->'values'->'operators'), "
                    "body->'values'->'operators'->>0 FROM records WHERE table_name = 'shift'"
                )
            ).one()
            found = connection.execute(
                sa.text("SELECT count(*) FROM records WHERE body::text LIKE '%王芳%'")
            ).scalar_one()
        assert (kind, first) == ("array", "王芳")
        assert found > 0
    finally:
        server.stop()
        hub.engine.dispose()


@pytest.mark.postgres
def test_a_postgresql_hub_made_before_is_changed_to_jsonb(pg_url: str) -> None:
    engine = db.make_engine(pg_url)
    with engine.begin() as connection:
        for table in ("records", "lane_reports"):
            connection.exec_driver_sql(f"ALTER TABLE {table} ALTER COLUMN body TYPE json")
        # A body as an older hub held it: the shift's operators as JSON text in a string.
        old_body = {"values": {"operators": json.dumps(["王芳"])}}
        connection.execute(
            sa.text("INSERT INTO records VALUES ('a', 'CP', 'shift', 1, 'h', :body, now())"),
            {"body": json.dumps(old_body)},
        )
    assert column_types(engine) == {("records", "json"), ("lane_reports", "json")}
    engine.dispose()
    engine = db.make_engine(pg_url)  # the hub opens again after the upgrade
    try:
        assert column_types(engine) == {("records", "jsonb"), ("lane_reports", "jsonb")}
        with engine.connect() as connection:
            (body,) = connection.execute(sa.text("SELECT body FROM records")).scalars()
        assert body == {"values": {"operators": '["\\u738b\\u82b3"]'}}  # kept as it was
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_postgresql_hub_refuses_a_nul_character_with_a_reason(log: Scene, pg_url: str) -> None:
    from checkpoint.hub.ingest import store_batch
    from tests.hub.test_hub import rehash

    engine = db.make_engine(pg_url)
    try:
        records = payloads(log)
        (passage,) = [p for p in records if p["table"] == "vehicle_passage"]
        passage["values"]["origin"] = "武汉\x00"  # jsonb cannot hold U+0000 (json could)
        rehash(passage)
        receipts = store_batch(engine, CHECKPOINT, [WireRecord.model_validate(p) for p in records])
        refused = [r for r in receipts if r.status != "stored"]
        assert [r.id for r in refused] == [passage["id"]]
        assert "U+0000" in (refused[0].reason or "")
    finally:
        engine.dispose()
