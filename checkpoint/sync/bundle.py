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
signature catches the rest. A bundle is checked as a whole before any record is stored.

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final, Literal

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


@dataclass(frozen=True)
class Bundle:
    """A bundle whose signature and content have been checked."""

    header: BundleHeader
    records: list[WireRecord]
    reports: list[DayReport] = dataclass_field(default_factory=list)
    """Its daily reports, each of its checkpoint and lane."""


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


def _lines(stream: IO[bytes], path: object) -> Iterator[bytes]:
    """The bundle's lines, decompressed; `BundleError` for a file that is not whole gzip."""
    start = stream.read(len(_GZIP_HEADER))
    if start[:2] != _GZIP_HEADER[:2]:
        raise BundleError.of("bundle.not_a_bundle", path=path)
    if start != _GZIP_HEADER:
        raise BundleError.of("bundle.damaged", path=path, detail="an altered gzip header")
    stream.seek(0)
    try:
        with gzip.GzipFile(fileobj=stream, mode="rb") as unpacked:
            while True:
                line = unpacked.readline(MAX_LINE + 1)
                if not line:
                    return
                if len(line) > MAX_LINE:
                    raise BundleError.of(
                        "bundle.damaged", path=path, detail=f"a line over {MAX_LINE} bytes"
                    )
                yield line
    except EOFError:
        raise BundleError.of("bundle.truncated", path=path) from None
    except (zlib.error, OSError) as error:  # gzip.BadGzipFile is an OSError
        raise BundleError.of("bundle.damaged", path=path, detail=error) from None


def _header(line: bytes, path: object) -> BundleHeader:
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


def read_bundle(
    stream: IO[bytes], key_for: Callable[[str], bytes], *, path: object = "the bundle"
) -> Bundle:
    """The checked content of a bundle read from `stream`, or `BundleError` with the reason.

    `key_for(checkpoint_id)` gives the signing key of the checkpoint named in the header (or
    raises `BundleError`: not enrolled, revoked). Checked before anything is returned: the
    gzip stream is whole, the signature matches every byte before it, the records are exactly
    the header's range, each one links to the one before (`prev_hash`), and the last one is
    the chain head when the bundle reaches it. Each record's own hash is checked by ingest.
    """
    lines = _lines(stream, path)
    first = next(lines, None)
    if first is None:
        raise BundleError.of("bundle.not_a_bundle", path=path)
    header = _header(first, path)
    mac = hmac.new(key_for(header.checkpoint_id), first, hashlib.sha256)
    body: list[bytes] = []
    signature: str | None = None
    for line in lines:
        if signature is not None:
            raise BundleError.of("bundle.damaged", path=path, detail="data after the signature")
        if line.startswith(b'{"signature":'):
            try:
                signature = str(json.loads(line)["signature"])
            except (ValueError, KeyError, TypeError):
                raise BundleError.of(
                    "bundle.damaged", path=path, detail="an unreadable signature line"
                ) from None
            continue
        mac.update(line)
        body.append(line)
    if signature is None:
        raise BundleError.of("bundle.truncated", path=path)
    expected = _SIGNATURE_PREFIX + mac.hexdigest()
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise BundleError.of("bundle.bad_signature", path=path, checkpoint=header.checkpoint_id)
    if len(body) < header.reports:
        raise BundleError.of(
            "bundle.inconsistent",
            path=path,
            detail=f"{len(body)} lines, the header says {header.reports} reports",
        )
    split = len(body) - header.reports
    return Bundle(
        header=header,
        records=_records(header, body[:split], path),
        reports=_reports(header, body[split:], path),
    )


def _records(header: BundleHeader, body: list[bytes], path: object) -> list[WireRecord]:
    def inconsistent(detail: str) -> BundleError:
        return BundleError.of("bundle.inconsistent", path=path, detail=detail)

    if len(body) != header.records:
        raise inconsistent(f"{len(body)} records, the header says {header.records}")
    records: list[WireRecord] = []
    for position, line in enumerate(body):
        try:
            record = WireRecord.model_validate_json(line)
        except pydantic.ValidationError as error:
            raise inconsistent(f"record {position + 1}: {_first_error(error)}") from None
        expected_seq = header.first_seq + position
        if record.seq != expected_seq:
            raise inconsistent(f"record {position + 1} has seq {record.seq}, not {expected_seq}")
        if records and record.prev_hash != records[-1].hash:
            raise inconsistent(f"record {record.seq} does not follow record {record.seq - 1}")
        records.append(record)
    if records and records[-1].seq != header.last_seq:
        raise inconsistent(f"the records end at {records[-1].seq}, not {header.last_seq}")
    head = header.chain_head
    if records and head.seq == header.last_seq and records[-1].hash != head.hash:
        raise inconsistent("the last record is not the chain head the header names")
    return records


def _reports(header: BundleHeader, lines: list[bytes], path: object) -> list[DayReport]:
    """The bundle's daily reports, each of its checkpoint and its lane."""
    found: list[DayReport] = []
    for position, line in enumerate(lines, start=1):
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or set(data) != {"report"}:
                raise ValueError("not a report line")
            report = DayReport.model_validate(data["report"])
        except (ValueError, pydantic.ValidationError) as error:
            detail = (
                _first_error(error) if isinstance(error, pydantic.ValidationError) else str(error)
            )
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
        found.append(report)
    return found
