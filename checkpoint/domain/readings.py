"""Temperature readings: units, rounding, plausibility, surface-to-body estimates, typed input.

Pure rules, no I/O: times are passed in. A `Reading` keeps the value as it arrived (`value`,
`unit`, `raw`) next to its Celsius value, so nothing a device or a person gave is lost; what a
value is the temperature of (`site`) decides whether the fever rule may look at it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Self

from checkpoint.domain.vocabulary import Instrument, Plausibility, Site, Unit
from checkpoint.errors import ValidationError

_TENTH: Final = Decimal("0.1")

BODY_SITES: Final[frozenset[Site]] = frozenset({Site.BODY, Site.ESTIMATED_BODY})
"""Sites whose values are a person's body temperature, the only ones plausibility applies to."""

CELSIUS_RANGE: Final[tuple[float, float]] = (30.0, 45.0)
"""Bare values in this range can only be ℃ body temperatures."""

FAHRENHEIT_RANGE: Final[tuple[float, float]] = (90.0, 110.0)
"""Bare values in this range are probably ℉ body temperatures: ambiguous, never converted."""


@dataclass(frozen=True, slots=True)
class PlausibilityWindow:
    """The body temperatures (℃, inclusive) a working thermometer can report for a person.

    Outside it a value is "Lo" or "Hi": recorded as such, never clamped. A value near 25 ℃
    usually means nobody was in front of the sensor.
    """

    low_c: float = 32.0
    high_c: float = 43.0

    def __post_init__(self) -> None:
        if not self.low_c < self.high_c:
            raise ValueError(f"plausibility window {self.low_c}–{self.high_c} is empty")


DEFAULT_WINDOW: Final = PlausibilityWindow()


def _utc(moment: datetime) -> datetime:
    # A naive time read off an old laptop is ambiguous by up to a day; refuse it here rather
    # than let it shift the report day later.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)


def fahrenheit_to_celsius(value_f: float) -> float:
    """℉ to ℃, computed in decimal so that 98.6 ℉ gives exactly 37.0 ℃."""
    if not math.isfinite(value_f):
        raise ValueError(f"temperature {value_f} is not a finite number")
    # Float arithmetic gives 36.99999999999999 for 98.6 ℉; decimal keeps the 0.1 ℃ grid intact.
    return float((Decimal(str(value_f)) - 32) * 5 / 9)


def to_celsius(value: float, unit: Unit) -> float | None:
    """`value` in ℃, or None when the unit is unknown (never guessed)."""
    if unit is Unit.CELSIUS:
        return value
    if unit is Unit.FAHRENHEIT:
        return fahrenheit_to_celsius(value)
    return None


def round_half_up_01(value_c: float) -> Decimal:
    """Round to 0.1 ℃, halves away from zero: 37.25 → 37.3, 37.24 → 37.2.

    Goes through `str()` so the decimal digits a person sees are the ones rounded: the float
    nearest 37.25 is exact, but 37.35 is stored as 37.34999…, which plain `round()` would take
    down to 37.3.
    """
    if not math.isfinite(value_c):
        raise ValueError(f"temperature {value_c} is not a finite number")
    return Decimal(str(value_c)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def classify_plausibility(
    value_c: float, window: PlausibilityWindow = DEFAULT_WINDOW
) -> Plausibility:
    """LO below the window, HI above it, OK inside (bounds included). Never clamps."""
    if math.isnan(value_c):
        raise ValueError("temperature is not a number")
    if value_c < window.low_c:
        return Plausibility.LO
    if value_c > window.high_c:
        return Plausibility.HI
    return Plausibility.OK


def interpret_unitless(value: float) -> Unit:
    """The unit of a bare number from a device or a person.

    At most 45 it can only be ℃ (45 ℉ is 7 ℃, colder than any person or room a checkpoint
    screens in); below 30 it is then an implausible or "nobody in front" value, which the
    plausibility window reports. 90–110 is probably ℉ but a ℃ sensor error looks the same, so
    it is UNKNOWN and left for a person to settle; anything else is UNKNOWN too.
    """
    if math.isnan(value):
        raise ValueError("temperature is not a number")
    if value <= CELSIUS_RANGE[1]:
        return Unit.CELSIUS
    return Unit.UNKNOWN


@dataclass(frozen=True, slots=True)
class Reading:
    """One temperature value, kept as received and never overwritten.

    Build it with `Reading.create`, which derives `value_c` and `plausibility`; the plain
    constructor is for loading a stored reading as it was judged at the time.
    """

    value: float
    """The number as received, in `unit`."""
    unit: Unit
    value_c: float | None
    """The value in ℃; None when the unit is unknown."""
    site: Site
    instrument: Instrument
    raw: str
    """The device frame as hex, or the text as typed."""
    taken_at: datetime
    """When it was taken, in UTC."""
    plausibility: Plausibility
    """Judged against the window in force when it was taken; OK for non-body sites."""
    estimated_from_c: float | None = None
    """For an ESTIMATED_BODY reading: the surface value (℃) the estimate was made from."""
    ambient_c: float | None = None
    """For an ESTIMATED_BODY reading: the ambient temperature used, if any."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "taken_at", _utc(self.taken_at))

    @classmethod
    def create(
        cls,
        *,
        value: float,
        unit: Unit,
        site: Site,
        instrument: Instrument,
        raw: str,
        taken_at: datetime,
        window: PlausibilityWindow = DEFAULT_WINDOW,
    ) -> Self:
        """A new reading with its ℃ value and plausibility worked out."""
        value_c = to_celsius(value, unit)
        return cls(
            value=value,
            unit=unit,
            value_c=value_c,
            site=site,
            instrument=instrument,
            raw=raw,
            taken_at=taken_at,
            plausibility=_plausibility(value_c, site, window),
        )


def _plausibility(value_c: float | None, site: Site, window: PlausibilityWindow) -> Plausibility:
    # The window describes people: a cold wall or a winter morning is not "Lo", and a value
    # in an unknown unit cannot be placed in it at all.
    if value_c is None or site not in BODY_SITES:
        return Plausibility.OK
    return classify_plausibility(value_c, window)


@dataclass(frozen=True, slots=True)
class OffsetProfile:
    """Turns a surface (object) temperature into an estimated body temperature.

    estimate = surface + `offset_c` + `extra_c_per_degree_below` × (`reference_ambient_c` −
    ambient), the last term only when the ambient temperature is known and below the reference.
    Skin cools in cold air, so outdoor winter checkpoints read low; the ambient term lets a
    configured profile make up for it. All numbers are configuration: none of them is a medical
    constant, and the result is always labelled "estimated".
    """

    offset_c: float
    """Added to every surface value (skin reads about 0.3–1.5 ℃ below body)."""
    reference_ambient_c: float | None = None
    """Ambient temperature (℃) at which `offset_c` alone is right."""
    extra_c_per_degree_below: float = 0.0
    """Further offset per ℃ of ambient below `reference_ambient_c`."""

    def __post_init__(self) -> None:
        if self.extra_c_per_degree_below < 0:
            raise ValueError("extra_c_per_degree_below must not be negative")
        if self.extra_c_per_degree_below and self.reference_ambient_c is None:
            raise ValueError("extra_c_per_degree_below needs reference_ambient_c")

    def offset_for(self, ambient_c: float | None) -> float:
        """The total offset (℃) applied at `ambient_c` (None: ambient not known)."""
        if ambient_c is None or self.reference_ambient_c is None:
            return self.offset_c
        below = max(0.0, self.reference_ambient_c - ambient_c)
        return self.offset_c + self.extra_c_per_degree_below * below

    def estimate_body(
        self,
        object_reading: Reading,
        ambient_c: float | None,
        *,
        window: PlausibilityWindow = DEFAULT_WINDOW,
    ) -> Reading:
        """An ESTIMATED_BODY reading from an OBJECT reading.

        The estimate is in ℃; the surface value stays in `estimated_from_c` and the device
        frame in `raw`. Raises ValueError for a reading that is not a surface value and
        ValidationError when its unit is unknown.
        """
        if object_reading.site is not Site.OBJECT:
            raise ValueError(f"only a surface value can be estimated, not {object_reading.site}")
        if object_reading.value_c is None:
            raise ValidationError.of("reading.estimate_unit_unknown", value=object_reading.value)
        estimate = object_reading.value_c + self.offset_for(ambient_c)
        return replace(
            object_reading,
            value=estimate,
            unit=Unit.CELSIUS,
            value_c=estimate,
            site=Site.ESTIMATED_BODY,
            plausibility=classify_plausibility(estimate, window),
            estimated_from_c=object_reading.value_c,
            ambient_c=ambient_c,
        )


# Typed input. Normalisation turns full-width digits, "．" and "℃"/"℉" (NFKC: "°C"/"°F")
# into ASCII; "，" and "。" come from Chinese input methods and are decimal points too.
_TYPED = re.compile(
    r"(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?P<unit>°?[CF]|°|度|摄氏度|华氏度)?",
    re.IGNORECASE | re.ASCII,
)
_DECIMAL_MARKS: Final = str.maketrans({",": ".", "。": ".", "、": "."})
_SHIFTS: Final = (Decimal("0.1"), Decimal("10"), Decimal("0.01"), Decimal("100"))


def parse_typed_temperature(
    text: str,
    *,
    instrument: Instrument,
    taken_at: datetime,
    window: PlausibilityWindow = DEFAULT_WINDOW,
) -> Reading:
    """A body reading from a value typed by hand ("36.8", "36,8", "９８.６Ｆ", "36.8℃").

    Typed values are checked harder than device values: a volunteer in a queue slips a
    decimal point or forgets the unit far more often than a thermometer misreads, so a value
    outside the plausibility window is refused with a hint instead of being stored as Lo/Hi.
    Raises ValidationError with codes `reading.empty`, `reading.not_a_number`,
    `reading.unit_needed`, `reading.wrong_unit`, `reading.missing_decimal_point`,
    `reading.misplaced_decimal_point`, `reading.too_low` and `reading.too_high`.
    """
    compact = "".join(unicodedata.normalize("NFKC", text).split()).translate(_DECIMAL_MARKS)
    if not compact:
        raise ValidationError.of("reading.empty")
    match = _TYPED.fullmatch(compact)
    if match is None:
        raise ValidationError.of("reading.not_a_number", text=text.strip())
    number = match["number"]
    value = float(number)
    unit = _typed_unit(match["unit"])
    if unit is Unit.UNKNOWN:
        if FAHRENHEIT_RANGE[0] <= value <= FAHRENHEIT_RANGE[1]:
            raise ValidationError.of("reading.unit_needed", value=number)
        # Any other bare number is meant as ℃ (368 is 36.8 without its point, not ℉).
        unit = Unit.CELSIUS
    value_c = to_celsius(value, unit)
    assert value_c is not None  # the unit is known here
    if classify_plausibility(value_c, window) is not Plausibility.OK:
        _refuse_implausible(number, unit, explicit=match["unit"] is not None, window=window)
    return Reading.create(
        value=value,
        unit=unit,
        site=Site.BODY,
        instrument=instrument,
        raw=text,
        taken_at=taken_at,
        window=window,
    )


def _typed_unit(suffix: str | None) -> Unit:
    if suffix is None or suffix in {"°", "度"}:
        # A bare degree sign or "度" says nothing about the scale.
        return Unit.UNKNOWN
    if suffix == "华氏度" or suffix[-1] in "Ff":
        return Unit.FAHRENHEIT
    return Unit.CELSIUS


def _refuse_implausible(
    number: str, unit: Unit, *, explicit: bool, window: PlausibilityWindow
) -> None:
    """Raise the most helpful error for a typed value outside the window."""
    value_c = to_celsius(float(number), unit)
    assert value_c is not None
    other = Unit.CELSIUS if unit is Unit.FAHRENHEIT else Unit.FAHRENHEIT
    other_c = to_celsius(float(number), other)
    if explicit and other_c is not None and _plausible(other_c, window):
        raise ValidationError.of(
            "reading.wrong_unit",
            value=number,
            unit=_symbol(unit),
            value_c=_one_decimal(round_half_up_01(value_c)),
            other_unit=_symbol(other),
        )
    # A slipped decimal point moves the value by a power of ten: suggest the shift that lands
    # in the window, in the unit the person chose.
    for factor in _SHIFTS:
        shifted = Decimal(number) * factor
        shifted_c = to_celsius(float(shifted), unit)
        if shifted_c is None or not _plausible(shifted_c, window):
            continue
        code = (
            "reading.misplaced_decimal_point" if "." in number else "reading.missing_decimal_point"
        )
        suggestion = _one_decimal(shifted) + (_symbol(unit) if explicit else "")
        raise ValidationError.of(code, value=number, suggestion=suggestion)
    raise ValidationError.of(
        "reading.too_low" if value_c < window.low_c else "reading.too_high",
        value=_one_decimal(round_half_up_01(value_c)),
        low=_one_decimal(Decimal(str(window.low_c))),
        high=_one_decimal(Decimal(str(window.high_c))),
    )


def _plausible(value_c: float, window: PlausibilityWindow) -> bool:
    return classify_plausibility(value_c, window) is Plausibility.OK


def _one_decimal(value: Decimal) -> str:
    """At least one decimal, no trailing zeros beyond it: 36.80 → "36.8", 36 → "36.0"."""
    text = f"{value.normalize():f}"
    return text if "." in text else text + ".0"


def _symbol(unit: Unit) -> str:
    return {Unit.CELSIUS: "℃", Unit.FAHRENHEIT: "℉"}.get(unit, "")
