"""The site laptop's tally of all lanes, with no network to the township: four logs of one
checkpoint; the first is the site laptop serving its site hub on 127.0.0.1, the second syncs to
it over HTTP (records and day reports), the third hands over a USB bundle, the fourth is off.
The tally equals the exact sums of the lanes' own reports, the own lane is counted once though
it synced to its own site hub too, and the silent lane is listed as never handed in."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from checkpoint.config import Settings, SiteSection, StorageSection, SyncSection
from checkpoint.hub.imports import import_bundle
from checkpoint.hub.reports import total
from checkpoint.reports.build import day_report, shift_report
from checkpoint.reports.fonts import CjkFont
from checkpoint.reports.json_form import render_json, schema
from checkpoint.reports.model import Report
from checkpoint.reports.pdf import render_pdf
from checkpoint.reports.site_model import LaneSource, SiteLane
from checkpoint.reports.text import render_text
from checkpoint.site.hub import Site, SiteError, open_site
from checkpoint.site.serve import SiteServer
from checkpoint.site.tally import with_site
from checkpoint.store.engine import open_store
from checkpoint.store.lanes import log_lane, name_lane
from checkpoint.sync.bundle import write_bundle
from checkpoint.sync.client import HubClient, sync
from checkpoint.sync.report_push import send_reports
from tests.reports.conftest import (
    DAY,
    Builder,
    Log,
    build_log,
    pdf_text,
    report_settings,
    utc,
)
from tests.reports.conftest import cjk_font as cjk_font  # the shipped font, as a fixture

NOW = utc(26, 6)
TOKEN = "the-checkpoint-token-from-the-township"
LANES = ("进城", "出城", "2号口", "3号口")


@dataclass
class Scene:
    logs: list[Log]
    settings: Settings
    """The site laptop's (the first log's)."""
    site: Site
    server: SiteServer

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


def site_settings(database: Path) -> Settings:
    return report_settings().model_copy(
        update={
            "storage": StorageSection(database=database),
            "sync": SyncSection.model_validate({"token": TOKEN}),
            "site": SiteSection(lanes=LANES[1:]),
        }
    )


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[Scene]:
    logs: list[Log] = []
    server = None
    try:
        for index, name in enumerate(LANES):
            log = build_log(open_store(tmp_path / f"laptop{index}" / "checkpoint.db"))
            with log.store.session() as session:
                name_lane(session=session, name=name)
            logs.append(log)
        # The lanes differ: the second screened a fever more on the day, in the first shift.
        extra = Builder(logs[1].store)
        passage = extra.passage(logs[1].shift_a, utc(24, 6))
        extra.person(logs[1].shift_a, passage, 38.1, utc(24, 6), case=True)
        extra.person(logs[1].shift_a, passage, 36.2, utc(24, 6, 1))
        settings = site_settings(tmp_path / "laptop0" / "checkpoint.db")
        site = open_site(settings, create=True)
        assert site is not None
        server = SiteServer(site, host="127.0.0.1", port=0, quiet=True).start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the site hub did not start"
            time.sleep(0.02)
        yield Scene(logs, settings, site, server)
    finally:
        if server is not None:
            server.stop()
        for log in logs:
            log.store.close()


def hand_in_over_the_lan(scene: Scene, log: Log) -> None:
    with HubClient(scene.address, TOKEN) as client:
        summary = sync(log.store, client, checkpoint_id="HB-XG-0012")
        assert not summary.rejected and summary.mark == summary.head
        send_reports(log.store, report_settings(), client, now=NOW)


def hand_in_by_bundle(scene: Scene, log: Log, path: Path) -> None:
    write_bundle(log.store, path, checkpoint_id="HB-XG-0012", token=TOKEN)
    summary = import_bundle(scene.site.engine, path)
    assert summary.stored > 0 and not summary.rejected
    with log.store.reading() as session:
        scene.site.name_lane(log_lane(session=session).lane_id, "2号口")


def lane_id(log: Log) -> str:
    with log.store.reading() as session:
        return log_lane(session=session).lane_id


def by_name(report: Report) -> dict[str, SiteLane]:
    assert report.site is not None
    return {lane.name: lane for lane in report.site.lanes}


def test_the_site_tally_is_the_exact_sum_of_the_lanes_that_handed_in(
    scene: Scene, tmp_path: Path, cjk_font: CjkFont
) -> None:
    site_log, lan, usb, off = scene.logs
    hand_in_over_the_lan(scene, lan)
    hand_in_by_bundle(scene, usb, tmp_path / "2号口.ckpt.gz")
    # The site laptop synced its own lane to its own site hub too: never counted twice.
    hand_in_over_the_lan(scene, site_log)
    settings = scene.settings

    own = [day_report(log.store, settings, DAY, now=NOW) for log in scene.logs]
    report = with_site(own[0], settings, now=NOW)
    lanes = by_name(report)
    assert report.site is not None
    assert [lane.name for lane in report.site.lanes] == ["进城", "2号口", "3号口", "出城"]
    for log, name, expected in zip(scene.logs[:3], LANES, own, strict=False):
        lane = lanes[name]
        assert lane.lane_id == lane_id(log)
        assert (lane.new, lane.cumulative) == (expected.new, expected.cumulative), name
    assert lanes["进城"].source is LaneSource.LIVE
    assert lanes["出城"].source is lanes["2号口"].source is LaneSource.RECORDS
    assert report.site.total_new == total(r.new for r in own[:3])
    assert report.site.total_cumulative == total(r.cumulative for r in own[:3])
    assert report.site.total_new.at_or_over == 3 * 2 + 1
    # The report's own figures stay the site laptop's lane's.
    assert report.new == own[0].new
    silent = lanes["3号口"]
    assert silent.source is LaneSource.NONE and silent.last_handed_in is None
    assert silent.new is None and silent.stale and not silent.in_total
    assert [lane.name for lane in report.site.behind] == ["3号口"]
    assert off.store is not None  # the fourth laptop is off: it blocks nothing

    data = json.loads(render_json(report))
    jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(data)
    assert [lane["source"] for lane in data["site"]["lanes"]] == [
        "live",
        "records",
        "none",
        "records",
    ]
    assert data["site"]["total"]["new"]["people"] == sum(r.new.people for r in own[:3])
    assert "site" not in json.loads(render_json(own[0]))  # what a lane sends upward
    pdf = pdf_text(render_pdf(report, language="zh-CN", font=cjk_font))
    assert "本卡点所有通道" in pdf and "从未交来" in pdf and "进城（本机）" in pdf

    text = render_text(report, "en")
    assert "never handed in" in text and "Not handed in lately: 3号口 never handed in." in text
    assert "进城 (this laptop)" in text and "live" in text
    zh = render_text(report, "zh-CN")
    assert "从未交来" in zh and "合计" in zh and "（本机）" in zh
    assert all(len(line) <= 80 for line in text.splitlines())


def test_a_shift_tally_counts_the_other_lanes_records_over_the_same_shift(
    scene: Scene, tmp_path: Path
) -> None:
    _, lan, usb, _ = scene.logs
    hand_in_over_the_lan(scene, lan)
    hand_in_by_bundle(scene, usb, tmp_path / "usb.ckpt.gz")
    settings = scene.settings
    own = [shift_report(log.store, settings, log.shift_a.id, now=NOW) for log in scene.logs[:3]]
    report = with_site(own[0], settings, now=NOW)
    lanes = by_name(report)
    for name, expected in zip(LANES, own, strict=False):
        assert (lanes[name].new, lanes[name].cumulative) == (expected.new, expected.cumulative)
    assert report.site is not None
    assert report.site.total_new == total(r.new for r in own)
    assert lanes["出城"].new is not None and lanes["出城"].new.people == own[0].new.people + 2


def test_a_lane_with_only_its_day_report_is_said_so_and_left_out_of_a_shift_total(
    scene: Scene,
) -> None:
    """A lane whose records the site does not hold (only its report came): its day's figures
    are shown as such, in a day's total but never in a shift's."""
    lan = scene.logs[1]
    with HubClient(scene.address, TOKEN) as client:
        send_reports(lan.store, report_settings(), client, now=NOW)
    settings = scene.settings
    lane_day = day_report(lan.store, settings, DAY, now=NOW)
    day = with_site(day_report(scene.logs[0].store, settings, DAY, now=NOW), settings, now=NOW)
    shift = with_site(
        shift_report(scene.logs[0].store, settings, scene.logs[0].shift_a.id, now=NOW),
        settings,
        now=NOW,
    )
    assert by_name(day)["出城"].source is LaneSource.DAY_REPORT
    assert by_name(day)["出城"].new == lane_day.new and by_name(day)["出城"].in_total
    assert day.site is not None and day.site.total_new == total([day.new, lane_day.new])
    assert not by_name(shift)["出城"].in_total
    assert shift.site is not None and shift.site.total_new == shift.new
    assert "Not in the total: 出城" in render_text(shift, "en")


def test_a_laptop_without_a_site_hub_reports_its_own_lane_only(tmp_path: Path) -> None:
    settings = site_settings(tmp_path / "alone" / "checkpoint.db")
    store = open_store(settings.storage.database)
    try:
        build_log(store)
        report = day_report(store, settings, DAY, now=NOW)
        assert with_site(report, settings, now=NOW) is report
    finally:
        store.close()


def test_a_port_in_use_is_a_message(scene: Scene) -> None:
    with pytest.raises(SiteError) as raised:
        SiteServer(scene.site, host="127.0.0.1", port=scene.server.port)
    assert raised.value.code == "site.port_in_use"
    message, hint = raised.value.text("zh-CN")
    assert str(scene.server.port) in message and "--port" in hint


def test_a_wrong_token_is_refused_and_stores_nothing(scene: Scene) -> None:
    from checkpoint.sync.client import SyncError

    with HubClient(scene.address, "not-the-token") as client, pytest.raises(SyncError):
        sync(scene.logs[1].store, client, checkpoint_id="HB-XG-0012")
    report = with_site(
        day_report(scene.logs[0].store, scene.settings, DAY, now=NOW), scene.settings, now=NOW
    )
    assert by_name(report)["出城"].last_handed_in is None
