"""`checkpoint sync`: send the records the hub has not acknowledged, with a progress bar, then
the daily reports of closed days it does not hold as they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from checkpoint.cli.context import cli_context, echo_rejections, fail, fail_config
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import Language, translate
from checkpoint.wire import DEFAULT_BATCH

# The client (httpx), the store and the configuration model are imported when the command
# runs, so the CLI's start-up does not pay for them.
if TYPE_CHECKING:
    from checkpoint.sync.client import SyncSummary

FAILED_EXIT = 1
REJECTED_EXIT = 3
"""Exit code when the hub rejected records (the rest was sent)."""


def _print_summary(summary: SyncSummary, language: Language) -> None:
    typer.echo(
        translate(
            "sync.summary",
            language,
            sent=summary.sent,
            stored=summary.stored,
            duplicates=summary.duplicates,
            rejected=len(summary.rejected),
            mark=summary.mark,
            head=summary.head,
        )
    )
    echo_rejections(
        summary.rejected,
        "sync.rejected",
        language,
        lambda r: {"seq": r.seq, "table": r.table, "record_id": r.record_id, "reason": r.reason},
    )


def sync_command(
    ctx: typer.Context,
    hub: Annotated[
        str | None,
        typer.Option("--hub", help="Hub address (default: sync.hub_url of the configuration)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="CHECKPOINT_SYNC_TOKEN",
            help="Token (default: sync.token of the configuration).",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=20000, help="Records per request.")] = (
        DEFAULT_BATCH
    ),
) -> None:
    """Send the log's records the hub has not acknowledged yet, then the daily and zero reports
    of closed days; safe to interrupt and repeat."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from checkpoint.config import load_settings
    from checkpoint.store.engine import open_store
    from checkpoint.sync.client import HubClient, SyncError, sync
    from checkpoint.sync.report_push import send_reports

    try:
        settings = load_settings(cli_context(ctx).config_path).settings
    except ConfigError as error:
        fail_config(ctx, error, code=2)
    language = settings.ui.language
    hub_url = hub or (str(settings.sync.hub_url) if settings.sync.hub_url else None)
    secret = token or (settings.sync.token.get_secret_value() if settings.sync.token else None)
    if not hub_url:
        fail(CheckpointError(translate("sync.no_hub", language)), code=2, language=language)
    if not secret:
        fail(CheckpointError(translate("sync.no_token", language)), code=2, language=language)
    console = Console(stderr=True)
    progress = Progress(
        TextColumn(translate("sync.progress", language, hub=hub_url)),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    try:
        with (
            open_store(settings.storage.database, create=False) as store,
            HubClient(hub_url, secret) as client,
            progress,
        ):
            task = progress.add_task("sync", total=None)
            summary = sync(
                store,
                client,
                checkpoint_id=settings.checkpoint.id,
                batch_size=batch_size,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
            # Then the daily and zero reports of closed days the hub does not hold as they are.
            reports = send_reports(store, settings, client)
    except SyncError as error:
        if error.summary is not None:
            _print_summary(error.summary, language)
        fail(error, code=FAILED_EXIT, language=language)
    except CheckpointError as error:
        fail(error, language=language)
    _print_summary(summary, language)
    typer.echo(
        translate(
            "sync.reports",
            language,
            stored=len(reports.stored),
            replaced=len(reports.replaced),
            unchanged=reports.unchanged,
        )
    )
    if reports.refused:
        days = [day for day, _ in reports.refused]
        said, hint = reports.refused[0][1].text(language)
        typer.echo(
            translate(
                "sync.reports.refused", language, count=len(days), first=min(days), last=max(days)
            ),
            err=True,
        )
        typer.echo(said, err=True)
        typer.echo(hint, err=True)
    _print_clock(client.skew, client.hub_time, language)
    if summary.rejected or reports.refused:
        raise typer.Exit(code=REJECTED_EXIT)


def _print_clock(skew: timedelta | None, hub_time: datetime | None, language: Language) -> None:
    """This laptop's clock against the hub's, as the sync's answers showed it."""
    from checkpoint.locale.spans import skew_text
    from checkpoint.wire.clock import LARGE_SKEW

    if skew is None or hub_time is None:
        return
    key = "sync.clock.large" if abs(skew) > LARGE_SKEW else "sync.clock"
    shown = hub_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    typer.echo(
        translate(key, language, skew=skew_text(skew, language), hub=shown),
        err=abs(skew) > LARGE_SKEW,
    )
