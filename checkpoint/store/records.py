"""Writing and reading the log's records: keyword-only functions over one session each.

Each function that writes appends through `chain.append` and leaves the commit to the caller's
unit of work (`Store.session()`), so a screening (person + reading) is saved whole or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from checkpoint.domain.fever import FeverAssessment
from checkpoint.domain.readings import Reading as DomainReading
from checkpoint.domain.vocabulary import ReadingPurpose
from checkpoint.store.amendments import amended_view
from checkpoint.store.chain import append
from checkpoint.store.models import (
    CheckpointSite,
    CheckpointSiteFields,
    LogFields,
    PersonFields,
    Reading,
    ReadingFields,
    Shift,
    ShiftClosure,
    ShiftFields,
    StaffCheckFields,
    VehiclePassageFields,
)


def register_checkpoint(*, session: Session, site: CheckpointSiteFields) -> CheckpointSiteFields:
    """Record the checkpoint this log belongs to (once, at `checkpoint init`)."""
    append(session, site)
    return site


def current_checkpoint(*, session: Session, code: str | None = None) -> CheckpointSite | None:
    """The checkpoint registered in this log (with `code`, if given), amended; None if none."""
    query = select(CheckpointSite).order_by(col(CheckpointSite.seq).desc())
    if code is not None:
        query = query.where(CheckpointSite.code == code)
    site = session.exec(query.limit(1)).first()
    if site is None:
        return None
    return amended_view(session=session, records=[site])[0].record


def open_shift(
    *,
    session: Session,
    shift: ShiftFields,
    staff_checks: Sequence[tuple[ReadingFields, StaffCheckFields]] = (),
) -> ShiftFields:
    """Open a duty shift with the staff's own temperatures (reading first, then the check)."""
    records: list[LogFields] = [shift]
    for reading, check in staff_checks:
        records += [reading, check]
    append(session, *records)
    return shift


def open_shifts(*, session: Session, checkpoint_id: uuid.UUID) -> list[Shift]:
    """Shifts of a checkpoint that have no closure yet (resumed after a crash or restart)."""
    closed = select(ShiftClosure.shift_id)
    query = (
        select(Shift)
        .where(Shift.checkpoint_id == checkpoint_id, col(Shift.id).not_in(closed))
        .order_by(col(Shift.seq))
    )
    return list(session.exec(query))


def record_passage(*, session: Session, passage: VehiclePassageFields) -> VehiclePassageFields:
    """Record a vehicle (or a group on foot) passing."""
    append(session, passage)
    return passage


def record_screening(*, session: Session, person: PersonFields, reading: ReadingFields) -> None:
    """Record one screened person and their reading together: both or neither are saved."""
    if reading.person_id != person.id:
        raise ValueError("the reading must belong to the person it is saved with")
    append(session, person, reading)


def readings_of(*, session: Session, person_id: uuid.UUID) -> list[Reading]:
    """Every reading of a person, oldest first, as taken."""
    query = select(Reading).where(Reading.person_id == person_id).order_by(col(Reading.seq))
    return list(session.exec(query))


def reading_fields(
    reading: DomainReading,
    assessment: FeverAssessment,
    *,
    purpose: ReadingPurpose,
    shift_id: uuid.UUID,
    operator: str,
    person_id: uuid.UUID | None = None,
) -> ReadingFields:
    """The row of a domain reading as the fever rule judged it: value, unit, site, instrument
    and raw input as received, the threshold in force, and whether it was flagged."""
    return ReadingFields(
        person_id=person_id,
        shift_id=shift_id,
        taken_at=reading.taken_at,
        purpose=purpose,
        value=reading.value,
        unit=reading.unit,
        value_c=reading.value_c,
        site=reading.site,
        instrument=reading.instrument,
        raw=reading.raw,
        plausibility=reading.plausibility,
        estimated_from_c=reading.estimated_from_c,
        ambient_c=reading.ambient_c,
        threshold_c=float(assessment.threshold_c),
        rounded_c=None if assessment.rounded_c is None else float(assessment.rounded_c),
        flagged=assessment.at_or_over,
        operator=operator,
    )


def log_size(*, session: Session) -> int:
    """Number of records in the log (the chain head's sequence number)."""
    return int(session.execute(sa.text("SELECT seq FROM chain_head WHERE id = 1")).scalar_one())
