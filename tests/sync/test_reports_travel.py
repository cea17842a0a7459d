"""Daily and zero reports travel to a real hub: once per (checkpoint, day), replaced when they
change, never counted twice, and only by the checkpoint they belong to."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from checkpoint.domain.vocabulary import VehicleType
from checkpoint.hub import db
from checkpoint.hub.reports import hub_day_report
from checkpoint.reports.build import day_report
from checkpoint.reports.json_form import to_data
from checkpoint.store.amendments import amend
from checkpoint.store.engine import open_store
from checkpoint.store.models import VehiclePassage
from checkpoint.sync.client import HubClient, SyncError
from checkpoint.sync.report_push import encode_report, send_reports
from checkpoint.wire.reports import ReportStatus, canonical, report_digest
from tests.reports.conftest import DAY, Log, build_log, report_settings, utc
from tests.sync.conftest import CHECKPOINT, Hub

FIRST_DAY = date(2026, 11, 23)
"""The report day of the known log's first shift (2026-11-24 03:19 local, cut-off 12:00)."""
NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
"""13:00 local on the 25th: the 25th is the current report day, the 24th the last closed."""


@pytest.fixture
def known(tmp_path: Path) -> Iterator[Log]:
    store = open_store(tmp_path / "checkpoint" / "checkpoint.db")
    try:
        yield build_log(store)
    finally:
        store.close()


def held_reports(hub: Hub) -> dict[tuple[str, date], dict[str, Any]]:
    with hub.engine.connect() as connection:
        rows = connection.execute(sa.select(db.reports)).all()
        connection.rollback()
    return {(row.checkpoint_id, row.day): row.body for row in rows}


def test_closed_days_travel_once_with_zero_reports_for_empty_days(known: Log, hub: Hub) -> None:
    settings = report_settings()
    with HubClient(hub.address, hub.enroll()) as client:
        first = send_reports(known.store, settings, client, now=NOW)
        again = send_reports(known.store, settings, client, now=NOW)
        later = send_reports(known.store, settings, client, now=utc(29, 5))
    assert first.stored == [FIRST_DAY, DAY] and not first.replaced and first.computed == 2
    assert again.sent == 0 and again.computed == 0  # the log did not change: nothing computed
    assert later.stored == [date(2026, 11, d) for d in range(25, 29)]
    held = held_reports(hub)
    assert sorted(day for _, day in held) == [date(2026, 11, d) for d in range(23, 29)]
    expected = canonical(to_data(day_report(known.store, settings, DAY, now=NOW)))
    assert report_digest(held[CHECKPOINT, DAY]) == report_digest(expected)
    empty = held[CHECKPOINT, date(2026, 11, 28)]
    assert empty["zero_report"] is True and empty["new"]["people"] == 0
    assert empty["cumulative"]["people"] == 7


def test_a_report_sent_again_replaces_the_one_held_and_never_counts_twice(
    known: Log, hub: Hub
) -> None:
    data = canonical(to_data(day_report(known.store, report_settings(), DAY, now=NOW)))
    changed = copy.deepcopy(data)
    changed["new"]["people"] += 10
    changed["cumulative"]["people"] += 10
    with HubClient(hub.address, hub.enroll()) as client:
        put = lambda body: client.put_report(CHECKPOINT, "2026-11-24", encode_report(body))  # noqa: E731
        first, same, other = put(data), put(data), put(changed)
        regenerated = put(data | {"generated_at": "2026-11-27T00:00:00Z"})
    assert (first.status, same.status, other.status) == (
        ReportStatus.STORED,
        ReportStatus.UNCHANGED,
        ReportStatus.REPLACED,
    )
    assert same.received_at == first.received_at and other.digest != first.digest
    assert regenerated.status is ReportStatus.REPLACED and regenerated.digest == first.digest
    assert len(held_reports(hub)) == 1
    summary = hub_day_report(hub.engine, DAY, now=NOW)
    assert [row.checkpoint_id for row in summary.rows] == [CHECKPOINT]
    assert summary.total_new.people == data["new"]["people"]
    assert summary.rows[0].versions == 2


def test_an_amended_day_is_sent_again_and_replaces_only_that_day(known: Log, hub: Hub) -> None:
    settings = report_settings()
    with HubClient(hub.address, hub.enroll()) as client:
        send_reports(known.store, settings, client, now=NOW)
        before = held_reports(hub)[CHECKPOINT, DAY]["new"]["non_local"]
        with known.store.session() as session:
            truck = session.exec(
                select(VehiclePassage).where(VehiclePassage.vehicle_type == VehicleType.TRUCK)
            ).one()
            amend(
                session=session,
                record=truck,
                field="non_local",
                new_value=False,
                reason="核对",
                by="李强",
            )
        after = send_reports(known.store, settings, client, now=NOW)
        quiet = send_reports(known.store, settings, client, now=NOW)
    assert after.replaced == [DAY] and not after.stored and after.computed == 2
    assert held_reports(hub)[CHECKPOINT, DAY]["new"]["non_local"] == before - 1
    assert quiet.computed == 0 and quiet.sent == 0


def test_only_the_checkpoint_itself_can_submit_its_report(known: Log, hub: Hub) -> None:
    own = hub.enroll()
    other = hub.enroll("HB-XG-0099")
    body = encode_report(
        canonical(to_data(day_report(known.store, report_settings(), DAY, now=NOW)))
    )
    url = f"{hub.address}/v1/checkpoints/{CHECKPOINT}/reports/2026-11-24"
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    refused = httpx.put(url, content=body, headers=headers | {"Authorization": f"Bearer {other}"})
    anonymous = httpx.put(url, content=body, headers=headers)
    assert (refused.status_code, anonymous.status_code) == (403, 401)
    with HubClient(hub.address, other) as client, pytest.raises(SyncError, match="422"):
        client.put_report("HB-XG-0099", "2026-11-24", body)  # its own path, another's report
    with HubClient(hub.address, own) as client, pytest.raises(SyncError, match="422"):
        client.put_report(CHECKPOINT, "2026-11-25", body)  # the report of another day
    assert held_reports(hub) == {}


def test_a_report_that_is_not_a_daily_report_is_refused(known: Log, hub: Hub) -> None:
    data = canonical(to_data(day_report(known.store, report_settings(), DAY, now=NOW)))
    with HubClient(hub.address, hub.enroll()) as client:
        for broken in (
            data | {"kind": "shift"},
            data | {"new": data["new"] | {"people": -1}},
            data | {"extra": 1},
        ):
            with pytest.raises(SyncError, match="422"):
                client.put_report(CHECKPOINT, "2026-11-24", encode_report(broken))
    assert held_reports(hub) == {}


def test_the_wire_model_keeps_the_json_form_as_it_is(known: Log) -> None:
    data = to_data(day_report(known.store, report_settings(), DAY, now=NOW))
    assert canonical(data) == data
