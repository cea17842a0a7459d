"""Card files: made-up cards and when they are placed, for the simulated reader (pure, no I/O).

A card file is TOML: made-up cards as `[cards.KEY]` tables, then `[[step]]` tables with exactly
one action each; `repeat = true` at the top plays the steps again and again::

    [cards.zhang]
    name = "张伟"              # at most 15 characters
    sex = "male"               # or "female"
    nation = "01"              # GB/T 3304 code (01 = 汉)
    birth_date = 1990-03-07
    address = "广东省深圳市南山区科技路12号"
    id_number = "440305199003070016"   # made up, with a valid check digit
    issuer = "深圳市公安局南山分局"
    valid_from = 2015-06-01
    valid_to = 2035-06-01      # or "long-term"

    [[step]]
    place = "zhang"            # the card lies on the reader…
    seconds = 3.0              # …this long (default 3)
    [[step]]
    nothing = 2.0              # no card for 2 s
    [[step]]
    garbage = 16               # random bytes on the line; or garbage = "00ff17" (hex)
    [[step]]
    chunks = [1, 8]            # answers written in pieces of 1–8 bytes; [] = whole frames
    [[step]]
    bad_checksum = 1           # damage the last byte of the next answer
    [[step]]
    status = "not-authorised"  # or "self-test-failed", "ok": what the reader answers
    [[step]]
    silence = 2.0              # no answer to anything for 2 s
    [[step]]
    unplug = 500               # the reader disappears, and comes back after 500 ms

No card in a file may be a real person's: make names and numbers up (the check digit must
still be valid for the card to be used; a wrong one shows how a bad card is refused).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from checkpoint.domain.vocabulary import Sex
from checkpoint.errors import ValidationError
from checkpoint.idcard.card import FIELDS, IdCard


@dataclass(frozen=True, slots=True)
class Place:
    card: IdCard
    seconds: float = 3.0


@dataclass(frozen=True, slots=True)
class Nothing:
    seconds: float


@dataclass(frozen=True, slots=True)
class Garbage:
    count: int = 0
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class Chunks:
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class BadChecksum:
    frames: int


@dataclass(frozen=True, slots=True)
class SetStatus:
    sw3: int


@dataclass(frozen=True, slots=True)
class Silence:
    seconds: float


@dataclass(frozen=True, slots=True)
class Unplug:
    milliseconds: int


Step = Place | Nothing | Garbage | Chunks | BadChecksum | SetStatus | Silence | Unplug


@dataclass(frozen=True, slots=True)
class CardScript:
    steps: tuple[Step, ...]
    repeat: bool = False


STATUSES: Final = {"ok": 0x90, "not-authorised": 0x66, "self-test-failed": 0x60}
_ACTIONS: Final = (
    "place",
    "nothing",
    "garbage",
    "chunks",
    "bad_checksum",
    "status",
    "silence",
    "unplug",
)
_WIDTHS: Final = dict(FIELDS)


def _bad(where: str, key: str, value: object, allowed: str) -> ValidationError:
    return ValidationError.of(
        "scenario.bad_value", where=where, key=key, value=value, allowed=allowed
    )


def _seconds(value: Any, where: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 3600:
        raise _bad(where, key, value, "0–3600")
    return float(value)


def _count(value: Any, where: str, key: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise _bad(where, key, value, f"a whole number 0–{high}")
    return value


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    width = _WIDTHS[key]
    if not isinstance(value, str) or not value.strip() or len(value) > width:
        raise _bad(where, key, value, f"text of 1–{width} characters")
    return value


def _day(table: dict[str, Any], key: str, where: str) -> date:
    value = table.get(key)
    if not isinstance(value, date):
        raise _bad(where, key, value, "a date (YYYY-MM-DD)")
    return value


def _card(table: Any, where: str) -> IdCard:
    if not isinstance(table, dict):
        raise ValidationError.of("scenario.not_a_table", where=where)
    known = {"name", "sex", "nation", "birth_date", "address", "id_number", "issuer"}
    known |= {"valid_from", "valid_to"}
    for key in table:
        if key not in known:
            raise ValidationError.of("scenario.unknown_key", where=where, key=key, action="card")
    sex = table.get("sex")
    if sex not in ("male", "female"):
        raise _bad(where, "sex", sex, "male, female")
    nation = table.get("nation", "01")
    if not isinstance(nation, str) or len(nation) != 2:
        raise _bad(where, "nation", nation, "a two-digit GB/T 3304 code (01 = 汉)")
    valid_to = table.get("valid_to")
    return IdCard(
        name=_text(table, "name", where),
        sex=Sex(sex),
        nation_code=nation,
        birth_date=_day(table, "birth_date", where),
        address=_text(table, "address", where),
        id_number=_text(table, "id_number", where),
        issuer=_text(table, "issuer", where),
        valid_from=_day(table, "valid_from", where),
        valid_to=None if valid_to == "long-term" else _day(table, "valid_to", where),
    )


def _step(table: Any, where: str, cards: dict[str, IdCard]) -> Step:
    if not isinstance(table, dict):
        raise ValidationError.of("scenario.not_a_table", where=where)
    actions = [key for key in table if key in _ACTIONS]
    if len(actions) != 1:
        raise ValidationError.of(
            "scenario.one_action",
            where=where,
            found=", ".join(actions) or "none",
            allowed=", ".join(_ACTIONS),
        )
    action = actions[0]
    for key in table:
        if key != action and not (action == "place" and key == "seconds"):
            raise ValidationError.of("scenario.unknown_key", where=where, key=key, action=action)
    value = table[action]
    if action == "place":
        if value not in cards:
            raise _bad(where, action, value, ", ".join(sorted(cards)) or "a card of [cards]")
        return Place(cards[value], _seconds(table.get("seconds", 3.0), where, "seconds"))
    if action == "nothing":
        return Nothing(_seconds(value, where, action))
    if action == "silence":
        return Silence(_seconds(value, where, action))
    if action == "garbage":
        if isinstance(value, str):
            try:
                return Garbage(data=bytes.fromhex(value))
            except ValueError:
                raise _bad(where, action, value, "hex bytes") from None
        return Garbage(count=_count(value, where, action, 1_000_000))
    if action == "chunks":
        if value == []:
            return Chunks(0, 0)
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            or not 1 <= value[0] <= value[1] <= 1400
        ):
            raise _bad(where, action, value, "[low, high] with 1 <= low <= high <= 1400, or []")
        return Chunks(value[0], value[1])
    if action == "bad_checksum":
        return BadChecksum(_count(value, where, action, 10_000))
    if action == "status":
        if value not in STATUSES:
            raise _bad(where, action, value, ", ".join(STATUSES))
        return SetStatus(STATUSES[value])
    return Unplug(_count(value, where, action, 600_000))


def parse_card_script(text: str, *, source: str) -> CardScript:
    """Parse a card file; ValidationError naming `source`, the card or step and the key."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError.of("scenario.bad_toml", source=source, detail=str(error)) from None
    unknown = set(document) - {"cards", "step", "repeat"}
    if unknown:
        raise ValidationError.of("scenario.unknown_top_key", source=source, key=sorted(unknown)[0])
    tables = document.get("cards", {})
    if not isinstance(tables, dict):
        raise ValidationError.of("scenario.not_a_table", where=f"{source}, cards")
    cards = {key: _card(table, f"{source}, card {key}") for key, table in tables.items()}
    steps = document.get("step", [])
    if not isinstance(steps, list) or not steps:
        raise ValidationError.of("scenario.no_steps", source=source)
    repeat = document.get("repeat", False)
    if not isinstance(repeat, bool):
        raise _bad(source, "repeat", repeat, "true, false")
    return CardScript(
        steps=tuple(_step(t, f"{source}, step {i}", cards) for i, t in enumerate(steps, 1)),
        repeat=repeat,
    )
