"""Messages and labels in zh-CN and English.

Catalogs are TOML files under `checkpoint/locale/<language>/`, one file per area of the program
(so modules can grow their messages independently), each a flat table of message key → text
with `str.format` fields. A test keeps the languages' key sets equal.

Parsing a language's TOML files costs ~13 ms, paid before the first screen shows; the merged
catalog is therefore kept as JSON in the cache folder (`paths.cache_dir`), stamped with each
file's name, size and modification time, and read back (~0.5 ms) while the stamp still matches.
The cache is only a copy: a missing, stale, unreadable or unwritable one means parsing again.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Final, Literal

from checkpoint import files, paths

Language = Literal["zh-CN", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("zh-CN", "en")
DEFAULT_LANGUAGE: Final[Language] = "en"


CACHE_FORMAT: Final = 1
"""Bumped when the cached form changes, so an older copy is never read as a newer one."""

Stamp = list[list[object]]
"""Each catalog file's name, size and modification time (JSON's lists, to compare as read)."""


@cache
def catalog(language: Language) -> Mapping[str, str]:
    """All messages of one language, merged from its catalog files."""
    # The catalogs sit beside this file (the package is installed as files, not zipped);
    # importlib.resources would cost 2 ms of imports before the first screen.
    folder = Path(__file__).with_name(language)
    return load_catalog(folder, paths.cache_dir() / f"catalog-{language}.json")


def load_catalog(folder: Path, cached: Path) -> dict[str, str]:
    """The messages of the catalog files in `folder`, through the cached copy `cached`."""
    files = sorted(entry for entry in folder.iterdir() if entry.name.endswith(".toml"))
    stamp: Stamp = [[file.name, *_size_and_time(file)] for file in files]
    messages = _read_cached(cached, stamp)
    if messages is None:
        messages = _parse(files)
        _write_cached(cached, stamp, messages)
    return messages


def _size_and_time(file: Path) -> tuple[int, int]:
    status = file.stat()
    return status.st_size, status.st_mtime_ns


def _parse(files: list[Path]) -> dict[str, str]:
    import tomllib  # only when the cached copy cannot be used

    merged: dict[str, str] = {}
    for file in files:
        table = tomllib.loads(file.read_text(encoding="utf-8"))
        for key, text in table.items():
            if key in merged:
                raise RuntimeError(f"message key {key!r} is defined twice in {file.parent.name}")
            if not isinstance(text, str):
                raise RuntimeError(f"message {key!r} in {file.name} is not a string")
            merged[key] = text
    return merged


def _read_cached(cached: Path, stamp: Stamp) -> dict[str, str] | None:
    """The cached messages if `cached` holds them for exactly these files, else None."""
    try:
        content = json.loads(cached.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or content.get("format") != CACHE_FORMAT:
        return None
    messages = content.get("messages")
    if content.get("stamp") != stamp or not isinstance(messages, dict):
        return None
    if not all(isinstance(text, str) for text in messages.values()):
        return None
    return messages


def _write_cached(cached: Path, stamp: Stamp, messages: dict[str, str]) -> None:
    """Keep a copy for the next start; a folder that cannot be written only costs time."""
    content = {"format": CACHE_FORMAT, "stamp": stamp, "messages": messages}
    # Whole or not at all, even with two programs starting; private like every file we write.
    with contextlib.suppress(OSError):
        paths.ensure_private_dir(cached.parent)
        files.write_private(cached, json.dumps(content, ensure_ascii=False).encode())


class Phrase:
    """A parameter that is words itself: rendered in the language of the message it goes
    into, so an error kept with its parameters reads right in whichever language it is shown
    (a configuration error is made before the language is known)."""

    __slots__ = ()

    def render(self, language: Language) -> str:
        raise NotImplementedError


class Terms(tuple[str, ...], Phrase):
    """Message keys passed as one parameter: each is translated into the language of the
    message it goes into and the list is joined the way that language writes lists, so an
    error kept with its parameters reads right after a language switch."""

    __slots__ = ()

    def render(self, language: Language) -> str:
        separator = "、" if language == "zh-CN" else ", "
        return separator.join(translate(key, language) for key in self)


class Said(Phrase):
    """The message `key` with `params`, as a parameter of another message."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params

    def render(self, language: Language) -> str:
        return translate(self.key, language, **self.params)

    def __repr__(self) -> str:
        return f"Said({self.key!r}, **{self.params!r})"


class Joined(Phrase):
    """Phrases (or plain texts, said as they are) joined by `separators[language]`: clauses
    with "; " in English and "；" in Chinese, lines with a newline in both."""

    __slots__ = ("parts", "separators")

    def __init__(self, parts: Sequence[object], separators: Mapping[Language, str]) -> None:
        self.parts = tuple(parts)
        self.separators = separators

    def render(self, language: Language) -> str:
        return self.separators[language].join(str(_say(part, language)) for part in self.parts)

    def __repr__(self) -> str:
        return f"Joined({self.parts!r})"


CLAUSES: Final[Mapping[Language, str]] = {"en": "; ", "zh-CN": "；"}
"""Separators of `Joined` clauses of one sentence."""


def _say(value: object, language: Language) -> object:
    return value.render(language) if isinstance(value, Phrase) else value


def translate(key: str, language: Language = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The message `key` in `language`, formatted with `params`.

    A key missing from the catalogs is a programming error: it shows as the key itself rather
    than crashing a screen in front of a queue, and the catalog test catches it.
    """
    text = catalog(language).get(key)
    if text is None:
        return key
    if not params:
        return text
    return text.format(**{name: _say(value, language) for name, value in params.items()})
