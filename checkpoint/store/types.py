"""Column types that keep values as the domain wants them after a round trip through SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles

E = TypeVar("E", bound=StrEnum)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored as UTC text; naive datetimes are refused, never guessed."""

    impl = sa.String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store times as aware UTC datetimes")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        parsed = datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class EnumText(sa.types.TypeDecorator[E]):
    """A StrEnum stored as its value (not its name, as `sa.Enum` would), read back as the enum.

    Values are what travels to the hub and into the hash chain, so they must be stable text.
    """

    impl = sa.String(40)
    cache_ok = True

    def __init__(self, enum_class: type[E]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_class(value)

    def __repr__(self) -> str:
        # Alembic renders column types with repr(); migrations store plain strings.
        return "sa.String(length=40)"


class JSONText(sa.JSON):
    """JSON kept as text in SQLite (a column declared TEXT, not JSON).

    A column declared JSON has SQLite's NUMERIC affinity: the JSON text of a number ("37.3",
    "37.0") is stored as the number itself (37.3, or the integer 37), so what is read back is
    no longer what was hashed into the chain, and 37.0 is not even the same JSON. TEXT affinity
    keeps the text exactly as written; reading and writing are JSON's as before.
    """

    cache_ok = True


@compiles(JSONText)
def _json_text_ddl(_type: JSONText, _compiler: Any, **_kw: Any) -> str:
    return "TEXT"
