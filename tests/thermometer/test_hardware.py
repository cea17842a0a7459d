"""Opt-in tests against a real thermometer module; skipped unless `--device PATH` is given.

    pytest tests/thermometer/test_hardware.py --device /dev/ttyUSB0 --device-protocol lu90614

Point the thermometer at something warm (a hand, a cup of tea) while they run: polled modules
answer at any time, but some streaming modules only send while they see a target.
"""

from __future__ import annotations

import threading

import pytest

from checkpoint.thermometer.events import RawReading, Status, StatusEvent, ThermometerEvent
from checkpoint.thermometer.probe import probe_port
from checkpoint.thermometer.protocols import available, protocol_class
from checkpoint.thermometer.reader import Reader, ReaderSettings
from tests.conftest import HardwareDevice

FIRST_READING_S = 10.0
"""How long the tester has to get a first reading (a bound on waiting, not a timing check)."""
PROBE_SECONDS = 2.0


def tell_the_tester(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with capsys.disabled():
        print(f"\n>>> {text}", flush=True)


def test_the_reader_connects_and_reads(
    hardware_device: HardwareDevice, capsys: pytest.CaptureFixture[str]
) -> None:
    protocol = protocol_class(hardware_device.protocol)()
    reader = Reader(protocol, ReaderSettings(target=hardware_device.path))
    tell_the_tester(
        capsys,
        f"Point the thermometer on {hardware_device.path} at something "
        f"(a hand, a cup of tea): waiting up to {FIRST_READING_S:g} s for a reading …",
    )
    stop = threading.Event()
    deadline = threading.Timer(FIRST_READING_S, stop.set)
    deadline.start()
    seen: list[ThermometerEvent] = []
    try:
        # Stopped rather than left: the generator then ends by itself and closes the port.
        for event in reader.events(stop):
            seen.append(event)
            if isinstance(event, RawReading):
                stop.set()
    finally:
        deadline.cancel()
        stop.set()

    statuses = [(e.status, e.detail) for e in seen if isinstance(e, StatusEvent)]
    assert any(status is Status.CONNECTED for status, _ in statuses), (
        f"{hardware_device.path} did not open: {statuses}"
    )
    readings = [e for e in seen if isinstance(e, RawReading)]
    assert readings, (
        f"no {hardware_device.protocol} reading within {FIRST_READING_S:g} s "
        f"({reader.counters.bytes_read} bytes, frame errors {dict(reader.counters.errors)}); "
        "was the thermometer pointed at something, and is the protocol right?"
    )
    tell_the_tester(capsys, f"read {readings[0].reading.value_c} ℃ ({readings[0].reading.raw})")


def test_probe_finds_the_protocol(
    hardware_device: HardwareDevice, capsys: pytest.CaptureFixture[str]
) -> None:
    protocols = [protocol_class(name)() for name in sorted(available())]
    tell_the_tester(
        capsys,
        f"Keep the thermometer on {hardware_device.path} pointed at something: probing "
        f"{len(protocols)} protocols, {PROBE_SECONDS:g} s each …",
    )

    results = probe_port(hardware_device.path, protocols, seconds=PROBE_SECONDS)

    answered = [r.protocol for r in results if r.answered]
    assert hardware_device.protocol in answered, f"answered: {answered}; all: {results}"
