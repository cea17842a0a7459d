"""Golden vectors for every thermometer protocol: decoding, encoding and the simulated answers.

Byte strings here are written out literally (from the vendors' examples or worked by hand), so
a change in an encoder cannot make its own test pass.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.errors import ValidationError
from checkpoint.thermometer.protocols import available, protocol_class
from checkpoint.thermometer.protocols.base import (
    Decoded,
    DeviceProtocol,
    DeviceState,
    Emission,
    FrameError,
    FrameErrorReason,
    Parser,
    ProtocolOptions,
    Sample,
)
from checkpoint.thermometer.protocols.fefd import Fefd
from checkpoint.thermometer.protocols.gy_mcu90614 import GyMcu90614
from checkpoint.thermometer.protocols.line import MAX_LINE, Line
from checkpoint.thermometer.protocols.lu90614 import Lu90614
from checkpoint.thermometer.protocols.modbus import Modbus, crc16
from checkpoint.thermometer.protocols.optris_ct import OptrisCt

GARBAGE = FrameErrorReason.GARBAGE


def x(text: str) -> bytes:
    """Bytes from hex as vendors print them: "5A 5A 45"."""
    return bytes.fromhex(text)


def chunks(data: bytes, sizes: tuple[int, ...]) -> Iterator[bytes]:
    """`data` cut into pieces of the given sizes, cycling."""
    position, turn = 0, 0
    while position < len(data):
        size = sizes[turn % len(sizes)]
        yield data[position : position + size]
        position += size
        turn += 1


def feed_all(parser: Parser, pieces: Iterator[bytes] | list[bytes]) -> list[Decoded]:
    out: list[Decoded] = []
    for piece in pieces:
        out.extend(parser.feed(piece))
    return out


def only_samples(decoded: list[Decoded]) -> list[Sample]:
    return [d for d in decoded if isinstance(d, Sample)]


def errors(decoded: list[Decoded], *, garbage: bool = False) -> list[FrameError]:
    return [
        d for d in decoded if isinstance(d, FrameError) and (garbage or d.reason is not GARBAGE)
    ]


def decode(protocol: DeviceProtocol, data: bytes) -> list[Decoded]:
    """`data` decoded in one piece; the same samples must come out of 1–3 byte chunks."""
    whole = protocol.parser().feed(data)
    for sizes in ((1,), (2,), (3,), (1, 2, 3), (3, 1, 2)):
        split = feed_all(protocol.parser(), chunks(data, sizes))
        assert only_samples(split) == only_samples(whole), f"chunks of {sizes}"
    return whole


def one_sample(protocol: DeviceProtocol, data: bytes) -> Sample:
    decoded = decode(protocol, data)
    found = only_samples(decoded)
    assert len(found) == 1, decoded
    return found[0]


# --- registry -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(available()))
def test_every_registered_protocol_loads(name: str) -> None:
    cls = protocol_class(name)
    assert cls.name == name
    protocol = cls()
    assert protocol.sites
    assert protocol.serial.baudrate > 0
    assert protocol.streams == (protocol.poll_command() is None)
    assert isinstance(protocol.parser(), Parser)


def test_registry_knows_the_built_in_names() -> None:
    assert {"gy-mcu90614", "lu90614", "aa55", "optris-ct", "modbus", "fefd", "line"} <= set(
        available()
    )


def test_an_unknown_protocol_is_a_validation_error_listing_the_known_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        protocol_class("nope")
    assert caught.value.code == "thermometer.unknown_protocol"
    assert "nope" in caught.value.message
    assert "aa55" in caught.value.hint


# --- encode → parse round trips over the body range -----------------------------------------

SWEEP = [tenths / 10 for tenths in range(300, 431)]
SENDERS = [
    ("gy-mcu90614", Site.OBJECT),
    ("lu90614", Site.BODY),
    ("lu90614", Site.OBJECT),
    ("aa55", Site.BODY),
    ("optris-ct", Site.OBJECT),
    ("modbus", Site.OBJECT),
    ("fefd", Site.BODY),
    ("line", Site.BODY),
]


@pytest.mark.parametrize(("name", "site"), SENDERS)
def test_encoded_values_decode_to_themselves(name: str, site: Site) -> None:
    protocol = protocol_class(name)()
    for value in SWEEP:
        frame = protocol.encode(Emission(value, site))
        parser = protocol.parser()
        if not protocol.streams:
            poll = protocol.poll_command()
            assert poll is not None
            parser.expect_response(poll)
        decoded = feed_all(parser, chunks(frame, (1, 3, 2)))
        assert len(decoded) == 1, f"{name} {value}: {decoded}"
        sample = decoded[0]
        assert isinstance(sample, Sample), f"{name} {value}: {sample}"
        assert sample.value == pytest.approx(value, abs=1e-9), name
        assert sample.site is site, name
        # Text samples keep the line without its CR LF.
        assert sample.raw == (frame.removesuffix(b"\r\n") if name == "line" else frame), name


@pytest.mark.parametrize("name", sorted(available()))
def test_answers_are_what_the_parser_reads(name: str) -> None:
    # The simulator's reply to the poll (or to nothing, for streaming modules) must parse.
    protocol = protocol_class(name)()
    poll = protocol.poll_command()
    if poll is None:
        return
    state = DeviceState()
    for command in protocol.init_commands():
        protocol.answer(command, state, None)
    site = next(iter(protocol.sites & {state.site})) if state.site in protocol.sites else None
    parser = protocol.parser()
    parser.expect_response(poll)
    reply = protocol.answer(poll, state, Emission(36.6, site or Site.OBJECT))
    assert [s.value for s in only_samples(parser.feed(reply))] == [36.6]


# --- gy-mcu90614 --------------------------------------------------------------------------

GY = GyMcu90614()
GY_VENDOR = x("5A 5A 45 04 0C 78 0D 19 A7")


def test_gy_vendor_example() -> None:
    assert one_sample(GY, GY_VENDOR) == Sample(
        value=31.92, unit=Unit.CELSIUS, site=Site.OBJECT, raw=GY_VENDOR, ambient_c=33.53
    )
    assert GY.encode(Emission(31.92, Site.OBJECT, ambient_c=33.53)) == GY_VENDOR


def test_gy_negative_and_extreme_values() -> None:
    negative = x("5A 5A 45 04 FB 2E FE 0C 30")
    sample = one_sample(GY, negative)
    assert (sample.value, sample.ambient_c) == (-12.34, -5.0)
    assert GY.encode(Emission(-12.34, Site.OBJECT, ambient_c=-5.0)) == negative
    extreme = x("5A 5A 45 04 7F FF 80 00 FB")
    sample = one_sample(GY, extreme)
    assert (sample.value, sample.ambient_c) == (327.67, -327.68)
    with pytest.raises(ValueError, match="cannot be sent"):
        GY.encode(Emission(327.68, Site.OBJECT))


def test_gy_checksum_zero_and_header_bytes_in_the_payload() -> None:
    assert one_sample(GY, x("5A 5A 45 04 0E 29 09 C3 00")).value == 36.25
    # 0x5A inside the object value and as the checksum: found again as a header, rejected.
    header_inside = x("5A 5A 45 04 0E 5A 07 EE 5A")
    decoded = decode(GY, header_inside + GY_VENDOR)
    assert [(s.value, s.ambient_c) for s in only_samples(decoded)] == [
        (36.74, 20.30),
        (31.92, 33.53),
    ]


def test_gy_resynchronises_after_noise_and_damage() -> None:
    damaged = x("5A 5A 45 04 0C 78 0D 19 A8")
    # A damaged frame is reported once (the headers inside it are not reported again), then
    # noise with a header in it.
    stream = x("5A 01 02") + damaged + x("5A 5A 00") + GY_VENDOR
    decoded = decode(GY, stream)
    assert [s.value for s in only_samples(decoded)] == [31.92]
    reasons = [e.reason for e in errors(decoded)]
    assert FrameErrorReason.BAD_CHECKSUM in reasons
    assert FrameErrorReason.BAD_LENGTH in reasons
    # Every byte before the good frame is reported once, as garbage or in a damaged frame.
    assert decoded[-1] == only_samples(decoded)[0]


def test_gy_other_frame_types_are_unknown_mode() -> None:
    other = x("5A 5A 15 04 0C 78 0D 19 77")
    assert [e.reason for e in errors(decode(GY, other))] == [FrameErrorReason.UNKNOWN_MODE]


def test_gy_commands_and_answers() -> None:
    assert GY.init_commands() == (x("A5 45 EA"),)
    assert GY.sites == {Site.OBJECT}
    state = DeviceState(streaming=False)
    assert GY.answer(x("A5 45 EA"), state, None) == b""
    assert state.streaming
    assert GY.answer(x("A5 15 BA"), state, Emission(31.92, ambient_c=33.53)) == GY_VENDOR
    idle = one_sample(GY, GY.answer(x("A5 15 BA"), state, None))
    assert (idle.value, idle.ambient_c) == (25.0, 25.0)
    assert GY.answer(x("A5 00 00"), state, None) == b""


# --- lu90614 ------------------------------------------------------------------------------

LU = Lu90614()
LU_BODY = x("FE AC 28 1E 00 00 00 00 F0")
LU_OBJECT = x("FE AA 28 1E 00 00 00 00 EE")


def test_lu_vendor_examples() -> None:
    assert one_sample(LU, LU_BODY) == Sample(40.3, Unit.CELSIUS, Site.BODY, LU_BODY)
    assert one_sample(LU, LU_OBJECT) == Sample(40.3, Unit.CELSIUS, Site.OBJECT, LU_OBJECT)
    assert LU.encode(Emission(40.3, Site.BODY)) == LU_BODY
    assert LU.encode(Emission(40.3, Site.OBJECT)) == LU_OBJECT


def test_lu_checksum_zero_and_checksum_equal_to_the_header() -> None:
    assert one_sample(LU, x("FE AC 24 32 00 00 00 00 00")).value == 36.5
    header_checksum = x("FE AC 24 30 00 00 00 00 FE")
    assert [s.value for s in only_samples(decode(LU, header_checksum + LU_BODY))] == [36.48, 40.3]


def test_lu_noise_with_headers_and_damaged_frames() -> None:
    stream = x("FE FE 00 12 FE") + x("FE AC 28 1E 00 00 00 00 F1") + LU_OBJECT
    decoded = decode(LU, stream)
    assert only_samples(decoded) == [Sample(40.3, Unit.CELSIUS, Site.OBJECT, LU_OBJECT)]
    assert FrameErrorReason.BAD_CHECKSUM in [e.reason for e in errors(decoded)]
    # Right checksum, but the reserved bytes are not zero: not a frame of this protocol.
    reserved = x("FE AC 28 1E 00 01 00 00 F1")
    assert not only_samples(decode(LU, reserved))


def test_lu_unknown_mode_and_bad_hundredths() -> None:
    assert [e.reason for e in errors(decode(LU, x("FE AB 28 1E 00 00 00 00 EF")))] == [
        FrameErrorReason.UNKNOWN_MODE
    ]
    assert [e.reason for e in errors(decode(LU, x("FE AC 28 64 00 00 00 00 36")))] == [
        FrameErrorReason.DEVICE_ERROR
    ]


def test_lu_commands_and_answers() -> None:
    assert LU.init_commands() == (x("FA C5 BF"),)
    assert Lu90614(ProtocolOptions(body_mode=False)).init_commands() == (x("FA C6 C0"),)
    assert LU.poll_command() == x("FA CA C4")
    state = DeviceState()
    assert LU.answer(x("FA CA C4"), state, Emission(40.3)) == LU_BODY
    assert LU.answer(x("FA C6 C0"), state, None) == b""
    assert state.site is Site.OBJECT
    # In object mode the value in front is sent as an object value.
    assert LU.answer(x("FA CA C4"), state, Emission(40.3, Site.BODY)) == LU_OBJECT
    assert LU.answer(x("FA CA C4"), state, None) == x("FE AA 19 00 00 00 00 00 C1")
    state = DeviceState(site=Site.OBJECT)
    assert LU.answer(x("FA C5 BF"), state, None) == b""
    assert LU.answer(x("FA CA C4"), state, None) == x("FE AC 19 00 00 00 00 00 C3")
    assert LU.answer(x("FA 00 FA"), state, None) == b""
    with pytest.raises(ValueError, match="cannot send"):
        LU.encode(Emission(36.6, Site.AMBIENT))
    with pytest.raises(ValueError, match="cannot be sent"):
        LU.encode(Emission(-1.0, Site.OBJECT))


# --- aa55 (reference protocol) --------------------------------------------------------------

AA55 = protocol_class("aa55")()


def test_aa55_vendor_example_and_header_bytes_inside() -> None:
    vendor = x("AA 55 06 24 07 30")
    assert one_sample(AA55, vendor).value == pytest.approx(36.7)
    assert AA55.encode(Emission(36.7)) == vendor
    # Checksum 0x00: AA+55+06 = 0x105, so INT+DEC = 0xFB.
    assert one_sample(AA55, x("AA 55 06 F2 09 00")).value == pytest.approx(242.9)
    # Checksum 0xAA (the header's first byte) followed by a frame: both decode.
    checksum_aa = x("AA 55 06 9F 06 AA")
    assert [s.value for s in only_samples(decode(AA55, checksum_aa + vendor))] == [
        pytest.approx(159.6),
        pytest.approx(36.7),
    ]
    noisy = x("AA AA 55 00 AA") + x("AA 55 06 24 07 31") + vendor
    assert [s.value for s in only_samples(decode(AA55, noisy))] == [pytest.approx(36.7)]


# --- optris-ct ----------------------------------------------------------------------------

OPTRIS = OptrisCt()


def asked(count: int = 1) -> Parser:
    parser = OPTRIS.parser()
    for _ in range(count):
        parser.expect_response(x("01"))
    return parser


def test_optris_vendor_example_in_pieces() -> None:
    assert asked().feed(x("04 D3")) == [Sample(23.5, Unit.CELSIUS, Site.OBJECT, x("04 D3"))]
    parser = asked()
    assert parser.feed(x("04")) == []
    assert only_samples(parser.feed(x("D3")))[0].value == 23.5
    assert OPTRIS.encode(Emission(23.5, Site.OBJECT)) == x("04 D3")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("03 20", -20.0), ("00 00", -100.0), ("03 E8", 0.0), ("03 E7", -0.1), ("FF FF", 6453.5)],
)
def test_optris_edge_and_negative_values(raw: str, value: float) -> None:
    assert only_samples(asked().feed(x(raw)))[0].value == value
    assert OPTRIS.encode(Emission(value, Site.OBJECT)) == x(raw)


def test_optris_bytes_without_a_request_are_unexpected() -> None:
    parser = OPTRIS.parser()
    assert parser.feed(x("04 D3")) == [
        FrameError(FrameErrorReason.UNEXPECTED, x("04 D3"), "no request pending")
    ]
    parser.expect_response(x("01"))
    decoded = parser.feed(x("04 D3 05"))
    assert [type(d) for d in decoded] == [Sample, FrameError]
    assert decoded[1] == FrameError(FrameErrorReason.UNEXPECTED, x("05"), "no request pending")


def test_optris_pipelined_requests_and_reset() -> None:
    parser = asked(2)
    assert [s.value for s in only_samples(parser.feed(x("04 D3 05")))] == [23.5]
    assert [s.value for s in only_samples(parser.feed(x("57")))] == [36.7]
    parser = asked(1)
    parser.feed(x("04"))
    parser.reset()  # the reader timed out: the half answer and the request are forgotten
    assert errors(parser.feed(x("D3")))[0].reason is FrameErrorReason.UNEXPECTED


def test_optris_commands_and_answers() -> None:
    assert OPTRIS.poll_command() == x("01")
    assert OPTRIS.command_length() == 1
    assert OPTRIS.serial.baudrate == 115200
    assert OPTRIS.answer(x("01"), DeviceState(), Emission(23.5)) == x("04 D3")
    assert OPTRIS.answer(x("01"), DeviceState(), None) == x("04 E2")
    assert OPTRIS.answer(x("02"), DeviceState(), None) == b""
    with pytest.raises(ValueError, match="cannot be sent"):
        OPTRIS.encode(Emission(-100.1, Site.OBJECT))


# --- modbus -------------------------------------------------------------------------------

MODBUS = Modbus()
MB_36_7 = x("01 03 02 01 6F F9 F8")


def test_crc16_modbus_check_value() -> None:
    assert crc16(b"123456789") == 0x4B37
    assert crc16(b"") == 0xFFFF


def test_modbus_requests_per_preset() -> None:
    assert MODBUS.poll_command() == x("01 03 00 12 00 01 24 0F")
    omega = Modbus(ProtocolOptions(modbus_preset="omega"))
    assert omega.poll_command() == x("01 03 00 00 00 01 84 0A")
    assert MODBUS.command_length() == 8


def test_modbus_responses() -> None:
    assert one_sample(MODBUS, MB_36_7) == Sample(36.7, Unit.CELSIUS, Site.OBJECT, MB_36_7)
    assert MODBUS.encode(Emission(36.7, Site.OBJECT)) == MB_36_7
    negative = x("01 03 02 FF 85 38 17")
    assert one_sample(MODBUS, negative).value == -12.3
    assert MODBUS.encode(Emission(-12.3, Site.OBJECT)) == negative
    assert one_sample(MODBUS, x("01 04 02 01 6F F8 8C")).value == 36.7


def test_modbus_exception_response_names_the_code() -> None:
    decoded = decode(MODBUS, x("01 83 02 C0 F1"))
    assert len(decoded) == 1
    error = decoded[0]
    assert isinstance(error, FrameError)
    assert error.reason is FrameErrorReason.DEVICE_ERROR
    assert "02" in error.detail
    assert "illegal data address" in error.detail
    assert "0B" in errors(decode(MODBUS, x("01 83 0B 00 F7")))[0].detail
    assert "02" in errors(decode(MODBUS, x("01 84 02 C2 C1")))[0].detail


def test_modbus_crc_mismatch_resynchronises() -> None:
    # A damaged frame whose payload reads "01 03" (a frame start) followed by a good frame.
    damaged = x("01 03 02 01 03 F9 D6")
    decoded = decode(MODBUS, damaged + MB_36_7)
    assert only_samples(decoded) == [Sample(36.7, Unit.CELSIUS, Site.OBJECT, MB_36_7)]
    assert errors(decoded)[0] == FrameError(FrameErrorReason.BAD_CHECKSUM, damaged)
    bad_exception = x("01 83 02 C0 F2")
    decoded = decode(MODBUS, bad_exception + MB_36_7)
    assert [e.reason for e in errors(decoded)] == [FrameErrorReason.BAD_CHECKSUM]
    assert len(only_samples(decoded)) == 1


def test_modbus_noise_other_slaves_and_byte_counts() -> None:
    other_slave = x("07 03 02 01 6F 71 F8")
    noise = x("01 01 00 01 03 04 00 00 01")
    decoded = decode(MODBUS, noise + other_slave + MB_36_7)
    assert [s.value for s in only_samples(decoded)] == [36.7]
    assert FrameErrorReason.BAD_LENGTH in [e.reason for e in errors(decoded)]
    addressed = Modbus(ProtocolOptions(modbus_address=7))
    assert [s.value for s in only_samples(decode(addressed, MB_36_7 + other_slave))] == [36.7]


def test_modbus_answers() -> None:
    state = DeviceState()
    poll = MODBUS.poll_command()
    assert poll is not None
    assert MODBUS.answer(poll, state, Emission(36.7)) == MB_36_7
    assert one_sample(MODBUS, MODBUS.answer(poll, state, None)).value == 25.0
    assert MODBUS.answer(x("01 03 00 15 00 01 95 CE"), state, None) == x("01 03 02 00 00 B8 44")
    assert MODBUS.answer(x("01 03 00 99 00 01 54 25"), state, None) == x("01 83 02 C0 F1")
    assert MODBUS.answer(x("01 10 00 12 00 01 A1 CC"), state, None)[1] == 0x90
    assert MODBUS.answer(x("01 03 00 12 00 01 24 0E"), state, None) == b""  # bad CRC
    assert MODBUS.answer(x("02 03 00 12 00 01 24 3C"), state, None) == b""  # not us


def test_modbus_options_are_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        Modbus(ProtocolOptions(modbus_preset="fluke"))
    assert caught.value.code == "thermometer.modbus_unknown_preset"
    assert "calex" in caught.value.hint
    for address in (0, 248):
        with pytest.raises(ValidationError) as caught:
            Modbus(ProtocolOptions(modbus_address=address))
        assert caught.value.code == "thermometer.modbus_bad_address"


# --- fefd ---------------------------------------------------------------------------------

FEFD = Fefd()
FEFD_VENDOR = x("FE FD 15 01 03 DA 0D 0A")


def test_fefd_vendor_example_is_kept_in_fahrenheit() -> None:
    assert one_sample(FEFD, FEFD_VENDOR) == Sample(
        98.6, Unit.FAHRENHEIT, Site.BODY, FEFD_VENDOR, stable=True
    )
    assert FEFD.encode(Emission(37.0, unit=Unit.FAHRENHEIT)) == FEFD_VENDOR


def test_fefd_celsius_flags_and_units() -> None:
    celsius = x("FE FD 1A 01 01 6F 0D 0A")
    assert one_sample(FEFD, celsius) == Sample(36.7, Unit.CELSIUS, Site.BODY, celsius, stable=True)
    assert FEFD.encode(Emission(36.7)) == celsius
    measuring = x("FE FD 1A 00 01 6F 0D 0A")
    assert one_sample(FEFD, measuring).stable is False
    assert FEFD.encode(Emission(36.7, stable=False)) == measuring
    assert one_sample(FEFD, x("FE FD 1A 07 01 6F 0D 0A")).stable is None
    assert [e.reason for e in errors(decode(FEFD, x("FE FD 1B 01 01 6F 0D 0A")))] == [
        FrameErrorReason.UNKNOWN_MODE
    ]
    fahrenheit_low = FEFD.encode(Emission(32.0, unit=Unit.FAHRENHEIT))
    assert fahrenheit_low == x("FE FD 15 01 03 80 0D 0A")  # 89.6 ℉
    assert FEFD.encode(Emission(36.7, unit=Unit.UNKNOWN)) == celsius  # the link names a unit
    assert not FEFD.sends_when_idle


def test_fefd_header_bytes_inside_and_broken_trailers() -> None:
    inside = x("FE FD 1A 01 01 FE 0D 0A")  # 51.0 ℃: TL is the header's first byte
    noise = x("FE FD FE FE FD 1A")
    broken = x("FE FD 1A 01 01 6F 0D 0B")
    decoded = decode(FEFD, noise + inside + broken + FEFD_VENDOR)
    assert [s.value for s in only_samples(decoded)] == [51.0, 98.6]
    assert FrameErrorReason.BAD_LENGTH in [e.reason for e in errors(decoded)]


# --- line ---------------------------------------------------------------------------------

LINE = Line()
AT_OPTIONS = ProtocolOptions(
    line_pattern=r"AT\+TEMP=(?P<ambient>\d+),(?P<object>\d+),(?P<body>\d+),(?P<stable>[01])",
    line_scale=0.1,
)


def test_line_spec_examples() -> None:
    assert one_sample(LINE, b"T=98.6F\r\n") == Sample(98.6, Unit.FAHRENHEIT, Site.BODY, b"T=98.6F")
    assert one_sample(LINE, b"{36.7}") == Sample(36.7, Unit.UNKNOWN, Site.BODY, b"36.7")
    at = Line(AT_OPTIONS)
    raw = b"AT+TEMP=255,265,365,1"
    assert one_sample(at, raw + b"\n") == Sample(
        36.5, Unit.UNKNOWN, Site.BODY, raw, ambient_c=25.5, stable=True
    )
    assert one_sample(at, b"AT+TEMP=255,265,365,0\r").stable is False


def test_line_bare_numbers_are_not_converted() -> None:
    sample = one_sample(LINE, b"98.6\n")
    assert (sample.value, sample.unit) == (98.6, Unit.UNKNOWN)


def test_line_units_sites_and_stability_groups() -> None:
    assert one_sample(LINE, "36.7 °C\n".encode()).unit is Unit.CELSIUS
    custom = Line(
        ProtocolOptions(
            line_pattern=r"(?:obj=(?P<object>[\d.]+))?\s*(?:amb=(?P<ambient>[\d.]+))?"
            r"\s*(?P<unit>℃|℉|K)?\s*(?P<stable>\w+)?$"
        )
    )
    sample = one_sample(custom, "obj=34.2 amb=20.0 ℃ stable\n".encode())
    assert (sample.value, sample.site, sample.ambient_c, sample.unit, sample.stable) == (
        34.2,
        Site.OBJECT,
        20.0,
        Unit.CELSIUS,
        True,
    )
    sample = one_sample(custom, "obj=93.2 amb=68.0 ℉ S\n".encode())
    assert sample.unit is Unit.FAHRENHEIT
    assert sample.ambient_c == pytest.approx(20.0)
    assert one_sample(custom, "amb=20.0 ℃\n".encode()).site is Site.AMBIENT
    assert one_sample(custom, "obj=34.2 ℃ maybe\n".encode()).stable is None
    assert [e.reason for e in errors(decode(custom, b"obj=34.2 K\n"))] == [
        FrameErrorReason.UNKNOWN_MODE
    ]


@pytest.mark.parametrize("text", [b"Err", b"Err3", b"Lo", b"Hi", b"T= Hi", b"{Lo}"])
def test_line_device_errors(text: bytes) -> None:
    decoded = decode(LINE, text + b"\r\n")
    assert [e.reason for e in errors(decoded)] == [FrameErrorReason.DEVICE_ERROR]


def test_line_blank_lines_crlf_and_braces() -> None:
    stream = b"\r\n\n   \r{36.7}\r\n{ }36.8C\r\n\r\nT:{36.9}"
    decoded = decode(LINE, stream)
    assert [s.value for s in only_samples(decoded)] == [36.7, 36.8, 36.9]
    assert [e.reason for e in errors(decoded, garbage=True)] == [GARBAGE]  # "T:"


def test_line_unparsable_and_invalid_utf8() -> None:
    decoded = decode(LINE, b"hello\n\xff\xfe36.7\n\xe4\xbd\x93\xe6\xb8\xa9 36.6\n")
    assert [e.reason for e in errors(decoded)] == [
        FrameErrorReason.UNPARSABLE,
        FrameErrorReason.UNPARSABLE,
    ]
    assert [s.value for s in only_samples(decoded)] == [36.6]  # "体温 36.6" is UTF-8


def test_line_over_long_lines_are_dropped() -> None:
    long_line = b"9" * (MAX_LINE + 1)
    for sizes in ((MAX_LINE + 44,), (1, 2, 3), (100,)):
        decoded = feed_all(LINE.parser(), chunks(long_line + b"123\n36.7C\n", sizes))
        assert [s.value for s in only_samples(decoded)] == [36.7]
        assert {e.reason for e in errors(decoded)} == {FrameErrorReason.BAD_LENGTH}
    # A line of exactly MAX_LINE bytes is still read.
    assert one_sample(LINE, b" " * (MAX_LINE - 4) + b"36.7\n").value == 36.7


def test_line_scale_gives_the_nearest_float() -> None:
    scaled = Line(ProtocolOptions(line_scale=0.1))
    assert one_sample(scaled, b"365\n").value == 36.5
    assert one_sample(scaled, b"367\n").value == 36.7
    quarter = Line(ProtocolOptions(line_scale=0.25))
    assert one_sample(quarter, b"146\n").value == 36.5


def test_line_encoding() -> None:
    assert LINE.encode(Emission(36.7)) == b"36.7C\r\n"
    assert LINE.encode(Emission(37.0, unit=Unit.FAHRENHEIT)) == b"98.6F\r\n"
    assert LINE.encode(Emission(36.7, unit=Unit.UNKNOWN)) == b"36.7\r\n"
    assert LINE.encode(Emission(-0.5)) == b"-0.5C\r\n"
    assert one_sample(LINE, LINE.encode(Emission(-0.5))).value == -0.5
    sample = one_sample(LINE, LINE.encode(Emission(37.0, unit=Unit.FAHRENHEIT)))
    assert (sample.value, sample.unit) == (98.6, Unit.FAHRENHEIT)
    with pytest.raises(ValueError, match="object"):
        LINE.encode(Emission(33.0, Site.OBJECT))


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (ProtocolOptions(line_pattern="(?P<value>"), "thermometer.line_bad_pattern"),
        (ProtocolOptions(line_error_pattern="[Err"), "thermometer.line_bad_pattern"),
        (ProtocolOptions(line_pattern=r"\d+"), "thermometer.line_pattern_no_value"),
        (ProtocolOptions(line_scale=0.0), "thermometer.line_bad_scale"),
        (ProtocolOptions(line_scale=float("nan")), "thermometer.line_bad_scale"),
    ],
)
def test_line_options_are_checked(options: ProtocolOptions, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Line(options)
    assert caught.value.code == code
