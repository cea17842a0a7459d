"""Medium- and high-risk areas (中高风险地区): a dated list, never hard-coded.

The list changes day by day (2020: Hubei and Wuhan; 2021: named cities and districts), so it is
a TOML text the caller reads from wherever it comes (a file, the hub) and hands in here:

    [[area]]
    name = "湖北省武汉市"
    aliases = ["武汉", "Wuhan"]
    level = "high"
    from = 2020-01-23
    to = 2020-04-08        # inclusive; leave out while the area is still listed

Matching is deliberately plain, so a volunteer can predict it: an area in effect on the day
matches when its name or one of its aliases occurs in what the person said about where they
came from or passed through, ignoring case, width (NFKC) and spaces.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from checkpoint.errors import ValidationError


class RiskLevel(StrEnum):
    """The official grading of an area (labels: `risk_areas.level.*`)."""

    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class RiskArea:
    """One listed area and the days (inclusive) it is listed for."""

    name: str
    aliases: tuple[str, ...]
    level: RiskLevel
    effective_from: date
    effective_to: date | None = None
    """Last day listed (inclusive); None while still listed."""

    def in_effect(self, on: date) -> bool:
        """Listed on `on`."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def occurs_in(self, text: str) -> bool:
        """The name or an alias occurs in `text` (case, width and space insensitive)."""
        folded = _fold(text)
        return any(term and term in folded for term in map(_fold, (self.name, *self.aliases)))


@dataclass(frozen=True, slots=True)
class RiskAreaList:
    """The areas of one list, in the order the list gives them."""

    source: str
    """Where the list came from (file path or hub address), for messages."""
    areas: tuple[RiskArea, ...]

    def in_effect(self, on: date) -> list[RiskArea]:
        """The areas listed on `on`."""
        return [area for area in self.areas if area.in_effect(on)]

    def match(self, *, origin: str, route: str, on: date) -> list[RiskArea]:
        """Areas in effect on `on` named in `origin` or `route`, in list order."""
        return [
            area for area in self.in_effect(on) if area.occurs_in(origin) or area.occurs_in(route)
        ]


_AREA_KEYS: Final = frozenset({"name", "aliases", "level", "from", "to", "note"})
_TOP_KEYS: Final = frozenset({"area", "note"})


def parse_risk_area_list(text: str, *, source: str) -> RiskAreaList:
    """Parse a risk-area list in TOML (see the module docstring).

    Raises ValidationError naming `source` and the bad entry (1-based) for invalid TOML, an
    unknown key, a missing or empty name, an unknown level, a missing or malformed date, a
    `to` before `from`, or the same area listed twice for overlapping days. An empty list is
    valid: some days nothing is listed.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError.of("risk_areas.bad_toml", source=source, detail=str(error)) from None
    for key in document:
        if key not in _TOP_KEYS:
            raise ValidationError.of("risk_areas.unknown_top_key", source=source, key=key)
    entries = document.get("area", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValidationError.of("risk_areas.not_a_list", source=source)
    areas: list[RiskArea] = []
    for number, entry in enumerate(entries, start=1):
        area = _area(entry, source=source, entry=number)
        for earlier_number, earlier in enumerate(areas, start=1):
            if _fold(earlier.name) == _fold(area.name) and _overlap(earlier, area):
                raise ValidationError.of(
                    "risk_areas.duplicate",
                    source=source,
                    entry=number,
                    name=area.name,
                    first=earlier_number,
                )
        areas.append(area)
    return RiskAreaList(source=source, areas=tuple(areas))


def _area(fields: Mapping[str, object], *, source: str, entry: int) -> RiskArea:
    for key in fields:
        if key not in _AREA_KEYS:
            raise ValidationError.of("risk_areas.unknown_key", source=source, entry=entry, key=key)
    name = fields.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError.of("risk_areas.missing_name", source=source, entry=entry)
    name = name.strip()
    aliases = fields.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ValidationError.of("risk_areas.bad_aliases", source=source, entry=entry, name=name)
    level = fields.get("level")
    if level is None:
        raise ValidationError.of("risk_areas.missing_level", source=source, entry=entry, name=name)
    if not isinstance(level, str) or level not in set(RiskLevel):
        raise ValidationError.of(
            "risk_areas.unknown_level", source=source, entry=entry, name=name, level=level
        )
    if "from" not in fields:
        raise ValidationError.of("risk_areas.missing_from", source=source, entry=entry, name=name)
    start = _date(fields["from"], key="from", source=source, entry=entry, name=name)
    end = None
    if "to" in fields:
        end = _date(fields["to"], key="to", source=source, entry=entry, name=name)
        if end < start:
            raise ValidationError.of(
                "risk_areas.to_before_from",
                source=source,
                entry=entry,
                name=name,
                start=start.isoformat(),
                end=end.isoformat(),
            )
    return RiskArea(
        name=name,
        aliases=tuple(a.strip() for a in aliases),
        level=RiskLevel(level),
        effective_from=start,
        effective_to=end,
    )


def _date(value: object, *, key: str, source: str, entry: int, name: str) -> date:
    # A TOML local date only: a string would hide typos such as "2020-13-01", and a date-time
    # would raise the question of which time zone ends the day.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValidationError.of(
        "risk_areas.bad_date", source=source, entry=entry, name=name, key=key, value=value
    )


def _fold(text: str) -> str:
    # NFKC makes full-width "Ｗｕｈａｎ" and half-width alike; spaces are dropped because people
    # type "湖北 武汉" as often as "湖北武汉".
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _overlap(a: RiskArea, b: RiskArea) -> bool:
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end
