"""Records a checkpoint's lane holds back: told by the checkpoint (or by a hub below, which
passes on what it was told), so that the hub knows a missing seq is held back at the laptop
rather than lost.

A record that cannot be sent (the hub refused it, or the wire cannot carry it as stored) is
held back at the laptop, which goes on with the rest; its seq is then a gap at every hub. The
laptop says after each sync which records it holds back (`PUT /v1/checkpoints/{code}/held-back`,
the whole list of a lane each time); the hub keeps it in `held_below`, answers it in the
checkpoint's status (`held_back`), lets forwarding move its mark past such a gap, and forwards
the statement to its parent. A seq missing from the hub and not in the list is still a gap
that stops forwarding's mark (records still on their way, by USB stick say).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from checkpoint.hub.db import held_below
from checkpoint.wire.records import HeldBackRecord, HeldBackStatement


def store_statement(engine: sa.Engine, checkpoint_id: str, statement: HeldBackStatement) -> int:
    """Hold `statement` as the whole list of the lane's held-back records; how many."""
    now = datetime.now(UTC)
    lane = (held_below.c.checkpoint_id == checkpoint_id) & (
        held_below.c.lane_id == statement.lane_id
    )
    rows = {
        record.id: {
            "checkpoint_id": checkpoint_id,
            "lane_id": statement.lane_id,
            "id": record.id,
            "seq": record.seq,
            "table_name": record.table,
            "reason": record.reason,
            "said_at": now,
        }
        for record in statement.records
    }
    with engine.begin() as connection:
        connection.execute(held_below.delete().where(lane))
        if rows:
            connection.execute(held_below.insert(), list(rows.values()))
    return len(rows)


def statement_of(engine: sa.Engine, checkpoint_id: str, lane_id: str) -> HeldBackStatement:
    """What the lane said it holds back, to pass on to a parent hub."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(held_below)
            .where(held_below.c.checkpoint_id == checkpoint_id, held_below.c.lane_id == lane_id)
            .order_by(held_below.c.seq)
        ).all()
        connection.rollback()
    return HeldBackStatement(
        lane_id=lane_id,
        records=[
            HeldBackRecord(id=row.id, seq=row.seq, table=row.table_name, reason=row.reason)
            for row in rows
        ],
    )


def held_seqs(engine: sa.Engine, checkpoint_id: str, lane_id: str) -> frozenset[int]:
    """The seqs the lane said it holds back."""
    with engine.connect() as connection:
        found = frozenset(
            connection.execute(
                sa.select(held_below.c.seq).where(
                    held_below.c.checkpoint_id == checkpoint_id, held_below.c.lane_id == lane_id
                )
            ).scalars()
        )
        connection.rollback()
    return found


def held_count(engine: sa.Engine, checkpoint_id: str) -> int:
    """How many records the checkpoint's lanes said they hold back."""
    with engine.connect() as connection:
        count = connection.execute(
            sa.select(sa.func.count())
            .select_from(held_below)
            .where(held_below.c.checkpoint_id == checkpoint_id)
        ).scalar()
        connection.rollback()
    return int(count or 0)


def lanes_telling(engine: sa.Engine, checkpoint_id: str) -> list[str]:
    """The checkpoint's lanes that said they hold records back."""
    with engine.connect() as connection:
        found = list(
            connection.execute(
                sa.select(held_below.c.lane_id)
                .where(held_below.c.checkpoint_id == checkpoint_id)
                .distinct()
            ).scalars()
        )
        connection.rollback()
    return found
