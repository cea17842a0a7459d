"""Messages the workers post to the screens: small, typed, in the past tense."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

# Types only: the first screen is shown before the desk (and SQLAlchemy behind it) is imported.
if TYPE_CHECKING:
    from checkpoint.domain.clock import ClockFacts
    from checkpoint.idcard.events import CardRead, CardRefused, ReaderStatusEvent
    from checkpoint.scanner.reader import CodeScanned, ScannerStatusEvent
    from checkpoint.screening.desk import ScreeningDesk, ScreeningResult, ShiftCounters, ShiftInfo
    from checkpoint.sync.background import Synced, SyncFailure
    from checkpoint.thermometer.events import Measurement, RawReading, StatusEvent
    from checkpoint.thermometer.source import ThermometerSource


class DeskOpened(Message):
    """The log is open behind the first screen: the desk, the thermometer, an open shift."""

    def __init__(
        self,
        desk: ScreeningDesk,
        thermometer: ThermometerSource | None,
        shift: ShiftInfo | None,
    ) -> None:
        super().__init__()
        self.desk = desk
        self.thermometer = thermometer
        self.shift = shift
        """The shift left open (a restart, a crash), to resume; None to start one."""


class MeasurementReceived(Message):
    """A stable body reading from the thermometer."""

    def __init__(self, measurement: Measurement) -> None:
        super().__init__()
        self.measurement = measurement


class ReadingReceived(Message):
    """Any value from the thermometer (live display); a burst collapses to the newest."""

    def __init__(self, reading: RawReading) -> None:
        super().__init__()
        self.reading = reading

    def can_replace(self, message: Message) -> bool:
        # Within one state only: the last unsettled value before "nobody" is what the lane
        # keeps showing as not measured, so it must not be collapsed away.
        return isinstance(message, ReadingReceived) and message.reading.state is self.reading.state


class ThermometerStatusChanged(Message):
    def __init__(self, event: StatusEvent) -> None:
        super().__init__()
        self.event = event


class ScreeningSaved(Message):
    """A person and their reading are in the log (only now is the row shown)."""

    def __init__(
        self, result: ScreeningResult, counters: ShiftCounters, shown: str, who: str = ""
    ) -> None:
        super().__init__()
        self.result = result
        self.counters = counters
        self.shown = shown
        self.who = who
        """The person's name and document, masked for the screen."""
        """The temperature text that was saved, to clear the field if it still shows it."""


class ClockChecked(Message):
    """What the log and the last sync say about the laptop's clock (`screening.clock_check`)."""

    def __init__(self, facts: ClockFacts) -> None:
        super().__init__()
        self.facts = facts


class SyncFinished(Message):
    """A background sync reached the end: what is left unsent, when the last success was."""

    def __init__(self, outcome: Synced) -> None:
        super().__init__()
        self.outcome = outcome


class SyncFailed(Message):
    """A background sync stopped: why, and when the next try starts."""

    def __init__(self, failure: SyncFailure) -> None:
        super().__init__()
        self.failure = failure


class CardPlaced(Message):
    """An ID card was placed on the reader and its text read and checked."""

    def __init__(self, event: CardRead) -> None:
        super().__init__()
        self.event = event


class CardTurnedDown(Message):
    """A card was read but its text fails a check: not used."""

    def __init__(self, event: CardRefused) -> None:
        super().__init__()
        self.event = event


class IdReaderStatusChanged(Message):
    def __init__(self, event: ReaderStatusEvent) -> None:
        super().__init__()
        self.event = event


class CodeWasScanned(Message):
    """A serial scanner delivered a scan (a health-code token, an ID number)."""

    def __init__(self, event: CodeScanned) -> None:
        super().__init__()
        self.event = event


class ScannerStatusChanged(Message):
    def __init__(self, event: ScannerStatusEvent) -> None:
        super().__init__()
        self.event = event
