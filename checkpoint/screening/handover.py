"""What the last shift left for the next one: its handover note, and open cases at sign-off.

The note is shown to the next shift when it opens (the shift form), so that what one leader
wrote at the end of the night is read by the one who starts the morning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from checkpoint.store.engine import Store
from checkpoint.store.models import ShiftClosure


@dataclass(frozen=True, slots=True)
class Handover:
    """The note of the shift closed last, with who closed it and when."""

    leader: str
    closed_at: datetime
    note: str


def last_handover(store: Store) -> Handover | None:
    """The last closed shift's handover note; None when there is none or it is empty."""
    with store.reading() as session:
        closure = session.exec(
            select(ShiftClosure).order_by(col(ShiftClosure.seq).desc()).limit(1)
        ).first()
    if closure is None or not closure.handover_note.strip():
        return None
    return Handover(closure.closed_by, closure.closed_at, closure.handover_note.strip())
