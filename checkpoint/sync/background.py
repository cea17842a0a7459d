"""Syncing in the background while the lane works: a loop that never holds the log for long.

`BackgroundSync.run` blocks (the TUI runs it in a thread worker) and reports each outcome
through two callbacks. It syncs every `interval_s`, soon after `nudge()` (new records; a burst
of nudges within `debounce_s` makes one sync), and after a failure waits with exponential
backoff capped at `max_backoff_s` whatever the nudges, so a dead hub is not hammered.

It shares the open `Store` of the desk (the instance lock allows one opening per log): reads go
through `Store.reading()`, a WAL snapshot that never blocks the lane's writes, and the mark is
written in a unit of work of its own per batch, a single-row update that holds the write lock
for a moment. The HTTP requests run outside any transaction.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from checkpoint.errors import CheckpointError
from checkpoint.store.engine import Store
from checkpoint.store.sync_state import held_back_count, sync_state, unsynced_count
from checkpoint.sync.client import Cause, HubClient, Problem, SyncError, sync


@dataclass(frozen=True)
class SyncTiming:
    """How often and how hard the background sync tries."""

    debounce_s: float = 2.0
    """After new records, wait this long for more before syncing."""
    first_backoff_s: float = 10.0
    """The wait after a first failure; it doubles with each failure in a row."""
    max_backoff_s: float = 240.0
    """The longest wait between two tries after failures."""
    batch_size: int = 500
    """Records per request: small batches keep each step (and the GIL) short."""
    retries: int = 2
    """Quick retries within one sync before it counts as a failure."""
    timeout_s: float = 20.0
    """Seconds to wait for the hub in one request (also bounds how long stopping can take)."""


def backoff_delay(
    failures: int, timing: SyncTiming, jitter: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after `failures` failures in a row (>= 1), with ±20 % jitter."""
    base = min(timing.max_backoff_s, timing.first_backoff_s * 2.0 ** max(0, failures - 1))
    return float(min(timing.max_backoff_s, base * (0.8 + 0.4 * jitter())))


@dataclass(frozen=True)
class Synced:
    """A sync that reached the end."""

    unsynced: int
    """Records the hub has not acknowledged yet (saved while the sync ran)."""
    last_success_at: datetime | None
    stored: int
    """Records the hub stored for the first time in this sync."""
    held_back: int = 0
    """Records and daily reports held back from the hub (they cannot be sent; the rest went)."""


@dataclass(frozen=True)
class SyncFailure:
    """A sync that stopped, and when the next one starts."""

    problem: Problem | None
    """What went wrong with the hub; None for a failure of the local log (`error`)."""
    retry_in_s: float
    unsynced: int | None
    """Records the hub has not acknowledged; None when the log could not be read."""
    last_success_at: datetime | None
    cause: Cause | None = None
    status: int | None = None
    held_back: int | None = None
    """Records and daily reports held back from the hub; None when the log could not be read."""
    error: CheckpointError | None = None
    """The error itself, for a failure of the local log (its own message in each language)."""
    refusal: SyncError | None = None
    """The hub's refusal or the HTTPS failure, said in words from its code."""


class BackgroundSync:
    """Sends the log to one hub in the background until `stop()`."""

    def __init__(
        self,
        store: Store,
        *,
        hub_url: str,
        token: str,
        checkpoint_id: str,
        interval_s: float,
        timing: SyncTiming | None = None,
    ) -> None:
        self.store = store
        self.hub_url = hub_url.rstrip("/")
        self._token = token
        self.checkpoint_id = checkpoint_id
        self.interval_s = interval_s
        self.timing = timing or SyncTiming()
        self._stopped = threading.Event()
        self._wake = threading.Event()
        self._nudged = threading.Event()

    def nudge(self) -> None:
        """New records are in the log: sync soon (unless waiting after a failure)."""
        self._nudged.set()
        self._wake.set()

    def stop(self) -> None:
        """End `run` at its next wait (a request in flight ends within `timeout_s`)."""
        self._stopped.set()
        self._wake.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def run(
        self,
        on_synced: Callable[[Synced], object],
        on_failed: Callable[[SyncFailure], object],
    ) -> None:
        """Sync, report, wait; again until stopped. Blocking: run it in a thread."""
        failures = 0
        with HubClient(self.hub_url, self._token, timeout=self.timing.timeout_s) as client:
            while not self.stopped:
                # Records saved from here on nudge again, so none waits for the interval.
                self._nudged.clear()
                outcome = self._sync_once(client, failures + 1)
                if self.stopped:
                    return
                if isinstance(outcome, Synced):
                    failures = 0
                    on_synced(outcome)
                    self._wait_for_records()
                else:
                    failures += 1
                    on_failed(outcome)
                    self._sleep(outcome.retry_in_s)

    def _sleep(self, seconds: float) -> None:
        """Wait `seconds`, or less if stopped; nudges do not shorten it."""
        self._stopped.wait(seconds)

    def _wait_for_records(self) -> None:
        """Wait for the interval, or for new records and then `debounce_s` more."""
        self._wake.wait(self.interval_s)
        self._wake.clear()
        if self._nudged.is_set() and not self.stopped:
            self._sleep(self.timing.debounce_s)

    def _standing(self) -> tuple[int, datetime | None, int]:
        with self.store.reading() as session:
            state = sync_state(session=session, hub=self.hub_url)
            unsynced = unsynced_count(session=session, hub=self.hub_url)
            held = held_back_count(session=session, hub=self.hub_url)
        return unsynced, state.last_success_at if state is not None else None, held

    def _sync_once(self, client: HubClient, failures: int) -> Synced | SyncFailure:
        timing = self.timing
        try:
            summary = sync(
                self.store,
                client,
                checkpoint_id=self.checkpoint_id,
                batch_size=timing.batch_size,
                retries=timing.retries,
                sleep=self._sleep,
            )
            unsynced, last_success_at, held = self._standing()
        except SyncError as error:
            unknown, last_success_at, held_or_unknown = self._standing_or_unknown()
            return SyncFailure(
                problem=error.problem,
                cause=error.cause,
                status=error.status,
                refusal=error,
                retry_in_s=backoff_delay(failures, timing),
                unsynced=unknown,
                last_success_at=last_success_at,
                held_back=held_or_unknown,
            )
        except CheckpointError as error:  # the local log (disk full, locked…)
            unknown, last_success_at, held_or_unknown = self._standing_or_unknown()
            return SyncFailure(
                problem=None,
                error=error,
                retry_in_s=backoff_delay(failures, timing),
                unsynced=unknown,
                last_success_at=last_success_at,
                held_back=held_or_unknown,
            )
        # Records held back (refused by the hub or the wire) are not a failure: the rest went,
        # and they are counted on the status bar until they go.
        return Synced(
            unsynced=unsynced,
            last_success_at=last_success_at,
            stored=summary.stored,
            held_back=held,
        )

    def _standing_or_unknown(self) -> tuple[int | None, datetime | None, int | None]:
        try:
            return self._standing()
        except CheckpointError:
            return None, None, None
