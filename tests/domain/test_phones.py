"""Phone numbers: mainland mobiles and landlines, and numbers outside the mainland in their
international form, accepted; everything else refused by reason."""

from __future__ import annotations

import pytest

from checkpoint.domain.phones import Phone, PhoneKind, parse_phone
from checkpoint.errors import ValidationError
from checkpoint.locale import LANGUAGES, catalog

MOBILE = PhoneKind.MOBILE
LANDLINE = PhoneKind.LANDLINE

VALID_PHONES = [
    # mobiles, every leading 1[3-9] and the usual ways of typing them
    ("13800138000", "+8613800138000", "138 0013 8000", MOBILE),
    ("138 0013 8000", "+8613800138000", "138 0013 8000", MOBILE),
    ("138-0013-8000", "+8613800138000", "138 0013 8000", MOBILE),
    ("+86 138 0013 8000", "+8613800138000", "138 0013 8000", MOBILE),
    ("+8613800138000", "+8613800138000", "138 0013 8000", MOBILE),
    ("0086 13800138000", "+8613800138000", "138 0013 8000", MOBILE),
    ("(+86) 13800138000", "+8613800138000", "138 0013 8000", MOBILE),
    ("１３８００１３８０００", "+8613800138000", "138 0013 8000", MOBILE),  # full-width
    ("＋８６ １３８００１３８０００", "+8613800138000", "138 0013 8000", MOBILE),
    ("14512345678", "+8614512345678", "145 1234 5678", MOBILE),
    ("15912345678", "+8615912345678", "159 1234 5678", MOBILE),
    ("16612345678", "+8616612345678", "166 1234 5678", MOBILE),
    ("17012345678", "+8617012345678", "170 1234 5678", MOBILE),
    ("18612345678", "+8618612345678", "186 1234 5678", MOBILE),
    ("19912345678", "+8619912345678", "199 1234 5678", MOBILE),
    # landlines with area code
    ("010-12345678", "+861012345678", "010 1234 5678", LANDLINE),
    ("01012345678", "+861012345678", "010 1234 5678", LANDLINE),
    ("(010) 1234 5678", "+861012345678", "010 1234 5678", LANDLINE),
    ("+86 10 12345678", "+861012345678", "010 1234 5678", LANDLINE),
    ("0755-12345678", "+8675512345678", "0755 1234 5678", LANDLINE),
    ("0086 755 12345678", "+8675512345678", "0755 1234 5678", LANDLINE),
    ("021 1234 5678", "+862112345678", "021 1234 5678", LANDLINE),
    ("027-87654321", "+862787654321", "027 8765 4321", LANDLINE),
    ("0371-12345678", "+8637112345678", "0371 1234 5678", LANDLINE),
    ("0891-6123456", "+868916123456", "0891 612 3456", LANDLINE),  # Lhasa, 7 digits
]

FOREIGN_PHONES = [
    # outside the mainland, typed in the international form (+ or the 00 prefix)
    ("+852 9123 4567", "+85291234567", "+852 9123 4567", MOBILE, "HK"),
    ("00852 2123 4567", "+85221234567", "+852 2123 4567", LANDLINE, "HK"),
    ("+853 6612 3456", "+85366123456", "+853 6612 3456", MOBILE, "MO"),
    ("+886 912 345 678", "+886912345678", "+886 912 345 678", MOBILE, "TW"),
    ("００８８６ ９１２ ３４５ ６７８", "+886912345678", "+886 912 345 678", MOBILE, "TW"),
    ("+1 650 253 0000", "+16502530000", "+1 650-253-0000", PhoneKind.MOBILE_OR_LANDLINE, "US"),
    ("0044 20 7946 0958", "+442079460958", "+44 20 7946 0958", LANDLINE, "GB"),
]

INVALID_PHONES = [
    ("", "phone.empty"),
    ("   ", "phone.empty"),
    ("abc", "phone.not_a_number"),
    ("138OO138OOO", "phone.not_a_number"),  # letters O for zeros
    ("1380013800O", "phone.not_a_number"),
    ("138 0013 8000 ext 12", "phone.not_a_number"),
    ("138/0013/8000", "phone.not_a_number"),
    ("+", "phone.not_a_number"),
    ("+86", "phone.not_a_number"),
    ("12345678", "phone.unknown_range"),
    ("87654321", "phone.no_area_code"),
    ("6123456", "phone.no_area_code"),
    ("2345 6789", "phone.no_area_code"),
    ("+852 1234", "phone.too_short"),  # Hong Kong numbers have 8 digits
    ("+852 9123 45678", "phone.unknown_range"),
    ("+886 12 345", "phone.too_short"),
    ("+44 7700 900123", "phone.unknown_range"),  # a range not in use
    ("+1 800 555 0199", "phone.service"),  # toll-free
    ("91234567", "phone.no_area_code"),  # a Hong Kong mobile without +852
    ("1380013800", "phone.mobile_length"),
    ("138001380001", "phone.mobile_length"),
    ("1440123456789", "phone.mobile_length"),  # IoT range, 13 digits
    ("+86 138 0013 800", "phone.mobile_length"),
    ("95588", "phone.too_short"),
    ("12345", "phone.too_short"),
    ("0000", "phone.too_short"),
    ("010-123", "phone.too_short"),
    ("0755-123456789012345", "phone.too_long"),
    ("10012345678", "phone.unknown_range"),
    ("12012345678", "phone.unknown_range"),
    ("0755-1234567", "phone.unknown_range"),  # Shenzhen numbers have 8 digits
    ("4008123123", "phone.service"),
    ("800 810 8888", "phone.service"),
]


@pytest.mark.parametrize(("text", "e164", "national", "kind"), VALID_PHONES)
def test_valid_phone(text: str, e164: str, national: str, kind: PhoneKind) -> None:
    assert parse_phone(text) == Phone(e164=e164, national=national, kind=kind)


@pytest.mark.parametrize(("text", "code"), INVALID_PHONES)
def test_invalid_phone_is_refused_with_its_own_code(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_phone(text)
    error = caught.value
    assert error.code == code
    for language in LANGUAGES:
        assert code in catalog(language)
        assert f"{code}.hint" in catalog(language)
    assert error.message != code
    assert error.hint


@pytest.mark.parametrize(("text", "e164", "shown", "kind", "region"), FOREIGN_PHONES)
def test_a_number_outside_the_mainland_is_accepted_in_its_international_form(
    text: str, e164: str, shown: str, kind: PhoneKind, region: str
) -> None:
    assert parse_phone(text) == Phone(e164=e164, national=shown, kind=kind, region=region)


def test_a_hong_kong_number_without_its_code_says_how_to_type_it() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_phone("9123 4567")
    assert "+852" in caught.value.hint
    assert "+852" in caught.value.text("zh-CN")[1] and "香港" in caught.value.text("zh-CN")[1]


def test_same_number_typed_differently_is_the_same_phone() -> None:
    forms = ["13800138000", "+86 138-0013-8000", "0086 138 0013 8000", "１３８ ００１３ ８０００"]
    assert len({parse_phone(form) for form in forms}) == 1
