"""Which checkpoints exist below a hub: those enrolled at it and those a hub below it said were
enrolled there (`PUT /v1/hubs/checkpoints`, sent by every forward).

The parent needs them for its omission list (不漏报): a checkpoint enrolled at a township and
silent for a day must show at the county too, though the county never issued it a token. Each
hub below states its whole list each time (its own checkpoints and, merged, those its own hubs
below told it of), one entry per code with when it was enrolled and, if so, revoked; the parent
keeps the latest statement per (hub, checkpoint), upserted, never deleted (a checkpoint is
revoked, not forgotten). No token comes with them: a checkpoint known only from below can
report here only through its hub.

Merging, for the omission list and for what this hub tells its own parent: a code known from
several places (enrolled here and below, or below two hubs) is expected from the earliest
enrolment on, and counts as revoked only when every place revoked it, from the latest
revocation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy.dialects import postgresql, sqlite

from checkpoint.hub.db import below_checkpoints, checkpoints

MAX_ENTRIES = 100_000


class BelowCheckpoint(BaseModel):
    """A checkpoint enrolled at the sending hub or below it."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    code: str = Field(min_length=1, max_length=32)
    """The checkpoint's code."""
    enrolled_at: AwareDatetime
    """When it was (first) enrolled."""
    revoked_at: AwareDatetime | None = None
    """When its token was revoked everywhere below, None while it may still report."""


class BelowCheckpoints(BaseModel):
    """The checkpoints enrolled at a hub and below it: its whole list, each time."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    checkpoints: list[BelowCheckpoint] = Field(max_length=MAX_ENTRIES)
    """One entry per code."""


class BelowReceipt(BaseModel):
    """The parent's answer: how many entries it now holds from the sending hub."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    hub: str
    """The sending hub's name at the parent."""
    checkpoints: int
    """Entries received."""


@dataclass(frozen=True, slots=True)
class Known:
    """A checkpoint expected to report at this hub, merged over where it is known from."""

    checkpoint_id: str
    enrolled_at: datetime
    revoked_at: datetime | None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    # SQLite gives times back naive; they were stored in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def store_below(engine: sa.Engine, hub: str, entries: list[BelowCheckpoint]) -> int:
    """Hold `hub`'s statement of the checkpoints below it; how many entries it had."""
    if not entries:
        return 0
    insert: Any = (
        postgresql.insert(below_checkpoints)
        if engine.dialect.name == "postgresql"
        else sqlite.insert(below_checkpoints)
    )
    rows = {
        entry.code: {
            "hub": hub,
            "checkpoint_id": entry.code,
            "enrolled_at": entry.enrolled_at.astimezone(UTC),
            "revoked_at": entry.revoked_at.astimezone(UTC) if entry.revoked_at else None,
        }
        for entry in entries
    }
    statement = insert.on_conflict_do_update(
        index_elements=["hub", "checkpoint_id"],
        set_={
            "enrolled_at": insert.excluded.enrolled_at,
            "revoked_at": insert.excluded.revoked_at,
        },
    )
    with engine.begin() as connection:
        connection.execute(statement, list(rows.values()))
    return len(rows)


def known_checkpoints(engine: sa.Engine) -> list[Known]:
    """Every checkpoint enrolled here or below, merged (see the module), by code."""
    with engine.connect() as connection:
        found = list(
            connection.execute(
                sa.select(checkpoints.c.id, checkpoints.c.enrolled_at, checkpoints.c.revoked_at)
            ).all()
        )
        found += connection.execute(
            sa.select(
                below_checkpoints.c.checkpoint_id,
                below_checkpoints.c.enrolled_at,
                below_checkpoints.c.revoked_at,
            )
        ).all()
        connection.rollback()
    merged: dict[str, Known] = {}
    for code, enrolled, revoked in found:
        enrolled_at, revoked_at = _aware(enrolled), _aware(revoked)
        assert enrolled_at is not None
        held = merged.get(code)
        if held is None:
            merged[code] = Known(code, enrolled_at, revoked_at)
            continue
        both_revoked = held.revoked_at is not None and revoked_at is not None
        merged[code] = Known(
            code,
            min(held.enrolled_at, enrolled_at),
            max(held.revoked_at, revoked_at) if both_revoked else None,  # type: ignore[type-var]
        )
    return [merged[code] for code in sorted(merged)]


def statement_of(engine: sa.Engine) -> BelowCheckpoints:
    """What this hub tells its parent: every checkpoint enrolled here or below."""
    return BelowCheckpoints(
        checkpoints=[
            BelowCheckpoint(
                code=k.checkpoint_id, enrolled_at=k.enrolled_at, revoked_at=k.revoked_at
            )
            for k in known_checkpoints(engine)
        ]
    )


def is_below(engine: sa.Engine, hub: str, checkpoint_id: str) -> bool:
    """Whether `hub` said `checkpoint_id` is enrolled at it or below it (revoked since or not:
    what it sent before its revocation may still come up). A hub's token acts for those only."""
    with engine.connect() as connection:
        found = connection.execute(
            sa.select(below_checkpoints.c.checkpoint_id).where(
                below_checkpoints.c.hub == hub, below_checkpoints.c.checkpoint_id == checkpoint_id
            )
        ).first()
        connection.rollback()
    return found is not None
