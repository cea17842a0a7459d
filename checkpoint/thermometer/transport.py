"""Opening a serial line: a device path or a pyserial URL, exclusively, with clear errors.

Also remembers what a USB device is (its /dev/serial/by-id link, VID:PID and serial number) so
that after an unplug it can be found again under another /dev/ttyUSBn name.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import serial
from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

from checkpoint.errors import CheckpointError
from checkpoint.thermometer.protocols.base import SerialSettings

try:
    from termios import error as _termios_error
except ImportError:  # pragma: no cover - Windows has no termios
    _termios_error = OSError  # type: ignore[assignment,misc]

LINE_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, _termios_error)
"""What a line that went away raises (flushing an unplugged pty's input is a termios error)."""
BY_ID = Path("/dev/serial/by-id")
WRITE_TIMEOUT_S = 1.0


class PortError(CheckpointError):
    """The serial port cannot be opened or used."""


def _is_url(target: str) -> bool:
    return "://" in target


def open_port(target: str, settings: SerialSettings, *, timeout: float) -> serial.SerialBase:
    """Open `target` (a device path or a pyserial URL) with `settings`, flushed of stale input.

    Device paths are opened exclusively, so a second program on the same port fails at once.
    """
    port: serial.SerialBase | None = None
    try:
        if _is_url(target):
            port = serial.serial_for_url(target, do_not_open=True)
        else:
            port = serial.Serial()
            port.port = target
            port.exclusive = True
        port.baudrate = settings.baudrate
        port.bytesize = settings.bytesize
        port.parity = settings.parity
        port.stopbits = settings.stopbits
        port.timeout = timeout
        port.write_timeout = WRITE_TIMEOUT_S
        port.open()
        # Bytes written while nobody read are queued by the OS: they belong to nobody now.
        port.reset_input_buffer()
    except (serial.SerialException, ValueError, OSError) as error:
        if port is not None:
            with contextlib.suppress(Exception):
                port.close()
        raise port_error(target, error) from error
    return port


def port_error(target: str, error: BaseException) -> PortError:
    """A user-facing error for a failure to open or use `target`."""
    text = str(error)
    number = getattr(error, "errno", None)
    if "exclusively lock" in text or number in (errno.EBUSY, errno.EAGAIN):
        return PortError.of("thermometer.port_busy", port=target)
    if number == errno.ENOENT or "[Errno 2]" in text or "No such file" in text:
        return PortError.of("thermometer.port_missing", port=target)
    if number == errno.EACCES or "Permission denied" in text or "[Errno 13]" in text:
        return PortError.of("thermometer.port_permission", port=target)
    return PortError.of("thermometer.port_failed", port=target, detail=text)


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """What a port was when it was opened, to find the same device after a replug."""

    path: str
    by_id: str | None = None
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None

    def describe(self) -> str:
        usb = f"{self.vid:04x}:{self.pid:04x}" if self.vid is not None and self.pid else ""
        return " ".join(p for p in (self.path, self.by_id or "", usb) if p)


def by_id_links(folder: Path = BY_ID) -> dict[str, str]:
    """Resolved device path → its /dev/serial/by-id link (stable across replugs)."""
    links: dict[str, str] = {}
    if folder.is_dir():
        for link in sorted(folder.iterdir()):
            links.setdefault(os.path.realpath(link), str(link))
    return links


def identify(target: str, ports: Iterable[ListPortInfo] | None = None) -> DeviceIdentity:
    """The identity of the device at `target` (only the path for URLs and ptys)."""
    if _is_url(target):
        return DeviceIdentity(path=target)
    real = os.path.realpath(target)
    by_id = by_id_links().get(real)
    for info in list_ports.comports() if ports is None else ports:
        if os.path.realpath(info.device) == real and info.vid is not None:
            return DeviceIdentity(target, by_id, info.vid, info.pid, info.serial_number)
    return DeviceIdentity(path=target, by_id=by_id)


def relocate(identity: DeviceIdentity, ports: Iterable[ListPortInfo] | None = None) -> str | None:
    """Where the device is now: the same path, its by-id link, or a port with the same USB ids."""
    if _is_url(identity.path) or Path(identity.path).exists():
        return identity.path
    if identity.by_id and Path(identity.by_id).exists():
        return identity.by_id
    if identity.vid is None:
        return None
    for info in list_ports.comports() if ports is None else ports:
        if (info.vid, info.pid) == (identity.vid, identity.pid) and (
            identity.serial_number is None or info.serial_number == identity.serial_number
        ):
            return str(info.device)
    return None
