"""Where `checkpoint` keeps its files: every filesystem location is decided here.

The per-user directories come from platformdirs, so the same code finds the right folders on
Linux, Windows and macOS. `CHECKPOINT_HOME`, when set, puts configuration and data in one folder
instead: a portable install on a USB stick, or a test that must not touch the real home.

Each function takes an optional `env` mapping (default: `os.environ`) so callers that were given
an environment, such as `config.load_settings`, see the same folders as they validate against.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from platformdirs import PlatformDirs

APP_NAME: Final = "checkpoint"
HOME_ENV: Final = "CHECKPOINT_HOME"
"""Environment variable that puts configuration and data under one folder."""

CONFIG_FILE_NAME: Final = "config.toml"
DATABASE_FILE_NAME: Final = "checkpoint.db"
RISK_AREAS_FILE_NAME: Final = "risk-areas.toml"
BACKUPS_DIR_NAME: Final = "backups"

PRIVATE_DIR_MODE: Final = 0o700
PRIVATE_FILE_MODE: Final = 0o600

# appauthor=False: on Windows the folder is %APPDATA%\checkpoint, not checkpoint\checkpoint.
_DIRS: Final = PlatformDirs(APP_NAME, appauthor=False)


def home_override(env: Mapping[str, str] | None = None) -> Path | None:
    """The folder named by `CHECKPOINT_HOME`, made absolute; None when it is unset or empty."""
    value = (os.environ if env is None else env).get(HOME_ENV, "")
    if not value:
        return None
    # absolute() rather than resolve(): a portable install may sit behind a symlink on purpose.
    return Path(value).expanduser().absolute()


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Folder of the configuration file and the risk-area list."""
    return home_override(env) or Path(_DIRS.user_config_dir)


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """Folder of the database and its backups (personal data: keep it private)."""
    return home_override(env) or Path(_DIRS.user_data_dir)


def default_config_file(env: Mapping[str, str] | None = None) -> Path:
    """The configuration file read when no `--config` or `CHECKPOINT_CONFIG` is given."""
    return config_dir(env) / CONFIG_FILE_NAME


def default_database(env: Mapping[str, str] | None = None) -> Path:
    """The SQLite log used when `[storage] database` is not set."""
    return data_dir(env) / DATABASE_FILE_NAME


def default_risk_areas_file(env: Mapping[str, str] | None = None) -> Path:
    """The risk-area list used when `[screening] risk_areas_file` is not set.

    It sits beside the configuration because staff edit or replace it as the list changes.
    """
    return config_dir(env) / RISK_AREAS_FILE_NAME


def backups_dir(env: Mapping[str, str] | None = None) -> Path:
    """Folder of database backups, inside the (private) data folder."""
    return data_dir(env) / BACKUPS_DIR_NAME


def reports_dir(env: Mapping[str, str] | None = None) -> Path:
    """Folder where printed reports are saved when no output file is named (they carry masked
    personal data, so it sits in the private data folder)."""
    return data_dir(env) / "reports"


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Folder of files the program can always rebuild (the parsed message catalogs)."""
    override = home_override(env)
    return override / "cache" if override else Path(_DIRS.user_cache_dir)


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) readable by its owner only, and return it.

    The database holds names, ID numbers and phones, so PIPL asks that nobody else on a shared
    laptop can read it. Folders created here get mode 0o700 whatever the umask. An existing
    folder is left as it is: it may be the user's home or a shared folder they chose.
    """
    missing: list[Path] = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask, so set it explicitly.
    for folder in missing:
        folder.chmod(PRIVATE_DIR_MODE)
    return path
