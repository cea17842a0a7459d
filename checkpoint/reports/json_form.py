"""The report as JSON, for the hub and other programs; `report.schema.json` beside this module
documents every member (JSON Schema 2020-12), and a test validates output against it.

Times are UTC in ISO 8601; counts are people-times; the version is `REPORT_SCHEMA_VERSION`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from checkpoint.reports.model import REPORT_SCHEMA_VERSION, FeverCase, Figures, Report
from checkpoint.reports.site_model import SiteTally

SCHEMA_FILE = "report.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema of the report's JSON form."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _figures(figures: Figures) -> dict[str, int]:
    return {f.name: getattr(figures, f.name) for f in fields(Figures)}


def _case(case: FeverCase) -> dict[str, Any]:
    return {
        "person_id": str(case.person_id),
        "screened_at": _time(case.screened_at),
        "name": case.name,
        "document": case.document,
        "phone": case.phone,
        "plate": case.plate,
        "origin": case.origin,
        "first_value_c": case.first_value_c,
        "reasons": list(case.reasons),
        "steps": [
            {
                "at": _time(step.at),
                "kind": step.kind,
                "by": step.by,
                "value_c": step.value_c,
                "disposition": step.disposition.value if step.disposition else None,
                "note": step.note,
            }
            for step in case.steps
        ],
        "disposition": case.disposition.value if case.disposition else None,
        "decided_by": case.decided_by,
    }


def to_data(report: Report) -> dict[str, Any]:
    """The report as plain JSON data (see `report.schema.json`)."""
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "kind": report.kind.value,
        "checkpoint": {
            "code": report.checkpoint_code,
            "name": report.checkpoint_name,
            "township": report.township,
            "county": report.county,
            "timezone": report.timezone,
            "lane": {"id": report.lane.lane_id, "name": report.lane.name},
        },
        "report_day": report.report_day or None,
        "shift": None
        if report.shift_id is None
        else {
            "id": str(report.shift_id),
            "leader": report.leader,
            "handover_note": report.handover_note,
        },
        "period": {"start": _time(report.start), "end": _time(report.end)},
        "generated_at": _time(report.generated_at),
        "threshold_c": report.threshold_c,
        "zero_report": report.zero_report,
        "new": _figures(report.new),
        "cumulative": _figures(report.cumulative),
        "by_hour": [
            {"hour_start": _time(h.hour_start), "people": h.people, "at_or_over": h.at_or_over}
            for h in report.by_hour
        ],
        "temperatures": [{"value_c": v, "people": n} for v, n in report.temperatures],
        "cases": [_case(case) for case in report.cases],
        "staff_on_duty": list(report.staff_on_duty),
        "signatures": [asdict(s) | {"names": list(s.names)} for s in report.signatures],
        "log_range": asdict(report.log_range),
    } | ({} if report.site is None else {"site": _site(report.site)})


def _site(tally: SiteTally) -> dict[str, Any]:
    """The site tally (a site laptop only): each lane with its source and last hand-in, the
    total of the lanes counted in it."""
    return {
        "generated_at": _time(tally.generated_at),
        "stale_minutes": tally.stale_minutes,
        "lanes": [
            {
                "id": lane.lane_id,
                "name": lane.name,
                "source": lane.source.value,
                "last_handed_in": None
                if lane.last_handed_in is None
                else _time(lane.last_handed_in),
                "stale": lane.stale,
                "in_total": lane.in_total,
                "report_day": lane.report_day or None,
                "new": None if lane.new is None else _figures(lane.new),
                "cumulative": None if lane.cumulative is None else _figures(lane.cumulative),
            }
            for lane in tally.lanes
        ],
        "total": {"new": _figures(tally.total_new), "cumulative": _figures(tally.total_cumulative)},
    }


def render_json(report: Report) -> str:
    """The JSON text: UTF-8, Chinese kept as is, indented for people who read it too."""
    return json.dumps(to_data(report), ensure_ascii=False, indent=2) + "\n"
