"""What the few flagged people add to a report: the risk-area, re-measurement and decision
figures, and the list of fever cases with their follow-up, masked for printing.

These rows are few (people with a case, re-measurements, decisions), so they are read whole and
counted in Python in the amended view, with the same rules as `figures.py`.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar

from sqlmodel import Session, col, select

from checkpoint.domain.cases import CaseReason
from checkpoint.domain.masking import mask_document, mask_name, mask_phone
from checkpoint.domain.vocabulary import Disposition, ReadingPurpose
from checkpoint.reports.figures import Corrections, Tally, chunks, rows_by_id
from checkpoint.reports.model import CaseStep, FeverCase
from checkpoint.reports.period import stored_time
from checkpoint.store.amendments import amended_view
from checkpoint.store.models import CaseEvent, LogRecord, Person, Reading, VehiclePassage

R = TypeVar("R", bound=LogRecord)

_REMEASURE = ReadingPurpose.REMEASURE.value
_AXILLARY = ReadingPurpose.AXILLARY.value
_SCREENING = ReadingPurpose.SCREENING.value
_DISPOSITION_FIGURES: Final[Mapping[Disposition, str]] = {
    Disposition.REFERRED_FEVER_CLINIC: "referred",
    Disposition.HELD_FOR_OBSERVATION: "held",
    Disposition.HOME_ISOLATION: "home_isolation",
    Disposition.HOME_HEALTH_MONITORING: "home_isolation",
    Disposition.CENTRAL_ISOLATION: "central_isolation",
}
"""Decisions counted in the report, by figure (home health monitoring counts as home isolation)."""


def _amended_rows(
    db: sqlite3.Connection, corrections: Corrections, table: str, rows: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`rows` and every other amended row of `table`, each with its amendments applied."""
    amended = corrections.for_table(table)
    found = {row["id"]: row for row in rows}
    missing = [row_id for row_id in amended if row_id not in found]
    found.update((row["id"], row) for row in rows_by_id(db, table, missing))
    return [{**row, **amended.get(row_id, {})} for row_id, row in found.items()]


def _select(db: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = db.cursor()
    cursor.row_factory = sqlite3.Row
    return [dict(row) for row in cursor.execute(sql, params)]


# Parameters: period start, end, then the ids left to Python as a JSON array.
RISK_AREAS_SQL: Final = (
    # The few marked people first (CROSS JOIN keeps person outside), then each one's readings
    # by person_id: the unary + keeps SQLite, which has no ANALYZE statistics on a real log,
    # from searching every screening of the period for each person instead.
    "SELECT total(r.taken_at >= ?), count(*) FROM person p "
    "CROSS JOIN reading r ON r.person_id = p.id "
    "WHERE p.risk_area_travel = 1 AND +r.purpose = 'screening' AND +r.taken_at < ? "
    "AND p.id NOT IN (SELECT value FROM json_each(?))"
)
MEASURED_SQL: Final = (
    # Parameters: start, purpose, end, flagged only (0/1), excluded people.
    "SELECT count(DISTINCT CASE WHEN taken_at >= ? THEN person_id END), "
    "count(DISTINCT person_id) FROM reading "
    "WHERE purpose = ? AND taken_at < ? AND (flagged OR NOT ?) "
    "AND person_id NOT IN (SELECT value FROM json_each(?))"
)
OPENED_SQL: Final = (
    # Cases opened (one per person: a fever, symptoms or a history), but for the amended ones.
    "SELECT total(at >= ?), count(*) FROM case_event "
    "WHERE kind = 'opened' AND at < ? AND id NOT IN (SELECT value FROM json_each(?))"
)
DECISIONS_SQL: Final = (
    "SELECT disposition, total(at >= ?), count(*) FROM case_event "
    "WHERE kind = 'decided' AND at < ? AND disposition IS NOT NULL "
    "AND id NOT IN (SELECT value FROM json_each(?)) GROUP BY disposition"
)


def _json_ids(ids: Iterable[str]) -> str:
    # One bound parameter for any number of ids: `x NOT IN (SELECT value FROM json_each(?))`.
    return json.dumps(sorted(ids))


def _affected_people(db: sqlite3.Connection, corrections: Corrections) -> set[str]:
    """People whose figures an amendment may change: amended people, and the people (as written
    and as amended) of amended readings. They are counted in Python; everyone else in SQL."""
    amended = corrections.for_table("reading")
    people = set(corrections.for_table("person"))
    people |= {row["person_id"] for row in rows_by_id(db, "reading", amended) if row["person_id"]}
    people |= {f["person_id"] for f in amended.values() if f.get("person_id")}
    return people


def _readings_of(
    db: sqlite3.Connection, corrections: Corrections, people: set[str]
) -> list[dict[str, Any]]:
    """Every reading of `people` in the amended view (amended readings moved to them too)."""
    written: list[dict[str, Any]] = []
    for part in chunks(sorted(people)):
        marks = ",".join("?" * len(part))
        written += _select(db, f"SELECT * FROM reading WHERE person_id IN ({marks})", part)
    return [
        r for r in _amended_rows(db, corrections, "reading", written) if r["person_id"] in people
    ]


def count_follow_ups(db: sqlite3.Connection, corrections: Corrections, result: Tally) -> None:
    """Add from_risk_areas, remeasured, axillary_confirmed, suspected and the dispositions to
    `result`."""
    affected = _affected_people(db, corrections)
    excluded = _json_ids(affected)
    bounds = (result.start, result.end)
    # Risk-area people from the partial index ix_person_risk_area_travel, then their readings.
    (new, before_end), *_ = db.execute(RISK_AREAS_SQL, (*bounds, excluded))
    result.new["from_risk_areas"] += int(new)
    result.cumulative["from_risk_areas"] += int(before_end)
    # People (not readings) re-measured, and confirmed by an axillary reading.
    for figure, purpose, flagged_only in (
        ("remeasured", _REMEASURE, 0),
        ("axillary_confirmed", _AXILLARY, 1),
    ):
        (new, before_end), *_ = db.execute(
            MEASURED_SQL, (result.start, purpose, result.end, flagged_only, excluded)
        )
        result.new[figure] += new
        result.cumulative[figure] += before_end
    _count_affected(db, corrections, result, affected)
    # Decisions: rows as written, but for the amended ones, which are counted as amended.
    amended_events = corrections.for_table("case_event")
    for disposition, new, before_end in db.execute(
        DECISIONS_SQL, (*bounds, _json_ids(amended_events))
    ):
        decided = _DISPOSITION_FIGURES.get(Disposition(disposition))
        if decided is not None:
            result.new[decided] += int(new)
            result.cumulative[decided] += int(before_end)
    (new, before_end), *_ = db.execute(OPENED_SQL, (*bounds, _json_ids(amended_events)))
    result.new["suspected"] += int(new)
    result.cumulative["suspected"] += int(before_end)
    for row in _amended_rows(db, corrections, "case_event", []):
        if row["kind"] == "opened":
            result.count("suspected", row["at"])
        if row["kind"] == "decided" and row["disposition"] is not None:
            decided = _DISPOSITION_FIGURES.get(Disposition(row["disposition"]))
            if decided is not None:
                result.count(decided, row["at"])


def _count_affected(
    db: sqlite3.Connection, corrections: Corrections, result: Tally, people: set[str]
) -> None:
    """The same figures for the people an amendment touches, in Python, amended view."""
    if not people:
        return
    persons = _amended_rows(db, corrections, "person", rows_by_id(db, "person", people))
    risky = {p["id"] for p in persons if p["risk_area_travel"]}
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in _readings_of(db, corrections, people):
        purpose, at, person = row["purpose"], row["taken_at"], row["person_id"]
        if purpose == _SCREENING and person in risky:
            result.count("from_risk_areas", at)
        figure = {_REMEASURE: "remeasured", _AXILLARY: "axillary_confirmed"}.get(purpose)
        if figure is None or (purpose == _AXILLARY and not row["flagged"]) or at >= result.end:
            continue
        seen[figure].add(("cumulative", person))
        if at >= result.start:
            seen[figure].add(("new", person))
    for figure, marks in seen.items():
        result.new[figure] += sum(1 for which, _ in marks if which == "new")
        result.cumulative[figure] += sum(1 for which, _ in marks if which == "cumulative")


# --------------------------------------------------------------------------------------------
# The list of cases


def _amended(session: Session, rows: Sequence[R]) -> list[R]:
    return [a.record for a in amended_view(session=session, records=rows)]


def _by_ids(session: Session, model: type[R], column: Any, ids: Sequence[uuid.UUID]) -> list[R]:
    found: list[R] = []
    for part in chunks(sorted(set(ids))):
        found += session.exec(select(model).where(col(column).in_(part))).all()
    return found


def _value(reading: Reading | None) -> float | None:
    if reading is None:
        return None
    return reading.rounded_c if reading.rounded_c is not None else reading.value_c


def _candidates(
    db: sqlite3.Connection, corrections: Corrections, start_text: str, end_text: str
) -> list[uuid.UUID]:
    """People whose case may be listed (a superset, checked in the amended view after): a step
    in the period, an opened case without a decision before the end, or an amended step."""
    found = {
        row_id
        for (row_id,) in db.execute(
            "SELECT person_id FROM case_event WHERE at >= ? AND at < ? "
            "UNION SELECT person_id FROM case_event WHERE kind = 'opened' AND at < ? "
            "AND person_id NOT IN "
            "(SELECT person_id FROM case_event WHERE kind = 'decided' AND at < ?)",
            (start_text, end_text, end_text, end_text),
        )
    }
    amended = corrections.for_table("case_event")
    found |= {row["person_id"] for row in rows_by_id(db, "case_event", amended)}
    found |= {fields["person_id"] for fields in amended.values() if "person_id" in fields}
    return [uuid.UUID(hex=row_id) for row_id in sorted(found)]


def fever_cases(
    session: Session,
    db: sqlite3.Connection,
    corrections: Corrections,
    *,
    start_text: str,
    end_text: str,
) -> tuple[FeverCase, ...]:
    """Cases opened before the end of the period that had a step in it or were still open at
    its end, oldest first; steps up to the end of the period, personal fields masked."""
    candidates = _candidates(db, corrections, start_text, end_text)
    if not candidates:
        return ()
    written = _by_ids(session, CaseEvent, CaseEvent.person_id, candidates)
    written += _by_ids(
        session,
        CaseEvent,
        CaseEvent.id,
        [uuid.UUID(hex=i) for i in corrections.for_table("case_event")],
    )
    unique = {event.id: event for event in written}
    events = _amended(session, sorted(unique.values(), key=lambda e: e.seq or 0))
    by_person: dict[uuid.UUID, list[CaseEvent]] = defaultdict(list)
    for event in events:
        if stored_time(event.at) < end_text:
            by_person[event.person_id].append(event)
    chosen = [
        person_id
        for person_id, steps in by_person.items()
        if any(e.kind == "opened" for e in steps)
        and (
            any(stored_time(e.at) >= start_text for e in steps)
            or not any(e.kind == "decided" for e in steps)
        )
    ]
    if not chosen:
        return ()
    people = {p.id: p for p in _amended(session, _by_ids(session, Person, Person.id, chosen))}
    readings = {
        r.id: r for r in _amended(session, _by_ids(session, Reading, Reading.person_id, chosen))
    }
    passages = {
        v.id: v
        for v in _amended(
            session,
            _by_ids(
                session, VehiclePassage, VehiclePassage.id, [p.passage_id for p in people.values()]
            ),
        )
    }
    found = []
    for person_id in chosen:
        person = people[person_id]
        steps = by_person[person_id]
        screening = next(
            (
                r
                for r in readings.values()
                if r.person_id == person_id and r.purpose is ReadingPurpose.SCREENING
            ),
            None,
        )
        decided = [e for e in steps if e.kind == "decided" and e.disposition is not None]
        passage = passages.get(person.passage_id)
        found.append(
            FeverCase(
                person_id=person_id,
                screened_at=screening.taken_at if screening else steps[0].at,
                name=mask_name(person.name or ""),
                document=mask_document(person.document_number) if person.document_number else "",
                phone=mask_phone(person.phone) if person.phone else "",
                plate=(passage.plate or "") if passage else "",
                origin=person.origin,
                first_value_c=_value(screening),
                reasons=_reasons(steps, screening),
                steps=tuple(
                    CaseStep(
                        at=e.at,
                        kind=e.kind,
                        by=e.by,
                        value_c=_value(readings.get(e.reading_id)) if e.reading_id else None,
                        disposition=e.disposition,
                        note=_note(e),
                    )
                    for e in steps
                ),
                disposition=decided[-1].disposition if decided else None,
                decided_by=decided[-1].by if decided else "",
            )
        )
    return tuple(sorted(found, key=lambda c: (c.screened_at, c.person_id)))


def _reasons(steps: Sequence[CaseEvent], screening: Reading | None) -> tuple[str, ...]:
    # The domain's rule (domain/cases.py): a flagged screening, symptoms, risk-area travel or a
    # contact opens a case; reasons only ever add up.
    present = {
        CaseReason.FEVER: screening is not None and screening.flagged,
        CaseReason.SYMPTOMS: any(e.symptoms for e in steps),
        CaseReason.RISK_AREA_TRAVEL: any(e.risk_area_travel for e in steps),
        CaseReason.CONTACT: any(e.contact_history for e in steps),
    }
    return tuple(reason.value for reason in CaseReason if present[reason])


_REASON_CODES: Final = frozenset(CaseReason)


def _note(event: CaseEvent) -> str:
    """The step's note for a reader: logs written before the reasons stopped being kept as
    the opening's note hold "fever, symptoms" there, codes that no report should print (the
    case's reasons are shown, translated, on their own line)."""
    if event.kind == "opened" and set(event.note.split(", ")) <= _REASON_CODES:
        return ""
    return event.note
