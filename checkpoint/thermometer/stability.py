"""When a stream of readings becomes one measurement: presence, ramp-up and stability.

Readings ramp up as a person steps up (and after power-on): a value counts once the device says
it is stable, or once consecutive frames agree within a tolerance. One person gives one
measurement: the filter re-arms when the value falls back to "nobody in front" (values near
ambient), when the device says it is measuring again (its stable flag drops), after a pause in
the stream (modules that only send while someone is in front), or when the reader resets it.

A fever is never swallowed by that rule: at a busy lane the next person can step up as the
last one steps away, so the value goes straight from one stable value to another with no gap
and no "nobody" between (36.5 → 38.1). A new stable value that differs clearly from the one
measured (`change_c`), or that is at or over the threshold when the one measured was not, is a
new measurement. Drift within `change_c` (the same person moving a little) is not.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from checkpoint.domain.fever import FeverRule
from checkpoint.domain.readings import BODY_SITES, Reading
from checkpoint.thermometer.events import LiveState, Measurement


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
    change_c: float = 0.5
    """A stable value at least this many ℃ from the one measured, with no gap and nobody-in-
    front between, is a new measurement (another person stepped up). One person's value moves
    by 0.1–0.3 ℃ as they lean in; 0.5 stays clear of that and far below a fever's jump."""
    fever: FeverRule = field(default_factory=FeverRule)
    """The threshold in force: a stable value at or over it after one measured under it is a
    new measurement however small the change (a fever is never swallowed)."""


class StabilityFilter:
    """Feeds on body readings; returns a Measurement once per person when stable, and again
    when the stable value changes clearly without anyone stepping away."""

    def __init__(self, settings: StabilitySettings) -> None:
        self.settings = settings
        self._recent: deque[float] = deque(maxlen=max(1, settings.frames))
        self._seen = 0
        self._measured: Reading | None = None
        """The measurement made for the person in front, None until there is one."""
        self._last_at: datetime | None = None

    def reset(self) -> None:
        """Forget the current person (stream interrupted, reconnect)."""
        self._recent.clear()
        self._seen = 0
        self._measured = None
        self._last_at = None

    def push(self, reading: Reading, device_stable: bool | None) -> Measurement | None:
        """The measurement `reading` completes, if any."""
        if not self._present(reading):
            if reading.site in BODY_SITES and reading.value_c is not None:
                self.reset()  # nobody in front: the next value is the next person
            return None
        assert reading.value_c is not None
        last, self._last_at = self._last_at, reading.taken_at
        if last is not None and (reading.taken_at - last).total_seconds() > self.settings.gap_s:
            self.reset()
            self._last_at = reading.taken_at
        if self._measured is not None and device_stable is False:
            self.reset()  # measuring again: the next person stepped up without a gap
            self._last_at = reading.taken_at
        self._seen += 1
        self._recent.append(reading.value_c)
        if device_stable is False:
            return None
        agreed = (
            len(self._recent) >= self.settings.frames
            and max(self._recent) - min(self._recent) <= self.settings.delta_c + 1e-9
        )
        if self._measured is None:
            if device_stable:
                return self._emit(reading, "device", no_gap=False)
            return self._emit(reading, "agreement", no_gap=False) if agreed else None
        # Measured already: the same person unless the stable value moved clearly (even a
        # module that keeps its flag up must show it over several agreeing frames).
        if agreed and self._new_value(reading):
            return self._emit(reading, "device" if device_stable else "agreement", no_gap=True)
        return None

    def state_of(self, reading: Reading) -> LiveState:
        """What `reading` (just pushed) is to the volunteer: nobody, not yet a measurement,
        or part of the measurement already made."""
        if not self._present(reading):
            return LiveState.NOBODY
        if self._measured is not None and not self._new_value(reading):
            return LiveState.MEASURED
        return LiveState.UNSTABLE

    def _present(self, reading: Reading) -> bool:
        return (
            reading.site in BODY_SITES
            and reading.value_c is not None
            and reading.value_c >= self.settings.presence_min_c
        )

    def _new_value(self, reading: Reading) -> bool:
        measured = self._measured
        if measured is None or measured.value_c is None or reading.value_c is None:
            return True
        if abs(reading.value_c - measured.value_c) >= self.settings.change_c - 1e-9:
            return True
        fever = self.settings.fever
        return fever.assess(reading).at_or_over and not fever.assess(measured).at_or_over

    def _emit(self, reading: Reading, stable_by: str, *, no_gap: bool) -> Measurement:
        self._measured = reading
        return Measurement(reading=reading, stable_by=stable_by, frames=self._seen, no_gap=no_gap)
