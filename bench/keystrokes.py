"""Keys a volunteer presses: 20 vehicles, 60 people (one fever case), twice.

Once with the thermometer (the measurement fills the row; Enter saves it) and once typing every
temperature. The app is the real one, headless, on a real SQLite file; the thermometer's stable
readings are delivered as the reader delivers them (MeasurementReceived messages), so only the
volunteer's keys are counted. Plates are counted apart from the per-person keys, and the fever
case's follow-up apart too. Targets: ≤ 2 keys per person with the thermometer, ≤ 6 typed.
The baseline is a paper ledger row: writing temperature, time and plate by hand is not a key
count, so the ratio printed is against the target.

Full mode (`full_mode_session`): the same 10 made-up people registered in full (name,
document, from, health-code colour, the temperature), once with the ID card reader (the real
driver over a pty against the simulator) and a serial scanner, once typed. Chinese text is
counted as the pinyin keys an input method needs (the syllables, then a space to choose).
Simulated seconds: KEY_S a key, plus CARD_S to lay a card and SCAN_S to scan a code.
Target: <= 10 keys a person with the reader; the ratio is reader / typed, same run.

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


FULL_PEOPLE = 10
TARGET_FULL_READER = 10.0
KEY_S = 0.35
"""A volunteer's key, looking at the card or the person between keys (~3 keys/s)."""
CARD_S = 1.5
"""Taking the card, laying it on the reader, the read (0.11 s at 115200 bit/s)."""
SCAN_S = 2.0
"""The person holds up the phone's code; the scanner reads it."""
PINYIN = {"张": "zhang", "王": "wang", "李": "li", "刘": "liu", "陈": "chen", "杨": "yang"}
PINYIN |= {"黄": "huang", "赵": "zhao", "吴": "wu", "周": "zhou", "伟": "wei", "芳": "fang"}
PINYIN |= {"娜": "na", "敏": "min", "静": "jing", "丽": "li", "强": "qiang", "磊": "lei"}
PINYIN |= {"军": "jun", "洋": "yang", "勇": "yong", "艳": "yan", "杰": "jie", "涛": "tao"}
PINYIN |= {"明": "ming", "超": "chao", "秀": "xiu", "霞": "xia", "平": "ping", "刚": "gang"}
PINYIN |= {"北": "bei", "京": "jing", "市": "shi", "上": "shang", "海": "hai", "湖": "hu"}
PINYIN |= {"武": "wu", "汉": "han", "广": "guang", "东": "dong", "省": "sheng", "深": "shen"}
PINYIN |= {"圳": "zhen", "四": "si", "川": "chuan", "成": "cheng", "都": "du", "浙": "zhe"}
PINYIN |= {"江": "jiang", "杭": "hang", "州": "zhou"}


def ime_keys(text: str) -> int:
    """Keys to type `text`: ASCII as is; Chinese as pinyin, a space choosing each word."""
    chinese = [c for c in text if not c.isascii()]
    return (
        sum(c.isascii() for c in text)
        + sum(len(PINYIN[c]) for c in chinese)
        + (1 if chinese else 0)
    )


async def full_mode_session(with_reader: bool) -> tuple[int, float]:
    """Keys and simulated seconds for FULL_PEOPLE people registered in full."""
    from checkpoint.domain.addresses import place_of_address
    from checkpoint.idcard.reader import IdCardReader, IdReaderSettings
    from checkpoint.idcard.scenario import CardScript, Nothing
    from checkpoint.idcard.simulator import IdCardSimulator, made_up_card
    from checkpoint.idcard.source import IdReaderSource
    from checkpoint.scanner.reader import CodeScanned
    from checkpoint.tui.messages import CodeWasScanned
    from checkpoint.tui.screens.key_choice import KeyChoiceScreen

    rng = random.Random(7)
    cards = [made_up_card(rng) for _ in range(FULL_PEOPLE)]
    folder = Path(tempfile.mkdtemp())
    env = {
        "CHECKPOINT_HOME": str(folder),
        "CHECKPOINT_CHECKPOINT__KIND": "gate",
        "CHECKPOINT_SCREENING__ENTRY_MODE": "full",
        "CHECKPOINT_SCREENING__REQUIRED_FIELDS__GATE": (
            '["name", "document", "origin", "health_code"]'
        ),
    }
    settings = load_settings(None, env=env).settings
    store = open_store(folder / "log.db")
    simulator = IdCardSimulator(CardScript(steps=(Nothing(3600),)))
    simulator.start()
    source = IdReaderSource(
        IdCardReader(IdReaderSettings(target=simulator.path, poll_interval_s=0.05)), simulator
    )
    app = make_app(
        ScreeningDesk(store=store, settings=settings),
        None,
        id_reader=source if with_reader else None,
        language="zh-CN",
    )
    keys = 0
    seconds = 0.0
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        await pilot.press(*"Li", "enter", *"Wang", "enter", *"Wang 36.4", "enter")
        await _wait(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        lane = app.screen
        await pilot.press("ctrl+l", *"鄂A10001", "enter")  # the vehicle: not the person's keys
        for number, card in enumerate(cards):
            name = lane.query_one("#name")
            if with_reader:
                simulator.place(card)
                seconds += CARD_S
                await _wait(pilot, lambda card=card, name=name: name.value == card.name)  # type: ignore[attr-defined]
                app.post_message(
                    CodeWasScanned(CodeScanned(f"HC-{number:04d}-TOKEN", datetime.now(UTC)))
                )
                seconds += SCAN_S
                await _wait(pilot, lambda: isinstance(app.screen, KeyChoiceScreen))
                await pilot.press("g")
                keys += 1
            else:
                place = place_of_address(card.address)
                assert place is not None
                lane.query_one("#name").focus()
                for text in (card.name, card.id_number, "", "", place.origin):
                    # name, document, phone (not asked here), from: each ends with Enter
                    await pilot.press(*text, "enter")
                    keys += ime_keys(text) + 1
                lane.query_one("#health-code").focus()
                # Space opens the list, Down moves to green, Enter chooses: a select's keys.
                keys += 3
                from checkpoint.domain.vocabulary import HealthCode

                lane.query_one("#health-code").value = HealthCode.GREEN  # type: ignore[attr-defined]
                keys += 1  # F4: to the temperature field
                lane.query_one("#temperature").focus()
            await _wait(pilot, lambda: app.screen is lane)
            reading = Reading.create(
                value=36.5,
                unit=Unit.CELSIUS,
                site=Site.BODY,
                instrument=Instrument.SERIAL_INFRARED,
                raw="",
                taken_at=datetime.now(UTC),
            )
            app.post_message(MeasurementReceived(Measurement(reading, "device", 3)))
            await _wait(pilot, lambda: _temperature(app) == "36.5")
            await pilot.press("enter")
            keys += 1
            await _wait(pilot, lambda number=number: lane._people == number + 1)  # type: ignore[attr-defined]
            if with_reader:
                simulator.take_away()
                await pilot.pause(0.2)
    seconds += keys * KEY_S
    simulator.stop()
    store.close()
    return keys, seconds


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
    reader_keys, reader_s = asyncio.run(full_mode_session(True))
    typed_keys, typed_s = asyncio.run(full_mode_session(False))
    per_reader, per_typed = reader_keys / FULL_PEOPLE, typed_keys / FULL_PEOPLE
    print(
        f"{'full mode, ID reader':22s} {per_reader:.1f} keys, {reader_s / FULL_PEOPLE:.1f} s "
        f"per person (target <= {TARGET_FULL_READER:g}: "
        f"{'met' if per_reader <= TARGET_FULL_READER else 'NOT met'})"
    )
    print(
        f"{'full mode, typed':22s} {per_typed:.1f} keys, {typed_s / FULL_PEOPLE:.1f} s per person"
        f"; ratio reader/typed: keys {per_reader / per_typed:.2f}, "
        f"seconds {reader_s / typed_s:.2f}"
    )


if __name__ == "__main__":
    main()
