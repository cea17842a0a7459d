"""The ID card reader's driver: find → select → read while the lane is open, one event a card.

`IdCardReader.events(stop)` opens the port (a path or a pyserial URL, exclusively, through the
thermometer's transport), asks the reader's status, then polls "find card". When a card is
there it selects and reads it, checks its text and reports `CardRead` (or `CardRefused`) once;
the card lying there is not read again until a poll finds no card (`CARD_REMOVED`). Unplugged,
it closes, backs off 0.5 s → 5 s, finds the device again (same path, by-id link, USB ids) and
goes on. A blocking generator for a worker thread; `stop` ends it within a read timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import serial

from checkpoint.idcard.card import CardError, decode_card
from checkpoint.idcard.events import (
    CardRead,
    CardRefused,
    IdCardEvent,
    ReaderStatus,
    ReaderStatusEvent,
)
from checkpoint.idcard.frames import (
    FIND,
    READ_BASE,
    SELECT,
    STATUS,
    SW3,
    Command,
    Frame,
    FrameFault,
    FrameParser,
    FrameProblem,
    encode_command,
    split_base_information,
)
from checkpoint.thermometer.protocols.base import SerialSettings
from checkpoint.thermometer.transport import (
    LINE_ERRORS,
    DeviceIdentity,
    PortError,
    identify,
    open_port,
    port_error,
    relocate,
)

PROTOCOL = "id-card"
"""The protocol's name in `[id_reader] protocol` and on the command line."""
BAUDRATES = (115200, 57600, 38400, 19200, 9600)
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 5.0

_FAILED_STATUS: dict[int, ReaderStatus] = {
    SW3.NOT_AUTHORISED: ReaderStatus.NOT_AUTHORISED,
    SW3.SELF_TEST_FAILED: ReaderStatus.SELF_TEST_FAILED,
    SW3.BAD_CHECKSUM: ReaderStatus.BAD_CHECKSUM,
}


@dataclass(frozen=True, slots=True)
class IdReaderSettings:
    """How to read one ID card reader; defaults are those of `[id_reader]`."""

    target: str
    """Device path or pyserial URL."""
    baudrate: int = 115200
    poll_interval_s: float = 0.3
    """Seconds between "find card" polls while nothing is on the reader."""
    answer_timeout_s: float = 1.0
    """An answer not complete after this long is a timeout (a full read is 0.11 s at 115200)."""
    read_timeout_s: float = 0.02


class _NoAnswerError(Exception):
    """No answer within the timeout."""


def _port_error(target: str, error: BaseException) -> PortError:
    """The transport's error in the ID reader's words (the plug, the group to join)."""
    found = error if isinstance(error, PortError) else port_error(target, error)
    return PortError.of(found.code.replace("thermometer.", "idcard.", 1), **found.params)


class IdCardReader:
    """Reads one ID card reader until stopped. One thread iterates `events`."""

    def __init__(
        self,
        settings: IdReaderSettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        today: Callable[[], date] = date.today,
    ) -> None:
        self.settings = settings
        self.name = PROTOCOL
        self._clock = clock
        self._today = today
        self._identity: DeviceIdentity | None = None
        self._last_status: ReaderStatus | None = None
        self.cards = 0
        self.faults = 0

    # -- the loop -------------------------------------------------------------------------

    def events(self, stop: threading.Event) -> Generator[IdCardEvent, None, None]:
        backoff = BACKOFF_FIRST_S
        target = self.settings.target
        while not stop.is_set():
            try:
                port = open_port(
                    target,
                    SerialSettings(baudrate=self.settings.baudrate),
                    timeout=self.settings.read_timeout_s,
                )
            except PortError as error:
                yield self._status(ReaderStatus.PORT_ERROR, _port_error(target, error).message)
                yield self._status(ReaderStatus.RECONNECTING, f"{backoff:.1f} s")
                if stop.wait(backoff):
                    return
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                target = self._where_now(target)
                continue
            if self._identity is None:
                self._identity = identify(target)
            backoff = BACKOFF_FIRST_S
            yield self._status(ReaderStatus.CONNECTED, self._identity.describe())
            try:
                yield from self._poll(port, stop)
                return
            except LINE_ERRORS as error:
                yield self._status(ReaderStatus.DISCONNECTED, _port_error(target, error).message)
            finally:
                port.close()
            yield self._status(ReaderStatus.RECONNECTING, f"{backoff:.1f} s")
            if stop.wait(backoff):
                return
            target = self._where_now(target)

    def _where_now(self, target: str) -> str:
        if self._identity is None:
            return target
        return relocate(self._identity) or target

    def _poll(self, port: serial.SerialBase, stop: threading.Event) -> Iterator[IdCardEvent]:
        parser = FrameParser()
        card_on = False
        ready = False
        while not stop.is_set():
            try:
                if not ready:
                    answer = self._ask(port, parser, STATUS, stop)
                    if answer.sw3 != SW3.SUCCESS:
                        yield from self._failed(answer.sw3)
                        stop.wait(BACKOFF_MAX_S)
                        continue
                    ready = True
                found = self._ask(port, parser, FIND, stop)
                if found.sw3 == SW3.NO_CARD:
                    yield from self._once(
                        ReaderStatus.CARD_REMOVED if card_on else ReaderStatus.NO_CARD
                    )
                    card_on = False
                elif found.sw3 == SW3.CARD_FOUND and not card_on:
                    # A read that failed (the card moved, a bad frame) is tried again at the
                    # next poll; a read or refused card is not, until it has been taken away.
                    card_on = yield from self._read_card(port, parser, stop)
                elif found.sw3 not in (SW3.CARD_FOUND, SW3.SUCCESS):
                    ready = found.sw3 not in _FAILED_STATUS  # ask the status again
                    yield from self._failed(found.sw3)
            except _NoAnswerError:
                parser.reset()
                ready = False
                yield from self._once(ReaderStatus.TIMEOUT, f"{self.settings.answer_timeout_s} s")
            except _DamagedFrameError as fault:
                self.faults += 1
                yield from self._once(ReaderStatus.BAD_CHECKSUM, fault.raw.hex(" ")[:48])
            stop.wait(self.settings.poll_interval_s)

    def _read_card(
        self, port: serial.SerialBase, parser: FrameParser, stop: threading.Event
    ) -> Generator[IdCardEvent, None, bool]:
        """Select and read the card found; True once it was read (or refused)."""
        selected = self._ask(port, parser, SELECT, stop)
        if selected.sw3 != SW3.SUCCESS:
            yield from self._failed(selected.sw3)
            return False
        answer = self._ask(port, parser, READ_BASE, stop)
        if answer.sw3 != SW3.SUCCESS:
            yield from self._failed(answer.sw3)
            return False
        parts = split_base_information(answer.data)
        if parts is None:
            yield from self._failed(answer.sw3, detail=f"{len(answer.data)} bytes")
            return False
        text, _photo_length = parts  # the photo is neither decoded nor kept
        self._last_status = None
        try:
            card = decode_card(text, today=self._today())
        except CardError as error:
            yield CardRefused(error, self._clock())
            return True
        self.cards += 1
        yield CardRead(card, self._clock())
        return True

    def _ask(
        self, port: serial.SerialBase, parser: FrameParser, command: Command, stop: threading.Event
    ) -> Frame:
        return ask(port, parser, command, stop, timeout_s=self.settings.answer_timeout_s)

    # -- events ---------------------------------------------------------------------------

    def _failed(self, sw3: int, *, detail: str = "") -> Iterator[ReaderStatusEvent]:
        status = _FAILED_STATUS.get(sw3, ReaderStatus.READ_FAILED)
        yield from self._once(status, detail or f"SW3 {sw3:02X}")

    def _once(self, status: ReaderStatus, detail: str = "") -> Iterator[ReaderStatusEvent]:
        """A state the reader stays in is said once, not once per poll (a card taken away
        leaves the reader with no card: said once too)."""
        idle = (ReaderStatus.CARD_REMOVED, ReaderStatus.NO_CARD)
        if status is ReaderStatus.NO_CARD and self._last_status in idle:
            return
        if status is not self._last_status:
            yield self._status(status, detail)

    def _status(self, status: ReaderStatus, detail: str = "") -> ReaderStatusEvent:
        self._last_status = status
        return ReaderStatusEvent(status, self._clock(), self.settings.target, detail)


def ask(
    port: serial.SerialBase,
    parser: FrameParser,
    command: Command,
    stop: threading.Event,
    *,
    timeout_s: float,
) -> Frame:
    """Send `command` and wait for its answer (stale bytes before it are dropped).

    `_NoAnswerError` when no answer comes within `timeout_s`, `_DamagedFrameError` for a bad one.
    """
    port.reset_input_buffer()
    parser.reset()
    port.write(encode_command(command))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stop.is_set():
        chunk = port.read(port.in_waiting or 1)
        if not chunk:
            continue
        for decoded in parser.feed(chunk):
            if isinstance(decoded, Frame):
                return decoded
            if decoded.problem is not FrameProblem.NOISE:
                raise _DamagedFrameError(decoded)
    raise _NoAnswerError()


class _DamagedFrameError(Exception):
    def __init__(self, fault: FrameFault) -> None:
        super().__init__(fault.problem.value)
        self.raw = fault.raw


def probe_reader(target: str, *, baudrate: int = 115200, seconds: float = 1.0) -> bool:
    """Whether an ID card reader answers on `target` at `baudrate` (a status request, then
    "find card"). PortError when the port cannot be opened."""
    port = open_port(target, SerialSettings(baudrate=baudrate), timeout=0.02)
    stop = threading.Event()
    try:
        for command in (STATUS, FIND):
            try:
                ask(port, FrameParser(), command, stop, timeout_s=seconds)
            except (_NoAnswerError, _DamagedFrameError):
                return False
        return True
    except LINE_ERRORS as error:
        raise _port_error(target, error) from error
    finally:
        port.close()
