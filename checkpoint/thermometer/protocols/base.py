"""What every thermometer protocol provides: a pure parser, its commands, and an encoder.

A protocol module knows the bytes of one family of devices and nothing else: no port, no
clock, no threads. `parser()` turns a byte stream, fed in chunks of any size, into samples and
frame errors; `init_commands()` and `poll_command()` say what to send; `encode()` and `answer()`
produce exactly the bytes the device would, and the simulator uses them, so the parser and the
simulator cannot drift apart.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Final

from checkpoint.domain.vocabulary import Site, Unit


class FrameErrorReason(StrEnum):
    """Why bytes did not make a sample (labels: `thermometer.frame_error.*`)."""

    GARBAGE = "garbage"
    """Bytes skipped while looking for the start of a frame."""
    BAD_CHECKSUM = "bad-checksum"
    BAD_LENGTH = "bad-length"
    """A length field or a line that does not fit the protocol."""
    UNKNOWN_MODE = "unknown-mode"
    """A frame of the right shape carrying a mode or unit code the protocol does not define."""
    DEVICE_ERROR = "device-error"
    """The device itself reports an error (Err, Lo, Hi, an exception response, a status bit)."""
    UNPARSABLE = "unparsable"
    """Text that does not match the configured pattern."""
    UNEXPECTED = "unexpected"
    """Data that arrived when none was asked for (request/response devices)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One value decoded from one frame, exactly as the device gave it."""

    value: float
    """The number in `unit` (a bare number has Unit.UNKNOWN: never silently converted)."""
    unit: Unit
    site: Site
    """BODY for body-mode modules, OBJECT for surface values, AMBIENT for the sensor's own."""
    raw: bytes
    """The whole frame."""
    ambient_c: float | None = None
    """The ambient temperature carried in the same frame, in ℃, if any."""
    stable: bool | None = None
    """The device's own stability flag; None when the protocol has none."""


@dataclass(frozen=True, slots=True)
class FrameError:
    """Bytes that did not make a sample, and why."""

    reason: FrameErrorReason
    raw: bytes
    detail: str = ""


Decoded = Sample | FrameError


class Parser(abc.ABC):
    """A byte-stream decoder: resynchronises on noise, never raises on input."""

    @abc.abstractmethod
    def feed(self, data: bytes) -> list[Decoded]:
        """Decode what `data` completes; keep an unfinished frame for the next call."""

    @abc.abstractmethod
    def reset(self) -> None:
        """Forget any partial frame (after a reconnect, or a timeout on a request)."""

    def expect_response(self, command: bytes) -> None:  # noqa: B027 - optional hook
        """Told of each command the reader sends (request/response protocols use it)."""


@dataclass(frozen=True, slots=True)
class SerialSettings:
    """Line settings a module ships with; every one can be overridden in the configuration."""

    baudrate: int
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1


@dataclass(frozen=True, slots=True)
class Emission:
    """What the simulator asks a protocol to encode: one value as the module would send it."""

    value_c: float
    site: Site = Site.BODY
    ambient_c: float = 24.0
    unit: Unit = Unit.CELSIUS
    """The unit the device is set to display/send (℉ modules convert before encoding)."""
    stable: bool = True


@dataclass
class DeviceState:
    """What a simulated module remembers between commands (mode set by an init command)."""

    site: Site = Site.BODY
    streaming: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


DEFAULT_LINE_PATTERN: Final = r"(?P<value>-?\d+(?:\.\d+)?)\s*°?\s*(?P<unit>[CF])?"
DEFAULT_LINE_ERROR_PATTERN: Final = r"\b(?:Err\w*|Lo|Hi)\b"


@dataclass(frozen=True, slots=True)
class ProtocolOptions:
    """Settings some protocols take, from `[thermometer]` in the configuration."""

    line_pattern: str = DEFAULT_LINE_PATTERN
    """`line`: regex with named groups value, unit, body, object, ambient, stable."""
    line_scale: float = 1.0
    """`line`: factor applied to matched numbers (0.1 when "365" means 36.5)."""
    line_error_pattern: str = DEFAULT_LINE_ERROR_PATTERN
    """`line`: lines matching this report a device error (Err, Lo, Hi)."""
    modbus_preset: str = "calex"
    """`modbus`: "calex" (PyroUSB) or "omega" (OS-MINIUSB) register map."""
    modbus_address: int = 1
    """`modbus`: the slave address."""
    body_mode: bool = True
    """Modules with a body and an object mode (lu90614): ask for body mode at start."""


class DeviceProtocol(abc.ABC):
    """One family of thermometer modules: its serial settings, commands, parser and encoder."""

    def __init__(self, options: ProtocolOptions | None = None) -> None:
        self.options = options or ProtocolOptions()

    name: ClassVar[str]
    """The name used in the configuration and on the command line, e.g. "aa55"."""
    description: ClassVar[str]
    serial: ClassVar[SerialSettings]
    streams: ClassVar[bool]
    """True if the module sends frames by itself; False if it answers `poll_command()`."""
    poll_interval: ClassVar[float] = 0.2
    """Seconds between polls of a request/response module."""
    sites: ClassVar[frozenset[Site]] = frozenset({Site.BODY})
    """What the module can report; a module without BODY needs an offset profile."""
    sends_when_idle: ClassVar[bool] = True
    """Streaming modules that only push a result per measurement set this False: with nobody
    in front they send nothing (the simulator follows it)."""
    frame_interval: ClassVar[float] = 0.5
    """Seconds between frames of a streaming module, as the simulator sends them."""

    @abc.abstractmethod
    def parser(self) -> Parser:
        """A fresh parser for one connection."""

    def init_commands(self) -> Sequence[bytes]:
        """Bytes to send after opening (mode selection, start streaming)."""
        return ()

    def poll_command(self) -> bytes | None:
        """The request a polled module answers with one frame; None for streaming modules."""
        return None

    @abc.abstractmethod
    def encode(self, emission: Emission) -> bytes:
        """One frame as the module would send it for `emission` (used by the simulator)."""

    def answer(self, command: bytes, state: DeviceState, emission: Emission | None) -> bytes:
        """The simulated module's reply to `command`, updating `state` (mode, streaming).

        `emission` is what the sensor sees now (None: nobody and nothing in front). The
        default reply, for streaming modules, is nothing.
        """
        del command, state, emission
        return b""

    def command_length(self) -> int:
        """How many bytes one command has, for the simulator to split the stream it reads."""
        return 3


class ResyncingParser(Parser):
    """Bookkeeping shared by binary parsers that hunt for frames in a byte stream.

    Skipped bytes are reported once, as GARBAGE. A candidate frame found to be damaged is
    reported once and the search goes on one byte further (a header found by chance in noise,
    or a frame damaged on the line, may hide a real header inside it); its bytes are then not
    reported again as garbage.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._reported = 0
        """Bytes at the front of the buffer already reported in a damaged frame."""

    def reset(self) -> None:
        self._buffer.clear()
        self._reported = 0

    def _skip(self, count: int, out: list[Decoded]) -> None:
        """Drop `count` bytes from the front, reporting those not reported yet."""
        unreported = bytes(self._buffer[self._reported : count])
        if unreported:
            out.append(FrameError(FrameErrorReason.GARBAGE, unreported))
        self._reported = max(0, self._reported - count)
        del self._buffer[:count]

    def _resync(self, error: FrameError, out: list[Decoded]) -> None:
        """Report a damaged candidate (once) and look again one byte further."""
        if self._reported == 0:
            out.append(error)
            self._reported = len(error.raw)
        self._reported -= 1
        del self._buffer[:1]

    def _consume(self, count: int, decoded: Decoded, out: list[Decoded]) -> None:
        """Take an intact frame of `count` bytes off the front."""
        del self._buffer[:count]
        self._reported = 0
        out.append(decoded)


class FixedFrameParser(ResyncingParser):
    """Frames of a fixed size that start with a fixed header, checked by `check`.

    `check(frame)` returns the decoded sample or error and whether the frame is to be consumed
    (True: a frame that was intact, even if the device reports an error in it) or whether the
    parser resynchronises one byte further (False).
    """

    def __init__(self, header: bytes, size: int, check: FrameCheck) -> None:
        super().__init__()
        self._header = header
        self._size = size
        self._check = check

    def feed(self, data: bytes) -> list[Decoded]:
        buffer, header = self._buffer, self._header
        buffer += data
        out: list[Decoded] = []
        while True:
            start = buffer.find(header)
            if start < 0:
                # Keep what may be the first bytes of a header split across reads.
                keep = next(
                    (n for n in range(len(header) - 1, 0, -1) if buffer.endswith(header[:n])), 0
                )
                self._skip(len(buffer) - keep, out)
                return out
            if start:
                self._skip(start, out)
            if len(buffer) < self._size:
                return out
            frame = bytes(buffer[: self._size])
            decoded, consumed = self._check(frame)
            if consumed:
                self._consume(self._size, decoded, out)
            elif isinstance(decoded, FrameError):
                self._resync(decoded, out)
            else:
                raise TypeError("a frame check that does not consume must return a FrameError")


FrameCheck = Callable[[bytes], tuple[Decoded, bool]]
"""See `FixedFrameParser`."""


def sum8(data: bytes) -> int:
    """The low 8 bits of the sum of `data` (the checksum of most modules here)."""
    return sum(data) & 0xFF
