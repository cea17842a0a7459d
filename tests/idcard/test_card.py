"""A card's text: decoded field by field (UCS-2 LE, nation codes, dates, long-term validity),
checked against its own ID number, and refused with the reason when it does not hold."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from checkpoint.domain.addresses import place_of_address
from checkpoint.domain.vocabulary import Sex
from checkpoint.idcard.card import (
    NATIONS,
    TEXT_BYTES,
    CardError,
    card_as_json,
    decode_card,
    encode_card_text,
)
from tests.idcard.cards import LI, ZHANG

TODAY = date(2026, 12, 2)


def test_the_text_is_256_bytes_of_space_padded_ucs2() -> None:
    text = encode_card_text(ZHANG)
    assert len(text) == TEXT_BYTES == 256
    assert text[:4] == "张伟".encode("utf-16-le")
    assert text[4:30] == " ".encode("utf-16-le") * 13  # the name's 15 characters, padded
    assert text[30:32] == b"1\x00"  # sex code 1: male
    assert text[32:36] == "01".encode("utf-16-le")  # nation code 01: 汉


def test_a_card_decodes_to_its_fields() -> None:
    assert decode_card(encode_card_text(ZHANG), today=TODAY) == ZHANG
    card = decode_card(encode_card_text(LI), today=TODAY)
    assert card == LI
    assert card.valid_to is None  # 长期
    assert card.nation == "回" and card.nation_in("en") == "Hui"


def test_the_json_form_has_text_iso_dates_and_long_term() -> None:
    assert card_as_json(decode_card(encode_card_text(LI), today=TODAY)) == {
        "name": "李芳",
        "sex": "female",
        "nation": "回",
        "birth_date": "1985-06-11",
        "address": "湖北省武汉市武昌区解放路8号",
        "id_number": "42010619850611002X",
        "issuer": "武汉市公安局武昌分局",
        "valid_from": "2010-01-05",
        "valid_to": "long-term",
    }


def test_the_nation_table_has_the_56_nationalities_and_the_two_others() -> None:
    assert len(NATIONS) == 58
    assert NATIONS["01"] == ("汉", "Han") and NATIONS["56"] == ("基诺", "Jino")
    assert NATIONS["97"][0] == "其他"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id_number": "440305199003070015"}, "idcard.problem.id-number"),  # check digit
        ({"id_number": "440305199013070014"}, "idcard.problem.id-number"),  # month 13
        ({"sex": Sex.FEMALE}, "idcard.problem.sex"),
        ({"nation_code": "77"}, "idcard.problem.nation"),
        ({"birth_date": date(1990, 3, 8)}, "idcard.problem.birth-date"),
        ({"valid_to": date(2015, 6, 1)}, "idcard.problem.validity"),
        ({"name": " "}, "idcard.problem.name"),
    ],
)
def test_a_card_that_fails_a_check_is_refused_with_the_reason(
    change: dict[str, object], code: str
) -> None:
    card = dataclasses.replace(ZHANG, **change)  # type: ignore[arg-type]
    with pytest.raises(CardError) as refused:
        decode_card(encode_card_text(card), today=TODAY)
    assert refused.value.code == code
    message, hint = refused.value.text("zh-CN")
    assert message and hint


def test_a_dateless_field_and_short_text_are_refused() -> None:
    text = bytearray(encode_card_text(ZHANG))
    text[204:220] = "2015ab01".encode("utf-16-le")  # valid_from
    with pytest.raises(CardError, match="validity"):
        decode_card(bytes(text), today=TODAY)
    with pytest.raises(CardError, match="could not be read"):
        decode_card(b"\x00" * 100, today=TODAY)


def test_an_expired_card_is_still_a_card() -> None:
    card = decode_card(encode_card_text(ZHANG), today=TODAY)
    assert not card.expired(TODAY) and card.expired(date(2035, 6, 2))


@pytest.mark.parametrize(
    ("address", "origin"),
    [
        ("广东省深圳市南山区科技路12号", "广东省深圳市"),
        ("北京市东城区和平里1号", "北京市"),
        ("内蒙古自治区呼和浩特市新城区", "内蒙古自治区呼和浩特市"),
        ("湖北省恩施土家族苗族自治州恩施市", "湖北省恩施土家族苗族自治州"),
        ("浙江省杭州市西湖区", "浙江省杭州市"),
        ("湖北武汉市武昌区", "湖北省武汉市"),
        ("新疆维吾尔自治区乌鲁木齐市", "新疆维吾尔自治区乌鲁木齐市"),
    ],
)
def test_the_from_place_is_the_province_and_city_of_the_address(address: str, origin: str) -> None:
    place = place_of_address(address)
    assert place is not None and place.origin == origin


def test_an_address_without_a_province_gives_no_place() -> None:
    assert place_of_address("香港九龙") is None
