"""`checkpoint run`: the screening screens, on embedded defaults if nothing is configured."""

from __future__ import annotations

from typing import Annotated

import typer

from checkpoint import paths
from checkpoint.cli.context import cli_context, fail
from checkpoint.config import load_settings
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.risk_area_file import load_risk_areas
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import open_store
from checkpoint.thermometer.source import ThermometerSource, device_source, simulated_source


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
    try:
        loaded = load_settings(cli_context(ctx).config_path)
    except ConfigError as error:
        fail(error, code=2)
    settings = loaded.settings
    language = settings.ui.language
    thermometer: ThermometerSource | None = None
    try:
        risk_areas = load_risk_areas(loaded)
        store = open_store(settings.storage.database)
    except CheckpointError as error:
        fail(error, language=language)
    try:
        if simulate:
            link = (
                paths.ensure_private_dir(settings.storage.database.parent) / "simulated-thermometer"
            )
            thermometer = simulated_source(settings, protocol=protocol, link=link)
        elif port or settings.thermometer.port:
            thermometer = device_source(
                settings, port=port or settings.thermometer.port or "", protocol=protocol
            )
        from checkpoint.tui.app import make_app  # the screens are loaded only when shown

        make_app(
            ScreeningDesk(store=store, settings=settings, risk_areas=risk_areas), thermometer
        ).run()
    except CheckpointError as error:
        fail(error, code=2, language=language)
    finally:
        if thermometer is not None:
            thermometer.stop()
        store.close()
