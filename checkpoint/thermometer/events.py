"""What a thermometer reader reports: typed events, and counters for the status bar."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from checkpoint.domain.readings import Reading
from checkpoint.thermometer.protocols.base import FrameError, FrameErrorReason, Sample


class Status(StrEnum):
    """The state of the line and the device (labels: `thermometer.status.*`)."""

    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    RECONNECTING = "reconnecting"
    PORT_ERROR = "port-error"
    """The port cannot be opened (missing, no permission, held by another process)."""
    TIMEOUT = "timeout"
    """No data for longer than the timeout, or no answer to a request."""
    DATA_RESUMED = "data-resumed"
    AMBIENT_OUT_OF_RANGE = "ambient-out-of-range"
    """The sensor's ambient is outside what infrared guns work in (cold checkpoints)."""
    AMBIENT_IN_RANGE = "ambient-in-range"
    UNIT_CHANGED = "unit-changed"
    AMBIGUOUS_UNIT = "ambiguous-unit"
    """A bare number in 90–110: probably ℉, never silently converted."""
    SURFACE_ONLY = "surface-only"
    """Surface values arrive but no offset profile turns them into body estimates."""


class LiveState(StrEnum):
    """What a value in the stream is to the volunteer watching it."""

    NOBODY = "nobody"
    """Nobody in front: ambient-like, a surface value, or no value."""
    UNSTABLE = "unstable"
    """Someone in front, but the value is not (or not yet) a measurement."""
    MEASURED = "measured"
    """Part of the measurement already made for the person in front."""


@dataclass(frozen=True, slots=True)
class Measurement:
    """A stable body (or estimated-body) reading: what a screening records."""

    reading: Reading
    stable_by: str
    """"device" (the module's stability flag) or "agreement" (consecutive frames agreed)."""
    frames: int
    """Frames seen for this person before the value counted as stable."""
    no_gap: bool = False
    """Measured straight after another measurement, with no pause and nobody in front between:
    the value moved clearly (another person stepped up, or a fever showed)."""


@dataclass(frozen=True, slots=True)
class RawReading:
    """Every decoded value, stable or not, as a domain reading (for live display)."""

    sample: Sample
    reading: Reading
    state: LiveState = LiveState.NOBODY
    """Whether it is still to be measured or already counted (what the lane shows live)."""


@dataclass(frozen=True, slots=True)
class FrameErrorEvent:
    error: FrameError
    at: datetime


@dataclass(frozen=True, slots=True)
class StatusEvent:
    status: Status
    at: datetime
    port: str
    detail: str = ""


ThermometerEvent = Measurement | RawReading | FrameErrorEvent | StatusEvent


@dataclass
class Counters:
    """Running totals of one reader, for the status bar and `devices read`."""

    frames: int = 0
    measurements: int = 0
    errors: Counter[FrameErrorReason] = field(default_factory=Counter)
    reconnects: int = 0
    bytes_read: int = 0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())
