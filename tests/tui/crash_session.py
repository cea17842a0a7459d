"""A scripted screening session in a process of its own, for `test_crash_safety` to kill.

    python crash_session.py DATABASE HOME SEED

Runs the real app (no thermometer, English) headless over the log at DATABASE: opens a shift,
or resumes the one left open, then screens vehicle after vehicle until it is killed. Each time a
`ScreeningSaved` reaches the screen it writes one line `SAVED <person id hex>` to file
descriptor 1: that is just before the handler adds the row, so never later than the row is
shown. Nothing else is written there; errors go to stderr.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from checkpoint.config import load_settings
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import open_store
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.messages import ScreeningSaved
from checkpoint.tui.screens.screening import ScreeningScreen
from checkpoint.tui.screens.shift_start import ShiftStartScreen

FEVER = "38.2"
TURN_BACK_REASON = "no reason to enter"


async def until(app: CheckpointApp, condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for the app to get there; a stuck session fails loudly instead of hanging."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"stuck: {describe(app)}")
        await asyncio.sleep(0.005)


def rows_reach(table: DataTable[object], count: int) -> Callable[[], bool]:
    return lambda: table.row_count == count


def describe(app: CheckpointApp) -> str:
    """Where the app is, for the message of a session that got stuck."""
    screen, focused = app.screen, app.focused
    parts = [f"screen {screen!r}", f"focus {focused!r}"]
    if isinstance(focused, Input):
        parts.append(f"value {focused.value!r}")
    for hint in screen.query(".hint"):
        parts.append(f"hint {hint.render()!s}")
    for table in screen.query(DataTable):
        parts.append(f"{table.row_count} rows")
    return ", ".join(parts)


class SavedReporter:
    """The message hook: one line per person, however far the message bubbles."""

    def __init__(self) -> None:
        self.reported: set[str] = set()

    def __call__(self, message: Message) -> None:
        if not isinstance(message, ScreeningSaved):
            return
        person = message.result.person_id.hex
        if person not in self.reported:
            self.reported.add(person)
            # Straight to the descriptor: Textual captures sys.stdout while the app runs, and
            # a line left in a buffer would be lost with the process.
            os.write(1, f"SAVED {person}\n".encode())


_CHARACTERS = {"enter": "\r", "escape": "\x1b"}


def post_key(app: CheckpointApp, key: str) -> None:
    """A key as the terminal driver delivers it, without Pilot's wait for idle after each key
    (about 60 ms a key): every caller waits for the outcome it expects instead."""
    event = events.Key(key, _CHARACTERS.get(key))
    event.set_sender(app)
    app.post_message(event)


async def enter_text(pilot: Pilot[None], text: str, *, typed: bool) -> None:
    """Key by key, or as one paste (a terminal's bracketed paste: far quicker under Pilot)."""
    if typed:
        await pilot.press(*text)
    else:
        pilot.app.post_message(events.Paste(text))


async def one_vehicle(pilot: Pilot[None], app: CheckpointApp, rng: random.Random) -> None:
    """One to three people, maybe a fever, maybe disinfected; then released, turned back or
    simply left for the next vehicle."""
    screen = app.screen
    assert isinstance(screen, ScreeningScreen)
    table = screen.query_one("#occupants", DataTable)
    hint = screen.query_one("#temperature-hint", Static)
    plate = screen.query_one("#plate", Input)
    temperature = screen.query_one("#temperature", Input)
    # Focus may still be on its way (a resumed screen restores its own after the next vehicle
    # took the plate): let the app settle first, or this Enter reaches the temperature field.
    await pilot.pause()
    await until(app, lambda: app.focused in (plate, temperature))
    if app.focused is plate:
        post_key(app, "enter")  # no plate: on to the temperature
        await until(app, lambda: app.focused is temperature)
    fever = False
    for _ in range(rng.randint(1, 3)):
        fever_now = rng.random() < 0.2
        fever = fever or fever_now
        value = FEVER if fever_now else f"{rng.uniform(35.8, 37.0):.1f}"
        rows = table.row_count + 1
        await until(app, lambda: app.focused is temperature)
        await enter_text(pilot, value, typed=rng.random() < 0.1)
        post_key(app, "enter")
        await until(app, rows_reach(table, rows))
        if fever_now:
            # A fever opens the follow-up at once; the case stays open, back to the lane.
            await until(app, lambda: app.screen is not screen)
            post_key(app, "escape")
            await until(app, lambda: app.screen is screen)
            await pilot.pause()
    if rng.random() < 0.4:
        post_key(app, "ctrl+d")
        await until(app, lambda: "Disinfection recorded" in str(hint.render()))
    ending = rng.choice(["release", "turn back", "next"])
    if ending == "release":
        post_key(app, "ctrl+r")
        # A fever holds the vehicle (an open case): it waits aside, and the next one comes.
        await until(app, lambda: table.row_count == 0 or "cannot be released" in str(hint.render()))
        if fever:
            post_key(app, "ctrl+n")
    elif ending == "turn back":
        post_key(app, "ctrl+t")
        await until(app, lambda: isinstance(app.focused, Input) and app.screen is not screen)
        await enter_text(pilot, TURN_BACK_REASON, typed=False)
        post_key(app, "enter")
    else:
        post_key(app, "ctrl+n")
    # Every ending clears the list and moves to the plate of the next vehicle; focus moves
    # after a refresh, so wait for it or the next keys land in the wrong field.
    await until(app, lambda: table.row_count == 0 and app.focused is plate)


async def session(database: Path, home: Path, seed: int) -> None:
    rng = random.Random(seed)
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(home)}).settings
    store = open_store(database)
    app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30), message_hook=SavedReporter()) as pilot:
        # The shift form shows while the log opens; once open, a shift left open is resumed.
        await until(app, lambda: app.opened)
        if app.shift is None:
            await until(app, lambda: isinstance(app.screen, ShiftStartScreen))
            await until(app, lambda: app.focused is not None and app.focused.id == "leader")
            await pilot.press(*"Li", "enter", *"Wang", "enter", *"Wang 36.4", "enter")
            await until(app, lambda: isinstance(app.screen, ScreeningScreen))
        # Its on_mount ends by focusing the temperature: from then on the screen is complete.
        await until(
            app, lambda: isinstance(app.screen, ScreeningScreen) and app.focused is not None
        )
        while True:  # until the test kills the process
            await one_vehicle(pilot, app, rng)


def main(argv: list[str]) -> None:
    database, home, seed = argv
    asyncio.run(session(Path(database), Path(home), int(seed)))


if __name__ == "__main__":
    main(sys.argv[1:])
