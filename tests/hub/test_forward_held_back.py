"""Township → county: a record or daily report the county refuses is held back at the township
and never stalls the forward of the rest; `hub forward` says so and exits 3; each forward tries
it again (real hubs on 127.0.0.1, the county on PostgreSQL where it must refuse a record)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.hub.forward import forward, upstream_mark
from checkpoint.reports.build import day_report
from checkpoint.reports.json_form import to_data
from checkpoint.store.chain import append
from checkpoint.store.engine import open_store
from checkpoint.store.models import VehiclePassageFields
from checkpoint.sync.client import HubClient, sync
from checkpoint.sync.report_push import send_reports
from checkpoint.wire.reports import canonical
from tests.cli.test_init_verify import invoke
from tests.hub.test_forward import lane_of
from tests.reports.conftest import DAY, Log, build_log, report_settings, utc
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub, log_records, serve_in_thread


@pytest.fixture
def township(tmp_path: Path) -> Iterator[Hub]:
    served, server = serve_in_thread(f"sqlite:///{tmp_path / 'township.db'}")
    try:
        yield served
    finally:
        server.stop()
        served.engine.dispose()


def _nul_passage(log: Scene) -> str:
    """A passage whose origin holds U+0000 (pasted into an older version): an SQLite hub keeps
    it, a PostgreSQL one cannot (jsonb). Its id."""
    fields = {k: v for k, v in log.passage.model_dump().items() if k != "id"}
    odd = VehiclePassageFields.model_validate(fields | {"origin": "孝感\x00"})
    with log.store.session() as session:
        append(session, odd)
    return odd.id.hex


def test_a_record_the_county_refuses_is_held_back_and_the_rest_goes_up(
    log: Scene, township: Hub, pg_url: str, tmp_path: Path
) -> None:
    odd = _nul_passage(log)
    log.screen("李四")
    with HubClient(township.address, township.enroll()) as client:
        assert sync(log.store, client, checkpoint_id=CHECKPOINT).held_back == 0
    county, server = serve_in_thread(pg_url)
    try:
        token = db.enroll(county.engine, "XG-TOWNSHIP", hub=True)
        with HubClient(county.address, token) as client:
            first = forward(township.engine, client, batch_size=100)
            again = forward(township.engine, client, batch_size=100)
        held = county.held()
        args = ("hub", "forward", "--upstream", county.address, "--db", township.url)
        english = invoke(tmp_path, *args, "--token", token)
        chinese = invoke(tmp_path, *args, "--token", token, language="zh-CN")
    finally:
        server.stop()
        county.engine.dispose()
    local = log_records(log.store)
    assert [r.record_id for r in first.rejected] == [odd] and "U+0000" in first.rejected[0].reason
    assert set(held) == set(local) - {odd}
    # The mark moved past it: nothing after it is sent again, only it is tried again.
    head = max(seq for seq, _ in local.values())
    mark = upstream_mark(township.engine, county.address, CHECKPOINT, lane_of(log))
    assert mark == head and first.pending == 0
    assert again.sent == 1 and [r.record_id for r in again.rejected] == [odd]
    assert english.exit_code == 3, english.output
    said = " ".join(english.output.split())
    assert "Held back at" in said and "(the rest went on): 1 records, 0 daily reports" in said
    assert f"record {local[odd][0]} ({odd})" in said and "U+0000" in said
    assert chinese.exit_code == 3 and "（其余已照常转发）：记录 1 条，日报告 0 份" in chinese.output


@pytest.fixture
def known(tmp_path: Path) -> Iterator[Log]:
    store = open_store(tmp_path / "checkpoint" / "checkpoint.db")
    try:
        yield build_log(store)
    finally:
        store.close()


def _report_size(log: Log, day: date) -> int:
    data = canonical(to_data(day_report(log.store, report_settings(), day, now=utc(29, 5))))
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def test_a_report_the_county_refuses_is_held_back_and_the_other_days_go_up(
    known: Log, township: Hub, tmp_path: Path
) -> None:
    with HubClient(township.address, township.enroll()) as client:
        sync(known.store, client, checkpoint_id=CHECKPOINT)
        send_reports(known.store, report_settings(), client, now=utc(29, 5))
    days = [date(2026, 11, d) for d in range(23, 29)]
    others = max(_report_size(known, day) for day in days if day != DAY)
    # The county's body limit is under that day's report (its fever cases), over the others'.
    limit = (_report_size(known, DAY) + others) // 2
    county, server = serve_in_thread(f"sqlite:///{tmp_path / 'county.db'}", max_body_bytes=limit)
    try:
        token = db.enroll(county.engine, "XG-TOWNSHIP", hub=True)
        with HubClient(county.address, token) as client:
            first = forward(township.engine, client, batch_size=1)
            again = forward(township.engine, client, batch_size=1)
        with county.engine.connect() as connection:
            held = list(connection.execute(sa.select(db.reports.c.day)).scalars())
    finally:
        server.stop()
        county.engine.dispose()
    assert [(c, day) for c, day, _ in first.reports_rejected] == [(CHECKPOINT, DAY)]
    assert "too large" in first.reports_rejected[0][2]
    assert first.reports_stored == 5 and sorted(held) == [d for d in days if d != DAY]
    assert not first.rejected and first.pending == 0
    assert [day for _, day, _ in again.reports_rejected] == [DAY] and again.reports_stored == 0
    with township.engine.connect() as connection:
        kept = connection.execute(sa.select(db.upstream_held.c.kind, db.upstream_held.c.item)).all()
    assert [tuple(row) for row in kept] == [("report", "2026-11-24")]


def test_a_record_held_back_at_the_laptop_is_a_known_gap_that_never_stalls_forwarding(
    log: Scene, township: Hub, tmp_path: Path
) -> None:
    from tests.sync.test_held_back import _infinite_reading

    bad = _infinite_reading(log)
    with log.store.session() as session:
        append(session, bad)
    log.screen("李四")  # after it
    with HubClient(township.address, township.enroll()) as client:
        sent = sync(log.store, client, checkpoint_id=CHECKPOINT)
        assert sent.held_back == 1
        # The township knows that seq is held back at the laptop, not lost.
        assert client.status(CHECKPOINT).held_back == 1
    county, server = serve_in_thread(f"sqlite:///{tmp_path / 'county.db'}")
    try:
        token = db.enroll(county.engine, "XG-TOWNSHIP", hub=True)
        with HubClient(county.address, token) as client:
            first = forward(township.engine, client, batch_size=50)
            again = forward(township.engine, client, batch_size=50)
        with HubClient(county.address, db.enroll(county.engine, CHECKPOINT)) as client:
            told = client.status(CHECKPOINT)
        held = county.held()
    finally:
        server.stop()
        county.engine.dispose()
    local = log_records(log.store)
    assert set(held) == set(local) - {bad.id.hex}
    # The mark moved past the known gap: the records after it are not sent at every forward.
    mark = upstream_mark(township.engine, county.address, CHECKPOINT, lane_of(log))
    assert mark == max(seq for seq, _ in local.values()) and first.pending == 0
    assert again.sent == 0
    assert told.held_back == 1  # passed on to the county
