"""Licence plates: every kind, normalisation, the province table and overrides."""

from __future__ import annotations

import pytest

from checkpoint.domain.plates import (
    PROVINCES,
    Plate,
    PlateKind,
    normalise_plate,
    parse_plate,
    province_hint,
)
from checkpoint.errors import ValidationError
from checkpoint.locale import LANGUAGES, catalog

VALID_PLATES = [
    # standard
    ("京A12345", "京A12345", PlateKind.STANDARD, "京"),
    ("京A·12345", "京A12345", PlateKind.STANDARD, "京"),
    ("京a 12345", "京A12345", PlateKind.STANDARD, "京"),
    ("鄂A-0B123", "鄂A0B123", PlateKind.STANDARD, "鄂"),
    ("粤Ｂ１２３４５", "粤B12345", PlateKind.STANDARD, "粤"),  # full-width
    ("沪AZ8888", "沪AZ8888", PlateKind.STANDARD, "沪"),
    ("新A12345", "新A12345", PlateKind.STANDARD, "新"),
    ("藏AAB123", "藏AAB123", PlateKind.STANDARD, "藏"),
    ("蒙K • 12345", "蒙K12345", PlateKind.STANDARD, "蒙"),
    ("琼A12345", "琼A12345", PlateKind.STANDARD, "琼"),
    ("京AD1234", "京AD1234", PlateKind.STANDARD, "京"),  # 7 characters: not new-energy
    # new-energy, small (D/F first) and large (D/F last)
    ("粤BD12345", "粤BD12345", PlateKind.NEW_ENERGY, "粤"),
    ("京AF12345", "京AF12345", PlateKind.NEW_ENERGY, "京"),
    ("京A12345D", "京A12345D", PlateKind.NEW_ENERGY, "京"),
    ("沪AD·A1234", "沪ADA1234", PlateKind.NEW_ENERGY, "沪"),
    ("浙AF 99999", "浙AF99999", PlateKind.NEW_ENERGY, "浙"),
    ("苏E54321F", "苏E54321F", PlateKind.NEW_ENERGY, "苏"),
    # suffix plates
    ("京A0001警", "京A0001警", PlateKind.POLICE, "京"),
    ("川A·1234警", "川A1234警", PlateKind.POLICE, "川"),
    ("京A1234学", "京A1234学", PlateKind.LEARNER, "京"),
    ("鲁B5678学", "鲁B5678学", PlateKind.LEARNER, "鲁"),
    ("冀A1234挂", "冀A1234挂", PlateKind.TRAILER, "冀"),
    ("豫AB123挂", "豫AB123挂", PlateKind.TRAILER, "豫"),
    ("粤Z1234港", "粤Z1234港", PlateKind.HONG_KONG, "粤"),
    ("粤Z·A123港", "粤ZA123港", PlateKind.HONG_KONG, "粤"),
    ("粤Z1234澳", "粤Z1234澳", PlateKind.MACAU, "粤"),
    ("使014578", "使014578", PlateKind.EMBASSY, None),
    ("使 014 578", "使014578", PlateKind.EMBASSY, None),
    ("沪A0001领", "沪A0001领", PlateKind.EMBASSY, "沪"),
]

INVALID_PLATES = [
    # I and O are never used
    ("京AI2345", "plate.letters_io"),
    ("京O12345", "plate.letters_io"),
    ("京A1234O", "plate.letters_io"),
    ("粤BDO2345", "plate.letters_io"),
    ("京AIO345", "plate.letters_io"),
    # unknown province
    ("港A12345", "plate.province"),
    ("澳A12345", "plate.province"),
    ("台A12345", "plate.province"),
    ("AA12345", "plate.province"),
    ("12345", "plate.province"),
    ("VA12345", "plate.province"),  # military
    ("WJ12345", "plate.province"),  # armed police
    ("中A12345", "plate.province"),
    # wrong length
    ("京A1234", "plate.length"),
    ("京A", "plate.length"),
    ("京", "plate.length"),
    ("京A123456789", "plate.length"),
    ("粤BD1234567", "plate.length"),
    ("使01457", "plate.length"),
    # right length and prefix, no known pattern
    ("京112345", "plate.unrecognised"),  # digit where the office letter goes
    ("京AD12345X", "plate.length"),
    ("京AD1234A", "plate.unrecognised"),
    ("京AA12345", "plate.unrecognised"),  # 8 characters without D/F
    ("京A1234D5", "plate.unrecognised"),
    ("京AD12A45", "plate.unrecognised"),  # small new-energy ends in four digits
    ("粤A1234港", "plate.unrecognised"),  # cross-border plates are 粤Z only
    ("京Z1234澳", "plate.unrecognised"),
    ("京A1234临", "plate.unrecognised"),
    ("京A1234#", "plate.unrecognised"),
    ("使01457A", "plate.unrecognised"),
    ("京A123警4", "plate.unrecognised"),
]


@pytest.mark.parametrize(("text", "normalised", "kind", "prefix"), VALID_PLATES)
def test_valid_plate(text: str, normalised: str, kind: PlateKind, prefix: str | None) -> None:
    plate = parse_plate(text)
    assert plate.text == normalised
    assert plate.kind is kind
    assert plate.province_prefix == prefix
    assert plate.province == (PROVINCES[prefix] if prefix else None)
    assert plate.override_reason is None


@pytest.mark.parametrize(("text", "code"), INVALID_PLATES)
def test_invalid_plate_is_refused_with_a_hint_to_override(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_plate(text)
    error = caught.value
    assert error.code == code
    assert error.params["plate"] == normalise_plate(text)
    assert normalise_plate(text) in error.message
    for language in LANGUAGES:
        assert code in catalog(language)
        assert f"{code}.hint" in catalog(language)
    assert "reason" in error.hint
    assert "原因" in error.text("zh-CN")[1]


@pytest.mark.parametrize("text", [text for text, _ in INVALID_PLATES])
def test_unrecognised_plate_is_kept_with_an_override_reason(text: str) -> None:
    plate = parse_plate(text, override_reason="  military plate  ")
    assert plate.kind is PlateKind.UNRECOGNISED
    assert plate.text == normalise_plate(text)
    assert plate.override_reason == "military plate"
    assert plate.province == PROVINCES.get(plate.text[0])


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_blank_override_reason_does_not_override(reason: str | None) -> None:
    with pytest.raises(ValidationError):
        parse_plate("VA12345", override_reason=reason)


def test_recognised_plate_ignores_the_override_reason() -> None:
    plate = parse_plate("京A12345", override_reason="looked odd")
    assert plate == Plate("京A12345", PlateKind.STANDARD, "京", PROVINCES["京"], None)


@pytest.mark.parametrize("text", ["", "  ", "·", " - "])
def test_empty_plate_is_refused_even_with_a_reason(text: str) -> None:
    for reason in (None, "on foot"):
        with pytest.raises(ValidationError) as caught:
            parse_plate(text, override_reason=reason)
        assert caught.value.code == "plate.empty"


def test_province_table_has_the_31_mainland_prefixes() -> None:
    assert set(PROVINCES) == set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
    assert len({p.name_zh for p in PROVINCES.values()}) == 31
    assert len({p.name_en for p in PROVINCES.values()}) == 31


@pytest.mark.parametrize("prefix", sorted(PROVINCES))
def test_every_province_has_standard_plates(prefix: str) -> None:
    assert parse_plate(f"{prefix}A12345").province is PROVINCES[prefix]


@pytest.mark.parametrize(
    ("prefix", "zh", "en"),
    [
        ("鄂", "湖北省", "Hubei"),
        ("粤", "广东省", "Guangdong"),
        ("蒙", "内蒙古自治区", "Inner Mongolia"),
        ("陕", "陕西省", "Shaanxi"),
        ("晋", "山西省", "Shanxi"),
        ("鄂A12345", "湖北省", "Hubei"),
        (" 京", "北京市", "Beijing"),
    ],
)
def test_province_hint(prefix: str, zh: str, en: str) -> None:
    province = province_hint(prefix)
    assert province is not None
    assert (province.name("zh-CN"), province.name("en")) == (zh, en)


@pytest.mark.parametrize("prefix", ["", "港", "使", "A", "1", "台"])
def test_province_hint_for_no_province(prefix: str) -> None:
    assert province_hint(prefix) is None
