"""The reader: a serial line, a protocol and the rules of a body reading, as a stream of events.

`Reader.events(stop)` opens the port, sends the module's init commands, polls it if it must be
asked, feeds every byte to the protocol's parser and turns samples into domain readings:
℉ normalised with the original kept, surface values turned into estimates only through an
offset profile, plausibility judged, never clamped. It yields a `Measurement` once per person
when the value is stable, and status events for everything a volunteer must know (unplugged,
reconnecting, no data, cold ambient, unit changed). It survives unplugging: it closes, resets,
backs off 0.5 s → 5 s, finds the device again and re-sends the init commands.

It is a blocking generator meant for a worker thread; `stop` ends it within a read timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import serial

from checkpoint.domain.readings import (
    DEFAULT_WINDOW,
    OffsetProfile,
    PlausibilityWindow,
    Reading,
    interpret_unitless,
)
from checkpoint.domain.vocabulary import Instrument, Site, Unit
from checkpoint.thermometer.events import (
    Counters,
    FrameErrorEvent,
    RawReading,
    Status,
    StatusEvent,
    ThermometerEvent,
)
from checkpoint.thermometer.protocols.base import (
    DeviceProtocol,
    FrameError,
    Parser,
    Sample,
    SerialSettings,
)
from checkpoint.thermometer.stability import StabilityFilter, StabilitySettings
from checkpoint.thermometer.transport import (
    DeviceIdentity,
    PortError,
    identify,
    open_port,
    port_error,
    relocate,
)

BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 5.0


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """How to read one thermometer; defaults are those of `[thermometer]`."""

    target: str
    """Device path or pyserial URL."""
    serial: SerialSettings | None = None
    """None: the protocol's usual settings."""
    window: PlausibilityWindow = DEFAULT_WINDOW
    offset: OffsetProfile | None = None
    """Turns surface values into estimated body values; None: surface values are never used."""
    stability: StabilitySettings = field(default_factory=StabilitySettings)
    ambient_min_c: float = 10.0
    ambient_max_c: float = 40.0
    timeout_s: float = 3.0
    """No frame (or no answer) for this long is reported as a timeout."""
    read_timeout_s: float = 0.02
    """How long one read waits: bounds the latency of `stop` and of polls."""
    poll_interval_s: float | None = None
    """Seconds between requests to a polled module; None: the protocol's own interval."""


@dataclass
class _Line:
    """What the reader knows about the open connection."""

    port: serial.SerialBase
    parser: Parser
    last_data: float
    next_poll: float = 0.0
    timed_out: bool = False


class Reader:
    """Reads one thermometer until stopped. Not thread-safe: one thread iterates `events`."""

    def __init__(
        self,
        protocol: DeviceProtocol,
        settings: ReaderSettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.protocol = protocol
        self.settings = settings
        self.counters = Counters()
        self._clock = clock
        self._stability = StabilityFilter(settings.stability)
        self._identity: DeviceIdentity | None = None
        self._unit: Unit | None = None
        self._ambient_ok: bool | None = None
        self._warned_surface = False
        self._ambiguous = False
        """Reported once per run of bare 90–110 values, not once per frame."""

    # -- the loop -------------------------------------------------------------------------

    def events(self, stop: threading.Event) -> Generator[ThermometerEvent, None, None]:
        """Events until `stop` is set: connects, reads, reconnects after any failure."""
        backoff = BACKOFF_FIRST_S
        target = self.settings.target
        while not stop.is_set():
            try:
                line = self._connect(target)
            except PortError as error:
                yield self._status(Status.PORT_ERROR, target, error.message)
                yield self._status(Status.RECONNECTING, target, f"{backoff:.1f} s")
                if stop.wait(backoff):
                    return
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                target = self._where_now(target)
                continue
            backoff = BACKOFF_FIRST_S
            yield self._status(Status.CONNECTED, target, self._describe())
            try:
                yield from self._read(line, stop)
                return
            except (serial.SerialException, OSError) as error:
                self.counters.reconnects += 1
                yield self._status(Status.DISCONNECTED, target, port_error(target, error).message)
            finally:
                line.port.close()
            self._stability.reset()
            yield self._status(Status.RECONNECTING, target, f"{backoff:.1f} s")
            if stop.wait(backoff):
                return
            target = self._where_now(target)

    def _connect(self, target: str) -> _Line:
        serial_settings = self.settings.serial or self.protocol.serial
        port = open_port(target, serial_settings, timeout=self.settings.read_timeout_s)
        try:
            if self._identity is None:
                self._identity = identify(target)
            parser = self.protocol.parser()
            for command in self.protocol.init_commands():
                port.write(command)
                parser.expect_response(command)
            port.flush()
        except (serial.SerialException, OSError) as error:
            port.close()
            raise port_error(target, error) from error
        return _Line(port=port, parser=parser, last_data=time.monotonic())

    def _where_now(self, target: str) -> str:
        if self._identity is None:
            return target
        return relocate(self._identity) or target

    def _describe(self) -> str:
        return self._identity.describe() if self._identity else self.settings.target

    def _read(self, line: _Line, stop: threading.Event) -> Iterator[ThermometerEvent]:
        poll = self.protocol.poll_command()
        port = line.port
        while not stop.is_set():
            now = time.monotonic()
            if poll is not None and now >= line.next_poll:
                port.write(poll)
                line.parser.expect_response(poll)
                line.next_poll = now + (
                    self.settings.poll_interval_s or self.protocol.poll_interval
                )
            waiting = port.in_waiting
            chunk = port.read(waiting or 1)
            if chunk:
                self.counters.bytes_read += len(chunk)
                line.last_data = time.monotonic()
                if line.timed_out:
                    line.timed_out = False
                    yield self._status(Status.DATA_RESUMED, port.port or "")
                for decoded in line.parser.feed(chunk):
                    yield from self._decoded(decoded)
            elif not line.timed_out and now - line.last_data > self.settings.timeout_s:
                line.timed_out = True
                # Answers to requests that timed out must not be taken for the next ones.
                port.reset_input_buffer()
                line.parser.reset()
                self._stability.reset()
                yield self._status(Status.TIMEOUT, port.port or "", f"{self.settings.timeout_s} s")

    # -- from samples to readings ----------------------------------------------------------

    def _decoded(self, decoded: Sample | FrameError) -> Iterator[ThermometerEvent]:
        if isinstance(decoded, FrameError):
            self.counters.errors[decoded.reason] += 1
            yield FrameErrorEvent(decoded, self._clock())
            return
        self.counters.frames += 1
        sample = decoded
        yield from self._ambient(sample)
        unit = sample.unit
        if unit is Unit.UNKNOWN:
            unit = interpret_unitless(sample.value)
            if unit is Unit.UNKNOWN and not self._ambiguous:
                yield self._status(Status.AMBIGUOUS_UNIT, "", f"{sample.value:g}")
            self._ambiguous = unit is Unit.UNKNOWN
        elif sample.site is not Site.AMBIENT and unit != self._unit:
            if self._unit is not None:
                yield self._status(Status.UNIT_CHANGED, "", f"{self._unit} → {unit}")
            self._unit = unit
        reading = Reading.create(
            value=sample.value,
            unit=unit,
            site=sample.site,
            instrument=Instrument.SERIAL_INFRARED,
            raw=sample.raw.hex(),
            taken_at=self._clock(),
            window=self.settings.window,
        )
        if sample.ambient_c is not None:
            reading = replace(reading, ambient_c=sample.ambient_c)
        if reading.site is Site.OBJECT:
            if self.settings.offset is not None and reading.value_c is not None:
                reading = self.settings.offset.estimate_body(
                    reading, sample.ambient_c, window=self.settings.window
                )
            elif not self._warned_surface:
                self._warned_surface = True
                yield self._status(Status.SURFACE_ONLY, "", self.protocol.name)
        measurement = self._stability.push(reading, sample.stable)
        yield RawReading(sample=sample, reading=reading, state=self._stability.state_of(reading))
        if measurement is not None:
            self.counters.measurements += 1
            yield measurement

    def _ambient(self, sample: Sample) -> Iterator[ThermometerEvent]:
        ambient = sample.value if sample.site is Site.AMBIENT else sample.ambient_c
        if ambient is None:
            return
        ok = self.settings.ambient_min_c <= ambient <= self.settings.ambient_max_c
        if ok != self._ambient_ok:
            if not ok:
                yield self._status(Status.AMBIENT_OUT_OF_RANGE, "", f"{ambient:.1f}")
            elif self._ambient_ok is not None:
                yield self._status(Status.AMBIENT_IN_RANGE, "", f"{ambient:.1f}")
            self._ambient_ok = ok

    def _status(self, status: Status, port: str, detail: str = "") -> StatusEvent:
        return StatusEvent(
            status=status, at=self._clock(), port=port or self.settings.target, detail=detail
        )
