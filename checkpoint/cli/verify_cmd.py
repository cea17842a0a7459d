"""`checkpoint verify`: SQLite's integrity check, then a walk of the whole hash chain."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from checkpoint.cli.context import cli_context, fail, fail_config
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import translate

BROKEN_EXIT = 3
"""Exit code when the log does not match its chain (1 and 2 are other failures)."""


def verify(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as one JSON object.")
    ] = False,
) -> None:
    """Check that no record of the local log was changed, removed or inserted.

    Reads a consistent snapshot, so it can run while `checkpoint run` is logging.
    """
    # Imported when the command runs, so that the other commands do not pay for them.
    from checkpoint.config import load_settings
    from checkpoint.store.engine import open_store
    from checkpoint.store.verify import check

    try:
        settings = load_settings(cli_context(ctx).config_path).settings
    except ConfigError as error:
        fail_config(ctx, error, code=2)
    language = settings.ui.language
    path = settings.storage.database
    if not as_json:
        typer.echo(translate("verify.checking", language, path=path), err=True)
    try:
        with open_store(path, exclusive=False, create=False) as store, store.reading() as session:
            report = check(session, path)
    except CheckpointError as error:
        fail(error, language=language)
    problem = report.problem
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "records": report.rows,
                    "head_seq": report.head_seq,
                    "head_hash": report.head_hash,
                    "problem": None
                    if problem is None
                    else {
                        "kind": problem.kind.value,
                        "seq": problem.seq,
                        "table": problem.table,
                        "record_id": problem.record_id,
                        "message": problem.describe(language),
                    },
                    "backwards_count": report.backwards_count,
                    "backwards": [
                        {
                            "seq": jump.seq,
                            "table": jump.table,
                            "record_id": jump.record_id,
                            "at": jump.at.isoformat(),
                            "prev_seq": jump.prev_seq,
                            "prev_at": jump.prev_at.isoformat(),
                            "message": jump.describe(language),
                        }
                        for jump in report.backwards
                    ],
                },
                ensure_ascii=False,
            )
        )
    elif problem is None:
        typer.echo(
            translate(
                "verify.ok", language, rows=report.rows, seq=report.head_seq, hash=report.head_hash
            )
        )
    else:
        typer.secho(translate("verify.broken", language), err=True, fg=typer.colors.RED)
        typer.echo(problem.describe(language), err=True)
        typer.echo(translate("verify.broken.hint", language), err=True)
    if not as_json and report.backwards:
        # Not a broken log: every record is as written. The clock was wrong; say where.
        for jump in report.backwards:
            typer.secho(jump.describe(language), err=True, fg=typer.colors.YELLOW)
        if report.backwards_count > len(report.backwards):
            more = report.backwards_count - len(report.backwards)
            typer.echo(translate("verify.backwards.more", language, count=more), err=True)
        typer.echo(translate("verify.backwards.hint", language), err=True)
    if problem is not None:
        raise typer.Exit(code=BROKEN_EXIT)
