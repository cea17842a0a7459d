"""A hub that trusts nothing it is sent: a token acts for its own checkpoint only, and nothing
one checkpoint's token sends can stand in the way of another checkpoint's records."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import hypothesis.strategies as st
import orjson
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from checkpoint.hub import db
from checkpoint.sync.client import HubClient, sync
from checkpoint.wire.records import encode_batch
from checkpoint.wire.reports import MAX_COUNT
from tests.hub.test_forward_reports import DAY, A
from tests.hub.test_forward_reports import ours as ours  # a daily report's JSON form
from tests.hub.test_hub import payloads, post
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub, log_records
from tests.sync.test_reports_travel import known as known  # the known log, as a fixture

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
            if c.name != "lane_id"  # nor lanes
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
        indexes = {i["name"] for i in inspector.get_indexes("records")}
        assert indexes == {"ix_records_checkpoint_lane_seq"}
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


@pytest.mark.postgres
def test_a_postgresql_hub_from_before_holds_ids_per_checkpoint_once_opened(pg_url: str) -> None:
    _migrates(pg_url)


# ------------------------------------------------------------ bodies the hub cannot use: 4xx


def _send(hub: Hub, token: str, route: str, body: bytes) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if route == "report":
        return httpx.put(
            f"{hub.address}/v1/checkpoints/{A}/reports/{DAY}", content=body, headers=headers
        )
    if route == "below":
        return httpx.put(f"{hub.address}/v1/hubs/checkpoints", content=body, headers=headers)
    return httpx.post(f"{hub.address}/v1/batches", content=body, headers=headers)


def _plain(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data)


UNUSABLE = {
    "NaN": (b'{"x": NaN}', "NaN"),
    "Infinity": (b'{"x": -Infinity}', "Infinity"),
    "1e400": (b'{"x": 1e400}', "out of range"),
    "lone surrogate": (b'{"x": "\\ud800"}', "surrogate"),
    "duplicate keys": (b'{"x": 1, "x": 2}', "twice"),
    "deep nesting": (b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested"),
    "integer past 64 bits": (b'{"x": 99999999999999999999999}', "64-bit"),
    "not UTF-8": (b'{"x": "\xff"}', "UTF-8"),
}


@pytest.mark.parametrize("route", ["batch", "report", "below"])
@pytest.mark.parametrize("name", sorted(UNUSABLE))
def test_a_body_the_hub_cannot_use_is_refused_with_its_reason(
    hub: Hub, route: str, name: str
) -> None:
    token = db.enroll(hub.engine, "XG-TOWNSHIP", hub=True) if route == "below" else hub.enroll(A)
    body, reason = UNUSABLE[name]
    answer = _send(hub, token, route, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "bad_json" and reason in answer.json()["detail"]


def test_counts_beyond_any_plausible_day_are_refused(hub: Hub, ours: dict[str, Any]) -> None:
    token = hub.enroll(A)
    for where in ("new", "cumulative"):
        data = copy.deepcopy(ours)
        data[where]["people"] = MAX_COUNT + 1
        answer = _send(hub, token, "report", _plain(data))
        assert answer.status_code == 422 and answer.json()["code"] == "invalid_body"
    assert _send(hub, token, "report", _plain(ours)).status_code == 200


_NASTY = st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "1e400", '"\\udc00"', "1" * 30, "[" * 3000, "{}", "null"]
)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_mangled_report_or_batch_makes_the_hub_fail(
    hub_for_fuzz: tuple[Hub, str, bytes, bytes], data: st.DataObject
) -> None:
    """A valid report and batch with any of their values swapped for something nasty, a key
    repeated, or cut anywhere: always 2xx or 4xx, never 5xx."""
    hub, token, report, batch = hub_for_fuzz
    route, text = data.draw(st.sampled_from([("report", report), ("batch", batch)]))
    colons = [i for i, c in enumerate(text) if c == ord(":")]
    at = data.draw(st.sampled_from(colons))
    end = data.draw(st.integers(at + 1, min(len(text), at + 40)))
    mangled = text[: at + 1] + data.draw(_NASTY).encode() + text[end:]
    if data.draw(st.booleans()):
        mangled = mangled[: data.draw(st.integers(0, len(mangled)))]
    answer = _send(hub, token, route, mangled)
    assert answer.status_code < 500, (mangled[:300], answer.text)
    assert answer.status_code != 400 or answer.json()["code"] in {"bad_json", "bad_body"}


@pytest.fixture
def hub_for_fuzz(hub: Hub, ours: dict[str, Any], known: Any) -> tuple[Hub, str, bytes, bytes]:
    batch = orjson.dumps({"protocol": 1, "checkpoint_id": A, "records": payloads(known)[:5]})
    return hub, hub.enroll(A), _plain(ours), batch


# ------------------------------------------------------------------ no personal data in reports


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "张三丰"), ("document", "110101199001011234"), ("phone", "+8613812345678")],
)
def test_a_report_with_an_unmasked_name_document_or_phone_is_refused(
    hub: Hub, ours: dict[str, Any], field: str, value: str
) -> None:
    assert ours["cases"], "the known log has fever cases"
    token = hub.enroll(A)
    assert _send(hub, token, "report", _plain(ours)).status_code == 200  # masked as printed
    leaking = copy.deepcopy(ours)
    leaking["cases"][0][field] = value
    answer = _send(hub, token, "report", _plain(leaking))
    assert answer.status_code == 422 and answer.json()["code"] == "unmasked"
    assert field.replace("document", "document number") in answer.json()["detail"]
    with hub.engine.connect() as connection:
        held = connection.execute(sa.select(db.reports.c.body)).scalar_one()
    assert value not in str(held)
