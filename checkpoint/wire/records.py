"""What travels between a checkpoint and its hub: batches of log records and per-record receipts.

A record travels as the local log stores it: the driver values SQLite gives back (UUIDs as hex,
times as UTC ISO text, enums as their values, booleans as 0/1, JSON columns as their JSON text
in the form the chain hashes, `chain.hashed_json`: the log stores it as UTF-8, it travels as
`json.dumps` writes it, as it always did), keyed by column name, with its chain columns (`seq`,
`created_at`, `prev_hash`, `hash`, `personal_digest`). The hub recomputes the hash from exactly
these values with `chain.row_hash`, so a record altered in transit, or made up without the log's
content, is rejected. The hub keeps the JSON columns as JSON (`hub_body`), not as text inside
a string, and turns them back into text to forward them (`wire_body`).

What leaves the laptop (PIPL: collect and pass on the minimum)
---------------------------------------------------------------
- The personal fields of each table (`PERSONAL_FIELDS`: a person's name, document number,
  phone, route, train/flight number, destination and reason for travel) never travel. Their
  SHA-256 `personal_digest` does: the chain covers the digest, so the hub can still check every
  record's hash, and a later retention purge on the laptop changes nothing the hub holds. The
  county sees counts, origins, health codes, symptoms, risk-area and contact flags,
  dispositions, plates and staff names (who screened is accountability, not a traveller's data);
  whoever needs a traveller's identity for a referral calls the checkpoint, where it is kept.
  The digest is unsalted: someone who already knows all of a person's fields can confirm them,
  which is why it covers the fields together and is never shown.
- An amendment's `new_value` is personal only when the field it corrects is: a corrected plate,
  origin or disposition travels (the county's counts depend on it), a corrected name or phone
  does not. When it travels, the hub checks it against the amendment's digest. Once purged on
  the laptop it no longer travels at all.
- The hub refuses personal values it should never receive, so a client that sends them (an old
  or modified one) is told so, record by record.

Bodies are JSON, gzip-compressed (`Content-Encoding: gzip`; identity is accepted too).
"""

from __future__ import annotations

import gzip
import json
import math
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Final, NamedTuple

import orjson
import sqlalchemy as sa
from pydantic import AllowInfNan, BaseModel, ConfigDict, Field, Strict, StringConstraints

from checkpoint.store.chain import (
    column_names,
    hashed_json,
    hashed_names,
    hashed_values,
    personal_digest,
    text_hash,
    values_hash,
)
from checkpoint.store.models import LOG_TABLES, Amendment, LogRecord

PROTOCOL_VERSION: Final = 1
CONTENT_ENCODING: Final = "gzip"

_CHAIN_COLUMNS: Final = ("id", "seq", "created_at", "prev_hash", "hash", "personal_digest")
_LOCAL_ONLY: Final = frozenset({"purged_at"})
"""Columns that describe the local copy only: when the laptop purged its personal fields."""

TABLES: Final[Mapping[str, type[LogRecord]]] = {str(t.__tablename__): t for t in LOG_TABLES}
"""Every table that travels, by its name in the local log."""

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
"""SQLite's integers (and PostgreSQL's BIGINT): a larger one cannot come from a log."""

FiniteScalar = Annotated[
    Annotated[str, Strict()]
    | Annotated[int, Strict(), Field(ge=INT64_MIN, le=INT64_MAX)]
    | Annotated[float, Strict(), AllowInfNan(False)]
    | None,
    # The first kind that fits, in this order: what the smart mode gives too (an integer is
    # an int before it is a float), without trying every kind for every value (a fifth of the
    # time a batch takes to validate).
    Field(union_mode="left_to_right"),
]
"""A stored driver value: text, integer or finite float (booleans are 0/1), or null."""
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Hex32 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
CheckpointCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
LaneId = Annotated[
    str,
    StringConstraints(pattern=r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$"),
]
"""A lane's UUID (canonical text); empty: the legacy lane, of a sender from before lanes."""


class WireRecord(BaseModel):
    """One row of the local log as stored, ready to be checked against its hash by the hub."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    table: str = Field(max_length=40)
    """Name of the table in the local log, e.g. "person", "reading", "amendment"."""
    id: Hex32
    """The record's UUID as 32 hex digits; unique across all checkpoints."""
    seq: int = Field(ge=1, le=INT64_MAX)
    """Position in the checkpoint's local log; batches are ordered by it."""
    created_at: str = Field(max_length=40)
    prev_hash: Hex64
    hash: Hex64
    personal_digest: Hex64 | None = None
    """SHA-256 of the personal fields (tables with personal fields only); they stay local."""
    values: dict[str, FiniteScalar]
    """Every other column the hash covers, by name, as stored."""
    personal: dict[str, FiniteScalar] | None = None
    """Personal columns that may travel (an amendment of a non-personal field), else null."""


class Batch(BaseModel):
    """Records of one checkpoint, in increasing `seq`."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    protocol: int = Field(PROTOCOL_VERSION, ge=1, le=PROTOCOL_VERSION)
    checkpoint_id: CheckpointCode
    """The checkpoint's code (`[checkpoint] id`), which its token was enrolled for."""
    lane_id: LaneId = ""
    """The lane (log) of the checkpoint the records are from: each lane has its own seqs."""
    records: list[WireRecord] = Field(max_length=20_000)


class ReceiptStatus(StrEnum):
    """What the hub did with one record."""

    STORED = "stored"
    """Held by the hub from now on (committed before the answer was sent)."""
    DUPLICATE = "duplicate"
    """The hub already held this exact record; nothing changed."""
    REJECTED = "rejected"
    """Not stored; `reason` says why. The hub never overwrites a record it holds."""


class Receipt(BaseModel):
    """The hub's answer for one record of a batch."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    id: str
    seq: int
    status: ReceiptStatus
    reason: str | None = None
    """Why the record was rejected; null otherwise."""


class BatchReceipts(BaseModel):
    """Receipts for every record of a batch, in the batch's order."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    checkpoint_id: str
    receipts: list[Receipt]


class CheckpointStatus(BaseModel):
    """What the hub holds from the authenticated checkpoint."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    checkpoint_id: str
    records: int
    """How many of its records the hub holds."""
    max_seq: int
    """The highest `seq` among them (0 for none)."""
    held_back: int = 0
    """Records its lanes said they hold back (`HeldBackStatement`): not lost, not sent."""


class HeldBackRecord(BaseModel):
    """A record a lane holds back: it could not be sent (refused by a hub or by the wire), so
    its seq is a gap at the hub that is known, not a loss."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    id: Hex32
    seq: int = Field(ge=1, le=INT64_MAX)
    table: str = Field(max_length=40)
    reason: str = Field(max_length=2000)
    """Why, in English."""


class HeldBackStatement(BaseModel):
    """Every record one lane of a checkpoint holds back from the hub it tells, now (the whole
    list each time: one no longer in it went, or was never held back)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    lane_id: LaneId = ""
    records: list[HeldBackRecord] = Field(max_length=20_000)


# ---------------------------------------------------------------------------- checkpoint side


@cache
def _layout(
    record_type: type[LogRecord],
) -> tuple[tuple[str, ...], tuple[int, ...], frozenset[str]]:
    names = column_names(record_type)
    personal = frozenset(record_type.PERSONAL_FIELDS)
    content = tuple(
        i
        for i, name in enumerate(names)
        if name not in _CHAIN_COLUMNS and name not in personal and name not in _LOCAL_ONLY
    )
    return names, content, personal


@cache
def _table_name(record_type: type[LogRecord]) -> str:
    # `__tablename__` is a declared attribute: reading it costs more than a dict lookup.
    return str(record_type.__tablename__)


def _personal_target(table: Any, field: Any) -> bool:
    """Whether an amendment of `table.field` carries personal data (unknown targets do)."""
    target = TABLES.get(str(table))
    return target is None or field in target.PERSONAL_FIELDS


@cache
def _positions(record_type: type[LogRecord]) -> tuple[int, int, int, int, int, int | None]:
    """Where `id`, `seq`, `created_at`, `prev_hash`, `hash` and `personal_digest` (None for a
    table without one) are in a raw row."""
    names = column_names(record_type)
    at = names.index
    digest = at("personal_digest") if "personal_digest" in names else None
    return at("id"), at("seq"), at("created_at"), at("prev_hash"), at("hash"), digest


@cache
def _content_pairs(record_type: type[LogRecord]) -> tuple[tuple[str, int], ...]:
    """(name, position) of the columns a record carries in its `values`."""
    names, content, _ = _layout(record_type)
    return tuple((names[i], i) for i in content)


def record_payload(record_type: type[LogRecord], row: Sequence[Any]) -> dict[str, Any]:
    """The wire form (a `WireRecord` as plain data) of a raw row in `column_names` order."""
    # Positions prepared once per table: a sync builds this for every record of the log.
    at_id, at_seq, at_created, at_prev, at_hash, at_digest = _positions(record_type)
    if len(row) != len(column_names(record_type)):
        raise ValueError(f"a {_table_name(record_type)} row has {len(row)} values")
    payload: dict[str, Any] = {
        "table": _table_name(record_type),
        "id": row[at_id],
        "seq": row[at_seq],
        "created_at": row[at_created],
        "prev_hash": row[at_prev],
        "hash": row[at_hash],
        "personal_digest": None if at_digest is None else row[at_digest],
        "values": {name: row[i] for name, i in _content_pairs(record_type)},
        "personal": None,
    }
    for name in _json_names(record_type):
        if name in payload["values"]:
            payload["values"][name] = hashed_json(payload["values"][name])
    if record_type is Amendment:
        names, _, personal = _layout(record_type)
        value = dict(zip(names, row, strict=True))
        if value["purged_at"] is None and not _personal_target(
            value["target_table"], value["field"]
        ):
            payload["personal"] = {name: hashed_json(value[name]) for name in sorted(personal)}
    return payload


@cache
def _json_names(record_type: type[LogRecord]) -> frozenset[str]:
    """The table's JSON columns (their values travel as JSON text)."""
    table: Any = record_type.__table__  # type: ignore[attr-defined]
    return frozenset(c.name for c in table.columns if isinstance(c.type, sa.JSON))


JSON_PARSED: Final = "json_parsed"
"""Key of a hub body whose JSON columns are held as JSON (bodies stored before it hold text)."""


def hub_body(record: WireRecord) -> dict[str, Any]:
    """How the hub holds `record`: its wire form with the JSON columns as JSON values (a
    county's query reads `body->'values'->'symptoms'` as a list, and 王芳 as 王芳). Only for a
    record `check_record` accepted: its JSON columns hold JSON text."""
    body = dict(record.__dict__)
    json_names = _json_names(TABLES[record.table])
    for part in ("values", "personal"):
        found = body[part]
        if found and not json_names.isdisjoint(found):
            body[part] = {
                name: json.loads(value) if name in json_names else value
                for name, value in found.items()
            }
    body[JSON_PARSED] = True
    return body


def wire_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """A body as the hub holds it back in its wire form (to forward it to a parent hub)."""
    wire = dict(body)
    if not wire.pop(JSON_PARSED, False):
        return wire  # held as it came, before the hub held JSON as JSON
    record_type = TABLES[str(wire["table"])]
    for part in ("values", "personal"):
        found = wire.get(part)
        if found:
            wire[part] = {
                name: _HASHED_JSON.encode(value) if name in _json_names(record_type) else value
                for name, value in found.items()
            }
    return wire


_HASHED_JSON = json.JSONEncoder()  # the text `chain.hashed_json` gives


def encode_batch(
    checkpoint_id: str, records: Sequence[Mapping[str, Any]], level: int = 1, *, lane_id: str = ""
) -> bytes:
    """The gzip-compressed JSON body of a batch.

    JSON by orjson: compact, UTF-8 without ASCII escapes, the same values as `json.dumps`
    in a fraction of the time (the laptop encodes every record of its log this way). Unlike
    `json.dumps(allow_nan=False)` it writes a non-finite float as null instead of failing; the
    log holds none, and such a record would reach the hub altered and be rejected there by
    its hash. Level 1: records compress about as well as at 6 (the same keys on every line)
    in a fraction of the time, which the laptop spends while the lane may be saving."""
    body = _batch_head(checkpoint_id, lane_id) | {"records": records}
    try:
        text = orjson.dumps(body)
    except orjson.JSONEncodeError:  # an integer past 64 bits (made up: no log holds one)
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    return gzip.compress(text, compresslevel=level, mtime=0)


class Unsendable(NamedTuple):
    """A log record the wire cannot carry as it is stored (`wire_refusal`): held back at the
    laptop, never sent altered."""

    record_id: str
    seq: int
    table: str
    column: str
    """The column at fault ("" when the record as a whole cannot be written as JSON)."""
    why: str
    """"not_finite" (an infinite float, which JSON cannot hold and which would travel as
    null, altered) or "not_unicode" (text that is not valid Unicode)."""


def wire_refusal(payload: Mapping[str, Any]) -> tuple[str, str] | None:
    """(column, why) when the record `payload` (`record_payload`) holds a value the wire
    cannot carry as stored, else None: the local check before sending, so that such a record
    is held back with its reason instead of reaching the hub altered (and refused there as
    "altered or forged")."""
    for part in ("values", "personal"):
        found = payload.get(part)
        if not found:
            continue
        for name, value in found.items():
            # A NaN is never stored (SQLite keeps it as NULL); an infinity is.
            if value.__class__ is float and not math.isfinite(value):
                return str(name), "not_finite"
    return None


class EncodedRows(NamedTuple):
    """A batch of log rows ready to send (`encode_log_rows`)."""

    sent: list[tuple[str, int]]
    """The id and seq of each record, in the batch's order."""
    tables: list[str]
    """The table of each record, in the same order."""
    body: bytes
    """The compressed body: `encode_batch` of the records' `record_payload`s, byte for byte."""
    refused: tuple[Unsendable, ...] = ()
    """Records of the rows left out of the batch: the wire cannot carry them as stored."""


_CHUNK: Final = 200
"""Wire forms written at once by `encode_log_rows`: fewer than the garbage collector's first
threshold (700), so most are gone before it looks."""


def _batch_head(checkpoint_id: str, lane_id: str) -> dict[str, Any]:
    # The lane only when there is one: a batch of the legacy lane reads as before lanes.
    head: dict[str, Any] = {"protocol": PROTOCOL_VERSION, "checkpoint_id": checkpoint_id}
    if lane_id:
        head["lane_id"] = lane_id
    return head


def encode_log_rows(
    checkpoint_id: str,
    rows: Iterable[tuple[type[LogRecord], Sequence[Any]]],
    level: int = 1,
    *,
    lane_id: str = "",
) -> EncodedRows:
    """A batch of raw log rows (`rows_between`) encoded as `encode_batch` would encode their
    wire forms, with the id, seq and table of each record; the rows the wire cannot carry as
    stored (`wire_refusal`) are left out and listed in `refused`.

    The wire forms are written a chunk at a time and dropped: kept for the whole batch, the
    collector's passes moved thousands of them to its oldest generation with every batch, and
    its full passes over the program's objects cost the laptop more than the encoding itself.
    """
    sent: list[tuple[str, int]] = []
    tables: list[str] = []
    parts: list[bytes] = []
    chunk: list[dict[str, Any]] = []
    refused: list[Unsendable] = []

    def write(chunk: list[dict[str, Any]]) -> None:
        try:
            parts.append(orjson.dumps(chunk)[1:-1])  # the records without the list's brackets
            sent.extend((payload["id"], payload["seq"]) for payload in chunk)
            tables.extend(payload["table"] for payload in chunk)
        except orjson.JSONEncodeError:  # text that is not valid Unicode: find which record
            if len(chunk) > 1:
                for payload in chunk:
                    write([payload])
                return
            payload = chunk[0]
            refused.append(
                Unsendable(payload["id"], payload["seq"], payload["table"], "", "not_unicode")
            )

    for record_type, row in rows:
        payload = record_payload(record_type, row)
        fault = wire_refusal(payload)
        if fault is not None:
            write(chunk)
            chunk = []
            refused.append(Unsendable(payload["id"], payload["seq"], payload["table"], *fault))
            continue
        chunk.append(payload)
        if len(chunk) == _CHUNK:
            write(chunk)
            chunk = []
    if chunk:
        write(chunk)
    parts = [part for part in parts if part]
    # The batch with no record ends in `[]}`: its records go between the brackets.
    empty = orjson.dumps(_batch_head(checkpoint_id, lane_id) | {"records": []})
    text = empty[:-2] + b",".join(parts) + empty[-2:]
    body = gzip.compress(text, compresslevel=level, mtime=0)
    return EncodedRows(sent, tables, body, tuple(refused))


# ---------------------------------------------------------------------------------- hub side


class BodyTooLargeError(ValueError):
    """A request body over the hub's limit, compressed or not."""


def decompress(data: bytes, encoding: str, limit: int) -> bytes:
    """`data` decoded from its Content-Encoding, refusing more than `limit` bytes of output.

    ValueError with the reason for an unknown encoding or a damaged stream; `BodyTooLargeError` when
    the output would exceed `limit` (a small compressed body can expand enormously).
    """
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        if len(data) > limit:
            raise BodyTooLargeError(f"the body is {len(data)} bytes; the limit is {limit}")
        return data
    if encoding != "gzip":
        raise ValueError(f"Content-Encoding {encoding!r} is not supported; use gzip or identity")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise ValueError(f"the body is not valid gzip: {error}") from None
    if len(out) > limit:
        raise BodyTooLargeError(
            f"the body expands to more than {limit} bytes; the limit is {limit}"
        )
    if not inflater.eof:
        raise ValueError("the gzip body is truncated")
    if inflater.unused_data:
        raise ValueError("the gzip body has trailing data after its end")
    return out


_BAD_NAME = re.compile(r"[^a-z0-9_]")


def _names(keys: Any) -> str:
    return ", ".join(sorted(_BAD_NAME.sub("?", str(k))[:40] for k in keys)[:10])


def check_record(record: WireRecord) -> str | None:
    """Why the hub must refuse `record`, or None when its content matches its hash.

    Checks the table and its columns, that no personal value travels that should not, the
    personal digest against any personal values sent, and the hash against the content.
    """
    try:
        return _refusal(record)
    except UnicodeEncodeError:  # JSON may escape half a surrogate pair ("\ud800"): no log has it
        return "a text value is not valid Unicode (a lone surrogate)"


def _refusal(record: WireRecord) -> str | None:
    record_type = TABLES.get(record.table)
    if record_type is None:
        return f"unknown table {_names([record.table])!r} (is the hub older than the checkpoint?)"
    names, _, personal = _layout(record_type)
    expected = _content_names(record_type)
    if record.values.keys() != expected:
        missing, extra = expected - record.values.keys(), record.values.keys() - expected
        if extra & personal:
            return f"personal fields must not be sent: {_names(extra & personal)}"
        parts = [f"missing columns: {_names(missing)}"] if missing else []
        parts += [f"unknown columns: {_names(extra)}"] if extra else []
        return f"{record.table}: " + "; ".join(parts)
    if personal and record.personal_digest is None:
        return f"{record.table} records carry a personal digest"
    if not personal and record.personal_digest is not None:
        return f"{record.table} records have no personal digest"
    if record.personal is not None:
        if record_type is not Amendment or _personal_target(
            record.values.get("target_table"), record.values.get("field")
        ):
            return f"personal fields must not be sent: {_names(record.personal.keys())}"
        if record.personal.keys() != personal:
            return f"personal values must be sent all together: {_names(personal)}"
        for name in _json_names(record_type) & record.personal.keys():
            if not _is_json(record.personal[name]):
                return f"{record.table}.{_names([name])} {_NOT_JSON_TEXT}"
        row: list[Any] = [None] * len(names)
        for i, name in enumerate(names):
            if name in record.personal:
                row[i] = record.personal[name]
        if personal_digest(record_type, row) != record.personal_digest:
            return "the personal values do not match the record's personal digest"
    # The hashed columns are the record's values and its chain columns (no personal one, no
    # hash): `values_hash` over them is `row_hash` over the full row, without building it.
    stored = dict(record.values)
    for name in _hashed_chain(record_type):
        stored[name] = getattr(record, name)
    for name in _json_names(record_type) & stored.keys():
        if not _is_json(stored[name]):
            return f"{record.table}.{_names([name])} {_NOT_JSON_TEXT}"
    hashed = hashed_values(record_type, [stored[name] for name in hashed_names(record_type)])
    if not _hash_matches(record_type, hashed, record.personal_digest, record.hash):
        return "the content does not match the record's hash (altered or forged)"
    return None


def _hash_matches(
    record_type: type[LogRecord], values: Sequence[Any], digest: str | None, expected: str
) -> bool:
    """Whether `values_hash` of `values` is `expected`; cheaply for nearly every record.

    The canonical JSON of the values (`json` module) cost the hub more than any other part of
    its check; orjson writes the same text for the values of a record (text, integers, null,
    floats but those below 1e-4: 1e-05 is 0.00001 to it) ten times as fast. Its text is hashed
    first and, only when that differs, the canonical one. A match of the first is as good as
    one of the second: equal texts are the JSON of equal values, whose canonical texts are
    equal too.
    """
    try:
        if text_hash(record_type, orjson.dumps(values), digest) == expected:
            return True
    except orjson.JSONEncodeError:  # what orjson cannot write, the json module judges
        pass
    return values_hash(record_type, values, digest) == expected


_NOT_JSON_TEXT: Final = (
    "is not JSON text as json.dumps writes it (\\u escapes, ', ' and ': ' separators)"
)


def _is_json(text: Any) -> bool:
    """Whether `text` is JSON text the log could have written (no NaN: the log holds none), in
    the form the chain hashes it (`chain.hashed_json`).

    ASCII text is hashed as it is, and the hub writes it anew when it forwards the record
    (`wire_body`): text in another form than `json.dumps` gives (`["a","b"]`) would be stored
    here and refused for good by the hub above, its hash no longer matching. Other text is
    hashed as `json.dumps` writes it anew, here and above alike."""
    if not isinstance(text, str):
        return False
    try:
        value = _JSON_DECODER.decode(text)
        return not text.isascii() or _HASHED_JSON.encode(value) == text
    except (ValueError, RecursionError):
        return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


_JSON_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
"""Made once: `json.loads` with an option makes a decoder at every call (most of its cost for
the short texts of a record's JSON columns)."""


@cache
def _content_names(record_type: type[LogRecord]) -> frozenset[str]:
    """The columns a record of `record_type` carries in its `values`."""
    names, content, _ = _layout(record_type)
    return frozenset(names[i] for i in content)


@cache
def _hashed_chain(record_type: type[LogRecord]) -> tuple[str, ...]:
    """The chain columns the row hash of `record_type` covers (`id`, `seq`, …)."""
    return tuple(name for name in _CHAIN_COLUMNS if name in hashed_names(record_type))
