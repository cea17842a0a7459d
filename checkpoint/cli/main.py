"""The `checkpoint` command: one Typer app, one sub-app or command module per group."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from checkpoint.cli import context
from checkpoint.locale import LANGUAGES

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
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            help="Language of the help and of the command line's own messages: zh-CN or en "
            "(default: [ui] language).",
            metavar="zh-CN|en",
        ),
    ] = None,
) -> None:
    """Screening log for epidemic checkpoints (卡点体温检测登记)."""
    # `--language` was read before parsing (checkpoint.cli.speech): the help is made by then.
    chosen = next(
        (name for name in LANGUAGES if name.casefold() == (language or "").casefold()), None
    )
    ctx.obj = context.CliContext(config_path=config, language=chosen)


def _register(argv: Sequence[str] | None = None) -> None:
    """Add the commands `argv` needs (all of them when it is None) to `app`."""
    # Imported here so each command module can import `app`-free helpers without cycles.
    from checkpoint.cli import commands

    named = None if argv is None else commands.invoked(argv, os.environ)
    commands.register(app, commands.COMMANDS if named is None else [named])


def main() -> None:
    """Entry point of the `checkpoint` console script."""
    argv = sys.argv[1:]
    _register(argv)
    run(argv)


def run(argv: Sequence[str]) -> None:
    """Parse `argv` and run what it names, with the help and Click's messages in the
    language asked for (`--language`) or configured."""
    from checkpoint.cli import commands, speech

    language = speech.requested_language(argv, speech.config_option(argv))
    speech.speak(language)
    command = typer.main.get_command(app)
    named = commands.invoked(argv, os.environ)
    if named is None or commands.COMMANDS[named].group or speech.HELP_FLAGS & set(argv):
        speech.localize(command, language)  # only where help can be shown
    command.main(args=list(argv), prog_name="checkpoint")
