"""Several laptops at one checkpoint: the hub keeps one daily report per lane and adds them up.

Three lanes of one checkpoint report the same day: the checkpoint's figures are their sums; a
lane's resubmission replaces only its own report; a lane that reported before and not today is
listed as silent; a report from before lanes is one lane, until the lanes report by name.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.hub.report_ingest import store_report
from checkpoint.hub.report_render import render_text
from checkpoint.hub.reports import hub_day_report
from checkpoint.hub.reports import to_data as hub_data
from checkpoint.reports.build import day_report
from checkpoint.reports.json_form import to_data
from checkpoint.wire.reports import ReportStatus, canonical
from tests.hub.test_hub_report import NAMES
from tests.reports.conftest import DAY, Log, report_settings, utc
from tests.sync.test_reports_travel import known as known  # the known log, as a fixture

CODE = "HB-XG-0012"


def _lane(data: dict[str, Any], name: str, factor: int, day: date = DAY) -> dict[str, Any]:
    """`data` as another lane of the same checkpoint made it, with figures times `factor`."""
    other = copy.deepcopy(data)
    other["checkpoint"]["lane"] = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)), "name": name}
    for name_ in NAMES:
        other["new"][name_] = data["new"][name_] * factor + factor
        other["cumulative"][name_] = data["cumulative"][name_] * factor + factor
    other["report_day"] = day.isoformat()
    return canonical(other)


@pytest.fixture
def ours(known: Log) -> dict[str, Any]:
    return canonical(to_data(day_report(known.store, report_settings(), DAY, now=utc(25, 5))))


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    made = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    db.enroll(made, CODE, now=utc(20, 0))
    return made


def _sums(reports: list[dict[str, Any]], part: str) -> dict[str, int]:
    return {name: sum(r[part][name] for r in reports) for name in NAMES}


def test_three_lanes_of_a_checkpoint_are_each_counted_once(
    engine: sa.Engine, ours: dict[str, Any]
) -> None:
    lanes = [ours, _lane(ours, "2号口", 2), _lane(ours, "进城", 3)]
    assert len({lane["checkpoint"]["lane"]["id"] for lane in lanes}) == 3
    for lane in lanes:
        receipt = store_report(engine, CODE, DAY, lane, now=utc(25, 5))
        assert receipt.status is ReportStatus.STORED
        assert receipt.lane_id == lane["checkpoint"]["lane"]["id"]
    report = hub_day_report(engine, DAY, now=utc(25, 6))
    (row,) = report.rows
    data = hub_data(report)
    assert data["checkpoints"][0]["new"] == _sums(lanes, "new")
    assert data["checkpoints"][0]["cumulative"] == _sums(lanes, "cumulative")
    assert data["total"]["new"] == _sums(lanes, "new")
    assert len(row.lanes) == 3 and not row.silent_lanes and not report.omissions
    assert len(report.cases) == sum(len(lane["cases"]) for lane in lanes)

    # One lane corrects its day: only its own report is replaced.
    corrected = copy.deepcopy(lanes[1])
    corrected["new"]["people"] += 7
    assert store_report(engine, CODE, DAY, corrected, now=utc(25, 7)).status is (
        ReportStatus.REPLACED
    )
    again = hub_day_report(engine, DAY, now=utc(25, 8))
    assert again.rows[0].new.people == report.rows[0].new.people + 7
    assert sorted(lane.versions for lane in again.rows[0].lanes) == [1, 1, 2]


def test_a_silent_lane_is_listed_and_the_checkpoint_counts_as_reported(
    engine: sa.Engine, ours: dict[str, Any]
) -> None:
    yesterday = DAY.fromordinal(DAY.toordinal() - 1)
    for lane in (ours, _lane(ours, "2号口", 2), _lane(ours, "进城", 3)):
        day_before = copy.deepcopy(lane)
        day_before["report_day"] = yesterday.isoformat()
        store_report(engine, CODE, yesterday, day_before, now=utc(24, 5))
    store_report(engine, CODE, DAY, ours, now=utc(25, 5))
    store_report(engine, CODE, DAY, _lane(ours, "进城", 3), now=utc(25, 5))
    report = hub_day_report(engine, DAY, now=utc(25, 6))
    (row,) = report.rows
    assert not report.omissions  # it reported, with two of its three lanes
    assert [(lane.name, lane.last_reported) for lane in row.silent_lanes] == [("2号口", yesterday)]
    assert hub_data(report)["checkpoints"][0]["silent_lanes"][0]["name"] == "2号口"
    assert "2号口" in render_text(report, "zh-CN")
    assert "silent lane 2号口" in render_text(report, "en")


def test_a_report_from_before_lanes_counts_as_one_lane_until_the_lanes_report(
    engine: sa.Engine, ours: dict[str, Any]
) -> None:
    legacy = copy.deepcopy(ours)
    del legacy["checkpoint"]["lane"]
    legacy = canonical(legacy)
    assert "lane" not in legacy["checkpoint"]
    store_report(engine, CODE, DAY, legacy, now=utc(25, 5))
    first = hub_day_report(engine, DAY, now=utc(25, 6))
    assert first.rows[0].new == hub_day_report(engine, DAY, now=utc(25, 6)).rows[0].new
    assert first.rows[0].new.people == ours["new"]["people"]
    assert first.rows[0].lanes[0].lane_id == ""
    # The laptops, upgraded, send their day again with their lanes: the legacy report was one
    # of them, so it no longer counts (nor is it silent).
    lanes = [ours, _lane(ours, "2号口", 2)]
    for lane in lanes:
        store_report(engine, CODE, DAY, lane, now=utc(25, 7))
    report = hub_day_report(engine, DAY, now=utc(25, 8))
    assert hub_data(report)["checkpoints"][0]["new"] == _sums(lanes, "new")
    assert not report.rows[0].silent_lanes


def test_a_hub_from_before_lanes_keeps_its_reports_as_legacy_lanes(
    tmp_path: Path, ours: dict[str, Any]
) -> None:
    legacy = copy.deepcopy(ours)
    del legacy["checkpoint"]["lane"]
    path = tmp_path / "old-hub.db"
    old = sa.create_engine(f"sqlite:///{path}")
    with old.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE reports (checkpoint_id VARCHAR(32), day DATE, body JSON, "
            "received_at DATETIME, PRIMARY KEY (checkpoint_id, day))"
        )
        connection.exec_driver_sql(
            "INSERT INTO reports VALUES (?, ?, ?, ?)",
            (CODE, DAY.isoformat(), json.dumps(legacy), "2026-11-25 05:00:00.000000"),
        )
    old.dispose()
    engine = db.make_engine(f"sqlite:///{path}")
    db.enroll(engine, CODE, now=utc(20, 0))
    report = hub_day_report(engine, DAY, now=utc(25, 6))
    assert [row.new.people for row in report.rows] == [ours["new"]["people"]]
    assert store_report(engine, CODE, DAY, canonical(legacy)).status is ReportStatus.UNCHANGED
    db.make_engine(f"sqlite:///{path}")  # opened again: copied once only
    assert len(hub_day_report(engine, DAY, now=utc(25, 6)).rows[0].lanes) == 1
