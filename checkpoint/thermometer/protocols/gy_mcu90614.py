"""`gy-mcu90614`: GY-MCU90614 / GY-MCU90615 (Melexis MLX90614/90615 behind a small MCU).

Streams about 14 frames a second after the command `A5 45 EA`; answers `A5 15 BA` with one
frame. 9600 8N1 (the 90615 board ships at 115200: override `baudrate` in the configuration).

Frame, 9 bytes: `5A 5A 45 04 TOh TOl TAh TAl CS` — `45` is the frame type (temperatures), `04`
the number of data bytes; TO = object (surface) and TA = ambient, each a signed 16-bit
big-endian number of hundredths of ℃; CS = sum8 of bytes 0–7.
Vendor example `5A 5A 45 04 0C 78 0D 19 A7` → object 31.92 ℃, ambient 33.53 ℃.

The module measures surfaces only: every sample is Site.OBJECT with `ambient_c` set, and a
body reading needs an offset profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Final

from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.thermometer.protocols.base import (
    Decoded,
    DeviceProtocol,
    DeviceState,
    Emission,
    FixedFrameParser,
    FrameError,
    FrameErrorReason,
    Parser,
    Sample,
    SerialSettings,
    sum8,
)

HEADER: Final = b"\x5a\x5a"
TEMPERATURE_TYPE: Final = 0x45
DATA_LENGTH: Final = 0x04
FRAME_SIZE: Final = 9

START_STREAMING: Final = b"\xa5\x45\xea"
"""Continuous output (the init command)."""
QUERY: Final = b"\xa5\x15\xba"
"""One frame, now."""

IDLE_C: Final = 25.0
"""What the simulated module reports with nothing in front: its view of the room (assumed)."""


def _hundredths(value_c: float) -> bytes:
    hundredths = round(value_c * 100)
    if not -0x8000 <= hundredths <= 0x7FFF:
        raise ValueError(f"{value_c} ℃ cannot be sent by a gy-mcu90614 module")
    return hundredths.to_bytes(2, "big", signed=True)


def check_frame(frame: bytes) -> tuple[Decoded, bool]:
    """Decode one candidate frame (see `FixedFrameParser`)."""
    if frame[3] != DATA_LENGTH:
        return FrameError(FrameErrorReason.BAD_LENGTH, frame, f"length byte {frame[3]}"), False
    if sum8(frame[:8]) != frame[8]:
        return FrameError(FrameErrorReason.BAD_CHECKSUM, frame), False
    # An intact frame of another type (same size, checksum right): consume it whole, so its
    # payload is not searched for headers.
    if frame[2] != TEMPERATURE_TYPE:
        return FrameError(FrameErrorReason.UNKNOWN_MODE, frame, f"frame type {frame[2]:02X}"), True
    return Sample(
        value=int.from_bytes(frame[4:6], "big", signed=True) / 100,
        unit=Unit.CELSIUS,
        site=Site.OBJECT,
        raw=frame,
        ambient_c=int.from_bytes(frame[6:8], "big", signed=True) / 100,
    ), True


class GyMcu90614(DeviceProtocol):
    """GY-MCU90614/90615 boards: object and ambient temperature, streamed."""

    name: ClassVar[str] = "gy-mcu90614"
    description: ClassVar[str] = (
        "GY-MCU90614/90615 (MLX90614/90615), object + ambient (5A 5A 45 04 … CS)"
    )
    serial: ClassVar[SerialSettings] = SerialSettings(baudrate=9600)
    streams: ClassVar[bool] = True
    frame_interval: ClassVar[float] = 0.07
    """About 14 frames a second, as the board streams."""
    sites: ClassVar[frozenset[Site]] = frozenset({Site.OBJECT})

    def parser(self) -> Parser:
        return FixedFrameParser(HEADER, FRAME_SIZE, check_frame)

    def init_commands(self) -> Sequence[bytes]:
        return (START_STREAMING,)

    def encode(self, emission: Emission) -> bytes:
        """The frame for `emission`: its value as the object temperature, in ℃.

        The module has no ℉ setting and no body mode, so `unit` and `site` are not encoded.
        """
        body = (
            HEADER
            + bytes([TEMPERATURE_TYPE, DATA_LENGTH])
            + _hundredths(emission.value_c)
            + _hundredths(emission.ambient_c)
        )
        return body + bytes([sum8(body)])

    def answer(self, command: bytes, state: DeviceState, emission: Emission | None) -> bytes:
        """`A5 45 EA` starts streaming (no reply); `A5 15 BA` answers one frame.

        With nothing in front the module still reports its object temperature, which is then
        the room's: the simulator sends IDLE_C. Other commands get no reply.
        """
        if command == START_STREAMING:
            state.streaming = True
            return b""
        if command == QUERY:
            return self.encode(emission or Emission(IDLE_C, Site.OBJECT, ambient_c=IDLE_C))
        return b""
