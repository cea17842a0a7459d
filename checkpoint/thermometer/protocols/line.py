"""`line`: any module with text output. Streams (or answers a poll with a line).

Frame: one reading per line, ended by CR, LF or CRLF, or one reading between `{` and `}`; at most
MAX_LINE bytes. Each reading is UTF-8 text matched by a regular expression
(`options.line_pattern`, searched, not anchored) with named groups:

- `body`, `value`, `object`, `ambient`: numbers, multiplied by `options.line_scale`;
- `unit`: "C"/"℃" → ℃, "F"/"℉" → ℉, absent → Unit.UNKNOWN (a bare number is never converted
  here: the reader decides), anything else → UNKNOWN_MODE;
- `stable`: "1", "S", "stable", … → stable; "0", "U", "unstable", … → not stable.

The site is the first of `body`, `value`, `object`, `ambient` the line has: a line with both a
body and an object value gives the body sample (with the ambient value, if any, in
`ambient_c`); `value` counts as body, so a pattern for a surface-only module names its number
`object`; a line with only `ambient` gives a Site.AMBIENT sample. Lines matching
`options.line_error_pattern` (Err, Lo, Hi) are DEVICE_ERROR; blank lines are ignored.

A sample's `raw` is the text of its reading without the delimiters.

Spec examples: `T=98.6F` (98.6 ℉); `{36.7}` (36.7, unit unknown); `AT+TEMP=255,265,365,1` with
`AT\\+TEMP=(?P<ambient>\\d+),(?P<object>\\d+),(?P<body>\\d+),(?P<stable>[01])` and scale 0.1
(body 36.5, ambient 25.5, stable).

Patterns are compiled with re.ASCII (`\\d` is 0–9 only). Text carries no check: any digits on a
line are a reading. Only the pattern stands between line noise and a measurement, so patterns
should be as specific as the module allows.
"""

from __future__ import annotations

import math
import re
from typing import ClassVar, Final

from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.errors import ValidationError
from checkpoint.thermometer.protocols.base import (
    Decoded,
    DeviceProtocol,
    Emission,
    FrameError,
    FrameErrorReason,
    Parser,
    ProtocolOptions,
    Sample,
    SerialSettings,
)

MAX_LINE: Final = 256
"""Bytes a reading may have; longer text without a terminator is dropped as BAD_LENGTH."""
SPLIT: Final = re.compile(rb"([\r\n{}])")

NUMBER_GROUPS: Final = ("body", "value", "object", "ambient")
"""In order of precedence: the first one present gives the sample's site."""
GROUP_SITES: Final[dict[str, Site]] = {
    "body": Site.BODY,
    "value": Site.BODY,
    "object": Site.OBJECT,
    "ambient": Site.AMBIENT,
}
UNITS: Final[dict[str, Unit]] = {
    "c": Unit.CELSIUS,
    "℃": Unit.CELSIUS,
    "°c": Unit.CELSIUS,
    "f": Unit.FAHRENHEIT,
    "℉": Unit.FAHRENHEIT,
    "°f": Unit.FAHRENHEIT,
}
STABLE_WORDS: Final[dict[str, bool]] = {
    **dict.fromkeys(("1", "s", "st", "stable", "true", "yes", "y", "ok"), True),
    **dict.fromkeys(("0", "u", "us", "unstable", "false", "no", "n"), False),
}


class LineFormat:
    """How to read one line of text: the compiled patterns and the scale, checked once."""

    def __init__(self, options: ProtocolOptions) -> None:
        self.pattern = _compile("line_pattern", options.line_pattern)
        self.error_pattern = _compile("line_error_pattern", options.line_error_pattern)
        groups = self.pattern.groupindex
        self.number_groups = tuple(g for g in NUMBER_GROUPS if g in groups)
        if not self.number_groups:
            raise ValidationError.of(
                "thermometer.line_pattern_no_value",
                pattern=options.line_pattern,
                groups=", ".join(NUMBER_GROUPS),
            )
        self.has_unit = "unit" in groups
        self.has_ambient = "ambient" in groups
        self.has_stable = "stable" in groups
        scale = options.line_scale
        if not (math.isfinite(scale) and scale > 0):
            raise ValidationError.of("thermometer.line_bad_scale", scale=scale)
        self.scale = scale
        # Dividing by 10 gives the float nearest 36.5 for "365"; multiplying by 0.1 need not.
        inverse = 1 / scale
        self.divisor = round(inverse) if abs(inverse - round(inverse)) < 1e-9 else None

    def _number(self, text: str) -> float | None:
        try:
            number = float(text)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return number / self.divisor if self.divisor else number * self.scale

    def decode(self, raw: bytes) -> Decoded | None:
        """The sample or error one line of text makes; None for a blank line."""
        stripped = raw.strip()
        if not stripped:
            return None
        try:
            text = stripped.decode("utf-8")
        except UnicodeDecodeError:
            return FrameError(FrameErrorReason.UNPARSABLE, raw, "not UTF-8 text")
        if self.error_pattern.search(text):
            return FrameError(FrameErrorReason.DEVICE_ERROR, raw, text)
        match = self.pattern.search(text)
        if match is None:
            return FrameError(FrameErrorReason.UNPARSABLE, raw, text)
        group = match.group
        unit = Unit.UNKNOWN
        if self.has_unit:
            unit_text = (group("unit") or "").strip().lower()
            if unit_text:
                found_unit = UNITS.get(unit_text)
                if found_unit is None:
                    return FrameError(FrameErrorReason.UNKNOWN_MODE, raw, f"unit {unit_text!r}")
                unit = found_unit
        first, number_text = "", ""
        for name in self.number_groups:
            found = group(name)
            if found and not found.isspace():
                first, number_text = name, found
                break
        if not first:
            return FrameError(FrameErrorReason.UNPARSABLE, raw, f"no number in {text!r}")
        value = self._number(number_text)
        if value is None:
            return FrameError(FrameErrorReason.UNPARSABLE, raw, f"{first} {number_text!r}")
        site = GROUP_SITES[first]
        ambient = None
        if self.has_ambient and site is not Site.AMBIENT and (group("ambient") or "").strip():
            ambient = self._number(group("ambient"))
            if ambient is None:
                return FrameError(FrameErrorReason.UNPARSABLE, raw, f"ambient {group('ambient')!r}")
            # ambient_c is ℃ by definition: a ℉ line's ambient is converted; a line without a
            # unit is taken as ℃ for its ambient (room temperatures are not ambiguous like body
            # ones).
            if unit is Unit.FAHRENHEIT:
                ambient = (ambient - 32) * 5 / 9
        stable = None
        if self.has_stable:
            stable_text = group("stable")
            if stable_text is not None:
                stable = STABLE_WORDS.get(stable_text.strip().lower())
        return Sample(value, unit, site, raw, ambient, stable)


def _compile(option: str, pattern: str) -> re.Pattern[str]:
    # ASCII: `\d` is 0–9 only. Modules send ASCII digits; without the flag, two noise bytes
    # that happen to decode to an Arabic-Indic or Devanagari digit would make a reading.
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise ValidationError.of(
            "thermometer.line_bad_pattern", option=option, pattern=pattern, detail=str(exc)
        ) from exc


class LineParser(Parser):
    """Splits the stream at CR, LF, `{` and `}` and reads each piece with a `LineFormat`.

    Text before a `{` is not a reading (it is GARBAGE); braces never reach the pattern. A piece
    longer than MAX_LINE is BAD_LENGTH, and so is the rest of it up to the next delimiter.
    """

    def __init__(self, line_format: LineFormat) -> None:
        self._format = line_format
        self._buffer = bytearray()
        self._overlong = False
        """Inside a line already reported as too long: drop up to the next delimiter."""

    def reset(self) -> None:
        self._buffer.clear()
        self._overlong = False

    def feed(self, data: bytes) -> list[Decoded]:
        self._buffer += data
        # One split keeps the delimiters at the odd indices; the last part is unterminated.
        parts = SPLIT.split(bytes(self._buffer))
        out: list[Decoded] = []
        decode = self._format.decode
        overlong = self._overlong
        for index in range(0, len(parts) - 1, 2):
            piece = parts[index]
            if overlong:
                overlong = False
                if piece:
                    out.append(FrameError(FrameErrorReason.BAD_LENGTH, piece, "rest of a line"))
            elif not piece:
                continue
            elif len(piece) > MAX_LINE:
                out.append(FrameError(FrameErrorReason.BAD_LENGTH, piece, f"{len(piece)} bytes"))
            elif parts[index + 1] == b"{":
                if piece.strip():
                    out.append(FrameError(FrameErrorReason.GARBAGE, piece, "text before {"))
            else:
                decoded = decode(piece)
                if decoded is not None:
                    out.append(decoded)
        rest = parts[-1]
        if overlong and rest:
            out.append(FrameError(FrameErrorReason.BAD_LENGTH, rest, "rest of a line"))
            rest = b""
        elif len(rest) > MAX_LINE:
            out.append(FrameError(FrameErrorReason.BAD_LENGTH, rest, "no line end in time"))
            rest = b""
            overlong = True
        self._overlong = overlong
        self._buffer = bytearray(rest)
        return out


class Line(DeviceProtocol):
    """Text modules: one reading per line or per `{…}`, read with a configured pattern."""

    name: ClassVar[str] = "line"
    description: ClassVar[str] = "Any module with text output (one reading per line or {…})"
    serial: ClassVar[SerialSettings] = SerialSettings(baudrate=9600)
    streams: ClassVar[bool] = True
    sites: ClassVar[frozenset[Site]] = frozenset({Site.BODY, Site.OBJECT})

    def __init__(self, options: ProtocolOptions | None = None) -> None:
        super().__init__(options)
        self.format = LineFormat(self.options)

    def parser(self) -> Parser:
        return LineParser(self.format)

    def encode(self, emission: Emission) -> bytes:
        """A line the default pattern reads: "36.7C\\r\\n", "98.6F\\r\\n" or "36.7\\r\\n".

        Only body values: the default pattern has no way to say "object". A regular expression
        cannot be run backwards, so a custom `line_pattern` is not followed: the simulator
        always speaks the default format.
        """
        if emission.site is not Site.BODY:
            raise ValueError(f"the default line format cannot send a {emission.site} value")
        if emission.unit is Unit.FAHRENHEIT:
            tenths, suffix = round(emission.value_c * 18 + 320), "F"
        else:
            tenths = round(emission.value_c * 10)
            suffix = "C" if emission.unit is Unit.CELSIUS else ""
        sign = "-" if tenths < 0 else ""
        whole, tenth = divmod(abs(tenths), 10)
        return f"{sign}{whole}.{tenth}{suffix}\r\n".encode("ascii")
