"""What the few flagged people add to a report: the risk-area, re-measurement and decision
figures, and the list of fever cases with their follow-up, masked for printing.

These rows are few (people with a case, re-measurements, decisions), so they are read whole and
counted in Python in the amended view, with the same rules as `figures.py`.
"""

from __future__ import annotations

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
    amended = corrections.of(table)
    found = {row["id"]: row for row in rows}
    missing = [row_id for row_id in amended if row_id not in found]
    found.update((row["id"], row) for row in rows_by_id(db, table, missing))
    return [{**row, **amended.get(row_id, {})} for row_id, row in found.items()]


def _select(db: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = db.cursor()
    cursor.row_factory = sqlite3.Row
    return [dict(row) for row in cursor.execute(sql, params)]


def count_follow_ups(db: sqlite3.Connection, corrections: Corrections, result: Tally) -> None:
    """Add from_risk_areas, remeasured, axillary_confirmed and the dispositions to `result`."""
    _count_risk_areas(db, corrections, result)
    readings = _amended_rows(
        db,
        corrections,
        "reading",
        _select(
            db,
            "SELECT id, person_id, purpose, taken_at, flagged FROM reading "
            f"WHERE purpose IN ('{_REMEASURE}', '{_AXILLARY}')",
        ),
    )
    for figure, purpose, flagged_only in (
        ("remeasured", _REMEASURE, False),
        ("axillary_confirmed", _AXILLARY, True),
    ):
        # People, not readings: the first qualifying reading of each person in the period.
        new: set[str] = set()
        before_end: set[str] = set()
        for row in readings:
            if row["purpose"] != purpose or (flagged_only and not row["flagged"]):
                continue
            if row["taken_at"] < result.end:
                before_end.add(row["person_id"])
                if row["taken_at"] >= result.start:
                    new.add(row["person_id"])
        result.new[figure] += len(new)
        result.cumulative[figure] += len(before_end)
    events = _amended_rows(
        db,
        corrections,
        "case_event",
        _select(db, "SELECT id, kind, at, disposition FROM case_event"),
    )
    for row in events:
        if row["kind"] != "decided" or row["disposition"] is None:
            continue
        decided = _DISPOSITION_FIGURES.get(Disposition(row["disposition"]))
        if decided is not None:
            result.count(decided, row["at"])


def _count_risk_areas(db: sqlite3.Connection, corrections: Corrections, result: Tally) -> None:
    # Answered from the partial index ix_person_risk_area_travel: only marked people are read.
    risky = {row_id for (row_id,) in db.execute("SELECT id FROM person WHERE risk_area_travel = 1")}
    for person_id, fields in corrections.of("person").items():
        if "risk_area_travel" in fields:
            if fields["risk_area_travel"]:
                risky.add(person_id)
            else:
                risky.discard(person_id)
    written: list[dict[str, Any]] = []
    ordered = sorted(risky)
    for part in chunks(ordered):
        marks = ",".join("?" * len(part))
        written += _select(
            db,
            f"SELECT id, person_id, purpose, taken_at FROM reading WHERE person_id IN ({marks})",
            part,
        )
    for row in _amended_rows(db, corrections, "reading", written):
        if row["purpose"] == ReadingPurpose.SCREENING.value and row["person_id"] in risky:
            result.count("from_risk_areas", row["taken_at"])


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


def fever_cases(session: Session, *, start_text: str, end_text: str) -> tuple[FeverCase, ...]:
    """Cases opened before the end of the period that had a step in it or were still open at
    its end, oldest first; steps up to the end of the period, personal fields masked."""
    events = _amended(session, session.exec(select(CaseEvent).order_by(col(CaseEvent.seq))).all())
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
                        note=e.note,
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
