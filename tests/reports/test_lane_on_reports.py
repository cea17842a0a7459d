"""Every daily and shift report says which lane of its checkpoint it is (JSON, text, PDF)."""

from __future__ import annotations

import dataclasses

from checkpoint.domain.lanes import Lane
from checkpoint.reports.build import day_report
from checkpoint.reports.fonts import CjkFont
from checkpoint.reports.json_form import to_data
from checkpoint.reports.pdf import render_pdf
from checkpoint.reports.terminal import render_terminal
from checkpoint.reports.text import render_text
from checkpoint.store.lanes import log_lane, name_lane
from tests.reports.conftest import DAY, GENERATED, Log, make_report, pdf_text, report_settings


def test_a_report_built_from_the_log_carries_its_lane(log: Log) -> None:
    with log.store.session() as session:
        lane = name_lane(session=session, name="2号口")
    report = day_report(log.store, report_settings(), DAY, now=GENERATED)
    assert report.lane == lane
    assert to_data(report)["checkpoint"]["lane"] == {"id": lane.lane_id, "name": "2号口"}
    assert "通道: 2号口" in render_text(report, language="zh-CN").replace("：", ": ")


def test_the_default_lane_is_said_as_such_in_each_language(log: Log) -> None:
    with log.store.reading() as session:
        lane = log_lane(session=session)
    report = day_report(log.store, report_settings(), DAY, now=GENERATED)
    assert to_data(report)["checkpoint"]["lane"] == {"id": lane.lane_id, "name": ""}
    assert "default lane" in render_text(report, language="en")
    assert "默认通道" in render_text(report, language="zh-CN")
    assert "default lane" in render_terminal(report, language="en")


def test_the_printed_sheet_names_the_lane(cjk_font: CjkFont) -> None:
    report = dataclasses.replace(make_report(), lane=Lane("0" * 8, "进城"))
    assert "进城" in pdf_text(render_pdf(report, language="zh-CN", font=cjk_font))
