"""Identity documents as typed at the checkpoint: normalised, checked, and what they tell us.

A resident ID (居民身份证) carries a GB 11643 check digit, the birth date, the sex and the region
of registration, so a typo or an invented number is caught while the person is still at the
window. Other documents are only checked for their shape; nothing is derived from them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final, assert_never

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from checkpoint.domain.vocabulary import DocumentKind, Sex
from checkpoint.errors import ValidationError

EARLIEST_BIRTH_DATE: Final = date(1900, 1, 1)
"""Anyone whose ID says they were born earlier has a mistyped (or invented) number."""

# GB/T 2260 province-level codes that appear in the first two digits of an 18-character
# number: the 31 mainland provinces, plus 81/82/83 used by the residence permits of Hong Kong,
# Macau and Taiwan residents (港澳台居民居住证), which follow GB 11643 too.
_PROVINCE_CODES: Final = frozenset(
    # A spaced string reads as the table it is; one literal per line would run to 34 lines.
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "  # noqa: SIM905
    "61 62 63 64 65 81 82 83".split()
)

_RESIDENT_ID: Final = re.compile(r"\d{17}[\dX]")
_RESIDENT_ID_LIKE: Final = re.compile(r"\d{15,19}|\d{14,18}X")
_PASSPORT: Final = re.compile(r"[0-9A-Z]{5,20}")
"""Foreign passports; Chinese ones (E/G/D/S/P + 8 digits, E + letter + 7 digits) fit it too."""
_HOME_RETURN_PERMIT: Final = re.compile(r"[HM]\d{8}(?:\d{2})?")
"""港澳居民来往内地通行证 (回乡证): H for Hong Kong, M for Macau residents."""
_EXIT_ENTRY_PERMIT: Final = re.compile(r"C[0-9A-Z]{8}")
"""往来港澳通行证: mainland residents travelling to Hong Kong and Macau."""
_TAIWAN_PERMIT_DIGITS: Final = re.compile(r"\d{8}|\d{10}[A-Z]?")
_TAIWAN_PERMIT: Final = re.compile(r"\d{8}|\d{10}[A-Z]?|[A-Z]\d{9}")
"""台湾居民来往大陆通行证: 8 digits since 2015; older booklets had 10 characters with a letter."""

# Characters people type between groups of a number; none of them is part of any number.
# Parentheses come from old Taiwan permits printed as 0123456789(B).
_SEPARATORS: Final = re.compile(r"[\s\-()]")


@dataclass(frozen=True, slots=True)
class Document:
    """A document number that passed the rules of its kind.

    `birth_date`, `sex` and `region_code` are only known for resident IDs; they are None for
    every other kind.
    """

    kind: DocumentKind
    number: str
    """Upper-case ASCII without separators; empty only for `DocumentKind.NONE`."""
    birth_date: date | None = None
    sex: Sex | None = None
    region_code: str | None = None
    """The six-digit GB/T 2260 code of the place of registration."""


def normalise_document_number(text: str) -> str:
    """`text` as stored: full-width folded to ASCII (NFKC), upper-case, separators removed."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def parse_document(kind: DocumentKind, text: str, *, today: date | None = None) -> Document:
    """Check `text` as a document of `kind` and return it normalised.

    `today` bounds the birth date of a resident ID (a date in the future is a typo); it
    defaults to the local date and is a parameter so the rule stays pure and testable.

    Raises `ValidationError` with a catalog code, the offending value and a hint.
    """
    number = normalise_document_number(text)
    if kind is DocumentKind.NONE:
        # A volunteer who typed something probably picked the wrong kind: saying so beats
        # silently dropping a number the person did show.
        if number:
            raise ValidationError.of("document.none.has_text", number=number)
        return Document(kind=kind, number="")
    if not number:
        raise ValidationError.of("document.empty")
    match kind:
        case DocumentKind.RESIDENT_ID:
            return _parse_resident_id(number, today or date.today())
        case DocumentKind.PASSPORT:
            return _parse_passport(number)
        case DocumentKind.HK_MACAU_PERMIT:
            if _HOME_RETURN_PERMIT.fullmatch(number) or _EXIT_ENTRY_PERMIT.fullmatch(number):
                return Document(kind=kind, number=number)
            raise ValidationError.of("document.hk_macau.format", number=number)
        case DocumentKind.TAIWAN_PERMIT:
            if _TAIWAN_PERMIT.fullmatch(number):
                return Document(kind=kind, number=number)
            raise ValidationError.of("document.taiwan.format", number=number)
        case _:  # pragma: no cover - mypy checks that every kind is handled
            assert_never(kind)


def detect_document_kind(text: str) -> DocumentKind | None:
    """A guess at the kind of `text`, to preselect it in a form; None when nothing fits.

    Only a guess: a foreign passport can look like any other kind, so the person at the
    keyboard confirms it. Empty text gives None rather than NONE, because an empty field more
    often means "not typed yet" than "has no document".
    """
    number = normalise_document_number(text)
    if not number:
        return None
    # Nearly-right resident IDs (a digit missing or extra) still guess RESIDENT_ID so that the
    # error names the real problem, the length.
    if _RESIDENT_ID_LIKE.fullmatch(number):
        return DocumentKind.RESIDENT_ID
    if _HOME_RETURN_PERMIT.fullmatch(number) or _EXIT_ENTRY_PERMIT.fullmatch(number):
        return DocumentKind.HK_MACAU_PERMIT
    # A letter and nine digits is also an old Taiwan form, but far more passports look so.
    if _TAIWAN_PERMIT_DIGITS.fullmatch(number):
        return DocumentKind.TAIWAN_PERMIT
    if _PASSPORT.fullmatch(number):
        return DocumentKind.PASSPORT
    return None


def _parse_resident_id(number: str, today: date) -> Document:
    # Length and characters are checked here rather than left to stdnum so that each mistake
    # gets its own message; stdnum then owns the GB 11643 arithmetic.
    if len(number) != 18:
        raise ValidationError.of("document.resident_id.length", number=number, length=len(number))
    if not _RESIDENT_ID.fullmatch(number):
        raise ValidationError.of("document.resident_id.characters", number=number)
    try:
        ric.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError.of("document.resident_id.check_digit", number=number) from None
    except stdnum_errors.InvalidComponent:
        # Birth date or region: told apart below. stdnum also rejects a county code that did
        # not exist in the birth year, but the code is that of the registration when the card
        # was issued (people born before 1990 in Shenzhen's 南山区 carry 440305, created in
        # 1990), so that test would turn away real cards.
        pass
    born = _birth_date(number, today)
    if number[:2] not in _PROVINCE_CODES:
        raise ValidationError.of(
            "document.resident_id.region", number=number, region_code=number[:6]
        )
    return Document(
        kind=DocumentKind.RESIDENT_ID,
        number=number,
        birth_date=born,
        # The 17th digit is the sequence number within the day, odd for men, even for women.
        sex=Sex.MALE if int(number[16]) % 2 else Sex.FEMALE,
        region_code=number[:6],
    )


def _birth_date(number: str, today: date) -> date:
    written = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    try:
        born: date = ric.get_birth_date(number)
    except stdnum_errors.InvalidComponent:
        raise ValidationError.of(
            "document.resident_id.birth_date", number=number, birth_date=written
        ) from None
    if not EARLIEST_BIRTH_DATE <= born <= today:
        raise ValidationError.of(
            "document.resident_id.birth_date", number=number, birth_date=written
        )
    return born


def _parse_passport(number: str) -> Document:
    if not number.isascii() or not number.isalnum():
        raise ValidationError.of("document.passport.characters", number=number)
    if not 5 <= len(number) <= 20:
        raise ValidationError.of("document.passport.length", number=number, length=len(number))
    return Document(kind=DocumentKind.PASSPORT, number=number)
