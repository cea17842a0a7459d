"""The reader on a pyserial URL: a module behind a serial-to-TCP converter (socket://)."""

from __future__ import annotations

import socket
import threading
import time

from checkpoint.thermometer.events import Measurement, Status, StatusEvent, ThermometerEvent
from checkpoint.thermometer.protocols.aa55 import Aa55
from checkpoint.thermometer.protocols.base import Emission
from checkpoint.thermometer.reader import Reader, ReaderSettings


def _serve(server: socket.socket, sessions: list[list[float]], stop: threading.Event) -> None:
    """Accept one connection per session and stream its values as aa55 frames, then hang up."""
    protocol = Aa55()
    for values in sessions:
        connection, _ = server.accept()
        with connection:
            for value in values:
                if stop.is_set():
                    return
                connection.sendall(protocol.encode(Emission(value_c=value)))
                time.sleep(0.02)


def test_a_module_on_a_tcp_converter_is_read_and_reconnected() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    person = [24.0, 24.1, 33.0, 36.5, 36.5, 36.6, 36.5, 24.2, 24.0]
    stop = threading.Event()
    feeder = threading.Thread(
        target=_serve, args=(server, [person, [24.0, *person[2:]]], stop), daemon=True
    )
    feeder.start()
    events: list[ThermometerEvent] = []
    reader = Reader(Aa55(), ReaderSettings(target=f"socket://127.0.0.1:{port}", timeout_s=2.0))
    deadline = time.monotonic() + 30
    try:
        for event in reader.events(stop):
            events.append(event)
            if sum(isinstance(e, Measurement) for e in events) == 2 or time.monotonic() > deadline:
                stop.set()
    finally:
        stop.set()
        server.close()
        feeder.join(timeout=5)
    measured = [round(e.reading.value_c or 0, 1) for e in events if isinstance(e, Measurement)]
    # The frame that completes three agreeing values is the one recorded, as it was received.
    assert measured == [36.6, 36.6]
    statuses = [e.status for e in events if isinstance(e, StatusEvent)]
    assert statuses.count(Status.CONNECTED) == 2
    assert Status.DISCONNECTED in statuses
