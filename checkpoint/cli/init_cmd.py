"""`checkpoint init`: a starting configuration and a ready log, in one step."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checkpoint import paths
from checkpoint.cli.context import cli_context, fail
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import Language, translate

if TYPE_CHECKING:
    from sqlmodel import Session

    from checkpoint.domain.lanes import Lane


def init(
    ctx: typer.Context,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an existing configuration file."),
    ] = False,
    local_plates: Annotated[
        str | None,
        typer.Option(
            "--local-plates",
            help="Local plate prefixes, e.g. 鄂K,鄂A (asked for when not given).",
        ),
    ] = None,
    lane: Annotated[
        str | None,
        typer.Option(
            "--lane",
            help="This laptop's lane at the checkpoint, e.g. 2号口 or 进城 (asked for when the "
            "log's lane has no name yet).",
        ),
    ] = None,
) -> None:
    """Write a starting configuration (kept if one exists) and create the local log."""
    # Imported when the command runs, so that the other commands do not pay for them.
    from checkpoint.cli.run_cmd import screen_language
    from checkpoint.config import load_settings, write_starting_config
    from checkpoint.domain.lanes import parse_lane_name
    from checkpoint.domain.plates import parse_plate_prefixes
    from checkpoint.store import records
    from checkpoint.store.engine import open_store
    from checkpoint.store.models import CheckpointSiteFields

    config_path = cli_context(ctx).config_path or paths.default_config_file()
    existing = config_path.exists() and not force
    # The language the new file will have (its default, or CHECKPOINT_UI__LANGUAGE).
    asking_in = screen_language(config_path)
    prefixes: tuple[str, ...] = ()
    try:
        if existing and local_plates is not None:
            raise ConfigError.of("init.local_plates.kept", path=config_path)
        if not existing:
            if local_plates is None:
                prefixes = _ask_local_plates(asking_in)
            else:
                prefixes = parse_plate_prefixes(local_plates)
            write_starting_config(config_path, force=force, local_plates=prefixes)
        settings = load_settings(config_path).settings
        lane_name = parse_lane_name(lane) if lane is not None else None
    except CheckpointError as error:  # the file, a --local-plates or --lane that does not parse
        fail(error, code=2, language=asking_in)
    language = settings.ui.language
    key = "init.config_kept" if existing else "init.config_written"
    typer.echo(translate(key, language, path=config_path))
    _say_local_plates(settings.checkpoint.local_plates, config_path, language)
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
                log_lane = _lane(session, lane_name, language)
            typer.echo(
                translate(
                    "lanes.named",
                    language,
                    name=log_lane.shown(language),
                    lane_id=log_lane.lane_id,
                )
            )
    except CheckpointError as error:
        fail(error, language=language)
    typer.echo(
        translate("init.database_ready", language, path=settings.storage.database, records=size)
    )


def _lane(session: Session, wanted: str | None, language: Language) -> Lane:
    """The log's lane, named `wanted` (or as answered) when it has no name yet.

    A named lane keeps its name: the hubs know its reports by it.
    """
    from checkpoint.store.lanes import log_lane, name_lane

    current = log_lane(session=session)
    if current.name:
        if wanted is not None and wanted != current.name:
            raise ConfigError.of("lanes.name.kept", name=current.name, wanted=wanted)
        return current
    if wanted is None:
        wanted = _ask_lane(language)
    return current if wanted is None else name_lane(session=session, name=wanted)


def _ask_lane(language: Language) -> str | None:
    """The lane's name asked on the terminal until valid; None (the default lane) for an empty
    answer or the end of input."""
    from checkpoint.domain.lanes import parse_lane_name

    while True:
        typer.echo(translate("lanes.question", language), nl=False)
        answer = sys.stdin.readline()
        if not answer.strip():
            if not answer:
                typer.echo("")
            return None
        try:
            return parse_lane_name(answer)
        except CheckpointError as error:
            message, hint = error.text(language)
            typer.echo(f"{message} {hint}", err=True)


def _ask_local_plates(language: Language) -> tuple[str, ...]:
    """The local plate prefixes, asked on the terminal until valid; none at the end of input.

    Read line by line rather than with click.prompt, so that answers piped in (and an empty
    input) work as typed ones do.
    """
    from checkpoint.domain.plates import parse_plate_prefixes

    while True:
        typer.echo(translate("init.local_plates.question", language), nl=False)
        answer = sys.stdin.readline()
        if not answer:
            typer.echo("")
            return ()
        try:
            return parse_plate_prefixes(answer)
        except CheckpointError as error:
            message, hint = error.text(language)
            typer.echo(f"{message} {hint}", err=True)


def _say_local_plates(prefixes: tuple[str, ...], config_path: Path, language: Language) -> None:
    if prefixes:
        shown = ("、" if language == "zh-CN" else ", ").join(prefixes)
        typer.echo(translate("init.local_plates.set", language, prefixes=shown))
    else:
        typer.secho(
            translate("init.local_plates.none", language, path=config_path),
            fg=typer.colors.YELLOW,
        )
