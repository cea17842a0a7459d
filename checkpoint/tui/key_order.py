"""Keys applied strictly in the order they arrived, each after the previous one has settled.

Textual's driver reads the terminal in a thread and posts every key of one read to the app at
once. The app forwards each key to the widget focused *at that moment*, but a focus move
(`Widget.focus()` is a callback queued behind those keys), a save running in a worker, or a
screen being pushed all take effect later. A scanner, tmux or a fast typist that sends
"Li⏎Wang⏎" or "36.6⏎36.7⏎" in one read would otherwise type "Wang" into the field Enter just
left, or "36.7" into a field whose value is still being saved.

So the app hands each key to `KeyOrder`: while the previous key's consequences are still
pending (a message queued anywhere on the screen, a callback waiting for the refresh, or a
screen that says it `holds_keys`), the key waits in a queue; when everything has settled the
next one is posted again. A key typed slowly meets a settled app and goes straight through.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

HeldEvent = events.Key | events.Paste

NEVER_HELD: Final = frozenset({"ctrl+q"})
"""Quitting is never queued behind a save that does not finish."""
ROUND_TIMEOUT_S: Final = 0.5
"""A message pump that takes longer than this to drain (a handler awaiting something) is not
waited for: keys must not freeze behind it."""
MAX_HOLD_S: Final = 10.0
"""A screen that holds keys longer than this (a save blocked on a locked log) gets them anyway,
still in order: a frozen keyboard would be worse."""
POLL_S: Final = 0.005
"""How often a screen that holds keys is asked again."""


class KeyOrder:
    """The queue of keys waiting for the app to settle; one per app."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._waiting: deque[HeldEvent] = deque()
        self._released: HeldEvent | None = None
        """The key posted again from the queue: it goes through when it comes back."""
        self._settling = False
        """A key was applied and its consequences may still be pending."""
        self._task: asyncio.Task[None] | None = None

    async def handle(
        self, event: events.Event, apply: Callable[[events.Event], Awaitable[None]]
    ) -> None:
        """Apply `event` now with `apply` (the app's own handling), or queue it for later."""
        if not isinstance(event, HeldEvent) or event.is_forwarded:
            await apply(event)  # not a key, or a key on its way down to a widget
            return
        never_held = isinstance(event, events.Key) and event.key in NEVER_HELD
        if event is self._released:
            self._released = None
        elif not never_held and (self._settling or self._waiting):
            self._waiting.append(event)
            return
        await apply(event)
        if not never_held:
            # Later keys wait until this one has settled.
            self._settling = True
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._release_when_settled())

    def close(self) -> None:
        """The app is leaving: keys still waiting are dropped with it."""
        if self._task is not None:
            self._task.cancel()

    async def _release_when_settled(self) -> None:
        await self._settled()
        if not self._waiting:
            self._settling = False
            return
        # Still settling: keys arriving meanwhile queue behind this one.
        self._released = self._waiting.popleft()
        self._app.post_message(self._released)

    async def _settled(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_HOLD_S
        while loop.time() < deadline:
            await self._drain()
            if self._quiet():
                return
            await asyncio.sleep(POLL_S)

    def _pumps(self) -> list[MessagePump]:
        try:
            screen = self._app.screen
        except Exception:  # no screen yet, or the app is closing: nothing to wait for
            return [self._app]
        return [self._app, *screen.walk_children(with_self=True)]

    async def _drain(self) -> None:
        """Wait until every pump of the screen has processed what was queued before now
        (as Textual's Pilot does between two keys)."""
        pending = 0
        drained = asyncio.Event()

        def done() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:
                drained.set()

        for pump in self._pumps():
            if pump.call_later(done):
                pending += 1
        if pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(drained.wait(), ROUND_TIMEOUT_S)

    def _quiet(self) -> bool:
        """Nothing left to happen before the next key: no message queued on the screen, no
        callback waiting for the refresh (a focus move), and the screen not busy."""
        try:
            screen = self._app.screen
        except Exception:
            return True
        if getattr(screen, "holds_keys", False):
            return False
        # Private to Textual (pinned): the queue of each pump and the screen's after-refresh
        # callbacks, where `call_after_refresh(field.focus)` waits.
        if screen._callbacks:
            return False
        return all(
            pump._message_queue.empty() and not pump._next_callbacks for pump in self._pumps()
        )
