"""A simulated thermometer on a real pty: the rest of the program cannot tell it from hardware.

The simulator owns the master side of a pseudo-terminal pair and speaks one protocol with the
protocol's own encoder and answers: people stepping up (values ramping, then stable), fevers at
a given rate, nobody in front (ambient-like values), or a scripted scenario with every fault a
real line shows (noise, split frames, bad checksums, silence, unplug and replug, ℉, object
frames, cold ambient). The reader opens the slave side (`path`) through pyserial like any port.

Unplugging closes the pty; replugging makes a new one. Give the simulator a `link` and the
reader that link: the link is moved to the new device, as /dev/serial/by-id is for USB.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import threading
import time
import tty
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.errors import ValidationError
from checkpoint.thermometer.protocols.base import DeviceProtocol, DeviceState, Emission
from checkpoint.thermometer.scenario import (
    BadChecksum,
    Chunks,
    Garbage,
    Nobody,
    ObjectFrames,
    Person,
    Raw,
    Scenario,
    SetAmbient,
    SetUnit,
    Silence,
    Step,
    Unplug,
)

NORMAL_MEAN_C = 36.5
NORMAL_SD_C = 0.25
FEVER_RANGE_C = (37.4, 39.6)
COMMAND_GAP_S = 0.1
PERSON_S = 1.2
"""How long a simulated person stays in front of the sensor once the value is stable."""


@dataclass
class _Pty:
    master: int
    slave: int
    path: str


def _open_pty() -> _Pty:
    master, slave = os.openpty()
    tty.setraw(master)  # the line discipline is shared: no echo, no line buffering
    # A UART drops what its receiver does not take; a blocking pty would stall the device.
    os.set_blocking(master, False)
    return _Pty(master=master, slave=slave, path=os.ttyname(slave))


def _check_scenario(protocol: DeviceProtocol, scenario: Scenario) -> None:
    """Refuse, before starting, steps the protocol has no bytes for (object frames of a
    body-only text module), rather than failing halfway through a demo."""
    if any(isinstance(step, ObjectFrames) for step in scenario.steps):
        try:
            protocol.encode(Emission(value_c=30.0, site=Site.OBJECT))
        except ValueError:
            raise ValidationError.of(
                "scenario.unsupported", protocol=protocol.name, action="object"
            ) from None


class Simulator:
    """One simulated module. `start()` returns the device path; `stop()` ends it."""

    def __init__(
        self,
        protocol: DeviceProtocol,
        *,
        interval: float | None = None,
        fever_rate: float = 0.05,
        seed: int | None = None,
        scenario: Scenario | None = None,
        link: Path | None = None,
        ambient_c: float = 24.0,
    ) -> None:
        self.protocol = protocol
        if scenario is not None:
            _check_scenario(protocol, scenario)
        self.interval = (
            interval
            or (scenario.interval if scenario else None)
            or (protocol.frame_interval if protocol.streams else protocol.poll_interval)
        )
        self.fever_rate = fever_rate
        self.scenario = scenario
        self.link = link
        self.ambient_c = ambient_c
        self.unit = Unit.CELSIUS
        self.finished = threading.Event()
        """Set when a scenario (not repeating) has played to its end."""
        self.frames_sent = 0
        self.people_sent: list[float] = []
        """Temperatures of the people stepped up so far (what the reader should measure)."""
        self._random = random.Random(seed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pty: _Pty | None = None
        self._lock = threading.Lock()
        self._emission: Emission | None = None
        self._state = DeviceState()
        self._chunks = (0, 0)
        self._damage = 0
        self._silent = False
        self._commands = bytearray()
        self._last_command = 0.0
        self._in_front: float | None = None
        """The temperature of the person in front of the sensor, None when nobody is."""

    # -- life cycle -------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The device to open: the link if one was asked for, else the pty's slave."""
        if self.link is not None:
            return str(self.link)
        assert self._pty is not None, "start() the simulator first"
        return self._pty.path

    def start(self) -> str:
        self._plug()
        self._thread = threading.Thread(target=self._run, name="thermometer-simulator", daemon=True)
        self._thread.start()
        return self.path

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._unplug()
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _plug(self) -> None:
        pty = _open_pty()
        with self._lock:
            self._pty = pty
            self._commands.clear()
        if self.link is not None:
            temporary = self.link.with_name(f".{self.link.name}.{os.getpid()}")
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            temporary.symlink_to(pty.path)
            temporary.replace(self.link)  # atomic: a reader never sees no link mid-swap

    def _unplug(self) -> None:
        with self._lock:
            pty, self._pty = self._pty, None
        if pty is not None:
            for fd in (pty.master, pty.slave):
                with contextlib.suppress(OSError):
                    os.close(fd)

    # -- the device -------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            for step in self._steps():
                if self._stop.is_set():
                    return
                self._in_front_leaves(step)
                self._play(step)
            self.finished.set()
            while not self._stop.is_set():
                self._tick(None, frames=1)  # after the script: nobody in front, answer polls
        except OSError:
            if not self._stop.is_set():
                raise

    def _steps(self) -> Iterator[Step]:
        if self.scenario is not None:
            while True:
                yield from self.scenario.steps
                if not self.scenario.repeat:
                    return
        while True:
            fever = self._random.random() < self.fever_rate
            temp = (
                round(self._random.uniform(*FEVER_RANGE_C), 1)
                if fever
                else round(self._random.gauss(NORMAL_MEAN_C, NORMAL_SD_C), 1)
            )
            # A person stands in front for a second or two, however fast the module sends.
            frames = max(6, round(PERSON_S / self.interval))
            yield Person(temp_c=temp, ramp=self._random.randint(2, 4), frames=frames)
            yield Nobody(seconds=self._random.uniform(0.5, 2.0) * self.interval * 4)

    def _play(self, step: Step) -> None:
        if isinstance(step, Person):
            self.people_sent.append(step.temp_c)
            # Skin seen from a step away reads low, then rises; a person who steps up as the
            # last one leaves (no nobody between) moves the value from theirs, never via the air.
            start = self._in_front if self._in_front is not None else self.ambient_c + 6
            self._in_front = step.temp_c
            for i in range(1, step.ramp + 1):
                value = start + (step.temp_c - start) * i / (step.ramp + 1)
                self._tick(self._emission_of(value, stable=False), frames=1)
            self._tick(self._emission_of(step.temp_c, stable=True), frames=step.frames)
        elif isinstance(step, ObjectFrames):
            self._state.site = Site.OBJECT
            self._tick(self._emission_of(step.temp_c, stable=True, site=Site.OBJECT), step.frames)
            self._state.site = Site.BODY
        elif isinstance(step, Nobody):
            self._tick(None, frames=max(1, round(step.seconds / self.interval)))
        elif isinstance(step, Silence):
            # A silent module (busy, or its sensor unplugged) ignores what it is sent.
            self._silent = True
            self._emission = None
            self._serve_until(time.monotonic() + step.seconds)
            self._commands.clear()
            self._silent = False
        elif isinstance(step, Garbage):
            data = step.data or bytes(self._random.getrandbits(8) for _ in range(step.count))
            self._write(data)
        elif isinstance(step, Raw):
            self._write(step.data)
        elif isinstance(step, Chunks):
            self._chunks = (step.low, step.high)
        elif isinstance(step, BadChecksum):
            self._damage = step.frames
        elif isinstance(step, Unplug):
            self._unplug()
            self._stop.wait(step.milliseconds / 1000)
            if not self._stop.is_set():
                self._plug()
        elif isinstance(step, SetUnit):
            self.unit = step.unit
        elif isinstance(step, SetAmbient):
            self.ambient_c = step.temp_c

    def _in_front_leaves(self, step: Step) -> None:
        if isinstance(step, Nobody | Silence | Unplug | ObjectFrames):
            self._in_front = None

    def _emission_of(self, value_c: float, *, stable: bool, site: Site = Site.BODY) -> Emission:
        if site is Site.BODY and Site.BODY not in self.protocol.sites:
            site = Site.OBJECT  # a surface-only module sees the skin
        return Emission(
            value_c=round(value_c, 2),
            site=site,
            ambient_c=self.ambient_c,
            unit=self.unit,
            stable=stable,
        )

    def _idle_emission(self) -> Emission | None:
        if not self.protocol.sends_when_idle:
            return None
        site = Site.BODY if Site.BODY in self.protocol.sites else Site.OBJECT
        value = self.ambient_c + self._random.uniform(-0.3, 0.3)
        return Emission(
            value_c=round(value, 2),
            site=site,
            ambient_c=self.ambient_c,
            unit=self.unit,
            stable=False,
        )

    def _tick(self, emission: Emission | None, frames: int) -> None:
        """Be the device for `frames` frame intervals while the sensor sees `emission`."""
        self._emission = emission
        for _ in range(frames):
            deadline = time.monotonic() + self.interval
            if self.protocol.streams:
                frame_emission = emission or self._idle_emission()
                if frame_emission is not None and not self._silent:
                    self._send_frame(self.protocol.encode(frame_emission))
            self._serve_until(deadline)
            if self._stop.is_set():
                return

    def _serve_until(self, deadline: float) -> None:
        """Answer commands from the reader until `deadline` (request/response modules)."""
        while (left := deadline - time.monotonic()) > 0 and not self._stop.is_set():
            with self._lock:
                master = self._pty.master if self._pty else None
            if master is None:
                self._stop.wait(left)
                return
            try:
                ready, _, _ = select.select([master], [], [], left)
            except (OSError, ValueError):
                return
            if not ready:
                return
            try:
                data = os.read(master, 4096)
            except BlockingIOError:
                continue
            except OSError:
                return  # the reader side went away; a replug makes a new pty
            now = time.monotonic()
            if now - self._last_command > COMMAND_GAP_S:
                # Like a module's firmware: a pause ends a command, so stray bytes (a probe
                # speaking another protocol) cannot misalign the commands that follow.
                self._commands.clear()
            self._last_command = now
            if not self._silent:
                self._commands += data
                self._answer_commands()

    def _answer_commands(self) -> None:
        size = self.protocol.command_length()
        while len(self._commands) >= size:
            command = bytes(self._commands[:size])
            del self._commands[:size]
            reply = self.protocol.answer(
                command, self._state, self._emission or self._idle_emission()
            )
            if reply and not self._silent:
                self._send_frame(reply)

    def _send_frame(self, frame: bytes) -> None:
        if self._damage:
            self._damage -= 1
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        self.frames_sent += 1
        low, high = self._chunks
        if not low:
            self._write(frame)
            return
        at = 0
        while at < len(frame):
            size = self._random.randint(low, high)
            self._write(frame[at : at + size])
            at += size
            time.sleep(0.001)  # separate writes, so the reader sees separate pieces

    def _write(self, data: bytes) -> None:
        with self._lock:
            pty = self._pty
        if pty is None:
            return
        try:
            os.write(pty.master, data)
        except BlockingIOError:
            return  # nobody reads the line: the bytes are lost, as on a real one
        except OSError:
            return  # unplugged meanwhile
