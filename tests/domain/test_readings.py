"""Readings: units, rounding, plausibility, surface-to-body estimates and typed input."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkpoint.domain import cases, fever, readings, risk_areas
from checkpoint.domain.readings import (
    DEFAULT_WINDOW,
    OffsetProfile,
    PlausibilityWindow,
    Reading,
    classify_plausibility,
    fahrenheit_to_celsius,
    interpret_unitless,
    parse_typed_temperature,
    round_half_up_01,
)
from checkpoint.domain.vocabulary import Instrument, Plausibility, Site, Unit
from checkpoint.errors import ValidationError
from checkpoint.locale import LANGUAGES, catalog

BEIJING = timezone(timedelta(hours=8))
NOON = datetime(2020, 2, 1, 12, 0, tzinfo=BEIJING)


def typed(text: str, instrument: Instrument = Instrument.INFRARED_TYPED) -> Reading:
    return parse_typed_temperature(text, instrument=instrument, taken_at=NOON)


def refusal(text: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        typed(text)
    return caught.value


def surface(value_c: float) -> Reading:
    return Reading.create(
        value=value_c,
        unit=Unit.CELSIUS,
        site=Site.OBJECT,
        instrument=Instrument.SERIAL_INFRARED,
        raw="5a5a4504",
        taken_at=NOON,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (37.24, "37.2"),
        (37.25, "37.3"),
        (37.29, "37.3"),
        (37.3, "37.3"),
        (37.35, "37.4"),  # the float is 37.34999…: rounding the decimal text keeps it up
        (36.05, "36.1"),
        (37.0, "37.0"),
        (-5.25, "-5.3"),  # ambient in winter: halves go away from zero
    ],
)
def test_round_half_up_01(value: float, expected: str) -> None:
    assert round_half_up_01(value) == Decimal(expected)


def test_round_half_up_01_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        round_half_up_01(float("nan"))


@given(
    st.floats(min_value=-50, max_value=150, allow_nan=False),
    st.floats(min_value=-50, max_value=150, allow_nan=False),
)
def test_rounding_is_monotonic(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert round_half_up_01(low) <= round_half_up_01(high)


@given(st.floats(min_value=-50, max_value=150, allow_nan=False))
def test_rounding_moves_at_most_half_a_tenth(value: float) -> None:
    assert abs(round_half_up_01(value) - Decimal(str(value))) <= Decimal("0.05")


@pytest.mark.parametrize(
    ("fahrenheit", "celsius"),
    [(98.6, 37.0), (32.0, 0.0), (212.0, 100.0), (99.2, 37.333333333333336), (-40.0, -40.0)],
)
def test_fahrenheit_to_celsius(fahrenheit: float, celsius: float) -> None:
    assert fahrenheit_to_celsius(fahrenheit) == pytest.approx(celsius)


def test_98_6_fahrenheit_is_exactly_37() -> None:
    assert fahrenheit_to_celsius(98.6) == 37.0


@pytest.mark.parametrize(
    ("value_c", "expected"),
    [
        (31.9, Plausibility.LO),
        (32.0, Plausibility.OK),
        (36.5, Plausibility.OK),
        (43.0, Plausibility.OK),
        (43.1, Plausibility.HI),
        (25.0, Plausibility.LO),  # nobody in front of the sensor
    ],
)
def test_classify_plausibility(value_c: float, expected: Plausibility) -> None:
    assert classify_plausibility(value_c, DEFAULT_WINDOW) is expected


def test_plausibility_window_is_configurable() -> None:
    window = PlausibilityWindow(low_c=34.0, high_c=42.0)
    assert classify_plausibility(33.5, window) is Plausibility.LO
    assert classify_plausibility(42.5, window) is Plausibility.HI


def test_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        PlausibilityWindow(low_c=43.0, high_c=32.0)


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        (36.8, Unit.CELSIUS),
        (30.0, Unit.CELSIUS),
        (45.0, Unit.CELSIUS),
        (25.0, Unit.CELSIUS),  # nobody in front: ℃, and then Lo
        (98.6, Unit.UNKNOWN),  # probably ℉, but never silently converted
        (90.0, Unit.UNKNOWN),
        (110.0, Unit.UNKNOWN),
        (60.0, Unit.UNKNOWN),
        (365.0, Unit.UNKNOWN),
    ],
)
def test_interpret_unitless(value: float, unit: Unit) -> None:
    assert interpret_unitless(value) is unit


class TestReading:
    def test_create_keeps_the_value_as_received(self) -> None:
        reading = Reading.create(
            value=98.6,
            unit=Unit.FAHRENHEIT,
            site=Site.BODY,
            instrument=Instrument.SERIAL_INFRARED,
            raw="fefd150103da0d0a",
            taken_at=NOON,
        )
        assert reading.value == 98.6
        assert reading.unit is Unit.FAHRENHEIT
        assert reading.value_c == 37.0
        assert reading.plausibility is Plausibility.OK
        assert reading.taken_at == datetime(2020, 2, 1, 4, 0, tzinfo=UTC)
        assert reading.taken_at.tzinfo is UTC

    def test_unknown_unit_has_no_celsius_value(self) -> None:
        reading = Reading.create(
            value=98.6,
            unit=Unit.UNKNOWN,
            site=Site.BODY,
            instrument=Instrument.SERIAL_INFRARED,
            raw="T=98.6",
            taken_at=NOON,
        )
        assert reading.value_c is None
        assert reading.plausibility is Plausibility.OK

    @pytest.mark.parametrize(
        ("value", "plausibility"),
        [(44.5, Plausibility.HI), (28.0, Plausibility.LO), (36.6, Plausibility.OK)],
    )
    def test_body_values_are_judged_never_clamped(
        self, value: float, plausibility: Plausibility
    ) -> None:
        reading = Reading.create(
            value=value,
            unit=Unit.CELSIUS,
            site=Site.BODY,
            instrument=Instrument.SERIAL_INFRARED,
            raw="",
            taken_at=NOON,
        )
        assert reading.plausibility is plausibility
        assert reading.value_c == value

    @pytest.mark.parametrize("site", [Site.OBJECT, Site.AMBIENT])
    def test_window_is_about_people_only(self, site: Site) -> None:
        reading = Reading.create(
            value=-8.0,
            unit=Unit.CELSIUS,
            site=site,
            instrument=Instrument.SERIAL_INFRARED,
            raw="",
            taken_at=NOON,
        )
        assert reading.plausibility is Plausibility.OK

    def test_naive_time_is_refused(self) -> None:
        with pytest.raises(ValueError, match="time zone"):
            parse_typed_temperature(
                "36.8", instrument=Instrument.INFRARED_TYPED, taken_at=datetime(2020, 2, 1, 12)
            )


class TestOffsetProfile:
    def test_constant_offset(self) -> None:
        estimate = OffsetProfile(offset_c=0.8).estimate_body(surface(36.5), None)
        assert estimate.site is Site.ESTIMATED_BODY
        assert estimate.value_c == pytest.approx(37.3)
        assert estimate.unit is Unit.CELSIUS
        assert estimate.estimated_from_c == 36.5
        assert estimate.raw == "5a5a4504"
        assert estimate.taken_at == surface(36.5).taken_at

    def test_cold_ambient_adds_to_the_offset(self) -> None:
        profile = OffsetProfile(
            offset_c=0.5, reference_ambient_c=20.0, extra_c_per_degree_below=0.05
        )
        assert profile.offset_for(25.0) == pytest.approx(0.5)
        assert profile.offset_for(0.0) == pytest.approx(1.5)
        assert profile.offset_for(None) == pytest.approx(0.5)
        estimate = profile.estimate_body(surface(35.0), 0.0)
        assert estimate.value_c == pytest.approx(36.5)
        assert estimate.ambient_c == 0.0

    def test_estimate_is_judged_for_plausibility(self) -> None:
        estimate = OffsetProfile(offset_c=0.5).estimate_body(surface(25.0), None)
        assert estimate.plausibility is Plausibility.LO

    def test_only_surface_values_are_estimated(self) -> None:
        with pytest.raises(ValueError, match="surface"):
            OffsetProfile(offset_c=0.5).estimate_body(typed("36.5"), None)

    def test_unit_unknown_cannot_be_estimated(self) -> None:
        reading = Reading.create(
            value=95.0,
            unit=Unit.UNKNOWN,
            site=Site.OBJECT,
            instrument=Instrument.SERIAL_INFRARED,
            raw="",
            taken_at=NOON,
        )
        with pytest.raises(ValidationError) as caught:
            OffsetProfile(offset_c=0.5).estimate_body(reading, None)
        assert caught.value.code == "reading.estimate_unit_unknown"

    def test_ambient_term_needs_a_reference(self) -> None:
        with pytest.raises(ValueError, match="reference_ambient_c"):
            OffsetProfile(offset_c=0.5, extra_c_per_degree_below=0.1)


@pytest.mark.parametrize(
    ("text", "value", "unit", "value_c"),
    [
        ("36.8", 36.8, Unit.CELSIUS, 36.8),
        (" 36.8 ", 36.8, Unit.CELSIUS, 36.8),
        ("36,8", 36.8, Unit.CELSIUS, 36.8),
        ("36，8", 36.8, Unit.CELSIUS, 36.8),
        ("36。8", 36.8, Unit.CELSIUS, 36.8),
        ("３６．８", 36.8, Unit.CELSIUS, 36.8),
        ("36.8℃", 36.8, Unit.CELSIUS, 36.8),
        ("36.8C", 36.8, Unit.CELSIUS, 36.8),
        ("36.8 c", 36.8, Unit.CELSIUS, 36.8),
        ("36.8°C", 36.8, Unit.CELSIUS, 36.8),
        ("36.8度", 36.8, Unit.CELSIUS, 36.8),
        ("36.8摄氏度", 36.8, Unit.CELSIUS, 36.8),
        ("37", 37.0, Unit.CELSIUS, 37.0),
        ("98.6F", 98.6, Unit.FAHRENHEIT, 37.0),
        ("98.6℉", 98.6, Unit.FAHRENHEIT, 37.0),
        ("98.6 °F", 98.6, Unit.FAHRENHEIT, 37.0),
        ("９８.６Ｆ", 98.6, Unit.FAHRENHEIT, 37.0),
        ("９８．６ｆ", 98.6, Unit.FAHRENHEIT, 37.0),
        ("99.2F", 99.2, Unit.FAHRENHEIT, 37.333333333333336),
    ],
)
def test_typed_temperatures_accepted(text: str, value: float, unit: Unit, value_c: float) -> None:
    reading = typed(text)
    assert reading.value == value
    assert reading.unit is unit
    assert reading.value_c == pytest.approx(value_c)
    assert reading.site is Site.BODY
    assert reading.instrument is Instrument.INFRARED_TYPED
    assert reading.raw == text
    assert reading.plausibility is Plausibility.OK


def test_typed_axillary_keeps_its_instrument() -> None:
    assert typed("37.6", Instrument.AXILLARY_TYPED).instrument is Instrument.AXILLARY_TYPED


@pytest.mark.parametrize(
    ("text", "code", "hint_contains"),
    [
        ("", "reading.empty", "36.8"),
        ("   ", "reading.empty", "36.8"),
        ("abc", "reading.not_a_number", "36.8"),
        ("36.8.1", "reading.not_a_number", "36.8"),
        ("36..8", "reading.not_a_number", "36.8"),
        ("36.8K", "reading.not_a_number", "98.6F"),
        ("368", "reading.missing_decimal_point", "36.8?"),
        ("373", "reading.missing_decimal_point", "37.3?"),
        ("３７３", "reading.missing_decimal_point", "37.3?"),
        ("3685", "reading.missing_decimal_point", "36.85?"),
        ("3.68", "reading.misplaced_decimal_point", "36.8?"),
        ("3.6", "reading.misplaced_decimal_point", "36.0?"),
        ("368.0", "reading.misplaced_decimal_point", "36.8?"),
        ("986F", "reading.missing_decimal_point", "98.6℉?"),
        ("98.6", "reading.unit_needed", "98.6F"),
        ("100", "reading.unit_needed", "100F"),
        ("36.8F", "reading.wrong_unit", "36.8℃?"),
        ("98.6C", "reading.wrong_unit", "98.6℉?"),
        ("28.5", "reading.too_low", "wrist or neck"),
        ("0", "reading.too_low", "Measure again"),
        ("45.5", "reading.too_high", "Measure again"),
        ("43.2", "reading.too_high", "Measure again"),
    ],
)
def test_typed_mistakes_are_refused_with_a_hint(text: str, code: str, hint_contains: str) -> None:
    error = refusal(text)
    assert error.code == code
    assert hint_contains in error.hint
    assert not error.message.startswith("reading.")  # the catalog has the text
    message_zh, hint_zh = error.text("zh-CN")
    assert message_zh and hint_zh and message_zh != error.message


def test_out_of_range_message_names_the_window() -> None:
    error = refusal("28.5")
    assert "28.5" in error.message and "32.0" in error.message and "43.0" in error.message


def test_typed_window_is_the_one_given() -> None:
    window = PlausibilityWindow(low_c=30.0, high_c=43.0)
    reading = parse_typed_temperature(
        "31.0", instrument=Instrument.INFRARED_TYPED, taken_at=NOON, window=window
    )
    assert reading.value_c == 31.0


# Message codes used by the screening rules must be in both catalogs, with a hint.
_CODE = re.compile(r"ValidationError\.of\(\s*\"([^\"]+)\"")
_MODULES_WITH_ERRORS = [readings, cases, risk_areas]


@pytest.mark.parametrize("module", _MODULES_WITH_ERRORS, ids=lambda m: m.__name__)
def test_every_error_code_has_message_and_hint(module: object) -> None:
    source = Path(str(getattr(module, "__file__", ""))).read_text(encoding="utf-8")
    codes = set(_CODE.findall(source))
    assert codes
    for language in LANGUAGES:
        for code in codes:
            assert code in catalog(language), (language, code)
            assert f"{code}.hint" in catalog(language), (language, code)


def test_screening_catalogs_have_the_same_keys() -> None:
    folder = resources.files("checkpoint.locale")
    keys = [
        set(tomllib.loads(folder.joinpath(lang, "screening.toml").read_text("utf-8")))
        for lang in LANGUAGES
    ]
    assert keys[0] == keys[1]


def test_every_label_is_in_the_catalogs() -> None:
    labels = [
        *(f"fever.not_compared.{r}" for r in fever.NotCompared),
        *(f"case.reason.{r}" for r in cases.CaseReason),
        *(f"case.step.{s}" for s in cases.NextStep),
        *(f"risk_areas.level.{level}" for level in risk_areas.RiskLevel),
    ]
    for language in LANGUAGES:
        missing = [key for key in labels if key not in catalog(language)]
        assert not missing, (language, missing)
