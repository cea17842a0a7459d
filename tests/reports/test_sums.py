"""Counts add up on every screen and report, on a shift logged through the desk: vehicles +
groups on foot = passages = in + out, and "at or over the threshold" (a reading) and
"suspected" (a case, for any reason) are two named lines that differ when they should."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from checkpoint.config import load_settings
from checkpoint.domain.plates import parse_plate
from checkpoint.domain.readings import Reading, parse_typed_temperature
from checkpoint.domain.vocabulary import Direction, Instrument, Symptom, VehicleType
from checkpoint.reports.build import shift_report
from checkpoint.reports.fonts import CjkFont
from checkpoint.reports.json_form import render_json, schema
from checkpoint.reports.model import Report
from checkpoint.reports.pdf import render_pdf
from checkpoint.reports.terminal import render_terminal
from checkpoint.reports.text import render_receipt, render_text
from checkpoint.screening.desk import PersonEntry, ScreeningDesk, ShiftCounters, VehicleEntry
from checkpoint.store.engine import open_store
from tests.reports.test_pdf import pdf_text

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _typed(text: str) -> Reading:
    return parse_typed_temperature(text, instrument=Instrument.INFRARED_TYPED, taken_at=NOW)


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[tuple[Report, ShiftCounters]]:
    """3 cars in, 1 car out, 2 groups on foot in and 1 out: 7 passages, in 5 + out 2; one
    fever (38.2) and one cough at 36.5: at or over 1, suspected 2."""
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    store = open_store(tmp_path / "log.db")
    desk = ScreeningDesk(store=store, settings=settings, clock=lambda: NOW)
    shift = desk.open_shift(leader="李强", operators=["王芳"])
    passages = [
        (VehicleType.CAR, "鄂A12340", Direction.IN),
        (VehicleType.CAR, "鄂A12341", Direction.IN),
        (VehicleType.CAR, "鄂A12342", Direction.IN),
        (VehicleType.CAR, "京A12345", Direction.OUT),
        (VehicleType.ON_FOOT, None, Direction.IN),
        (VehicleType.ON_FOOT, None, Direction.IN),
        (VehicleType.ON_FOOT, None, Direction.OUT),
    ]
    for number, (kind, plate, direction) in enumerate(passages):
        entry = VehicleEntry(kind, parse_plate(plate) if plate else None, direction)
        passage = desk.start_passage(shift.id, entry, operator="王芳")
        person = PersonEntry(symptoms=frozenset({Symptom.COUGH}) if number == 5 else None)
        value = "38.2" if number == 1 else "36.5"
        desk.screen(shift.id, passage, person, _typed(value), operator="王芳")
    try:
        yield (
            shift_report(store, settings, shift.id, now=NOW + timedelta(minutes=5)),
            desk.counters(shift.id),
        )
    finally:
        store.close()


def test_the_counts_add_up_on_the_lane_and_in_the_report(
    logged: tuple[Report, ShiftCounters],
) -> None:
    report, counters = logged
    figures = report.new
    assert (figures.vehicles, figures.on_foot, figures.passages) == (4, 3, 7)
    assert figures.vehicles + figures.on_foot == figures.passages
    assert (figures.inbound, figures.outbound) == (5, 2)
    assert figures.inbound + figures.outbound == figures.passages
    assert (figures.people, figures.at_or_over, figures.suspected) == (7, 1, 2)
    assert (report.cumulative.passages, report.cumulative.suspected) == (7, 2)
    # the lane's status bar and end-of-shift screen count the same things
    assert (counters.vehicles, counters.on_foot, counters.passages) == (4, 3, 7)
    assert (counters.inbound, counters.outbound) == (5, 2)
    assert (counters.people, counters.flagged, counters.suspected) == (7, 1, 2)


def test_every_format_writes_the_sums_and_both_lines(
    logged: tuple[Report, ShiftCounters], cjk_font: CjkFont
) -> None:
    report, _ = logged
    sums = {
        "en": "Check: 4 vehicles + 3 groups on foot = 7 passages; in 5 + out 2 = 7.",
        "zh-CN": "核对：车辆 4 + 步行 3 批 = 通行 7；进 5 + 出 2 = 7。",
    }
    for language, line in sums.items():
        text = render_text(report, language)
        assert line in text
        flat = "".join(render_receipt(report, language).split())
        assert "".join(line.split()) in flat  # wrapped at 32 cells, every number there
        assert line in render_terminal(report, language, width=120)
        assert "".join(line.split()) in pdf_text(
            render_pdf(report, language=language, font=cjk_font)
        )
    english = render_text(report, "en")
    at_or_over = next(x for x in english.splitlines() if x.startswith("People at or over"))
    suspected = next(x for x in english.splitlines() if x.startswith("Suspected"))
    assert at_or_over.split()[-2:] == ["1", "1"] and suspected.split()[-2:] == ["2", "2"]
    data = json.loads(render_json(report))
    jsonschema.Draft202012Validator(schema()).validate(data)
    new = data["new"]
    assert new["vehicles"] + new["on_foot"] == new["passages"] == new["inbound"] + new["outbound"]
    assert (new["at_or_over"], new["suspected"]) == (1, 2)
