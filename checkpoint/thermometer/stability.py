"""When a stream of readings becomes one measurement: presence, ramp-up and stability.

Readings ramp up as a person steps up (and after power-on): a value counts once the device says
it is stable, or once consecutive frames agree within a tolerance. One person gives one
measurement: the filter re-arms when the value falls back to "nobody in front" (values near
ambient), when the device says it is measuring again (its stable flag drops), after a pause in
the stream (modules that only send while someone is in front), or when the reader resets it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from checkpoint.domain.readings import BODY_SITES, Reading
from checkpoint.thermometer.events import Measurement


@dataclass(frozen=True, slots=True)
class StabilitySettings:
    delta_c: float = 0.2
    """Consecutive values within this many ℃ of each other agree."""
    frames: int = 3
    """How many consecutive agreeing frames make a stable value."""
    presence_min_c: float = 30.0
    """Body values below this mean nobody is in front (a wall or the air: near ambient)."""
    gap_s: float = 1.5
    """A pause this long between body values means the next value is another person."""


class StabilityFilter:
    """Feeds on body readings; returns a Measurement once per person when stable."""

    def __init__(self, settings: StabilitySettings) -> None:
        self.settings = settings
        self._recent: deque[float] = deque(maxlen=max(1, settings.frames))
        self._seen = 0
        self._emitted = False
        self._last_at: datetime | None = None

    def reset(self) -> None:
        """Forget the current person (stream interrupted, reconnect)."""
        self._recent.clear()
        self._seen = 0
        self._emitted = False
        self._last_at = None

    def push(self, reading: Reading, device_stable: bool | None) -> Measurement | None:
        """The measurement `reading` completes, if any."""
        if reading.site not in BODY_SITES or reading.value_c is None:
            return None
        if reading.value_c < self.settings.presence_min_c:
            self.reset()
            return None
        last, self._last_at = self._last_at, reading.taken_at
        if last is not None and (reading.taken_at - last).total_seconds() > self.settings.gap_s:
            self.reset()
            self._last_at = reading.taken_at
        if self._emitted and device_stable is False:
            self.reset()  # measuring again: the next person stepped up without a gap
            self._last_at = reading.taken_at
        self._seen += 1
        if self._emitted:
            return None
        if device_stable is not None:
            if not device_stable:
                return None
            self._emitted = True
            return Measurement(reading=reading, stable_by="device", frames=self._seen)
        self._recent.append(reading.value_c)
        if len(self._recent) < self.settings.frames:
            return None
        if max(self._recent) - min(self._recent) > self.settings.delta_c + 1e-9:
            return None
        self._emitted = True
        return Measurement(reading=reading, stable_by="agreement", frames=self._seen)
