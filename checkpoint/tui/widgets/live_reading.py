"""Beside the temperature field: the thermometer's value that is not (yet) a measurement.

While someone is in front and the value has not settled, it shows live; when they step away
before it settles, it stays, marked "not measured", so that a value the volunteer would
otherwise never see (a fever among them) is not lost. It is only ever shown: the person's
temperature is what becomes a measurement (in the field) or what the volunteer types.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.reactive import reactive
from textual.widgets import Static

from checkpoint.domain.fever import FeverRule
from checkpoint.domain.readings import BODY_SITES, Reading
from checkpoint.thermometer.events import LiveState, RawReading


class LiveReading(Static):
    """Hidden while there is nothing to show; `t` translates in the screen's language."""

    reading: reactive[Reading | None] = reactive(None, init=False)
    """The newest body value not counted as a measurement; None: nothing to show."""
    present: reactive[bool] = reactive(False, init=False)
    """Someone is still in front (the value is live); False: they left before it settled."""

    def __init__(self, t: Callable[..., str], fever: FeverRule, *, id: str) -> None:
        super().__init__(id=id)
        self._t = t
        self._fever = fever
        self.display = False

    def follow(self, raw: RawReading) -> None:
        """Take the newest value from the stream."""
        if raw.reading.site not in BODY_SITES:
            return  # surface values and the sensor's ambient are no one's temperature
        if raw.state is LiveState.UNSTABLE:
            self.reading = raw.reading
            self.present = True
        elif raw.state is LiveState.MEASURED:
            self.reading = None  # the field holds it now
        else:
            self.present = False

    def clear(self) -> None:
        self.reading = None

    def watch_reading(self) -> None:
        self.relabel()

    def watch_present(self) -> None:
        self.relabel()

    def relabel(self) -> None:
        reading = self.reading
        self.display = reading is not None and reading.value_c is not None
        if reading is None or reading.value_c is None:
            return
        value = f"{reading.value_c:.1f}"
        key = "devices.live.in_front" if self.present else "devices.live.left"
        self.update(self._t(key, value=value))
        self.set_class(self._fever.assess(reading).at_or_over, "fever")
        self.set_class(not self.present, "left")
