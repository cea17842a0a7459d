"""`checkpoint site …`: make this laptop the site laptop of its checkpoint, which tallies every
lane with no network to the township: serve the site hub on the LAN for the other lanes to sync
to, or import their USB bundles. `checkpoint report shift|day` then shows every lane."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checkpoint.cli.context import cli_context, echo_rejections, fail, fail_config
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import Language, translate

if TYPE_CHECKING:
    from checkpoint.config import Settings
    from checkpoint.site.hub import Site

USAGE_EXIT = 2
REJECTED_EXIT = 3
"""Exit code when records of a bundle were refused (the others were stored)."""

site_app = typer.Typer(
    help="The site laptop: every lane of the checkpoint tallied here, over the LAN or by USB "
    "(现场汇总).",
    no_args_is_help=True,
)


def _settings(ctx: typer.Context) -> Settings:
    from checkpoint.config import load_settings

    try:
        return load_settings(cli_context(ctx).config_path).settings
    except ConfigError as error:
        fail_config(ctx, error, code=USAGE_EXIT)


def _open(settings: Settings, language: Language) -> Site:
    from checkpoint.site.hub import open_site

    try:
        site = open_site(settings, create=True)
    except CheckpointError as error:
        fail(error, language=language)
    assert site is not None
    return site


def _own_lane(settings: Settings) -> str:
    """This laptop's lane id ("" when its log cannot be read: nothing is then left out)."""
    from checkpoint.store.engine import open_store
    from checkpoint.store.lanes import log_lane

    try:
        with (
            open_store(settings.storage.database, exclusive=False, create=False) as store,
            store.reading() as session,
        ):
            return log_lane(session=session).lane_id
    except CheckpointError:
        return ""


@site_app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0: every network of this laptop).")
    ] = "0.0.0.0",
    port: Annotated[
        int | None,
        typer.Option(min=0, max=65535, help="TCP port (default: [site] port, 8471)."),
    ] = None,
) -> None:
    """Serve the site hub on the LAN until Ctrl+C; prints what each other lane must set."""
    from checkpoint.site.serve import SiteServer

    settings = _settings(ctx)
    language = settings.ui.language
    site = _open(settings, language)
    try:
        server = SiteServer(site, host=host, port=settings.site.port if port is None else port)
    except CheckpointError as error:
        site.close()
        fail(error, language=language)
    tell_lanes(settings, site, server.host, server.port, language)
    try:
        server.run()
    finally:
        site.close()


def tell_lanes(
    settings: Settings,
    site: Site,
    host: str,
    port: int,
    language: Language,
    *,
    serving: str = "site.serving",
) -> str:
    """Where the site hub listens, and the `[sync]` lines each other lane must set; the
    address returned."""
    from checkpoint.site.hub import TOKEN_FILE_NAME
    from checkpoint.site.serve import ANY_ADDRESS, lan_addresses

    code = settings.checkpoint.id
    typer.echo(translate(serving, language, code=code, host=host, port=port), err=True)
    addresses = lan_addresses() if host == ANY_ADDRESS else [host]
    shown = ", ".join(addresses) or translate("site.no_address", language)
    typer.echo(translate("site.addresses", language, addresses=shown))
    if settings.sync.token is None:
        path = site.path.parent / TOKEN_FILE_NAME
        typer.echo(translate("site.token_made", language, path=path))
    typer.echo(translate("site.tell_lanes", language))
    address = f"http://{(addresses or ['ADDRESS'])[0]}:{port}"
    typer.echo("[sync]")
    typer.echo(f'hub_url = "{address}"')
    typer.echo(f'token = "{site.token}"')
    return address


@site_app.command("import")
def import_bundle_command(
    ctx: typer.Context,
    bundle: Annotated[
        Path, typer.Argument(help="A bundle made on another lane by `checkpoint bundle export`.")
    ],
    lane_name: Annotated[
        str | None,
        typer.Option(
            "--lane-name",
            help="The lane's name as this site shows it (bundles carry no name; a lane that "
            "sends day reports is named by them).",
        ),
    ] = None,
) -> None:
    """Import a lane's bundle brought on a USB stick; each record is stored once."""
    import sqlite3

    import sqlalchemy as sa

    from checkpoint.domain.lanes import parse_lane_name
    from checkpoint.hub.imports import import_bundle

    settings = _settings(ctx)
    language = settings.ui.language
    name = None
    if lane_name is not None:
        try:
            name = parse_lane_name(lane_name)
        except CheckpointError as error:
            fail(error, code=USAGE_EXIT, language=language)
    site = _open(settings, language)
    try:
        summary = import_bundle(site.engine, bundle)
        header = summary.header
        if name is not None:
            site.name_lane(header.lane_id, name)
        shown = site.lane_name(header.lane_id)
    except CheckpointError as error:
        fail(error, language=language)
    except (sa.exc.SQLAlchemyError, sqlite3.Error) as error:
        fail(
            CheckpointError.of("site.cannot_open", path=site.path, detail=error), language=language
        )
    finally:
        site.close()
    lane = shown or header.lane_id[:8] or "—"
    typer.echo(
        translate(
            "site.imported",
            language,
            lane=lane,
            stored=summary.stored,
            duplicates=summary.duplicates,
        )
    )
    if header.lane_id and header.lane_id == _own_lane(settings):
        typer.echo(translate("site.own_bundle", language))
    if summary.rejected:
        typer.echo(translate("site.imported.rejected", language, count=len(summary.rejected)))
        echo_rejections(
            summary.rejected,
            "bundle.rejected",
            language,
            lambda r: {"seq": r.seq, "record_id": r.id, "reason": r.reason},
        )
        raise typer.Exit(code=REJECTED_EXIT)


@site_app.command("name")
def name_command(
    ctx: typer.Context,
    lane_id: Annotated[
        str, typer.Argument(help="The lane's id, or its first characters (4 or more).")
    ],
    name: Annotated[str, typer.Argument(help="Its name at this site, e.g. 出城 or 2号口.")],
) -> None:
    """Name a lane that handed in without a name (records only, or a bundle)."""
    from checkpoint.domain.lanes import parse_lane_name
    from checkpoint.site.hub import SiteError

    settings = _settings(ctx)
    language = settings.ui.language
    try:
        chosen = parse_lane_name(name)
    except CheckpointError as error:
        fail(error, code=USAGE_EXIT, language=language)
    site = _open(settings, language)
    try:
        prefix = lane_id.strip().lower()
        found = [known for known in site.lane_ids() if known.startswith(prefix)]
        if len(prefix) < 4 or not found:
            raise SiteError.of("site.no_such_lane", prefix=lane_id)
        if len(found) > 1:
            raise SiteError.of("site.ambiguous_lane", prefix=lane_id)
        site.name_lane(found[0], chosen)
    except CheckpointError as error:
        fail(error, code=USAGE_EXIT, language=language)
    finally:
        site.close()
    typer.echo(translate("site.named", language, lane_id=found[0], name=chosen))
