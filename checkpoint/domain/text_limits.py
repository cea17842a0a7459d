"""How long a typed text about a person may be.

No real name, origin or route comes near these lengths; a paste gone wrong (a whole document
in the name field) does, and such a value cannot travel in the daily report, whose fever cases
carry the name and origin (`wire/reports.py`, `WireCase`: at most 200 characters each). The
lane and the history refuse it at entry, saying so; a log that already holds one (written by
an older version) still syncs: that day's report is held back until the value is corrected.
"""

from __future__ import annotations

from typing import Final

from checkpoint.errors import ValidationError
from checkpoint.locale import Terms

TEXT_LIMITS: Final[dict[str, int]] = {
    "name": 100,
    "origin": 200,
    "route": 500,
    "transport_no": 40,
    "destination": 200,
    "travel_reason": 500,
}
"""Most characters of each person field, by its name (`field.<name>` in the catalogs)."""


def check_lengths(**values: str | None) -> None:
    """`ValidationError` naming the first of `values` (field name = text) over its limit."""
    for field, value in values.items():
        limit = TEXT_LIMITS.get(field)
        if value and limit is not None and len(value) > limit:
            raise ValidationError.of(
                "desk.too_long", field=Terms([f"field.{field}"]), length=len(value), limit=limit
            )
