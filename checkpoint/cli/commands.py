"""Every command of `checkpoint`, and which of them a command line needs.

Each command lives in its own module, imported only when it is registered. A command line
that names one command (`checkpoint run --simulate`) registers that one alone, so starting
the screens does not import and introspect the hub, report and sync commands (Typer reads
every registered function's signature before parsing). Anything else — `--help`, no
command, a misspelt one, shell completion — registers them all, so Typer lists them and
suggests the right one. Typer still parses the whole line either way.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import typer


@dataclass(frozen=True)
class Command:
    """Where a command's function (or sub-app, for a group) is defined."""

    module: str
    attribute: str
    group: bool = False


COMMANDS: Final[Mapping[str, Command]] = {
    "init": Command("checkpoint.cli.init_cmd", "init"),
    "run": Command("checkpoint.cli.run_cmd", "run"),
    "verify": Command("checkpoint.cli.verify_cmd", "verify"),
    "simulate": Command("checkpoint.cli.simulate_cmd", "simulate"),
    "export": Command("checkpoint.cli.export_cmd", "export"),
    "sync": Command("checkpoint.cli.sync_cmd", "sync_command"),
    "config": Command("checkpoint.cli.config_cmd", "config_app", group=True),
    "devices": Command("checkpoint.cli.devices_cmd", "devices_app", group=True),
    "report": Command("checkpoint.cli.report_cmd", "report_app", group=True),
    "hub": Command("checkpoint.cli.hub_cmd", "hub_app", group=True),
    "bundle": Command("checkpoint.cli.bundle_cmd", "bundle_app", group=True),
    "site": Command("checkpoint.cli.site_cmd", "site_app", group=True),
}

VALUE_OPTIONS: Final = frozenset({"--config", "--language"})
"""Options of the root command that take a value (the next argument, or `--option=value`)."""
COMPLETION_ENV: Final = "_CHECKPOINT_COMPLETE"
"""Set by the shell while it asks for completions: every command must be known then."""


def invoked(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The one command `argv` (the arguments after the program name) runs, if it names one.

    None when the line names no known command or asks for completion or root options other
    than `--config` and `--language`: then every command is needed.
    """
    if COMPLETION_ENV in environ:
        return None
    arguments = iter(argv)
    for argument in arguments:
        if argument in VALUE_OPTIONS:
            next(arguments, None)
        elif argument.startswith("-"):
            if argument.partition("=")[0] not in VALUE_OPTIONS:
                return None  # --help, completion options, or a mistake Typer should explain
        else:
            return argument if argument in COMMANDS else None
    return None


def register(app: typer.Typer, names: Iterable[str] = COMMANDS) -> None:
    """Attach the commands `names` (by default all) to `app`, each at most once."""
    present = {info.name for info in app.registered_commands} | {
        info.name for info in app.registered_groups
    }
    for name in names:
        if name in present:
            continue
        command = COMMANDS[name]
        target = getattr(importlib.import_module(command.module), command.attribute)
        if command.group:
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
