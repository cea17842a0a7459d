"""The `checkpoint` command: one Typer app, one sub-app or command module per group."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from checkpoint.cli import context

app = typer.Typer(
    name="checkpoint",
    help="Screening log for epidemic checkpoints / 卡点体温检测登记",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="CHECKPOINT_CONFIG",
            help="Configuration file (default: the per-user config directory).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Screening log for epidemic checkpoints (卡点体温检测登记)."""
    ctx.obj = context.CliContext(config_path=config)


def _register(argv: Sequence[str] | None = None) -> None:
    """Add the commands `argv` needs (all of them when it is None) to `app`."""
    # Imported here so each command module can import `app`-free helpers without cycles.
    from checkpoint.cli import commands

    named = None if argv is None else commands.invoked(argv, os.environ)
    commands.register(app, commands.COMMANDS if named is None else [named])


def main() -> None:
    """Entry point of the `checkpoint` console script."""
    _register(sys.argv[1:])
    app()
