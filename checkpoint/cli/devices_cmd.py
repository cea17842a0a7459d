"""`checkpoint devices …`: field diagnostics of serial thermometers before a shift."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from checkpoint.cli.context import cli_context, fail, fail_config
from checkpoint.errors import CheckpointError, ConfigError
from checkpoint.locale import Language, translate

# The serial stack, Rich tables and the configuration model are imported by the commands that
# use them: registering the commands must stay cheap for `checkpoint run`.
if TYPE_CHECKING:
    from checkpoint.config import Settings
    from checkpoint.thermometer.events import ThermometerEvent

devices_app = typer.Typer(
    help="List serial ports, find which protocol a thermometer or ID card reader speaks, "
    "read it live.",
    invoke_without_command=True,
)


def _settings(ctx: typer.Context) -> Settings:
    from checkpoint.config import load_settings

    try:
        return load_settings(cli_context(ctx).config_path).settings
    except ConfigError as error:
        fail_config(ctx, error, code=2)


@devices_app.callback()
def list_devices(ctx: typer.Context) -> None:
    """List the serial ports: path, /dev/serial/by-id link, VID:PID and description."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table
    from serial.tools import list_ports

    from checkpoint.thermometer.transport import by_id_links

    settings = _settings(ctx)
    language = settings.ui.language
    roles = _configured_roles(settings)
    ports = sorted(list_ports.comports(), key=lambda p: p.device)
    listed = {info.device for info in ports}
    # Configured ports the system does not list (a pty, a simulator's link): shown all the same.
    extra = sorted(path for path in roles if path not in listed and Path(path).exists())
    if not ports and not extra:
        typer.echo(translate("devices.none", language))
        return
    links = by_id_links()
    table = Table(
        *(
            translate(f"devices.column.{c}", language)
            for c in ("path", "by_id", "usb", "what", "role")
        )
    )
    for info in ports:
        usb = f"{info.vid:04x}:{info.pid:04x}" if info.vid is not None and info.pid else ""
        if info.serial_number:
            usb += f" #{info.serial_number}"
        role = _role_text(roles.get(info.device, ()), language)
        table.add_row(info.device, links.get(info.device, ""), usb, info.description or "", role)
    for path in extra:
        table.add_row(path, "", "", "", _role_text(roles[path], language))
    Console().print(table)


def _configured_roles(settings: Settings) -> dict[str, list[str]]:
    """Each configured port (resolved) and what it is configured as."""
    roles: dict[str, list[str]] = {}
    for role, port in (
        ("thermometer", settings.thermometer.port),
        ("id_reader", settings.id_reader.port),
        ("scanner", settings.scanner.port),
    ):
        if port and "://" not in port:
            roles.setdefault(os.path.realpath(port), []).append(role)
    return roles


def _role_text(roles: list[str] | tuple[str, ...], language: Language) -> str:
    return ", ".join(translate(f"devices.role.{role}", language) for role in roles)


@devices_app.command("probe")
def probe(
    ctx: typer.Context,
    port: Annotated[
        str | None, typer.Argument(help="Port to probe (default: every port listed).")
    ] = None,
    seconds: Annotated[
        float, typer.Option("--seconds", min=0.2, max=30, help="Listening time per protocol.")
    ] = 2.0,
) -> None:
    """Try each protocol's settings on a port for a few seconds and say which one answered."""
    from rich.console import Console
    from rich.table import Table
    from serial.tools import list_ports

    from checkpoint.thermometer.probe import probe_port
    from checkpoint.thermometer.protocols import available
    from checkpoint.thermometer.setup import make_protocol
    from checkpoint.thermometer.transport import PortError

    settings = _settings(ctx)
    language = settings.ui.language
    targets = [port] if port else sorted(p.device for p in list_ports.comports())
    if not targets:
        typer.echo(translate("devices.none", language))
        raise typer.Exit(code=1)
    found = False
    for target in targets:
        typer.echo(translate("devices.probing", language, port=target, seconds=seconds))
        try:
            results = probe_port(
                target,
                [make_protocol(settings.thermometer, name) for name in sorted(available())],
                seconds=seconds,
            )
        except PortError as error:
            fail(error, language=language)
        table = Table(
            *(
                translate(f"devices.column.{c}", language)
                for c in ("protocol", "baud", "samples", "errors", "example")
            )
        )
        for result in results:
            table.add_row(
                result.protocol,
                str(result.baudrate),
                str(result.samples),
                str(result.errors),
                result.example,
                style="bold green" if result.answered else "dim",
            )
        Console().print(table)
        answered = [r.protocol for r in results if r.answered]
        if _probe_id_reader(target, settings, seconds=min(seconds, 1.0)):
            answered.append(ID_CARD)
        found = found or bool(answered)
        key = "devices.answered" if answered else "devices.no_answer"
        typer.echo(translate(key, language, port=target, protocols=", ".join(answered)))
    if not found:
        raise typer.Exit(code=1)


def _probe_id_reader(target: str, settings: Settings, *, seconds: float) -> bool:
    """Whether an ID card reader answers on `target` (at its configured speed), said on a line."""
    from checkpoint.idcard.reader import probe_reader

    language = settings.ui.language
    baudrate = settings.id_reader.baudrate
    try:
        answers = probe_reader(target, baudrate=baudrate, seconds=seconds)
    except CheckpointError as error:
        fail(error, language=language)
    key = "idcard.probe.found" if answers else "idcard.probe.none"
    typer.echo(translate(key, language, port=target, baudrate=baudrate))
    return answers


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%H:%M:%S.%f")[:-3]


ID_CARD = "id-card"
"""The ID card readers' protocol (`checkpoint.idcard`), beside the thermometers' ones."""


def _read_id_cards(
    settings: Settings, *, port: str | None, as_json: bool, count: int | None
) -> None:
    from checkpoint.idcard.card import card_as_json
    from checkpoint.idcard.events import CardRead, CardRefused, ReaderStatus
    from checkpoint.idcard.source import id_reader_source

    language = settings.ui.language
    zone = settings.checkpoint.zone
    source = id_reader_source(settings, port=port)
    if source is None:
        fail(CheckpointError.of("devices.no_id_reader_port"), code=2, language=language)
    reader = source.reader
    stop = threading.Event()
    cards = 0
    connected = False
    try:
        for event in reader.events(stop):
            at = _local(event.at, zone)
            row: dict[str, Any]
            if isinstance(event, CardRead):
                cards += 1
                row = {"kind": "card", **card_as_json(event.card), "at": event.at.isoformat()}
                fields = card_as_json(event.card)
                fields["sex"] = translate(f"idcard.sex.{event.card.sex.value}", language)
                fields["nation"] = event.card.nation_in(language)
                if event.card.valid_to is None:
                    fields["valid_to"] = translate("idcard.long_term", language)
                text = translate("idcard.read.card", language, at=at, **fields)
            elif isinstance(event, CardRefused):
                reason = " ".join(event.error.text(language))
                row = {"kind": "refused", "reason": event.error.code, "at": event.at.isoformat()}
                row["detail"] = event.error.message
                text = translate("idcard.read.refused", language, at=at, reason=reason)
            else:
                if event.status is ReaderStatus.CONNECTED:
                    connected = True
                elif event.status is ReaderStatus.PORT_ERROR and not connected:
                    stop.set()
                    typer.secho(event.detail, err=True, fg=typer.colors.RED)
                    raise typer.Exit(code=1)
                row = {"kind": "status", "reason": event.status.value, "at": event.at.isoformat()}
                row["detail"] = event.detail
                status = translate(f"idcard.status.{event.status.value}", language)
                text = translate("idcard.read.status", language, at=at, status=status,
                                 detail=event.detail)  # fmt: skip
            is_status = row["kind"] == "status"
            line = json.dumps(row, ensure_ascii=False) if as_json else text
            typer.echo(line, err=is_status and not as_json)
            if count is not None and cards >= count:
                stop.set()
    except KeyboardInterrupt:
        stop.set()
    finally:
        stop.set()
    if not as_json:
        typer.echo(
            translate("idcard.read.summary", language, cards=reader.cards, faults=reader.faults),
            err=True,
        )


JSON_DECIMALS = 4
"""Decimals of a temperature in `devices read --json`: more than any thermometer resolves."""


def _as_given(value: float | None) -> float | None:
    """`value` with the digits the device gave: a conversion (℉, kelvin, an estimate's offset)
    leaves binary noise, 36.3 + 1.3 being 37.599999999999994, that no device measured."""
    return None if value is None else round(value, JSON_DECIMALS)


def _as_json(event: ThermometerEvent) -> dict[str, Any]:
    """One event as the documented JSON object of `devices read --json`."""
    from checkpoint.thermometer.events import FrameErrorEvent, Measurement, RawReading

    row: dict[str, Any] = dict.fromkeys(
        ("kind", "value_c", "site", "unit", "raw_hex", "reason", "at")
    )
    if isinstance(event, Measurement | RawReading):
        reading = event.reading
        row.update(
            kind="measurement" if isinstance(event, Measurement) else "raw",
            value_c=_as_given(reading.value_c),
            site=reading.site.value,
            unit=reading.unit.value,
            raw_hex=reading.raw,
            reason=reading.plausibility.value,
            at=reading.taken_at.isoformat(),
        )
    elif isinstance(event, FrameErrorEvent):
        row.update(
            kind="frame-error",
            raw_hex=event.error.raw.hex(),
            reason=event.error.reason.value,
            at=event.at.isoformat(),
        )
    else:
        row.update(kind="status", reason=event.status.value, at=event.at.isoformat())
        row["detail"] = event.detail
    return row


def _as_text(event: ThermometerEvent, zone: ZoneInfo, language: Language) -> str:
    from checkpoint.thermometer.events import FrameErrorEvent, Measurement, RawReading

    if isinstance(event, Measurement | RawReading):
        reading = event.reading
        value = "—" if reading.value_c is None else f"{reading.value_c:.2f} ℃"
        kind = "measurement" if isinstance(event, Measurement) else "raw"
        return translate(
            f"devices.read.{kind}",
            language,
            at=_local(reading.taken_at, zone),
            value=value,
            site=translate(f"site.{reading.site.value}", language),
            received=f"{reading.value:g} {reading.unit.value}",
            plausibility=translate(f"plausibility.{reading.plausibility.value}", language),
            raw=reading.raw,
        )
    if isinstance(event, FrameErrorEvent):
        return translate(
            "devices.read.frame_error",
            language,
            at=_local(event.at, zone),
            reason=translate(f"thermometer.frame_error.{event.error.reason.value}", language),
            raw=event.error.raw.hex(),
            detail=event.error.detail,
        )
    return translate(
        "devices.read.status",
        language,
        at=_local(event.at, zone),
        status=translate(f"thermometer.status.{event.status.value}", language),
        detail=event.detail,
    )


@devices_app.command("read")
def read(
    ctx: typer.Context,
    port: Annotated[
        str | None, typer.Option("--port", help="Device path or URL (default: thermometer.port).")
    ] = None,
    protocol: Annotated[
        str | None,
        typer.Option(
            "--protocol", help="Protocol (default: thermometer.protocol); id-card: an ID reader."
        ),
    ] = None,
    count: Annotated[
        int | None, typer.Option("--count", min=1, help="Stop after this many measurements.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line (kind, value_c, …).")
    ] = False,
    raw: Annotated[
        bool, typer.Option("--raw", help="Also print every value before it is stable.")
    ] = False,
) -> None:
    """Print each measurement, frame error and status event as it happens (Ctrl-C stops).

    With `--protocol id-card` it reads an ID card reader (default port: id_reader.port) and
    prints each card placed: in JSON, kind "card" with name, sex, nation, birth_date, address,
    id_number, issuer, valid_from and valid_to (ISO dates, "long-term"), kind "refused" with
    the reason, or kind "status". `--count` then counts cards.

    JSON lines have the keys kind (measurement, raw, frame-error, status), value_c, site,
    unit, raw_hex, reason (plausibility, error reason or status) and at (UTC, ISO 8601).
    """
    from checkpoint.thermometer.events import Measurement, RawReading, Status, StatusEvent
    from checkpoint.thermometer.reader import Reader
    from checkpoint.thermometer.setup import make_protocol, reader_settings

    settings = _settings(ctx)
    language = settings.ui.language
    zone = settings.checkpoint.zone
    if protocol == ID_CARD:
        _read_id_cards(settings, port=port, as_json=as_json, count=count)
        return
    target = port or settings.thermometer.port
    if target is None:
        fail(CheckpointError.of("devices.no_port"), code=2, language=language)
    try:
        device = make_protocol(settings.thermometer, protocol)
    except CheckpointError as error:
        fail(error, code=2, language=language)
    reader = Reader(device, reader_settings(settings, device, target=target))
    stop = threading.Event()
    measurements = 0
    connected = False
    try:
        for event in reader.events(stop):
            if isinstance(event, RawReading) and not raw:
                continue
            if isinstance(event, StatusEvent):
                if event.status is Status.CONNECTED:
                    connected = True
                elif event.status is Status.PORT_ERROR and not connected:
                    stop.set()
                    typer.secho(event.detail, err=True, fg=typer.colors.RED)
                    raise typer.Exit(code=1)
            line = (
                json.dumps(_as_json(event), ensure_ascii=False)
                if as_json
                else (_as_text(event, zone, language))
            )
            typer.echo(line, err=isinstance(event, StatusEvent) and not as_json)
            if isinstance(event, Measurement):
                measurements += 1
                if count is not None and measurements >= count:
                    stop.set()
    except KeyboardInterrupt:
        stop.set()
    finally:
        stop.set()
    if not as_json:
        counters = reader.counters
        typer.echo(
            translate(
                "devices.read.summary",
                language,
                frames=counters.frames,
                measurements=counters.measurements,
                errors=counters.error_count,
                reconnects=counters.reconnects,
            ),
            err=True,
        )
