"""`checkpoint run`: the screening screens, on embedded defaults if nothing is configured.

The shift-start form shows first; the configuration, the risk-area list, the log (opened,
migrated) and the thermometer open behind it in a thread worker, so this module imports none
of them until then. A failure while opening ends the screens and is reported here, with the
same message and exit code as before the screens were shown.
"""

from __future__ import annotations

import gc
import os
import threading
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from checkpoint import paths
from checkpoint.cli.context import cli_context, fail
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import DEFAULT_LANGUAGE, LANGUAGES, Language

if TYPE_CHECKING:
    from checkpoint.store.engine import Store
    from checkpoint.thermometer.source import ThermometerSource
    from checkpoint.tui.app import Opened

CONFIG_ERROR_EXIT = 2
"""Exit code of a configuration (or thermometer setting) that does not work."""
FAILURE_EXIT = 1
"""Exit code of any other failure (the log, the risk-area list)."""
SETTINGS_LANGUAGE: Final[Language] = "zh-CN"
"""`[ui] language` when nothing sets it (the default in `config.UiSection`; a test compares)."""


class OpenError(Exception):
    """Opening failed: the error to report, its exit code and the language to say it in."""

    def __init__(self, error: CheckpointError, *, code: int, language: Language) -> None:
        super().__init__(error)
        self.error = error
        self.code = code
        self.language = language


class Opening:
    """What `checkpoint run` opens behind the first screen, and closes after the last.

    `open()` runs in the app's thread worker; `close()` runs once the app has ended, whether
    or not the opening finished (it waits for one under way), and releases what was opened.
    """

    def __init__(
        self, config_path: Path | None, *, simulate: bool, port: str | None, protocol: str | None
    ) -> None:
        self.config_path = config_path
        self.simulate = simulate
        self.port = port
        self.protocol = protocol
        self._lock = threading.Lock()
        self._closed = False
        self._store: Store | None = None
        self._thermometer: ThermometerSource | None = None

    def open(self) -> Opened:
        """Configuration, risk areas, the log, the thermometer; OpenError if one fails."""
        # Imported here, in the worker, while the volunteer already sees the form.
        from checkpoint.config import load_settings
        from checkpoint.risk_area_file import load_risk_areas
        from checkpoint.screening.desk import ScreeningDesk
        from checkpoint.store.engine import open_store
        from checkpoint.thermometer.source import device_source, simulated_source
        from checkpoint.tui.app import Opened

        with self._lock:
            if self._closed:
                raise RuntimeError("the app ended before the log was opened")
            try:
                loaded = load_settings(self.config_path)
            except ConfigError as error:
                raise OpenError(error, code=CONFIG_ERROR_EXIT, language=DEFAULT_LANGUAGE) from error
            settings = loaded.settings
            language = settings.ui.language
            try:
                risk_areas = load_risk_areas(loaded)
                self._store = open_store(settings.storage.database)
            except CheckpointError as error:
                raise OpenError(error, code=FAILURE_EXIT, language=language) from error
            try:
                if self.simulate:
                    folder = paths.ensure_private_dir(settings.storage.database.parent)
                    self._thermometer = simulated_source(
                        settings, protocol=self.protocol, link=folder / "simulated-thermometer"
                    )
                elif self.port or settings.thermometer.port:
                    self._thermometer = device_source(
                        settings,
                        port=self.port or settings.thermometer.port or "",
                        protocol=self.protocol,
                    )
            except CheckpointError as error:
                raise OpenError(error, code=CONFIG_ERROR_EXIT, language=language) from error
            desk = ScreeningDesk(store=self._store, settings=settings, risk_areas=risk_areas)
            return Opened(desk, self._thermometer)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._thermometer is not None:
                self._thermometer.stop()
            if self._store is not None:
                self._store.close()


def _known(value: object) -> Language:
    return next((name for name in LANGUAGES if name == value), SETTINGS_LANGUAGE)


def screen_language(config_path: Path | None, environ: Mapping[str, str] | None = None) -> Language:
    """The language the settings will most likely give, read cheaply for the first screen.

    The environment override or `[ui] language` of the file, without validating anything else:
    the full configuration is read behind the first screen, whose labels then follow it.
    """
    environ = os.environ if environ is None else environ
    for name, value in environ.items():
        if name.upper() == "CHECKPOINT_UI__LANGUAGE":
            return _known(value.strip().strip("\"'"))
    path = config_path or paths.default_config_file(environ)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return SETTINGS_LANGUAGE
    ui = data.get("ui")
    return _known(ui.get("language") if isinstance(ui, dict) else None)


def run(
    ctx: typer.Context,
    simulate: Annotated[
        bool,
        typer.Option("--simulate", help="A simulated thermometer on a pty, labelled SIMULATED."),
    ] = False,
    port: Annotated[
        str | None, typer.Option("--port", help="Thermometer port or URL (default: config).")
    ] = None,
    protocol: Annotated[
        str | None, typer.Option("--protocol", help="Thermometer protocol (default: config).")
    ] = None,
) -> None:
    """Start the screening screens: shift start, vehicles, occupants, temperatures."""
    from checkpoint.tui.app import make_app

    config_path = cli_context(ctx).config_path
    opening = Opening(config_path, simulate=simulate, port=port, protocol=protocol)
    app = make_app(opening.open, language=screen_language(config_path), simulating=simulate)
    # What is loaded by now (Textual, the first screen) lives as long as the program. Out of
    # the collector's sight, the collections while the first frames are drawn stop walking it
    # again and again (~15 ms to the first screen, bench/startup.py), and so do later ones.
    gc.freeze()
    try:
        app.run()
    finally:
        opening.close()
    error = app.open_error
    if isinstance(error, OpenError):
        fail(error.error, code=error.code, language=error.language)
    if isinstance(error, CheckpointError):
        fail(error, code=FAILURE_EXIT, language=app.language)
    if error is not None:
        raise error
