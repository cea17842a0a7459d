"""Slow or silent connections to the hub are closed: the HTTP server with deadlines.

uvicorn closes a keep-alive connection that stays idle (`timeout_keep_alive`), but nothing else:
its idle timer is cancelled by any byte received, and no timer runs while a request's headers
or body come in. A client sending one byte every few seconds (slowloris) would hold its
connection, and the request's worker waiting in `receive()`, for ever. An ASGI middleware cannot
help with the headers (the app is called only once they are whole), so the deadlines are kept
by the connection itself: uvicorn's h11 protocol with two timers.

- The headers of a request must be whole within `header_timeout_s` of the connection opening
  or of the previous answer on it (an idle connection is closed earlier, by the keep-alive).
- The body must be whole within `body_timeout_s` of the end of the headers. Time the hub itself
  spends not reading (the app busy, reading paused by flow control) does not count.

A request whose deadline passes has its connection closed (the app's `receive()` then says the
client disconnected), and the hub's log says which and why. Once a request is whole, no deadline
runs: storing a large batch takes the time it takes.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADERS: Final = "headers"
BODY: Final = "body"


class DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request does not arrive in time."""

    header_timeout_s: float = 20.0
    body_timeout_s: float = 120.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        self._phase = ""
        super().connection_made(transport)
        self._arm(HEADERS)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            # The next request on this connection (or what was pipelined) starts its clock now.
            self._disarm()
            self._follow()

    def _follow(self) -> None:
        """Set the deadline for what the client owes now."""
        state = self.conn.their_state
        if state is h11.IDLE:  # (the rest of) a request's headers
            if self._phase != HEADERS:
                self._arm(HEADERS)
        elif state is h11.SEND_BODY:
            if self._phase != BODY:
                self._arm(BODY)
        else:  # the request is whole (or the connection is ending): the hub's turn
            self._disarm()

    def _arm(self, phase: str) -> None:
        self._disarm()
        self._phase = phase
        seconds = self.header_timeout_s if phase == HEADERS else self.body_timeout_s
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = ""

    def _expired(self) -> None:
        self._deadline = None
        phase, self._phase = self._phase, ""
        if self.transport.is_closing():
            return
        if phase == BODY and self.flow.read_paused:  # the hub is not reading: not the client's
            self._arm(BODY)
            return
        seconds = self.header_timeout_s if phase == HEADERS else self.body_timeout_s
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        self.logger.warning(
            "Closed the connection from %s: the request's %s did not arrive within %g s "
            "([hub] %s_timeout_s).",
            client,
            phase,
            seconds,
            "header" if phase == HEADERS else "body",
        )
        self.transport.close()


def deadline_protocol(*, header_timeout_s: float, body_timeout_s: float) -> type[H11Protocol]:
    """`DeadlineProtocol` with these deadlines (uvicorn makes one per connection)."""
    return type(
        "DeadlineProtocol",
        (DeadlineProtocol,),
        {"header_timeout_s": header_timeout_s, "body_timeout_s": body_timeout_s},
    )


def server_config(
    app: Any,
    *,
    host: str,
    port: int,
    keep_alive_s: float,
    header_timeout_s: float,
    body_timeout_s: float,
    **options: Any,
) -> uvicorn.Config:
    """The uvicorn configuration of a hub: its app served with these deadlines (`options`:
    any other of uvicorn's settings, e.g. the TLS files and the log level)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=deadline_protocol(header_timeout_s=header_timeout_s, body_timeout_s=body_timeout_s),
        timeout_keep_alive=keep_alive_s,  # type: ignore[arg-type]  # a float works (call_later)
        **options,
    )
