"""`checkpoint hub report day`: the hub's daily report of all checkpoints and who did not report."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from checkpoint.cli.context import cli_context, fail, said_language, write_output
from checkpoint.cli.hub_cmd import DbOption
from checkpoint.errors import CheckpointError, ConfigError, ReportError
from checkpoint.locale import Language

USAGE_EXIT = 2

hub_report_app = typer.Typer(
    help="Reports of the hub from the checkpoints' daily reports (汇总日报).", no_args_is_help=True
)


class HubFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


def _language(ctx: typer.Context, chosen: str | None) -> Language:
    if chosen in ("zh-CN", "en"):
        return "zh-CN" if chosen == "zh-CN" else "en"
    if chosen is not None:
        typer.secho(f"--language: {chosen!r}: zh-CN or en", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=USAGE_EXIT)
    from checkpoint.config import load_settings

    try:
        return load_settings(cli_context(ctx).config_path).settings.reports.language
    except ConfigError:
        return said_language(ctx)


@hub_report_app.command("day")
def day(
    ctx: typer.Context,
    on: Annotated[
        str | None,
        typer.Option("--date", help="Report day YYYY-MM-DD (default: yesterday, UTC)."),
    ] = None,
    db_url: DbOption = None,
    form: Annotated[
        HubFormat,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="text (80 columns), json, csv, "
            "xlsx (one row per checkpoint and the total) or pdf (A4).",
        ),
    ] = HubFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write to this file (pdf and xlsx need one unless stdout is not a terminal).",
        ),
    ] = None,
    grace_hours: Annotated[
        float,
        typer.Option(
            min=0,
            help="Hours after the end of its report day within which a "
            "report still counts as on time.",
        ),
    ] = 2.0,
    language: Annotated[
        str | None,
        typer.Option("--language", help='"zh-CN" or "en" (default: [reports] language).'),
    ] = None,
) -> None:
    """Per checkpoint and in total, the day's figures and fever cases, and the enrolled
    checkpoints with no daily or zero report for the day (不漏报)."""
    from checkpoint.hub import db
    from checkpoint.hub.report_render import renderers
    from checkpoint.hub.reports import hub_day_report

    chosen = _language(ctx, language)
    now = datetime.now(UTC)
    if on is None:
        report_day = now.date() - timedelta(days=1)
    else:
        try:
            report_day = date.fromisoformat(on.strip())
        except ValueError:
            fail(ReportError.of("hub.bad_date", value=on), code=USAGE_EXIT, language=chosen)
    engine = db.make_engine(db_url or db.default_url())
    try:
        report = hub_day_report(engine, report_day, now=now, grace=timedelta(hours=grace_hours))
        data = renderers()[form.value](report, chosen)
    except CheckpointError as error:
        fail(error, language=chosen)
    finally:
        engine.dispose()
    if output is None and form in (HubFormat.PDF, HubFormat.XLSX) and sys.stdout.isatty():
        fail(
            ReportError.of("hub.binary_to_terminal", format=form.value),
            code=USAGE_EXIT,
            language=chosen,
        )
    write_output(
        data, output, language=chosen, written="hub.written", cannot_write="hub.cannot_write"
    )
