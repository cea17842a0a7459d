"""`modbus`: Modbus RTU pyrometers (Calex PyroUSB, Omega OS-MINIUSB). 9600 8N1, polled.

Request, 8 bytes (function 03, read holding registers; 04 is decoded the same way):
`ADDR 03 REGhi REGlo 00 01 CRClo CRChi` — one register.
Response, 7 bytes: `ADDR 03 02 HI LO CRClo CRChi` — object temperature, signed 16-bit, tenths
of ℃. Exception response, 5 bytes: `ADDR 83 CODE CRClo CRChi`.
CRC-16/Modbus over everything before it (polynomial 0xA001 reflected, initial 0xFFFF), low byte
first on the line.

Register maps (`options.modbus_preset`):
- "calex", Calex PyroUSB: 0x12 filtered temperature (polled), 0x13 unfiltered, 0x15 status.
- "omega", Omega OS-MINIUSB: temperature in register 0x0000 — an ASSUMPTION taken from the
  usual layout of small Modbus sensors, not from Omega's manual: check it on hardware.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.errors import ValidationError
from checkpoint.thermometer.protocols.base import (
    Decoded,
    DeviceProtocol,
    DeviceState,
    Emission,
    FrameError,
    FrameErrorReason,
    Parser,
    ProtocolOptions,
    ResyncingParser,
    Sample,
    SerialSettings,
)

READ_HOLDING: Final = 0x03
READ_INPUT: Final = 0x04
READ_FUNCTIONS: Final = frozenset({READ_HOLDING, READ_INPUT})
EXCEPTION_FLAG: Final = 0x80
EXCEPTION_FUNCTIONS: Final = frozenset(f | EXCEPTION_FLAG for f in READ_FUNCTIONS)
RESPONSE_SIZE: Final = 7
"""A response to a one-register read."""
EXCEPTION_SIZE: Final = 5
REQUEST_SIZE: Final = 8

EXCEPTION_NAMES: Final[dict[int, str]] = {
    0x01: "illegal function",
    0x02: "illegal data address",
    0x03: "illegal data value",
    0x04: "slave device failure",
    0x05: "acknowledge",
    0x06: "slave device busy",
    0x08: "memory parity error",
    0x0A: "gateway path unavailable",
    0x0B: "gateway target device failed to respond",
}

IDLE_C: Final = 25.0
"""What the simulated pyrometer reports with nothing in front: the background (assumed)."""


@dataclass(frozen=True, slots=True)
class RegisterMap:
    """Where one model keeps its values."""

    temperature: int
    """The register polled: object temperature, signed tenths of ℃."""
    status: int | None = None
    """A status register the simulator answers with 0 (not polled by the reader)."""


PRESETS: Final[dict[str, RegisterMap]] = {
    "calex": RegisterMap(temperature=0x12, status=0x15),
    # Assumed, not from the vendor's manual: see the module docstring.
    "omega": RegisterMap(temperature=0x0000),
}


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


CRC_TABLE: Final = _crc_table()


def crc16(data: bytes) -> int:
    """CRC-16/Modbus of `data` (check value: b"123456789" → 0x4B37)."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


def with_crc(body: bytes) -> bytes:
    """`body` followed by its CRC, low byte first."""
    return body + crc16(body).to_bytes(2, "little")


def _crc_ok(frame: bytes) -> bool:
    return crc16(frame[:-2]) == int.from_bytes(frame[-2:], "little")


class ModbusParser(ResyncingParser):
    """Responses of one slave to one-register reads, and its exception responses.

    A frame starts with the slave's address followed by a read function (or its exception
    form); other bytes are GARBAGE. A candidate whose byte count or CRC is wrong is reported
    once and the search goes on one byte further, as in `FixedFrameParser`.
    """

    def __init__(self, address: int) -> None:
        super().__init__()
        self._address = bytes([address])

    def _candidate(self) -> int:
        """Index of the first possible frame start (or of a lone address byte at the end)."""
        buffer, address = self._buffer, self._address
        start = buffer.find(address)
        while 0 <= start < len(buffer) - 1:
            function = buffer[start + 1]
            if function in READ_FUNCTIONS or function in EXCEPTION_FUNCTIONS:
                return start
            start = buffer.find(address, start + 1)
        return len(buffer) if start < 0 else start

    def feed(self, data: bytes) -> list[Decoded]:
        buffer = self._buffer
        buffer += data
        out: list[Decoded] = []
        while True:
            start = self._candidate()
            if start:
                self._skip(start, out)
            if len(buffer) < 3:
                return out
            if buffer[1] in EXCEPTION_FUNCTIONS:
                if len(buffer) < EXCEPTION_SIZE:
                    return out
                frame = bytes(buffer[:EXCEPTION_SIZE])
                if not _crc_ok(frame):
                    self._resync(FrameError(FrameErrorReason.BAD_CHECKSUM, frame), out)
                    continue
                code = frame[2]
                name = EXCEPTION_NAMES.get(code, "unknown exception")
                self._consume(
                    len(frame),
                    FrameError(
                        FrameErrorReason.DEVICE_ERROR,
                        frame,
                        f"Modbus exception {code:02X} ({name}) to function {frame[1] & 0x7F:02X}",
                    ),
                    out,
                )
            else:
                # Only one register is ever asked for: any other byte count is not our answer,
                # and waiting for up to 255 bytes it announces would stall the stream.
                if buffer[2] != 2:
                    self._resync(
                        FrameError(
                            FrameErrorReason.BAD_LENGTH,
                            bytes(buffer[:3]),
                            f"byte count {buffer[2]}",
                        ),
                        out,
                    )
                    continue
                if len(buffer) < RESPONSE_SIZE:
                    return out
                frame = bytes(buffer[:RESPONSE_SIZE])
                if not _crc_ok(frame):
                    self._resync(FrameError(FrameErrorReason.BAD_CHECKSUM, frame), out)
                    continue
                self._consume(
                    len(frame),
                    Sample(
                        value=int.from_bytes(frame[3:5], "big", signed=True) / 10,
                        unit=Unit.CELSIUS,
                        site=Site.OBJECT,
                        raw=frame,
                    ),
                    out,
                )


class Modbus(DeviceProtocol):
    """Modbus RTU pyrometers: object temperature read from one holding register."""

    name: ClassVar[str] = "modbus"
    description: ClassVar[str] = "Modbus RTU pyrometer (Calex PyroUSB, Omega OS-MINIUSB), polled"
    serial: ClassVar[SerialSettings] = SerialSettings(baudrate=9600)
    streams: ClassVar[bool] = False
    sites: ClassVar[frozenset[Site]] = frozenset({Site.OBJECT})

    def __init__(self, options: ProtocolOptions | None = None) -> None:
        super().__init__(options)
        preset = PRESETS.get(self.options.modbus_preset)
        if preset is None:
            raise ValidationError.of(
                "thermometer.modbus_unknown_preset",
                preset=self.options.modbus_preset,
                known=", ".join(sorted(PRESETS)),
            )
        # 0 is the broadcast address (never answered), 248–255 are reserved.
        if not 1 <= self.options.modbus_address <= 247:
            raise ValidationError.of(
                "thermometer.modbus_bad_address", address=self.options.modbus_address
            )
        self.registers = preset
        self.address = self.options.modbus_address

    def parser(self) -> Parser:
        return ModbusParser(self.address)

    def read_request(self, register: int, count: int = 1, function: int = READ_HOLDING) -> bytes:
        """The request reading `count` registers from `register`."""
        return with_crc(
            bytes([self.address, function]) + register.to_bytes(2, "big") + count.to_bytes(2, "big")
        )

    def poll_command(self) -> bytes | None:
        return self.read_request(self.registers.temperature)

    def _response(self, function: int, raw: int) -> bytes:
        return with_crc(bytes([self.address, function, 2]) + raw.to_bytes(2, "big", signed=True))

    def _exception(self, function: int, code: int) -> bytes:
        return with_crc(bytes([self.address, function | EXCEPTION_FLAG, code]))

    def encode(self, emission: Emission) -> bytes:
        """The response to the temperature read for `emission`, as an object value in ℃.

        Pyrometers send ℃ only and measure surfaces, so `unit` and `site` are not encoded.
        """
        tenths = round(emission.value_c * 10)
        if not -0x8000 <= tenths <= 0x7FFF:
            raise ValueError(f"{emission.value_c} ℃ cannot be sent in a Modbus register")
        return self._response(READ_HOLDING, tenths)

    def answer(self, command: bytes, state: DeviceState, emission: Emission | None) -> bytes:
        """What a slave answers: the temperature or status register, or an exception.

        Like a real slave it ignores requests with a bad CRC or another address. The
        simulator supports one-register reads only (others: exception 03, illegal data
        value); unknown registers get exception 02, other functions exception 01.
        """
        del state
        if len(command) != REQUEST_SIZE or not _crc_ok(command) or command[0] != self.address:
            return b""
        function = command[1]
        if function not in READ_FUNCTIONS:
            return self._exception(function, 0x01)
        register = int.from_bytes(command[2:4], "big")
        if int.from_bytes(command[4:6], "big") != 1:
            return self._exception(function, 0x03)
        if register == self.registers.temperature:
            seen = emission or Emission(IDLE_C, Site.OBJECT, ambient_c=IDLE_C)
            tenths = round(seen.value_c * 10)
            if not -0x8000 <= tenths <= 0x7FFF:
                return self._exception(function, 0x04)
            return self._response(function, tenths)
        if register == self.registers.status:
            return self._response(function, 0)
        return self._exception(function, 0x02)

    def command_length(self) -> int:
        return REQUEST_SIZE
