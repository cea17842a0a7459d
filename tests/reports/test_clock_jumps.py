"""A clock that jumps back within a shift, or a shift closed "before" it opened, never drops a
person from the shift that screened them; the reports and `checkpoint verify` say where the
log's times go backwards (issue 14)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checkpoint.reports.build import shift_report
from checkpoint.reports.text import render_text
from checkpoint.store.engine import open_store
from checkpoint.store.verify import walk
from tests.cli.test_init_verify import invoke
from tests.reports.conftest import report_settings
from tests.sync.clock_logs import ClockLog

OPENED = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai


@pytest.fixture
def log(tmp_path: Path) -> Iterator[ClockLog]:
    store = open_store(tmp_path / "checkpoint.db")
    try:
        yield ClockLog(store)
    finally:
        store.close()


def test_a_clock_that_jumps_back_within_a_shift_drops_nobody_from_it(log: ClockLog) -> None:
    log.register(OPENED - timedelta(hours=1))
    before = log.open_shift(OPENED - timedelta(hours=1), leader="赵敏")
    log.screen(before, OPENED - timedelta(minutes=30))  # the shift before: not this one's
    log.close_shift(before, OPENED)
    shift = log.open_shift(OPENED)
    # Nine people: six by the right clock, then the clock jumps back two hours for three, each
    # at or over the threshold.
    for minute in range(6):
        log.screen(shift, OPENED + timedelta(minutes=10 * minute))
    jumped = OPENED - timedelta(hours=2)
    for minute in range(3):
        log.screen(shift, jumped + timedelta(minutes=minute), value=38.0)
    log.close_shift(shift, jumped + timedelta(minutes=5))
    report = shift_report(log.store, report_settings(), shift.id, now=OPENED)
    assert report.new.people == 9 and report.new.at_or_over == 3
    assert report.new.passages == 9
    assert report.start == jumped and report.cumulative.people == 10
    # The shift before keeps its own person only.
    earlier = shift_report(log.store, report_settings(), before.id, now=OPENED)
    assert earlier.new.people == 1 and earlier.new.at_or_over == 0
    # The sheet says where the times went back.
    (step,) = report.backwards
    assert step.at == jumped and step.prev_at == OPENED + timedelta(minutes=50)
    assert "times go backwards 1 times" in render_text(report, "en")
    assert "时间倒退了 1 次" in render_text(report, "zh-CN")


def test_a_shift_closed_before_it_opened_still_counts_its_people(log: ClockLog) -> None:
    log.register(OPENED)
    shift = log.open_shift(OPENED)
    for minute in range(4):
        log.screen(shift, OPENED + timedelta(minutes=minute))
    log.close_shift(shift, OPENED - timedelta(days=365))  # the clock reset at the sign-off
    report = shift_report(log.store, report_settings(), shift.id, now=OPENED)
    assert report.new.people == 4 and report.new.passages == 4


def test_verify_says_where_the_logs_times_go_backwards(log: ClockLog, tmp_path: Path) -> None:
    log.register(OPENED)
    shift = log.open_shift(OPENED)
    log.screen(shift, OPENED + timedelta(minutes=1))
    log.screen(shift, datetime(1970, 1, 1, 0, 5, tzinfo=UTC))  # a flat CMOS battery
    log.screen(shift, OPENED + timedelta(minutes=3))
    with log.store.reading() as session:
        walked = walk(session)
    assert walked.ok and walked.backwards_count == 1
    (jump,) = walked.backwards
    assert jump.table == "vehicle_passage" and jump.seq == 6  # site, shift, 3 rows, then it
    assert jump.prev_seq == 5 and jump.at.year == 1970
    log.store.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "checkpoint.db"}"\n', encoding="utf-8")
    shown = invoke(tmp_path, "--config", str(config), "verify")
    assert shown.exit_code == 0, shown.output
    assert "Times go backwards: record 6 (vehicle_passage" in shown.output
    assert "1970-01-01 00:05:00 UTC, after record 5" in shown.output
    as_json = json.loads(invoke(tmp_path, "--config", str(config), "verify", "--json").stdout)
    assert as_json["backwards_count"] == 1 and as_json["backwards"][0]["seq"] == 6
