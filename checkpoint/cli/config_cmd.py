"""`checkpoint config …`: look at the configuration without starting the screens."""

from __future__ import annotations

from datetime import datetime

import typer

from checkpoint import paths
from checkpoint.cli.context import cli_context, fail, fail_config
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import translate

CONFIG_ERROR_EXIT: int = 2
"""Exit code of a configuration that does not load (1 stays for other failures)."""

config_app = typer.Typer(
    help="Check the configuration and show the settings in force.",
    no_args_is_help=True,
)


@config_app.command("check")
def check(ctx: typer.Context) -> None:
    """Load the configuration, report every problem, and print the effective settings.

    Shows which file was read (or that built-in defaults apply), which CHECKPOINT_* environment
    variables override it, and the resulting settings as TOML, with the sync token hidden.
    """
    # Imported when the command runs: every other command would pay for pydantic otherwise.
    from checkpoint.config import load_settings, render_effective
    from checkpoint.risk_area_file import load_risk_areas, risk_area_path

    try:
        loaded = load_settings(cli_context(ctx).config_path)
    except ConfigError as error:
        fail_config(ctx, error, code=CONFIG_ERROR_EXIT)
    language = loaded.settings.ui.language
    if loaded.path is not None:
        typer.echo(translate("config.check.file", language, path=loaded.path))
    else:
        typer.echo(translate("config.check.defaults", language, path=paths.default_config_file()))
    if loaded.overrides:
        names = ", ".join(loaded.overrides)
        typer.echo(translate("config.check.overrides", language, names=names))
    else:
        typer.echo(translate("config.check.no_overrides", language))
    try:
        areas = load_risk_areas(loaded)
    except CheckpointError as error:
        fail(error, code=CONFIG_ERROR_EXIT, language=language)
    if areas.source:
        today = datetime.now(loaded.settings.checkpoint.zone).date()
        typer.echo(
            translate(
                "config.check.risk_areas",
                language,
                path=areas.source,
                count=len(areas.areas),
                today=len(areas.in_effect(today)),
            )
        )
    else:
        path, _ = risk_area_path(loaded)
        typer.echo(translate("config.check.no_risk_areas", language, path=path))
    prefixes = loaded.settings.checkpoint.local_plates
    if prefixes:
        shown = ("、" if language == "zh-CN" else ", ").join(prefixes)
        typer.echo(translate("config.check.local_plates", language, prefixes=shown))
    else:
        # Not an error (a checkpoint may mark vehicles by hand), but "non-local" counts
        # would all be zero without anyone noticing.
        typer.secho(
            translate("config.check.no_local_plates", language), err=True, fg=typer.colors.YELLOW
        )
    typer.echo("")
    typer.echo(render_effective(loaded), nl=False)
