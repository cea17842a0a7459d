"""The background sync loop without a screen: outcomes, causes in words, backoff, stopping."""

from __future__ import annotations

import queue
import threading

from checkpoint.sync.background import (
    BackgroundSync,
    Synced,
    SyncFailure,
    SyncTiming,
    backoff_delay,
)
from checkpoint.sync.client import Cause, Problem
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub, fill, free_port, log_records

QUICK = SyncTiming(debounce_s=0.05, first_backoff_s=0.2, max_backoff_s=0.5, timeout_s=10)


def test_backoff_doubles_from_the_first_wait_up_to_the_cap() -> None:
    timing = SyncTiming(first_backoff_s=10, max_backoff_s=240)
    middle = [backoff_delay(n, timing, jitter=lambda: 0.5) for n in range(1, 8)]
    assert middle == [10, 20, 40, 80, 160, 240, 240]
    assert backoff_delay(1, timing, jitter=lambda: 0.0) == 8
    assert backoff_delay(9, timing, jitter=lambda: 1.0) == 240


class Running:
    """`BackgroundSync.run` in a thread, its outcomes in a queue."""

    def __init__(self, runner: BackgroundSync) -> None:
        self.runner = runner
        self.outcomes: queue.Queue[Synced | SyncFailure] = queue.Queue()
        self.thread = threading.Thread(
            target=runner.run, args=(self.outcomes.put, self.outcomes.put), daemon=True
        )
        self.thread.start()

    def next(self) -> Synced | SyncFailure:
        return self.outcomes.get(timeout=60)  # a guard against hangs

    def stop(self) -> None:
        self.runner.stop()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()


def test_the_log_reaches_the_hub_and_new_records_follow_after_a_nudge(log: Scene, hub: Hub) -> None:
    token = hub.enroll()
    runner = BackgroundSync(
        log.store,
        hub_url=hub.address,
        token=token,
        checkpoint_id=CHECKPOINT,
        interval_s=3600,  # only nudges bring the second sync
        timing=QUICK,
    )
    running = Running(runner)
    try:
        first = running.next()
        assert isinstance(first, Synced) and first.unsynced == 0 and first.stored > 400
        assert first.last_success_at is not None
        fill(log, 5)
        runner.nudge()
        second = running.next()
        assert isinstance(second, Synced) and second.stored == 10 and second.unsynced == 0
        assert hub.held() == log_records(log.store)
    finally:
        running.stop()


def test_an_unreachable_hub_is_a_failure_with_its_cause_and_a_growing_wait(log: Scene) -> None:
    runner = BackgroundSync(
        log.store,
        hub_url=f"http://127.0.0.1:{free_port()}",
        token="t",
        checkpoint_id=CHECKPOINT,
        interval_s=3600,
        timing=QUICK,
    )
    running = Running(runner)
    try:
        failures = [running.next() for _ in range(3)]
    finally:
        running.stop()
    for failure in failures:
        assert isinstance(failure, SyncFailure)
        assert (failure.problem, failure.cause) == (Problem.UNREACHABLE, Cause.REFUSED)
        assert failure.unsynced == len(log_records(log.store))
        assert failure.last_success_at is None
    waits = [f.retry_in_s for f in failures if isinstance(f, SyncFailure)]
    assert waits[0] < waits[1] <= 0.5 and waits[2] <= 0.5


def test_a_refused_token_says_so(log: Scene, hub: Hub) -> None:
    hub.enroll()
    runner = BackgroundSync(
        log.store,
        hub_url=hub.address,
        token="not-a-token",
        checkpoint_id=CHECKPOINT,
        interval_s=3600,
        timing=QUICK,
    )
    running = Running(runner)
    try:
        failure = running.next()
    finally:
        running.stop()
    assert isinstance(failure, SyncFailure)
    assert (failure.problem, failure.status) == (Problem.TOKEN, 401)
