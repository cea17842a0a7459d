"""Chinese licence plates (车牌): normalised, classified, and the province they hint at.

Drivers have been known to give false plates, so a plate that fits no known pattern is refused
unless the volunteer gives a reason to keep it as seen (military plates, temporary plates, a
plate from before the current standard); the reason is stored with the record.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from checkpoint.errors import ValidationError
from checkpoint.locale import Language


class PlateKind(StrEnum):
    """Which family of plate the text belongs to (GA 36-2018)."""

    STANDARD = "standard"
    """京A12345: province, issuing-office letter, five letters or digits."""
    NEW_ENERGY = "new-energy"
    """8 characters: 粤BD12345 (small, D/F first) or 京A12345D (large, D/F last)."""
    POLICE = "police"
    """京A0001警"""
    LEARNER = "learner"
    """京A1234学 (coach-learner)."""
    TRAILER = "trailer"
    """京A1234挂"""
    HONG_KONG = "hong-kong"
    """粤Z1234港 (cross-border)."""
    MACAU = "macau"
    """粤Z1234澳 (cross-border)."""
    EMBASSY = "embassy"
    """使014578 (embassy) or 沪A0001领 (consulate)."""
    UNRECOGNISED = "unrecognised"
    """Kept as seen because the volunteer gave an override reason."""


@dataclass(frozen=True, slots=True)
class Province:
    """A mainland province-level division as its plates name it."""

    prefix: str
    """The one-character abbreviation on the plate, e.g. 粤."""
    name_zh: str
    name_en: str

    def name(self, language: Language) -> str:
        """The province's name in `language`."""
        return self.name_zh if language == "zh-CN" else self.name_en

    @property
    def canonical(self) -> str:
        """The name an origin is stored as: the official Chinese one (湖北省), whatever the
        language of the screen, so the log, the risk-area list and the hub all read it alike."""
        return self.name_zh


_PROVINCE_LIST: Final = (
    Province("京", "北京市", "Beijing"),
    Province("津", "天津市", "Tianjin"),
    Province("沪", "上海市", "Shanghai"),
    Province("渝", "重庆市", "Chongqing"),
    Province("冀", "河北省", "Hebei"),
    Province("豫", "河南省", "Henan"),
    Province("云", "云南省", "Yunnan"),
    Province("辽", "辽宁省", "Liaoning"),
    Province("黑", "黑龙江省", "Heilongjiang"),
    Province("湘", "湖南省", "Hunan"),
    Province("皖", "安徽省", "Anhui"),
    Province("鲁", "山东省", "Shandong"),
    Province("新", "新疆维吾尔自治区", "Xinjiang"),
    Province("苏", "江苏省", "Jiangsu"),
    Province("浙", "浙江省", "Zhejiang"),
    Province("赣", "江西省", "Jiangxi"),
    Province("鄂", "湖北省", "Hubei"),
    Province("桂", "广西壮族自治区", "Guangxi"),
    Province("甘", "甘肃省", "Gansu"),
    Province("晋", "山西省", "Shanxi"),
    Province("蒙", "内蒙古自治区", "Inner Mongolia"),
    Province("陕", "陕西省", "Shaanxi"),
    Province("吉", "吉林省", "Jilin"),
    Province("闽", "福建省", "Fujian"),
    Province("贵", "贵州省", "Guizhou"),
    Province("粤", "广东省", "Guangdong"),
    Province("青", "青海省", "Qinghai"),
    Province("藏", "西藏自治区", "Tibet"),
    Province("川", "四川省", "Sichuan"),
    Province("宁", "宁夏回族自治区", "Ningxia"),
    Province("琼", "海南省", "Hainan"),
)

PROVINCES: Final[dict[str, Province]] = {p.prefix: p for p in _PROVINCE_LIST}
"""The 31 mainland province-level divisions by plate prefix."""

# I and O are never issued because they read as 1 and 0.
_L = "[A-HJ-NP-Z]"
_C = "[A-HJ-NP-Z0-9]"
_P = f"[{''.join(PROVINCES)}]"

_PATTERNS: Final = (
    (PlateKind.STANDARD, re.compile(f"{_P}{_L}{_C}{{5}}")),
    # Small new-energy: D (electric) or F (other) first, then a letter or digit, then 4 digits;
    # large: five digits, then D or F.
    (PlateKind.NEW_ENERGY, re.compile(rf"{_P}{_L}(?:[DF]{_C}\d{{4}}|\d{{5}}[DF])")),
    (PlateKind.POLICE, re.compile(f"{_P}{_L}{_C}{{4}}警")),
    (PlateKind.LEARNER, re.compile(f"{_P}{_L}{_C}{{4}}学")),
    (PlateKind.TRAILER, re.compile(f"{_P}{_L}{_C}{{4}}挂")),
    # Cross-border plates are all issued by Guangdong under 粤Z.
    (PlateKind.HONG_KONG, re.compile(f"粤Z{_C}{{4}}港")),
    (PlateKind.MACAU, re.compile(f"粤Z{_C}{{4}}澳")),
    (PlateKind.EMBASSY, re.compile(rf"使\d{{6}}|{_P}{_L}{_C}{{4}}领")),
)

# Separators seen on plates and in typing: the middle dot of 京A·12345 and its look-alikes.
_SEPARATORS: Final = re.compile(r"[\s\-·•・.]")


@dataclass(frozen=True, slots=True)
class Plate:
    """A plate as recorded."""

    text: str
    """Normalised: NFKC, upper-case, without spaces, dots or hyphens."""
    kind: PlateKind
    province_prefix: str | None
    """The first character when it is a mainland province abbreviation."""
    province: Province | None
    override_reason: str | None = None
    """Why an unrecognised plate was kept; None for every recognised plate."""


def normalise_plate(text: str) -> str:
    """`text` as stored: full-width folded (NFKC), upper-case, separators removed."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def province_hint(prefix: str) -> Province | None:
    """The province whose plates start with `prefix` (鄂 or a whole plate such as 鄂A12345).

    For the screen to suggest where a vehicle comes from; None when it is not a mainland prefix.
    """
    return PROVINCES.get(normalise_plate(prefix)[:1])


def parse_plate(text: str, *, override_reason: str | None = None) -> Plate:
    """Classify `text` as a Chinese licence plate.

    A plate matching no known pattern raises `ValidationError`, unless `override_reason` is a
    non-empty string: then it is kept as `PlateKind.UNRECOGNISED` with that reason, which the
    caller records. An empty plate is refused even with a reason: a person without a vehicle
    has no plate rather than an unreadable one.
    """
    plate = normalise_plate(text)
    if not plate:
        raise ValidationError.of("plate.empty")
    province = PROVINCES.get(plate[0])
    prefix = plate[0] if province else None
    for kind, pattern in _PATTERNS:
        if pattern.fullmatch(plate):
            return Plate(text=plate, kind=kind, province_prefix=prefix, province=province)
    reason = (override_reason or "").strip()
    if reason:
        return Plate(
            text=plate,
            kind=PlateKind.UNRECOGNISED,
            province_prefix=prefix,
            province=province,
            override_reason=reason,
        )
    raise _why_unrecognised(plate, province)


def _why_unrecognised(plate: str, province: Province | None) -> ValidationError:
    # The most specific explanation first: a volunteer fixes "I is not used" faster than
    # "not a plate".
    if "I" in plate or "O" in plate:
        return ValidationError.of("plate.letters_io", plate=plate)
    if province is None and not plate.startswith("使"):
        return ValidationError.of("plate.province", plate=plate, prefix=plate[0])
    if len(plate) not in (7, 8):
        return ValidationError.of("plate.length", plate=plate, length=len(plate))
    return ValidationError.of("plate.unrecognised", plate=plate)


_BY_NAME: Final[dict[str, Province]] = {
    name.casefold(): p for p in _PROVINCE_LIST for name in (p.name_zh, p.name_en)
}


def place_name(origin: str, language: Language) -> str:
    """An origin as a reader of `language` says it: a province stored by its canonical name
    (湖北省, or the English name an older log may hold) in that language; anything else, as
    it was typed."""
    province = _BY_NAME.get(origin.strip().casefold())
    return origin if province is None else province.name(language)


_PREFIX_SEPARATORS: Final = re.compile(r"[\s,;，；、]+")


def parse_plate_prefixes(text: str) -> tuple[str, ...]:
    """Local plate prefixes as a person types them ("鄂K, 鄂A" or "鄂K 鄂A"), normalised.

    Each is a province's character, optionally with the issuing office's letter ("鄂" or
    "鄂K"); anything else raises ValidationError naming it. Empty text gives no prefixes.
    """
    prefixes: list[str] = []
    for part in _PREFIX_SEPARATORS.split(unicodedata.normalize("NFKC", text).upper()):
        if not part:
            continue
        if part[0] not in PROVINCES or not re.fullmatch(f".{_L}?", part):
            raise ValidationError.of("plate.prefix_invalid", prefix=part)
        if part not in prefixes:
            prefixes.append(part)
    return tuple(prefixes)
