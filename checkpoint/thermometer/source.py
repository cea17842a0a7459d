"""The thermometer a screen reads: a configured device, or a simulator on a pty, or none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checkpoint.config import Settings
from checkpoint.thermometer.reader import Reader
from checkpoint.thermometer.setup import make_protocol, reader_settings
from checkpoint.thermometer.simulator import Simulator


@dataclass
class ThermometerSource:
    """A reader, and the simulator behind it when the device is simulated."""

    reader: Reader
    simulator: Simulator | None = None

    @property
    def simulated(self) -> bool:
        return self.simulator is not None

    @property
    def label(self) -> str:
        """Protocol and port, for the status bar."""
        return f"{self.reader.protocol.name} {self.reader.settings.target}"

    def stop(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()


def device_source(
    settings: Settings, *, port: str, protocol: str | None = None
) -> ThermometerSource:
    """A real device at `port` (a path or a pyserial URL)."""
    device = make_protocol(settings.thermometer, protocol)
    return ThermometerSource(Reader(device, reader_settings(settings, device, target=port)))


def simulated_source(
    settings: Settings,
    *,
    protocol: str | None = None,
    link: Path | None = None,
    seed: int | None = None,
    fever_rate: float = 0.05,
) -> ThermometerSource:
    """A simulator started on a pty, read through the normal serial path."""
    device = make_protocol(settings.thermometer, protocol)
    simulator = Simulator(
        make_protocol(settings.thermometer, protocol), link=link, seed=seed, fever_rate=fever_rate
    )
    target = simulator.start()
    reader = Reader(device, reader_settings(settings, device, target=target))
    return ThermometerSource(reader, simulator)
