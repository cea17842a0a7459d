"""The hub's API on a real server: who may write, what it refuses and why, and its OpenAPI file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from checkpoint.hub.openapi import PATH, generate
from checkpoint.store.chain import column_names, row_hash
from checkpoint.store.models import LOG_TABLES
from checkpoint.wire.records import TABLES, encode_batch, record_payload
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub, serve_in_thread


def payloads(scene: Scene) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    with scene.store.reading() as session:
        for record_type in LOG_TABLES:
            query = (
                f"SELECT {', '.join(column_names(record_type))} FROM {record_type.__tablename__}"
            )
            found += [
                record_payload(record_type, row)
                for row in session.connection().exec_driver_sql(query)
            ]
    return sorted(found, key=lambda p: p["seq"])


def post(hub: Hub, body: bytes, token: str | None, **headers: str) -> httpx.Response:
    sent = {"Content-Type": "application/json", "Content-Encoding": "gzip", **headers}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return httpx.post(f"{hub.address}/v1/batches", content=body, headers=sent, timeout=60)


def rehash(payload: dict[str, Any]) -> None:
    """Give a changed payload a hash that matches its new content (a forger's best effort)."""
    record_type = TABLES[payload["table"]]
    names = column_names(record_type)
    row = [payload["values"].get(n, payload.get(n)) for n in names]
    payload["hash"] = row_hash(record_type, row, payload["personal_digest"])


def test_tokens_missing_wrong_revoked_or_of_another_checkpoint_are_refused(
    log: Scene, hub: Hub
) -> None:
    body = encode_batch(CHECKPOINT, payloads(log)[:5])
    token, other = hub.enroll(), hub.enroll("CP-OTHER")
    missing = post(hub, body, None)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert post(hub, body, "x" * 43).status_code == 401
    foreign = post(hub, body, other)
    assert foreign.status_code == 403 and "cannot act for HB-XG-0012" in foreign.json()["detail"]
    status = httpx.get(
        f"{hub.address}/v1/checkpoints/{CHECKPOINT}/status",
        headers={"Authorization": f"Bearer {other}"},
    )
    assert status.status_code == 403
    assert post(hub, body, token).status_code == 200
    from checkpoint.hub import db

    db.revoke(hub.engine, CHECKPOINT)
    revoked = post(hub, body, token)
    assert revoked.status_code == 403 and "revoked" in revoked.json()["detail"]
    renewed = hub.enroll()
    assert post(hub, body, token).status_code == 401  # the old token died with the new one
    assert post(hub, body, renewed).status_code == 200
    assert len(hub.held()) == 5 and hub.held("CP-OTHER") == {}


def test_malformed_and_oversized_bodies_get_a_4xx_with_the_reason(
    log: Scene, tmp_path: Path
) -> None:
    small, server = serve_in_thread(f"sqlite:///{tmp_path / 'small.db'}", max_body_bytes=20_000)
    try:
        token = small.enroll()
        records = payloads(log)
        big = post(small, encode_batch(CHECKPOINT, records), token)
        assert big.status_code == 413 and "limit 20000 bytes" in big.json()["detail"]
        bomb = gzip.compress(b'{"records": [' + b" " * 5_000_000 + b"]}")
        assert len(bomb) < 20_000
        expanded = post(small, bomb, token)
        assert expanded.status_code == 413 and "expands" in expanded.json()["detail"]
        declared = post(small, b"x" * 30_000, token, **{"Content-Encoding": "identity"})
        assert declared.status_code == 413
        not_gzip = post(small, b"{}", token)
        assert not_gzip.status_code == 400 and "gzip" in not_gzip.json()["detail"]
        truncated = post(small, encode_batch(CHECKPOINT, records[:3])[:-10], token)
        assert truncated.status_code == 400 and "truncated" in truncated.json()["detail"]
        brotli = post(small, b"{}", token, **{"Content-Encoding": "br"})
        assert brotli.status_code == 415
        not_json = post(small, gzip.compress(b"{nope"), token)
        assert not_json.status_code == 400 and not_json.json()["code"] == "bad_json"
        wrong_shape = post(small, gzip.compress(json.dumps({"records": 3}).encode()), token)
        assert wrong_shape.status_code == 422
        fields = {e["loc"][-1] for e in wrong_shape.json()["detail"]}
        assert {"checkpoint_id", "records"} <= fields
        flawed = dict(records[0], seq=0, values={"code": True})
        bad_record = post(small, encode_batch(CHECKPOINT, [flawed]), token)
        assert bad_record.status_code == 422
        assert small.row_count() == 0
    finally:
        server.stop()
        small.engine.dispose()


def test_altered_forged_or_conflicting_records_are_rejected_and_nothing_is_overwritten(
    log: Scene, hub: Hub
) -> None:
    token = hub.enroll()
    records = payloads(log)[:10]
    assert post(hub, encode_batch(CHECKPOINT, records), token).status_code == 200
    held = hub.held()
    altered = json.loads(json.dumps(records[4]))
    altered["values"]["raw"] = "00"
    conflicting = json.loads(json.dumps(records[3]))
    conflicting["values"]["origin"] = "北京市"
    rehash(conflicting)
    leaking = json.loads(json.dumps(records[3]))
    leaking["id"] = "0" * 32
    leaking["values"]["name"] = "张三"
    unknown = dict(records[5], table="secret_table")
    fresh = json.loads(json.dumps(records[6]))
    fresh["id"], fresh["values"]["raw"] = "1" * 32, "ff"
    rehash(fresh)
    twice = [fresh, fresh]
    batch = [records[2], altered, conflicting, leaking, unknown, *twice]
    answer = post(hub, encode_batch(CHECKPOINT, batch), token).json()["receipts"]
    statuses = [(r["status"], r["reason"]) for r in answer]
    assert statuses[0] == ("duplicate", None)
    assert statuses[1][0] == "rejected" and "hash" in statuses[1][1]
    assert statuses[2][0] == "rejected" and "already held" in statuses[2][1]
    assert statuses[3][0] == "rejected" and "personal fields must not be sent" in statuses[3][1]
    assert statuses[4][0] == "rejected" and "unknown table" in statuses[4][1]
    assert statuses[5:] == [("stored", None), ("duplicate", None)]
    after = hub.held()
    assert {k: after[k] for k in held} == held and len(after) == 11

    other = hub.enroll("CP-OTHER")
    theirs = post(hub, encode_batch("CP-OTHER", [records[0]]), other).json()["receipts"]
    # Held as CP-OTHER's own copy (ids are per checkpoint): HB-XG-0012's stays as it was.
    assert theirs[0]["status"] == "stored" and hub.held() == after


def test_the_committed_openapi_description_is_the_apps(hub: Hub) -> None:
    assert PATH.read_text(encoding="utf-8") == generate(), (
        "the hub's API changed: run python -m checkpoint.hub.openapi and commit the file"
    )
    served = httpx.get(f"{hub.address}/openapi.json").json()
    assert served == json.loads(PATH.read_text(encoding="utf-8"))
    assert set(served["paths"]) == {
        "/v1/batches",
        "/v1/checkpoints/{checkpoint_id}/status",
        "/v1/checkpoints/{checkpoint_id}/held-back",
        "/v1/checkpoints/{checkpoint_id}/reports/{day}",
        "/v1/hubs/checkpoints",
    }


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_of_the_log_can_travel(table: str) -> None:
    assert TABLES[table].__tablename__ == table
