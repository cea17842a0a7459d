"""Start-up time: `checkpoint run --simulate` to its first interactive screen, against a minimal
Textual app, both in fresh interpreters in the same run. Target: ratio <= 1.5.

Each run is a new process that starts the app headless and prints "ready" when the first screen
can take keys (the shift-start form, or the lane when a shift is resumed); the time is measured
from spawning the process to that line. The checkpoint side does what `run --simulate` does:
configuration, the log (opened, migrated), the risk-area list, a simulator on a pty and the
reader, then the screens.

    python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHECKPOINT = """
import asyncio, sys
from pathlib import Path
from checkpoint.config import load_settings
from checkpoint.risk_area_file import load_risk_areas
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import open_store
from checkpoint.thermometer.source import simulated_source

async def main():
    loaded = load_settings(None)
    settings = loaded.settings
    store = open_store(settings.storage.database)
    source = simulated_source(settings, link=settings.storage.database.parent / "sim")
    from checkpoint.tui.app import make_app
    from checkpoint.tui.base import AppScreen
    app = make_app(ScreeningDesk(store=store, settings=settings,
                                 risk_areas=load_risk_areas(loaded)), source)
    async with app.run_test(size=(100, 30)) as pilot:
        while not isinstance(app.screen, AppScreen):
            await pilot.pause(0.005)
        print("ready", flush=True)
    source.stop()
    store.close()

asyncio.run(main())
"""

MINIMAL = """
import asyncio
from textual.app import App, ComposeResult
from textual.widgets import Input, Footer

class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Input()
        yield Footer()

async def main():
    app = Minimal()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0)
        print("ready", flush=True)

asyncio.run(main())
"""

TARGET = 1.5


def _time_to_ready(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    ready = time.perf_counter() - started
    process.wait(timeout=30)
    if line != "ready":
        raise RuntimeError(f"the app did not start: {line!r}")
    return ready


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CHECKPOINT_HOME": home}
        _time_to_ready(CHECKPOINT, env)  # first run creates and migrates the log; not counted
        app_times, minimal_times = [], []
        for _ in range(args.runs):  # interleaved, so drift hits both alike
            app_times.append(_time_to_ready(CHECKPOINT, env))
            minimal_times.append(_time_to_ready(MINIMAL, env))
    app, minimal = statistics.median(app_times), statistics.median(minimal_times)
    ratio = app / minimal
    print(f"runs: {args.runs} each, interleaved; medians")
    print(f"checkpoint run --simulate -> first screen: {app * 1000:7.0f} ms")
    print(f"minimal Textual app -> first screen:      {minimal * 1000:7.0f} ms")
    print(f"ratio: {ratio:.2f}  target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
