"""Reports, ledgers and bundles are made only from a log that passes its integrity check.

The shift leader signs the report and the township files the ledger: one made from a log whose
hash chain is broken would carry changed records under a signature. So the commands that read
the log for others check it first (what `checkpoint verify` does) and refuse; `--unverified`
makes them anyway, with a warning that cannot be missed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from checkpoint.errors import StoreError
from checkpoint.locale import Language, translate

if TYPE_CHECKING:  # the store's modules are imported when a command runs, not at start-up
    from checkpoint.store.engine import Store

BROKEN_EXIT = 3
"""Exit code when the log does not pass its check (as `checkpoint verify`)."""

UnverifiedOption = Annotated[
    bool,
    typer.Option(
        "--unverified",
        help="Write it even if the log fails its integrity check (with a warning).",
    ),
]


def ensure_intact(store: Store, *, language: Language, unverified: bool = False) -> None:
    """Check the log as `checkpoint verify` does; end the command (exit 3) if it fails, or
    with `unverified` warn on stderr and go on."""
    from checkpoint.store.verify import check

    try:
        with store.reading() as session:
            report = check(session, store.path)
        problem = None if report.problem is None else report.problem.describe(language)
    except StoreError as error:
        problem = error.text(language)[0]
    if problem is None:
        return
    if unverified:
        typer.secho(
            translate("integrity.warning", language, path=store.path),
            err=True,
            fg=typer.colors.RED,
            bold=True,
        )
        typer.echo(problem, err=True)
        return
    typer.secho(
        translate(
            "cli.error", language, message=translate("integrity.refused", language, path=store.path)
        ),
        err=True,
        fg=typer.colors.RED,
    )
    typer.echo(problem, err=True)
    typer.echo(translate("integrity.refused.hint", language), err=True)
    raise typer.Exit(code=BROKEN_EXIT)
