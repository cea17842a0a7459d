"""Keys that arrive in one read (a scanner, tmux, a fast typist) land as if typed slowly.

The real program (`checkpoint run`) on a pseudo-terminal: each burst is one `os.write`, so
Textual's driver reads it at once and its XTermParser turns it into keys posted together. What
counts is what the log holds afterwards.
"""

from __future__ import annotations

__all__ = ["settings", "store"]  # fixtures shared with the lane's other tests

import fcntl
import os
import pty
import select
import sqlite3
import struct
import subprocess
import termios
import threading
import time
import tty
from collections.abc import Callable
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from textual._xterm_parser import XTermParser  # the parser the driver feeds each read to
from textual.widgets import Input

from checkpoint.config import Settings
from checkpoint.screening.desk import ScreeningDesk, ScreeningResult
from checkpoint.store.engine import Store
from checkpoint.tui.app import make_app
from tests.cli.test_run import QUIT, checkpoint_command, environment
from tests.tui.test_screening_app import open_shift, settings, store, table_rows, until
from tests.tui.test_screening_app import rows as log_rows

HANG_GUARD_S = 60.0


class Terminal:
    """`checkpoint run` on a pty of 100×30; what it draws is read and thrown away."""

    def __init__(self, home: Path, **env: str) -> None:
        self.home = home
        self._leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        tty.setraw(follower)
        self._process = subprocess.Popen(
            [*checkpoint_command(), "run"],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=environment(home, **env),
            start_new_session=True,
        )
        os.close(follower)
        self.seen = b""

    def __enter__(self) -> Terminal:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        os.close(self._leader)

    def write(self, data: bytes) -> None:
        """One write: the program reads it in one go."""
        os.write(self._leader, data)

    def until(self, condition: Callable[[], bool], what: str) -> None:
        """Keep reading the screen until `condition` (a guard against hangs, not a timing)."""
        deadline = time.monotonic() + HANG_GUARD_S
        while not condition():
            assert time.monotonic() < deadline, f"never {what}: {self.seen[-1500:]!r}"
            assert self._process.poll() is None, f"the program ended: {self.seen[-1500:]!r}"
            self._read(0.05)

    def _read(self, wait: float) -> None:
        ready, _, _ = select.select([self._leader], [], [], wait)
        if ready:
            with suppress(OSError):  # EIO: the program closed the terminal
                self.seen += os.read(self._leader, 65536)

    def quit(self) -> int:
        self.write(QUIT)
        deadline = time.monotonic() + HANG_GUARD_S
        while self._process.poll() is None:
            assert time.monotonic() < deadline, "Ctrl+Q did not quit"
            self._read(0.05)
        return self._process.returncode


def rows(home: Path, sql: str) -> list[tuple[object, ...]]:
    """The log as it is now (read-only, beside the running program)."""
    database = home / "checkpoint.db"
    if not database.exists():
        return []
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        try:
            return list(connection.execute(sql).fetchall())
        except sqlite3.OperationalError:  # its tables are still being created
            return []


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_a_burst_is_applied_in_order_by_the_real_program(home: Path) -> None:
    with Terminal(home) as terminal:
        terminal.until(lambda: b"Start of shift" in terminal.seen, "showed the shift form")
        # The shift form's three fields, then two people, all in one read: each Enter moves
        # on or saves as it would if typed slowly, and each temperature goes to its own person.
        terminal.write(b"Li\rWang\rWang 36.4\r36.6\r36.7\r")
        terminal.until(
            lambda: len(rows(home, "SELECT id FROM person")) == 2, "saved the two people"
        )
        assert terminal.quit() == 0
    assert rows(home, "SELECT leader, operators FROM shift") == [("Li", '["Wang"]')]
    assert rows(home, "SELECT staff_name, flagged FROM staff_check") == [("Wang", 0)]
    assert rows(home, "SELECT value FROM reading WHERE purpose = 'screening' ORDER BY seq") == [
        (36.6,),
        (36.7,),
    ]


async def test_keys_typed_during_a_save_wait_for_it(settings: Settings, store: Store) -> None:
    """The first person's save is held in its worker while the whole burst arrives, parsed by
    Textual's own XTermParser and posted at once as the driver posts one read."""
    saving = threading.Event()
    finish = threading.Event()

    @dataclass
    class SlowDesk(ScreeningDesk):
        def screen(self, *args: Any, **kwargs: Any) -> ScreeningResult:
            saving.set()
            finish.wait(HANG_GUARD_S)
            return super().screen(*args, **kwargs)

    app = make_app(SlowDesk(store=store, settings=settings), None, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        for key in XTermParser().feed("36.6\r36.7\r"):
            app.post_message(key)
        await until(pilot, saving.is_set)
        await pilot.pause(0.1)  # the rest of the burst is there meanwhile (not a timing check)
        finish.set()
        await until(pilot, lambda: len(table_rows(app)) == 2)
        assert app.screen.query_one("#temperature", Input).value == ""
    saved = log_rows(store, "SELECT value FROM reading WHERE purpose = 'screening' ORDER BY seq")
    assert saved == [(36.6,), (36.7,)]
