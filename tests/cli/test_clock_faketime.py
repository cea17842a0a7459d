"""The two clock cases of issue 14 through the real programs: `checkpoint hub serve` in its own
process, `checkpoint init` and `checkpoint sync` run under faketime (libfaketime) as a laptop
whose clock says 2099, or that booted in 1970. What the hub holds afterwards is checked.

libfaketime hangs this suite's timed waits inside pytest, so it is only ever given to the
short CLI subprocesses, each with a timeout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.reports.period import report_day_of
from checkpoint.store import records
from checkpoint.store.engine import open_store
from checkpoint.wire.clock import latest_today
from tests.sync.clock_logs import ClockLog
from tests.sync.conftest import free_port, start_hub_process

pytestmark = [
    pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime"),
    pytest.mark.slow,
]

CHECKPOINT = [sys.executable, "-m", "checkpoint"]
SHANGHAI_CUTOFF = 0  # the default report day: midnight to midnight


def run(
    home: Path, *args: str, fake: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CHECKPOINT_")}
    environment.update(CHECKPOINT_HOME=str(home), CHECKPOINT_UI__LANGUAGE="en", **env)
    command = [*CHECKPOINT, *args]
    if fake is not None:
        command = ["faketime", fake, *command]
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real `checkpoint hub serve` (the real clock): its address and database URL."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    process = start_hub_process(url, port, tmp_path / "hub.log")
    try:
        yield f"http://127.0.0.1:{port}", url
    finally:
        process.terminate()
        process.wait(timeout=30)


def enroll(home: Path, code: str, url: str) -> str:
    done = run(home, "hub", "enroll", code, "--db", url)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def laptop(
    home: Path, code: str, hub: str, token: str, *, fake: str | None = None
) -> dict[str, str]:
    env = {
        "CHECKPOINT_CHECKPOINT__ID": code,
        "CHECKPOINT_SYNC__HUB_URL": hub,
        "CHECKPOINT_SYNC__TOKEN": token,
    }
    done = run(home, "init", "--local-plates", "鄂K", "--lane", "进城", fake=fake, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return env


def screen(home: Path, opened: datetime, people: list[datetime]) -> None:
    """A shift opened at `opened` and people screened at `people`, each stamped by the laptop's
    clock of that moment (as the lane writes them)."""
    store = open_store(home / "checkpoint.db")
    try:
        log = ClockLog(store)
        with store.reading() as session:
            log.site = records.current_checkpoint(session=session)
        shift = log.open_shift(opened)
        for moment in people:
            log.screen(shift, moment)
    finally:
        store.close()


def held(url: str, code: str) -> list[date]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(db.reports.c.day)
                .where(db.reports.c.checkpoint_id == code)
                .order_by(db.reports.c.day)
            ).all()
    finally:
        engine.dispose()
    return [row.day for row in rows]


def local_day(moment: datetime) -> date:
    from zoneinfo import ZoneInfo

    return report_day_of(moment, zone=ZoneInfo("Asia/Shanghai"), cutoff_hour=SHANGHAI_CUTOFF)


def test_a_laptop_whose_clock_says_2099_at_sync(hub: tuple[str, str], tmp_path: Path) -> None:
    address, url = hub
    home = tmp_path / "laptop-2099"
    env = laptop(home, "HB-XG-2099", address, enroll(tmp_path, "HB-XG-2099", url))
    now = datetime.now(UTC)
    first = now - timedelta(days=3)
    screen(home, first, [first + timedelta(minutes=m) for m in range(3)])
    synced = run(home, "sync", fake="2099-01-01 10:00:00", **env)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "ahead of the hub's clock" in synced.stdout + synced.stderr
    days = held(url, "HB-XG-2099")
    # From the first shift's day to the hub's yesterday: never a day of 2098 or 2099.
    assert days and days[0] == local_day(first) and days[-1] < latest_today(now)
    assert len(days) <= 5, days


def test_a_log_whose_first_shift_opened_in_1970(hub: tuple[str, str], tmp_path: Path) -> None:
    address, url = hub
    home = tmp_path / "laptop-1970"
    token = enroll(tmp_path, "HB-XG-1970", url)
    env = laptop(home, "HB-XG-1970", address, token, fake="1970-01-01 00:05:00")
    now = datetime.now(UTC)
    booted = datetime(1970, 1, 1, 0, 6, tzinfo=UTC)
    screen(home, booted, [now - timedelta(days=1), now - timedelta(days=1, minutes=-5)])
    synced = run(home, "sync", **env)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    again = run(home, "sync", fake="1970-01-01 00:10:00", **env)  # the battery went flat again
    assert again.returncode == 0, again.stdout + again.stderr
    assert "behind the hub's clock" in again.stdout + again.stderr
    days = held(url, "HB-XG-1970")
    assert days and days[0] == local_day(now - timedelta(days=1)) and len(days) <= 2, days
    shown = run(home, "verify", **env)
    assert "Times go backwards" not in shown.stderr  # 1970 came first, then forward only
