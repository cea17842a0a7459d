"""The client against a real hub on 127.0.0.1: exactly once, resumable, and a mark that never
runs ahead of the hub, also through a proxy that drops, resets, delays, truncates and
duplicates."""

from __future__ import annotations

import gzip
import json
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from checkpoint.store.amendments import amend
from checkpoint.store.models import VehiclePassage
from checkpoint.store.sync_state import held_back, sync_state, unsynced_count
from checkpoint.sync.client import HubClient, SyncError, sync
from checkpoint.wire.records import ReceiptStatus
from tests.store.conftest import Scene
from tests.sync.conftest import (
    CHECKPOINT,
    Hub,
    assert_mark_not_ahead,
    fill,
    log_records,
    make_log,
    mark_of,
    serve_in_thread,
)
from tests.sync.faulty_proxy import FaultyProxy


def _no_sleep(_: float) -> None:
    pass


def test_a_log_reaches_the_hub_once_and_a_second_sync_sends_nothing(log: Scene, hub: Hub) -> None:
    token = hub.enroll()
    seen: list[tuple[int, int]] = []
    with HubClient(hub.address, token) as client:
        first = sync(
            log.store,
            client,
            checkpoint_id=CHECKPOINT,
            batch_size=64,
            progress=lambda *a: seen.append(a),
        )
        again = sync(log.store, client, checkpoint_id=CHECKPOINT)
    local = log_records(log.store)
    assert first.stored == len(local) == 403 and first.duplicates == 0 and not first.rejected
    assert hub.held() == local
    assert first.mark == first.head == 403
    assert seen[-1] == (403, 403) and len(seen) == 7
    assert again.sent == 0 and again.mark == 403
    with log.store.reading() as session:
        assert unsynced_count(session=session, hub=hub.address) == 0
        state = sync_state(session=session, hub=hub.address)
        assert state is not None and state.last_error is None and state.last_success_at
    fill(log, 10)
    with log.store.reading() as session:
        assert unsynced_count(session=session, hub=hub.address) == 20
        assert unsynced_count(session=session) == 20
    with HubClient(hub.address, token) as client:
        more = sync(log.store, client, checkpoint_id=CHECKPOINT)
    assert more.stored == 20 and hub.held() == log_records(log.store)


def test_personal_fields_stay_on_the_laptop_but_a_corrected_plate_travels(
    log: Scene, hub: Hub
) -> None:
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
    import sqlalchemy as sa

    from checkpoint.hub.db import records

    with hub.engine.connect() as connection:
        bodies = [row.body for row in connection.execute(sa.select(records.c.body))]
    text = repr(bodies)
    assert "旅客1" not in text and "11010519491231002X" not in text and "13812345678" not in text
    people = [b for b in bodies if b["table"] == "person"]
    assert people and all(b["personal"] is None and b["personal_digest"] for b in people)
    assert "name" not in people[0]["values"] and people[0]["values"]["origin"] == "湖北省武汉市"
    (amendment,) = [b for b in bodies if b["table"] == "amendment"]
    assert amendment["personal"] == {"new_value": "鄂K54321"}  # JSON, not JSON in a string


def test_a_question_nobody_asked_travels_as_null_and_the_hub_keeps_it(log: Scene, hub: Hub) -> None:
    """A person screened in quick mode was never asked about contact or risk-area travel: the
    hub accepts the record (its hash checks) and holds null, not false."""
    import sqlalchemy as sa

    from checkpoint.hub.db import records
    from checkpoint.store import records as log_rows
    from tests.store.conftest import make_person, make_reading

    unasked = make_person(log.passage, "快速").model_copy(
        update={"risk_area_travel": None, "contact_history": None}
    )
    with log.store.session() as session:
        log_rows.record_screening(
            session=session, person=unasked, reading=make_reading(log.shift, unasked, 36.5)
        )
    with HubClient(hub.address, hub.enroll()) as client:
        done = sync(log.store, client, checkpoint_id=CHECKPOINT)
    assert not done.rejected and hub.held() == log_records(log.store)
    with hub.engine.connect() as connection:
        body = connection.execute(
            sa.select(records.c.body).where(records.c.id == unasked.id.hex)
        ).scalar_one()
    assert body["values"]["risk_area_travel"] is None
    assert body["values"]["contact_history"] is None


def test_a_record_changed_in_the_log_is_held_back_with_its_reason_and_the_rest_goes(
    log: Scene, hub: Hub
) -> None:
    with sqlite3.connect(log.store.path) as raw:
        raw.execute("UPDATE person SET origin = '北京市' WHERE seq = 10")
    with HubClient(hub.address, hub.enroll()) as client:
        result = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=8)
        again = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=8)
    assert [(r.seq, r.table) for r in result.rejected] == [(10, "person")]
    assert "hash" in result.rejected[0].reason
    # The mark moves past it: the rest is not sent again at every sync.
    assert result.mark == 403 and result.stored == 402 and result.held_back == 1
    # Tried again (alone) and still held back; nothing else is sent.
    assert again.mark == 403 and again.sent == 0 and again.held_back == 1
    assert len(hub.held()) == 402
    with log.store.reading() as session:
        held = held_back(session=session, hub=hub.address)
        assert [(h.kind, h.seq, h.table_name) for h in held] == [("record", 10, "person")]
        assert "hash" in held[0].reason
        assert unsynced_count(session=session, hub=hub.address) == 0


def test_the_proxy_breaks_exchanges_yet_the_hub_ends_with_exactly_the_log(
    tmp_path: Path, hub: Hub
) -> None:
    scene = make_log(tmp_path / "checkpoint.db", people=600)
    token = hub.enroll()
    proxy = FaultyProxy(hub.port, seed=6, delay=0.1).start()
    address = f"http://127.0.0.1:{proxy.port}"
    try:
        with HubClient(address, token, timeout=20) as client:
            for _attempt in range(60):
                try:
                    result = sync(
                        scene.store,
                        client,
                        checkpoint_id=CHECKPOINT,
                        batch_size=97,
                        retries=2,
                        sleep=_no_sleep,
                    )
                except SyncError:
                    assert_mark_not_ahead(scene.store, address, hub)
                    continue
                assert_mark_not_ahead(scene.store, address, hub)
                if result.mark == result.head:
                    break
            else:
                pytest.fail("60 syncs through the proxy never completed")
        assert hub.held() == log_records(scene.store)
        assert hub.row_count() == 1203
        assert mark_of(scene.store, address) == 1203
        for fault in (
            "drop_request",
            "reset_mid_body",
            "drop_response",
            "truncate_response",
            "duplicate",
            "delay",
        ):
            assert proxy.seen[fault] > 0, f"{fault} never happened: {proxy.seen}"
    finally:
        proxy.stop()
        scene.store.close()


def test_two_checkpoints_sync_at_once(tmp_path: Path, hub: Hub) -> None:
    scenes = [make_log(tmp_path / name / "checkpoint.db", people=300) for name in ("a", "b")]
    tokens = [hub.enroll("CP-A"), hub.enroll("CP-B")]
    errors: list[BaseException] = []

    def run(scene: Scene, token: str, code: str) -> None:
        try:
            with HubClient(hub.address, token) as client:
                sync(scene.store, client, checkpoint_id=code, batch_size=50)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(s, t, c))
        for s, t, c in zip(scenes, tokens, ("CP-A", "CP-B"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors
        assert hub.held("CP-A") == log_records(scenes[0].store)
        assert hub.held("CP-B") == log_records(scenes[1].store)
    finally:
        for scene in scenes:
            scene.store.close()


def test_receipts_say_duplicate_for_a_resent_batch(log: Scene, hub: Hub) -> None:
    token = hub.enroll()
    with HubClient(hub.address, token) as client:
        sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=100)
    with log.store.session() as session:
        from checkpoint.store.models import SyncState

        state = session.get(SyncState, hub.address)
        assert state is not None
        state.acked_seq = 0  # as if the answers had been lost
        session.add(state)
    with HubClient(hub.address, token) as client:
        again = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=100)
    assert again.stored == 0 and again.duplicates == 403 and again.mark == 403
    assert ReceiptStatus.DUPLICATE.value == "duplicate"


class _RefusingOne(httpx.BaseTransport):
    """Refuses (400) every batch holding seq `refused`, and answers it only once the batch
    holding seq `later` (sent while it was in flight) has been stored by the hub."""

    def __init__(self, refused: int, later: int) -> None:
        self._hub = httpx.HTTPTransport()
        self.refused, self.later = refused, later
        self.later_stored = threading.Event()
        self.refusals = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        seqs: set[int] = set()
        if request.method == "POST":
            records = json.loads(gzip.decompress(request.read()))["records"]
            seqs = {record["seq"] for record in records}
        if self.refused in seqs:
            assert self.later_stored.wait(30), "the next batch was not sent meanwhile"
            self.refusals += 1
            return httpx.Response(400, json={"detail": "refused for the test"})
        response = self._hub.handle_request(request)
        if self.later in seqs and response.status_code == 200:
            self.later_stored.set()  # the hub commits before it answers
        return response

    def close(self) -> None:
        self._hub.close()


def test_a_failed_batch_stops_the_mark_though_a_later_one_was_stored(log: Scene, hub: Hub) -> None:
    transport = _RefusingOne(refused=51, later=101)
    with (
        HubClient(hub.address, hub.enroll(), transport=transport) as client,
        pytest.raises(SyncError, match="refused for the test") as raised,
    ):
        sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=50, in_flight=2)
    held = {seq for seq, _ in hub.held().values()}
    assert set(range(101, 151)) <= held and not held & set(range(51, 101))
    assert transport.refusals == 2  # sent ahead once, then again in its turn
    assert raised.value.summary is not None and raised.value.summary.mark == 50
    assert assert_mark_not_ahead(log.store, hub.address, hub) == 50
    with log.store.reading() as session:
        state = sync_state(session=session, hub=hub.address)
        assert state is not None and state.acked_seq == 50 and state.last_error


def test_batches_too_large_for_the_hub_are_halved_while_others_are_in_flight(
    log: Scene, tmp_path: Path
) -> None:
    small, server = serve_in_thread(f"sqlite:///{tmp_path / 'small.db'}", max_body_bytes=20_000)
    try:
        with HubClient(small.address, small.enroll()) as client:
            result = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=400)
        # What the hub stored of a batch sent after one refused is a duplicate when resent.
        assert result.mark == result.head == 403 and result.sent == 403 and not result.rejected
        assert small.held() == log_records(log.store)
    finally:
        server.stop()
        small.engine.dispose()
