"""A property-based fuzz of the hub's API from its OpenAPI description (schemathesis): whatever
the request, the hub answers with a reason (2xx or 4xx), never a server error (5xx).

The hub runs in-process (ASGI) on an SQLite file with a token enrolled, and the requests carry
that token and, half of the time, its checkpoint's code, so that they get past the token check
into the handlers, the hash check and the insert. Both valid requests (by the schema) and
invalid ones are generated; examples are bounded to keep it short.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from checkpoint.hub import db
from checkpoint.hub.app import make_hub_app
from checkpoint.wire.records import encode_batch
from tests.hub.test_hub import payloads, post, rehash
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub

EXAMPLES = 120
"""Per operation and kind of data; about 30 s in all on a loaded laptop."""


def _own(case: schemathesis.Case, mine: bool) -> None:
    """Point the request at the enrolled checkpoint, so that it reaches the handler."""
    if not mine:
        return
    if case.path_parameters and "checkpoint_id" in case.path_parameters:
        case.path_parameters["checkpoint_id"] = CHECKPOINT
    body: Any = case.body
    if isinstance(body, dict) and "checkpoint_id" in body:
        body["checkpoint_id"] = CHECKPOINT


def test_no_request_makes_the_hub_fail_with_a_server_error(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    token = db.enroll(engine, CHECKPOINT)
    schema = schemathesis.openapi.from_asgi("/openapi.json", make_hub_app(engine=engine))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/v1/batches",
        "/v1/checkpoints/{checkpoint_id}/status",
    }
    try:
        for operation in operations:
            strategy = st.one_of(
                operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
                operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
            )

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy, mine=st.booleans())
            def fuzz(case: schemathesis.Case, mine: bool) -> None:
                _own(case, mine)
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
                )

            fuzz()
    finally:
        engine.dispose()


def test_a_well_hashed_record_with_out_of_range_values_is_refused_not_a_server_error(
    log: Scene, hub: Hub
) -> None:
    """Anyone with a token can hash what they like: values the database cannot hold (a seq
    past 64 bits, an integer past SQLite's) must get a 4xx or a rejection, never a 5xx."""
    token = hub.enroll()
    huge = 2**70
    for change in ({"seq": huge}, {"values": "huge-int"}):
        payload = payloads(log)[-1]
        if "seq" in change:
            payload["seq"] = huge
        else:
            name = next(k for k, v in payload["values"].items() if isinstance(v, int))
            payload["values"][name] = huge
        rehash(payload)
        response = post(hub, encode_batch(CHECKPOINT, [payload]), token)
        assert response.status_code < 500, response.text
