"""Forwarding between real hubs on 127.0.0.1: checkpoint → township → county, each level ends
with everything below it, every record once, after repeated forwards and through a proxy
that breaks exchanges; the parent's mark per checkpoint never runs ahead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from checkpoint.hub import db
from checkpoint.hub.forward import (
    Forwarder,
    ForwardError,
    ForwardSummary,
    forward,
    upstream_mark,
)
from checkpoint.hub.ingest import store_batch
from checkpoint.store.lanes import log_lane
from checkpoint.sync.client import HubClient, sync
from checkpoint.wire.records import WireRecord, encode_batch
from tests.cli.test_init_verify import invoke
from tests.hub.test_hub import payloads
from tests.store.conftest import Scene
from tests.sync.conftest import (
    CHECKPOINT,
    Hub,
    ThreadedHub,
    fill,
    free_port,
    log_records,
    make_log,
    say_below,
    serve_in_thread,
    wait_for_port,
)
from tests.sync.faulty_proxy import FaultyProxy

OTHER = "HB-XG-0013"


def _no_sleep(_: float) -> None:
    pass


@dataclass
class Levels:
    township: Hub
    county: Hub
    hub_token: str
    """The township's token at the county (enrolled as a hub)."""


@pytest.fixture
def levels(tmp_path: Path) -> Iterator[Levels]:
    township, township_server = serve_in_thread(f"sqlite:///{tmp_path / 'township.db'}")
    county, county_server = serve_in_thread(f"sqlite:///{tmp_path / 'county.db'}")
    servers: list[ThreadedHub] = [township_server, county_server]
    try:
        yield Levels(township, county, db.enroll(county.engine, "XG-TOWNSHIP", hub=True))
    finally:
        for server in servers:
            server.stop()
        township.engine.dispose()
        county.engine.dispose()


def lane_of(log: Scene) -> str:
    """The lane id of `log`."""
    with log.store.reading() as session:
        return log_lane(session=session).lane_id


def send_up(log: Scene, hub: Hub, checkpoint_id: str = CHECKPOINT) -> None:
    with HubClient(hub.address, hub.enroll(checkpoint_id)) as client:
        summary = sync(log.store, client, checkpoint_id=checkpoint_id)
    assert not summary.rejected and summary.mark == summary.head


def forward_to(levels: Levels, address: str | None = None, **options: Any) -> ForwardSummary:
    with HubClient(address or levels.county.address, levels.hub_token) as client:
        return forward(levels.township.engine, client, **options)


def test_three_levels_the_county_ends_with_the_checkpoints_records_once(
    log: Scene, levels: Levels
) -> None:
    send_up(log, levels.township)
    first = forward_to(levels, batch_size=64)
    local = log_records(log.store)
    assert first.stored == len(local) == 403 and first.duplicates == 0
    assert first.pending == 0 and first.checkpoints == 1
    assert levels.county.held() == levels.township.held() == local
    mark = upstream_mark(levels.township.engine, levels.county.address, CHECKPOINT, lane_of(log))
    assert mark == 403

    again = forward_to(levels)
    assert again.sent == 0 and again.pending == 0
    fill(log, 10)
    send_up(log, levels.township)
    more = forward_to(levels)
    assert more.stored == 20 and more.duplicates == 0
    assert levels.county.held() == log_records(log.store)
    assert levels.county.row_count() == 423


def test_two_checkpoints_under_one_township(log: Scene, levels: Levels, tmp_path: Path) -> None:
    other = make_log(tmp_path / "other" / "checkpoint.db", people=30)
    try:
        send_up(log, levels.township)
        send_up(other, levels.township, OTHER)
        summary = forward_to(levels, batch_size=100)
        assert summary.checkpoints == 2 and summary.stored == 403 + 63
        assert levels.county.held() == log_records(log.store)
        assert levels.county.held(OTHER) == log_records(other.store)
        assert levels.county.row_count() == 403 + 63
        # A checkpoint that also reaches the county directly sends nothing new there.
        with HubClient(levels.county.address, levels.county.enroll(OTHER)) as client:
            direct = sync(other.store, client, checkpoint_id=OTHER)
        assert direct.stored == 0 and direct.duplicates == 63
    finally:
        other.store.close()


def test_forwarding_through_a_faulty_link_stores_everything_once(
    log: Scene, levels: Levels
) -> None:
    send_up(log, levels.township)
    proxy = FaultyProxy(levels.county.port, seed=6).start()
    try:
        summary = forward_to(
            levels,
            f"http://127.0.0.1:{proxy.port}",
            batch_size=40,
            retries=60,
            sleep=_no_sleep,
        )
    finally:
        proxy.stop()
    assert sum(proxy.seen.values()) > 11 and set(proxy.seen) - {"pass", "delay"}
    assert not summary.rejected
    assert levels.county.held() == log_records(log.store)
    assert levels.county.row_count() == 403


def test_the_parents_mark_stops_at_a_gap_and_moves_once_it_is_filled(
    log: Scene, levels: Levels
) -> None:
    records = [WireRecord.model_validate(p) for p in payloads(log)]
    levels.township.enroll(CHECKPOINT)
    lane = lane_of(log)
    township = levels.township.engine
    store_batch(township, CHECKPOINT, records[:100] + records[150:200], lane_id=lane)
    first = forward_to(levels)
    assert first.stored == 150
    assert upstream_mark(township, levels.county.address, CHECKPOINT, lane) == 100
    assert first.pending == 50
    store_batch(township, CHECKPOINT, records, lane_id=lane)  # the rest arrives, by stick say
    second = forward_to(levels)
    assert second.stored == 403 - 150 and second.duplicates == 50
    assert upstream_mark(township, levels.county.address, CHECKPOINT, lane) == 403
    assert levels.county.held() == log_records(log.store)


def test_only_a_hub_token_may_forward_other_checkpoints_records(log: Scene, levels: Levels) -> None:
    from checkpoint.hub import db

    body = encode_batch(CHECKPOINT, payloads(log)[:3])
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    checkpoint_token = levels.county.enroll(OTHER)
    refused = httpx.post(
        f"{levels.county.address}/v1/batches",
        content=body,
        headers={**headers, "Authorization": f"Bearer {checkpoint_token}"},
    )
    assert refused.status_code == 403 and "cannot act for HB-XG-0012" in refused.json()["detail"]
    forwarded = {**headers, "Authorization": f"Bearer {levels.hub_token}"}
    unsaid = httpx.post(f"{levels.county.address}/v1/batches", content=body, headers=forwarded)
    # A hub's token acts only for the checkpoints it said are below it.
    assert unsaid.status_code == 403 and unsaid.json()["code"] == "not_below"
    status = httpx.get(
        f"{levels.county.address}/v1/checkpoints/{CHECKPOINT}/status", headers=forwarded
    )
    assert status.status_code == 403 and status.json()["code"] == "not_below"
    say_below(levels.county, "XG-TOWNSHIP", CHECKPOINT)
    accepted = httpx.post(
        f"{levels.county.address}/v1/batches",
        content=body,
        headers={**headers, "Authorization": f"Bearer {levels.hub_token}"},
    )
    assert accepted.status_code == 200
    assert [r["status"] for r in accepted.json()["receipts"]] == ["stored"] * 3

    send_up(log, levels.township)
    db.revoke(levels.county.engine, "XG-TOWNSHIP", hub=True)
    with pytest.raises(ForwardError) as caught:
        forward_to(levels, retries=0)
    assert "403" in caught.value.message and "revoked" in caught.value.message
    assert "hub enroll --hub" in caught.value.hint
    assert upstream_mark(levels.township.engine, levels.county.address, CHECKPOINT) == 0


def test_a_serving_hub_forwards_in_the_background(log: Scene, levels: Levels) -> None:
    send_up(log, levels.township)
    lines: list[str] = []
    forwarder = Forwarder(
        levels.township.engine,
        levels.county.address,
        levels.hub_token,
        interval=0.2,
        report=lines.append,
    ).start()
    try:
        deadline = time.monotonic() + 120
        while levels.county.held() != log_records(log.store):
            assert time.monotonic() < deadline, f"nothing forwarded: {lines}"
            time.sleep(0.1)
    finally:
        forwarder.stop()
    assert any("403 stored" in line for line in lines)


def test_hub_forward_and_enroll_hub_on_the_command_line(
    log: Scene, levels: Levels, tmp_path: Path
) -> None:
    send_up(log, levels.township)
    enrolled = invoke(tmp_path, "hub", "enroll", "--hub", "XG-2", "--db", levels.county.url)
    assert enrolled.exit_code == 0 and "hub XG-2" in enrolled.output
    token = enrolled.stdout.strip().splitlines()[-1]
    args = ("hub", "forward", "--upstream", levels.county.address, "--db", levels.township.url)
    done = invoke(tmp_path, *args, "--token", token)
    assert done.exit_code == 0, done.output
    assert "403 stored, 0 already there, 0 rejected, from 1 checkpoint(s); 0 record" in done.output
    assert invoke(tmp_path, *args, "--token", "nope").exit_code == 1
    assert invoke(tmp_path, "hub", "enroll", "--db", levels.county.url).exit_code == 2
    revoked = invoke(tmp_path, "hub", "revoke", "--hub", "XG-2", "--db", levels.county.url)
    assert revoked.exit_code == 0 and "hub XG-2" in revoked.output


def test_hub_serve_with_an_upstream_forwards_what_it_receives(
    log: Scene, levels: Levels, tmp_path: Path
) -> None:
    url, port = f"sqlite:///{tmp_path / 'served.db'}", free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "checkpoint", "hub", "serve", "--db", url),
            *("--host", "127.0.0.1", "--port", str(port)),
            *("--upstream", levels.county.address, "--forward-interval", "1"),
        ],
        stdout=(tmp_path / "served.log").open("ab"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "CHECKPOINT_HUB_UPSTREAM_TOKEN": levels.hub_token},
    )
    try:
        wait_for_port(port)
        township = Hub(url=url, port=port, engine=db.make_engine(url))
        send_up(log, township)
        deadline = time.monotonic() + 120
        while levels.county.held() != log_records(log.store):
            assert process.poll() is None, (tmp_path / "served.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "served.log").read_text()
            time.sleep(0.2)
        township.engine.dispose()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert "forwarding to" in (tmp_path / "served.log").read_text()
