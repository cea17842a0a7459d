"""Adds every command group to the root app."""

from __future__ import annotations

import typer

from checkpoint.cli.bundle_cmd import bundle_app
from checkpoint.cli.config_cmd import config_app
from checkpoint.cli.devices_cmd import devices_app
from checkpoint.cli.export_cmd import export
from checkpoint.cli.hub_cmd import hub_app
from checkpoint.cli.init_cmd import init
from checkpoint.cli.report_cmd import report_app
from checkpoint.cli.run_cmd import run
from checkpoint.cli.simulate_cmd import simulate
from checkpoint.cli.sync_cmd import sync_command
from checkpoint.cli.verify_cmd import verify


def register(app: typer.Typer) -> None:
    """Attach each command module's commands or sub-app to `app`."""
    app.command("init")(init)
    app.command("run")(run)
    app.command("verify")(verify)
    app.command("simulate")(simulate)
    app.command("export")(export)
    app.command("sync")(sync_command)
    app.add_typer(config_app, name="config")
    app.add_typer(devices_app, name="devices")
    app.add_typer(report_app, name="report")
    app.add_typer(hub_app, name="hub")
    app.add_typer(bundle_app, name="bundle")
