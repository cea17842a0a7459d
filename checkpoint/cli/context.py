"""What the global options hand to every command, and the one way commands report failure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

import typer

from checkpoint.errors import CheckpointError
from checkpoint.locale import DEFAULT_LANGUAGE, Language, translate

T = TypeVar("T")


@dataclass(frozen=True)
class CliContext:
    """Global options: `--config PATH` (or `CHECKPOINT_CONFIG`); None means the default path."""

    config_path: Path | None
    language: Language | None = None
    """`--language`, when it names a language."""


def cli_context(ctx: typer.Context) -> CliContext:
    """The global options of this invocation."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliContext):
        return CliContext(config_path=None)
    return obj


def said_language(ctx: typer.Context) -> Language:
    """The language of what is said before the settings are valid, such as the configuration's
    own errors: `--language`, else the `[ui] language` the configuration would give, read
    leniently (CHECKPOINT_UI__LANGUAGE, or the file even when it does not validate), else the
    default of `[ui] language`."""
    from checkpoint.cli.run_cmd import screen_language

    options = cli_context(ctx)
    return options.language or screen_language(options.config_path)


def fail_config(ctx: typer.Context, error: CheckpointError, *, code: int = 2) -> NoReturn:
    """`fail` for a configuration that does not load, in `said_language`."""
    fail(error, code=code, language=said_language(ctx))


def fail(
    error: CheckpointError, *, code: int = 1, language: Language = DEFAULT_LANGUAGE
) -> NoReturn:
    """Print the error's message and hint on stderr and exit with `code`, no traceback."""
    message, hint = error.text(language)
    typer.secho(translate("cli.error", language, message=message), err=True, fg=typer.colors.RED)
    if hint:
        typer.echo(hint, err=True)
    raise typer.Exit(code=code)


def write_output(
    data: bytes, output: Path | None, *, language: Language, written: str, cannot_write: str
) -> None:
    """`data` to `output` (whole and private, see `files.staged`), or to stdout when there is
    none or it is `-`. A file written is named on stderr
    (message `written`); one that cannot be written ends the command with the catalog error
    `cannot_write` ({path}, {detail})."""
    import sys

    from checkpoint import files
    from checkpoint.errors import ReportError

    if output is None or files.is_stdout(output):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        files.write_private(output, data)
    except OSError as error:
        fail(
            ReportError.of(cannot_write, path=output, detail=error.strerror or error),
            language=language,
        )
    typer.echo(translate(written, language, path=output), err=True)


SHOWN_REJECTIONS = 20
"""Rejected records listed one by one after a summary; the rest are counted."""


def echo_rejections(
    rejected: Sequence[T],
    key: str,
    language: Language,
    params: Callable[[T], dict[str, object]],
    *,
    total: int | None = None,
) -> None:
    """One line per rejected record on stderr (message `key` with `params(record)`), at most
    SHOWN_REJECTIONS of them, then how many more there were (of `total`, when `rejected` holds
    only the first ones)."""
    for item in rejected[:SHOWN_REJECTIONS]:
        typer.echo(translate(key, language, **params(item)), err=True)
    count = len(rejected) if total is None else total
    if count > SHOWN_REJECTIONS:
        more = count - SHOWN_REJECTIONS
        typer.echo(translate("sync.rejected_more", language, count=more), err=True)
