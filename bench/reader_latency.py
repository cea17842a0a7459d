"""Reader latency: from a frame's last byte on a real pty to the reader's Measurement event.

A writer thread plays an aa55 module on the master side of a pty (`os.openpty`, raw mode) at
the wire speed of 9,600 baud (10 bits a byte, each byte written at its own time), alternating a
"nobody" frame (24.0 ℃) and a person frame (36.0–37.9 ℃), encoded by the protocol's own
encoder. `checkpoint.thermometer.reader.Reader` reads the slave side with
StabilitySettings(frames=1), so every person frame completes one Measurement. Latency is
time.perf_counter() when the Measurement reaches the consumer minus time.perf_counter() right
after the os.write of that frame's last byte; measurements are matched to frames by order and
checked by value. Latency is therefore what the reader adds beyond the frame's wire time.

The baseline, in the same run, over the same pty and pacing: a bare pyserial loop
(`Serial(slave, timeout=0.02)`, `read(in_waiting or 1)`) that only counts bytes, latency taken
when the 6th byte of a person frame arrives. Target: p99 beyond the wire time <= 5 ms.

    python bench/reader_latency.py [--count N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field

import serial

from checkpoint.thermometer.events import Measurement, Status, StatusEvent
from checkpoint.thermometer.protocols.aa55 import Aa55
from checkpoint.thermometer.protocols.base import Emission
from checkpoint.thermometer.reader import Reader, ReaderSettings
from checkpoint.thermometer.stability import StabilitySettings

BAUD = 9600
BITS_PER_BYTE = 10  # start bit, 8 data bits, stop bit (8N1)
BYTE_S = BITS_PER_BYTE / BAUD
NOBODY_C = 24.0
WARM_UP = 50
"""Person frames sent before the measured ones (first reads, caches, thread start-up)."""
TARGET_P99_EXCESS_MS = 5.0
GIVE_UP_S = 30.0
"""A run that has not finished by then is reported as incomplete (lost frames)."""

ENCODER = Aa55()
FRAME_SIZE = len(ENCODER.encode(Emission(NOBODY_C)))
FRAME_WIRE_S = FRAME_SIZE * BYTE_S


def person_c(index: int) -> float:
    """36.0, 36.1, … 37.9, 36.0, …: every value the reader must give back, in order."""
    return round(36.0 + (index % 20) / 10, 1)


@dataclass
class Pty:
    master: int
    slave: int
    path: str

    @classmethod
    def open(cls) -> Pty:
        master, slave = os.openpty()
        tty.setraw(master)  # no echo, no line editing: bytes pass as they are
        return cls(master, slave, os.ttyname(slave))

    def close(self) -> None:
        for fd in (self.master, self.slave):
            os.close(fd)


@dataclass
class Sent:
    """What the writer sent: each person frame's value and when its last byte was written."""

    values: list[float] = field(default_factory=list)
    last_byte_at: list[float] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)


def write_paced(master: int, people: int, sent: Sent) -> None:
    """Nobody frame, person frame, … each byte at its time on a 9,600-baud wire."""
    due = time.perf_counter()
    for index in range(people):
        for value, is_person in ((NOBODY_C, False), (person_c(index), True)):
            frame = ENCODER.encode(Emission(value))
            for byte in frame:
                due += BYTE_S
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                os.write(master, bytes([byte]))
            if is_person:
                sent.last_byte_at.append(time.perf_counter())
                sent.values.append(value)
    sent.done.set()


def start_writer(master: int, people: int) -> Sent:
    sent = Sent()
    threading.Thread(
        target=write_paced, args=(master, people, sent), name="paced-writer", daemon=True
    ).start()
    return sent


@dataclass
class Run:
    """Latencies (s) of the measured person frames, and what went wrong on the way."""

    latencies: list[float]
    lost: int
    mismatched: int


def compare(sent: Sent, arrived: list[tuple[float, float]], people: int) -> Run:
    """Match arrivals (value, time) to sent person frames by order; skip the warm-up."""
    mismatched = sum(
        1
        for (value, _), expected in zip(arrived, sent.values, strict=False)
        if abs(value - expected) > 0.05
    )
    pairs = list(zip(arrived, sent.last_byte_at, strict=False))[WARM_UP:]
    return Run(
        latencies=[at - last for (_, at), last in pairs],
        lost=people - len(arrived),
        mismatched=mismatched,
    )


def reader_run(people: int) -> Run:
    """The app's Reader, consuming events in this thread as a TUI worker would."""
    pty = Pty.open()
    settings = ReaderSettings(target=pty.path, stability=StabilitySettings(frames=1))
    reader = Reader(Aa55(), settings)
    stop = threading.Event()
    give_up = threading.Timer(GIVE_UP_S + people * 2 * FRAME_WIRE_S, stop.set)
    give_up.start()
    arrived: list[tuple[float, float]] = []
    sent: Sent | None = None
    try:
        # Stopped, not left: the generator then ends by itself and closes the port.
        for event in reader.events(stop):
            if isinstance(event, Measurement) and not stop.is_set():
                arrived.append((event.reading.value_c or 0.0, time.perf_counter()))
                if len(arrived) == people:
                    stop.set()
            elif isinstance(event, StatusEvent) and event.status is Status.CONNECTED:
                sent = start_writer(pty.master, people)
            elif isinstance(event, StatusEvent) and event.status is Status.PORT_ERROR:
                raise SystemExit(f"the reader cannot open {pty.path}: {event.detail}")
    finally:
        stop.set()
        give_up.cancel()
        if sent is not None:
            sent.done.wait(5)
        pty.close()
    if sent is None:
        raise SystemExit("the reader never connected")
    return compare(sent, arrived, people)


def baseline_run(people: int) -> Run:
    """A bare pyserial loop: no parser, no events, only counting bytes into frames."""
    pty = Pty.open()
    port = serial.Serial(pty.path, timeout=0.02)
    port.reset_input_buffer()
    arrived: list[tuple[float, float]] = []
    received = 0
    sent = start_writer(pty.master, people)
    give_up = time.perf_counter() + GIVE_UP_S + people * 2 * FRAME_WIRE_S
    try:
        while len(arrived) < people and time.perf_counter() < give_up:
            data = port.read(port.in_waiting or 1)
            if not data:
                continue
            now = time.perf_counter()
            frames_before = received // FRAME_SIZE
            received += len(data)
            for frame in range(frames_before, received // FRAME_SIZE):
                if frame % 2 == 1:  # nobody, person, nobody, person …
                    arrived.append((person_c(frame // 2), now))
    finally:
        sent.done.wait(5)
        port.close()
        pty.close()
    return compare(sent, arrived, people)


def ms(seconds: float) -> float:
    return seconds * 1000


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(name: str, run: Run) -> tuple[float, float]:
    p50, p99 = percentile(run.latencies, 50), percentile(run.latencies, 99)
    problems = (
        f", {run.lost} lost, {run.mismatched} wrong values" if run.lost or run.mismatched else ""
    )
    print(
        f"{name:<9} p50 {ms(p50):6.3f} ms   p99 {ms(p99):6.3f} ms   max "
        f"{ms(max(run.latencies)):6.3f} ms   ({len(run.latencies)} frames{problems})"
    )
    return p50, p99


def timed(label: str, function: Callable[[int], Run], people: int) -> Run:
    started = time.perf_counter()
    run = function(people)
    print(f"  ({label}: {time.perf_counter() - started:.1f} s)")
    return run


def main() -> None:
    arguments = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    arguments.add_argument(
        "--count", type=int, default=2000, help="Measured person frames per run (default 2000)."
    )
    count = arguments.parse_args().count
    people = count + WARM_UP
    print(
        f"aa55 over a pty at {BAUD} baud: {FRAME_SIZE}-byte frames, wire time "
        f"{ms(FRAME_WIRE_S):.3f} ms a frame; {count} person frames measured "
        f"(+{WARM_UP} warm-up), each after a nobody frame"
    )
    reader = timed("reader run", reader_run, people)
    baseline = timed("baseline run", baseline_run, people)
    print("latency after the frame's last byte was written:")
    reader_p50, reader_p99 = report("reader", reader)
    baseline_p50, baseline_p99 = report("baseline", baseline)
    print(f"frame wire time at {BAUD} baud: {ms(FRAME_WIRE_S):.3f} ms")
    print(
        f"from the frame's first byte (wire time + latency): p50 "
        f"{ms(FRAME_WIRE_S + reader_p50):.3f} ms, p99 {ms(FRAME_WIRE_S + reader_p99):.3f} ms"
    )
    verdict = "meets" if ms(reader_p99) <= TARGET_P99_EXCESS_MS else "MISSES"
    print(
        f"p99 beyond the wire time: {ms(reader_p99):.3f} ms, target <= "
        f"{TARGET_P99_EXCESS_MS:g} ms: {verdict} the target"
    )
    print(
        f"ratio reader/baseline: p50 {reader_p50 / baseline_p50:.2f}x, "
        f"p99 {reader_p99 / baseline_p99:.2f}x"
    )


if __name__ == "__main__":
    main()
