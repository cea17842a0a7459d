"""`checkpoint bundle …`: the log on a USB stick, for a hub this laptop cannot reach."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from checkpoint.cli.context import cli_context, fail, fail_config
from checkpoint.cli.integrity import UnverifiedOption, ensure_intact
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import translate

bundle_app = typer.Typer(help="Carry the log to a hub on a USB stick (signed bundle files).")

USAGE_EXIT = 2


@bundle_app.command("export")
def export_bundle(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Bundle file to write.", dir_okay=False)
    ],
    whole: Annotated[
        bool,
        typer.Option("--all", help="The whole log, not only what the hub has not acknowledged."),
    ] = False,
    hub: Annotated[
        str | None,
        typer.Option(
            "--hub", help="Hub whose acknowledged mark to start after (default: sync.hub_url)."
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="CHECKPOINT_SYNC_TOKEN",
            help="Token that signs the bundle (default: sync.token of the configuration).",
        ),
    ] = None,
    unverified: UnverifiedOption = False,
) -> None:
    """Write the records the hub has not acknowledged (--all: the whole log) and the daily
    reports of the closed days to a signed file.

    The file is compressed and signed with the checkpoint's token, for `checkpoint hub import`
    at the hub. Exporting does not move the acknowledged mark: the stick may never arrive.
    Without a hub set, the whole log is exported.
    """
    from checkpoint.config import load_settings
    from checkpoint.store.engine import open_store
    from checkpoint.store.sync_state import acked_mark
    from checkpoint.sync.bundle import write_bundle
    from checkpoint.sync.report_push import closed_day_reports

    try:
        settings = load_settings(cli_context(ctx).config_path).settings
    except ConfigError as error:
        fail_config(ctx, error, code=USAGE_EXIT)
    language = settings.ui.language
    secret = token or (settings.sync.token.get_secret_value() if settings.sync.token else None)
    if not secret:
        fail(
            CheckpointError(translate("sync.no_token", language)),
            code=USAGE_EXIT,
            language=language,
        )
    hub_url = hub or (str(settings.sync.hub_url) if settings.sync.hub_url else None)
    try:
        # Read-only: a bundle can be made while `checkpoint run` keeps the log open.
        with open_store(settings.storage.database, create=False, exclusive=False) as store:
            ensure_intact(store, language=language, unverified=unverified)
            after = 0
            if hub_url and not whole:
                with store.reading() as session:
                    after = acked_mark(session=session, hub=hub_url.rstrip("/"))
            # The closed days' reports too: a lane whose only link is the stick still reports.
            reports = closed_day_reports(store, settings)
            header = write_bundle(
                store,
                output,
                checkpoint_id=settings.checkpoint.id,
                token=secret,
                after=after,
                reports=reports,
            )
    except CheckpointError as error:
        fail(error, language=language)
    typer.echo(
        translate(
            "bundle.exported",
            language,
            path=output,
            records=header.records,
            checkpoint=header.checkpoint_id,
            first=header.first_seq,
            last=header.last_seq,
            head_seq=header.chain_head.seq,
        )
    )
    if reports:
        typer.echo(
            translate(
                "bundle.reports_exported",
                language,
                count=len(reports),
                first=reports[0]["report_day"],
                last=reports[-1]["report_day"],
            )
        )
    typer.echo(translate("bundle.mark_kept", language))
