"""`checkpoint hub …`: run a township or county hub, and manage the checkpoints' tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

hub_app = typer.Typer(help="Run a hub that receives checkpoint logs; enroll and revoke tokens.")

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
) -> None:
    """Serve the hub over HTTP (or HTTPS with a certificate) until stopped with Ctrl+C."""
    import uvicorn

    from checkpoint.sync.hub import db
    from checkpoint.sync.hub.app import make_hub_app

    url = db_url or db.default_url()
    app = make_hub_app(url, max_body_bytes=int(max_body_mb * 1024 * 1024))
    typer.echo(f"hub on {sa_safe(url)}, listening on {host}:{port}", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
        log_level="info",
    )


def sa_safe(url: str) -> str:
    """`url` with any password hidden, for messages."""
    import sqlalchemy as sa

    return sa.make_url(url).render_as_string(hide_password=True)


@hub_app.command("enroll")
def enroll(
    checkpoint_id: Annotated[str, typer.Argument(help="The checkpoint's code, e.g. HB-XG-0012.")],
    db_url: DbOption = None,
) -> None:
    """Issue a token for a checkpoint and print it once (only its hash is kept).

    Enrolling again replaces the checkpoint's token: the old one stops working.
    """
    from pydantic import TypeAdapter, ValidationError

    from checkpoint.sync.wire import CheckpointCode

    try:
        TypeAdapter(CheckpointCode).validate_python(checkpoint_id)
    except ValidationError:
        typer.secho(
            f"error: {checkpoint_id!r} is not a checkpoint code (letters, digits, - and _, "
            "at most 32)",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(code=2) from None
    from checkpoint.sync.hub import db

    token = db.enroll(db.make_engine(db_url or db.default_url()), checkpoint_id)
    typer.echo(f"Token for {checkpoint_id} (shown once; put it in the checkpoint's [sync] token):")
    typer.echo(token)


@hub_app.command("revoke")
def revoke(
    checkpoint_id: Annotated[str, typer.Argument(help="The checkpoint's code.")],
    db_url: DbOption = None,
) -> None:
    """Refuse a checkpoint's token from now on; what it sent stays."""
    from checkpoint.sync.hub import db

    if not db.revoke(db.make_engine(db_url or db.default_url()), checkpoint_id):
        typer.secho(f"error: {checkpoint_id} was never enrolled", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1)
    typer.echo(f"Revoked the token of {checkpoint_id}.")


def _add_report_commands() -> None:
    # Below the other commands: hub_report_cmd imports DbOption from this module.
    from checkpoint.cli.hub_report_cmd import hub_report_app

    hub_app.add_typer(hub_report_app, name="report")


_add_report_commands()
