"""`checkpoint run`: the screening screens, on embedded defaults if nothing is configured.

The shift-start form shows first; the configuration, the risk-area list, the log (opened,
migrated) and the thermometer open behind it in a thread worker, so this module imports none
of them until then. A failure while opening ends the screens and is reported here, with the
same message and exit code as before the screens were shown.

Two things are settled before any screen, from a quick read of the settings (`run_glance`):
the log's instance lock is taken (a second program on the same log is refused at once, with
the process that holds it), and a shift left open is looked for, so that a restart shows the
lane first and no key goes into a shift form about to vanish.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from checkpoint import paths
from checkpoint.cli.context import cli_context, fail
from checkpoint.cli.run_glance import SETTINGS_LANGUAGE, glance
from checkpoint.errors import CheckpointError, ConfigError, StoreError
from checkpoint.locale import Language, translate
from checkpoint.store import instance_lock
from checkpoint.store.peek import open_shift_leader

if TYPE_CHECKING:
    from textual.app import App

    from checkpoint.idcard.source import IdReaderSource
    from checkpoint.site.serve import SiteServer
    from checkpoint.store.engine import Store
    from checkpoint.thermometer.source import ThermometerSource
    from checkpoint.tui.app import Opened

CONFIG_ERROR_EXIT = 2
"""Exit code of a configuration (or thermometer setting) that does not work."""
FAILURE_EXIT = 1
"""Exit code of any other failure (the log, the risk-area list)."""
__all__ = ["SETTINGS_LANGUAGE", "Opening", "run", "screen_language"]


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
        self,
        config_path: Path | None,
        *,
        simulate: bool,
        port: str | None,
        protocol: str | None,
        lock: instance_lock.InstanceLock | None = None,
        language: Language = SETTINGS_LANGUAGE,
        simulate_id_card: bool = False,
    ) -> None:
        self.config_path = config_path
        self.language = language
        """The language of a configuration that does not load (`said_language`)."""
        self._instance_lock = lock
        """The log's instance lock if taken before the first screen (on the log guessed)."""
        self.simulate = simulate
        self.simulate_id_card = simulate_id_card
        self.port = port
        self.protocol = protocol
        self._lock = threading.Lock()
        self._closed = False
        self._store: Store | None = None
        self._thermometer: ThermometerSource | None = None
        self._id_reader: IdReaderSource | None = None

    def open(self) -> Opened:
        """Configuration, risk areas, the log, the thermometer; OpenError if one fails."""
        # Imported here, in the worker, while the volunteer already sees the form.
        from checkpoint.config import load_settings
        from checkpoint.idcard.source import id_reader_source, scanner_source, simulated_id_reader
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
                raise OpenError(error, code=CONFIG_ERROR_EXIT, language=self.language) from error
            settings = loaded.settings
            language = settings.ui.language
            try:
                risk_areas = load_risk_areas(loaded)
                lock, self._instance_lock = self._instance_lock, None
                if lock is not None and lock.database != settings.storage.database:
                    lock.release()  # the quick read guessed another log: lock the real one
                    lock = None
                self._store = open_store(settings.storage.database, lock=lock)
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
                # The ID card reader and the scanner are optional: without them, typing.
                if self.simulate_id_card:
                    folder = paths.ensure_private_dir(settings.storage.database.parent)
                    self._id_reader = simulated_id_reader(
                        settings, link=folder / "simulated-id-reader"
                    )
                else:
                    self._id_reader = id_reader_source(settings)
                scanner = scanner_source(settings)
            except CheckpointError as error:
                raise OpenError(error, code=CONFIG_ERROR_EXIT, language=language) from error
            desk = ScreeningDesk(store=self._store, settings=settings, risk_areas=risk_areas)
            return Opened(desk, self._thermometer, self._id_reader, scanner)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._instance_lock is not None:
                self._instance_lock.release()
            if self._thermometer is not None:
                self._thermometer.stop()
            if self._id_reader is not None:
                self._id_reader.stop()
            if self._store is not None:
                self._store.close()


def screen_language(config_path: Path | None, environ: Mapping[str, str] | None = None) -> Language:
    """The language the settings will most likely give, read cheaply for the first screen.

    The environment override or `[ui] language` of the file, without validating anything else:
    the full configuration is read behind the first screen, whose labels then follow it.
    """
    return glance(config_path, environ).language


def _lock_early(database: Path, language: Language) -> instance_lock.InstanceLock | None:
    """The log's instance lock, or the end of the command if another program holds it."""
    try:
        paths.ensure_private_dir(database.parent)
        return instance_lock.acquire(database)
    except StoreError as error:
        fail(error, code=FAILURE_EXIT, language=language)
    except OSError:
        return None  # a folder that cannot be used: opening the log says what is wrong


def _serve_site(ctx: typer.Context, port: int | None) -> SiteServer:
    """The site hub, listening before the screens start: a port in use is said at once."""
    from checkpoint.cli.context import fail_config
    from checkpoint.cli.site_cmd import tell_lanes
    from checkpoint.config import load_settings
    from checkpoint.site.hub import open_site
    from checkpoint.site.serve import ANY_ADDRESS, SiteServer

    try:
        settings = load_settings(cli_context(ctx).config_path).settings
    except ConfigError as error:
        fail_config(ctx, error)
    language = settings.ui.language
    try:
        site = open_site(settings, create=True)
        assert site is not None
    except CheckpointError as error:
        fail(error, code=FAILURE_EXIT, language=language)
    try:
        server = SiteServer(
            site,
            host=ANY_ADDRESS,
            port=settings.site.port if port is None else port,
            quiet=True,
        )
    except CheckpointError as error:
        site.close()
        fail(error, code=FAILURE_EXIT, language=language)
    # Said before the screens cover it, and left on the terminal when they close.
    address = tell_lanes(
        settings, site, server.host, server.port, language, serving="site.serving_with_screens"
    )
    server.message = translate("site.on_screen", language, address=address, token=site.token)
    return server.start()


def _say_when_running(app: App[Any], message: str) -> None:
    """Show `message` on the screens once they run (a thread waits for them, briefly)."""

    def wait() -> None:
        for _ in range(600):
            time.sleep(0.05)
            if not app.is_running:
                continue
            try:
                app.call_from_thread(app.notify, message, timeout=60, markup=False)
            except RuntimeError:  # running, but not yet taking calls from threads
                continue
            return

    threading.Thread(target=wait, name="site-notice", daemon=True).start()


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
    serve_site: Annotated[
        bool,
        typer.Option(
            "--serve-site",
            help="Also serve the site hub to the checkpoint's other lanes on the LAN, as "
            "`checkpoint site serve` does (its address and token are shown on the screen and "
            "left on the terminal when it closes).",
        ),
    ] = False,
    site_port: Annotated[
        int | None,
        typer.Option(min=0, max=65535, help="Port of --serve-site (default: [site] port)."),
    ] = None,
    simulate_id_card: Annotated[
        bool,
        typer.Option(
            "--simulate-id-card", help="A simulated ID card reader (made-up cards), labelled."
        ),
    ] = False,
) -> None:
    """Start the screening screens: shift start, vehicles, occupants, temperatures."""
    from checkpoint.tui.app import make_app

    config_path = cli_context(ctx).config_path
    seen = glance(config_path)
    lock = _lock_early(seen.database, seen.language)
    site_server = _serve_site(ctx, site_port) if serve_site else None
    opening = Opening(
        config_path,
        simulate=simulate,
        port=port,
        protocol=protocol,
        lock=lock,
        language=cli_context(ctx).language or seen.language,
        simulate_id_card=simulate_id_card,
    )
    app = make_app(
        opening.open,
        language=seen.language,
        simulating=simulate,
        resuming=open_shift_leader(seen.database, seen.checkpoint_id),
    )
    # What is loaded by now (Textual, the first screen) lives as long as the program. Out of
    # the collector's sight, the collections while the first frames are drawn stop walking it
    # again and again (~15 ms to the first screen, bench/startup.py), and so do later ones.
    gc.freeze()
    if site_server is not None:
        _say_when_running(app, site_server.message)
    try:
        app.run()
    finally:
        opening.close()
        if site_server is not None:
            site_server.stop()
            site_server.site.close()
    error = app.open_error
    if isinstance(error, OpenError):
        fail(error.error, code=error.code, language=error.language)
    if isinstance(error, CheckpointError):
        fail(error, code=FAILURE_EXIT, language=app.language)
    if error is not None:
        raise error
