"""Every answer of the hub says the hub's time; a caller that says its own is told its skew.

A plain ASGI middleware (it only adds headers to the answer's start): the batch route is the
hub's hot path, and Starlette's `BaseHTTPMiddleware` would cost it a task per request.

A laptop learns from `HUB_TIME_HEADER` how far its clock is from the hub's; a hub forwarding
to its parent sends `SENT_AT_HEADER` and is told, on every forward, `SKEW_HEADER`: how far its
own clock is from its parent's (`forward.py` says so and logs it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from checkpoint.wire.clock import HUB_TIME_HEADER, SENT_AT_HEADER, SKEW_HEADER, utc_text

_SENT_AT = SENT_AT_HEADER.lower().encode("latin-1")


def _sent_at(scope: Scope) -> datetime | None:
    for name, value in scope.get("headers", ()):
        if name == _SENT_AT:
            try:
                moment = datetime.fromisoformat(value.decode("latin-1"))
            except (ValueError, UnicodeDecodeError):
                return None
            return moment.astimezone(UTC) if moment.tzinfo is not None else None
    return None


class ClockHeaders:
    """Adds the hub's time, and the caller's skew when it said its time, to every answer."""

    def __init__(self, app: ASGIApp, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_at = _sent_at(scope)

        async def with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                now = self.clock()
                headers = list(message.get("headers", []))
                headers.append((HUB_TIME_HEADER.encode(), utc_text(now).encode()))
                if sent_at is not None:
                    try:
                        skew = round((sent_at - now).total_seconds())
                    except OverflowError:
                        skew = None
                    if skew is not None:
                        headers.append((SKEW_HEADER.encode(), str(skew).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_time)
