"""Finding a USB thermometer again after a replug, and what opening a bad port says."""

from __future__ import annotations

from pathlib import Path

import pytest
from serial.tools.list_ports_common import ListPortInfo

from checkpoint.thermometer.protocols.base import SerialSettings
from checkpoint.thermometer.transport import (
    DeviceIdentity,
    PortError,
    by_id_links,
    identify,
    open_port,
    relocate,
)


def _usb_port(device: str, vid: int, pid: int, serial_number: str) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.serial_number = vid, pid, serial_number
    return info


def test_a_device_is_identified_by_its_usb_ids(tmp_path: Path) -> None:
    device = tmp_path / "ttyUSB0"
    device.touch()
    identity = identify(str(device), [_usb_port(str(device), 0x1A86, 0x7523, "A1")])
    assert (identity.vid, identity.pid, identity.serial_number) == (0x1A86, 0x7523, "A1")
    assert "1a86:7523" in identity.describe()


def test_the_same_path_is_used_while_it_exists(tmp_path: Path) -> None:
    device = tmp_path / "ttyUSB0"
    device.touch()
    assert relocate(DeviceIdentity(path=str(device), vid=1, pid=2)) == str(device)


def test_after_a_replug_the_by_id_link_finds_it(tmp_path: Path) -> None:
    by_id = tmp_path / "by-id"
    by_id.mkdir()
    new_device = tmp_path / "ttyUSB1"
    new_device.touch()
    link = by_id / "usb-1a86_USB_Serial-if00-port0"
    link.symlink_to(new_device)
    assert by_id_links(by_id) == {str(new_device): str(link)}
    gone = DeviceIdentity(path=str(tmp_path / "ttyUSB0"), by_id=str(link))
    assert relocate(gone) == str(link)


def test_after_a_replug_the_usb_ids_find_it_under_another_name(tmp_path: Path) -> None:
    gone = DeviceIdentity(
        path=str(tmp_path / "ttyUSB0"), vid=0x1A86, pid=0x7523, serial_number="A1"
    )
    ports = [
        _usb_port("/dev/ttyUSB3", 0x0403, 0x6001, "FT1"),
        _usb_port("/dev/ttyUSB2", 0x1A86, 0x7523, "B9"),
        _usb_port("/dev/ttyUSB1", 0x1A86, 0x7523, "A1"),
    ]
    assert relocate(gone, ports) == "/dev/ttyUSB1"
    assert relocate(gone, ports[:2]) is None


def test_a_missing_port_says_so(tmp_path: Path) -> None:
    with pytest.raises(PortError) as caught:
        open_port(str(tmp_path / "ttyUSB9"), SerialSettings(9600), timeout=0.1)
    assert caught.value.code == "thermometer.port_missing"
    assert "checkpoint devices" in caught.value.hint


def test_a_bad_url_is_a_port_error() -> None:
    with pytest.raises(PortError) as caught:
        open_port("socket://127.0.0.1:1", SerialSettings(9600), timeout=0.1)
    assert caught.value.code == "thermometer.port_failed"
