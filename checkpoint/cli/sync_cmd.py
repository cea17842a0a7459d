"""`checkpoint sync`: send the records the hub has not acknowledged, with a progress bar, then
the daily reports of closed days it does not hold as they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from checkpoint.cli.context import SHOWN_REJECTIONS, cli_context, fail, fail_config
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import Language, translate
from checkpoint.wire import DEFAULT_BATCH

# The client (httpx), the store and the configuration model are imported when the command
# runs, so the CLI's start-up does not pay for them.
if TYPE_CHECKING:
    from checkpoint.store.engine import Store
    from checkpoint.sync.client import SyncSummary

FAILED_EXIT = 1
"""Exit code when the sync stopped (hub unreachable, token refused, hub's disk full…)."""
HELD_BACK_EXIT = 3
"""Exit code when the rest was sent but records or daily reports are held back."""


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


def _say(key: str, language: Language, params: dict[str, Any], fallback: str) -> str:
    """Message `key` with `params`; `fallback` (the English reason) when the catalog has no
    such message or it needs params that were not kept (a hub newer than this program)."""
    try:
        text = translate(key, language, **params)
    except (KeyError, IndexError, ValueError):
        return fallback
    return fallback if text == key else text.rstrip(". ")


def _fix(code: str, language: Language, params: dict[str, Any]) -> str:
    for key in (f"{code}.fix", f"{code}.hint"):
        said = _say(key, language, params, "")
        if said:
            return said if said.endswith(("。", ".")) else said + "."
    return ""


def print_held_back(store: Store, hub: str, language: Language) -> int:
    """One line per record and daily report held back from `hub` (which, why, how to fix), on
    stderr, after a summary line; how many there are."""
    from checkpoint.store.sync_state import RECORD, held_back

    with store.reading() as session:
        held = held_back(session=session, hub=hub)
    if not held:
        return 0
    records = sum(1 for h in held if h.kind == RECORD)
    typer.echo(
        translate("sync.held.summary", language, records=records, reports=len(held) - records),
        err=True,
    )
    for item in held[:SHOWN_REJECTIONS]:
        params = dict(item.params)
        if isinstance(params.get("field"), str):  # a field of a person, named in the language
            named = translate(f"field.{params['field']}", language)
            params["field"] = params["field"] if named.startswith("field.") else named
        why = _say(item.code, language, params, item.reason)
        fix = _fix(item.code, language, params)
        if item.kind == RECORD:
            line = translate(
                "sync.held.record",
                language,
                seq=item.seq,
                table=item.table_name,
                record_id=item.item,
                why=why,
                fix=fix,
            )
        else:
            line = translate("sync.held.report", language, day=item.item, why=why, fix=fix)
        typer.secho(line.rstrip(), err=True, fg=typer.colors.YELLOW)
    if len(held) > SHOWN_REJECTIONS:
        more = len(held) - SHOWN_REJECTIONS
        typer.echo(translate("sync.rejected_more", language, count=more), err=True)
    return len(held)


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
    of closed days; safe to interrupt and repeat.

    A record or report that cannot be sent (the hub refuses it, or the wire cannot carry it) is
    held back and never stops the rest; each is listed, with how to fix it, at every sync until
    it goes. Exit codes: 0 everything was sent; 1 the sync stopped (hub unreachable, token
    refused, hub's disk full): run it again; 2 configuration missing or wrong; 3 the rest was
    sent but some records or daily reports are held back."""
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
            HubClient(
                hub_url,
                secret,
                timeout=settings.sync.timeout_s,
                connect_timeout=settings.sync.connect_timeout_s,
            ) as client,
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
        _held_back_after_failure(settings.storage.database, client_url(hub_url), language)
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
    released = (summary.released, len(reports.released))
    if any(released):
        typer.echo(
            translate("sync.held.released", language, records=released[0], reports=released[1])
        )
    _print_clock(client.skew, client.hub_time, language)
    with open_store(settings.storage.database, create=False) as store:
        held = print_held_back(store, client_url(hub_url), language)
    if held:
        raise typer.Exit(code=HELD_BACK_EXIT)


def client_url(hub_url: str) -> str:
    """The hub's address as the client keys its marks (`HubClient.hub_url`)."""
    return hub_url.rstrip("/")


def _held_back_after_failure(database: Any, hub: str, language: Language) -> None:
    """What is held back, also when the sync stopped (the log may be the reason it stopped)."""
    from checkpoint.store.engine import open_store

    try:
        with open_store(database, create=False) as store:
            print_held_back(store, hub, language)
    except CheckpointError:
        pass


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
