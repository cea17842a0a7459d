"""Messages and labels in zh-CN and English.

Catalogs are TOML files under `checkpoint/locale/<language>/`, one file per area of the program
(so modules can grow their messages independently), each a flat table of message key → text
with `str.format` fields. A test keeps the languages' key sets equal.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Final, Literal

Language = Literal["zh-CN", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("zh-CN", "en")
DEFAULT_LANGUAGE: Final[Language] = "en"


@cache
def catalog(language: Language) -> Mapping[str, str]:
    """All messages of one language, merged from its catalog files."""
    merged: dict[str, str] = {}
    folder = resources.files(__package__).joinpath(language)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        table = tomllib.loads(entry.read_text(encoding="utf-8"))
        for key, text in table.items():
            if key in merged:
                raise RuntimeError(f"message key {key!r} is defined twice in {language}")
            if not isinstance(text, str):
                raise RuntimeError(f"message {key!r} in {entry.name} is not a string")
            merged[key] = text
    return merged


class Terms(tuple[str, ...]):
    """Message keys passed as one parameter: each is translated into the language of the
    message it goes into and the list is joined the way that language writes lists, so an
    error kept with its parameters reads right after a language switch."""

    def render(self, language: Language) -> str:
        separator = "、" if language == "zh-CN" else ", "
        return separator.join(translate(key, language) for key in self)


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
    return text.format(
        **{k: v.render(language) if isinstance(v, Terms) else v for k, v in params.items()}
    )
