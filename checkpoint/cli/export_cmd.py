"""`checkpoint export`: the ledger (台账) of screenings over a date range, as CSV or XLSX."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checkpoint.cli.context import cli_context, fail, fail_config
from checkpoint.cli.integrity import UnverifiedOption, ensure_intact
from checkpoint.errors import CheckpointError, ConfigError, ReportError
from checkpoint.locale import Language, translate

# The ledger, the store and the configuration model are imported when the command runs: the
# CLI's start-up (and so `checkpoint run`'s first screen) does not pay for them.
if TYPE_CHECKING:
    from rich.console import Console

    from checkpoint.reports.ledger import LedgerFormat

USAGE_EXIT = 2
"""Exit code for bad dates or options (as for a configuration error); 1 is any other failure."""


def export(
    ctx: typer.Context,
    start: Annotated[
        str, typer.Option("--from", help="First day, local date YYYY-MM-DD (included).")
    ],
    end: Annotated[str, typer.Option("--to", help="Last day, local date YYYY-MM-DD (included).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.", dir_okay=False)],
    format: Annotated[
        str | None,
        typer.Option("--format", help="csv or xlsx (default: from the --output suffix, else csv)."),
    ] = None,
    full_documents: Annotated[
        bool,
        typer.Option(
            "--full-documents", help="Export document numbers and phones whole, not masked."
        ),
    ] = False,
    unverified: UnverifiedOption = False,
) -> None:
    """Write the ledger of people screened from --from to --to (both days included, in the
    checkpoint's time zone), one row each, corrections applied, documents masked."""
    from checkpoint.config import load_settings
    from checkpoint.reports.ledger import ledger_count, ledger_rows, period_of, write_ledger
    from checkpoint.store.engine import open_store

    try:
        settings = load_settings(cli_context(ctx).config_path).settings
    except ConfigError as error:
        fail_config(ctx, error, code=USAGE_EXIT)
    language = settings.ui.language
    zone = settings.checkpoint.zone
    try:
        first, last = _date(start), _date(end)
        period_of(first, last, zone)  # checks the order before the log is opened
        kind = _format(format, output)
    except ReportError as error:
        fail(error, code=USAGE_EXIT, language=language)
    try:
        path = settings.storage.database
        with open_store(path, exclusive=False, create=False) as store:
            ensure_intact(store, language=language, unverified=unverified)
            rows = ledger_rows(
                store,
                start=first,
                end=last,
                zone=zone,
                language=settings.reports.language,
                full_documents=full_documents,
            )
            # Counted first, only on a terminal: the bar needs its total.
            total = ledger_count(store, start=first, end=last, zone=zone) if _on_terminal() else 0
            with _progress(language, total) as shown:
                count = write_ledger(
                    rows,
                    output,
                    format=kind,
                    language=settings.reports.language,
                    progress=shown,
                )
    except CheckpointError as error:
        fail(error, language=language)
    typer.echo(translate("export.done", language, rows=count, start=first, end=last, path=output))
    typer.echo(translate("export.full" if full_documents else "export.masked", language))


PROGRESS_FROM = 5000
"""Rows from which an export on a terminal shows its progress (a smaller one is done at once)."""


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def _on_terminal() -> bool:
    return _console().is_terminal


@contextlib.contextmanager
def _progress(language: Language, total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error for an export of `total` rows: a callback taking the
    rows written so far, or None when there is nothing to show (standard error is not a
    terminal, or the export is too short to need one)."""
    if total < PROGRESS_FROM or not _on_terminal():
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn(translate("export.progress", language)),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=_console(),
        transient=True,
    )
    task = bar.add_task("export", total=total)
    with bar:
        yield lambda done: bar.update(task, completed=done)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ReportError.of("export.bad_date", value=text) from None


def _format(text: str | None, output: Path) -> LedgerFormat:
    from checkpoint.reports.ledger import LedgerFormat

    if text is None:
        return LedgerFormat.XLSX if output.suffix.lower() == ".xlsx" else LedgerFormat.CSV
    try:
        return LedgerFormat(text.strip().lower())
    except ValueError:
        raise ReportError.of("export.bad_format", value=text) from None
