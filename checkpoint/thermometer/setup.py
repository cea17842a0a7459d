"""From the `[thermometer]` and `[screening]` settings to a protocol and a reader."""

from __future__ import annotations

from decimal import Decimal

from checkpoint.config import Settings, ThermometerSection
from checkpoint.domain.fever import FeverRule
from checkpoint.domain.readings import OffsetProfile, PlausibilityWindow
from checkpoint.thermometer.protocols import protocol_class
from checkpoint.thermometer.protocols.base import DeviceProtocol, ProtocolOptions, SerialSettings
from checkpoint.thermometer.reader import ReaderSettings
from checkpoint.thermometer.stability import StabilitySettings


def protocol_options(section: ThermometerSection) -> ProtocolOptions:
    """The options protocols take, from the configuration."""
    return ProtocolOptions(
        line_pattern=section.line_pattern,
        line_scale=section.line_scale,
        line_error_pattern=section.line_error_pattern,
        modbus_preset=section.modbus_preset,
        modbus_address=section.modbus_address,
    )


def make_protocol(section: ThermometerSection, name: str | None = None) -> DeviceProtocol:
    """The configured protocol (or `name`), built with the configured options."""
    return protocol_class(name or section.protocol)(protocol_options(section))


def reader_settings(
    settings: Settings, protocol: DeviceProtocol, *, target: str | None = None
) -> ReaderSettings:
    """How to read the configured thermometer (at `target`, or the configured port)."""
    section = settings.thermometer
    port = target or section.port
    if port is None:
        raise ValueError("no thermometer port: pass one or set thermometer.port")
    line = protocol.serial
    serial_settings = SerialSettings(
        baudrate=section.baudrate or line.baudrate,
        bytesize=line.bytesize,
        parity=line.parity,
        stopbits=line.stopbits,
    )
    offset = (
        None
        if section.offset_c is None
        else OffsetProfile(
            offset_c=section.offset_c,
            reference_ambient_c=section.ambient_reference_c,
            extra_c_per_degree_below=section.ambient_coefficient,
        )
    )
    return ReaderSettings(
        target=port,
        serial=serial_settings,
        window=PlausibilityWindow(
            low_c=settings.screening.plausible_min_c, high_c=settings.screening.plausible_max_c
        ),
        offset=offset,
        stability=StabilitySettings(
            delta_c=section.stable_delta_c,
            frames=section.stable_frames,
            presence_min_c=section.presence_min_c,
            change_c=section.new_person_delta_c,
            fever=FeverRule(Decimal(str(settings.screening.threshold_c))),
        ),
        ambient_min_c=section.ambient_min_c,
        ambient_max_c=section.ambient_max_c,
        timeout_s=section.timeout_s,
        poll_interval_s=section.poll_interval_s,
    )
