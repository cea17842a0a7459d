"""Memory: RSS of the running app after 10,000 screenings in one shift. Target <= 200 MB.

A fresh interpreter runs the real app headless on a real SQLite file and screens people three
to a vehicle, each with a thermometer measurement (delivered as the reader delivers it) and
Enter (posted as the Input.Submitted message the key produces: Pilot's simulated key presses
take ~60 ms each, which would make 10,000 screenings take half an hour); it prints its
resident set size (VmRSS) before the first and after the last screening.
The baseline, in the same run, is a minimal Textual app's RSS in its own fresh interpreter.

    python bench/memory.py [--people N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

SESSION = """
import asyncio, sys
from datetime import UTC, datetime
from pathlib import Path
from checkpoint.config import load_settings
from checkpoint.domain.readings import Reading
from checkpoint.domain.vocabulary import Instrument, Site, Unit
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import open_store
from checkpoint.thermometer.events import Measurement
from checkpoint.tui.app import make_app
from checkpoint.tui.messages import MeasurementReceived
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen
from textual.widgets import Input

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

async def wait(pilot, condition):
    while not condition():
        await pilot.pause(0.001)

async def main(people):
    settings = load_settings(None).settings
    store = open_store(settings.storage.database)
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        await pilot.press(*"Li", "enter", *"Wang", "enter", "enter")
        await wait(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        print(f"start {rss_mb():.1f}", flush=True)
        table = app.screen.query_one("#occupants")
        screen = app.screen
        for i in range(people):
            if i and i % 3 == 0:
                screen.action_next_vehicle()  # what Ctrl+N does
                await pilot.pause(0)
            value = 36.0 + (i % 12) / 10
            reading = Reading.create(value=value, unit=Unit.CELSIUS, site=Site.BODY,
                                     instrument=Instrument.SERIAL_INFRARED, raw="",
                                     taken_at=datetime.now(UTC))
            app.post_message(MeasurementReceived(Measurement(reading, "device", 3)))
            field = app.screen.query_one("#temperature")
            await wait(pilot, lambda: field.value == f"{value:.1f}")
            rows = table.row_count
            field.post_message(Input.Submitted(field, field.value))  # what Enter does
            await wait(pilot, lambda: table.row_count == rows + 1)
        print(f"end {rss_mb():.1f}", flush=True)
    store.close()

asyncio.run(main(int(sys.argv[1])))
"""

MINIMAL = """
import asyncio
from textual.app import App
from textual.widgets import DataTable, Footer, Input

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

class Minimal(App[None]):
    def compose(self):
        yield Input()
        yield DataTable()
        yield Footer()

async def main():
    async with Minimal().run_test(size=(100, 30)) as pilot:
        await pilot.pause(0)
        print(f"end {rss_mb():.1f}", flush=True)

asyncio.run(main())
"""

TARGET_MB = 200.0


def _run(code: str, *args: str, env: dict[str, str]) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    figures = {}
    for line in result.stdout.splitlines():
        name, value = line.split()
        figures[name] = float(value)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CHECKPOINT_HOME": home}
        app = _run(SESSION, str(args.people), env=env)
        minimal = _run(MINIMAL, env=env)
    ratio = app["end"] / minimal["end"]
    print(f"screenings: {args.people} in one shift, 3 per vehicle")
    print(
        f"checkpoint RSS: {app['start']:.1f} MB at the first screening, {app['end']:.1f} MB after"
    )
    print(f"minimal Textual app RSS (baseline): {minimal['end']:.1f} MB; ratio {ratio:.2f}")
    verdict = "met" if app["end"] <= TARGET_MB else "NOT met"
    print(f"target <= {TARGET_MB:.0f} MB: {verdict}")


if __name__ == "__main__":
    main()
