"""Where the hub takes orjson's JSON instead of the json module's or pydantic's: its hash check
must judge every record exactly as the canonical JSON of the chain does, and the bodies it
stores must be the records as pydantic writes them."""

from __future__ import annotations

import json
from typing import Any

import hypothesis.strategies as st
import sqlalchemy as sa
from hypothesis import given

from checkpoint.store.chain import values_hash
from checkpoint.store.models import Reading
from checkpoint.sync.client import HubClient, sync
from checkpoint.sync.hub.db import records
from checkpoint.sync.wire import WireRecord, _hash_matches, check_record
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub
from tests.sync.test_hub import payloads, rehash

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


def test_the_hub_stores_each_body_as_pydantic_writes_the_record(log: Scene, hub: Hub) -> None:
    with HubClient(hub.address, hub.enroll()) as client:
        sync(log.store, client, checkpoint_id=CHECKPOINT)
    with hub.engine.connect() as connection:
        stored = {row.id: row.body for row in connection.execute(sa.select(records))}
    sent = [WireRecord.model_validate(p) for p in payloads(log)]
    assert stored == {r.id: json.loads(r.model_dump_json()) for r in sent}
