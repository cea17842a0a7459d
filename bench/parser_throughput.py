"""Parser throughput: MB/s of a noisy stream through each protocol's parser.

The stream is about half random bytes (runs of 1–64 bytes) and half valid frames (bursts of one
to eight), fed in 4 KiB chunks as a serial read would deliver them. The baseline, over the same
chunks in the same run, is a plain `bytes.find` scan for the protocol's sync bytes: the least
work any parser must do. Target: >= 5 MB/s per parser (a 115200-baud line carries 0.0115 MB/s,
so this leaves the reader thread idle; the ratio shows how far each parser is from the floor).

For request/response protocols the parser needs no announcement except optris-ct, whose
answers are only recognised while a request is pending: there noise chunks arrive with nothing
pending and answer chunks after one `expect_response` per answer.

    python bench/parser_throughput.py [--megabytes N] [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from checkpoint.domain.vocabulary import Site
from checkpoint.thermometer.protocols import protocol_class
from checkpoint.thermometer.protocols.base import DeviceProtocol, Emission, Parser, Sample

TARGET_MB_S = 5.0
CHUNK = 4096
SEED = 20200123

SYNC: dict[str, bytes] = {
    "gy-mcu90614": b"\x5a\x5a",
    "lu90614": b"\xfe",
    "aa55": b"\xaa\x55",
    "optris-ct": b"\x01",  # no header at all: the request byte stands in for one
    "modbus": b"\x01\x03",
    "fefd": b"\xfe\xfd",
    "line": b"\n",
}
SITES: dict[str, Site] = {
    "gy-mcu90614": Site.OBJECT,
    "optris-ct": Site.OBJECT,
    "modbus": Site.OBJECT,
}


@dataclass
class Stream:
    """What to feed: chunks, and before each chunk how many answers to announce."""

    chunks: list[bytes]
    announced: list[int]
    frames: int

    @property
    def size(self) -> int:
        return sum(len(c) for c in self.chunks)


def _chunk(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def _frame(protocol: DeviceProtocol, rng: random.Random) -> bytes:
    site = SITES.get(protocol.name, Site.BODY)
    return protocol.encode(Emission(rng.randrange(340, 400) / 10, site))


def build(protocol: DeviceProtocol, megabytes: float) -> Stream:
    """About `megabytes` MB, half noise, half frames."""
    rng = random.Random(SEED)
    total = int(megabytes * 1_000_000)
    if protocol.name == "optris-ct":
        return _build_polled(protocol, rng, total)
    stream, frames, noise_bytes = bytearray(), 0, 0
    while len(stream) < total:
        if noise_bytes * 2 <= len(stream):
            run = rng.randbytes(rng.randint(1, 64))
            # Noise runs are lines of their own for text modules (otherwise they corrupt the
            # reading next to them, which is no faster or slower to parse).
            stream += run + b"\n" if protocol.name == "line" else run
            noise_bytes += len(run)
        else:
            for _ in range(rng.randint(1, 8)):
                stream += _frame(protocol, rng)
                frames += 1
    chunks = _chunk(bytes(stream))
    return Stream(chunks, [0] * len(chunks), frames)


def _build_polled(protocol: DeviceProtocol, rng: random.Random, total: int) -> Stream:
    chunks: list[bytes] = []
    announced: list[int] = []
    size = frames = 0
    while size < total:
        chunks.append(rng.randbytes(CHUNK))
        announced.append(0)
        answers = b"".join(_frame(protocol, rng) for _ in range(CHUNK // 2))
        chunks.append(answers)
        announced.append(CHUNK // 2)
        frames += CHUNK // 2
        size += 2 * CHUNK
    return Stream(chunks, announced, frames)


def run_parser(protocol: DeviceProtocol, stream: Stream) -> tuple[float, int]:
    """Seconds to parse the stream, and the samples it gave."""
    parser: Parser = protocol.parser()
    poll = protocol.poll_command() or b""
    samples = 0
    started = time.perf_counter()
    for chunk, announced in zip(stream.chunks, stream.announced, strict=True):
        for _ in range(announced):
            parser.expect_response(poll)
        for item in parser.feed(chunk):
            if type(item) is Sample:
                samples += 1
    return time.perf_counter() - started, samples


def run_baseline(sync: bytes, stream: Stream) -> float:
    """Seconds for a bytes.find scan for `sync` over the same chunks."""
    started = time.perf_counter()
    found = 0
    for chunk in stream.chunks:
        position = chunk.find(sync)
        while position >= 0:
            found += 1
            position = chunk.find(sync, position + 1)
    return time.perf_counter() - started


def _parse_seconds(protocol: DeviceProtocol, stream: Stream) -> float:
    return run_parser(protocol, stream)[0]


def best(measure: Callable[[], float], repeat: int) -> float:
    return min(measure() for _ in range(repeat))


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--megabytes", type=float, default=4.0)
    arguments.add_argument("--repeat", type=int, default=3)
    options = arguments.parse_args()

    print(
        f"{'protocol':<12} {'MB':>5} {'frames':>8} {'found':>8} {'MB/s':>8} "
        f"{'find MB/s':>10} {'ratio':>6}  target {TARGET_MB_S} MB/s"
    )
    missed = []
    for name, sync in SYNC.items():
        protocol = protocol_class(name)()
        stream = build(protocol, options.megabytes)
        mb = stream.size / 1_000_000
        _, samples = run_parser(protocol, stream)
        parse_s = best(partial(_parse_seconds, protocol, stream), options.repeat)
        find_s = best(partial(run_baseline, sync, stream), options.repeat)
        rate, floor = mb / parse_s, mb / find_s
        met = rate >= TARGET_MB_S
        if not met:
            missed.append(name)
        print(
            f"{name:<12} {mb:>5.1f} {stream.frames:>8} {samples:>8} {rate:>8.1f} "
            f"{floor:>10.0f} {rate / floor:>6.3f}  {'met' if met else 'MISSED'}"
        )
    print("all parsers meet the target" if not missed else f"below target: {', '.join(missed)}")


if __name__ == "__main__":
    main()
