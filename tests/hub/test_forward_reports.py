"""Daily reports through three levels of real hubs: checkpoint → township → county. The county's
day report has each checkpoint's figures once after repeated forwards, a report corrected at
the township replaces at the county, lateness follows the arrival at the township, and a
checkpoint enrolled at the township and silent is in the county's omission list."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.hub.reports import hub_day_report
from checkpoint.reports.build import day_report
from checkpoint.reports.json_form import to_data
from checkpoint.sync.client import HubClient
from checkpoint.sync.report_push import encode_report
from checkpoint.wire.clock import SENT_AT_HEADER
from checkpoint.wire.reports import RECEIVED_BELOW_HEADER, canonical, report_digest
from tests.cli.test_init_verify import invoke
from tests.hub.test_forward import Levels, forward_to
from tests.hub.test_forward import levels as levels  # the three-level fixture
from tests.reports.conftest import DAY, Log, report_settings, utc
from tests.sync.conftest import say_below
from tests.sync.test_reports_travel import known as known  # the known log, as a fixture

A, B, SILENT, GONE = "HB-XG-0012", "HB-XG-0020", "HB-XG-0030", "HB-XG-0040"
EARLY = utc(23, 22)
"""A time before the end of report day 2026-11-24 and in the past for the tests' clock."""


@pytest.fixture
def ours(known: Log) -> dict[str, Any]:
    return canonical(to_data(day_report(known.store, report_settings(), DAY, now=utc(25, 5))))


def _as(data: dict[str, Any], code: str, bump: int = 0) -> dict[str, Any]:
    other = copy.deepcopy(data)
    other["checkpoint"] |= {"code": code}
    other["new"]["people"] += bump
    other["cumulative"]["people"] += bump
    return other


def _put(hub_address: str, token: str, data: dict[str, Any], **headers: str) -> httpx.Response:
    code = data["checkpoint"]["code"]
    return httpx.put(
        f"{hub_address}/v1/checkpoints/{code}/reports/{DAY}",
        content=encode_report(data),
        headers={
            "Content-Encoding": "gzip",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            **headers,
        },
    )


def _send(levels: Levels, data: dict[str, Any]) -> str:
    code = data["checkpoint"]["code"]
    with HubClient(levels.township.address, levels.township.enroll(code)) as client:
        receipt = client.put_report(code, DAY.isoformat(), encode_report(data))
    return receipt.status.value


def _county(levels: Levels) -> Any:
    return hub_day_report(levels.county.engine, DAY, now=datetime.now(UTC))


def test_reports_reach_the_county_once_and_a_correction_replaces(
    ours: dict[str, Any], levels: Levels
) -> None:
    theirs = _as(ours, B, bump=7)
    assert _send(levels, ours) == "stored" and _send(levels, theirs) == "stored"
    first = forward_to(levels)
    assert (first.reports_stored, first.reports_replaced, first.reports_unchanged) == (2, 0, 0)
    assert first.checkpoints == 2 and first.sent == 0  # reports only, no records
    for _ in range(2):
        again = forward_to(levels)
        assert again.reports_stored + again.reports_replaced + again.reports_unchanged == 0
    county = _county(levels)
    assert [row.checkpoint_id for row in county.rows] == [A, B]
    people = ours["new"]["people"]
    assert county.total_new.people == 2 * people + 7
    assert county.total_cumulative.people == 2 * ours["cumulative"]["people"] + 7

    corrected = _as(ours, A, bump=3)
    assert _send(levels, corrected) == "replaced"
    fixed = forward_to(levels)
    assert (fixed.reports_stored, fixed.reports_replaced, fixed.reports_unchanged) == (0, 1, 0)
    county = _county(levels)
    row = {r.checkpoint_id: r for r in county.rows}[A]
    assert row.new.people == people + 3 and row.versions == 2
    assert county.total_new.people == 2 * people + 10
    with levels.county.engine.connect() as connection:
        held = connection.execute(sa.select(db.reports.c.body)).scalars().all()
    assert sorted(report_digest(body) for body in held) == sorted(
        report_digest(body) for body in (corrected, theirs)
    )
    # Repeated once more: nothing travels, nothing changes.
    assert forward_to(levels).reports_replaced == 0
    assert _county(levels).total_new == county.total_new


def test_lateness_at_the_county_follows_the_arrival_at_the_township(
    ours: dict[str, Any], levels: Levels
) -> None:
    from checkpoint.hub.report_ingest import store_report

    engine = levels.township.engine
    db.enroll(engine, A, now=utc(20, 0))
    store_report(engine, A, DAY, ours, now=EARLY)
    # Corrected at the township before it was ever forwarded: the county judges the day by
    # the first version's arrival, as the township does.
    store_report(engine, A, DAY, _as(ours, A, bump=1), now=EARLY + timedelta(hours=1))
    forward_to(levels)
    (row,) = _county(levels).rows
    assert row.first_received_at == EARLY and not row.late
    assert row.new.people == ours["new"]["people"] + 1
    township_row = hub_day_report(engine, DAY, now=datetime.now(UTC)).rows[0]
    assert township_row.late == row.late

    # Corrected again after the forward: a second version at the county, timed at the township.
    store_report(engine, A, DAY, _as(ours, A, bump=2), now=EARLY + timedelta(hours=2))
    forward_to(levels)
    (row,) = _county(levels).rows
    assert row.first_received_at == EARLY and row.versions == 2
    assert row.received_at == EARLY + timedelta(hours=2)


def test_only_hub_tokens_may_say_when_a_report_arrived_below(
    ours: dict[str, Any], levels: Levels
) -> None:
    # With the sending hub's own time (SENT_AT_HEADER), which says how far its clock is.
    claimed = {
        RECEIVED_BELOW_HEADER: "2026-01-01T00:00:00Z",
        SENT_AT_HEADER: datetime.now(UTC).isoformat(),
    }
    before = datetime.now(UTC).replace(microsecond=0)
    direct = _put(levels.county.address, levels.county.enroll(A), ours, **claimed)
    assert direct.status_code == 200, direct.text
    assert datetime.fromisoformat(direct.json()["received_at"]) >= before  # ignored
    say_below(levels.county, "XG-TOWNSHIP", B, SILENT)
    forwarded = _put(levels.county.address, levels.hub_token, _as(ours, B), **claimed)
    assert forwarded.status_code == 200, forwarded.text
    assert forwarded.json()["received_at"] == "2026-01-01T00:00:00Z"
    future = _put(
        levels.county.address,
        levels.hub_token,
        _as(ours, SILENT),
        **{RECEIVED_BELOW_HEADER: "2999-01-01T00:00:00Z"},
    )
    assert future.status_code == 200
    assert datetime.fromisoformat(future.json()["received_at"]) <= datetime.now(UTC)
    # A checkpoint's token acts for its own checkpoint only; a hub's for any.
    other = _put(levels.county.address, levels.county.enroll(GONE), ours)
    assert other.status_code == 403


def test_a_silent_checkpoint_enrolled_at_the_township_is_in_the_countys_omissions(
    ours: dict[str, Any], levels: Levels, tmp_path: Path
) -> None:
    township = levels.township.engine
    for code in (A, SILENT, GONE):
        db.enroll(township, code, now=utc(20, 0))
    db.revoke(township, GONE, now=utc(22, 0))
    _send(levels, ours)
    summary = forward_to(levels)
    assert summary.below == 3
    county = _county(levels)
    assert [o.checkpoint_id for o in county.omissions] == [SILENT]
    assert county.expected == 2 and [r.checkpoint_id for r in county.rows] == [A]
    assert [o.checkpoint_id for o in hub_day_report(township, DAY, now=utc(25, 6)).omissions] == [
        SILENT
    ]
    # The county enrolling one itself too changes nothing; revoked below, it stays expected
    # as long as the county's own enrolment stands.
    db.enroll(levels.county.engine, SILENT, now=utc(21, 0))
    assert [o.checkpoint_id for o in _county(levels).omissions] == [SILENT]
    assert _county(levels).expected == 2

    # Only a hub may say which checkpoints are below it.
    refused = httpx.put(
        f"{levels.county.address}/v1/hubs/checkpoints",
        json={"checkpoints": [{"code": "HB-XG-9999", "enrolled_at": "2026-11-01T00:00:00Z"}]},
        headers={"Authorization": f"Bearer {levels.county.enroll(A)}"},
    )
    assert refused.status_code == 403
    assert _county(levels).expected == 2

    done = invoke(
        tmp_path,
        *("hub", "forward", "--upstream", levels.county.address),
        *("--db", levels.township.url, "--token", levels.hub_token),
    )
    assert done.exit_code == 0, done.output
    assert "Daily reports: 0 stored, 0 replaced" in done.output
    assert "3 checkpoint(s) enrolled here and below" in done.output


def test_times_out_of_range_from_a_hub_are_refused_with_a_reason(
    ours: dict[str, Any], levels: Levels
) -> None:
    odd = {RECEIVED_BELOW_HEADER: "0001-01-01T00:00:00+01:00"}
    say_below(levels.county, "XG-TOWNSHIP", A)
    assert _put(levels.county.address, levels.hub_token, ours, **odd).status_code == 422
    refused = httpx.put(
        f"{levels.county.address}/v1/hubs/checkpoints",
        json={"checkpoints": [{"code": A, "enrolled_at": "0001-01-01T00:00:00+01:00"}]},
        headers={"Authorization": f"Bearer {levels.hub_token}"},
    )
    assert refused.status_code == 422
