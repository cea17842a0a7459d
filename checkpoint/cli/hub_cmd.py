"""`checkpoint hub …`: run a township or county hub, manage the tokens of the checkpoints and
hubs below it, import bundles brought on a stick, and forward everything to a parent hub."""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checkpoint.cli.context import cli_context, echo_rejections, fail, fail_config, said_language
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import Language, translate
from checkpoint.wire import DEFAULT_BATCH

if TYPE_CHECKING:
    from checkpoint.hub.forward import ForwardSummary

hub_app = typer.Typer(
    help="Run a hub that receives checkpoint logs; enroll and revoke tokens; import bundles; "
    "forward to a parent hub."
)

REJECTED_EXIT = 3
"""Exit code when records were rejected (the others were stored)."""

UpstreamOption = Annotated[
    str | None,
    typer.Option("--upstream", help="Address of the parent hub (township → county) to forward to."),
]
UpstreamTokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="CHECKPOINT_HUB_UPSTREAM_TOKEN",
        help="This hub's token at the parent (checkpoint hub enroll --hub NAME, run there).",
    ),
]

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="CHECKPOINT_HUB_DB",
        help="Database URL: sqlite:///PATH (default: hub.db in the data folder) or "
        "postgresql+psycopg://USER@HOST/NAME.",
    ),
]


@hub_app.command("serve")
def serve(
    ctx: typer.Context,
    db_url: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8470,
    max_body_mb: Annotated[
        float, typer.Option(help="Largest request body accepted, compressed or expanded (MB).")
    ] = 32.0,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM); with --ssl-keyfile serves HTTPS.")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    upstream: UpstreamOption = None,
    token: UpstreamTokenOption = None,
    forward_interval: Annotated[
        float,
        typer.Option(min=1, help="Seconds between forwards to --upstream (more after failures)."),
    ] = 60.0,
) -> None:
    """Serve the hub over HTTP (or HTTPS with a certificate) until stopped with Ctrl+C.

    With --upstream and --token, everything it holds is also forwarded to the parent hub in the
    background, periodically, with backoff while the parent cannot be reached. Connections
    that stay idle, or send a request too slowly, are closed ([hub] settings).
    """
    import uvicorn

    from checkpoint.config import load_settings
    from checkpoint.hub import db
    from checkpoint.hub.app import make_hub_app
    from checkpoint.hub.deadlines import server_config
    from checkpoint.hub.forward import Forwarder

    try:
        limits = load_settings(cli_context(ctx).config_path).settings.hub
    except ConfigError as error:
        fail_config(ctx, error, code=2)
    if upstream and not token:
        typer.secho("error: --upstream needs --token", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=2)
    url = db_url or db.default_url()
    engine = db.make_engine(url)
    app = make_hub_app(engine=engine, max_body_bytes=int(max_body_mb * 1024 * 1024))
    typer.echo(f"hub on {sa_safe(url)}, listening on {host}:{port}", err=True)
    forwarder = None
    if upstream and token:
        typer.echo(f"forwarding to {upstream} every {forward_interval:g} s", err=True)
        forwarder = Forwarder(
            engine,
            upstream,
            token,
            interval=forward_interval,
            report=lambda line: typer.echo(line, err=True),
        ).start()
    # Everything loaded so far lives as long as the server: out of the garbage collector's
    # sight, its passes over the objects of each batch no longer walk the modules' objects too
    # (a sixth of the hub's time per record went to them).
    gc.freeze()
    try:
        config = server_config(
            app,
            host=host,
            port=port,
            keep_alive_s=limits.keep_alive_s,
            header_timeout_s=limits.header_timeout_s,
            body_timeout_s=limits.body_timeout_s,
            ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
            ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
            log_level="info",
        )
        server = uvicorn.Server(config)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: stopped, as asked
            server.run()
        if not server.started:  # what went wrong (the port taken, …) is in the log above
            raise typer.Exit(code=3)
    finally:
        if forwarder is not None:
            forwarder.stop()
        engine.dispose()


def sa_safe(url: str) -> str:
    """`url` with any password hidden, for messages."""
    import sqlalchemy as sa

    return sa.make_url(url).render_as_string(hide_password=True)


def _code(name: str, what: str) -> str:
    """`name` if it is a valid code (as for checkpoints), else exit 2 with a message."""
    from pydantic import TypeAdapter, ValidationError

    from checkpoint.wire.records import CheckpointCode

    try:
        TypeAdapter(CheckpointCode).validate_python(name)
    except ValidationError:
        typer.secho(
            f"error: {name!r} is not a {what} code (letters, digits, - and _, at most 32)",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(code=2) from None
    return name


def _principal(checkpoint_id: str | None, hub_name: str | None) -> tuple[str, bool]:
    """(name, is a hub) from the argument or --hub; exactly one of them."""
    if (checkpoint_id is None) == (hub_name is None):
        typer.secho(
            "error: give either a checkpoint code or --hub NAME", err=True, fg=typer.colors.RED
        )
        raise typer.Exit(code=2)
    if hub_name is not None:
        return _code(hub_name, "hub"), True
    assert checkpoint_id is not None
    return _code(checkpoint_id, "checkpoint"), False


CheckpointArgument = Annotated[
    str | None, typer.Argument(help="The checkpoint's code, e.g. HB-XG-0012.")
]
HubNameOption = Annotated[
    str | None,
    typer.Option(
        "--hub",
        help="Instead of a checkpoint: the name of a hub below this one (e.g. a township), "
        "whose token may forward the records of any checkpoint.",
    ),
]


@hub_app.command("enroll")
def enroll(
    checkpoint_id: CheckpointArgument = None,
    hub_name: HubNameOption = None,
    db_url: DbOption = None,
) -> None:
    """Issue a token for a checkpoint, or with --hub NAME for a hub below this one.

    The token is printed once; only its hash is kept. Enrolling again replaces the token: the
    old one stops working.
    """
    from checkpoint.hub import db

    name, is_hub = _principal(checkpoint_id, hub_name)
    token = db.enroll(db.make_engine(db_url or db.default_url()), name, hub=is_hub)
    if is_hub:
        typer.echo(
            f"Token for hub {name} (shown once; give it to `checkpoint hub forward --token`):"
        )
    else:
        typer.echo(f"Token for {name} (shown once; put it in the checkpoint's [sync] token):")
    typer.echo(token)


@hub_app.command("revoke")
def revoke(
    checkpoint_id: CheckpointArgument = None,
    hub_name: HubNameOption = None,
    db_url: DbOption = None,
) -> None:
    """Refuse a checkpoint's (or with --hub, a hub's) token from now on; what it sent stays."""
    from checkpoint.hub import db

    name, is_hub = _principal(checkpoint_id, hub_name)
    if not db.revoke(db.make_engine(db_url or db.default_url()), name, hub=is_hub):
        typer.secho(f"error: {name} was never enrolled", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1)
    typer.echo(f"Revoked the token of {'hub ' if is_hub else ''}{name}.")


def _language(ctx: typer.Context) -> Language:
    """The configured language when this machine has a configuration, else the default."""
    from checkpoint.config import load_settings

    try:
        return load_settings(cli_context(ctx).config_path).settings.ui.language
    except ConfigError:
        return said_language(ctx)


@hub_app.command("import")
def import_command(
    ctx: typer.Context,
    bundle: Annotated[
        Path, typer.Argument(help="Bundle file from `checkpoint bundle export`.", dir_okay=False)
    ],
    db_url: DbOption = None,
) -> None:
    """Import a bundle brought on a stick (from `checkpoint bundle export`).

    The bundle is checked whole first as it streams (signature, completeness); then it is read
    again and each record is stored exactly once, so importing it again stores nothing new, and
    its daily reports are held as if sent over the network (one per lane and day, a newer one
    replacing that lane's).
    """
    import sqlite3

    import sqlalchemy as sa

    from checkpoint.hub import db
    from checkpoint.hub.disk_full import is_disk_full
    from checkpoint.hub.imports import import_bundle

    language = _language(ctx)
    url = db_url or db.default_url()
    engine = db.make_engine(url)
    try:
        summary = import_bundle(engine, bundle)
    except CheckpointError as error:
        fail(error, language=language)
    except (sa.exc.DBAPIError, sqlite3.Error) as error:
        if not is_disk_full(error):
            raise
        # The batch being stored rolled back; those before it stay, and importing the bundle
        # again after freeing space stores the rest (what is held already is a duplicate).
        fail(CheckpointError.of("hub.disk_full", db=sa.make_url(url).render_as_string()))
    finally:
        engine.dispose()
    header = summary.header
    typer.echo(
        translate(
            "bundle.import_summary",
            language,
            checkpoint=header.checkpoint_id,
            first=header.first_seq,
            last=header.last_seq,
            created_at=header.created_at.isoformat(timespec="seconds"),
            stored=summary.stored,
            duplicates=summary.duplicates,
            rejected=summary.rejected_count,
        )
    )
    echo_rejections(
        summary.rejected,
        "bundle.rejected",
        language,
        lambda r: {"seq": r.seq, "record_id": r.id, "reason": r.reason},
        total=summary.rejected_count,
    )
    if header.reports:
        typer.echo(
            translate(
                "bundle.reports_imported",
                language,
                stored=len(summary.reports_stored),
                replaced=len(summary.reports_replaced),
                unchanged=summary.reports_unchanged,
                rejected=len(summary.reports_rejected),
            )
        )
    for day, reason in summary.reports_rejected:
        typer.echo(
            translate("bundle.report_rejected", language, day=day.isoformat(), reason=reason),
            err=True,
        )
    if summary.rejected_count or summary.reports_rejected:
        raise typer.Exit(code=REJECTED_EXIT)


def _print_forward(summary: ForwardSummary, language: Language) -> None:
    typer.echo(
        translate(
            "forward.summary",
            language,
            upstream=summary.upstream,
            stored=summary.stored,
            duplicates=summary.duplicates,
            rejected=len(summary.rejected),
            checkpoints=summary.checkpoints,
            pending=summary.pending,
        )
    )
    typer.echo(
        translate(
            "forward.reports",
            language,
            stored=summary.reports_stored,
            replaced=summary.reports_replaced,
            unchanged=summary.reports_unchanged,
            rejected=len(summary.reports_rejected),
            below="?" if summary.below is None else summary.below,
        )
    )
    if summary.clock_skew_s is not None:
        from datetime import timedelta

        from checkpoint.locale.spans import skew_text

        skew = timedelta(seconds=summary.clock_skew_s)
        typer.echo(
            translate(
                "hub.forward.skew",
                language,
                upstream=summary.upstream,
                skew=skew_text(skew, language),
            ),
            err=abs(summary.clock_skew_s) > 300,
        )
    if summary.rejected or summary.reports_rejected:
        typer.secho(
            translate(
                "forward.held.summary",
                language,
                upstream=summary.upstream,
                records=len(summary.rejected),
                reports=len(summary.reports_rejected),
            ),
            err=True,
            fg=typer.colors.YELLOW,
        )
    for checkpoint_id, day, reason in summary.reports_rejected:
        typer.echo(
            translate(
                "forward.report_rejected",
                language,
                checkpoint=checkpoint_id,
                day=day,
                reason=reason,
            ),
            err=True,
        )
    echo_rejections(
        summary.rejected,
        "forward.rejected",
        language,
        lambda r: {
            "checkpoint": r.checkpoint_id,
            "seq": r.seq,
            "record_id": r.record_id,
            "reason": r.reason,
        },
    )


@hub_app.command("forward")
def forward_command(
    ctx: typer.Context,
    upstream: UpstreamOption = None,
    token: UpstreamTokenOption = None,
    db_url: DbOption = None,
    batch_size: Annotated[int, typer.Option(min=1, max=20000, help="Records per request.")] = (
        DEFAULT_BATCH
    ),
) -> None:
    """Send the parent hub every record and daily report held here that it has not acknowledged,
    and tell it which checkpoints are enrolled here and below.

    Each record keeps its own checkpoint and hash; a report corrected here replaces the
    parent's copy; safe to interrupt and repeat.
    """
    from checkpoint.hub import db
    from checkpoint.hub.forward import ForwardError, forward
    from checkpoint.sync.client import HubClient

    language = _language(ctx)
    if not upstream or not token:
        typer.secho("error: give --upstream URL and --token", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=2)
    engine = db.make_engine(db_url or db.default_url())
    try:
        with HubClient(upstream, token) as client:
            summary = forward(engine, client, batch_size=batch_size)
    except ForwardError as error:
        if error.forward_summary is not None:
            _print_forward(error.forward_summary, language)
        fail(error, language=language)
    finally:
        engine.dispose()
    _print_forward(summary, language)
    if summary.rejected or summary.reports_rejected:
        raise typer.Exit(code=REJECTED_EXIT)


def _add_report_commands() -> None:
    # Below the other commands: hub_report_cmd imports DbOption from this module.
    from checkpoint.cli.hub_report_cmd import hub_report_app

    hub_app.add_typer(hub_report_app, name="report")


_add_report_commands()
