"""A simulated ID card reader on a real pty, speaking the real frames (the reader cannot tell).

It answers the host's commands with the same encoder the parser is tested against: status,
find (a card there or not), select, read base information (the card's text and a blank photo).
Cards come from a card file (`scenario.py`) or, without one, are made up: names from a few
common characters, numbers with valid check digits for a few region codes, so no real person's
data is ever in the program. Unplugging closes the pty; a `link` follows the replug, as
/dev/serial/by-id does for USB.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import threading
import time
import tty
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from stdnum.cn import ric

from checkpoint.domain.vocabulary import Sex
from checkpoint.idcard.card import IdCard, encode_card_text
from checkpoint.idcard.frames import (
    FIND,
    READ_BASE,
    RESET,
    SAM_ID,
    SELECT,
    STATUS,
    SW3,
    Frame,
    FrameParser,
    FrameProblem,
    encode_answer,
    encode_base_information,
)
from checkpoint.idcard.scenario import (
    BadChecksum,
    CardScript,
    Chunks,
    Garbage,
    Nothing,
    Place,
    SetStatus,
    Silence,
    Step,
    Unplug,
)

_REGIONS: Final = (
    ("110101", "北京市东城区", "北京市公安局东城分局"),
    ("310104", "上海市徐汇区", "上海市公安局徐汇分局"),
    ("420106", "湖北省武汉市武昌区", "武汉市公安局武昌分局"),
    ("440305", "广东省深圳市南山区", "深圳市公安局南山分局"),
    ("510104", "四川省成都市锦江区", "成都市公安局锦江分局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖分局"),
)
"""Region codes and the places they name; every person made up lives in one of them."""
_SURNAMES: Final = "王李张刘陈杨黄赵吴周"
_GIVEN: Final = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
_STREETS: Final = ("科技路", "人民路", "解放大道", "中山路", "建设街", "和平里")


def made_up_card(rng: random.Random, *, today: date | None = None) -> IdCard:
    """A card no person holds: a random name, a valid number, an address in its region."""
    today = today or date.today()
    region, place, issuer = rng.choice(_REGIONS)
    born = date(1950, 1, 1) + timedelta(
        days=rng.randrange((date(2005, 1, 1) - date(1950, 1, 1)).days)
    )
    sex = rng.choice((Sex.MALE, Sex.FEMALE))
    sequence = rng.randrange(0, 50) * 2 + (1 if sex is Sex.MALE else 0)
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    number = body + ric.calc_check_digit(body + "0")  # it ignores the last character
    issued = max(born + timedelta(days=16 * 365), today - timedelta(days=rng.randrange(1, 3650)))
    age = (issued - born).days // 365
    years = 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else None
    return IdCard(
        name=rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2))),
        sex=sex,
        nation_code="01",
        birth_date=born,
        address=f"{place}{rng.choice(_STREETS)}{rng.randint(1, 300)}号",
        id_number=number,
        issuer=issuer,
        valid_from=issued,
        valid_to=None
        if years is None
        else date(issued.year + years, issued.month, min(issued.day, 28)),
    )


def _open_pty() -> tuple[int, int, str]:
    master, slave = os.openpty()
    tty.setraw(master)
    os.set_blocking(master, False)
    return master, slave, os.ttyname(slave)


class IdCardSimulator:
    """One simulated reader. `start()` returns the device path; `stop()` ends it."""

    def __init__(
        self,
        script: CardScript | None = None,
        *,
        seed: int | None = None,
        link: Path | None = None,
        card_seconds: float = 3.0,
        gap_seconds: float = 10.0,
    ) -> None:
        self.script = script
        self.link = link
        self.card_seconds = card_seconds
        self.gap_seconds = gap_seconds
        self.finished = threading.Event()
        self.placed: list[IdCard] = []
        """Every card placed so far (what the reader should report, in order)."""
        self._random = random.Random(seed)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pty: tuple[int, int, str] | None = None
        self._parser = FrameParser()
        self._card: IdCard | None = None
        self._selected = False
        self._status = int(SW3.SUCCESS)
        self._silent = False
        self._damage = 0
        self._chunks = (0, 0)

    @property
    def path(self) -> str:
        if self.link is not None:
            return str(self.link)
        assert self._pty is not None, "start() the simulator first"
        return self._pty[2]

    def start(self) -> str:
        self._plug()
        self._thread = threading.Thread(target=self._run, name="idcard-simulator", daemon=True)
        self._thread.start()
        return self.path

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._unplug()
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()

    def __enter__(self) -> IdCardSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def place(self, card: IdCard) -> None:
        """Lay `card` on the reader now (tests and benches; a script's step does the same)."""
        self.placed.append(card)
        self._selected = False
        self._card = card

    def take_away(self) -> None:
        """Take the card off the reader now."""
        self._card = None

    def unplug(self) -> None:
        """Pull the reader's cable now (tests); `replug()` puts it back."""
        self._unplug()

    def replug(self) -> None:
        self._plug()

    def _plug(self) -> None:
        pty = _open_pty()
        with self._lock:
            self._pty = pty
            self._parser.reset()
        if self.link is not None:
            temporary = self.link.with_name(f".{self.link.name}.{os.getpid()}")
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            temporary.symlink_to(pty[2])
            temporary.replace(self.link)

    def _unplug(self) -> None:
        with self._lock:
            pty, self._pty = self._pty, None
        if pty is not None:
            for fd in pty[:2]:
                with contextlib.suppress(OSError):
                    os.close(fd)

    # -- the reader -------------------------------------------------------------------------

    def _steps(self) -> Iterator[Step]:
        if self.script is not None:
            while True:
                yield from self.script.steps
                if not self.script.repeat:
                    return
        while True:
            yield Place(made_up_card(self._random), seconds=self.card_seconds)
            yield Nothing(self.gap_seconds)

    def _run(self) -> None:
        for step in self._steps():
            if self._stop.is_set():
                return
            self._play(step)
        self.finished.set()
        while not self._stop.is_set():
            self._serve_until(time.monotonic() + 0.2)

    def _play(self, step: Step) -> None:
        if isinstance(step, Place):
            self.placed.append(step.card)
            self._card, self._selected = step.card, False
            self._serve_until(time.monotonic() + step.seconds)
            self._card = None
        elif isinstance(step, Nothing):
            self._card = None
            self._serve_until(time.monotonic() + step.seconds)
        elif isinstance(step, Silence):
            self._silent = True
            self._serve_until(time.monotonic() + step.seconds)
            self._silent = False
        elif isinstance(step, Garbage):
            data = step.data or bytes(self._random.getrandbits(8) for _ in range(step.count))
            self._write(data)
        elif isinstance(step, Chunks):
            self._chunks = (step.low, step.high)
        elif isinstance(step, BadChecksum):
            self._damage = step.frames
        elif isinstance(step, SetStatus):
            self._status = step.sw3
        elif isinstance(step, Unplug):
            self._unplug()
            self._stop.wait(step.milliseconds / 1000)
            if not self._stop.is_set():
                self._plug()

    def _serve_until(self, deadline: float) -> None:
        while (left := deadline - time.monotonic()) > 0 and not self._stop.is_set():
            with self._lock:
                master = self._pty[0] if self._pty else None
            if master is None:
                self._stop.wait(left)
                return
            try:
                ready, _, _ = select.select([master], [], [], min(left, 0.1))
            except (OSError, ValueError):
                return
            if not ready:
                continue
            try:
                data = os.read(master, 4096)
            except BlockingIOError:
                continue
            except OSError:
                self._stop.wait(min(left, 0.05))  # nobody has the port open yet
                continue
            for decoded in self._parser.feed(data):
                if self._silent:
                    continue
                if isinstance(decoded, Frame):
                    self._send(self._answer(decoded))
                elif decoded.problem is FrameProblem.BAD_CHECKSUM:
                    self._send(encode_answer(SW3.BAD_CHECKSUM))

    def _answer(self, frame: Frame) -> bytes:
        command = frame.command
        if command in (STATUS, RESET):
            return encode_answer(self._status)
        if self._status != SW3.SUCCESS:
            return encode_answer(self._status)
        if command == SAM_ID:
            return encode_answer(SW3.SUCCESS, bytes(16))
        if command == FIND:
            if self._card is None:
                return encode_answer(SW3.NO_CARD)
            return encode_answer(SW3.CARD_FOUND, bytes(4))
        if command == SELECT:
            self._selected = self._card is not None
            return encode_answer(SW3.SUCCESS if self._selected else SW3.SELECT_FAILED, bytes(8))
        if command == READ_BASE:
            if self._card is None or not self._selected:
                return encode_answer(SW3.READ_FAILED)
            self._selected = False  # find and select again before every read
            return encode_base_information(encode_card_text(self._card))
        return encode_answer(SW3.BAD_COMMAND)

    def _send(self, frame: bytes) -> None:
        if self._damage:
            self._damage -= 1
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        low, high = self._chunks
        if not low:
            self._write(frame)
            return
        at = 0
        while at < len(frame):
            size = self._random.randint(low, high)
            self._write(frame[at : at + size])
            at += size
            time.sleep(0.001)

    def _write(self, data: bytes) -> None:
        with self._lock:
            pty = self._pty
        if pty is None:
            return
        at = 0
        # An answer of 1,295 bytes may not fit the pty's buffer at once: wait for the reader.
        deadline = time.monotonic() + 1.0
        while at < len(data) and time.monotonic() < deadline:
            try:
                at += os.write(pty[0], data[at:])
            except BlockingIOError:
                time.sleep(0.002)
            except OSError:
                return
