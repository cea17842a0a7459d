"""Protocol plug-ins through entry points, and the reader built from the configuration."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from checkpoint.config import ConfigError, load_settings
from checkpoint.thermometer import protocols
from checkpoint.thermometer.protocols.base import Emission, Sample
from checkpoint.thermometer.setup import make_protocol, reader_settings

PLUGIN = """
from typing import ClassVar
from checkpoint.domain.vocabulary import Site, Unit
from checkpoint.thermometer.protocols.base import (
    DeviceProtocol, Emission, FixedFrameParser, FrameError, FrameErrorReason, Parser, Sample,
    SerialSettings,
)

def _check(frame: bytes):
    return Sample(value=frame[1] / 4, unit=Unit.CELSIUS, site=Site.BODY, raw=frame), True

class AcmeIr(DeviceProtocol):
    name: ClassVar[str] = "acme-ir"
    description: ClassVar[str] = "ACME test module"
    serial: ClassVar[SerialSettings] = SerialSettings(baudrate=19200)
    streams: ClassVar[bool] = True

    def parser(self) -> Parser:
        return FixedFrameParser(b"\\x7e", 2, _check)

    def encode(self, emission: Emission) -> bytes:
        return bytes([0x7E, round(emission.value_c * 4)])
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An installed distribution declaring a protocol in the `checkpoint.protocols` group."""
    (tmp_path / "acme_ir.py").write_text(PLUGIN, encoding="utf-8")
    info = tmp_path / "acme_ir-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-ir\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        textwrap.dedent("""
            [checkpoint.protocols]
            acme-ir = acme_ir:AcmeIr
        """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    protocols.available.cache_clear()
    yield
    protocols.available.cache_clear()
    sys.modules.pop("acme_ir", None)


def test_a_plugin_protocol_is_found_and_configurable(plugin: None, tmp_path: Path) -> None:
    assert protocols.available()["acme-ir"] == "acme_ir:AcmeIr"
    device = protocols.protocol_class("acme-ir")()
    [sample] = device.parser().feed(device.encode(Emission(value_c=36.75)))
    assert isinstance(sample, Sample) and sample.value == 36.75
    config = tmp_path / "config.toml"
    config.write_text('[thermometer]\nprotocol = "acme-ir"\nport = "/dev/ttyUSB0"\n')
    settings = load_settings(config, env={}).settings
    built = make_protocol(settings.thermometer)
    assert built.name == "acme-ir"
    assert reader_settings(settings, built).serial is not None


def test_reader_settings_follow_the_configuration(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        textwrap.dedent("""
            [screening]
            plausible_min_c = 33.0
            threshold_c = 37.5
            [thermometer]
            port = "/dev/ttyUSB0"
            protocol = "gy-mcu90614"
            offset_c = 0.9
            stable_frames = 4
            new_person_delta_c = 0.8
            timeout_s = 5.0
            poll_interval_s = 0.3
        """),
        encoding="utf-8",
    )
    settings = load_settings(config, env={}).settings
    device = make_protocol(settings.thermometer)
    built = reader_settings(settings, device)
    assert built.target == "/dev/ttyUSB0"
    assert built.serial is not None and built.serial.baudrate == 9600
    assert built.offset is not None and built.offset.offset_c == 0.9
    assert built.stability.frames == 4
    assert built.stability.change_c == 0.8
    assert built.stability.fever.threshold_c == Decimal("37.5")
    assert built.window.low_c == 33.0
    assert built.timeout_s == 5.0
    assert built.poll_interval_s == 0.3


def test_the_protocols_usual_speed_unless_configured(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[thermometer]\nport = "/dev/ttyUSB0"\nprotocol = "aa55"\n')
    settings = load_settings(config, env={}).settings
    assert reader_settings(settings, make_protocol(settings.thermometer)).serial.baudrate == (  # type: ignore[union-attr]
        115200
    )
    config.write_text('[thermometer]\nport = "/dev/ttyUSB0"\nprotocol = "aa55"\nbaudrate = 9600\n')
    settings = load_settings(config, env={}).settings
    assert reader_settings(settings, make_protocol(settings.thermometer)).serial.baudrate == (  # type: ignore[union-attr]
        9600
    )


def test_a_new_person_must_differ_by_more_than_agreeing_values_do(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[thermometer]\nstable_delta_c = 0.3\nnew_person_delta_c = 0.3\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    assert "thermometer.new_person_delta_c = 0.3" in caught.value.message
    assert "greater than stable_delta_c (0.3)" in caught.value.message
