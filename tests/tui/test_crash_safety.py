"""Crash safety: the real app killed with SIGKILL at 20 random moments of a scripted session.

Every person the screen showed as saved must be in the log with their reading, the log must
verify, the killed process must leave no lock behind, and the next start must resume the open
shift. One log is reused across the kills, each restart resuming the shift as after a real crash.

The session runs in its own process (`crash_session.py`) and reports each saved person on
stdout; a seed picks the kill moment (after k reported saves, plus 0-50 ms), so a kill lands
wherever the session happens to be: in a save, a disinfection, a turn-back, a follow-up screen.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from checkpoint.config import Settings, load_settings
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import open_store
from checkpoint.store.verify import ChainReport, walk
from checkpoint.tui.app import make_app
from checkpoint.tui.screens.screening import ScreeningScreen

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is a POSIX signal")

KILLS = 20
SESSION = Path(__file__).with_name("crash_session.py")
HANG_GUARD_S = 60.0
"""A session that never reaches its kill moment is stopped after this long (then it fails)."""


@dataclass(frozen=True)
class Kill:
    """One session and what the log held right after it was killed, before any restart."""

    seed: int
    after: int
    """Reported saves before the kill was sent."""
    exit_code: int
    reported: tuple[uuid.UUID, ...]
    """Every person the session reported as saved, including any in the 0-50 ms after."""
    missing: tuple[uuid.UUID, ...]
    """Reported but not in table person."""
    without_reading: tuple[uuid.UUID, ...]
    """Reported, in table person, but without their screening reading."""
    chain: ChainReport
    integrity: str
    stderr: str


@dataclass(frozen=True)
class CrashedLog:
    home: Path
    database: Path
    kills: tuple[Kill, ...]


def child_environment(home: Path) -> dict[str, str]:
    """The test's environment without any CHECKPOINT_* setting, files under `home`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CHECKPOINT_")}
    environment["CHECKPOINT_HOME"] = str(home)
    return environment


def run_and_kill(database: Path, home: Path, seed: int) -> tuple[int, int, list[uuid.UUID], str]:
    """Start a session, SIGKILL it after k reported saves plus a little: (k, exit code, ids
    reported, stderr)."""
    rng = random.Random(seed)
    after = rng.randint(1, 15)
    delay = rng.uniform(0.0, 0.05)
    errors = home / f"session-{seed}.stderr"
    with errors.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(SESSION), str(database), str(home), str(seed)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=child_environment(home),
        )
    guard = threading.Timer(HANG_GUARD_S, process.kill)
    guard.start()
    reported: list[uuid.UUID] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(b"SAVED "):
                reported.append(uuid.UUID(hex=line.split()[1].decode()))
            if len(reported) == after:
                time.sleep(delay)
                process.send_signal(signal.SIGKILL)
                break
        # Lines written between the k-th one and the kill were shown too: read them all.
        for line in process.stdout:
            if line.startswith(b"SAVED "):
                reported.append(uuid.UUID(hex=line.split()[1].decode()))
        exit_code = process.wait()
    finally:
        guard.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    return after, exit_code, reported, errors.read_text(errors="replace")


def inspect_log(database: Path) -> tuple[set[uuid.UUID], set[uuid.UUID], ChainReport, str]:
    """People, people with a screening reading, the chain walk and SQLite's integrity check,
    read the way `checkpoint verify` reads a log (not exclusive, nothing created)."""
    with (
        open_store(database, exclusive=False, create=False) as store,
        store.reading() as session,
    ):
        connection = session.connection()
        people = {uuid.UUID(hex=r[0]) for r in connection.exec_driver_sql("SELECT id FROM person")}
        screened = {
            uuid.UUID(hex=r[0])
            for r in connection.exec_driver_sql(
                "SELECT person_id FROM reading WHERE purpose = 'screening'"
            )
        }
        integrity = str(connection.exec_driver_sql("PRAGMA quick_check").scalar_one())
        return people, screened, walk(session), integrity


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> CrashedLog:
    """The 20 kills over one log; each kill's findings are kept for the tests below."""
    home = tmp_path_factory.mktemp("crash")
    database = home / "checkpoint.db"
    kills = []
    for seed in range(KILLS):
        after, exit_code, reported, stderr = run_and_kill(database, home, seed)
        people, screened, chain, integrity = inspect_log(database)
        kills.append(
            Kill(
                seed=seed,
                after=after,
                exit_code=exit_code,
                reported=tuple(reported),
                missing=tuple(p for p in reported if p not in people),
                without_reading=tuple(p for p in reported if p in people and p not in screened),
                chain=chain,
                integrity=integrity,
                stderr=stderr,
            )
        )
    return CrashedLog(home, database, tuple(kills))


def test_every_session_was_killed_where_the_seed_said(crashed: CrashedLog) -> None:
    for kill in crashed.kills:
        # A session that died by itself or hung would make the other findings meaningless.
        assert kill.exit_code == -signal.SIGKILL, (kill.seed, kill.stderr[-2000:])
        assert len(kill.reported) >= kill.after, (kill.seed, kill.stderr[-2000:])


def test_every_person_shown_as_saved_survives_the_kill(crashed: CrashedLog) -> None:
    assert sum(len(kill.reported) for kill in crashed.kills) >= KILLS
    for kill in crashed.kills:
        assert kill.missing == (), f"seed {kill.seed}: shown as saved, not in the log"
        assert kill.without_reading == (), f"seed {kill.seed}: a person without their reading"
    people, screened, _, _ = inspect_log(crashed.database)
    reported = {p for kill in crashed.kills for p in kill.reported}
    assert reported <= people and reported <= screened  # and still there after the restarts


def test_the_log_verifies_after_every_kill(crashed: CrashedLog) -> None:
    for kill in crashed.kills:
        assert kill.integrity == "ok", f"seed {kill.seed}: {kill.integrity}"
        problem = kill.chain.problem
        assert problem is None, f"seed {kill.seed}: {problem and problem.describe()}"


def test_checkpoint_verify_passes_on_the_crashed_log(crashed: CrashedLog) -> None:
    environment = child_environment(crashed.home)
    environment["CHECKPOINT_STORAGE__DATABASE"] = str(crashed.database)
    environment["CHECKPOINT_UI__LANGUAGE"] = "en"
    result = subprocess.run(
        [sys.executable, "-m", "checkpoint", "verify", "--json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["problem"] is None
    reported = sum(len(kill.reported) for kill in crashed.kills)
    assert report["records"] > reported  # a person and a reading each, and more


def test_a_killed_process_leaves_no_lock(crashed: CrashedLog) -> None:
    # The exclusive opening a restart does; StoreError "in use" if the lock had outlived
    # the process (the 19 restarts above already depended on it).
    with open_store(crashed.database) as store:
        assert store.path == crashed.database


async def test_the_next_start_resumes_the_open_shift(crashed: CrashedLog) -> None:
    settings: Settings = load_settings(None, env={"CHECKPOINT_HOME": str(crashed.home)}).settings
    with open_store(crashed.database) as store:
        with store.reading() as session:
            shifts = session.connection().exec_driver_sql("SELECT id FROM shift").fetchall()
        assert len(shifts) == 1  # opened by the first session, resumed by the other 19
        app = make_app(ScreeningDesk(store=store, settings=settings), None, language="en")
        async with app.run_test(size=(100, 30)) as pilot:
            deadline = time.monotonic() + HANG_GUARD_S
            # Until the lane is complete (its on_mount ends by focusing the temperature):
            # leaving while its selects still mount fails inside Textual.
            while not (isinstance(app.screen, ScreeningScreen) and app.focused is not None):
                assert time.monotonic() < deadline, "the app never got there"
                await pilot.pause(0.05)
            assert app.shift is not None and app.shift.resumed
            assert app.shift.id == uuid.UUID(hex=shifts[0][0])
