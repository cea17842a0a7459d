"""Bundles: a checkpoint's log on a USB stick, for a hub the laptop cannot reach over a network.

A bundle is one gzip file holding UTF-8 lines: a header (JSON: format and version, checkpoint,
when it was made, the seq range, the record count and the sender's chain head), then one line
per record in the wire form of a sync batch (`wire.record_payload`, so the personal fields stay
on the laptop and the hub checks each record with `wire.check_record` as it does for a batch),
then a signature line. `checkpoint hub import` stores the records through the hub's ordinary
ingest path, exactly once: importing a bundle twice stores nothing the second time.

The signature
-------------
HMAC-SHA256 over every byte before the signature line, keyed by the SHA-256 of the checkpoint's
hub token (`checkpoint hub enroll`). The laptop knows the token, the hub keeps exactly that
digest (`hub/db.py` stores tokens hashed), so both sides have the key and nothing new has to be
enrolled, carried or kept secret. What it gives: whoever carries the stick cannot change,
drop, add or reorder records, or pass a bundle off as another checkpoint's, without the
signature failing; and a revoked checkpoint's bundles are refused like its HTTP requests. The
record hashes alone would not do that: the chain hash has no key, anyone can compute one.
What it does not give: it is symmetric, so anyone who can read the hub's `checkpoints` table
could sign bundles for its checkpoints (they could not use the digest as a Bearer token);
keep the hub's database as private as its tokens. A public-key signature (Ed25519) would avoid
that, at the price of a second key per laptop to enroll and of a cryptography library; the
digest is kept as the key because the threat is a lost or handled stick, not a hub operator.
A checkpoint enrolled again gets a new token: bundles signed with the old one are refused
("signature does not match"); export them again.

Daily reports
-------------
A lane whose only link to a hub is a USB stick still reports its days (不漏报): after the
records come its daily reports (`{"report": …}` lines, each the report's JSON form, as
`checkpoint sync` would PUT it), signed with the rest and counted in the header. The hub holds
them as it holds a report sent over the network: one per (checkpoint, lane, day), a newer
version replacing that lane's older one and never the other way round (an old bundle imported
after the lane's later reports changes nothing: `wire.reports.report_order`). Every report in
a bundle is of its checkpoint and of the bundle's lane. A bundle with reports has version 2 (a
hub from before them says so rather than misreading it); one without is version 1, as before.

The gzip CRC catches most damage to the file, its missing end catches a copy cut short; the
signature catches the rest. A bundle is checked as a whole before any record is stored, as it
streams, in bounded memory, its reports too (how: the comment at the top of the hub side below).

What exporting records
----------------------
Nothing. The default export holds the records after the acknowledged mark of the configured hub
(`store/sync_state.py`), and exporting does not move that mark: the stick may be lost or never
imported. Receipts are what the hub gives on import, at the hub; the laptop learns of them on
its next network sync, when the hub answers "duplicate" for what came by stick and the mark
moves then. Until then a later export includes the same records again, which costs space on
the stick and nothing else: a second import of a record is a duplicate.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final, Literal

import orjson
import pydantic
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from checkpoint import files
from checkpoint.errors import CheckpointError
from checkpoint.store.engine import Store
from checkpoint.store.lanes import log_lane
from checkpoint.store.models import LOG_TABLES
from checkpoint.store.sync_state import rows_between
from checkpoint.wire.records import CheckpointCode, Hex64, LaneId, WireRecord, record_payload
from checkpoint.wire.reports import DayReport, lane_of

FORMAT: Final = "checkpoint-bundle"
VERSION: Final = 1
REPORTS_VERSION: Final = 2
"""Version of a bundle that carries daily reports (after its records)."""
VERSIONS: Final = (VERSION, REPORTS_VERSION)
SUFFIX: Final = ".ckpt.gz"
"""The usual file name ending of a bundle."""
MAX_LINE: Final = 1024 * 1024
"""Longest line read (a record is a few kilobytes); a longer one means a damaged file."""
_SIGNATURE_PREFIX: Final = "hmac-sha256:"
MAX_REPORTS: Final = 1000
"""Most daily reports a bundle carries (a checkpoint sends at most 400 days at a time)."""
_CHUNK: Final = 2000
_GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
"""The gzip header `write_bundle` writes (no name, no time, best compression, unknown OS).
The signature covers the content, so the header is checked byte for byte instead."""


class BundleError(CheckpointError):
    """A bundle cannot be written, or is refused on import; the message says why."""


class ChainHead(BaseModel):
    """The newest record of the sender's log when the bundle was made."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=0)
    hash: Hex64


class BundleHeader(BaseModel):
    """The first line of a bundle."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    format: Literal["checkpoint-bundle"] = FORMAT
    version: int = VERSION
    checkpoint_id: CheckpointCode
    """The checkpoint whose log this is, and whose hub token signs it."""
    lane_id: LaneId = ""
    """The lane (log) of the checkpoint; empty in a bundle from before lanes."""
    created_at: AwareDatetime
    first_seq: int = Field(ge=1)
    """The records are `first_seq` … `last_seq` of the log (none when last < first)."""
    last_seq: int = Field(ge=0)
    records: int = Field(ge=0)
    chain_head: ChainHead
    """The sender's chain head at export: the hub can tell whether the bundle reaches it."""
    reports: int = Field(default=0, ge=0, le=MAX_REPORTS)
    """Daily reports after the records (version 2; absent from the header when none)."""


def signing_key(token: str) -> bytes:
    """The HMAC key of a checkpoint's bundles: the SHA-256 of its hub token."""
    return hashlib.sha256(token.encode()).digest()


def key_from_token_hash(token_hash: str) -> bytes:
    """The same key from the token hash a hub keeps (hex SHA-256)."""
    return bytes.fromhex(token_hash)


def _line(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode() + (
        b"\n"
    )


# ---------------------------------------------------------------------------- checkpoint side


def write_bundle(
    store: Store,
    output: Path,
    *,
    checkpoint_id: str,
    token: str,
    after: int = 0,
    now: datetime | None = None,
    reports: Sequence[dict[str, Any]] = (),
) -> BundleHeader:
    """Write the log's records after seq `after` (all with 0) to `output`, then `reports`
    (daily reports' JSON forms, `wire.reports.canonical`, of this log's lane), signed; its
    header.

    The file appears whole or not at all (written beside it, then renamed: `files.staged`), so
    a stick pulled out during the export holds no half bundle under the final name; it is
    readable by its owner only.
    """
    mac = hmac.new(signing_key(token), digestmod=hashlib.sha256)
    with store.reading() as session:
        row = (
            session.connection()
            .exec_driver_sql("SELECT seq, hash FROM chain_head WHERE id = 1")
            .one()
        )
        head = ChainHead(seq=int(row[0]), hash=str(row[1]))
        first = max(0, after) + 1
        count = sum(
            int(
                session.connection()
                .exec_driver_sql(
                    f"SELECT count(*) FROM {record_type.__tablename__} WHERE seq BETWEEN ? AND ?",
                    (first, head.seq),
                )
                .scalar()
                or 0
            )
            for record_type in LOG_TABLES
        )
        header = BundleHeader(
            checkpoint_id=checkpoint_id,
            lane_id=log_lane(session=session).lane_id,
            created_at=now or datetime.now(UTC),
            first_seq=first,
            last_seq=max(head.seq, first - 1),
            records=count,
            chain_head=head,
            reports=len(reports),
            version=REPORTS_VERSION if reports else VERSION,
        )
        first_line = header.model_dump(mode="json")
        if not reports:  # as before reports travelled: a hub from then reads it
            del first_line["reports"]
        try:
            with (
                files.staged(output) as partial,
                partial.open("wb") as raw,
                gzip.GzipFile("", "wb", 9, raw, mtime=0) as packed,
            ):
                line = _line(first_line)
                mac.update(line)
                packed.write(line)
                for start in range(first, head.seq + 1, _CHUNK):
                    last = min(head.seq, start + _CHUNK - 1)
                    for record_type, values in rows_between(
                        session=session, first=start, last=last
                    ):
                        line = _line(record_payload(record_type, values))
                        mac.update(line)
                        packed.write(line)
                for report in reports:
                    line = _line({"report": report})
                    mac.update(line)
                    packed.write(line)
                packed.write(_line({"signature": _SIGNATURE_PREFIX + mac.hexdigest()}))
        except OSError as error:
            raise BundleError.of("bundle.write_failed", path=output, detail=error) from error
    return header


# ---------------------------------------------------------------------------------- hub side
#
# A bundle is read twice, as a stream both times, and never held whole: a stick may bring a
# file of any size, made by anyone.
#
# 1. `verify_bundle` decompresses it line by line, updating the HMAC as it goes. Framing is
#    refused at once: a line over MAX_LINE, an empty line, a line that is not a record (a JSON
#    object with an integer seq, an id and two hashes: a record line is never short), content
#    more than MAX_EXPANSION times the compressed bytes read (past EXPANSION_SLACK; daily
#    reports, alike from day to day, compress far better and are capped instead). That the
#    records follow each other as the header says (seq, prev_hash, count, chain head) is
#    checked from the same light parse, and told after the signature: an altered file is "not
#    signed", not "inconsistent". It keeps only the header, one SHA-256 per batch of lines
#    and the daily reports' lines (`{"report":` lines after the records, version 2): at most
#    MAX_REPORTS of them and MAX_REPORT_BYTES in all, refused at once past that. Once the
#    signature matches, their count is checked against the header and each report is parsed
#    and found to be of the bundle's checkpoint and lane (`bundle.inconsistent` otherwise),
#    so a bundle with a wrong report is refused before any record is stored.
# 2. `read_batches` reads the file again and hands its records over one batch at a time, each
#    batch parsed (`WireRecord`) only after its lines were found to be the very bytes whose
#    digest pass 1 took under the signature. A file changed on the stick between the passes
#    stops the import at the first batch that differs ("bundle.changed"): what was stored
#    before it was signed and checked. It skips the report lines (their bytes are in the
#    batch digests all the same); `reports` parses the lines pass 1 kept, one at a time.
#
# Memory is bounded by a batch (at most `batch_size` records and BATCH_BYTES + MAX_LINE bytes
# of lines) and the reports' lines (MAX_REPORT_BYTES), whatever the size of the file; time by
# the size of the file. A copy of the file (say in a temporary folder) would avoid the second
# read but not the bound on memory, and would double what a large bundle costs on a full disk.

MAX_EXPANSION: Final = 32
"""Most times a bundle's content may exceed the compressed bytes read so far. Records compress
about 7 times (each has an id and two hashes of random hex); a file that expands far more is a
decompression bomb, refused long before it is read to its end."""
EXPANSION_SLACK: Final = 1024 * 1024
"""Content read before `MAX_EXPANSION` is applied (a small bundle may compress oddly)."""
BATCH_BYTES: Final = 8 * 1024 * 1024
"""Most bytes of record lines handed over at once (with at most `batch_size` records)."""
MAX_REPORT_BYTES: Final = 32 * 1024 * 1024
"""Most bytes of daily report lines a bundle carries (a day's report is a few kilobytes, tens
with many fever cases; 400 days of them fit many times over). Pass 1 keeps these lines, so
they are capped, with their count (MAX_REPORTS), as they stream."""
_SIGNATURE_START: Final = b'{"signature":'
_REPORT_START: Final = b'{"report":'

Opener = Callable[[], IO[bytes]]
"""Opens the bundle file for reading from its start (each pass opens it anew)."""


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle whose signature matched (pass 1), ready to be read in batches (pass 2)."""

    header: BundleHeader
    header_digest: bytes
    """SHA-256 of the header line."""
    batch_digests: tuple[bytes, ...]
    """SHA-256 of each batch's record lines, in order, as the signature covered them."""
    batch_size: int
    batch_bytes: int
    report_lines: tuple[bytes, ...] = ()
    """The daily reports' lines, as signed, each checked (`reports` parses them again)."""


def _lines(stream: IO[bytes], path: object) -> Iterator[bytes]:
    """The bundle's lines, decompressed as they are read; `BundleError` for a file that is not
    whole gzip, a line over MAX_LINE bytes, or content expanding like a decompression bomb."""
    start = stream.read(len(_GZIP_HEADER))
    if start[:2] != _GZIP_HEADER[:2]:
        raise BundleError.of("bundle.not_a_bundle", path=path)
    if start != _GZIP_HEADER:
        raise BundleError.of("bundle.damaged", path=path, detail="an altered gzip header")
    stream.seek(0)
    expanded = 0
    try:
        with gzip.GzipFile(fileobj=stream, mode="rb") as unpacked:
            while True:
                # Reads at most MAX_LINE + 1 bytes: one endless line costs a megabyte.
                line = unpacked.readline(MAX_LINE + 1)
                if not line:
                    return
                if len(line) > MAX_LINE:
                    raise BundleError.of("bundle.line_too_long", path=path, limit=MAX_LINE)
                if not line.startswith(_REPORT_START):  # reports: capped in `verify_bundle`
                    expanded += len(line)
                if expanded > EXPANSION_SLACK and expanded > MAX_EXPANSION * stream.tell():
                    raise BundleError.of("bundle.expands_too_much", path=path, ratio=MAX_EXPANSION)
                yield line
    except EOFError:
        raise BundleError.of("bundle.truncated", path=path) from None
    except (zlib.error, OSError) as error:  # gzip.BadGzipFile is an OSError
        raise BundleError.of("bundle.damaged", path=path, detail=error) from None


def _header(line: bytes | None, path: object) -> BundleHeader:
    if line is None:
        raise BundleError.of("bundle.not_a_bundle", path=path)
    try:
        data = json.loads(line)
    except ValueError:
        raise BundleError.of("bundle.not_a_bundle", path=path) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BundleError.of("bundle.not_a_bundle", path=path)
    if data.get("version") not in VERSIONS:
        raise BundleError.of(
            "bundle.version", path=path, version=data.get("version"), supported=REPORTS_VERSION
        )
    try:
        return BundleHeader.model_validate(data)
    except pydantic.ValidationError as error:
        raise BundleError.of("bundle.inconsistent", path=path, detail=_first_error(error)) from None


def _first_error(error: pydantic.ValidationError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


class _Body:
    """The record lines after the header, up to the signature line (kept in `signature`)."""

    def __init__(self, lines: Iterator[bytes], path: object) -> None:
        self._lines = lines
        self._path = path
        self.signature: str | None = None

    def __iter__(self) -> Iterator[bytes]:
        for number, line in enumerate(self._lines, start=2):
            if self.signature is not None:
                raise BundleError.of(
                    "bundle.damaged", path=self._path, detail="data after the signature"
                )
            if line.startswith(_SIGNATURE_START):
                try:
                    self.signature = str(json.loads(line)["signature"])
                except (ValueError, KeyError, TypeError):
                    raise BundleError.of(
                        "bundle.damaged", path=self._path, detail="an unreadable signature line"
                    ) from None
                continue
            if line.isspace():  # no exporter writes one; a file of them is refused at once
                raise BundleError.of("bundle.empty_line", path=self._path, line=number)
            yield line


def _batched(lines: Iterable[bytes], size: int, max_bytes: int) -> Iterator[list[bytes]]:
    """`lines` in batches of at most `size` lines, each ending once it holds `max_bytes`."""
    batch: list[bytes] = []
    held = 0
    for line in lines:
        batch.append(line)
        held += len(line)
        if len(batch) >= size or held >= max_bytes:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


class _Sequence:
    """Whether the record lines are records (at once) and follow each other as the header says
    (the first problem is kept, and told once the signature is known to match: a forger's file
    is "not signed", whatever else is wrong with it), from a light parse of each line."""

    def __init__(self, header: BundleHeader, path: object) -> None:
        self.header = header
        self.path = path
        self.count = 0
        self.last_seq = header.first_seq - 1
        self.last_hash = ""
        self.problem: str | None = None

    def add(self, line: bytes, *, after_reports: bool = False) -> None:
        self.count += 1
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError:
            data = None
        if not (
            isinstance(data, dict)
            and type(seq := data.get("seq")) is int
            and _sized(data.get("id"), 32)
            and _sized(data.get("prev_hash"), 64)
            and _sized(hash_ := data.get("hash"), 64)
        ):
            raise BundleError.of("bundle.not_a_record", path=self.path, line=self.count + 1)
        if self.problem is not None:
            return
        if after_reports:
            self.problem = f"record {self.count} comes after the daily reports"
            return
        expected = self.header.first_seq + self.count - 1
        if seq != expected:
            self.problem = f"record {self.count} has seq {seq}, not {expected}"
        elif self.count > 1 and data["prev_hash"] != self.last_hash:
            self.problem = f"record {seq} does not follow record {seq - 1}"
        else:
            self.last_seq, self.last_hash = seq, str(hash_)

    def verdict(self) -> str | None:
        header = self.header
        if self.count != header.records:
            return f"{self.count} records, the header says {header.records}"
        if self.problem is not None:
            return self.problem
        if self.count and self.last_seq != header.last_seq:
            return f"the records end at {self.last_seq}, not {header.last_seq}"
        head = header.chain_head
        if self.count and head.seq == header.last_seq and self.last_hash != head.hash:
            return "the last record is not the chain head the header names"
        return None


def _sized(value: object, length: int) -> bool:
    """Whether `value` is text of `length` characters (its digits are checked in pass 2)."""
    return isinstance(value, str) and len(value) == length


def verify_bundle(
    open_bundle: Opener,
    key_for: Callable[[str], bytes],
    *,
    path: object = "the bundle",
    batch_size: int = 2000,
    batch_bytes: int = BATCH_BYTES,
) -> VerifiedBundle:
    """Pass 1: the bundle's signature and sequence checked as it streams, nothing kept but its
    header and a digest per batch; `BundleError` with the reason when it is refused.

    `key_for(checkpoint_id)` gives the signing key of the checkpoint named in the header (or
    raises `BundleError`: not enrolled, revoked). Checked: the gzip stream is whole, the
    signature matches every byte before it, the records are exactly the header's range, each
    one links to the one before (`prev_hash`), and the last one is the chain head when the
    bundle reaches it. Each record's own hash is checked by ingest.
    """
    size = max(1, batch_size)
    with open_bundle() as stream:
        lines = _lines(stream, path)
        first = next(lines, None)
        header = _header(first, path)
        assert first is not None
        mac = hmac.new(key_for(header.checkpoint_id), first, hashlib.sha256)
        body = _Body(lines, path)
        sequence = _Sequence(header, path)
        digests: list[bytes] = []
        report_lines: list[bytes] = []
        report_bytes = 0
        for batch in _batched(body, size, batch_bytes):
            digest = hashlib.sha256()
            for line in batch:
                mac.update(line)
                digest.update(line)
                if line.startswith(_REPORT_START):
                    report_bytes += len(line)
                    if len(report_lines) >= MAX_REPORTS or report_bytes > MAX_REPORT_BYTES:
                        raise BundleError.of(
                            "bundle.too_many_reports",
                            path=path,
                            count=MAX_REPORTS,
                            megabytes=MAX_REPORT_BYTES // (1024 * 1024),
                        )
                    report_lines.append(line)
                else:
                    sequence.add(line, after_reports=bool(report_lines))
            digests.append(digest.digest())
    if body.signature is None:
        raise BundleError.of("bundle.truncated", path=path)
    expected = _SIGNATURE_PREFIX + mac.hexdigest()
    if not hmac.compare_digest(body.signature.encode(), expected.encode()):
        raise BundleError.of("bundle.bad_signature", path=path, checkpoint=header.checkpoint_id)
    problem = sequence.verdict()
    if problem is not None:
        raise BundleError.of("bundle.inconsistent", path=path, detail=problem)
    if len(report_lines) != header.reports:
        raise BundleError.of(
            "bundle.inconsistent",
            path=path,
            detail=f"{len(report_lines)} reports, the header says {header.reports}",
        )
    for position, line in enumerate(report_lines, start=1):
        _report(header, line, position, path)  # each checked now, parsed again when imported
    return VerifiedBundle(
        header=header,
        header_digest=hashlib.sha256(first).digest(),
        batch_digests=tuple(digests),
        batch_size=size,
        batch_bytes=batch_bytes,
        report_lines=tuple(report_lines),
    )


def read_batches(
    open_bundle: Opener, verified: VerifiedBundle, *, path: object = "the bundle"
) -> Iterator[list[WireRecord]]:
    """Pass 2: the records of a bundle `verify_bundle` accepted, a batch at a time, each batch
    only once its bytes are those that were verified (`bundle.changed` otherwise)."""

    def changed() -> BundleError:
        return BundleError.of("bundle.changed", path=path)

    with open_bundle() as stream:
        lines = _lines(stream, path)
        first = next(lines, None)
        if first is None or hashlib.sha256(first).digest() != verified.header_digest:
            raise changed()
        position = done = 0
        for batch in _batched(_Body(lines, path), verified.batch_size, verified.batch_bytes):
            digest = hashlib.sha256()
            for line in batch:
                digest.update(line)
            if done >= len(verified.batch_digests) or (
                digest.digest() != verified.batch_digests[done]
            ):
                raise changed()
            done += 1
            records: list[WireRecord] = []
            for line in batch:
                if line.startswith(_REPORT_START):  # held from pass 1: `reports`
                    continue
                position += 1
                try:
                    records.append(WireRecord.model_validate_json(line))
                except pydantic.ValidationError as error:
                    raise BundleError.of(
                        "bundle.bad_record",
                        path=path,
                        position=position,
                        detail=_first_error(error),
                    ) from None
            yield records
        if done != len(verified.batch_digests):
            raise changed()


def reports(verified: VerifiedBundle, *, path: object = "the bundle") -> Iterator[DayReport]:
    """The daily reports of a bundle `verify_bundle` accepted, parsed one at a time from the
    lines it kept (signed, and each already found to be of the bundle's checkpoint and lane)."""
    for position, line in enumerate(verified.report_lines, start=1):
        yield _report(verified.header, line, position, path)


def _report(header: BundleHeader, line: bytes, position: int, path: object) -> DayReport:
    """The daily report on `line` (the `position`th), which must be of the bundle's checkpoint
    and its lane; `BundleError` otherwise."""
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or set(data) != {"report"}:
            raise ValueError("not a report line")
        report = DayReport.model_validate(data["report"])
    except (ValueError, pydantic.ValidationError) as error:
        detail = _first_error(error) if isinstance(error, pydantic.ValidationError) else str(error)
        raise BundleError.of(
            "bundle.inconsistent", path=path, detail=f"report {position}: {detail}"
        ) from None
    lane_id, _ = lane_of(report.model_dump(mode="json"))
    if report.checkpoint.code != header.checkpoint_id or lane_id != header.lane_id:
        raise BundleError.of(
            "bundle.inconsistent",
            path=path,
            detail=f"report {position} is of {report.checkpoint.code}, lane "
            f"{lane_id or '-'}, not of the bundle's {header.checkpoint_id}, lane "
            f"{header.lane_id or '-'}",
        )
    return report
