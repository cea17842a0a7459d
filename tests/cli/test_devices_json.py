"""`devices read --json` prints temperatures with the digits the device gave, without the
binary noise of a conversion."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from checkpoint.cli.devices_cmd import _as_json
from checkpoint.domain.readings import OffsetProfile, Reading
from checkpoint.domain.vocabulary import Instrument, Site, Unit
from checkpoint.thermometer.events import Measurement

AT = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)


def surface(value: float, unit: Unit = Unit.CELSIUS) -> Reading:
    return Reading.create(
        value=value,
        unit=unit,
        site=Site.OBJECT,
        instrument=Instrument.SERIAL_INFRARED,
        raw="00",
        taken_at=AT,
    )


def line(reading: Reading) -> str:
    return json.dumps(_as_json(Measurement(reading=reading, stable_by="device", frames=3)))


def test_an_estimate_prints_as_its_digits() -> None:
    estimate = OffsetProfile(offset_c=1.3).estimate_body(surface(36.3), None)
    assert estimate.value_c == 36.3 + 1.3 != 37.6  # the float sum is 37.599999999999994
    assert '"value_c": 37.6,' in line(estimate)


def test_a_device_value_prints_as_given() -> None:
    assert '"value_c": 36.6,' in line(surface(36.6))
    kelvin_device = surface(15537 * 0.02 - 273.15)  # an MLX90614 register: 37.59000000000003
    assert '"value_c": 37.59,' in line(kelvin_device)


def test_a_fahrenheit_value_keeps_a_useful_precision() -> None:
    row = json.loads(line(surface(99.7, Unit.FAHRENHEIT)))
    assert row["value_c"] == 37.6111
