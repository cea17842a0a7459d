"""When readings become a measurement: ramp-up, agreement, the device's flag, one per person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from checkpoint.domain.fever import FeverRule
from checkpoint.domain.readings import Reading
from checkpoint.domain.vocabulary import Instrument, Site, Unit
from checkpoint.thermometer.events import LiveState
from checkpoint.thermometer.stability import StabilityFilter, StabilitySettings

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def _reading(value: float, at: float, site: Site = Site.BODY) -> Reading:
    return Reading.create(
        value=value,
        unit=Unit.CELSIUS,
        site=site,
        instrument=Instrument.SERIAL_INFRARED,
        raw="",
        taken_at=START + timedelta(seconds=at),
    )


def _feed(
    values: list[float | None],
    flags: list[bool | None] | None = None,
    settings: StabilitySettings | None = None,
) -> list[float]:
    """Measured values for a stream of readings 0.1 s apart (None: a 3 s pause)."""
    stream = StabilityFilter(settings or StabilitySettings())
    measured, at = [], 0.0
    for i, value in enumerate(values):
        if value is None:
            at += 3.0
            continue
        at += 0.1
        flag = flags[i] if flags else None
        measurement = stream.push(_reading(value, at), flag)
        if measurement is not None:
            measured.append(measurement.reading.value)
    return measured


def test_ramp_up_is_not_a_measurement() -> None:
    assert _feed([24.0, 30.5, 33.0, 35.2, 36.1, 36.5]) == []


def test_three_agreeing_values_are_one_measurement() -> None:
    assert _feed([24.0, 33.0, 36.4, 36.5, 36.6, 36.5, 36.6, 36.5]) == [36.6]


def test_values_drifting_more_than_the_tolerance_are_not_stable() -> None:
    assert _feed([36.0, 36.3, 36.6, 36.9]) == []


def test_the_next_person_after_nobody_is_measured_again() -> None:
    assert _feed([36.5, 36.5, 36.5, 24.0, 24.1, 38.0, 38.1, 38.0]) == [36.5, 38.0]


def test_a_pause_in_the_stream_means_another_person() -> None:
    assert _feed([36.5, 36.5, 36.5, None, 37.2, 37.2, 37.2]) == [36.5, 37.2]


def test_the_devices_flag_decides_when_it_has_one() -> None:
    values: list[float | None] = [35.0, 36.2, 36.8, 36.8, 37.9, 38.4]
    flags: list[bool | None] = [False, False, True, True, False, True]
    assert _feed(values, flags) == [36.8, 38.4]


def test_surface_values_are_never_measurements() -> None:
    stream = StabilityFilter(StabilitySettings())
    assert all(stream.push(_reading(36.5, i, Site.OBJECT), None) is None for i in range(10))


def test_lo_and_hi_are_measured_as_they_are() -> None:
    assert _feed([31.0, 31.0, 31.0]) == [31.0]
    assert _feed([44.1, 44.1, 44.1]) == [44.1]


# -- no gap between two people: a fever is never swallowed ------------------------------------


def test_a_clearly_different_value_with_no_gap_is_a_new_measurement() -> None:
    # The next person stepped up as the last one stepped away: no pause, no ambient between.
    assert _feed([36.5, 36.5, 36.5, 36.5, 38.1, 38.1, 38.1]) == [36.5, 38.1]
    assert _feed([36.5, 36.5, 36.5, 37.2, 37.8, 38.1, 38.1, 38.1]) == [36.5, 38.1]


def test_a_fever_behind_a_module_that_keeps_its_stable_flag_up_is_measured() -> None:
    values: list[float | None] = [36.5, 36.5, 36.5, 38.1, 38.1, 38.1]
    assert _feed(values, [True] * len(values)) == [36.5, 38.1]


def test_a_steady_person_is_measured_once() -> None:
    assert _feed([36.6] * 60) == [36.6]
    assert _feed([36.6] * 60, [True] * 60) == [36.6]


def test_small_drift_is_the_same_person() -> None:
    drift: list[float | None] = [36.5, 36.5, 36.5, 36.6, 36.7, 36.8, 36.8, 36.9, 36.8, 36.6]
    assert _feed(drift) == [36.5]
    assert _feed(drift, [True] * len(drift)) == [36.5]


def test_one_stray_frame_is_not_a_new_person() -> None:
    assert _feed([36.5, 36.5, 36.5, 38.4, 36.5, 36.5, 36.5]) == [36.5]
    values: list[float | None] = [36.5, 36.5, 36.5, 38.4, 36.5, 36.5]
    assert _feed(values, [True] * len(values)) == [36.5]


def test_crossing_the_threshold_is_a_new_measurement_even_by_a_little() -> None:
    # 37.1 then 37.4: under the change that means another person, but now at or over.
    assert _feed([37.1, 37.1, 37.1, 37.4, 37.4, 37.4]) == [37.1, 37.4]
    # Back under and up again: the fever was already measured, it is not counted twice.
    assert _feed([37.1] * 3 + [37.4] * 3 + [37.2] * 3 + [37.4] * 3) == [37.1, 37.4]


def test_the_threshold_and_the_change_are_settings() -> None:
    strict = StabilitySettings(fever=FeverRule(Decimal("38.0")), change_c=1.0)
    assert _feed([37.1, 37.1, 37.1, 37.4, 37.4, 37.4], settings=strict) == [37.1]
    assert _feed([36.5] * 3 + [37.3] * 3, settings=strict) == [36.5]
    assert _feed([36.5] * 3 + [37.6] * 3, settings=strict) == [36.5, 37.6]
    assert _feed([37.6] * 3 + [38.0] * 3, settings=strict) == [37.6, 38.0]


def test_a_lower_value_with_no_gap_is_measured_too() -> None:
    assert _feed([38.1, 38.1, 38.1, 36.4, 36.4, 36.4]) == [38.1, 36.4]


def test_the_live_state_says_what_is_not_yet_a_measurement() -> None:
    stream = StabilityFilter(StabilitySettings())
    states = []
    for at, value in enumerate([24.0, 33.0, 36.5, 36.5, 36.5, 36.6, 38.1, 24.0], 1):
        reading = _reading(value, at / 10)
        stream.push(reading, None)
        states.append(stream.state_of(reading))
    nobody, unstable, measured = LiveState.NOBODY, LiveState.UNSTABLE, LiveState.MEASURED
    assert states == [nobody, unstable, unstable, unstable, measured, measured, unstable, nobody]
