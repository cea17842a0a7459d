"""The configuration: one typed model, read from TOML and overridden by `CHECKPOINT_*` variables.

Every setting is declared once, in the models below, with its default, its allowed values and a
docstring. The starting file (`config.example.toml`, `checkpoint init`) is generated from those
declarations, so documentation, defaults and validation cannot disagree.

A mistake in the file must be fixable by a volunteer at a road block without reading code: every
problem is reported at once, each naming the key, the value given, where it came from (file and
line, or environment variable) and what is allowed.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Final, Literal, Self, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic
from pydantic import (
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError

from checkpoint import files, paths
from checkpoint.domain.vocabulary import CheckpointKind, DirectionMode, EntryMode
from checkpoint.errors import ConfigError
from checkpoint.locale import CLAUSES, LANGUAGES, Joined, Language, Phrase, Said, catalog
from checkpoint.thermometer import protocols

ENV_PREFIX: Final = "CHECKPOINT_"
"""Prefix of environment overrides: CHECKPOINT_<SECTION>__<KEY>=value."""
ENV_CONFIG: Final = "CHECKPOINT_CONFIG"
"""Environment variable naming the configuration file (the same as `--config`)."""
ENV_SEPARATOR: Final = "__"


def known_protocols() -> tuple[str, ...]:
    """Thermometer protocols `[thermometer] protocol` accepts: the built-in ones and those that
    installed plug-ins register (entry-point group `checkpoint.protocols`)."""
    return tuple(sorted(protocols.available()))


STANDARD_BAUDRATES: Final[tuple[int, ...]] = (
    1200,
    2400,
    4800,
    9600,
    14400,
    19200,
    38400,
    57600,
    115200,
    230400,
    460800,
    921600,
)

SERIAL_URL_SCHEMES: Final[tuple[str, ...]] = (
    "socket",
    "rfc2217",
    "loop",
    "spy",
    "hwgrep",
    "alt",
    "cp2110",
)
"""URL schemes of pyserial's `serial_for_url`."""

LINE_PATTERN_GROUPS: Final[tuple[str, ...]] = (
    "value",
    "unit",
    "body",
    "object",
    "ambient",
    "stable",
)
"""Named groups the `line` protocol understands in `line_pattern`."""

PersonField = Literal[
    "name",
    "document",
    "phone",
    "origin",
    "route",
    "arrival_time",
    "transport_no",
    "destination",
    "travel_reason",
    "health_code",
    "symptoms",
    "contact_history",
    "risk_area_history",
]
PERSON_FIELDS: Final[tuple[str, ...]] = get_args(PersonField)

# Asked everywhere: the fever rule needs symptoms and the epidemiological history (risk areas,
# contacts) to decide "suspected", and a phone number is how a case's contacts are traced.
# The rest follows the kind of point; PIPL says collect no more than that.
_ASKED_EVERYWHERE: Final[tuple[PersonField, ...]] = (
    "name",
    "phone",
    "origin",
    "symptoms",
    "contact_history",
    "risk_area_history",
)
DEFAULT_REQUIRED_FIELDS: Final[Mapping[CheckpointKind, tuple[PersonField, ...]]] = {
    CheckpointKind.EXPRESSWAY_EXIT: (*_ASKED_EVERYWHERE, "document", "destination"),
    CheckpointKind.ROAD: (*_ASKED_EVERYWHERE, "destination"),
    # 来乡时间: villages record when the person arrived and why.
    CheckpointKind.VILLAGE: (*_ASKED_EVERYWHERE, "arrival_time", "travel_reason"),
    # 车次/航班: a train or coach number lets a later case find every co-passenger.
    CheckpointKind.STATION: (
        *_ASKED_EVERYWHERE,
        "document",
        "transport_no",
        "arrival_time",
        "destination",
    ),
    CheckpointKind.PIER: (*_ASKED_EVERYWHERE, "document", "transport_no", "destination"),
    CheckpointKind.GATE: _ASKED_EVERYWHERE,
}

_RELATION_ERROR: Final = "config_relation"
_HIDDEN: Final = "********"
_LINE_LENGTH: Final = 100
_SECRET_KEYS: Final[frozenset[tuple[str, ...]]] = frozenset({("sync", "token")})
# Defaults that depend on the machine (a per-user folder): the example file shows them commented
# out, so the committed example is the same on every machine.
_LOCAL_DEFAULTS: Final[frozenset[tuple[str, ...]]] = frozenset({("storage", "database")})


def _none_if_blank(value: object) -> object:
    # TOML has no null: an empty string (typically CHECKPOINT_THERMOMETER__PORT=) means "unset".
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _relation_error(key: str, value: object, reason: str, **params: object) -> PydanticCustomError:
    # A rule between keys runs after the section validated, where pydantic would blame the
    # whole section; the key and value travel in the context so the message names the key.
    # The reason is a message key (config.reason.*) and its parameters, said in the reader's
    # language when the error is shown.
    english = _english(reason, params)
    context = {"key": key, "value": value, "reason": reason, "params": params}
    return PydanticCustomError(_RELATION_ERROR, english, context)


def _refused(reason: str, /, **params: object) -> PydanticCustomError:
    """A validator's refusal: pydantic error type `reason` (config.reason.<reason> in the
    catalogs, said in the reader's language) with `params`; its English for pydantic."""
    return PydanticCustomError(reason, _english(reason, params), params)


def _english(reason: str, params: Mapping[str, object]) -> str:
    return Said(f"config.reason.{reason}", **params).render("en")


def _resolve_path(value: Path | None, info: ValidationInfo) -> Path | None:
    # A relative path means "beside the configuration file", not "wherever the shell was".
    if value is None:
        return None
    value = value.expanduser()
    base = (info.context or {}).get("base_dir")
    if not value.is_absolute() and isinstance(base, Path):
        value = base / value
    return value


class CheckpointSection(BaseModel):
    """[checkpoint]: which checkpoint this laptop records for."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    id: str = Field("local", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", examples=["HB-XG-0012"])
    """Short code of this checkpoint, as the township knows it (letters, digits, - and _;
    at most 32 characters), e.g. "HB-XG-0012". It tags every record sent to the hub."""
    name: str = Field("", max_length=64)
    """Name shown on screens and printed reports, e.g. "孝感北高速出口"."""
    kind: CheckpointKind = CheckpointKind.ROAD
    """Where the checkpoint stands; decides which person fields are required."""
    direction_mode: DirectionMode = DirectionMode.TWO_WAY
    """"one-way" (单向: inbound only) or "two-way" (双向: arrivals and departures)."""
    township: str = Field("", max_length=64)
    """Township or street (乡镇/街道) the checkpoint reports to."""
    county: str = Field("", max_length=64)
    """County or district (县/区) above the township."""
    timezone: str = "Asia/Shanghai"
    """IANA time zone of the checkpoint's clock, for report days and printed times."""
    local_plates: tuple[str, ...] = Field((), examples=[["鄂K"]])
    """Plate prefixes that count as local (本地车辆), e.g. ["鄂K"] or ["鄂"]; any other plate is
    marked non-local (外来车辆) on the lane, which the volunteer can change. Empty: the
    volunteer marks non-local vehicles by hand."""

    @field_validator("local_plates")
    @classmethod
    def _plate_prefixes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(prefix.strip().upper() for prefix in value)
        for prefix in cleaned:
            if not re.fullmatch(r"[\u4e00-\u9fff][A-Z]?", prefix):
                raise _refused("plate_prefix", prefix=repr(prefix))
        return cleaned

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise _refused("timezone") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The time zone as a `ZoneInfo`."""
        return ZoneInfo(self.timezone)


class ScreeningSection(BaseModel):
    """[screening]: the fever rule and what is asked of each person."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    threshold_c: float = Field(37.3, ge=35.0, le=40.0)
    """Fever threshold in ℃: a body temperature at or above it (rounded half-up to 0.1 ℃)
    means "suspected": take the person aside and re-measure."""
    plausible_min_c: float = Field(32.0, ge=20.0, le=50.0)
    """Body readings below this are recorded as "Lo" (not plausible), never as values."""
    plausible_max_c: float = Field(43.0, ge=20.0, le=50.0)
    """Body readings above this are recorded as "Hi" (not plausible), never as values."""
    recheck_wait_minutes: int = Field(10, ge=0, le=120)
    """Minutes a person at or over the threshold rests before the re-measurement."""
    entry_mode: EntryMode = EntryMode.QUICK
    """How the lane starts: "quick" (快速: the measurement and Enter, details optional) or
    "full" (完整: the required fields below must be filled). F3 switches on the lane."""
    required_fields: dict[CheckpointKind, tuple[PersonField, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_REQUIRED_FIELDS)
    )
    """Person fields that must be filled before a screening is saved, per checkpoint kind.
    Kinds left out keep their default list. Field names: name, document, phone, origin,
    route, arrival_time, transport_no, destination, travel_reason, health_code, symptoms,
    contact_history, risk_area_history."""
    risk_areas_file: Path | None = Field(None, examples=["risk-areas.toml"])
    """File listing the current medium- and high-risk areas; a relative path is relative to
    this configuration file. Not set: risk-areas.toml beside the configuration file.
    Format (TOML): one [[area]] table per area, with name = "湖北省武汉市", aliases =
    ["武汉", "Wuhan"] (optional), level = "medium" or "high", from = 2020-01-23 (first day
    listed, a date without quotes) and to = 2020-04-08 (last day, inclusive; left out while
    listed). A person matches when a name or alias occurs in their origin or route. A full
    example ships with the program: checkpoint/risk_areas.example.toml."""

    @model_validator(mode="after")
    def _window_around_threshold(self) -> Self:
        low, high, threshold = self.plausible_min_c, self.plausible_max_c, self.threshold_c
        if low >= high:
            raise _relation_error("plausible_max_c", high, "above_min", low=low)
        if low >= threshold:
            raise _relation_error("plausible_min_c", low, "below_threshold", threshold=threshold)
        if high <= threshold:
            raise _relation_error("plausible_max_c", high, "above_threshold", threshold=threshold)
        return self

    @field_validator("required_fields", mode="before")
    @classmethod
    def _kind_spelling(cls, value: object) -> object:
        # Environment variable names cannot hold "-": accept EXPRESSWAY_EXIT for expressway-exit.
        if isinstance(value, Mapping):
            return {str(k).replace("_", "-"): v for k, v in value.items()}
        return value

    @field_validator("required_fields")
    @classmethod
    def _complete_required_fields(
        cls, value: dict[CheckpointKind, tuple[PersonField, ...]]
    ) -> dict[CheckpointKind, tuple[PersonField, ...]]:
        merged = dict(DEFAULT_REQUIRED_FIELDS)
        merged.update({kind: tuple(dict.fromkeys(names)) for kind, names in value.items()})
        return {kind: merged[kind] for kind in CheckpointKind}

    _blank_risk_areas = field_validator("risk_areas_file", mode="before")(_none_if_blank)
    _relative_risk_areas = field_validator("risk_areas_file")(_resolve_path)


_PORT_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[^:/?#\[\]\s]+):(\d{1,5})(?:[/?].*)?$")
_WINDOWS_PORT = re.compile(r"^(?:\\\\\.\\)?COM[1-9][0-9]*$", re.IGNORECASE)


def _serial_port_form(value: str | None) -> str | None:
    """A device path or a pyserial URL of a scheme pyserial opens (any serial device)."""
    if value is None:
        return None
    scheme, sep, rest = value.partition("://")
    if sep:
        if scheme.lower() not in SERIAL_URL_SCHEMES:
            schemes = ", ".join(f"{s}://" for s in SERIAL_URL_SCHEMES)
            raise _refused("port_scheme", scheme=repr(scheme), allowed=schemes)
        if scheme.lower() in ("socket", "rfc2217"):
            match = _PORT_HOST.match(rest)
            if match is None or not 1 <= int(match.group(2)) <= 65535:
                raise _refused("port_host", scheme=scheme)
        return value
    if PurePath(value).is_absolute() or _WINDOWS_PORT.match(value):
        return value
    raise _refused("port_form")


class ThermometerSection(BaseModel):
    """[thermometer]: the infrared thermometer on the serial port."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    port: str | None = Field(None, examples=["/dev/ttyUSB0"])
    """Serial port: a device path (/dev/ttyUSB0, /dev/serial/by-id/..., COM3) or a pyserial
    URL (socket://HOST:PORT, rfc2217://HOST:PORT, loop://). Not set: temperatures are typed."""
    protocol: str = "lu90614"
    """Protocol of the thermometer module: gy-mcu90614, lu90614, aa55, optris-ct, modbus,
    fefd or line (text lines matched by line_pattern)."""
    baudrate: int | None = Field(None, examples=[9600])
    """Serial speed in bit/s, as the module's manual gives it. Not set: the protocol's usual
    speed (9600 for most, 115200 for aa55 and optris-ct)."""
    stable_delta_c: float = Field(0.2, gt=0.0, le=2.0)
    """A streamed reading counts as stable when consecutive values differ by at most this (℃)."""
    stable_frames: int = Field(3, ge=2, le=50)
    """How many consecutive values must agree within stable_delta_c (when the module does not
    say itself that a value is stable)."""
    presence_min_c: float = Field(30.0, ge=15.0, le=34.0)
    """Body values below this mean nobody is in front of the sensor (values near ambient)."""
    new_person_delta_c: float = Field(0.5, gt=0.0, le=5.0)
    """A stable value that differs by at least this (℃) from the one just measured is a new
    measurement, even with no pause and nobody in front between (36.5 then 38.1: the next
    person stepped up as the last one left). A value at or over threshold_c after one under
    it always is. Smaller moves are the same person; keep it above stable_delta_c."""
    ambient_min_c: float = Field(10.0, ge=-40.0, le=30.0)
    """Below this ambient temperature the screen warns that the gun is out of its range and
    suggests re-measuring indoors or at the wrist or neck."""
    ambient_max_c: float = Field(40.0, ge=20.0, le=60.0)
    """Above this ambient temperature the screen warns likewise."""
    timeout_s: float = Field(3.0, ge=0.5, le=120.0)
    """No data (or no answer to a request) for this many seconds is reported as a timeout."""
    poll_interval_s: float | None = Field(None, ge=0.02, le=10.0, examples=[0.2])
    """For modules that answer requests (lu90614, optris-ct, modbus): seconds between requests.
    Not set: the protocol's usual interval."""
    modbus_preset: Literal["calex", "omega"] = "calex"
    """For the modbus protocol: calex (Calex PyroUSB) or omega (Omega OS-MINIUSB) registers."""
    modbus_address: int = Field(1, ge=1, le=247)
    """For the modbus protocol: the module's slave address."""
    offset_c: float | None = Field(None, ge=-2.0, le=5.0, examples=[0.8])
    """For modules that only measure the skin surface: ℃ added to the object value to estimate
    body temperature (typically 0.3-1.5); results are labelled "estimated". Not set: surface
    values are recorded but never compared with the threshold."""
    ambient_coefficient: float = Field(0.0, ge=0.0, le=1.0)
    """Ambient correction of the estimate: ℃ added per ℃ of ambient below ambient_reference_c
    (cold skin reads low). 0 turns the correction off."""
    ambient_reference_c: float = Field(25.0, ge=-40.0, le=60.0)
    """Ambient temperature (℃) at which offset_c was measured."""
    line_pattern: str = r"(?P<value>-?\d+(?:\.\d+)?)\s*°?\s*(?P<unit>[CF])?"
    """For the line protocol: a regular expression with named groups value, unit, body,
    object, ambient or stable, matched against each line the module sends."""
    line_scale: float = Field(1.0, gt=0.0, le=10.0)
    """For the line protocol: factor applied to matched numbers (0.1 when "365" means 36.5)."""
    line_error_pattern: str = r"\b(?:Err\w*|Lo|Hi)\b"
    """For the line protocol: a regular expression for lines that report a measurement error."""

    _blank_port = field_validator("port", mode="before")(_none_if_blank)

    _port_form = field_validator("port")(_serial_port_form)

    @model_validator(mode="after")
    def _new_person_above_agreement(self) -> Self:
        if self.new_person_delta_c <= self.stable_delta_c:
            raise _relation_error(
                "new_person_delta_c",
                self.new_person_delta_c,
                f"must be greater than stable_delta_c ({self.stable_delta_c})",
            )
        return self

    @field_validator("protocol")
    @classmethod
    def _known_protocol(cls, value: str) -> str:
        known = known_protocols()
        if value not in known:
            raise _refused("protocol", allowed=", ".join(known))
        return value

    @field_validator("baudrate")
    @classmethod
    def _standard_baudrate(cls, value: int | None) -> int | None:
        if value is not None and value not in STANDARD_BAUDRATES:
            raise _refused("baudrate", allowed=", ".join(map(str, STANDARD_BAUDRATES)))
        return value

    @field_validator("line_pattern")
    @classmethod
    def _usable_line_pattern(cls, value: str) -> str:
        compiled = _compile(value)
        unknown = sorted(set(compiled.groupindex) - set(LINE_PATTERN_GROUPS))
        if unknown:
            raise _refused(
                "line_group", group=repr(unknown[0]), allowed=", ".join(LINE_PATTERN_GROUPS)
            )
        if not {"value", "body", "object"} & set(compiled.groupindex):
            raise _refused("line_value_group")
        return value

    @field_validator("line_error_pattern")
    @classmethod
    def _usable_error_pattern(cls, value: str) -> str:
        _compile(value)
        return value


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise _refused("regex", detail=str(exc)) from None


class IdReaderSection(BaseModel):
    """[id_reader]: the resident ID card reader on the serial port (optional)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    port: str | None = Field(None, examples=["/dev/ttyUSB1"])
    """Serial port of the ID card reader: a device path or a pyserial URL, as for the
    thermometer. Not set: names and documents are typed (the lane works as without it)."""
    protocol: Literal["id-card"] = "id-card"
    """Protocol of the reader: id-card (GA/T 467 "SAM" frames, the cheap serial readers)."""
    baudrate: Literal[115200, 57600, 38400, 19200, 9600] = 115200
    """Serial speed in bit/s: 115200 unless the reader was set to another."""
    poll_interval_s: float = Field(0.3, ge=0.05, le=5.0)
    """Seconds between "is a card there?" requests."""

    _blank_port = field_validator("port", mode="before")(_none_if_blank)
    _port_form = field_validator("port")(_serial_port_form)


class ScannerSection(BaseModel):
    """[scanner]: a code scanner in serial mode (USB-CDC, one line of text per scan)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    port: str | None = Field(None, examples=["/dev/ttyACM0"])
    """Serial port of the scanner (a path or a pyserial URL). Not set: no serial scanner; a
    keyboard-wedge scanner types into the focused field and needs nothing here."""
    baudrate: int = Field(9600, ge=1200, le=921600)
    """Serial speed in bit/s (USB-CDC scanners ignore it)."""

    _blank_port = field_validator("port", mode="before")(_none_if_blank)
    _port_form = field_validator("port")(_serial_port_form)


class StorageSection(BaseModel):
    """[storage]: the local log of screenings (personal data: kept private to its user)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    database: Path = Field(
        default_factory=paths.default_database, examples=["/srv/checkpoint/checkpoint.db"]
    )
    """SQLite file of the log; a relative path is relative to this configuration file.
    Not set: checkpoint.db in the per-user data folder."""
    retention_days: int = Field(28, ge=1, le=3650)
    """Names, documents and phones are purged this many days after a screening; the counts
    stay. 28 days covers two 14-day incubation periods."""

    _relative_database = field_validator("database")(_resolve_path)


class ReportsSection(BaseModel):
    """[reports]: daily and shift reports."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    day_cutoff_hour: int = Field(0, ge=0, le=23)
    """Hour (0-23, local time) at which a report day starts, e.g. 12 for figures "as of 12:00"."""
    printer: str | None = Field(None, pattern=r"^[^\s/#]{1,127}$", examples=["HP_LaserJet"])
    """CUPS queue to print on (lpstat -p lists them). Not set: the system default printer."""
    language: Language = "zh-CN"
    """Language of printed reports: "zh-CN" or "en"."""
    font: Path | None = Field(None, examples=["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"])
    """Font file with Chinese glyphs for PDF reports (.ttf, .otf, .ttc or .otc); a relative
    path is relative to this configuration file. Not set: the font fontconfig finds for
    Chinese (fc-match :lang=zh) if it has every character a report prints, else the Noto Sans
    SC font checkpoint ships. What the font lacks is taken from fallback fonts."""

    _blank_printer = field_validator("printer", "font", mode="before")(_none_if_blank)
    _relative_font = field_validator("font")(_resolve_path)


class SyncSection(BaseModel):
    """[sync]: sending records to the township or county hub."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    hub_url: HttpUrl | None = Field(None, examples=["https://hub.example.gov.cn/checkpoint"])
    """Address of the hub (http:// or https://). Not set: this laptop works offline only."""
    token: SecretStr | None = Field(None, examples=["token-from-the-hub"])
    """Access token given by the hub's administrator; keep it secret."""
    interval_seconds: int = Field(300, ge=10, le=86400)
    """Seconds between sync attempts while the hub is reachable."""
    connect_timeout_s: float = Field(10.0, ge=0.1, le=600)
    """Seconds to wait for the hub to accept a connection before trying again later."""
    timeout_s: float = Field(60.0, ge=0.1, le=3600)
    """Seconds to wait for the hub to take a request or to answer it: a hub that accepts the
    connection and then says nothing stops `checkpoint sync` after its retries, with a message
    saying so (the screening screens' background sync waits 20 s, then tries again later)."""

    _blank_hub = field_validator("hub_url", "token", mode="before")(_none_if_blank)


class HubSection(BaseModel):
    """[hub]: the township or county hub (checkpoint hub serve) on this machine."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    keep_alive_s: float = Field(5.0, ge=0.1, le=600)
    """Seconds an idle connection stays open between requests before the hub closes it."""
    header_timeout_s: float = Field(20.0, ge=0.1, le=600)
    """Seconds a client has to send a request's headers (from connecting, or from the previous
    answer): a connection that sends them slowly or not at all is closed."""
    body_timeout_s: float = Field(120.0, ge=0.1, le=3600)
    """Seconds a client has to send a request's body once its headers are in (a batch is a
    few hundred kilobytes; a body of --max-body-mb over a slow link needs more): one that
    trickles in is cut off and nothing of it is stored."""


class SiteSection(BaseModel):
    """[site]: the site laptop, which tallies every lane of the checkpoint with no network to
    the township (`checkpoint site serve`, `checkpoint site import`)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    lanes: tuple[str, ...] = Field((), examples=[["出城", "2号口"]])
    """Names of the other lanes expected to hand in to this laptop: one that never did is
    listed as such in the site's tally. Lanes that hand in are listed whether named here or not."""
    port: int = Field(8471, ge=1, le=65535)
    """TCP port `checkpoint site serve` listens on by default."""
    stale_minutes: int = Field(30, ge=1, le=1440)
    """A lane whose last hand-in is older than this is shown as "not handed in since"."""


class UiSection(BaseModel):
    """[ui]: the screens."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    language: Language = "zh-CN"
    """Language of the screens: "zh-CN" or "en"."""
    staff_name_pause_s: float = Field(2.0, ge=0.2, le=10.0)
    """Shift form: a staff member's reading that arrives while a name is being typed waits
    until the name is finished (a pause this long in typing, a comma, Enter or leaving the
    field), then goes after the name; it is never put inside a name."""


class Settings(BaseModel):
    """The whole configuration of one checkpoint laptop."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    checkpoint: CheckpointSection = Field(default_factory=CheckpointSection)
    """Which checkpoint this laptop records for."""
    screening: ScreeningSection = Field(default_factory=ScreeningSection)
    """The fever rule and what is asked of each person."""
    thermometer: ThermometerSection = Field(default_factory=ThermometerSection)
    """The infrared thermometer on the serial port."""
    id_reader: IdReaderSection = Field(default_factory=IdReaderSection)
    """The resident ID card reader on the serial port (optional)."""
    scanner: ScannerSection = Field(default_factory=ScannerSection)
    """A code scanner on a serial port (optional)."""
    storage: StorageSection = Field(default_factory=StorageSection)
    """The local log (personal data: kept private to its user)."""
    reports: ReportsSection = Field(default_factory=ReportsSection)
    """Daily and shift reports."""
    sync: SyncSection = Field(default_factory=SyncSection)
    """Sending records to the hub."""
    hub: HubSection = Field(default_factory=HubSection)
    """The hub served on this machine, if any."""
    site: SiteSection = Field(default_factory=SiteSection)
    """The site laptop's tally of every lane of the checkpoint."""
    ui: UiSection = Field(default_factory=UiSection)
    """The screens."""


@dataclass(frozen=True)
class LoadedSettings:
    """Validated settings and where they came from."""

    settings: Settings
    path: Path | None
    """The file read; None when there was none and the embedded defaults apply."""
    overrides: list[str] = field(default_factory=list)
    """Names of the CHECKPOINT_* environment variables that were applied, sorted."""


# --------------------------------------------------------------------------------------------
# Loading


@dataclass(frozen=True)
class _Origin:
    """What validation errors need to say where a value came from."""

    path: Path | None
    text: str
    file_data: Mapping[str, Any]
    env_keys: Mapping[tuple[str, ...], str]


def load_settings(
    path: Path | None = None, *, env: Mapping[str, str] | None = None
) -> LoadedSettings:
    """Read the configuration file, apply environment overrides and validate.

    `path` None means `CHECKPOINT_CONFIG` if set, else the default file, which may be absent
    (then the embedded defaults apply). An explicit file that does not exist is an error. Every
    problem raises `ConfigError` with a message fit for the person at the keyboard.
    """
    environ = os.environ if env is None else env
    explicit = path if path is not None else _env_config_path(environ)
    candidate = explicit if explicit is not None else paths.default_config_file(environ)
    text = _read_config(candidate, required=explicit is not None)
    file_path = candidate if text is not None else None
    file_data = _parse_toml(text, candidate) if text is not None else {}

    overrides = _env_overrides(environ)
    data: dict[str, Any] = copy.deepcopy(file_data)
    for key_path, (_, value) in overrides.items():
        _set_in(data, key_path, value)
    _fill_local_defaults(data, environ)

    context = {"base_dir": file_path.parent} if file_path is not None else {}
    try:
        settings = Settings.model_validate(data, context=context)
    except pydantic.ValidationError as exc:
        origin = _Origin(
            path=file_path,
            text=text or "",
            file_data=file_data,
            env_keys={key_path: name for key_path, (name, _) in overrides.items()},
        )
        raise _invalid(exc, origin) from exc
    return LoadedSettings(
        settings=settings,
        path=file_path,
        overrides=sorted(name for name, _ in overrides.values()),
    )


def _env_config_path(environ: Mapping[str, str]) -> Path | None:
    value = environ.get(ENV_CONFIG, "")
    return Path(value).expanduser() if value else None


def _read_config(path: Path, *, required: bool) -> str | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise ConfigError.of("config.missing_file", path=path) from None
        return None
    except OSError as exc:
        raise ConfigError.of("config.unreadable", path=path, reason=exc.strerror or exc) from exc
    try:
        # utf-8-sig: Windows Notepad may save a byte-order mark, which tomllib rejects.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Files saved as GBK are common on Chinese Windows; say so rather than "invalid byte".
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError.of("config.not_utf8", path=path, line=line) from exc


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


MAX_NESTING = 32
"""Tables and arrays nested deeper than this are refused: the configuration has three levels,
and thousands (which tomllib, copying and validating all recurse into) would crash the program."""


def nesting(value: object) -> int:
    """How deep tables and arrays nest in `value` (0 for a plain value), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            stack.append((child, depth + 1))
        deepest = max(deepest, depth)
    return deepest


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError.of("config.too_deep", path=path, limit=MAX_NESTING) from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib before 3.14 only puts the position in the message text.
        message = str(exc)
        where = _TOML_WHERE.search(message)
        if where is None:
            reason = message.replace(" (at end of document)", "")
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
        else:
            reason = message[: where.start()]
            line, column = int(where.group(1)), int(where.group(2))
        source_lines = text.splitlines()
        excerpt = source_lines[line - 1] if 0 < line <= len(source_lines) else ""
        raise ConfigError.of(
            "config.syntax",
            path=path,
            line=line,
            column=column,
            reason=_toml_reason(reason),
            excerpt=excerpt.rstrip(),
            caret=" " * (column - 1) + "^",
        ) from exc
    if nesting(data) > MAX_NESTING:
        raise ConfigError.of("config.too_deep", path=path, limit=MAX_NESTING)
    return data


_TOML_REASONS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"Cannot overwrite a value", "overwrite"),
        (r"Escaped character is not a Unicode scalar value", "escape"),
        (r"Expected '=' after a key in a key/value pair", "expected_equals"),
        (r"Expected '\]' at the end of a table declaration", "expected_table_end"),
        (r"Expected '\]\]' at the end of an array declaration", "expected_array_table_end"),
        (r"Invalid date or datetime", "date"),
        (r"Invalid hex value", "hex"),
        (r"Invalid initial character for a key part", "key_start"),
        (r"Invalid statement", "statement"),
        (r"Invalid value", "value"),
        (r"Unclosed array", "unclosed_array"),
        (r"Unclosed inline table", "unclosed_inline_table"),
        (r"Unescaped '\\' in a string", "backslash"),
        (r"Unterminated string", "unterminated_string"),
        (r"Expected (?P<what>.+)", "expected"),
        (r"Cannot declare (?P<key>.+) twice", "declared_twice"),
        (r"Cannot mutate immutable namespace (?P<key>.+)", "immutable"),
        (r"Cannot redefine namespace (?P<key>.+)", "redefine"),
        (r"Duplicate inline table key (?P<key>.+)", "duplicate_key"),
        (r"(?:Found invalid|Illegal) character (?P<char>.+)", "character"),
    )
)
"""tomllib's reasons (English, fixed texts) and their message keys `config.toml.<key>`."""


def _toml_reason(reason: str) -> Phrase | str:
    """tomllib's reason in the reader's language (as tomllib says it when it is new to us)."""
    for pattern, key in _TOML_REASONS:
        if match := pattern.fullmatch(reason):
            return Said(f"config.toml.{key}", **match.groupdict())
    return reason


def _env_overrides(environ: Mapping[str, str]) -> dict[tuple[str, ...], tuple[str, object]]:
    """CHECKPOINT_A__B=value → {("a", "b"): (name, parsed value)}, in name order."""
    found: dict[tuple[str, ...], tuple[str, object]] = {}
    for name in sorted(environ):
        upper = name.upper()  # Windows keeps the case people typed
        if not upper.startswith(ENV_PREFIX) or upper in (ENV_CONFIG, paths.HOME_ENV):
            continue
        rest = upper.removeprefix(ENV_PREFIX)
        # Variables without "__" (CHECKPOINT_DEVICE for tests, ...) are not settings.
        if ENV_SEPARATOR not in rest:
            continue
        key_path = tuple(part.lower() for part in rest.split(ENV_SEPARATOR))
        found[key_path] = (name, _env_value(key_path, environ[name]))
    return found


_NOT_TOML: Final = object()


def _env_value(key_path: tuple[str, ...], raw: str) -> object:
    parsed = _toml_value(raw)
    info = _field_at(key_path)
    if info is not None and _is_text_field(info):
        # A text field keeps what was typed: CHECKPOINT_SYNC__TOKEN=123456 is not the number
        # 123456 (pydantic does not turn numbers into text). A quoted TOML string is unquoted.
        return parsed if isinstance(parsed, str) else raw
    return raw if parsed is _NOT_TOML else parsed


def _toml_value(raw: str) -> object:
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return _NOT_TOML
    # Nested thousands deep, it stays text: the setting then says what it should be.
    return value if nesting(value) <= MAX_NESTING else _NOT_TOML


def _is_text_field(info: FieldInfo) -> bool:
    kinds = [a for a in (get_args(info.annotation) or (info.annotation,)) if a is not type(None)]
    return all(
        isinstance(a, type) and issubclass(a, str | PurePath | SecretStr | AnyUrl) for a in kinds
    )


def _set_in(data: dict[str, Any], key_path: tuple[str, ...], value: object) -> None:
    node = data
    for part in key_path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[key_path[-1]] = value


def _fill_local_defaults(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    # The model's own default reads os.environ; a caller's `env` (CHECKPOINT_HOME) must win.
    storage = data.setdefault("storage", {})
    if isinstance(storage, dict):
        storage.setdefault("database", str(paths.default_database(environ)))


def _field_at(key_path: Sequence[str | int]) -> FieldInfo | None:
    """The model field a key path names, if it names one."""
    model: type[BaseModel] | None = Settings
    info: FieldInfo | None = None
    for part in key_path:
        if model is None or not isinstance(part, str):
            return None
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _model_of(info)
    return info


def _model_of(info: FieldInfo) -> type[BaseModel] | None:
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


# --------------------------------------------------------------------------------------------
# Error messages


def _invalid(exc: pydantic.ValidationError, origin: _Origin) -> ConfigError:
    problems = [_describe(error, origin) for error in exc.errors(include_url=False)]
    # Phrases, not texts: the error is made before the language is known (the settings
    # name it), and is said in whichever language the command then speaks.
    return ConfigError.of(
        "config.invalid", count=len(problems), problems=Joined(problems, _PROBLEM_LINES)
    )


_PROBLEM_LINES: Final[Mapping[Language, str]] = dict.fromkeys(LANGUAGES, "\n  - ")


def _describe(error: ErrorDetails, origin: _Origin) -> Said:
    loc = tuple(part for part in error["loc"] if part != "[key]")
    given = error.get("input")
    context = error.get("ctx") or {}
    reason: Phrase | str
    if error["type"] == _RELATION_ERROR:
        loc, given = (*loc, str(context["key"])), context["value"]
        reason = Said(f"config.reason.{context['reason']}", **context["params"])
    elif error["type"] == "extra_forbidden":
        reason = _unknown_key_reason(loc)
    else:
        reason = _reason(error)
        allowed = _allowed_range(_field_at(loc))
        if allowed is not None and error["type"] in _RANGE_ERRORS:
            reason = Joined([reason, Said("config.allowed", allowed=allowed)], CLAUSES)
    value = _HIDDEN if _is_secret(loc) else _show(given)
    return Said(
        "config.problem", key=_dotted(loc), value=value, source=_source(loc, origin), reason=reason
    )


_RANGE_ERRORS: Final = frozenset(
    {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
)


def _reason(error: ErrorDetails) -> Phrase | str:
    """What is wrong with a value: `config.reason.<type>` of the catalogs (pydantic's error
    types and our validators' refusals), or pydantic's English for a type they do not have."""
    key = f"config.reason.{error['type']}"
    if key not in catalog("en"):
        return _clean(error["msg"])
    params = {name: _choices(value) for name, value in (error.get("ctx") or {}).items()}
    return Said(key, **params)


class _Choices(Phrase):
    """pydantic's "'a', 'b' or 'c'" as a list in the reader's language."""

    __slots__ = ("items",)

    def __init__(self, items: Sequence[str]) -> None:
        self.items = tuple(items)

    def render(self, language: Language) -> str:
        if len(self.items) == 1:
            return self.items[0]
        comma, last = ("、", " 或 ") if language == "zh-CN" else (", ", " or ")
        return comma.join(self.items[:-1]) + last + self.items[-1]


def _choices(value: object) -> object:
    if isinstance(value, str) and " or " in value:
        items = re.findall(r"'[^']*'", value)
        if items:
            return _Choices(items)
    return value


def _unknown_key_reason(loc: tuple[str | int, ...]) -> Phrase:
    name = str(loc[-1])
    if len(loc) == 1:
        sections = list(Settings.model_fields)
        reason = Said("config.unknown_section", allowed=", ".join(sections))
        homes = [s for s in sections if name in _model_fields(s)]
        if homes:
            # A key written above every [section] header lands at the top level.
            return Joined([reason, Said("config.belongs_in", key=name, section=homes[0])], CLAUSES)
        return _with_suggestion(reason, _close(name, sections))
    section = _dotted(loc[:-1])
    info = _field_at(loc[:-1])
    model = _model_of(info) if info is not None else None
    allowed = list(model.model_fields) if model is not None else []
    reason = Said("config.unknown_key", section=section, allowed=", ".join(allowed))
    return _with_suggestion(reason, _close(name, allowed))


def _with_suggestion(reason: Said, suggestion: str | None) -> Phrase:
    if suggestion is None:
        return reason
    return Joined([reason, Said("config.did_you_mean", suggestion=suggestion)], CLAUSES)


def _model_fields(section: str) -> list[str]:
    model = _model_of(Settings.model_fields[section])
    return list(model.model_fields) if model is not None else []


def _close(name: str, choices: Sequence[str]) -> str | None:
    matches = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _allowed_range(info: FieldInfo | None) -> Phrase | None:
    if info is None:
        return None
    bounds: dict[str, object] = {}
    for constraint in info.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            if getattr(constraint, attr, None) is not None:
                bounds[attr] = getattr(constraint, attr)
    if "ge" in bounds and "le" in bounds:
        return Said("config.range", low=bounds["ge"], high=bounds["le"])
    if not bounds:
        return None
    symbols = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
    return Joined([f"{symbols[attr]} {bound}" for attr, bound in bounds.items()], _COMMAS)


_COMMAS: Final[Mapping[Language, str]] = {"en": ", ", "zh-CN": "，"}


def _clean(message: str) -> str:
    # Our validators' own words, without pydantic's "Value error, " in front.
    return message.removeprefix("Value error, ")


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _toml_string(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _is_secret(loc: tuple[str | int, ...]) -> bool:
    return any(loc[: len(secret)] == secret for secret in _SECRET_KEYS)


def _dotted(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _source(loc: tuple[str | int, ...], origin: _Origin) -> Said:
    names = tuple(_norm(p) for p in loc if isinstance(p, str))
    for key_path, env_name in origin.env_keys.items():
        wanted = tuple(_norm(p) for p in key_path)
        shorter = min(len(wanted), len(names))
        if wanted[:shorter] == names[:shorter]:
            return Said("config.source.env", name=env_name)
    if origin.path is not None and _present(origin.file_data, loc):
        line = _line_of(origin.text, loc)
        if line is not None:
            return Said("config.source.file_line", path=origin.path, line=line)
        return Said("config.source.file", path=origin.path)
    return Said("config.source.default")


def _norm(part: str) -> str:
    return part.replace("-", "_")


def _present(data: Mapping[str, Any], loc: tuple[str | int, ...]) -> bool:
    node: Any = data
    for part in loc:
        if isinstance(part, int) or not isinstance(node, Mapping):
            return True  # an item inside a value the file gave
        if part not in node:
            # required_fields keys are respelled "_" → "-" before validation
            part = next((k for k in node if _norm(str(k)) == _norm(part)), part)
            if part not in node:
                return False
        node = node[part]
    return True


_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_KEY_PATH = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_TABLE_LINE = re.compile(rf"^\s*\[\[?\s*({_KEY_PATH})\s*\]\]?")
_KEY_LINE = re.compile(rf"^\s*({_KEY_PATH})\s*=")


def _line_of(text: str, loc: tuple[str | int, ...]) -> int | None:
    """Line of the `key =` (or `[table]`) that sets the longest prefix of `loc`.

    A scan rather than a TOML parser with positions: the standard library has none, and the
    files are small and written by hand, one key per line.
    """
    wanted = tuple(_norm(p) for p in loc if isinstance(p, str))
    table: tuple[str, ...] = ()
    best, best_length = None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _TABLE_LINE.match(line):
            table = _split_key(match.group(1))
            full = table
        elif match := _KEY_LINE.match(line):
            full = table + _split_key(match.group(1))
        else:
            continue
        normalised = tuple(_norm(p) for p in full)
        if len(full) > best_length and wanted[: len(full)] == normalised:
            best, best_length = number, len(full)
    return best


def _split_key(text: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in re.findall(_KEY_PART, text))


# --------------------------------------------------------------------------------------------
# Writing


_EXAMPLE_HEADER: Final = """\
# Configuration of checkpoint (卡点体温检测登记).
#
# Generated from checkpoint/config.py: do not edit config.example.toml by hand.
# `checkpoint init` writes this file to the per-user configuration folder; edit that copy.
# Every key is optional: a key left out takes the value shown here; a commented-out key
# is not set, and its comment says what that means.
# Any key can also be set by an environment variable CHECKPOINT_<SECTION>__<KEY>,
# e.g. CHECKPOINT_SCREENING__THRESHOLD_C=37.5; `checkpoint config check` shows the result.
"""


def example_config_text(*, local_plates: Sequence[str] = ()) -> str:
    """The starting configuration: every key with its documentation and its default, and the
    local plate prefixes `local_plates` (`checkpoint init` asks for them)."""
    lines = _EXAMPLE_HEADER.splitlines()
    settings = Settings(checkpoint=CheckpointSection(local_plates=tuple(local_plates)))
    lines += _render(settings, documented=True, notes={})
    return "\n".join(lines) + "\n"


def render_effective(loaded: LoadedSettings) -> str:
    """The settings in force as TOML text; the sync token shows as "********" when set.

    Keys set by environment variables carry the variable's name as a trailing comment.
    """
    notes = {_env_key_path(name): name for name in loaded.overrides}
    return "\n".join(_render(loaded.settings, documented=False, notes=notes)).lstrip("\n") + "\n"


def _env_key_path(name: str) -> tuple[str, ...]:
    rest = name.upper().removeprefix(ENV_PREFIX)
    return tuple(part.lower() for part in rest.split(ENV_SEPARATOR))


def write_starting_config(
    path: Path, *, force: bool = False, local_plates: Sequence[str] = ()
) -> Path:
    """Write the starting configuration to `path`, readable by its owner only; return `path`.

    An existing file is kept unless `force` is true: it may hold a checkpoint's real settings.
    The parent folders are created private (0o700) and the file gets mode 0o600.
    """
    if path.exists() and not force:
        raise ConfigError.of("config.exists", path=path)
    try:
        paths.ensure_private_dir(path.parent)
        # Replacing in one step never leaves a half-written configuration behind when the
        # disk is full or the laptop loses power.
        files.write_private(path, example_config_text(local_plates=local_plates).encode())
    except OSError as exc:
        raise ConfigError.of("config.write_failed", path=path, reason=exc.strerror or exc) from exc
    return path


def _render(
    settings: Settings, *, documented: bool, notes: Mapping[tuple[str, ...], str]
) -> list[str]:
    lines: list[str] = []
    for section_name, section_info in Settings.model_fields.items():
        section = getattr(settings, section_name)
        lines.append("")
        if documented:
            lines += _comment(section_info.description)
        lines.append(f"[{section_name}]")
        tables: list[tuple[str, FieldInfo, Mapping[str, Any]]] = []
        for name, info in type(section).model_fields.items():
            value = getattr(section, name)
            if isinstance(value, dict):
                # TOML puts sub-tables after all plain keys of their parent table.
                tables.append((name, info, value))
                continue
            if documented:
                if not lines[-1].startswith("["):
                    lines.append("")
                lines += _comment(info.description)
            lines += _key_lines(name, value, info, (section_name, name), documented, notes)
        for name, info, table in tables:
            lines.append("")
            if documented:
                lines += _comment(info.description)
            lines.append(_with_note(f"[{section_name}.{name}]", notes.get((section_name, name))))
            for key, item in table.items():
                note = notes.get((section_name, name, _toml_key_name(key)))
                lines += _assignment(_toml_key(key), item, note)
    return lines


def _key_lines(
    name: str,
    value: object,
    info: FieldInfo,
    key_path: tuple[str, ...],
    documented: bool,
    notes: Mapping[tuple[str, ...], str],
) -> list[str]:
    if documented and (value is None or key_path in _LOCAL_DEFAULTS):
        example = (info.examples or [""])[0]
        return [f"# {name} = {_toml_value_text(example)}"]
    if value is None:
        return [_with_note(f"# {name} is not set", notes.get(key_path))]
    if key_path in _SECRET_KEYS:
        value = _HIDDEN
    return _assignment(name, value, notes.get(key_path))


def _assignment(key: str, value: object, note: str | None) -> list[str]:
    line = _with_note(f"{key} = {_toml_value_text(value)}", note)
    if len(line) <= _LINE_LENGTH or not isinstance(value, list | tuple):
        return [line]
    # Long lists one item a line, so a person editing the file sees each entry.
    items = [f"    {_toml_value_text(item)}," for item in value]
    return [_with_note(f"{key} = [", note), *items, "]"]


def _with_note(line: str, note: str | None) -> str:
    return f"{line}  # {note}" if note else line


def _comment(text: str | None) -> list[str]:
    return [f"# {line}".rstrip() for line in (text or "").splitlines()]


def _toml_key_name(key: object) -> str:
    return _norm(str(key)).lower()


def _toml_key(key: object) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else _toml_string(text)


def _toml_value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value_text(item) for item in value) + "]"
    if isinstance(value, SecretStr):
        return _toml_string(value.get_secret_value())
    # Enums, paths and URLs are written as their text.
    return _toml_string(str(value))


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _toml_string(text: str) -> str:
    # Regular expressions and Windows paths read best as literal strings: no doubled backslashes.
    if "\\" in text and "'" not in text and not _CONTROL.search(text):
        return f"'{text}'"
    # JSON string escapes are a subset of TOML's basic string escapes, except that TOML also
    # forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
