"""The reader's frames: the protocol note's examples byte for byte, and the parser through
noise, damage and frames split anywhere (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from checkpoint.idcard.card import encode_card_text
from checkpoint.idcard.frames import (
    FIND,
    PREAMBLE,
    READ_BASE,
    SELECT,
    SW3,
    Frame,
    FrameFault,
    FrameParser,
    FrameProblem,
    encode_answer,
    encode_base_information,
    encode_command,
    split_base_information,
)
from tests.idcard.cards import ZHANG

# The examples of /work/shared/idcard-protocol.md, as written there.
FIND_CARD = "AA AA AA 96 69 00 03 20 01 22"
CARD_THERE = "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"
SELECT_CARD = "AA AA AA 96 69 00 03 20 02 21"
READ_BASE_INFO = "AA AA AA 96 69 00 03 30 01 32"


def test_the_commands_are_the_protocol_notes_bytes() -> None:
    assert encode_command(FIND) == bytes.fromhex(FIND_CARD)
    assert encode_command(SELECT) == bytes.fromhex(SELECT_CARD)
    assert encode_command(READ_BASE) == bytes.fromhex(READ_BASE_INFO)


def test_the_answer_of_a_card_there_is_the_protocol_notes_bytes() -> None:
    assert encode_answer(SW3.CARD_FOUND, bytes(4)) == bytes.fromhex(CARD_THERE)
    (frame,) = FrameParser().feed(bytes.fromhex(CARD_THERE))
    assert isinstance(frame, Frame)
    assert frame.sw3 == SW3.CARD_FOUND and frame.data == bytes(4)


def test_the_golden_commands_parse_back_to_their_command() -> None:
    parser = FrameParser()
    frames = parser.feed(bytes.fromhex(FIND_CARD + SELECT_CARD + READ_BASE_INFO))
    assert [f.command for f in frames if isinstance(f, Frame)] == [FIND, SELECT, READ_BASE]


def test_base_information_is_1295_bytes_with_len_0508() -> None:
    frame = encode_base_information(encode_card_text(ZHANG))
    assert len(frame) == 1295
    assert frame[:7] == PREAMBLE + b"\x05\x08"
    assert frame[7:10] == b"\x00\x00\x90"
    assert frame[10:14] == bytes.fromhex("0100 0400")  # text 256, photo 1024
    (parsed,) = FrameParser().feed(frame)
    assert isinstance(parsed, Frame)
    parts = split_base_information(parsed.data)
    assert parts == (encode_card_text(ZHANG), 1024)


def test_a_bad_checksum_is_reported_and_the_next_frame_still_read() -> None:
    good = bytes.fromhex(CARD_THERE)
    bad = good[:-1] + bytes([good[-1] ^ 0xFF])
    out = FrameParser().feed(bad + good)
    assert [type(o) for o in out] == [FrameFault, Frame]
    assert isinstance(out[0], FrameFault) and out[0].problem is FrameProblem.BAD_CHECKSUM


def test_a_length_out_of_bounds_is_reported_and_skipped() -> None:
    out = FrameParser().feed(PREAMBLE + b"\xff\xff" + bytes.fromhex(CARD_THERE))
    problems = [o.problem for o in out if isinstance(o, FrameFault)]
    assert problems[0] is FrameProblem.BAD_LENGTH
    assert [o.sw3 for o in out if isinstance(o, Frame)] == [SW3.CARD_FOUND]


def test_noise_before_a_frame_is_reported_as_noise() -> None:
    out = FrameParser().feed(b"\x00\x13hello" + bytes.fromhex(CARD_THERE))
    assert isinstance(out[0], FrameFault) and out[0].problem is FrameProblem.NOISE
    assert out[0].raw == b"\x00\x13hello"
    assert isinstance(out[1], Frame)


# Noise without the preamble's first byte cannot fake a frame; with it, the parser must still
# never raise and resynchronise on the next real preamble.
_noise = st.binary(max_size=40).map(lambda b: b.replace(b"\xaa", b"\x55"))
_answers = st.lists(
    st.tuples(st.sampled_from(list(SW3)), st.binary(max_size=300)), min_size=1, max_size=6
)


@settings(max_examples=200, deadline=None)
@given(answers=_answers, noise=st.lists(_noise, min_size=7, max_size=7), data=st.data())
def test_every_frame_survives_noise_and_any_split(
    answers: list[tuple[SW3, bytes]], noise: list[bytes], data: st.DataObject
) -> None:
    stream = b""
    for i, (sw3, payload) in enumerate(answers):
        stream += noise[i] + encode_answer(sw3, payload)
    stream += noise[-1]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=20)))
    parser = FrameParser()
    out: list[Frame | FrameFault] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        out += parser.feed(stream[start:end])
    frames = [o for o in out if isinstance(o, Frame)]
    assert [(f.sw3, f.data) for f in frames] == [(int(s), p) for s, p in answers]
    assert all(o.problem is FrameProblem.NOISE for o in out if isinstance(o, FrameFault))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.lists(st.integers(1, 64), max_size=30))
def test_the_parser_never_raises_and_finds_a_frame_after_any_garbage(
    garbage: bytes, pieces: list[int]
) -> None:
    parser = FrameParser()
    at = 0
    for size in pieces:
        parser.feed(garbage[at : at + size])
        at += size
    parser.feed(garbage[at:])
    # Whatever came before, clean frames come through: at worst the garbage left a half frame
    # whose length (at most 4,096) swallows the first ones, and fails its checksum.
    good = bytes.fromhex(CARD_THERE)
    out = parser.feed(good * 300)
    assert any(isinstance(o, Frame) and o.sw3 == SW3.CARD_FOUND for o in out)
