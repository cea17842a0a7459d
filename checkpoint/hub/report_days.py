"""Which report days a hub believes a checkpoint can report: none after the hub's own today
(plus the time-zone margin), none before the checkpoint existed.

A checkpoint existed from the earlier of its enrolment (here, or at a hub below, as that hub
said) and its first record the hub holds whose time is plausible (`wire.clock`): a laptop that
worked offline before it was enrolled reports those days with the records that support them,
and a laptop whose clock said 1970 at its first shift does not make the checkpoint older. The
hub's clock is the only one used for "today": a laptop that says 2099 cannot report 2099.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from checkpoint.hub.db import below_checkpoints, checkpoints, records
from checkpoint.wire.clock import EARLIEST_PLAUSIBLE, ZONE_MARGIN, first_day_of, latest_today


@dataclass(frozen=True, slots=True)
class DayRefused:
    """Why a report day is refused: `code` (a `wire.refusals` code) and the bound it broke."""

    code: str
    bound: date


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def existed_since(
    connection: sa.Connection, checkpoint_id: str, *, now: datetime
) -> datetime | None:
    """The earliest instant the hub believes `checkpoint_id` existed at; None if it knows nothing
    of it."""
    found: list[datetime] = []
    enrolled = connection.execute(
        sa.select(checkpoints.c.enrolled_at).where(checkpoints.c.id == checkpoint_id)
    ).scalar()
    if enrolled is not None:
        found.append(_aware(enrolled))
    below = connection.execute(
        sa.select(sa.func.min(below_checkpoints.c.enrolled_at)).where(
            below_checkpoints.c.checkpoint_id == checkpoint_id
        )
    ).scalar()
    if below is not None:
        found.append(_aware(below))
    # Times are stored as ISO text in the record's body: text order is time order. Besides
    # when a record was written, the time it tells of (a shift opened, a reading taken, a
    # vehicle passed: what the laptop's reports count by, `sync.report_push.first_real_time`).
    told = (("values", "opened_at"), ("values", "taken_at"), ("values", "passed_at"))
    for path in (("created_at",), *told):
        moment = records.c.body[path].as_string()
        first = connection.execute(
            sa.select(sa.func.min(moment)).where(
                (records.c.checkpoint_id == checkpoint_id)
                & (moment >= EARLIEST_PLAUSIBLE.isoformat())
                & (moment <= (now + ZONE_MARGIN).isoformat())
            )
        ).scalar()
        if first is not None:
            with contextlib.suppress(ValueError):  # a body's text the hub did not write itself
                found.append(_aware(datetime.fromisoformat(str(first))))
    return min(found) if found else None


def refused_day(
    engine: sa.Engine, checkpoint_id: str, day: date, *, now: datetime
) -> DayRefused | None:
    """Why the hub, at its own time `now`, refuses a report of `checkpoint_id` for `day`; None
    when it takes it."""
    today = latest_today(now)
    if day > today:
        return DayRefused("day_in_future", today)
    if day >= first_day_of(now):
        return None  # a day not over yet anywhere needs no history (the cheap, common case)
    with engine.connect() as connection:
        since = existed_since(connection, checkpoint_id, now=now)
        connection.rollback()
    if since is None:
        return None
    first = first_day_of(since)
    if day < first:
        return DayRefused("day_before_checkpoint", first)
    return None
