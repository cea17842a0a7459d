"""`checkpoint init`: a starting configuration and a ready log, in one step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from checkpoint import paths
from checkpoint.cli.context import cli_context, fail
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import translate


def init(
    ctx: typer.Context,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an existing configuration file."),
    ] = False,
) -> None:
    """Write a starting configuration (kept if one exists) and create the local log."""
    # Imported when the command runs, so that the other commands do not pay for them.
    from checkpoint.config import load_settings, write_starting_config
    from checkpoint.store import records
    from checkpoint.store.engine import open_store
    from checkpoint.store.models import CheckpointSiteFields

    config_path = cli_context(ctx).config_path or paths.default_config_file()
    try:
        if config_path.exists() and not force:
            existing = True
        else:
            write_starting_config(config_path, force=force)
            existing = False
        settings = load_settings(config_path).settings
    except ConfigError as error:
        fail(error, code=2)
    language = settings.ui.language
    key = "init.config_kept" if existing else "init.config_written"
    typer.echo(translate(key, language, path=config_path))
    site = settings.checkpoint
    try:
        with open_store(settings.storage.database) as store:
            if store.backup_path is not None:
                typer.echo(translate("init.database_backup", language, path=store.backup_path))
            with store.session() as session:
                known = records.current_checkpoint(session=session, code=site.id)
                if known is None:
                    records.register_checkpoint(
                        session=session,
                        site=CheckpointSiteFields(
                            code=site.id,
                            name=site.name,
                            kind=site.kind,
                            direction_mode=site.direction_mode,
                            township=site.township,
                            county=site.county,
                            timezone=site.timezone,
                            active_from=datetime.now(UTC),
                        ),
                    )
                key = "init.checkpoint_known" if known else "init.checkpoint_registered"
                typer.echo(translate(key, language, code=site.id, name=site.name or "—"))
                size = records.log_size(session=session)
    except CheckpointError as error:
        fail(error, language=language)
    typer.echo(
        translate("init.database_ready", language, path=settings.storage.database, records=size)
    )
