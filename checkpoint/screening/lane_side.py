"""What the lane's side panel shows on a wide terminal: the last vehicles and the open cases.

Read-only queries over the log, run in a thread worker of the panel; nothing here knows there
is a screen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from checkpoint.domain.vocabulary import VehicleType
from checkpoint.screening.follow_up import FollowUp
from checkpoint.store.engine import Store
from checkpoint.store.models import Person, Reading, VehiclePassage


@dataclass(frozen=True)
class RecentPassage:
    """A vehicle (or a group on foot) of this shift, newest first."""

    plate: str | None
    vehicle_type: VehicleType
    people: int
    passed_at: datetime
    fever: bool
    """A reading of one of its people was at or over the threshold."""


@dataclass(frozen=True)
class OpenCase:
    """A person whose case is not decided yet."""

    who: str | None
    """The person's name, else the vehicle's plate; None for a nameless person on foot or in a
    vehicle without a plate (the screen says so in its language; an id would mean nothing)."""
    temperature_c: float | None
    """The highest reading of the case."""
    since: datetime | None


def recent_passages(*, store: Store, shift_id: uuid.UUID, limit: int = 8) -> list[RecentPassage]:
    """The last `limit` passages of the shift with their people and whether one had a fever."""
    with store.reading() as session:
        passages = session.exec(
            select(VehiclePassage)
            .where(VehiclePassage.shift_id == shift_id)
            .order_by(col(VehiclePassage.seq).desc())
            .limit(limit)
        ).all()
        ids = [p.id for p in passages]
        people = dict(
            session.exec(
                select(Person.passage_id, func.count(col(Person.id)))
                .where(col(Person.passage_id).in_(ids))
                .group_by(col(Person.passage_id))
            ).all()
        )
        feverish = set(
            session.exec(
                select(Person.passage_id)
                .join(Reading, col(Reading.person_id) == col(Person.id))
                .where(col(Person.passage_id).in_(ids), col(Reading.flagged))
            ).all()
        )
    return [
        RecentPassage(p.plate, p.vehicle_type, people.get(p.id, 0), p.passed_at, p.id in feverish)
        for p in passages
    ]


def open_cases(follow: FollowUp) -> list[OpenCase]:
    """Every case not decided yet, oldest first (the observation queue, in short)."""
    found = []
    for view in follow.open_cases():
        values = [r.value_c for r in view.readings if r.value_c is not None]
        who = view.name or view.plate or None
        found.append(OpenCase(who, max(values, default=None), view.state.opened_at))
    return found
