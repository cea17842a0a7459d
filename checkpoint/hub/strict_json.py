"""A request body read as JSON the hub can use, or the reason it cannot: never a server error.

Python's `json` takes NaN, Infinity and 1e400 (a float that is infinite), the last of two
equal keys, and strings holding half a surrogate pair; none of them can come from a log or a
report, and each used to reach the hub's answer or its database and fail there (500). Deep
nesting (past 255 levels, or past the parser's recursion) is refused too.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

import orjson

TOO_DEEP: Final = (
    "the JSON is nested too deeply (nothing the hub takes nests more than a few levels)"
)


class UnusableJSONError(ValueError):
    """A body that is not JSON the hub can use; the message says why, in English."""


def _constant(name: str) -> Any:
    raise UnusableJSONError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnusableJSONError(f"the number {text[:40]} is out of range")
    return value


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise UnusableJSONError(f"the key {repeated[:40]!r} appears twice in one object")
    return found


def loads(body: bytes) -> Any:
    """`body` as JSON the hub can use; `UnusableJSONError` with the reason otherwise."""
    try:
        value = json.loads(
            body, parse_constant=_constant, parse_float=_finite, object_pairs_hook=_no_repeats
        )
    except UnusableJSONError:
        raise
    except UnicodeDecodeError:
        raise UnusableJSONError("the body is not UTF-8 text") from None
    except RecursionError:
        raise UnusableJSONError(TOO_DEEP) from None
    except ValueError as error:
        raise UnusableJSONError(f"the body is not JSON: {error}") from None
    try:
        # orjson refuses what no database or answer can hold: a lone surrogate, an integer past
        # 64 bits, nesting past 255 levels. Only for the bodies read this way (not a valid
        # batch, see app.py).
        orjson.dumps(value)
    except orjson.JSONEncodeError as error:
        text = str(error)
        if "surrogate" in text:
            raise UnusableJSONError("a text holds half a surrogate pair") from None
        if "ecursion" in text:
            raise UnusableJSONError(TOO_DEEP) from None
        raise UnusableJSONError(f"the body cannot be used: {text}") from None
    return value
