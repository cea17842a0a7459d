"""A lane whose only link is a USB stick still reports its days: `checkpoint bundle export`
carries the closed days' daily reports after the records, `checkpoint hub import` holds them
as reports sent over the network (one per lane and day), and refuses a report of another lane
or with personal data in it."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.hub.imports import import_bundle
from checkpoint.hub.reports import hub_day_report
from checkpoint.store import records
from checkpoint.store.engine import open_store
from checkpoint.sync.bundle import BundleError, write_bundle
from checkpoint.wire.reports import canonical
from tests.cli.test_init_verify import invoke
from tests.hub.test_hub_lanes import ours as ours
from tests.reports.conftest import DAY, Log
from tests.store.conftest import build_scene, make_person, make_reading
from tests.sync.conftest import CHECKPOINT
from tests.sync.test_bundle import engine as engine
from tests.sync.test_bundle import rewrite
from tests.sync.test_reports_travel import known as known


def _bundle_of(known: Log, path: Path, token: str, report: dict[str, Any]) -> Path:
    write_bundle(known.store, path, checkpoint_id=CHECKPOINT, token=token, reports=[report])
    return path


def test_a_report_of_another_lane_or_checkpoint_is_refused(
    known: Log, ours: dict[str, Any], engine: sa.Engine, tmp_path: Path
) -> None:
    token = db.enroll(engine, CHECKPOINT)
    bundle = _bundle_of(known, tmp_path / "b.ckpt.gz", token, ours)
    header = json.loads(gzip.decompress(bundle.read_bytes()).splitlines()[0])
    assert header["version"] == 2 and header["reports"] == 1

    def other_lane(lines: list[Any]) -> None:
        lines[-1]["report"]["checkpoint"]["lane"]["id"] = "0" * 8 + "-0000-4000-8000-" + "0" * 12

    rewrite(bundle, token, other_lane)
    with pytest.raises(BundleError) as caught:
        import_bundle(engine, bundle)
    assert caught.value.code == "bundle.inconsistent" and "lane" in str(caught.value)
    assert hub_day_report(engine, DAY, now=datetime.now(UTC)).rows == ()


def test_a_report_with_personal_data_is_refused_and_the_records_kept(
    known: Log, ours: dict[str, Any], engine: sa.Engine, tmp_path: Path
) -> None:
    token = db.enroll(engine, CHECKPOINT)
    leaking = copy.deepcopy(ours)
    assert leaking["cases"]
    leaking["cases"][0]["name"] = "王芳芳"
    bundle = _bundle_of(known, tmp_path / "b.ckpt.gz", token, canonical(leaking))
    summary = import_bundle(engine, bundle)
    assert summary.stored > 0 and not summary.rejected
    assert [day for day, _ in summary.reports_rejected] == [DAY]
    assert "not masked" in summary.reports_rejected[0][1]
    assert hub_day_report(engine, DAY, now=datetime.now(UTC)).rows == ()


def test_a_bundle_without_reports_is_read_as_before(
    known: Log, engine: sa.Engine, tmp_path: Path
) -> None:
    token = db.enroll(engine, CHECKPOINT)
    bundle = tmp_path / "b.ckpt.gz"
    write_bundle(known.store, bundle, checkpoint_id=CHECKPOINT, token=token)
    header = json.loads(gzip.decompress(bundle.read_bytes()).splitlines()[0])
    assert header["version"] == 1 and "reports" not in header  # a hub from before reads it
    summary = import_bundle(engine, bundle)
    assert summary.stored > 0 and summary.reports_stored == []


def _screen_days_ago(log_path: Path, days: int, people: int, fevers: int) -> None:
    """Screen `people` (`fevers` of them at 38.1 ℃) in the log, `days` days before now (the
    CLI reports the days closed by now, on the test's clock)."""
    at = datetime.now(UTC) - timedelta(days=days)
    store = open_store(log_path, create=False)
    try:
        # The store tests' scene, moved to `at`.
        made = build_scene(open_store(log_path.parent / "scratch.db"))
        made.store.close()
        site = made.site.model_copy(update={"active_from": at})
        shift = made.shift.model_copy(update={"opened_at": at, "checkpoint_id": site.id})
        passage = made.passage.model_copy(update={"passed_at": at, "shift_id": shift.id})
        with store.session() as session:
            records.register_checkpoint(session=session, site=site)
            records.open_shift(session=session, shift=shift)
            records.record_passage(session=session, passage=passage)
        for number in range(people):
            person = make_person(passage, f"旅客{number}")
            value = 38.1 if number < fevers else 36.6
            reading = make_reading(shift, person, value).model_copy(update={"taken_at": at})
            with store.session() as session:
                records.record_screening(session=session, person=person, reading=reading)
    finally:
        store.close()


def test_a_lane_reports_its_days_by_stick_on_the_command_line(tmp_path: Path) -> None:
    home, url = tmp_path / "home", f"sqlite:///{tmp_path / 'hub.db'}"
    assert invoke(home, "init", "--lane", "2号口").exit_code == 0
    log_path = next(home.rglob("*.db"))
    _screen_days_ago(log_path, 3, people=9, fevers=2)
    enrolled = invoke(home, "hub", "enroll", CHECKPOINT, "--db", url)
    token = enrolled.stdout.strip().splitlines()[-1]
    env = {"CHECKPOINT_CHECKPOINT__ID": CHECKPOINT, "CHECKPOINT_SYNC__TOKEN": token}
    bundle = tmp_path / "stick" / "lane.ckpt.gz"
    bundle.parent.mkdir()
    exported = invoke(home, "bundle", "export", "--output", str(bundle), **env)
    assert exported.exit_code == 0, exported.output
    assert "With the daily reports of" in exported.output
    first = invoke(home, "hub", "import", str(bundle), "--db", url)
    assert first.exit_code == 0, first.output
    assert "Daily reports: " in first.output and ", 0 refused" in first.output
    again = invoke(home, "hub", "import", str(bundle), "--db", url, language="zh-CN")
    assert again.exit_code == 0 and "日报告:新存 0 份" in again.output

    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            days = connection.execute(
                sa.select(db.reports.c.day, db.reports.c.body).order_by(db.reports.c.day)
            ).all()
        assert len(days) >= 2  # every closed day since the first shift, zero reports too
        screened = [body for _, body in days if body["new"]["people"]]
        assert [(b["new"]["people"], b["new"]["at_or_over"]) for b in screened] == [(9, 2)]
        assert screened[0]["checkpoint"]["lane"]["name"] == "2号口"
        report = hub_day_report(engine, days[-1].day, now=datetime.now(UTC))
        (row,) = report.rows
        assert row.cumulative.people == 9 and [lane.name for lane in row.lanes] == ["2号口"]
    finally:
        engine.dispose()
