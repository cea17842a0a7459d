"""Reading the configured risk-area list (中高风险地区) from its file.

The rules of the list live in `domain/risk_areas.py`; this module only finds and reads the file.
The list changes day by day, so it is read when needed, never cached across days.
"""

from __future__ import annotations

from pathlib import Path

from checkpoint import paths
from checkpoint.config import LoadedSettings
from checkpoint.domain.risk_areas import RiskAreaList, parse_risk_area_list
from checkpoint.errors import ConfigError

FILE_NAME = "risk-areas.toml"
"""The list's name beside the configuration file when `[screening] risk_areas_file` is not set."""
EXAMPLE_FILE = Path(__file__).with_name("risk_areas.example.toml")
"""A shipped example of the format (areas of 2020–2021, illustrative, not an official record):
a template to copy, and the list the tests read."""


def risk_area_path(loaded: LoadedSettings) -> tuple[Path, bool]:
    """The list's path and whether it was configured (True) or is the default location."""
    configured = loaded.settings.screening.risk_areas_file
    if configured is not None:
        return configured, True
    if loaded.path is not None:
        return loaded.path.parent / FILE_NAME, False
    return paths.default_risk_areas_file(), False


def load_risk_areas(loaded: LoadedSettings) -> RiskAreaList:
    """The risk-area list in force.

    A configured file that is missing or unreadable is an error; with no file configured and
    none at the default place the list is empty (the screens say that no list is loaded).
    Invalid content raises the domain's ValidationError naming the file and the entry.
    """
    path, configured = risk_area_path(loaded)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if configured:
            raise ConfigError.of("risk_areas.file_missing", path=path) from None
        return RiskAreaList(source="", areas=())
    except UnicodeDecodeError:
        raise ConfigError.of("risk_areas.file_encoding", path=path) from None
    except OSError as error:
        raise ConfigError.of(
            "risk_areas.file_unreadable", path=path, reason=error.strerror or error
        ) from error
    return parse_risk_area_list(text, source=str(path))
