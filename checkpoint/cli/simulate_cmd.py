"""`checkpoint simulate`: a simulated thermometer on a pty, speaking real bytes until stopped."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from checkpoint.cli.context import cli_context, fail, fail_config
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import Language, translate

if TYPE_CHECKING:
    from checkpoint.thermometer.scenario import Scenario


def _read_scenario(path: Path) -> Scenario:
    from checkpoint.thermometer.scenario import parse_scenario

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CheckpointError.of("simulate.no_scenario", path=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointError.of("simulate.bad_scenario_file", path=path, detail=error) from None
    return parse_scenario(text, source=str(path))


ID_CARD = "id-card"


def _simulate_id_card(
    card: Path | None,
    *,
    link: Path | None,
    seed: int | None,
    language: Language,
    gap: float | None = None,
) -> None:
    """Made-up cards (a card file's, or random ones every `gap` seconds, default 10)."""
    from checkpoint.idcard.scenario import parse_card_script
    from checkpoint.idcard.simulator import IdCardSimulator

    script = None
    if card is not None:
        try:
            text = card.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            fail(CheckpointError.of("simulate.no_scenario", path=card), code=2, language=language)
        except (OSError, UnicodeDecodeError) as error:
            fail(
                CheckpointError.of("simulate.bad_scenario_file", path=card, detail=error),
                code=2,
                language=language,
            )
        try:
            script = parse_card_script(text, source=str(card))
        except CheckpointError as error:
            fail(error, code=2, language=language)
    simulator = IdCardSimulator(script, seed=seed, link=link, gap_seconds=gap or 10.0)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    typer.echo(simulator.start())
    typer.echo(translate("idcard.simulate.running", language), err=True)
    announced = False
    try:
        while not stop.wait(0.2):
            if simulator.finished.is_set() and not announced:
                announced = True
                typer.echo(translate("simulate.finished", language), err=True)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()


def simulate(
    ctx: typer.Context,
    protocol: Annotated[
        str | None,
        typer.Option("--protocol", help="Protocol to speak (default: thermometer.protocol)."),
    ] = None,
    link: Annotated[
        Path | None,
        typer.Option("--link", help="Also make this symlink to the device (moved on replug)."),
    ] = None,
    interval: Annotated[
        float | None,
        typer.Option("--interval", min=0.005, max=60, help="Seconds between frames."),
    ] = None,
    fever_rate: Annotated[
        float,
        typer.Option("--fever-rate", min=0.0, max=1.0, help="Share of people with a fever."),
    ] = 0.05,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Make the people and the noise repeatable.")
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", dir_okay=False, help="TOML file scripting exact sequences."),
    ] = None,
    card: Annotated[
        Path | None,
        typer.Option(
            "--card", dir_okay=False, help="With --protocol id-card: a card file (made-up cards)."
        ),
    ] = None,
) -> None:
    """Create a pty pair and speak a thermometer protocol on it until Ctrl-C.

    Prints the device path to give to `checkpoint devices read --port` (or `thermometer.port`).
    `--protocol id-card` simulates an ID card reader instead (`id_reader.port`): made-up cards
    placed every few seconds, or as a card file says (`checkpoint/idcard/scenario.py`).
    """
    # Imported when the command runs, so that the other commands do not pay for them.
    from checkpoint.config import load_settings
    from checkpoint.thermometer.setup import make_protocol
    from checkpoint.thermometer.simulator import Simulator

    try:
        settings = load_settings(cli_context(ctx).config_path).settings
    except ConfigError as error:
        fail_config(ctx, error, code=2)
    language = settings.ui.language
    if protocol == ID_CARD:
        _simulate_id_card(card, link=link, seed=seed, language=language, gap=interval)
        return
    try:
        script = _read_scenario(scenario) if scenario else None
        name = protocol or (script.protocol if script else None)
        device = make_protocol(settings.thermometer, name)
    except CheckpointError as error:
        fail(error, code=2, language=language)
    simulator = Simulator(
        device, interval=interval, fever_rate=fever_rate, seed=seed, scenario=script, link=link
    )
    stop = threading.Event()
    # A service manager or `kill` ends it with SIGTERM: stop as cleanly as on Ctrl-C. Set
    # before the path is printed, since whoever reads the path may stop it at once.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    path = simulator.start()
    typer.echo(path)
    typer.echo(
        translate("simulate.running", language, protocol=device.name, interval=simulator.interval),
        err=True,
    )
    announced = False
    try:
        while not stop.wait(0.2):
            if simulator.finished.is_set() and not announced:
                announced = True
                typer.echo(translate("simulate.finished", language), err=True)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
