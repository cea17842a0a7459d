"""A quick look into the log before it is opened: is a shift left open?

`checkpoint run` asks before its first screen, so that a restart shows the lane rather than
the shift form. Only the standard library's sqlite3, read-only: SQLAlchemy, the models and
the migrations load behind the first screen. Any doubt (no file yet, an older schema, a busy
or damaged file) answers None, and the opening of the log decides as before.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_OPEN_SHIFT = """
SELECT shift.leader FROM shift JOIN checkpoint ON checkpoint.id = shift.checkpoint_id
WHERE checkpoint.code = ? AND shift.id NOT IN (SELECT shift_id FROM shift_closure)
ORDER BY shift.seq DESC LIMIT 1
"""


def open_shift_leader(database: Path, checkpoint_code: str) -> str | None:
    """The leader of the shift left open at the checkpoint `checkpoint_code`, if any."""
    if not database.is_file():
        return None
    try:
        connection = sqlite3.connect(
            f"{database.absolute().as_uri()}?mode=ro", uri=True, timeout=0.2
        )
    except sqlite3.Error:
        return None
    try:
        row = connection.execute(_OPEN_SHIFT, (checkpoint_code,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return str(row[0]) if row else None
