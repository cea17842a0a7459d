"""One canonical form for stored values: what the hash chain covers and amendments carry.

`encode` turns a column value into plain JSON data the same way whether the value was just
made in Python or read back from SQLite; `decode` turns such data back into the column's type.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa

from checkpoint.store.types import EnumText, UTCDateTime


def encode(value: Any) -> Any:
    """Plain JSON data for `value`: UUIDs as hex, times as UTC ISO text, enums as values."""
    if isinstance(value, Enum):
        return encode(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be stored: only finite numbers are")
        return value
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return UTCDateTime().process_bind_param(value, sa.engine.default.DefaultDialect())
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [encode(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, set | frozenset) else items
    raise TypeError(f"no canonical form for {type(value).__name__}: {value!r}")


def encode_column(column: sa.Column[Any], value: Any) -> Any:
    """`encode`, after coercing numbers to the column's type as SQLite would return them.

    37 typed into a float column comes back as 37.0; the canonical form must not depend on
    which of the two the caller passed.
    """
    if value is not None:
        column_type = column.type
        if isinstance(column_type, sa.Float):
            value = float(value)
        elif isinstance(column_type, sa.Boolean):
            value = bool(value)
        elif isinstance(column_type, sa.Integer):
            value = int(value)
    return encode(value)


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# One encoder for every call: json.dumps builds a new one whenever options are given, which
# cost more than the encoding of a row (every record appended, verified or synced is hashed).


def canonical_json(data: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, non-ASCII kept as is."""
    return _CANONICAL.encode(data)


def decode(column: sa.Column[Any], data: Any) -> Any:
    """The Python value of `column`'s type for JSON `data` made by `encode`."""
    if data is None:
        return None
    column_type = column.type
    if isinstance(column_type, EnumText):
        return column_type.enum_class(data)
    if isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(data)
    if isinstance(column_type, sa.Uuid):
        return uuid.UUID(hex=data)
    if isinstance(column_type, sa.Date):
        return date.fromisoformat(data)
    if isinstance(column_type, sa.Float):
        return float(data)
    return data
