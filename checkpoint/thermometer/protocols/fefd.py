"""`fefd`: infrared thermometer → BLE bridge link. 9600 8N1; the thermometer pushes results.

Frame, 8 bytes: `FE FD UNIT FLAG TH TL 0D 0A` — UNIT `1A` ℃, `15` ℉; value (TH·256 + TL)/10 in
that unit; body temperature. There is no checksum: the header, the CR LF trailer and the unit
code are all that tell a frame from noise.
Example `FE FD 15 01 03 DA 0D 0A` → 98.6 ℉ (the sample keeps ℉; the reader converts).

FLAG is read as the thermometer's "result is final/stable" flag: `01` → stable, `00` → not
(still measuring), anything else → unknown (None). An interpretation, not documented: the
only example carries `01` with a finished measurement; check it on hardware.
"""

from __future__ import annotations

from typing import ClassVar, Final

from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.thermometer.protocols.base import (
    Decoded,
    DeviceProtocol,
    Emission,
    FixedFrameParser,
    FrameError,
    FrameErrorReason,
    Parser,
    Sample,
    SerialSettings,
)

HEADER: Final = b"\xfe\xfd"
TRAILER: Final = b"\r\n"
FRAME_SIZE: Final = 8

UNIT_CODES: Final[dict[int, Unit]] = {0x1A: Unit.CELSIUS, 0x15: Unit.FAHRENHEIT}
CODE_OF_UNIT: Final[dict[Unit, int]] = {unit: code for code, unit in UNIT_CODES.items()}
STABLE_FLAGS: Final[dict[int, bool]] = {0x01: True, 0x00: False}


def check_frame(frame: bytes) -> tuple[Decoded, bool]:
    """Decode one candidate frame (see `FixedFrameParser`)."""
    if frame[6:8] != TRAILER:
        return FrameError(
            FrameErrorReason.BAD_LENGTH, frame, f"trailer {frame[6:8].hex(' ')}"
        ), False
    unit = UNIT_CODES.get(frame[2])
    if unit is None:
        return FrameError(FrameErrorReason.UNKNOWN_MODE, frame, f"unit {frame[2]:02X}"), True
    return Sample(
        value=(frame[4] * 256 + frame[5]) / 10,
        unit=unit,
        site=Site.BODY,
        raw=frame,
        stable=STABLE_FLAGS.get(frame[3]),
    ), True


def tenths_in(unit: Unit, value_c: float) -> int:
    """`value_c` in `unit`, in whole tenths (℉ rounded once, from ℃)."""
    if unit is Unit.FAHRENHEIT:
        return round(value_c * 18 + 320)
    return round(value_c * 10)


class Fefd(DeviceProtocol):
    """Thermometers behind an FE FD BLE bridge: body temperature in ℃ or ℉, pushed."""

    name: ClassVar[str] = "fefd"
    description: ClassVar[str] = "IR thermometer → BLE bridge (FE FD UNIT FLAG TH TL 0D 0A)"
    serial: ClassVar[SerialSettings] = SerialSettings(baudrate=9600)
    streams: ClassVar[bool] = True
    sends_when_idle: ClassVar[bool] = False
    """The thermometer pushes one result per measurement, nothing while nobody is measured."""

    def parser(self) -> Parser:
        return FixedFrameParser(HEADER, FRAME_SIZE, check_frame)

    def encode(self, emission: Emission) -> bytes:
        """The frame for `emission` in its unit (℉ converted from `value_c`), FLAG from `stable`.

        The link always names its unit, so an emission without one (Unit.UNKNOWN) is sent in ℃.
        """
        unit = Unit.FAHRENHEIT if emission.unit is Unit.FAHRENHEIT else Unit.CELSIUS
        tenths = tenths_in(unit, emission.value_c)
        if not 0 <= tenths <= 0xFFFF:
            raise ValueError(f"{emission.value_c} ℃ cannot be sent by an fefd thermometer")
        flag = 0x01 if emission.stable else 0x00
        return HEADER + bytes([CODE_OF_UNIT[unit], flag]) + tenths.to_bytes(2, "big") + TRAILER
