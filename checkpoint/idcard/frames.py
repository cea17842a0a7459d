"""The reader's serial frames (GA/T 467 "SAM" interface): pure encoder and parser, no I/O.

Both directions share one framing::

    AA AA AA 96 69 | LEN_HI LEN_LO | BODY… | CHK

LEN (big-endian) counts every byte after itself, the checksum included; CHK is the XOR of LEN
and BODY. A command's body is CMD PARA DATA…, an answer's is SW1 SW2 SW3 DATA…. The parser
resynchronises on the preamble after noise, a bad length or a bad checksum, reports each with
a reason, and never raises on input, so a split or damaged frame costs that frame only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import reduce
from operator import xor
from typing import Final

PREAMBLE: Final = b"\xaa\xaa\xaa\x96\x69"
MIN_LENGTH: Final = 3
"""A command: CMD PARA CHK."""
MAX_LENGTH: Final = 0x1000
"""More than any answer (base information with fingerprints is 0x0908): a larger LEN is noise."""
TEXT_LENGTH: Final = 256
PHOTO_LENGTH: Final = 1024


class Command(tuple[int, int]):
    """CMD and PARA of a host request."""

    __slots__ = ()

    @property
    def code(self) -> int:
        return self[0]

    @property
    def para(self) -> int:
        return self[1]


RESET: Final = Command((0x10, 0xFF))
STATUS: Final = Command((0x11, 0xFF))
SAM_ID: Final = Command((0x12, 0xFF))
FIND: Final = Command((0x20, 0x01))
SELECT: Final = Command((0x20, 0x02))
READ_BASE: Final = Command((0x30, 0x01))
READ_BASE_FINGERPRINT: Final = Command((0x30, 0x10))
READ_NEW_ADDRESS: Final = Command((0x30, 0x03))


class SW3(IntEnum):
    """The reader's status byte (SW1 SW2 are 00 00)."""

    SUCCESS = 0x90
    CARD_FOUND = 0x9F
    NO_CARD = 0x80
    SELECT_FAILED = 0x81
    BAD_CHECKSUM = 0x10
    BAD_LENGTH = 0x11
    BAD_COMMAND = 0x21
    UNKNOWN_ERROR = 0x24
    CARD_AUTH_FAILED = 0x31
    READER_AUTH_FAILED = 0x32
    CHECK_FAILED = 0x33
    WRONG_CARD = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SELF_TEST_FAILED = 0x60
    NOT_AUTHORISED = 0x66


class FrameProblem(StrEnum):
    """Why bytes did not make a frame (labels: `idcard.frame.*`)."""

    NOISE = "noise"
    BAD_LENGTH = "bad-length"
    BAD_CHECKSUM = "bad-checksum"


@dataclass(frozen=True, slots=True)
class Frame:
    """One checked frame: its body (between LEN and CHK) and the bytes it came from."""

    body: bytes
    raw: bytes

    @property
    def sw3(self) -> int:
        """An answer's status byte."""
        return self.body[2] if len(self.body) >= 3 else -1

    @property
    def data(self) -> bytes:
        """An answer's data (after SW1 SW2 SW3)."""
        return self.body[3:]

    @property
    def command(self) -> Command | None:
        """A request's CMD PARA, None if too short."""
        return Command((self.body[0], self.body[1])) if len(self.body) >= 2 else None


@dataclass(frozen=True, slots=True)
class FrameFault:
    """Bytes that were not a frame, and why."""

    problem: FrameProblem
    raw: bytes


def checksum(data: bytes) -> int:
    """XOR of `data` (LEN and BODY)."""
    return reduce(xor, data, 0)


def _frame(body: bytes) -> bytes:
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([checksum(length + body)])


def encode_command(command: Command, data: bytes = b"") -> bytes:
    """A host request: `encode_command(FIND)` is AA AA AA 96 69 00 03 20 01 22."""
    return _frame(bytes(command) + data)


def encode_answer(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    """A reader's answer with status SW3 and `data`."""
    return _frame(bytes([sw1, sw2, sw3]) + data)


def encode_base_information(text: bytes, photo: bytes = b"\x00" * PHOTO_LENGTH) -> bytes:
    """The answer to READ_BASE: text length, photo length, the 256 text bytes, the photo."""
    header = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    return encode_answer(SW3.SUCCESS, header + text + photo)


def split_base_information(data: bytes) -> tuple[bytes, int] | None:
    """The text bytes and the photo's length from a READ_BASE answer's data; None when the
    lengths it declares do not fit what came (the photo itself is not returned: never kept)."""
    if len(data) < 4:
        return None
    text_length = int.from_bytes(data[0:2], "big")
    photo_length = int.from_bytes(data[2:4], "big")
    if text_length < TEXT_LENGTH or 4 + text_length + photo_length > len(data):
        return None
    return data[4 : 4 + text_length], photo_length


class FrameParser:
    """Frames out of a byte stream fed in any pieces; faults for what is not a frame."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def reset(self) -> None:
        self._buffer.clear()

    def feed(self, chunk: bytes) -> list[Frame | FrameFault]:
        self._buffer += chunk
        return list(self._drain())

    def _drain(self) -> Iterator[Frame | FrameFault]:
        buffer = self._buffer
        while buffer:
            start = buffer.find(PREAMBLE)
            if start < 0:
                # Keep what may be the start of a preamble split across reads.
                keep = _partial_preamble(buffer)
                if len(buffer) > keep:
                    yield FrameFault(FrameProblem.NOISE, bytes(buffer[: len(buffer) - keep]))
                    del buffer[: len(buffer) - keep]
                return
            if start:
                yield FrameFault(FrameProblem.NOISE, bytes(buffer[:start]))
                del buffer[:start]
            if len(buffer) < len(PREAMBLE) + 2:
                return
            length = int.from_bytes(buffer[5:7], "big")
            if not MIN_LENGTH <= length <= MAX_LENGTH:
                yield FrameFault(FrameProblem.BAD_LENGTH, bytes(buffer[:7]))
                del buffer[:1]  # look for the next preamble from the byte after this one
                continue
            end = 7 + length
            if len(buffer) < end:
                return
            raw = bytes(buffer[:end])
            if checksum(raw[5:-1]) != raw[-1]:
                yield FrameFault(FrameProblem.BAD_CHECKSUM, raw)
                # The length may be what was damaged: a preamble inside is the next frame.
                following = buffer.find(PREAMBLE, 1, end)
                del buffer[: following if following > 0 else end]
                continue
            del buffer[:end]
            yield Frame(body=raw[7:-1], raw=raw)


def _partial_preamble(buffer: bytearray) -> int:
    """How many bytes at the end of `buffer` could begin a preamble."""
    for size in range(min(len(PREAMBLE) - 1, len(buffer)), 0, -1):
        if buffer.endswith(PREAMBLE[:size]):
            return size
    return 0
