"""Properties of every parser: valid frames survive any noise around them, in order, whatever
the chunking; feed never raises; and nothing read out of noise becomes a measurement.

"Nothing out of noise" is checked as: the number of samples equals the number of frames put in.
For protocols with a checksum or CRC the noise is arbitrary bytes (plus headers and cut-off
frames, the hardest noise), minus the practically impossible case of noise that, alone or with
the bytes around it, forms a complete frame the parser would accept. Optris CT answers and text
lines carry no check at all, so there the noise is restricted to what cannot form a frame: that
is a real limit of those protocols, not a trick of the test (see the two tests below).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.thermometer.protocols import aa55, fefd, gy_mcu90614, lu90614, modbus
from checkpoint.thermometer.protocols.base import (
    Decoded,
    DeviceProtocol,
    Emission,
    FrameCheck,
    Sample,
)
from checkpoint.thermometer.protocols.line import Line
from checkpoint.thermometer.protocols.optris_ct import OptrisCt

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)

Expected = tuple[Emission, float, Site]
"""An emission to encode, and the value and site its sample must have."""


def chunked(data: bytes, sizes: Sequence[int]) -> Iterator[bytes]:
    position, turn = 0, 0
    while position < len(data):
        size = sizes[turn % len(sizes)]
        yield data[position : position + size]
        position += size
        turn += 1


chunk_sizes = st.lists(st.integers(1, 40), min_size=1, max_size=8)


@dataclass(frozen=True)
class Checked:
    """A protocol with a checksum or CRC, and how to tell that a frame starts at a position."""

    protocol: DeviceProtocol
    emissions: st.SearchStrategy[Expected]
    frame_at: Callable[[bytes, int], bool]
    headers: tuple[bytes, ...]


def fixed_frame_at(header: bytes, size: int, check: FrameCheck) -> Callable[[bytes, int], bool]:
    """Whether `FixedFrameParser` would consume a frame (a sample or an intact error) at i."""

    def frame_at(stream: bytes, i: int) -> bool:
        window = stream[i : i + size]
        return len(window) == size and window.startswith(header) and check(window)[1]

    return frame_at


def modbus_frame_at(stream: bytes, i: int) -> bool:
    if stream[i] != 1 or i + 2 >= len(stream):
        return False
    if stream[i + 1] in modbus.READ_FUNCTIONS and stream[i + 2] == 2:
        window = stream[i : i + modbus.RESPONSE_SIZE]
    elif stream[i + 1] in modbus.EXCEPTION_FUNCTIONS:
        window = stream[i : i + modbus.EXCEPTION_SIZE]
    else:
        return False
    return len(window) > 2 and modbus.crc16(window[:-2]) == int.from_bytes(window[-2:], "little")


def celsius(
    low: int, high: int, divisor: int, site: Site = Site.BODY
) -> st.SearchStrategy[Expected]:
    """Values on the device's own grid (whole tenths or hundredths) from low to high."""
    return st.integers(low, high).map(lambda n: (Emission(n / divisor, site), n / divisor, site))


def fahrenheit(low: int, high: int) -> st.SearchStrategy[Expected]:
    """A ℉ module shows whole tenths of ℉; the emission is the ℃ value behind them."""
    return st.integers(low, high).map(
        lambda n: (
            Emission((n / 10 - 32) * 5 / 9, Site.BODY, unit=Unit.FAHRENHEIT),
            n / 10,
            Site.BODY,
        )
    )


CHECKED: dict[str, Checked] = {
    "gy-mcu90614": Checked(
        gy_mcu90614.GyMcu90614(),
        st.tuples(st.integers(-32768, 32767), st.integers(-32768, 32767)).map(
            lambda pair: (
                Emission(pair[0] / 100, Site.OBJECT, ambient_c=pair[1] / 100),
                pair[0] / 100,
                Site.OBJECT,
            )
        ),
        fixed_frame_at(gy_mcu90614.HEADER, gy_mcu90614.FRAME_SIZE, gy_mcu90614.check_frame),
        (gy_mcu90614.HEADER, gy_mcu90614.HEADER + b"\x45\x04"),
    ),
    "lu90614": Checked(
        lu90614.Lu90614(),
        st.one_of(celsius(0, 25599, 100), celsius(0, 25599, 100, Site.OBJECT)),
        fixed_frame_at(lu90614.HEADER, lu90614.FRAME_SIZE, lu90614.check_frame),
        (lu90614.HEADER, b"\xfe\xac", b"\xfe\xaa"),
    ),
    "aa55": Checked(
        aa55.Aa55(),
        celsius(0, 2559, 10),
        fixed_frame_at(aa55.HEADER, aa55.FRAME_SIZE, aa55.check_frame),
        (aa55.HEADER, aa55.HEADER + b"\x06"),
    ),
    "modbus": Checked(
        modbus.Modbus(),
        celsius(-32768, 32767, 10, Site.OBJECT),
        modbus_frame_at,
        (b"\x01\x03", b"\x01\x03\x02", b"\x01\x83"),
    ),
    "fefd": Checked(
        fefd.Fefd(),
        st.one_of(celsius(0, 65535, 10), fahrenheit(0, 65535)),
        fixed_frame_at(fefd.HEADER, fefd.FRAME_SIZE, fefd.check_frame),
        (fefd.HEADER, fefd.HEADER + b"\x1a", fefd.TRAILER),
    ),
}


@st.composite
def noise(draw: st.DrawFn, checked: Checked) -> bytes:
    """Random bytes, headers, and frames cut short: what a noisy line really carries."""
    encoded = st.builds(lambda e: checked.protocol.encode(e[0]), checked.emissions)
    parts = draw(
        st.lists(
            st.one_of(
                st.binary(max_size=24),
                st.sampled_from(checked.headers),
                st.tuples(encoded, st.integers(1, 12)).map(lambda f: f[0][: -f[1]]),
            ),
            max_size=5,
        )
    )
    return b"".join(parts)


@pytest.mark.parametrize("name", sorted(CHECKED))
@SETTINGS
@given(data=st.data())
def test_frames_survive_noise(name: str, data: st.DataObject) -> None:
    checked = CHECKED[name]
    expected = data.draw(st.lists(checked.emissions, max_size=6), label="frames")
    gaps = data.draw(
        st.lists(noise(checked), min_size=len(expected) + 1, max_size=len(expected) + 1)
    )
    stream, starts = bytearray(), set()
    for gap, (emission, _, _) in zip(gaps, expected, strict=False):
        stream += gap
        starts.add(len(stream))
        stream += checked.protocol.encode(emission)
    stream += gaps[-1]
    whole = bytes(stream)
    # The practically impossible case: noise that forms a frame the parser would accept.
    assume(all(i in starts or not checked.frame_at(whole, i) for i in range(len(whole))))

    parser = checked.protocol.parser()
    decoded: list[Decoded] = []
    for piece in chunked(whole, data.draw(chunk_sizes, label="chunks")):
        decoded += parser.feed(piece)
    samples = [d for d in decoded if isinstance(d, Sample)]
    assert [s.value for s in samples] == pytest.approx([value for _, value, _ in expected])
    assert [s.site for s in samples] == [site for _, _, site in expected]


@SETTINGS
@given(data=st.data())
def test_optris_answers_survive_unexpected_bytes(data: st.DataObject) -> None:
    # Optris answers have no header and no checksum: bytes that arrive while a request is
    # pending ARE the answer, whatever they are. So noise is sent only while nothing is
    # pending (where it must come out as UNEXPECTED); that is the protocol's own limit.
    protocol = OptrisCt()
    expected = data.draw(st.lists(celsius(-1000, 64535, 10, Site.OBJECT), max_size=6))
    parser = protocol.parser()
    decoded: list[Decoded] = []
    poll = protocol.poll_command()
    assert poll is not None
    for emission, _, _ in expected:
        for piece in chunked(data.draw(st.binary(max_size=30)), data.draw(chunk_sizes)):
            decoded += parser.feed(piece)
        parser.expect_response(poll)
        for piece in chunked(protocol.encode(emission), data.draw(chunk_sizes)):
            decoded += parser.feed(piece)
    decoded += parser.feed(data.draw(st.binary(max_size=30)))
    samples = [d for d in decoded if isinstance(d, Sample)]
    assert [s.value for s in samples] == [value for _, value, _ in expected]


DIGITS = frozenset(b"0123456789")
TERMINATORS = (b"\n", b"\r", b"\r\n", b"}", b"{")


@SETTINGS
@given(data=st.data())
def test_line_readings_survive_noise_lines(data: st.DataObject) -> None:
    # Text has no check: with the default pattern any run of digits on a line is a reading,
    # and noise glued to the front of a reading changes it ("5" + "36.7" is 536.7). So noise
    # here has no ASCII digits and ends with a delimiter, i.e. it is whole lines of junk (of any
    # length, any bytes, invalid UTF-8 included); that is the protocol's own limit.
    protocol = Line()
    expected = data.draw(
        st.lists(
            st.one_of(
                celsius(-999, 9999, 10),
                fahrenheit(-999, 9999),
                celsius(-999, 9999, 10).map(
                    lambda e: (Emission(e[0].value_c, unit=Unit.UNKNOWN), e[1], e[2])
                ),
            ),
            max_size=6,
        )
    )
    junk = st.tuples(
        st.binary(max_size=400).map(lambda b: bytes(c for c in b if c not in DIGITS)),
        st.sampled_from(TERMINATORS),
    ).map(b"".join)
    stream = bytearray()
    for emission, _, _ in expected:
        stream += data.draw(junk) + protocol.encode(emission)
    stream += data.draw(junk)
    parser = protocol.parser()
    decoded: list[Decoded] = []
    for piece in chunked(bytes(stream), data.draw(chunk_sizes)):
        decoded += parser.feed(piece)
    samples = [d for d in decoded if isinstance(d, Sample)]
    assert [s.value for s in samples] == [pytest.approx(value) for _, value, _ in expected]


ALL_PROTOCOLS: list[DeviceProtocol] = [c.protocol for c in CHECKED.values()] + [
    OptrisCt(),
    Line(),
]


@pytest.mark.parametrize("protocol", ALL_PROTOCOLS, ids=lambda p: p.name)
@SETTINGS
@given(pieces=st.lists(st.binary(max_size=300), max_size=8), command=st.binary(max_size=8))
def test_feed_never_raises(protocol: DeviceProtocol, pieces: list[bytes], command: bytes) -> None:
    parser = protocol.parser()
    parser.expect_response(command)
    for piece in pieces:
        for item in parser.feed(piece):
            assert isinstance(item.raw, bytes)
    parser.reset()
    parser.feed(b"".join(pieces))
