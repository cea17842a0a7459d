"""The fever rule: body values only, rounded half-up to 0.1 ℃, at or over the threshold."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkpoint.domain.fever import DEFAULT_THRESHOLD_C, FeverRule, NotCompared
from checkpoint.domain.readings import (
    OffsetProfile,
    Reading,
    parse_typed_temperature,
    round_half_up_01,
)
from checkpoint.domain.vocabulary import Instrument, Plausibility, Site, Unit

NOON = datetime(2020, 2, 1, 4, 0, tzinfo=UTC)
RULE = FeverRule()


def reading(value: float, site: Site = Site.BODY, unit: Unit = Unit.CELSIUS) -> Reading:
    return Reading.create(
        value=value,
        unit=unit,
        site=site,
        instrument=Instrument.SERIAL_INFRARED,
        raw="",
        taken_at=NOON,
    )


def test_default_threshold_is_37_3() -> None:
    assert FeverRule().threshold_c == DEFAULT_THRESHOLD_C == Decimal("37.3")


@pytest.mark.parametrize(
    ("value_c", "rounded", "at_or_over"),
    [
        (37.24, "37.2", False),
        (37.25, "37.3", True),
        (37.29, "37.3", True),
        (37.3, "37.3", True),
        (37.35, "37.4", True),
        (37.2, "37.2", False),
        (36.5, "36.5", False),
        (39.0, "39.0", True),
    ],
)
def test_threshold_37_3(value_c: float, rounded: str, at_or_over: bool) -> None:
    assessment = RULE.assess(reading(value_c))
    assert assessment.compared
    assert assessment.reason is None
    assert assessment.rounded_c == Decimal(rounded)
    assert assessment.at_or_over is at_or_over
    assert assessment.threshold_c == Decimal("37.3")


@pytest.mark.parametrize(
    ("threshold", "value_c", "at_or_over"),
    [
        ("37.5", 37.44, False),
        ("37.5", 37.45, True),
        ("37.0", 36.96, True),
        ("37.0", 36.94, False),
        ("38.0", 37.9, False),
    ],
)
def test_other_thresholds(threshold: str, value_c: float, at_or_over: bool) -> None:
    assert FeverRule(Decimal(threshold)).assess(reading(value_c)).at_or_over is at_or_over


@pytest.mark.parametrize(
    ("value_c", "at_or_over"), [(37.2, False), (37.24, False), (37.25, True), (37.3, True)]
)
def test_above_37_2_is_the_same_rule(value_c: float, at_or_over: bool) -> None:
    rule = FeverRule.above(Decimal("37.2"))
    assert rule == FeverRule(Decimal("37.3"))
    assert rule.assess(reading(value_c)).at_or_over is at_or_over


@pytest.mark.parametrize("threshold", ["37.25", "NaN", "Infinity"])
def test_threshold_off_the_grid_is_refused(threshold: str) -> None:
    with pytest.raises(ValueError, match="threshold"):
        FeverRule(Decimal(threshold))


@pytest.mark.parametrize(
    ("fahrenheit", "rounded", "at_or_over"),
    [(98.6, "37.0", False), (99.2, "37.3", True), (99.0, "37.2", False), (100.4, "38.0", True)],
)
def test_fahrenheit(fahrenheit: float, rounded: str, at_or_over: bool) -> None:
    assessment = RULE.assess(reading(fahrenheit, unit=Unit.FAHRENHEIT))
    assert assessment.rounded_c == Decimal(rounded)
    assert assessment.at_or_over is at_or_over


def test_typed_fahrenheit_is_flagged() -> None:
    typed = parse_typed_temperature("99.2F", instrument=Instrument.INFRARED_TYPED, taken_at=NOON)
    assert RULE.assess(typed).at_or_over


def test_surface_value_is_never_compared() -> None:
    assessment = RULE.assess(reading(37.5, Site.OBJECT))
    assert not assessment.compared
    assert not assessment.at_or_over
    assert assessment.rounded_c is None
    assert assessment.reason is NotCompared.SURFACE


def test_estimated_body_value_is_compared() -> None:
    estimate = OffsetProfile(offset_c=0.8).estimate_body(reading(36.6, Site.OBJECT), None)
    assessment = RULE.assess(estimate)
    assert assessment.compared
    assert assessment.rounded_c == Decimal("37.4")
    assert assessment.at_or_over


@pytest.mark.parametrize("value_c", [20.0, 37.5, 45.0])
def test_ambient_is_never_compared(value_c: float) -> None:
    assessment = RULE.assess(reading(value_c, Site.AMBIENT))
    assert not assessment.compared
    assert not assessment.at_or_over
    assert assessment.reason is NotCompared.AMBIENT


def test_unknown_unit_is_not_compared_and_measured_again() -> None:
    assessment = RULE.assess(reading(99.5, unit=Unit.UNKNOWN))
    assert not assessment.compared
    assert assessment.reason is NotCompared.UNIT_UNKNOWN
    assert assessment.remeasure_advised


def test_hi_body_reading_is_flagged_and_measured_again() -> None:
    assessment = RULE.assess(reading(44.2))
    assert assessment.plausibility is Plausibility.HI
    assert assessment.compared
    assert assessment.at_or_over
    assert assessment.rounded_c == Decimal("44.2")
    assert assessment.remeasure_advised


def test_hi_is_flagged_even_when_the_window_ends_below_the_threshold() -> None:
    hi = Reading(
        value=37.1,
        unit=Unit.CELSIUS,
        value_c=37.1,
        site=Site.BODY,
        instrument=Instrument.SERIAL_INFRARED,
        raw="",
        taken_at=NOON,
        plausibility=Plausibility.HI,
    )
    assert RULE.assess(hi).at_or_over


def test_lo_body_reading_is_not_compared() -> None:
    assessment = RULE.assess(reading(25.0))
    assert assessment.plausibility is Plausibility.LO
    assert not assessment.compared
    assert not assessment.at_or_over
    assert assessment.reason is NotCompared.IMPLAUSIBLE
    assert assessment.remeasure_advised


def test_plausible_reading_needs_no_remeasure() -> None:
    assert not RULE.assess(reading(37.8)).remeasure_advised


thresholds = st.decimals(min_value=Decimal("35.0"), max_value=Decimal("40.0"), places=1)
body_values = st.floats(min_value=32.0, max_value=43.0, allow_nan=False)


@given(body_values, thresholds)
def test_at_or_over_is_exactly_rounded_at_or_over_threshold(
    value_c: float, threshold: Decimal
) -> None:
    assessment = FeverRule(threshold).assess(reading(value_c))
    assert assessment.compared
    assert assessment.rounded_c == round_half_up_01(value_c)
    assert assessment.at_or_over == (round_half_up_01(value_c) >= threshold)


@given(body_values, body_values, thresholds)
def test_a_higher_value_is_never_less_flagged(a: float, b: float, threshold: Decimal) -> None:
    low, high = sorted((a, b))
    rule = FeverRule(threshold)
    assert rule.assess(reading(low)).at_or_over <= rule.assess(reading(high)).at_or_over
