"""What `checkpoint run` must know before its first screen, read cheaply from the settings.

The full configuration (pydantic, every rule) is read behind the first screen. Three things
are needed before it: the language of the first labels, the log (to take its instance lock, so
that a second program on the same log is refused before any form shows) and the checkpoint's
id (to see whether a shift was left open, so that the lane, not the shift form, comes first).
They are read here the way `config.load_settings` reads them (file, then `CHECKPOINT_…`
overrides, a relative path beside the file), without validating anything else. A guess that
turns out wrong costs nothing: the opening compares it with the validated settings.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from checkpoint import paths
from checkpoint.locale import LANGUAGES, Language

SETTINGS_LANGUAGE: Final[Language] = "zh-CN"
"""`[ui] language` when nothing sets it (the default in `config.UiSection`; a test compares)."""
DEFAULT_CHECKPOINT_ID: Final = "local"
"""`[checkpoint] id` when nothing sets it (the default in `config.CheckpointSection`)."""


@dataclass(frozen=True)
class Glance:
    """The settings' language, log and checkpoint id, as far as a quick read can tell."""

    language: Language
    database: Path
    checkpoint_id: str


def glance(config_path: Path | None, environ: Mapping[str, str] | None = None) -> Glance:
    """Language, log and checkpoint id from the file at `config_path` (or the default one)
    and the environment overrides; the defaults for whatever cannot be read."""
    environ = os.environ if environ is None else environ
    path = config_path or paths.default_config_file(environ)
    data: dict[str, Any]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = ""
    try:
        data = tomllib.loads(text)
        base: Path | None = path.parent
    except (tomllib.TOMLDecodeError, RecursionError):
        # A file with a mistake elsewhere still says in which language to report it.
        data, base = {"ui": {"language": _ui_language_line(text)}}, None
    overrides = {name.upper(): value for name, value in environ.items()}

    def setting(section: str, key: str) -> object:
        name = f"CHECKPOINT_{section}__{key}".upper()
        if name in overrides:
            return _text(overrides[name])
        table = data.get(section)
        return table.get(key) if isinstance(table, dict) else None

    language = setting("ui", "language")
    database = setting("storage", "database")
    checkpoint_id = setting("checkpoint", "id")
    return Glance(
        language=next((name for name in LANGUAGES if name == language), SETTINGS_LANGUAGE),
        database=_database(database, base, environ),
        checkpoint_id=checkpoint_id if isinstance(checkpoint_id, str) else DEFAULT_CHECKPOINT_ID,
    )


_TABLE: Final = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]")
_LANGUAGE: Final = re.compile(r"""^\s*language\s*=\s*["']([^"']*)["']""")


def _ui_language_line(text: str) -> str | None:
    """`language = "…"` under `[ui]` of a file tomllib cannot read, found line by line."""
    table = ""
    for line in text.splitlines():
        if header := _TABLE.match(line):
            table = header.group(1)
        elif table == "ui" and (found := _LANGUAGE.match(line)):
            return found.group(1)
    return None


def _text(raw: str) -> str:
    # As `config._env_value` takes a text field: a quoted TOML string is unquoted.
    raw = raw.strip()
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return raw
    return value if isinstance(value, str) else raw


def _database(value: object, base: Path | None, environ: Mapping[str, str]) -> Path:
    if not isinstance(value, str) or not value.strip():
        return paths.default_database(environ)
    path = Path(value).expanduser()
    # As `config._resolve_path`: relative means beside the configuration file.
    if not path.is_absolute() and base is not None:
        path = base / path
    return path
