"""Mainland phone numbers: a mobile or a landline with its area code, checked against
libphonenumber's metadata so that an invented number in an unassigned range is caught.
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


@dataclass(frozen=True, slots=True)
class Phone:
    """A mainland number that libphonenumber knows to be assigned."""

    e164: str
    """+8613800138000, +861012345678: what is stored and compared."""
    national: str
    """138 0013 8000, 010 1234 5678: what is shown."""
    kind: PhoneKind


def parse_phone(text: str) -> Phone:
    """Check `text` as a mainland mobile or landline number.

    Accepts 11-digit mobiles, landlines with their area code (010-12345678, 0755 1234 5678)
    and a +86 or 0086 prefix; full-width digits are folded first. Raises `ValidationError`
    with a distinct code for each kind of mistake.
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
        raise ValidationError.of(
            "phone.foreign", phone=typed, country_code=f"+{number.country_code}"
        )
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
