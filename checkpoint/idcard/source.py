"""The ID card reader and the scanner a screen reads: configured devices, a simulator, or none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checkpoint.config import Settings
from checkpoint.idcard.reader import IdCardReader, IdReaderSettings
from checkpoint.idcard.simulator import IdCardSimulator
from checkpoint.scanner.reader import ScannerReader


@dataclass
class IdReaderSource:
    """A reader, and the simulator behind it when it is simulated."""

    reader: IdCardReader
    simulator: IdCardSimulator | None = None

    @property
    def simulated(self) -> bool:
        return self.simulator is not None

    @property
    def label(self) -> str:
        return f"{self.reader.name} {self.reader.settings.target}"

    def stop(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()


def id_reader_settings(settings: Settings, *, target: str) -> IdReaderSettings:
    section = settings.id_reader
    return IdReaderSettings(
        target=target, baudrate=section.baudrate, poll_interval_s=section.poll_interval_s
    )


def id_reader_source(settings: Settings, *, port: str | None = None) -> IdReaderSource | None:
    """The configured reader (or the one at `port`); None when there is none."""
    target = port or settings.id_reader.port
    if target is None:
        return None
    return IdReaderSource(IdCardReader(id_reader_settings(settings, target=target)))


def simulated_id_reader(
    settings: Settings, *, link: Path | None = None, seed: int | None = None
) -> IdReaderSource:
    """A simulated reader on a pty (made-up cards), read through the normal serial path."""
    simulator = IdCardSimulator(seed=seed, link=link)
    target = simulator.start()
    return IdReaderSource(IdCardReader(id_reader_settings(settings, target=target)), simulator)


def scanner_source(settings: Settings) -> ScannerReader | None:
    """The configured serial scanner; None when there is none."""
    section = settings.scanner
    if section.port is None:
        return None
    return ScannerReader(section.port, baudrate=section.baudrate)
