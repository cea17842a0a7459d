"""A code scanner on a serial line: lines of text in, one `CodeScanned` event per scan.

Same transport as the thermometer (a path or a pyserial URL, exclusive, found again after a
replug with a 0.5 s → 5 s backoff). A scan ends with CR, LF or both; a scan whose end never
comes (the cable pulled mid-scan) is dropped after `line_timeout_s`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from checkpoint.scanner.codes import MAX_TOKEN
from checkpoint.thermometer.protocols.base import SerialSettings
from checkpoint.thermometer.transport import (
    LINE_ERRORS,
    PortError,
    identify,
    open_port,
    port_error,
    relocate,
)

BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 5.0


class ScannerStatus(StrEnum):
    """Labels: `scanner.status.*`."""

    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    RECONNECTING = "reconnecting"
    PORT_ERROR = "port-error"


@dataclass(frozen=True, slots=True)
class CodeScanned:
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ScannerStatusEvent:
    status: ScannerStatus
    at: datetime
    port: str
    detail: str = ""


ScannerEvent = CodeScanned | ScannerStatusEvent


class LineSplitter:
    """Scans out of bytes fed in any pieces (pure, for the reader and its tests)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def reset(self) -> None:
        self._buffer.clear()

    @property
    def pending(self) -> bool:
        return bool(self._buffer)

    def feed(self, chunk: bytes) -> list[str]:
        self._buffer += chunk
        scans: list[str] = []
        while True:
            ends = [i for i in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if i >= 0]
            if not ends:
                break
            end = min(ends)
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            text = line.decode("utf-8", errors="replace").strip()
            if text:
                scans.append(text[:MAX_TOKEN])
        if len(self._buffer) > MAX_TOKEN * 4:
            self._buffer.clear()  # no line end in sight: not a scanner in serial mode
        return scans


class ScannerReader:
    """Reads one scanner until stopped. One thread iterates `events`."""

    def __init__(
        self,
        target: str,
        *,
        baudrate: int = 9600,
        line_timeout_s: float = 1.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.target = target
        self.baudrate = baudrate
        self.line_timeout_s = line_timeout_s
        self._clock = clock

    def _status(self, status: ScannerStatus, detail: str = "") -> ScannerStatusEvent:
        return ScannerStatusEvent(status, self._clock(), self.target, detail)

    def events(self, stop: threading.Event) -> Generator[ScannerEvent, None, None]:
        backoff = BACKOFF_FIRST_S
        target = self.target
        identity = None
        while not stop.is_set():
            try:
                port = open_port(target, SerialSettings(baudrate=self.baudrate), timeout=0.05)
            except PortError as error:
                yield self._status(ScannerStatus.PORT_ERROR, error.message)
                if stop.wait(backoff):
                    return
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                target = relocate(identity) or target if identity else target
                continue
            identity = identity or identify(target)
            backoff = BACKOFF_FIRST_S
            yield self._status(ScannerStatus.CONNECTED, identity.describe())
            splitter = LineSplitter()
            last = time.monotonic()
            try:
                while not stop.is_set():
                    chunk = port.read(port.in_waiting or 1)
                    now = time.monotonic()
                    if chunk:
                        last = now
                        for text in splitter.feed(chunk):
                            yield CodeScanned(text, self._clock())
                    elif splitter.pending and now - last > self.line_timeout_s:
                        splitter.reset()
                return
            except LINE_ERRORS as error:
                yield self._status(ScannerStatus.DISCONNECTED, port_error(target, error).message)
            finally:
                port.close()
            yield self._status(ScannerStatus.RECONNECTING, f"{backoff:.1f} s")
            if stop.wait(backoff):
                return
            target = relocate(identity) or target
