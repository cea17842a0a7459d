"""`checkpoint report shift|day`: a report from the log, on the terminal, in a file, as JSON or
as a PDF, printed through CUPS with `--print`.

Formats are a table of renderers (report, language → bytes). A PDF is always saved (to
`--output` or the reports folder) before it is printed, so a missing printer loses nothing;
the command still fails when printing does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checkpoint.cli.context import cli_context, fail, fail_config, write_output
from checkpoint.cli.integrity import UnverifiedOption, ensure_intact
from checkpoint.errors import CheckpointError, ConfigError, ReportError
from checkpoint.locale import Language

# Reports, the store and the configuration model are imported when a command runs, so the
# CLI's start-up (and `checkpoint run`'s first screen) does not pay for them.
if TYPE_CHECKING:
    from checkpoint.config import Settings
    from checkpoint.reports.model import Report
    from checkpoint.store.engine import Store

USAGE_EXIT = 2
"""A bad option value or configuration; 1 is any other failure."""

report_app = typer.Typer(help="Shift and daily reports (班次报告、日报告).", no_args_is_help=True)


class Format(StrEnum):
    TERMINAL = "terminal"
    TEXT = "text"
    RECEIPT = "receipt"
    JSON = "json"
    PDF = "pdf"


Renderer = Callable[["Report", Language], bytes]


def renderers() -> dict[str, Renderer]:
    """Format name → renderer; the bytes are written as they are to the output or stdout."""
    from checkpoint.reports.json_form import render_json
    from checkpoint.reports.terminal import render_terminal
    from checkpoint.reports.text import render_receipt, render_text

    return {
        Format.TERMINAL: lambda report, language: render_terminal(report, language).encode(),
        Format.TEXT: lambda report, language: render_text(report, language).encode(),
        Format.RECEIPT: lambda report, language: render_receipt(report, language).encode(),
        Format.JSON: lambda report, _language: render_json(report).encode(),
    }


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        help="terminal (tables), text (80 columns), receipt (32 columns, 58 mm), json, pdf (A4). "
        "Default: terminal on a terminal, text otherwise; pdf with --print.",
        case_sensitive=False,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file instead of the terminal.", dir_okay=False
    ),
]
PrintOption = Annotated[
    bool,
    typer.Option(
        "--print",
        help="Print the PDF through CUPS (lp) and show the job id; the PDF is saved as well "
        "(to --output or the reports folder).",
    ),
]
PrinterOption = Annotated[
    str | None,
    typer.Option("--printer", help="CUPS queue (default: [reports] printer, else the system's)."),
]
LanguageOption = Annotated[
    str | None,
    typer.Option("--language", help='"zh-CN" or "en" (default: [reports] language).'),
]


def _settings(ctx: typer.Context) -> Settings:
    from checkpoint.config import load_settings

    try:
        return load_settings(cli_context(ctx).config_path).settings
    except ConfigError as error:
        fail_config(ctx, error, code=USAGE_EXIT)


def _language(settings: Settings, chosen: str | None) -> Language:
    if chosen is None:
        return settings.reports.language
    if chosen == "zh-CN":
        return "zh-CN"
    if chosen == "en":
        return "en"
    typer.secho(f"--language: {chosen!r}: zh-CN or en", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=USAGE_EXIT)


def _emit(
    report: Report,
    form: Format | None,
    output: Path | None,
    language: Language,
    settings: Settings,
    *,
    print_it: bool = False,
    printer: str | None = None,
) -> None:
    ui = settings.ui.language
    if print_it and form not in (None, Format.PDF):
        fail(ReportError.of("report.print_needs_pdf", format=form), code=USAGE_EXIT, language=ui)
    if form is Format.PDF or print_it:
        _deliver_pdf(report, output, language, settings, print_it=print_it, printer=printer)
        return
    if form is None:
        form = Format.TERMINAL if output is None and sys.stdout.isatty() else Format.TEXT
    data = renderers()[form](report, language)
    write_output(
        data,
        output,
        language=ui,
        written="report.written",
        cannot_write="report.cannot_write",
    )


def _deliver_pdf(
    report: Report,
    output: Path | None,
    language: Language,
    settings: Settings,
    *,
    print_it: bool,
    printer: str | None,
) -> None:
    """Save the PDF, then print it if asked. Printing that fails (no printer, an unknown one,
    CUPS refusing the job) is explained, with how to fix it and where the PDF is saved, and
    the command fails (exit 1): a script or a person waiting for paper must know."""
    from checkpoint.reports.output import deliver_pdf

    ui = settings.ui.language
    chosen = settings.model_copy(
        update={"reports": settings.reports.model_copy(update={"language": language})}
    )
    try:
        delivery = deliver_pdf(
            report, settings=chosen, output=output, print_it=print_it, printer=printer, language=ui
        )
    except CheckpointError as error:
        fail(error, language=ui)
    if delivery.problem is not None:
        typer.secho(delivery.message, err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1)
    typer.echo(delivery.message, err=True)


def _open(settings: Settings) -> Store:
    from checkpoint.store.engine import open_store

    return open_store(settings.storage.database, exclusive=False, create=False)


@report_app.command("shift")
def shift(
    ctx: typer.Context,
    shift_id: Annotated[
        str | None,
        typer.Option(
            "--shift",
            help="Shift id or its first characters (default: the open "
            "shift, else the one closed last).",
        ),
    ] = None,
    form: FormatOption = None,
    output: OutputOption = None,
    print_it: PrintOption = False,
    printer: PrinterOption = None,
    language: LanguageOption = None,
    unverified: UnverifiedOption = False,
) -> None:
    """The report of one duty shift, for the shift leader to check and sign."""
    from checkpoint.reports.build import shift_report
    from checkpoint.site.tally import with_site

    settings = _settings(ctx)
    chosen, ui = _language(settings, language), settings.ui.language
    try:
        with _open(settings) as store:
            ensure_intact(store, language=ui, unverified=unverified)
            now = datetime.now(UTC)
            report = with_site(shift_report(store, settings, shift_id, now=now), settings, now=now)
    except CheckpointError as error:
        fail(error, language=ui)
    _emit(report, form, output, chosen, settings, print_it=print_it, printer=printer)


@report_app.command("day")
def day(
    ctx: typer.Context,
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Report day YYYY-MM-DD (default: the current report day, "
            "which starts at [reports] day_cutoff_hour).",
        ),
    ] = None,
    form: FormatOption = None,
    output: OutputOption = None,
    print_it: PrintOption = False,
    printer: PrinterOption = None,
    language: LanguageOption = None,
    unverified: UnverifiedOption = False,
) -> None:
    """The daily report (日报告), or the zero report when nobody was at or over the threshold."""
    from checkpoint.reports.build import current_report_day, day_report
    from checkpoint.site.tally import with_site

    settings = _settings(ctx)
    chosen, ui = _language(settings, language), settings.ui.language
    now = datetime.now(UTC)
    if on is None:
        report_day = current_report_day(settings, now=now)
    else:
        try:
            report_day = date.fromisoformat(on.strip())
        except ValueError:
            fail(ReportError.of("report.bad_date", value=on), code=USAGE_EXIT, language=ui)
    try:
        with _open(settings) as store:
            ensure_intact(store, language=ui, unverified=unverified)
            report = with_site(day_report(store, settings, report_day, now=now), settings, now=now)
    except CheckpointError as error:
        fail(error, language=ui)
    _emit(report, form, output, chosen, settings, print_it=print_it, printer=printer)
