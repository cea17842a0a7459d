"""Where the wire's JSON is written or read by orjson instead of the json module or pydantic:
the hub's hash check must judge every record exactly as the canonical JSON of the chain does,
the bodies it stores must be the records as pydantic writes them, a batch encoded from log rows
must be the batch `encode_batch` makes, and a hub's answer read without pydantic must still be
refused when it is damaged or answers other records."""

from __future__ import annotations

import gzip
import json
from typing import Annotated, Any

import httpx
import hypothesis.strategies as st
import orjson
import pytest
import sqlalchemy as sa
from hypothesis import given
from pydantic import AllowInfNan, Field, Strict, TypeAdapter, ValidationError

from checkpoint.hub.db import records
from checkpoint.store.chain import values_hash
from checkpoint.store.models import Reading
from checkpoint.store.sync_state import rows_between
from checkpoint.sync.client import Answers, Cause, HubClient, SyncError, post_checked, sync
from checkpoint.wire.records import (
    FiniteScalar,
    ReceiptStatus,
    WireRecord,
    _hash_matches,
    check_record,
    encode_batch,
    encode_log_rows,
    hub_body,
    record_payload,
    wire_body,
)
from tests.hub.test_hub import payloads, post, rehash
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub

scalars = st.one_of(
    st.none(),
    st.text(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-05, 2.5e-07, 1e-4, 1e16, 1e15, -0.0, 0.1 + 0.2, 5e-324]),
)


@given(values=st.lists(scalars, max_size=25), digest=st.none() | st.just("ab" * 32))
def test_the_quick_hash_check_agrees_with_the_canonical_hash(
    values: list[Any], digest: str | None
) -> None:
    expected = values_hash(Reading, values, digest)
    assert _hash_matches(Reading, values, digest, expected)
    assert not _hash_matches(Reading, [*values, 0], digest, expected)
    assert not _hash_matches(Reading, values, digest, values_hash(Reading, [*values, None], digest))


def test_a_record_whose_values_orjson_writes_otherwise_is_still_accepted(log: Scene) -> None:
    """1e-05 is `0.00001` to orjson and `1e-05` to the json module the chain hashes with."""
    reading = next(p for p in payloads(log) if p["table"] == "reading")
    reading["values"]["ambient_c"] = 1e-05
    rehash(reading)
    assert check_record(WireRecord.model_validate(reading)) is None
    reading["values"]["ambient_c"] = 2e-05
    assert "hash" in (check_record(WireRecord.model_validate(reading)) or "")


def test_the_hub_stores_each_body_as_the_record_with_json_columns_as_json(
    log: Scene, hub: Hub
) -> None:
    with HubClient(hub.address, hub.enroll()) as client:
        sync(log.store, client, checkpoint_id=CHECKPOINT)
    with hub.engine.connect() as connection:
        stored = {row.id: row.body for row in connection.execute(sa.select(records))}
    sent = [WireRecord.model_validate(p) for p in payloads(log)]
    assert stored == {r.id: json.loads(json.dumps(hub_body(r))) for r in sent}
    # and back in the wire form, exactly, to be forwarded
    assert {i: wire_body(body) for i, body in stored.items()} == {
        r.id: r.model_dump() for r in sent
    }


def test_log_rows_are_encoded_as_encode_batch_encodes_their_wire_forms(log: Scene) -> None:
    """`encode_log_rows` writes the records a chunk at a time: the body is the same, byte for
    byte, for a batch shorter and longer than a chunk, and for none."""
    with log.store.reading() as session:
        rows = list(rows_between(session=session, first=1, last=403))
    assert len(rows) == 403
    for some in (rows, rows[:7], []):
        encoded = encode_log_rows(CHECKPOINT, some)
        payloads = [record_payload(record_type, row) for record_type, row in some]
        assert encoded.body == encode_batch(CHECKPOINT, payloads)
        assert encoded.sent == [(p["id"], p["seq"]) for p in payloads]
        assert encoded.tables == [p["table"] for p in payloads]


@pytest.mark.parametrize(
    "answer",
    [
        b'{"checkpoint_id":"HB-XG-0012","receipts":[{"id":"a","seq":1,"status":"kept"}]}',
        b'{"checkpoint_id":"HB-XG-0012","receipts":[{"id":"a","seq":"1","status":"stored"}]}',
        b'{"checkpoint_id":"HB-XG-0012","receipts":[["a",1,"stored"]]}',
        b'{"checkpoint_id":"HB-XG-0012","receipts":{}}',
        b'{"checkpoint_id":"HB-XG-0012","receipts":[{"id":"a","seq":1,"status":"stored"',
        b"[]",
    ],
)
def test_a_damaged_answer_is_retried_then_reported_never_marked(answer: bytes) -> None:
    calls: list[int] = []

    def hub(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, content=answer)

    client = HubClient("http://hub.test", "t", transport=httpx.MockTransport(hub))
    with pytest.raises(SyncError, match="incomplete or damaged") as raised:
        post_checked(client, b"", [("a", 1)], retries=2, backoff=0, sleep=lambda _: None)
    assert raised.value.cause is Cause.DAMAGED and len(calls) == 3


def _answering(answer: bytes) -> HubClient:
    return HubClient(
        "http://hub.test",
        "t",
        transport=httpx.MockTransport(lambda _: httpx.Response(200, content=answer)),
    )


def test_receipts_for_other_records_stop_the_sync() -> None:
    other = b'{"checkpoint_id":"X","receipts":[{"id":"b","seq":1,"status":"stored"}]}'
    with pytest.raises(SyncError, match="do not match the batch sent"):
        post_checked(_answering(other), b"", [("a", 1)], retries=2, backoff=0, sleep=lambda _: None)
    ours = b'{"checkpoint_id":"X","receipts":[{"id":"a","seq":1,"status":"rejected","reason":"r"}]}'
    answers = post_checked(
        _answering(ours), b"", [("a", 1)], retries=2, backoff=0, sleep=lambda _: None
    )
    assert answers == Answers([ReceiptStatus.REJECTED], ["r"])


SMART = (
    Annotated[str, Strict()]
    | Annotated[int, Strict(), Field(ge=-(2**63), le=2**63 - 1)]
    | Annotated[float, Strict(), AllowInfNan(False)]
    | None
)
"""`FiniteScalar` as it was, before its union took the first kind that fits."""


@pytest.mark.parametrize(
    "value",
    [
        *("1", "-0", "1.0", "1e5", "1E400", "2e-5", "36.8", "1234567890123456789012345.5"),
        *(str(2**63), str(2**63 - 1), str(-(2**63) - 1)),
        *('"x"', "null", "true", "[]", "{}", "NaN"),
    ],
)
def test_a_value_is_read_as_the_smart_union_reads_it(value: str) -> None:
    def read(kind: Any) -> tuple[str, str]:
        try:
            found = TypeAdapter(kind).validate_json(value)
        except ValidationError:
            return "refused", ""
        return type(found).__name__, repr(found)

    assert read(FiniteScalar) == read(SMART)


def test_half_a_surrogate_pair_in_a_value_is_refused_not_a_server_error(
    log: Scene, hub: Hub
) -> None:
    """JSON can escape half of a UTF-16 pair; such text cannot be hashed (nor come from a log)."""
    reading = next(p for p in payloads(log) if p["table"] == "reading")
    reading["values"]["raw"] = "SURROGATE"
    text = orjson.dumps({"protocol": 1, "checkpoint_id": CHECKPOINT, "records": [reading]})
    body = gzip.compress(text.replace(b"SURROGATE", b"\\ud800"))
    response = post(hub, body, hub.enroll())
    # No client writes one (orjson refuses to): the body is refused whole, with the reason.
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad_json" and "surrogate" in response.json()["detail"]
