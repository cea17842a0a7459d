"""Start-up time: `checkpoint run --simulate` to its first interactive screen, against a minimal
Textual app, both in fresh interpreters in the same run. Target: ratio <= 1.5.

Each run starts the real program on a pseudo-terminal, as a volunteer would from a shell: the
installed `checkpoint` command (configuration, the log opened and migrated, the risk-area list,
a simulator on a pty and the reader, the screens), or a minimal Textual app (an Input and a
footer). "First interactive screen" means the first screen that takes keys (the shift-start
form, or the lane when a shift is resumed): the bench types a marker character every few
milliseconds and the time is measured from spawning the process to the first frame that shows
the marker in a field. Runs are interleaved so that drift hits both alike; medians are printed.

    python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tty
from pathlib import Path

MINIMAL = """
from textual.app import App, ComposeResult
from textual.widgets import Footer, Input

class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Input()
        yield Footer()

Minimal().run()
"""

MARKER = "¤"
"""Typed into whatever field has the focus; it shows on screen only once a field took it."""
KEY_INTERVAL = 0.005
QUIT = b"\x11"  # Ctrl+Q quits both apps
TARGET = 1.5
COLUMNS, LINES = 100, 30


def _checkpoint_command() -> list[str]:
    """The `checkpoint` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "checkpoint"
    if script.exists():
        return [str(script)]
    found = shutil.which("checkpoint")
    if found is None:
        raise SystemExit("the checkpoint command is not installed (pip install -e .)")
    return [found]


def _terminal() -> tuple[int, int]:
    """A pty pair sized like a small terminal, raw, so that nothing is echoed before the app."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    tty.setraw(follower)
    return leader, follower


def _read(fd: int, timeout: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the program closed the terminal
        return b""


def time_to_keys(argv: list[str], env: dict[str, str], *, limit: float = 30.0) -> float:
    """Seconds from spawning `argv` on a terminal to its first frame showing a typed key."""
    leader, follower = _terminal()
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True
    )
    os.close(follower)
    marker = MARKER.encode()
    seen = b""
    ready = None
    next_key = started
    try:
        while ready is None:
            now = time.perf_counter()
            if now - started > limit:
                raise RuntimeError(f"no screen took keys in {limit} s: {seen[-500:]!r}")
            if now >= next_key:
                os.write(leader, marker)
                next_key = now + KEY_INTERVAL
            seen += _read(leader, KEY_INTERVAL / 2)
            if marker in seen:
                ready = time.perf_counter() - started
            elif process.poll() is not None:
                raise RuntimeError(f"the program ended ({process.returncode}): {seen[-2000:]!r}")
        os.write(leader, QUIT)
        deadline = time.perf_counter() + 10
        while process.poll() is None and time.perf_counter() < deadline:
            _read(leader, 0.05)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    return ready


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    checkpoint = [*_checkpoint_command(), "run", "--simulate"]
    minimal = [sys.executable, "-c", MINIMAL]
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "CHECKPOINT_HOME": home,
            "TERM": "xterm-256color",
            "COLUMNS": str(COLUMNS),
            "LINES": str(LINES),
        }
        time_to_keys(checkpoint, env)  # the first run creates and migrates the log; not counted
        app_times, minimal_times = [], []
        for _ in range(args.runs):  # interleaved, so drift hits both alike
            app_times.append(time_to_keys(checkpoint, env))
            minimal_times.append(time_to_keys(minimal, env))
    app, base = statistics.median(app_times), statistics.median(minimal_times)
    ratio = app / base
    print(f"runs: {args.runs} each, interleaved; medians")
    print(f"checkpoint run --simulate -> first screen taking keys: {app * 1000:7.0f} ms")
    print(f"minimal Textual app -> first screen taking keys:      {base * 1000:7.0f} ms")
    print(f"ratio: {ratio:.2f}  target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
