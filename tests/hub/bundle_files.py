"""Bundle files made cheaply as streams, for the import's tests and its bench: hostile ones (a
decompression bomb, one endless line, empty lines, an unsigned stream of any size) and valid
signed ones of any number of records, without a log of that size.

Every file starts with the exporter's gzip header (`bundle._GZIP_HEADER`), so the reader gets
past its first check and has to deal with the content.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import os
import struct
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from checkpoint.store.chain import hashed_names, hashed_values, values_hash
from checkpoint.store.engine import open_store
from checkpoint.store.models import Reading
from checkpoint.store.sync_state import rows_between
from checkpoint.sync.bundle import _GZIP_HEADER
from checkpoint.wire.records import TABLES, record_payload
from tests.store.conftest import build_scene
from tests.sync.conftest import fill

CHECKPOINT = "HB-XG-0012"
RECORD_LIKE = b'{"seq":1,"id":"%s","prev_hash":"%s","hash":"%s"}\n' % (
    b"0" * 32,
    b"0" * 64,
    b"0" * 64,
)
"""A line shaped like a record (the reader's first pass looks no further); repeated, the
records do not follow each other, which is told only once the signature is judged."""
LANE = "0e4dabfc-3255-43ba-8a94-8140dd721167"


def header_line(records: int, *, last_hash: str = "0" * 64, checkpoint: str = CHECKPOINT) -> bytes:
    header = {
        "format": "checkpoint-bundle",
        "version": 1,
        "checkpoint_id": checkpoint,
        "lane_id": LANE,
        "created_at": datetime(2026, 12, 1, tzinfo=UTC).isoformat(),
        "first_seq": 1,
        "last_seq": records,
        "records": records,
        "chain_head": {"seq": records, "hash": last_hash},
    }
    return json.dumps(header, separators=(",", ":")).encode() + b"\n"


def write_gzip(path: Path, chunks: Iterable[bytes], *, level: int = 1) -> int:
    """A gzip file of the concatenated `chunks` with the exporter's header; its size.

    Level 0 stores the bytes as they are (fast, and no compression ratio to speak of)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    crc = size = 0
    with path.open("wb") as raw:
        raw.write(_GZIP_HEADER)
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            raw.write(packer.compress(chunk))
        raw.write(packer.flush())
        raw.write(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return raw.tell()


def bomb(path: Path, line: bytes, expanded: int) -> int:
    """A header, then `line` repeated to about `expanded` bytes: one member compressed once and
    appended as many times as needed (gzip reads concatenated members as one stream). A few
    kilobytes a gigabyte."""
    block = line * max(1, (8 * 1024 * 1024) // len(line))
    member = gzip.compress(block, compresslevel=9, mtime=0)
    write_gzip(path, [header_line(10**9)], level=9)
    with path.open("ab") as out:
        for _ in range(max(1, expanded // len(block))):
            out.write(member)
        return out.tell()


def unsigned_stream(path: Path, expanded: int, *, line_bytes: int = 4096) -> int:
    """A header and record-like lines (each `line_bytes`, of random hex: incompressible like
    real ids and hashes) to about `expanded` bytes, then a signature no key made. Stored
    uncompressed (level 0): cheap to write, and it has to be read to its end to be refused."""
    noise = os.urandom(1024 * 1024).hex().encode()
    count = max(1, expanded // line_bytes)

    def lines() -> Iterator[bytes]:
        yield header_line(count)
        for seq in range(1, count + 1):
            start = (seq * 7919) % (len(noise) - line_bytes)
            head = b'{"seq":%d,"id":"%s","prev_hash":"%s","hash":"%s","pad":"' % (
                seq,
                noise[start : start + 32],
                noise[start + 32 : start + 96],
                noise[start + 96 : start + 160],
            )
            yield head + noise[start : start + line_bytes - len(head) - 3] + b'"}\n'
        yield b'{"signature":"hmac-sha256:' + b"0" * 64 + b'"}\n'

    return write_gzip(path, _joined(lines()), level=0)


def _joined(lines: Iterable[bytes], size: int = 1024 * 1024) -> Iterator[bytes]:
    """`lines` in chunks of about `size` bytes (fewer calls into zlib)."""
    parts: list[bytes] = []
    held = 0
    for line in lines:
        parts.append(line)
        held += len(line)
        if held >= size:
            yield b"".join(parts)
            parts, held = [], 0
    if parts:
        yield b"".join(parts)


def reading_template(folder: Path) -> dict[str, Any]:
    """The wire form of one real reading record (from a small log made in `folder`)."""
    scene = build_scene(open_store(folder / "template.db"))
    try:
        fill(scene, 1)
        with scene.store.reading() as session:
            for record_type, row in rows_between(session=session, first=1, last=10**6):
                if record_type is Reading:
                    return record_payload(record_type, row)
    finally:
        scene.store.close()
    raise AssertionError("the log holds no reading")


def signed_bundle(
    path: Path, template: dict[str, Any], count: int, key: bytes, *, pad: int = 0
) -> int:
    """A valid bundle of `count` records made from `template` (a new id, seq and chain link
    each, their hash computed as the log would), signed with `key`; its size. With `pad`, the
    reading's `raw` text holds that many characters of random hex (large records, cheaply)."""
    noise = os.urandom(1024 * 1024).hex().encode().decode() if pad else ""
    record_type = TABLES[template["table"]]
    names = hashed_names(record_type)
    digest = template["personal_digest"]
    prev = "0" * 64
    spool = path.with_name(path.name + ".lines")  # the records, before the header knows the last
    with spool.open("wb") as lines:
        for seq in range(1, count + 1):
            record = dict(template, id=f"{seq:032x}", seq=seq, prev_hash=prev)
            if pad:
                start = (seq * 7919) % (len(noise) - pad)
                record["values"] = dict(template["values"], raw=noise[start : start + pad])
            stored = dict(record["values"], **{n: record[n] for n in names if n in record})
            record["hash"] = values_hash(
                record_type, hashed_values(record_type, [stored[n] for n in names]), digest
            )
            prev = record["hash"]
            lines.write(orjson.dumps(record) + b"\n")
    head = header_line(count, last_hash=prev)
    mac = hmac.new(key, head, hashlib.sha256)

    def content() -> Iterator[bytes]:
        yield head
        with spool.open("rb") as lines:
            while chunk := lines.read(1024 * 1024):
                mac.update(chunk)
                yield chunk
        yield b'{"signature":"hmac-sha256:' + mac.hexdigest().encode() + b'"}\n'

    try:
        return write_gzip(path, content(), level=1)
    finally:
        spool.unlink()
