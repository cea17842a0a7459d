"""One `checkpoint run` per log, through the real command in two processes on pseudo-terminals.

The second is refused before any screen, naming the log and the process that holds it, in the
configured language, with exit code 1 and no traceback. The lock is the operating system's: a
first program killed with SIGKILL holds nothing, and the next start goes ahead. And a restart
with a shift left open shows the lane first, never the shift form.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time
import tty
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from checkpoint.config import load_settings
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import open_store
from checkpoint.store.instance_lock import lock_file
from tests.cli.test_run import (
    FAILURE_EXIT,
    HANG_GUARD_S,
    OK_EXIT,
    checkpoint_command,
    environment,
    home,
    run_on_terminal,
)

__all__ = ["home"]  # the fixture, shared with test_run


@contextmanager
def running(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """`checkpoint run` on a pty, left running (its screen drawn) until the block ends."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    tty.setraw(follower)
    process = subprocess.Popen(
        [*checkpoint_command(), "run"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + HANG_GUARD_S
    try:
        while b"Start of shift" not in seen:
            assert time.monotonic() < deadline, f"checkpoint run hung: {seen[-2000:]!r}"
            assert process.poll() is None, f"checkpoint run ended: {seen[-2000:]!r}"
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready:
                seen += os.read(leader, 65536)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(leader)


def test_a_second_instance_is_refused_at_once_and_a_killed_one_holds_nothing(home: Path) -> None:
    env = environment(home)
    database = load_settings(None, env=env).settings.storage.database
    with running(env) as first:
        assert lock_file(database).read_bytes().strip(b"\0\n") == str(first.pid).encode()

        code, output = run_on_terminal(env)
        assert code == FAILURE_EXIT, output
        assert f"{database} is in use by another running checkpoint (process {first.pid})" in (
            " ".join(output.split())
        )
        assert "Ctrl+Q" in output
        assert "Start of shift" not in output and "Traceback" not in output

        code, output = run_on_terminal(environment(home, CHECKPOINT_UI__LANGUAGE="zh-CN"))
        assert code == FAILURE_EXIT, output
        assert f"进程 {first.pid}" in output and "上岗" not in output

        first.send_signal(signal.SIGKILL)
        first.wait()
    # A crash leaves the lock file, not the lock: the next start takes keys as usual.
    assert lock_file(database).exists()
    code, output = run_on_terminal(env, type_until="¤".encode())
    assert code == OK_EXIT, output
    assert "Start of shift" in output


def test_a_restart_with_an_open_shift_shows_the_lane_first(home: Path) -> None:
    env = environment(home)
    loaded = load_settings(None, env=env)
    with open_store(loaded.settings.storage.database) as store:
        ScreeningDesk(store=store, settings=loaded.settings).open_shift(leader="Li", operators=[])

    code, output = run_on_terminal(env, type_until="¤".encode())

    assert code == OK_EXIT, output
    assert "Start of shift" not in output and "Shift leader" not in output
    assert "Resuming the open shift (leader Li)" in output
