"""Exact figures of the known log (conftest.py): the cut-off instant, amended records counted
once with their amended values, a case across midnight, a zero-report day, an empty day."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest

from checkpoint.domain.vocabulary import Disposition
from checkpoint.errors import CheckpointError
from checkpoint.reports.build import current_report_day, day_report, shift_report
from checkpoint.reports.model import Figures, HourCount
from checkpoint.reports.period import day_period, report_day_of
from tests.reports.conftest import DAY, EMPTY_DAY, GENERATED, NEXT_DAY, Log, report_settings, utc

SHANGHAI = report_settings().checkpoint.zone


def test_report_day_turns_at_the_cutoff_hour() -> None:
    assert report_day_of(utc(24, 3, 59, 59, 999999), zone=SHANGHAI, cutoff_hour=12) == date(
        2026, 11, 23
    )
    assert report_day_of(utc(24, 4), zone=SHANGHAI, cutoff_hour=12) == DAY
    assert report_day_of(utc(24, 16), zone=SHANGHAI, cutoff_hour=0) == NEXT_DAY
    assert day_period(DAY, zone=SHANGHAI, cutoff_hour=12) == (utc(24, 4), utc(25, 4))
    assert current_report_day(report_settings(), now=GENERATED) == NEXT_DAY


def test_day_report_figures(log: Log) -> None:
    report = day_report(log.store, report_settings(), DAY, now=GENERATED)

    assert (report.start, report.end, report.report_day) == (utc(24, 4), utc(25, 4), "2026-11-24")
    assert report.new == Figures(
        people=5,  # two at the cut-off bus, the amended truck, the 23:50 fever, the last second
        passages=4,  # = vehicles + on foot = in + out
        vehicles=4,
        inbound=3,  # bus, truck (amended from out), car
        outbound=1,
        non_local=1,  # the truck, amended twice: the newest value counts
        from_risk_areas=1,
        at_or_over=2,
        suspected=2,  # both cases opened by a fever
        remeasured=2,
        axillary_confirmed=1,
        referred=1,
        home_isolation=1,
        turned_back=1,
        disinfections=1,
        staff_checks=1,
    )
    assert report.cumulative == Figures(
        people=6,
        passages=5,
        vehicles=5,
        inbound=4,
        outbound=1,
        non_local=2,
        from_risk_areas=1,
        at_or_over=2,
        suspected=2,  # both cases opened by a fever
        remeasured=2,
        axillary_confirmed=1,
        referred=1,
        home_isolation=1,
        turned_back=1,
        disinfections=1,
        staff_checks=2,
    )
    assert not report.zero_report
    assert report.by_hour == (
        HourCount(utc(24, 4), 2, 1),
        HourCount(utc(24, 10), 1, 0),
        HourCount(utc(24, 15), 1, 1),
        HourCount(utc(25, 3), 1, 0),
    )
    assert report.temperatures == ((36.4, 1), (36.5, 1), (36.7, 1), (37.5, 1), (37.8, 1))
    assert report.staff_on_duty == ("王芳", "张伟", "刘洋")
    assert [(s.role, s.names) for s in report.signatures] == [
        ("duty-staff", ("王芳", "张伟", "刘洋")),
        ("shift-leader", ("李强", "赵敏")),
    ]
    assert report.log_range.first_seq == 1
    assert report.log_range.last_seq is not None and report.log_range.last_seq > 30
    assert len(report.log_range.chain_head) == 64
    assert (report.checkpoint_name, report.township, report.county) == (
        "孝感北收费站",
        "毛陈镇",
        "孝南区",
    )


def test_day_report_cases_are_masked_with_their_follow_up(log: Log) -> None:
    report = day_report(log.store, report_settings(), DAY, now=GENERATED)

    first, second = report.cases
    assert first.person_id == log.fever_at_cutoff
    assert (first.name, first.document, first.phone) == (
        "欧阳**",
        "110105********002X",
        "138****5678",
    )
    assert first.first_value_c == 37.5
    assert first.reasons == ("fever",)
    assert [s.kind for s in first.steps] == [
        "opened",
        "taken-aside",
        "remeasured",
        "axillary",
        "decided",
    ]
    assert [s.value_c for s in first.steps] == [37.5, None, 37.4, 37.6, None]
    assert (first.disposition, first.decided_by) == (Disposition.REFERRED_FEVER_CLINIC, "李强")
    assert second.person_id == log.fever_midnight
    assert second.disposition is Disposition.HOME_HEALTH_MONITORING


def test_a_case_across_midnight_splits_between_days_with_a_midnight_cutoff(log: Log) -> None:
    settings = report_settings(cutoff=0)
    # Local 23:50 on the 24th: screened that day, re-measured and decided on the 25th.
    before = day_report(log.store, settings, DAY, now=GENERATED)
    after = day_report(log.store, settings, NEXT_DAY, now=GENERATED)

    assert (before.new.at_or_over, before.new.remeasured, before.new.home_isolation) == (2, 1, 0)
    assert (after.new.at_or_over, after.new.remeasured, after.new.home_isolation) == (0, 1, 1)
    assert log.fever_midnight in [c.person_id for c in before.cases]
    assert log.fever_midnight in [c.person_id for c in after.cases]
    before_case = next(c for c in before.cases if c.person_id == log.fever_midnight)
    assert before_case.disposition is None, "decided after the end of that day"
    assert after.zero_report, "nobody was at or over the threshold on the 25th"


def test_zero_report_day(log: Log) -> None:
    report = day_report(log.store, report_settings(), NEXT_DAY, now=GENERATED)

    assert report.zero_report
    assert (report.new.people, report.new.vehicles, report.new.inbound) == (1, 1, 1)
    assert report.cases == ()
    assert report.cumulative.people == 7


def test_day_without_records(log: Log) -> None:
    report = day_report(log.store, report_settings(), EMPTY_DAY, now=GENERATED)

    assert report.zero_report
    assert report.new == Figures()
    assert report.by_hour == ()
    assert report.temperatures == ()
    assert report.cumulative.people == 7
    assert report.signatures[0].names == ("刘洋",), "the open shift is still on duty"


def test_empty_log(tmp_path: object) -> None:
    from pathlib import Path

    from checkpoint.store.engine import open_store

    assert isinstance(tmp_path, Path)
    with open_store(tmp_path / "empty.db") as store:
        report = day_report(store, report_settings(), DAY, now=GENERATED)
        with pytest.raises(CheckpointError, match="No shift"):
            shift_report(store, report_settings(), None, now=GENERATED)
    assert report.new == report.cumulative == Figures()
    assert (report.log_range.first_seq, report.log_range.chain_head) == (None, "")


def test_shift_reports(log: Log) -> None:
    settings = report_settings()
    open_one = shift_report(log.store, settings, None, now=GENERATED)
    closed = shift_report(log.store, settings, str(log.shift_a.id), now=GENERATED)

    assert open_one.shift_id == log.shift_b.id
    assert (open_one.start, open_one.end, open_one.leader) == (utc(24, 15), GENERATED, "赵敏")
    assert (open_one.new.people, open_one.new.at_or_over, open_one.new.staff_checks) == (3, 1, 1)
    assert closed.shift_id == log.shift_a.id
    assert (closed.start, closed.end) == (utc(23, 19), utc(24, 15))
    assert (closed.new.people, closed.new.vehicles, closed.new.non_local) == (4, 3, 2)
    assert closed.staff_on_duty == ("王芳", "张伟")
    with pytest.raises(CheckpointError):
        shift_report(log.store, settings, "ffffffff", now=GENERATED)


def test_figures_match_a_naive_recount(log: Log) -> None:
    """The SQL-plus-corrections path agrees with applying every amendment in Python first."""
    import sqlite3

    report = day_report(log.store, report_settings(), DAY, now=GENERATED)
    db = sqlite3.connect(log.store.path)
    db.row_factory = sqlite3.Row
    amended: dict[str, dict[str, object]] = {}
    import json

    for row in db.execute("SELECT target_id, field, new_value FROM amendment ORDER BY seq"):
        amended.setdefault(row["target_id"], {})[row["field"]] = json.loads(row["new_value"])
    passages = [
        {**dict(r), **amended.get(r["id"], {})} for r in db.execute("SELECT * FROM vehicle_passage")
    ]
    start, end = "2026-11-24T04:00:00.000000+00:00", "2026-11-25T04:00:00.000000+00:00"
    in_day = [p for p in passages if start <= p["passed_at"] < end]
    assert report.new.vehicles == sum(p["vehicle_type"] != "on-foot" for p in in_day)
    assert report.new.non_local == sum(bool(p["non_local"]) for p in in_day)
    assert report.new.inbound == sum(p["direction"] == "in" for p in in_day)
    assert asdict(report.new)["people"] == 5
