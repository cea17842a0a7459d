"""Messages the workers post to the screens: small, typed, in the past tense."""

from __future__ import annotations

from textual.message import Message

from checkpoint.screening.desk import ScreeningResult, ShiftCounters
from checkpoint.thermometer.events import Measurement, RawReading, StatusEvent


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
        return isinstance(message, ReadingReceived)


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
