"""Three laptops at one checkpoint (three logs, one code, their seqs overlapping), synced to the
township and one of them to the county directly too, the township forwarding in small batches
and interrupted once: every level's figures are the exact sums of the three lanes, and every
record is held once at every level."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.hub.forward import ForwardError, ForwardSummary, forward
from checkpoint.hub.imports import import_bundle
from checkpoint.hub.ingest import store_batch
from checkpoint.hub.reports import FIGURE_NAMES, hub_day_report
from checkpoint.reports.build import day_report
from checkpoint.reports.json_form import to_data
from checkpoint.store.engine import open_store
from checkpoint.store.lanes import log_lane, name_lane
from checkpoint.sync.bundle import write_bundle
from checkpoint.sync.client import HubClient, SyncError, sync
from checkpoint.sync.report_push import send_reports
from checkpoint.wire.records import WireRecord
from tests.hub.test_forward import Levels, forward_to
from tests.hub.test_forward import levels as levels  # the two hubs, as a fixture
from tests.hub.test_hub import payloads
from tests.hub.test_postgres import pg_hub as pg_hub  # a PostgreSQL hub, as a fixture
from tests.reports.conftest import DAY, Log, build_log, report_settings, utc
from tests.sync.conftest import CHECKPOINT, Hub, log_records, serve_in_thread

NOW = utc(26, 6)
LANES = ("进城", "出城", "2号口")


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[list[Log]]:
    logs = []
    try:
        for index, name in enumerate(LANES):
            log = build_log(open_store(tmp_path / f"laptop{index}" / "checkpoint.db"))
            with log.store.session() as session:
                name_lane(session=session, name=name)
            logs.append(log)
        yield logs
    finally:
        for log in logs:
            log.store.close()


def _send(log: Log, hub: Hub, token: str) -> None:
    with HubClient(hub.address, token) as client:
        summary = sync(log.store, client, checkpoint_id=CHECKPOINT)
        assert not summary.rejected and summary.mark == summary.head
        send_reports(log.store, report_settings(), client, now=NOW)


def _expected(laptops: list[Log]) -> dict[str, int]:
    reports = [to_data(day_report(log.store, report_settings(), DAY, now=NOW)) for log in laptops]
    return {name: sum(r["new"][name] for r in reports) for name in FIGURE_NAMES}


def _figures(hub: Hub) -> dict[str, int]:
    report = hub_day_report(hub.engine, DAY, now=NOW)
    (row,) = report.rows
    assert len(row.lanes) == 3 and not row.silent_lanes and not report.omissions
    return {name: getattr(row.new, name) for name in FIGURE_NAMES}


def _three_lanes_upward(laptops: list[Log], township: Hub, county: Hub, hub_token: str) -> None:
    township_token = township.enroll(CHECKPOINT)  # one token, shared by the laptops
    county_token = county.enroll(CHECKPOINT)
    for log in laptops:
        _send(log, township, township_token)
    _send(laptops[2], county, county_token)  # this one reaches the county directly too

    def forward_up(**options: Any) -> ForwardSummary:
        with HubClient(county.address, hub_token) as client:
            return forward(township.engine, client, **options)

    # The county goes away after the first batches: the forward stops, then resumes.
    calls = 0
    original = HubClient.post_batch

    def failing(self: HubClient, body: bytes) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise SyncError("the county went away", status=503)
        return original(self, body)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(HubClient, "post_batch", failing)
        with pytest.raises(ForwardError):
            forward_up(batch_size=7, retries=0)
    summary = forward_up(batch_size=7)
    assert summary.pending == 0 and not summary.rejected
    assert forward_up().sent == 0  # nothing left

    every = {}
    for log in laptops:
        every |= log_records(log.store)
    seqs = [seq for seq, _ in every.values()]
    assert len(seqs) > len(set(seqs))  # the laptops' seqs overlap
    for hub in (township, county):
        assert hub.held() == every
        assert hub.row_count() == len(every)
        assert _figures(hub) == _expected(laptops)


def test_three_lanes_reach_the_county_whole_and_counted_once(
    laptops: list[Log], levels: Levels
) -> None:
    _three_lanes_upward(laptops, levels.township, levels.county, levels.hub_token)


@pytest.mark.postgres
def test_three_lanes_through_a_postgresql_township(
    laptops: list[Log], pg_hub: Hub, tmp_path: Path
) -> None:
    county, server = serve_in_thread(f"sqlite:///{tmp_path / 'county.db'}")
    try:
        hub_token = db.enroll(county.engine, "XG-TOWNSHIP", hub=True)
        _three_lanes_upward(laptops, pg_hub, county, hub_token)
    finally:
        server.stop()
        county.engine.dispose()


def test_records_from_before_lanes_with_repeated_seqs_move_up_whole(
    laptops: list[Log], levels: Levels
) -> None:
    """Two old laptops' records, held at a township from before lanes (no lane): their seqs
    repeat, and still every one reaches the county, an interrupted forward included."""
    levels.township.enroll(CHECKPOINT)
    every = {}
    for log in laptops[:2]:
        records = [WireRecord.model_validate(p) for p in payloads(log)]  # type: ignore[arg-type]
        store_batch(levels.township.engine, CHECKPOINT, records)  # the legacy lane
        every |= log_records(log.store)
    first = forward_to(levels, batch_size=5)
    assert first.pending == 0 and levels.county.held() == every
    assert forward_to(levels).stored == 0


def test_a_bundle_keeps_its_lane_up_to_the_county(
    laptops: list[Log], levels: Levels, tmp_path: Path
) -> None:
    token = levels.township.enroll(CHECKPOINT)
    bundle = tmp_path / "lane.ckpt.gz"
    header = write_bundle(laptops[0].store, bundle, checkpoint_id=CHECKPOINT, token=token)
    with laptops[0].store.reading() as session:
        assert header.lane_id == log_lane(session=session).lane_id
    assert import_bundle(levels.township.engine, bundle).stored == len(
        log_records(laptops[0].store)
    )
    _send(laptops[1], levels.township, token)
    assert forward_to(levels, batch_size=9).pending == 0
    with levels.county.engine.connect() as connection:
        lanes = set(connection.execute(sa.select(db.records.c.lane_id).distinct()).scalars())
    assert header.lane_id in lanes and len(lanes) == 2
