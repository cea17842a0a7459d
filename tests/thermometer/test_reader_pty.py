"""The real reader over a real pty, against the simulator speaking each protocol's bytes.

Every protocol goes through the faults a road-side line shows: noise, frames split into 1–3
byte pieces, damaged frames, silence, an unplug in the middle of a frame and a replug, a port
held by another program, ℉, object frames when body values are expected, and cold ambient.
Assertions are on what the reader reports, never on how long it took.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import serial

from checkpoint.domain.readings import OffsetProfile
from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.thermometer.events import (
    FrameErrorEvent,
    LiveState,
    Measurement,
    RawReading,
    Status,
    StatusEvent,
    ThermometerEvent,
)
from checkpoint.thermometer.protocols import available, protocol_class
from checkpoint.thermometer.protocols.base import DeviceProtocol, Emission
from checkpoint.thermometer.reader import Reader, ReaderSettings
from checkpoint.thermometer.scenario import parse_scenario
from checkpoint.thermometer.simulator import Simulator
from checkpoint.thermometer.stability import StabilitySettings

PROTOCOLS = sorted(available())
WITH_CHECKSUM = {"aa55", "gy-mcu90614", "lu90614", "modbus"}
"""Protocols whose frames carry a checksum or CRC (the others cannot tell a damaged frame)."""
WITH_UNITS = {"fefd", "line"}
"""Protocols that can send ℉."""
DEADLINE_S = 30.0
"""A safety net against a hang, never an assertion about speed."""


POLL_S = 0.05
"""Polled modules are asked this often in these tests (their usual 0.2 s would only be slow)."""


def _interval(protocol: DeviceProtocol) -> str:
    # A polled module is asked every POLL_S: the simulated person must stay in front for
    # several polls, so each of its frames lasts about half a poll.
    return "0.02" if protocol.streams else f"{POLL_S / 2:.3f}"


def _frames(protocol: DeviceProtocol) -> int:
    return 6 if protocol.streams else 14


@dataclass
class Run:
    """The events a reader reported while the simulator played a scenario."""

    events: list[ThermometerEvent] = field(default_factory=list)

    def measurements(self) -> list[Measurement]:
        return [e for e in self.events if isinstance(e, Measurement)]

    def values(self) -> list[float]:
        return [round(m.reading.value_c or 0.0, 1) for m in self.measurements()]

    def statuses(self) -> list[Status]:
        return [e.status for e in self.events if isinstance(e, StatusEvent)]

    def errors(self) -> list[FrameErrorEvent]:
        return [e for e in self.events if isinstance(e, FrameErrorEvent)]

    def raw(self) -> list[RawReading]:
        return [e for e in self.events if isinstance(e, RawReading)]


def _settings(protocol: DeviceProtocol, target: str, **changes: object) -> ReaderSettings:
    surface_only = Site.BODY not in protocol.sites
    settings = ReaderSettings(
        target=target,
        # A surface-only module needs an offset profile; 0 keeps the expected values simple.
        offset=OffsetProfile(offset_c=0.0) if surface_only else None,
        stability=StabilitySettings(gap_s=0.5),
        timeout_s=0.6,
        poll_interval_s=POLL_S,
    )
    return replace(settings, **changes)  # type: ignore[arg-type]


def play(
    name: str,
    steps: str,
    tmp_path: Path,
    *,
    until: Callable[[Run], bool] | None = None,
    **reader_changes: object,
) -> Run:
    """Play `steps` on a simulated `name` module and read it until the scenario is over."""
    protocol = protocol_class(name)()
    header = f"interval = {_interval(protocol)}\n"
    # Nobody in front first: the reader connects (and flushes stale input) before anyone comes.
    steps = nobody(0.3) + steps.replace("FRAMES", str(_frames(protocol)))
    if not protocol.streams:
        # Nobody in front must last a few polls for a polled module to notice.
        least = 3 * POLL_S
        steps = re.sub(
            r"nobody = ([0-9.]+)", lambda m: f"nobody = {max(float(m.group(1)), least)}", steps
        )
    scenario = parse_scenario(header + steps, source="t")
    simulator = Simulator(protocol, scenario=scenario, link=tmp_path / "thermometer", seed=7)
    run = Run()
    stop = threading.Event()
    reader = Reader(
        protocol_class(name)(), _settings(protocol, simulator.start(), **reader_changes)
    )

    def consume() -> None:
        for event in reader.events(stop):
            run.events.append(event)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    deadline = time.monotonic() + DEADLINE_S
    try:
        while time.monotonic() < deadline:
            if until is not None and until(run):
                break
            if until is None and simulator.finished.is_set():
                time.sleep(0.3)  # the last frames are still on their way
                break
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join(timeout=5)
        simulator.stop()
    assert not thread.is_alive(), "the reader did not stop"
    return run


def person(temp: float) -> str:
    return f"[[step]]\nperson = {temp}\nframes = FRAMES\n"


def nobody(seconds: float = 0.15) -> str:
    return f"[[step]]\nnobody = {seconds}\n"


def next_person(temp: float, ramp: int = 0) -> str:
    """Someone who steps up as the last person leaves: no nobody-in-front between."""
    return f"[[step]]\nperson = {temp}\nramp = {ramp}\nframes = FRAMES\n"


@pytest.mark.parametrize("name", PROTOCOLS)
def test_people_are_measured_once_each(name: str, tmp_path: Path) -> None:
    run = play(
        name, person(36.6) + nobody() + person(38.2) + nobody() + person(37.1) + nobody(), tmp_path
    )
    assert run.values() == [36.6, 38.2, 37.1]
    assert run.statuses()[0] is Status.CONNECTED
    assert not run.errors()


@pytest.mark.parametrize("ramp", [0, 2])
@pytest.mark.parametrize("name", PROTOCOLS)
def test_a_fever_straight_after_another_person_is_not_swallowed(
    name: str, ramp: int, tmp_path: Path
) -> None:
    # 36.5 then 38.1 with no gap and no ambient between (ramp 0: the value jumps, the
    # module's stable flag never drops; ramp 2: it moves through 37.0 and 37.6).
    run = play(name, person(36.5) + next_person(38.1, ramp) + nobody(), tmp_path)
    assert run.values() == [36.5, 38.1]
    live = [r for r in run.raw() if round(r.reading.value_c or 0, 1) == 38.1]
    assert live[-1].state is LiveState.MEASURED
    if ramp == 0:  # (a module's flag drops on the way up: the usual "measuring again")
        assert [m.no_gap for m in run.measurements()] == [False, True]
        # Until it counts, the new value is shown live as not measured, not as the first one's.
        assert live[0].state is LiveState.UNSTABLE


@pytest.mark.parametrize("name", PROTOCOLS)
def test_a_steady_person_and_small_drift_are_measured_once(name: str, tmp_path: Path) -> None:
    steady = person(36.6).replace("FRAMES", "FRAMES\nramp = 3") + next_person(36.6)
    drift = next_person(36.8) + next_person(36.7) + next_person(36.9)
    run = play(name, steady + drift + nobody() + person(36.4) + nobody(), tmp_path)
    assert run.values() == [36.6, 36.4]


@pytest.mark.parametrize("name", PROTOCOLS)
def test_noise_and_split_frames_lose_nothing(name: str, tmp_path: Path) -> None:
    steps = (
        "[[step]]\ngarbage = 40\n"
        + person(36.8)
        + nobody()
        + "[[step]]\nchunks = [1, 3]\n"
        + person(38.4)
        + nobody()
        + "[[step]]\ngarbage = 25\n"
        + person(37.0)
        + "[[step]]\nchunks = []\n"
        + nobody()
    )
    run = play(name, steps, tmp_path)
    assert run.values() == [36.8, 38.4, 37.0]


@pytest.mark.parametrize("name", sorted(WITH_CHECKSUM))
def test_damaged_frames_are_errors_not_readings(name: str, tmp_path: Path) -> None:
    steps = person(36.5) + nobody() + "[[step]]\nbad_checksum = 3\n" + person(37.9) + nobody()
    run = play(name, steps, tmp_path)
    assert run.values() == [36.5, 37.9]
    reasons = {e.error.reason.value for e in run.errors()}
    assert reasons & {"bad-checksum", "garbage", "unexpected"}, reasons


@pytest.mark.parametrize("name", PROTOCOLS)
def test_header_bytes_in_noise_do_not_swallow_a_frame(name: str, tmp_path: Path) -> None:
    protocol = protocol_class(name)()
    frame = protocol.encode(Emission(value_c=36.9))
    # The start of a frame, cut short, right before real frames: the parser must give up on
    # the false start and still find the frame that begins inside what it buffered.
    steps = (
        f'[[step]]\nraw = "{frame[: max(1, len(frame) // 2)].hex()}"\n' + person(36.9) + nobody()
    )
    run = play(name, steps, tmp_path)
    assert run.values() == [36.9]


@pytest.mark.parametrize("name", PROTOCOLS)
def test_silence_is_a_timeout_then_data_again(name: str, tmp_path: Path) -> None:
    steps = person(36.4) + "[[step]]\nsilence = 1.2\n" + person(37.6) + nobody()
    run = play(name, steps, tmp_path)
    statuses = run.statuses()
    assert Status.TIMEOUT in statuses
    assert statuses.index(Status.DATA_RESUMED) > statuses.index(Status.TIMEOUT)
    assert run.values() == [36.4, 37.6]


@pytest.mark.parametrize("name", PROTOCOLS)
def test_unplug_mid_frame_then_replug(name: str, tmp_path: Path) -> None:
    protocol = protocol_class(name)()
    half = protocol.encode(Emission(value_c=37.0))[:3]
    steps = (
        person(36.7)
        + f'[[step]]\nraw = "{half.hex()}"\n'
        + "[[step]]\nunplug = 300\n"
        + nobody(0.8)  # the reader backs off before it reopens
        + person(37.4)
        + nobody()
    )
    run = play(name, steps, tmp_path)
    statuses = run.statuses()
    assert statuses.count(Status.CONNECTED) == 2
    assert statuses.index(Status.DISCONNECTED) < statuses.index(Status.RECONNECTING)
    assert run.values() == [36.7, 37.4]


def test_a_port_held_by_another_program_is_reported_then_picked_up(tmp_path: Path) -> None:
    protocol = protocol_class("aa55")()
    simulator = Simulator(protocol, interval=0.02, link=tmp_path / "thermometer", seed=3)
    holder = serial.Serial(simulator.start(), exclusive=True)
    stop = threading.Event()
    events: list[ThermometerEvent] = []

    def consume() -> None:
        for event in Reader(protocol, _settings(protocol, simulator.path)).events(stop):
            events.append(event)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    try:
        _wait(
            lambda: any(
                isinstance(e, StatusEvent) and e.status is Status.PORT_ERROR for e in events
            )
        )
        error = next(e for e in events if isinstance(e, StatusEvent))
        assert error.status is Status.PORT_ERROR
        assert "in use by another program" in error.detail
        holder.close()
        _wait(lambda: any(isinstance(e, Measurement) for e in events))
    finally:
        holder.close()
        stop.set()
        thread.join(timeout=5)
        simulator.stop()


def _wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, "the reader never got there"
        time.sleep(0.02)


@pytest.mark.parametrize("name", sorted(WITH_UNITS))
def test_fahrenheit_is_normalised_with_the_original_kept(name: str, tmp_path: Path) -> None:
    steps = person(36.6) + nobody() + '[[step]]\nunit = "F"\n' + person(38.5) + nobody()
    run = play(name, steps, tmp_path)
    first, second = run.measurements()
    assert first.reading.unit is Unit.CELSIUS
    assert second.reading.unit is Unit.FAHRENHEIT
    assert second.reading.value == pytest.approx(101.3, abs=0.05)
    assert second.reading.value_c == pytest.approx(38.5, abs=0.05)
    assert Status.UNIT_CHANGED in run.statuses()


def test_object_frames_when_body_expected_are_never_measurements(tmp_path: Path) -> None:
    steps = person(36.6) + nobody() + "[[step]]\nobject = 34.8\nframes = 14\n" + nobody()
    run = play("lu90614", steps, tmp_path)
    assert run.values() == [36.6]
    surface = [r for r in run.raw() if r.reading.site is Site.OBJECT]
    assert surface and all(r.reading.value == pytest.approx(34.8) for r in surface)
    assert Status.SURFACE_ONLY in run.statuses()


def test_surface_values_become_estimates_only_with_an_offset(tmp_path: Path) -> None:
    run = play(
        "gy-mcu90614",
        person(35.9) + nobody(),
        tmp_path,
        offset=OffsetProfile(offset_c=0.8),
    )
    [measurement] = run.measurements()
    assert measurement.reading.site is Site.ESTIMATED_BODY
    assert measurement.reading.value_c == pytest.approx(36.7)
    assert measurement.reading.estimated_from_c == pytest.approx(35.9)


def test_cold_ambient_is_reported(tmp_path: Path) -> None:
    steps = person(36.2) + "[[step]]\nambient = 4.0\n" + person(35.8) + nobody()
    run = play("gy-mcu90614", steps, tmp_path)
    cold = [
        e
        for e in run.events
        if isinstance(e, StatusEvent) and e.status is Status.AMBIENT_OUT_OF_RANGE
    ]
    assert cold and cold[0].detail == "4.0"
    assert run.values()[:1] == [36.2]


def test_implausible_values_are_kept_as_lo_or_hi_never_clamped(tmp_path: Path) -> None:
    run = play("aa55", person(44.6) + nobody(), tmp_path)
    [measurement] = run.measurements()
    assert measurement.reading.value_c == pytest.approx(44.6)
    assert measurement.reading.plausibility.value == "hi"


def test_counters_add_up(tmp_path: Path) -> None:
    protocol = protocol_class("aa55")()
    scenario = parse_scenario(
        "interval = 0.02\n"
        + person(36.6).replace("FRAMES", "6")
        + "[[step]]\nbad_checksum = 2\n"
        + nobody(),
        source="t",
    )
    with Simulator(protocol, scenario=scenario, link=tmp_path / "t", seed=1) as simulator:
        reader = Reader(protocol, _settings(protocol, simulator.path))
        stop = threading.Event()
        seen: list[ThermometerEvent] = []
        for event in _until_finished(reader, stop, simulator):
            seen.append(event)
    assert reader.counters.measurements == 1
    assert reader.counters.frames == sum(isinstance(e, RawReading) for e in seen)
    assert reader.counters.error_count == sum(isinstance(e, FrameErrorEvent) for e in seen) >= 1


def _until_finished(
    reader: Reader, stop: threading.Event, simulator: Simulator
) -> Iterator[ThermometerEvent]:
    deadline = time.monotonic() + DEADLINE_S
    finished_at: float | None = None
    for event in reader.events(stop):
        yield event
        now = time.monotonic()
        if simulator.finished.is_set() and finished_at is None:
            finished_at = now
        if (finished_at is not None and now - finished_at > 0.3) or now > deadline:
            stop.set()


def test_a_bare_number_in_the_fahrenheit_range_is_ambiguous_not_converted(tmp_path: Path) -> None:
    line = b"98.6\r\n".hex()
    steps = "".join(f'[[step]]\nraw = "{line}"\n[[step]]\nsilence = 0.05\n' for _ in range(5))
    run = play("line", steps + nobody(), tmp_path)
    assert run.statuses().count(Status.AMBIGUOUS_UNIT) == 1
    assert not run.measurements()
    bare = [r for r in run.raw() if r.reading.value == 98.6]
    assert len(bare) == 5 and all(r.reading.value_c is None for r in bare)
