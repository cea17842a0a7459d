"""`optris-ct`: Optris CT / CSmicro and Micro-Epsilon thermoMETER CT. Request/response.

The host sends `01` (read the process temperature); the head answers 2 bytes `B1 B2`:
object temperature (B1·256 + B2 − 1000) / 10 ℃, −100.0 to 6453.5 ℃. There is no header and no
checksum on reads, so the parser can only tell an answer by its timing: bytes count as an
answer only while a request is pending (`expect_response`), anything else is UNEXPECTED.
Example `01` → `04 D3` = 23.5 ℃. Line settings 9600–115200 8N1; the CT ships at 115200.
"""

from __future__ import annotations

import struct
from typing import ClassVar, Final

from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.thermometer.protocols.base import (
    Decoded,
    DeviceProtocol,
    DeviceState,
    Emission,
    FrameError,
    FrameErrorReason,
    Parser,
    Sample,
    SerialSettings,
)

READ_TEMPERATURE: Final = b"\x01"
ANSWER: Final = struct.Struct(">H")
ANSWER_SIZE: Final = ANSWER.size
OFFSET: Final = 1000
"""Raw value of 0.0 ℃ (the answer is offset so that it is never negative)."""

IDLE_C: Final = 25.0
"""What the simulated head reports with nothing in front: the background (assumed)."""


class OptrisParser(Parser):
    """Two-byte answers, one per pending `01` request, in the order the requests were sent."""

    def __init__(self) -> None:
        self._pending = 0
        self._partial = bytearray()

    def reset(self) -> None:
        self._pending = 0
        self._partial.clear()

    def expect_response(self, command: bytes) -> None:
        # Only the read command is answered with 2 bytes; other commands (settings) are
        # never sent by the reader, so they announce nothing.
        if command == READ_TEMPERATURE:
            self._pending += 1

    def feed(self, data: bytes) -> list[Decoded]:
        out: list[Decoded] = []
        data = bytes(data)
        position = 0
        if self._partial and self._pending and data:
            answer = bytes(self._partial) + data[:1]
            self._partial.clear()
            self._pending -= 1
            position = 1
            out.append(_sample(answer))
        # Whole answers in bulk: one unpack per chunk, not a loop per byte. Sample construction
        # dominates what is left, hence the enum members in locals.
        count = min(self._pending, (len(data) - position) // ANSWER_SIZE)
        if count:
            end = position + count * ANSWER_SIZE
            celsius, surface = Unit.CELSIUS, Site.OBJECT
            out += [
                Sample((raw - OFFSET) / 10, celsius, surface, data[i : i + ANSWER_SIZE])
                for i, (raw,) in zip(
                    range(position, end, ANSWER_SIZE),
                    ANSWER.iter_unpack(data[position:end]),
                    strict=True,
                )
            ]
            self._pending -= count
            position = end
        if position < len(data):
            if self._pending:
                self._partial += data[position:]  # one byte: the first half of an answer
            else:
                out.append(
                    FrameError(FrameErrorReason.UNEXPECTED, data[position:], "no request pending")
                )
        return out


def _sample(answer: bytes) -> Sample:
    return Sample(
        value=(ANSWER.unpack(answer)[0] - OFFSET) / 10,
        unit=Unit.CELSIUS,
        site=Site.OBJECT,
        raw=answer,
    )


class OptrisCt(DeviceProtocol):
    """Optris CT heads: object temperature, polled with `01`."""

    name: ClassVar[str] = "optris-ct"
    description: ClassVar[str] = "Optris CT / CSmicro, polled (01 → B1 B2), object only"
    serial: ClassVar[SerialSettings] = SerialSettings(baudrate=115200)
    streams: ClassVar[bool] = False
    sites: ClassVar[frozenset[Site]] = frozenset({Site.OBJECT})

    def parser(self) -> Parser:
        return OptrisParser()

    def poll_command(self) -> bytes | None:
        return READ_TEMPERATURE

    def encode(self, emission: Emission) -> bytes:
        """The answer for `emission`: its value as the object temperature, in ℃.

        The head measures surfaces and sends ℃ only, so `site` and `unit` are not encoded.
        """
        raw = round(emission.value_c * 10) + OFFSET
        if not 0 <= raw <= 0xFFFF:
            raise ValueError(f"{emission.value_c} ℃ cannot be sent by an optris-ct head")
        return raw.to_bytes(2, "big")

    def answer(self, command: bytes, state: DeviceState, emission: Emission | None) -> bytes:
        """`01` answers the object temperature (IDLE_C with nothing in front); nothing else."""
        del state
        if command == READ_TEMPERATURE:
            return self.encode(emission or Emission(IDLE_C, Site.OBJECT, ambient_c=IDLE_C))
        return b""

    def command_length(self) -> int:
        return len(READ_TEMPERATURE)
