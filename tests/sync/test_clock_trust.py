"""Time you can trust between a laptop and a hub (issue 14): a laptop whose clock says 2099 or
whose first shift opened in 1970 never makes up daily reports, and the hub, by its own clock
and the records it holds, refuses the days they cannot have."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.reports.build import day_report
from checkpoint.reports.json_form import to_data
from checkpoint.store.engine import open_store
from checkpoint.store.sync_state import REPORT, held_back, known_skew
from checkpoint.sync.client import HubClient, sync
from checkpoint.sync.report_push import encode_report, send_reports
from checkpoint.wire.clock import HUB_TIME_HEADER, SENT_AT_HEADER, SKEW_HEADER
from checkpoint.wire.reports import RECEIVED_BELOW_HEADER, canonical
from tests.reports.conftest import report_settings
from tests.sync.clock_logs import ClockLog
from tests.sync.conftest import CHECKPOINT, Hub, ThreadedHub, serve_in_thread

HUB_NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
"""The hub's clock: 13:00 on the 25th in Asia/Shanghai, so the 24th is the last closed day."""
ENROLLED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
Y2099 = datetime(2099, 1, 1, 10, 0, tzinfo=UTC)
Y1970 = datetime(1970, 1, 1, 0, 5, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    """A hub whose clock is stopped at `HUB_NOW`."""
    served, server = serve_in_thread(f"sqlite:///{tmp_path / 'hub.db'}", clock=lambda: HUB_NOW)
    try:
        yield served
    finally:
        ThreadedHub.stop(server)
        served.engine.dispose()


@pytest.fixture
def log(tmp_path: Path) -> Iterator[ClockLog]:
    store = open_store(tmp_path / "laptop" / "checkpoint.db")
    try:
        yield ClockLog(store)
    finally:
        store.close()


def held_days(hub: Hub) -> list[date]:
    with hub.engine.connect() as connection:
        days = connection.execute(sa.select(db.reports.c.day).order_by(db.reports.c.day)).all()
        connection.rollback()
    return [row.day for row in days]


def put_day(hub: Hub, token: str, log: ClockLog, day: date) -> httpx.Response:
    data: dict[str, Any] = canonical(
        to_data(day_report(log.store, report_settings(), day, now=HUB_NOW))
    )
    return httpx.put(
        f"{hub.address}/v1/checkpoints/{CHECKPOINT}/reports/{day}",
        content=encode_report(data),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Encoding": "gzip",
            "Content-Type": "application/json",
            SENT_AT_HEADER: Y2099.isoformat(),
        },
    )


def test_the_hub_refuses_days_after_its_today_or_before_the_checkpoint_existed(
    hub: Hub, log: ClockLog
) -> None:
    log.register(at(24, 1))
    token = hub.enroll(now=ENROLLED)
    # The hub's latest today (UTC+14) is the 25th: the 26th has not begun anywhere.
    for day in (date(2026, 11, 26), date(2098, 12, 31), date(2099, 1, 1)):
        refused = put_day(hub, token, log, day)
        assert refused.status_code == 422, (day, refused.text)
        assert refused.json()["code"] == "day_in_future"
        assert refused.json()["params"]["bound"] == "2026-11-25"
    # Enrolled on the 20th at 20:00 in UTC+8 with no records: the 18th is the earliest day that
    # may not have ended somewhere then; the 17th and 1970 are before the checkpoint existed.
    for day in (date(2026, 11, 17), date(1970, 1, 1)):
        refused = put_day(hub, token, log, day)
        assert refused.status_code == 422 and refused.json()["code"] == "day_before_checkpoint"
        assert refused.json()["params"]["bound"] == "2026-11-18"
    taken = put_day(hub, token, log, date(2026, 11, 25))
    assert taken.status_code == 200, taken.text
    # `received_at` is the hub's clock, whatever the sender's said (2099).
    assert taken.json()["received_at"] == "2026-11-25T05:00:00Z"
    # Every answer says the hub's time, and to a caller that said its own, how far it is.
    assert taken.headers[HUB_TIME_HEADER].startswith("2026-11-25T05:00:00")
    assert int(taken.headers[SKEW_HEADER]) == round((Y2099 - HUB_NOW).total_seconds())
    assert held_days(hub) == [date(2026, 11, 25)]


def test_records_of_a_laptop_that_worked_before_its_enrolment_support_those_days(
    hub: Hub, log: ClockLog
) -> None:
    log.register(Y1970)  # registered with a flat CMOS battery
    shift = log.open_shift(Y1970)
    log.screen(shift, at(10, 2))  # the clock set right, offline, ten days before enrolment
    token = hub.enroll(now=ENROLLED)
    with HubClient(hub.address, token) as client:
        sync(log.store, client, checkpoint_id=CHECKPOINT)
    assert put_day(hub, token, log, date(2026, 11, 10)).status_code == 200
    early = put_day(hub, token, log, date(2026, 11, 1))  # the 1970 records support nothing
    assert early.status_code == 422 and early.json()["code"] == "day_before_checkpoint"
    assert early.json()["params"]["bound"] == "2026-11-08"


def test_a_laptop_whose_clock_says_2099_sends_no_day_the_hub_has_not_ended(
    hub: Hub, log: ClockLog
) -> None:
    log.register(at(23, 1))
    shift = log.open_shift(at(23, 1))
    log.screen(shift, at(24, 3))
    settings = report_settings()
    with HubClient(hub.address, hub.enroll(now=ENROLLED), clock=lambda: Y2099) as client:
        sync(log.store, client, checkpoint_id=CHECKPOINT)
        summary = send_reports(log.store, settings, client)
    # From the first shift's day (09:00 local on the 23rd: the 22nd) to the 24th, closed at the
    # hub (its 25th has not ended); not 400 days up to 2098-12-31.
    closed = [date(2026, 11, d) for d in (22, 23, 24)]
    assert summary.stored == closed and not summary.held
    assert held_days(hub) == closed
    with log.store.reading() as session:
        kept = known_skew(session=session)
    assert kept is not None
    skew, hub_time = kept
    assert abs(skew - (Y2099 - HUB_NOW).total_seconds()) < 60 and hub_time == HUB_NOW


def test_a_first_shift_opened_in_1970_makes_no_zero_reports_before_the_checkpoint(
    hub: Hub, log: ClockLog
) -> None:
    log.register(Y1970)
    shift = log.open_shift(Y1970)  # the laptop booted in 1970; fixed before the first car
    log.screen(shift, at(24, 3))  # 11:00 local on the 24th: report day the 23rd (cut-off 12)
    with HubClient(hub.address, hub.enroll(now=ENROLLED), clock=lambda: HUB_NOW) as client:
        sync(log.store, client, checkpoint_id=CHECKPOINT)
        summary = send_reports(log.store, report_settings(), client)
    assert summary.stored == [date(2026, 11, 23), date(2026, 11, 24)] and not summary.held
    assert held_days(hub) == [date(2026, 11, 23), date(2026, 11, 24)]


def test_a_day_the_hub_refuses_is_listed_and_the_other_days_still_go(
    hub: Hub, log: ClockLog
) -> None:
    log.register(at(10, 1))
    shift = log.open_shift(at(10, 1))
    log.screen(shift, at(24, 3))
    # The records are not at the hub: it knows the checkpoint from its enrolment only.
    with HubClient(hub.address, hub.enroll(now=ENROLLED), clock=lambda: HUB_NOW) as client:
        summary = send_reports(log.store, report_settings(), client)
    refused = [held.day for held in summary.held]
    assert refused == [date(2026, 11, d) for d in range(9, 18)]  # 09:00 local on the 10th: the 9th
    assert {held.code for held in summary.held} == {"sync.hub.day_before_checkpoint"}
    # Held back like any refused report: kept in the log, listed, tried again at every pass.
    with log.store.reading() as session:
        kept = held_back(session=session, hub=hub.address.rstrip("/"), kind=REPORT)
    assert [date.fromisoformat(h.item) for h in kept] == refused
    assert summary.held_back == len(refused)
    assert summary.stored == [date(2026, 11, d) for d in range(18, 25)]
    assert held_days(hub) == summary.stored


def test_a_hub_below_whose_clock_is_slow_cannot_make_a_late_report_look_on_time(
    hub: Hub, log: ClockLog
) -> None:
    log.register(at(23, 1))
    token = db.enroll(hub.engine, "XG-TOWNSHIP", now=ENROLLED, hub=True)
    said = httpx.put(
        f"{hub.address}/v1/hubs/checkpoints",
        json={"checkpoints": [{"code": CHECKPOINT, "enrolled_at": ENROLLED.isoformat()}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert said.status_code == 200, said.text
    slow = HUB_NOW - timedelta(days=5)  # the township's clock
    data = canonical(
        to_data(day_report(log.store, report_settings(), date(2026, 11, 19), now=slow))
    )
    answer = httpx.put(
        f"{hub.address}/v1/checkpoints/{CHECKPOINT}/reports/2026-11-19",
        content=encode_report(data),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Encoding": "gzip",
            "Content-Type": "application/json",
            # It reached the township just now, by the township's slow clock.
            RECEIVED_BELOW_HEADER: slow.isoformat(),
            SENT_AT_HEADER: slow.isoformat(),
        },
    )
    assert answer.status_code == 200, answer.text
    # Judged by the county's clock: it arrived now (late), not five days ago (on time).
    assert answer.json()["received_at"] == "2026-11-25T05:00:00Z"
    assert int(answer.headers[SKEW_HEADER]) == -5 * 86400
