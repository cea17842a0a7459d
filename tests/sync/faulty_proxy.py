"""A TCP proxy on 127.0.0.1 that breaks HTTP/1.1 exchanges between the sync client and a hub.

It understands just enough HTTP to find where a request and its response end (headers, then
Content-Length bytes), so each exchange can meet one fault, chosen at random from `faults`
with a seeded generator:

- `pass`: forwarded as is;
- `delay`: forwarded after a pause;
- `drop_request`: the connection is closed before the hub sees anything;
- `reset_mid_body`: half the request body reaches the hub, then both sides are reset (RST);
- `drop_response`: the hub handles the request, the client's connection is closed unanswered;
- `truncate_response`: the hub handles it, the client gets half of the answer, then EOF;
- `duplicate`: the request is sent to the hub twice, at once, on two connections; the client
  gets one of the answers;
- `hold`: the request waits at the proxy until `release()` (a hub that hangs), then passes.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Sequence

FAULTS = (
    "pass",
    "delay",
    "drop_request",
    "reset_mid_body",
    "drop_response",
    "truncate_response",
    "duplicate",
)


def _read_message(sock: socket.socket, buffer: bytearray) -> bytes | None:
    """One HTTP message (headers and Content-Length body) from `sock`; None at EOF."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    end = buffer.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buffer[:end]).split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(buffer) < end + length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    message = bytes(buffer[: end + length])
    del buffer[: end + length]
    return message


def _reset(sock: socket.socket) -> None:
    # SO_LINGER 0: close() sends RST instead of FIN.
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FaultyProxy:
    """Listens on 127.0.0.1:`port`, forwards to 127.0.0.1:`upstream_port`, breaking things."""

    def __init__(
        self,
        upstream_port: int,
        *,
        faults: Sequence[str] = FAULTS,
        weights: Sequence[float] | None = None,
        seed: int = 0,
        delay: float = 0.2,
    ) -> None:
        self.upstream_port = upstream_port
        self.faults = list(faults)
        self.weights = list(weights) if weights is not None else None
        self.random = random.Random(seed)
        self.delay = delay
        self.seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._stopped = False
        self._released = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> FaultyProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped = True
        self._released.set()
        self._listener.close()

    def release(self) -> None:
        """Let the requests held by `hold` (and any later ones) through."""
        self._released.set()

    def _choose(self) -> str:
        with self._lock:
            fault = self.random.choices(self.faults, self.weights)[0]
            self.seen[fault] += 1
            return fault

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _exchange(self, request: bytes) -> bytes | None:
        """Send `request` to the hub on a new connection; its answer, None if there was none."""
        try:
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=120) as up:
                up.sendall(request)
                return _read_message(up, bytearray())
        except OSError:
            return None

    def _serve(self, client: socket.socket) -> None:
        buffer = bytearray()
        try:
            while True:
                request = _read_message(client, buffer)
                if request is None:
                    client.close()
                    return
                fault = self._choose()
                if fault == "drop_request":
                    client.close()
                    return
                if fault == "reset_mid_body":
                    with socket.create_connection(("127.0.0.1", self.upstream_port)) as up:
                        up.sendall(request[: max(1, len(request) // 2)])
                        time.sleep(0.05)
                        _reset(up)
                    _reset(client)
                    return
                if fault == "delay":
                    time.sleep(self.random.uniform(0, self.delay))
                if fault == "hold":
                    self._released.wait()
                if fault == "duplicate":
                    answers: list[bytes | None] = [None, None]

                    def send(
                        i: int, answers: list[bytes | None] = answers, request: bytes = request
                    ) -> None:
                        answers[i] = self._exchange(request)

                    threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join()
                    response = answers[self.random.randrange(2)]
                else:
                    response = self._exchange(request)
                if response is None or fault == "drop_response":
                    client.close()
                    return
                if fault == "truncate_response":
                    client.sendall(response[: len(response) // 2])
                    client.close()
                    return
                client.sendall(response)
        except OSError:
            client.close()
