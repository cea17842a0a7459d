"""`aa55`: IDC-50 kiosk board (Heimann HTPA32x32), binary option. Streams every 500 ms.

Frame, 6 bytes: `AA 55 06 INT DEC CS` — body temperature INT + DEC/10 ℃ (DEC in tenths),
CS = sum8 of the five bytes before it. Vendor example `AA 55 06 24 07 30` → 36.7 ℃.
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
    sum8,
)

HEADER: Final = b"\xaa\x55"
LENGTH: Final = 0x06
FRAME_SIZE: Final = 6


def check_frame(frame: bytes) -> tuple[Decoded, bool]:
    """Decode one candidate frame (see `FixedFrameParser`)."""
    if frame[2] != LENGTH:
        return FrameError(FrameErrorReason.BAD_LENGTH, frame, f"length byte {frame[2]}"), False
    if sum8(frame[:5]) != frame[5]:
        return FrameError(FrameErrorReason.BAD_CHECKSUM, frame), False
    if frame[4] > 9:
        return FrameError(FrameErrorReason.DEVICE_ERROR, frame, f"tenths digit {frame[4]}"), True
    return Sample(
        value=frame[3] + frame[4] / 10, unit=Unit.CELSIUS, site=Site.BODY, raw=frame
    ), True


class Aa55(DeviceProtocol):
    name: ClassVar[str] = "aa55"
    description: ClassVar[str] = "IDC-50 kiosk board, binary output (AA 55 06 INT DEC CS)"
    serial: ClassVar[SerialSettings] = SerialSettings(baudrate=115200)
    streams: ClassVar[bool] = True

    def parser(self) -> Parser:
        return FixedFrameParser(HEADER, FRAME_SIZE, check_frame)

    def encode(self, emission: Emission) -> bytes:
        tenths = round(emission.value_c * 10)
        whole, tenth = divmod(tenths, 10)
        if not 0 <= whole <= 0xFF:
            raise ValueError(f"{emission.value_c} ℃ cannot be sent by an aa55 module")
        body = HEADER + bytes([LENGTH, whole, tenth])
        return body + bytes([sum8(body)])
