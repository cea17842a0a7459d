"""Phone numbers: a mainland mobile or landline with its area code, or a number outside the
mainland (Hong Kong, Macau, Taiwan, abroad) in its international form (+852 …, 00852 …);
each checked against libphonenumber's metadata so that an invented number in an unassigned
range is caught.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers import ValidationResult as Possible

from checkpoint.errors import ValidationError

REGION: Final = "CN"
_COUNTRY_CODE: Final = 86

# phonenumbers reads letters as keypad digits (1-800-FLOWERS), which would turn a mistyped
# O or l into a plausible number; only digits and the usual punctuation are let through.
_TYPED: Final = re.compile(r"[\d\s+\-().]+")
_MOBILE: Final = re.compile(r"1[3-9]\d{9}")
_MOBILE_PREFIX: Final = re.compile(r"1[3-9]")
# A local number without area code: 7 or 8 digits, never starting with 0 (trunk prefix) or
# 1 (mobiles and service numbers).
_LOCAL_ONLY: Final = re.compile(r"[2-9]\d{6,7}")


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    MOBILE_OR_LANDLINE = "mobile-or-landline"
    """Numbering plans that do not tell them apart (+1: the United States, Canada)."""


@dataclass(frozen=True, slots=True)
class Phone:
    """A number that libphonenumber knows to be assigned."""

    e164: str
    """+8613800138000, +861012345678, +85291234567: what is stored and compared."""
    national: str
    """138 0013 8000, 010 1234 5678 for the mainland; +852 9123 4567 (the international
    form, as it is dialled from the mainland) for any other: what is shown."""
    kind: PhoneKind
    region: str = REGION
    """Where the number belongs (ISO 3166 code of libphonenumber): CN, HK, MO, TW, US …"""


def parse_phone(text: str) -> Phone:
    """Check `text` as a mainland mobile or landline number, or as a number outside the
    mainland in its international form.

    Accepts 11-digit mobiles, landlines with their area code (010-12345678, 0755 1234 5678)
    and a +86 or 0086 prefix; any other country or region with its code after + or 00
    (+852 9123 4567, 00853 6612 3456, +886 912 345 678, +1 650 253 0000). Full-width digits
    are folded first. Raises `ValidationError` with a distinct code for each kind of mistake.
    """
    typed = unicodedata.normalize("NFKC", text).strip()
    if not typed:
        raise ValidationError.of("phone.empty")
    if not _TYPED.fullmatch(typed):
        raise ValidationError.of("phone.not_a_number", phone=typed)
    digits = re.sub(r"\D", "", typed)
    if not typed.startswith("+") and _LOCAL_ONLY.fullmatch(digits):
        raise ValidationError.of("phone.no_area_code", phone=typed)
    try:
        number = phonenumbers.parse(typed, REGION)
    except NumberParseException as exc:
        raise _parse_failure(exc, typed) from None
    if number.country_code != _COUNTRY_CODE:
        return _international(number, typed)
    national = phonenumbers.national_significant_number(number)
    # Checked before libphonenumber's own length rules, which would call a 10-digit mobile
    # a valid-length number in an unknown range.
    if _MOBILE_PREFIX.match(national) and len(national) != 11:
        raise ValidationError.of("phone.mobile_length", phone=typed, length=len(national))
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in (Possible.TOO_SHORT, Possible.IS_POSSIBLE_LOCAL_ONLY):
        raise ValidationError.of("phone.too_short", phone=typed)
    if possible == Possible.TOO_LONG:
        raise ValidationError.of("phone.too_long", phone=typed)
    if possible != Possible.IS_POSSIBLE or not phonenumbers.is_valid_number(number):
        raise ValidationError.of("phone.unknown_range", phone=typed)
    kind = _kind(phonenumbers.number_type(number), national)
    if kind is None:
        raise ValidationError.of("phone.service", phone=typed)
    if kind is PhoneKind.MOBILE and not _MOBILE.fullmatch(national):
        raise ValidationError.of("phone.unknown_range", phone=typed)
    return Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        national=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
        kind=kind,
    )


def _international(number: phonenumbers.PhoneNumber, typed: str) -> Phone:
    """A number outside the mainland: only its own numbering plan can tell whether it is
    in use (a Hong Kong mobile has 8 digits, a Taiwan one 9)."""
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in (Possible.TOO_SHORT, Possible.IS_POSSIBLE_LOCAL_ONLY):
        raise ValidationError.of("phone.too_short", phone=typed)
    if possible == Possible.TOO_LONG:
        raise ValidationError.of("phone.too_long", phone=typed)
    if possible != Possible.IS_POSSIBLE or not phonenumbers.is_valid_number(number):
        raise ValidationError.of("phone.unknown_range", phone=typed)
    number_type = phonenumbers.number_type(number)
    kind = {
        PhoneNumberType.MOBILE: PhoneKind.MOBILE,
        PhoneNumberType.FIXED_LINE: PhoneKind.LANDLINE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE: PhoneKind.MOBILE_OR_LANDLINE,
    }.get(number_type)
    if kind is None:
        raise ValidationError.of("phone.service", phone=typed)
    return Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        national=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        kind=kind,
        region=phonenumbers.region_code_for_number(number) or "",
    )


def _kind(number_type: int, national: str) -> PhoneKind | None:
    if number_type == PhoneNumberType.MOBILE:
        return PhoneKind.MOBILE
    if number_type == PhoneNumberType.FIXED_LINE:
        return PhoneKind.LANDLINE
    if number_type == PhoneNumberType.FIXED_LINE_OR_MOBILE:
        return PhoneKind.MOBILE if _MOBILE_PREFIX.match(national) else PhoneKind.LANDLINE
    # Toll-free (400/800), premium, VoIP and the like reach an organisation, not the person.
    return None


def _parse_failure(exc: NumberParseException, typed: str) -> ValidationError:
    if exc.error_type in (
        NumberParseException.TOO_SHORT_NSN,
        NumberParseException.TOO_SHORT_AFTER_IDD,
    ):
        return ValidationError.of("phone.too_short", phone=typed)
    if exc.error_type == NumberParseException.TOO_LONG:
        return ValidationError.of("phone.too_long", phone=typed)
    return ValidationError.of("phone.not_a_number", phone=typed)
