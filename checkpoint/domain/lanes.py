"""Lanes: the logs of one checkpoint (a two-way point, a station with three exits), told apart.

A lane has a random id that never repeats and a name a person chose ("进城", "2号口"); an empty
name is the default lane. Reports from before lanes carry none: they count as one lane, the
legacy lane (`LEGACY_LANE_ID`), named by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from checkpoint.errors import ValidationError
from checkpoint.locale import Language, translate

LANE_NAME_MAX: Final = 40
"""Characters a lane's name may have: it is printed beside the checkpoint's name."""
LEGACY_LANE_ID: Final = ""
"""The lane of a report or record sent before logs had lanes."""


@dataclass(frozen=True, slots=True)
class Lane:
    """A lane as shown and sent: its id and its name (empty: the default lane)."""

    lane_id: str
    name: str

    def shown(self, language: Language) -> str:
        """The name as people read it: the default lane said as such."""
        return lane_name_shown(self.name, language)


def lane_name_shown(name: str, language: Language) -> str:
    """`name`, or "default lane" in `language` when it is empty."""
    return name or translate("lanes.default_name", language)


def parse_lane_name(text: str) -> str:
    """A lane's name as typed, its spaces collapsed; a ValidationError says what is wrong."""
    if any(not ch.isprintable() and not ch.isspace() for ch in text) or "\t" in text:
        raise ValidationError.of("lanes.name.unprintable")
    name = " ".join(text.split())
    if not name:
        raise ValidationError.of("lanes.name.empty")
    if len(name) > LANE_NAME_MAX:
        raise ValidationError.of("lanes.name.long", limit=LANE_NAME_MAX, length=len(name))
    return name
