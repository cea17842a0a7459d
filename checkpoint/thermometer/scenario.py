"""Scenario files: exact sequences for the simulator, for demos and tests (pure, no I/O).

A scenario is TOML: optional top-level `protocol`, `interval` (seconds between frames) and
`repeat`, then `[[step]]` tables, each with exactly one action:

    [[step]]
    person = 37.8          # a person steps up: ramp-up frames, then stable frames
    ramp = 3               # optional: frames of ramp-up (default 3); 0 jumps straight there
    frames = 6             # optional: stable frames (default 6)
    [[step]]
    nobody = 1.5           # seconds with nobody in front (ambient-like values)
    [[step]]
    garbage = 16           # that many random bytes; or garbage = "00ff17" (hex)
    [[step]]
    chunks = [1, 3]        # write following frames in pieces of 1–3 bytes; [] = whole frames
    [[step]]
    bad_checksum = 2       # damage the last byte of the next 2 frames
    [[step]]
    silence = 2.0          # send nothing and answer nothing for 2 s
    [[step]]
    unplug = 500           # the device disappears, and comes back after 500 ms
    [[step]]
    unit = "F"             # the module switches to Fahrenheit ("C" to switch back)
    [[step]]
    object = 35.1          # object (surface) mode frames; frames = N (default 6)
    [[step]]
    ambient = 5.0          # the sensor's ambient temperature from now on (cold checkpoint)
    [[step]]
    raw = "aa5506240730"   # exact bytes

A `person` straight after another (no `nobody`, `silence` or `unplug` between) is the next
person stepping up as the last one steps away: the value ramps from the last person's, never
through ambient, as at a busy lane.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any, Final

from checkpoint.domain.vocabulary import Unit
from checkpoint.errors import ValidationError


@dataclass(frozen=True, slots=True)
class Person:
    temp_c: float
    ramp: int = 3
    frames: int = 6


@dataclass(frozen=True, slots=True)
class Nobody:
    seconds: float


@dataclass(frozen=True, slots=True)
class Garbage:
    count: int = 0
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class Chunks:
    low: int
    high: int
    """0 and 0: whole frames."""


@dataclass(frozen=True, slots=True)
class BadChecksum:
    frames: int


@dataclass(frozen=True, slots=True)
class Silence:
    seconds: float


@dataclass(frozen=True, slots=True)
class Unplug:
    milliseconds: int


@dataclass(frozen=True, slots=True)
class SetUnit:
    unit: Unit


@dataclass(frozen=True, slots=True)
class ObjectFrames:
    temp_c: float
    frames: int = 6


@dataclass(frozen=True, slots=True)
class SetAmbient:
    temp_c: float


@dataclass(frozen=True, slots=True)
class Raw:
    data: bytes


Step = (
    Person
    | Nobody
    | Garbage
    | Chunks
    | BadChecksum
    | Silence
    | Unplug
    | SetUnit
    | ObjectFrames
    | SetAmbient
    | Raw
)


@dataclass(frozen=True, slots=True)
class Scenario:
    steps: tuple[Step, ...]
    protocol: str | None = None
    interval: float | None = None
    repeat: bool = False


_ACTIONS: Final = (
    "person",
    "nobody",
    "garbage",
    "chunks",
    "bad_checksum",
    "silence",
    "unplug",
    "unit",
    "object",
    "ambient",
    "raw",
)
_OPTIONS: Final = {"person": {"ramp", "frames"}, "object": {"frames"}}


def _number(value: Any, *, where: str, key: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValidationError.of(
            "scenario.bad_value", where=where, key=key, value=value, allowed=f"{low:g}–{high:g}"
        )
    return float(value)


def _count(value: Any, *, where: str, key: str, high: int = 10_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise ValidationError.of(
            "scenario.bad_value",
            where=where,
            key=key,
            value=value,
            allowed=f"a whole number 0–{high}",
        )
    return value


def _hex(value: Any, *, where: str, key: str) -> bytes:
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        raise ValidationError.of(
            "scenario.bad_value", where=where, key=key, value=value, allowed="hex bytes"
        ) from None


def _step(table: Any, where: str) -> Step:
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
        if key != action and key not in _OPTIONS.get(action, set()):
            raise ValidationError.of("scenario.unknown_key", where=where, key=key, action=action)
    value = table[action]
    if action == "person":
        return Person(
            _number(value, where=where, key=action, low=20, high=45),
            ramp=_count(table.get("ramp", 3), where=where, key="ramp", high=100),
            frames=_count(table.get("frames", 6), where=where, key="frames", high=1000),
        )
    if action == "object":
        return ObjectFrames(
            _number(value, where=where, key=action, low=-20, high=60),
            frames=_count(table.get("frames", 6), where=where, key="frames", high=1000),
        )
    if action == "nobody":
        return Nobody(_number(value, where=where, key=action, low=0, high=3600))
    if action == "silence":
        return Silence(_number(value, where=where, key=action, low=0, high=3600))
    if action == "garbage":
        if isinstance(value, str):
            return Garbage(data=_hex(value, where=where, key=action))
        return Garbage(count=_count(value, where=where, key=action, high=1_000_000))
    if action == "raw":
        return Raw(_hex(value, where=where, key=action))
    if action == "chunks":
        if value == []:
            return Chunks(0, 0)
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 64 for v in value
            )
            or value[0] > value[1]
        ):
            raise ValidationError.of(
                "scenario.bad_value",
                where=where,
                key=action,
                value=value,
                allowed="[low, high] with 1 <= low <= high <= 64, or []",
            )
        return Chunks(value[0], value[1])
    if action == "bad_checksum":
        return BadChecksum(_count(value, where=where, key=action))
    if action == "unplug":
        return Unplug(_count(value, where=where, key=action, high=600_000))
    if action == "unit":
        if value not in ("C", "F"):
            raise ValidationError.of(
                "scenario.bad_value", where=where, key=action, value=value, allowed="C, F"
            )
        return SetUnit(Unit(value))
    return SetAmbient(_number(value, where=where, key=action, low=-40, high=60))


def parse_scenario(text: str, *, source: str) -> Scenario:
    """Parse a scenario; ValidationError naming `source`, the step and the key otherwise."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError.of("scenario.bad_toml", source=source, detail=str(error)) from None
    unknown = set(document) - {"protocol", "interval", "repeat", "step"}
    if unknown:
        raise ValidationError.of("scenario.unknown_top_key", source=source, key=sorted(unknown)[0])
    steps = document.get("step", [])
    if not isinstance(steps, list) or not steps:
        raise ValidationError.of("scenario.no_steps", source=source)
    interval = document.get("interval")
    if interval is not None:
        interval = _number(interval, where=source, key="interval", low=0.001, high=60)
    protocol = document.get("protocol")
    if protocol is not None and not isinstance(protocol, str):
        raise ValidationError.of(
            "scenario.bad_value", where=source, key="protocol", value=protocol, allowed="a name"
        )
    repeat = document.get("repeat", False)
    if not isinstance(repeat, bool):
        raise ValidationError.of(
            "scenario.bad_value", where=source, key="repeat", value=repeat, allowed="true, false"
        )
    return Scenario(
        steps=tuple(_step(table, f"{source}, step {i}") for i, table in enumerate(steps, 1)),
        protocol=protocol,
        interval=interval,
        repeat=repeat,
    )
