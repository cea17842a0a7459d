"""The log's lane, kept in the `lane` table (made with the log by migration 0010).

lane = log_lane(session=session)
"""

from __future__ import annotations

import uuid

from sqlmodel import Session

from checkpoint.domain.lanes import Lane
from checkpoint.store.models import LogLane


def log_lane(*, session: Session) -> Lane:
    """This log's lane (made here, with the default name, should its row be missing)."""
    row = session.get(LogLane, 1)
    if row is None:
        row = LogLane(id=1, lane_id=str(uuid.uuid4()), name="")
        session.add(row)
        session.flush()
    return Lane(lane_id=row.lane_id, name=row.name)


def name_lane(*, session: Session, name: str) -> Lane:
    """Give the log's lane `name` (parsed by `parse_lane_name`); its id never changes."""
    lane = log_lane(session=session)
    row = session.get(LogLane, 1)
    assert row is not None
    row.name = name
    session.add(row)
    session.flush()
    return Lane(lane_id=lane.lane_id, name=name)
