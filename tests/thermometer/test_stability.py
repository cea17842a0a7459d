"""When readings become a measurement: ramp-up, agreement, the device's flag, one per person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checkpoint.domain.readings import Reading
from checkpoint.domain.vocabulary import Instrument, Site, Unit
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


def _feed(values: list[float | None], flags: list[bool | None] | None = None) -> list[float]:
    """Measured values for a stream of readings 0.1 s apart (None: a 3 s pause)."""
    stream = StabilityFilter(StabilitySettings())
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
