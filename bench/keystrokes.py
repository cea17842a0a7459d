"""Keys a volunteer presses: 20 vehicles, 60 people (one fever case), twice.

Once with the thermometer (the measurement fills the row; Enter saves it) and once typing every
temperature. The app is the real one, headless, on a real SQLite file; the thermometer's stable
readings are delivered as the reader delivers them (MeasurementReceived messages), so only the
volunteer's keys are counted. Plates are counted apart from the per-person keys, and the fever
case's follow-up apart too. Targets: ≤ 2 keys per person with the thermometer, ≤ 6 typed.
The baseline is a paper ledger row: writing temperature, time and plate by hand is not a key
count, so the ratio printed is against the target.

    python bench/keystrokes.py
"""

from __future__ import annotations

import asyncio
import random
import tempfile
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
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen

VEHICLES = 20
PEOPLE = 60
FEVER_AT = 17
TARGET_THERMOMETER = 2.0
TARGET_TYPED = 6.0


class Counter:
    def __init__(self) -> None:
        self.keys = {"person": 0, "vehicle": 0, "follow-up": 0, "shift": 0}


async def _wait(pilot: object, condition: object) -> None:
    for _ in range(400):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.01)  # type: ignore[attr-defined]
    app = pilot.app  # type: ignore[attr-defined]
    hint = app.screen.query("#temperature-hint")
    detail = str(hint.first().render()) if hint else ""
    raise RuntimeError(f"never got there: {type(app.screen).__name__} {detail}")


def _temperature(app: object) -> str:
    field = app.screen.query_one("#temperature")  # type: ignore[attr-defined]
    return str(field.value)


async def session(with_thermometer: bool) -> Counter:
    counter = Counter()
    rng = random.Random(1)
    folder = Path(tempfile.mkdtemp())
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(folder)}).settings
    store = open_store(folder / "log.db")
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")

    async def press(kind: str, *keys: str) -> None:
        counter.keys[kind] += len(keys)
        await pilot.press(*keys)

    async with app.run_test(size=(120, 40)) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        await press("shift", *"Li", "enter", *"Wang", "enter", *"Wang 36.4", "enter")
        await _wait(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        people = [2, 3, 4] * VEHICLES
        rng.shuffle(people)
        per_vehicle = people[:VEHICLES]
        scale = PEOPLE / sum(per_vehicle)
        per_vehicle = [max(1, round(n * scale)) for n in per_vehicle]
        per_vehicle[-1] += PEOPLE - sum(per_vehicle)
        screened = 0
        for vehicle, count in enumerate(per_vehicle):
            # Ctrl+N ends a vehicle and puts the cursor on the plate; the first needs Ctrl+L.
            await press("vehicle", "ctrl+n" if vehicle else "ctrl+l")
            await press("vehicle", *f"鄂A{10000 + vehicle}", "enter")
            for _ in range(count):
                value = 38.3 if screened == FEVER_AT else round(rng.gauss(36.5, 0.2), 1)
                if with_thermometer:
                    reading = Reading.create(
                        value=value,
                        unit=Unit.CELSIUS,
                        site=Site.BODY,
                        instrument=Instrument.SERIAL_INFRARED,
                        raw="",
                        taken_at=datetime.now(UTC),
                    )
                    app.post_message(MeasurementReceived(Measurement(reading, "device", 3)))
                    shown = f"{value:.1f}"
                    await _wait(pilot, lambda shown=shown: _temperature(app) == shown)
                    await press("person", "enter")
                else:
                    await press("person", *f"{value:.1f}", "enter")
                screened += 1
                if screened - 1 == FEVER_AT:
                    await _wait(pilot, lambda: isinstance(app.screen, FollowUpScreen))
                    await press("follow-up", "escape")  # back to the lane; the case is queued
                    await _wait(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        await pilot.pause(0.2)
    store.close()
    return counter


def main() -> None:
    for label, thermometer, target in (
        ("with the thermometer", True, TARGET_THERMOMETER),
        ("typed temperatures", False, TARGET_TYPED),
    ):
        keys = asyncio.run(session(thermometer)).keys
        per_person = keys["person"] / PEOPLE
        print(
            f"{label:22s} person keys {keys['person']:4d} = {per_person:.2f} per person "
            f"(target <= {target:g}: {'met' if per_person <= target else 'NOT met'}, "
            f"ratio to target {per_person / target:.2f}); vehicles {keys['vehicle']} keys "
            f"({keys['vehicle'] / VEHICLES:.1f} per vehicle, plate included); "
            f"fever follow-up {keys['follow-up']}; shift start {keys['shift']}"
        )


if __name__ == "__main__":
    main()
