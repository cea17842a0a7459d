"""`lu90614`: LU90614 body-temperature module. 9600 8N1, request/response.

Commands (3 bytes, the last one sum8 of the first two): `FA C5 BF` body mode, `FA C6 C0`
object (surface) mode, `FA CA C4` measure.

Response, 9 bytes: `FE MODE INT DEC 00 00 00 00 CS` — MODE `AC` body, `AA` object; value
INT + DEC/100 ℃ (DEC in hundredths, 0–99); bytes 4–7 are reserved zeros; CS = sum8 of bytes
0–7. Vendor examples `FE AC 28 1E 00 00 00 00 F0` → body 40.30 ℃,
`FE AA 28 1E 00 00 00 00 EE` → object 40.30 ℃.

The header is a single byte, so the reserved zeros are checked too: with the checksum they make
it very unlikely that line noise is taken for a reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
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

HEADER: Final = b"\xfe"
FRAME_SIZE: Final = 9
RESERVED: Final = b"\x00\x00\x00\x00"

BODY_MODE: Final = b"\xfa\xc5\xbf"
OBJECT_MODE: Final = b"\xfa\xc6\xc0"
MEASURE: Final = b"\xfa\xca\xc4"

MODE_SITES: Final[dict[int, Site]] = {0xAC: Site.BODY, 0xAA: Site.OBJECT}
SITE_MODES: Final[dict[Site, int]] = {site: mode for mode, site in MODE_SITES.items()}

IDLE_C: Final = 25.0
"""What the simulated module reports with nobody in front, in either mode (assumed: the module
measures the background, about room temperature; the reader's plausibility rule flags it)."""


def check_frame(frame: bytes) -> tuple[Decoded, bool]:
    """Decode one candidate frame (see `FixedFrameParser`)."""
    if sum8(frame[:8]) != frame[8]:
        return FrameError(FrameErrorReason.BAD_CHECKSUM, frame), False
    if frame[4:8] != RESERVED:
        return FrameError(
            FrameErrorReason.BAD_LENGTH, frame, f"reserved bytes {frame[4:8].hex(' ')}"
        ), False
    site = MODE_SITES.get(frame[1])
    if site is None:
        return FrameError(FrameErrorReason.UNKNOWN_MODE, frame, f"mode {frame[1]:02X}"), True
    if frame[3] > 99:
        return FrameError(FrameErrorReason.DEVICE_ERROR, frame, f"hundredths {frame[3]}"), True
    # Whole hundredths divided once, so 40.30 is the float nearest 40.3, not 40 + 0.3.
    return Sample(
        value=(frame[2] * 100 + frame[3]) / 100, unit=Unit.CELSIUS, site=site, raw=frame
    ), True


class Lu90614(DeviceProtocol):
    """LU90614 modules: body or object temperature, one frame per measure command."""

    name: ClassVar[str] = "lu90614"
    description: ClassVar[str] = "LU90614 body/object module, polled (FE MODE INT DEC … CS)"
    serial: ClassVar[SerialSettings] = SerialSettings(baudrate=9600)
    streams: ClassVar[bool] = False
    sites: ClassVar[frozenset[Site]] = frozenset({Site.BODY, Site.OBJECT})

    def parser(self) -> Parser:
        return FixedFrameParser(HEADER, FRAME_SIZE, check_frame)

    def init_commands(self) -> Sequence[bytes]:
        return (BODY_MODE if self.options.body_mode else OBJECT_MODE,)

    def poll_command(self) -> bytes | None:
        return MEASURE

    def encode(self, emission: Emission) -> bytes:
        """The response for `emission` in its site's mode (BODY or OBJECT), in ℃.

        The module sends ℃ only, so `unit` is not encoded; it cannot send negative values.
        """
        mode = SITE_MODES.get(emission.site)
        if mode is None:
            raise ValueError(f"an lu90614 module cannot send a {emission.site} value")
        hundredths = round(emission.value_c * 100)
        whole, fraction = divmod(hundredths, 100)
        if not 0 <= whole <= 0xFF:
            raise ValueError(f"{emission.value_c} ℃ cannot be sent by an lu90614 module")
        body = HEADER + bytes([mode, whole, fraction]) + RESERVED
        return body + bytes([sum8(body)])

    def answer(self, command: bytes, state: DeviceState, emission: Emission | None) -> bytes:
        """Mode commands switch `state.site` and get no reply; measure answers one frame.

        The measure frame carries the emission's value in the module's current mode (in object
        mode a body emission's value is sent as an object value); with nothing in front it
        carries IDLE_C. Assumed, not checked on hardware: the mode commands are not
        acknowledged. Unknown commands get no reply.
        """
        if command == BODY_MODE:
            state.site = Site.BODY
            return b""
        if command == OBJECT_MODE:
            state.site = Site.OBJECT
            return b""
        if command == MEASURE:
            seen = emission or Emission(IDLE_C, ambient_c=IDLE_C)
            return self.encode(replace(seen, site=state.site))
        return b""
