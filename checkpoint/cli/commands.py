"""Adds every command group to the root app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach each command module's commands or sub-app to `app`."""
    del app
