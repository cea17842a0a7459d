"""The staff's own temperatures at the start of a shift (上岗前测温), as typed on one line.

"王芳 36.4，李强 36.5", "Wang 36.4, Li 36.5" or "王芳=36.4 李强 36.5": a name, then its value,
entries separated by commas (either width), semicolons, 顿号 or spaces. A name may have spaces
in it ("Zhao Lei 36.5, Chen Jie 36.6" are two people): a value ends an entry, a separator
ends a name. Nothing is dropped in silence: a name without a value or text that is neither is
refused, naming what is wrong.
"""

from __future__ import annotations

import re
from typing import Final

from checkpoint.errors import ValidationError

_SEPARATORS: Final = re.compile(r"[\s,;，；、]*")
_WORD: Final = r"[^\s\d０-９,;:=，；：、]+"
_NAME: Final = rf"{_WORD}(?:\s+{_WORD})*"
SEPARATORS: Final = ",;，；、"
"""What ends a name (a space does not: names have spaces)."""
_VALUE: Final = r"[0-9０-９]+(?:[.,，。．][0-9０-９]+)?(?:\s*[℃℉]|\s*[CFcf]\b)?"
_ENTRY: Final = re.compile(rf"({_NAME})\s*[=:：]?\s*({_VALUE})")
_NAME_ONLY: Final = re.compile(rf"({_NAME})(?=[\s,;，；、]|$)")
_WAITING: Final = re.compile(rf"(?:^|[\s,;，；、])({_NAME})\s*$")


def staff_entries(text: str) -> list[tuple[str, str]]:
    """Each (name, value as typed) of the line, in order.

    Raises ValidationError `staff.no_value` for a name left without a value and
    `staff.unreadable` for anything else that is not "name value".
    """
    entries: list[tuple[str, str]] = []
    position = _skip(text, 0)
    while position < len(text):
        entry = _ENTRY.match(text, position)
        end = entry.end() if entry else position
        if entry is None or _skip(text, end) == end < len(text):
            alone = _NAME_ONLY.match(text, position) if entry is None else None
            if alone is not None:
                raise ValidationError.of("staff.no_value", name=_tidy(alone.group(1)))
            shown = text[position:].strip()
            raise ValidationError.of("staff.unreadable", text=shown[:24])
        entries.append((_tidy(entry.group(1)), entry.group(2).strip()))
        position = _skip(text, end)
    return entries


def staff_names(text: str) -> list[str]:
    """The names of a line of names ("Zhao Lei, Chen Jie" are two people; spaces are not
    separators, as names have them)."""
    return [_tidy(name) for name in re.split(f"[{SEPARATORS}]", text) if name.strip()]


def waiting_name(text: str) -> str | None:
    """The name the line ends with if it has no value yet: whom the next reading is of."""
    found = _WAITING.search(text)
    return _tidy(found.group(1)) if found else None


def _tidy(name: str) -> str:
    return " ".join(name.split())  # "Zhao  Lei" typed with two spaces is the same person


def _skip(text: str, position: int) -> int:
    found = _SEPARATORS.match(text, position)
    return found.end() if found else position
