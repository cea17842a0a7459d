"""Identity documents: resident ID check digit and derived fields, the other kinds' shapes."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import tomllib
from datetime import date
from importlib import resources
from types import ModuleType

import pytest

from checkpoint.domain import documents, masking, phones, plates
from checkpoint.domain.documents import (
    Document,
    detect_document_kind,
    normalise_document_number,
    parse_document,
)
from checkpoint.domain.vocabulary import DocumentKind, Sex
from checkpoint.errors import ValidationError
from checkpoint.locale import LANGUAGES, catalog

TODAY = date(2021, 6, 1)
"""Fixed so that "born in the future" does not depend on when the tests run."""

# The two examples of GB 11643 itself, worked out by hand there.
GB_EXAMPLE_FEMALE = "11010519491231002X"
GB_EXAMPLE_1880 = "440524188001010014"

# (number, birth date, sex): literal numbers whose check digits were worked out once and are
# verified below by an independent MOD 11-2 implementation, not by the code under test.
VALID_RESIDENT_IDS = [
    (GB_EXAMPLE_FEMALE, date(1949, 12, 31), Sex.FEMALE),
    ("11010119610313666X", date(1961, 3, 13), Sex.FEMALE),
    ("11010119260227548X", date(1926, 2, 27), Sex.FEMALE),
    ("44010619480118879X", date(1948, 1, 18), Sex.MALE),
    ("65010219830624459X", date(1983, 6, 24), Sex.MALE),
    ("110105193206190599", date(1932, 6, 19), Sex.MALE),
    ("110105198404020884", date(1984, 4, 2), Sex.FEMALE),
    ("310104197507032462", date(1975, 7, 3), Sex.FEMALE),
    ("440305199202086457", date(1992, 2, 8), Sex.MALE),
    ("440305200010025903", date(2000, 10, 2), Sex.FEMALE),
    ("420106193705141475", date(1937, 5, 14), Sex.MALE),
    ("510107199410211929", date(1994, 10, 21), Sex.FEMALE),
    ("330106192810026333", date(1928, 10, 2), Sex.MALE),
    ("500103197806102546", date(1978, 6, 10), Sex.FEMALE),
    ("540102198507067758", date(1985, 7, 6), Sex.MALE),
    ("640104196303164318", date(1963, 3, 16), Sex.MALE),
    ("460105199110268969", date(1991, 10, 26), Sex.FEMALE),
    ("150102199608198169", date(1996, 8, 19), Sex.FEMALE),
    ("230102192801247186", date(1928, 1, 24), Sex.FEMALE),
    ("610113200506019639", date(2005, 6, 1), Sex.MALE),
    # Shenzhen 南山区 (440305) was created in 1990; people born before carry its code too.
    ("440305198501011231", date(1985, 1, 1), Sex.MALE),
    # Residence permits of Hong Kong, Macau and Taiwan residents follow GB 11643.
    ("810000193408022233", date(1934, 8, 2), Sex.MALE),
    ("830000197109099048", date(1971, 9, 9), Sex.FEMALE),
    # Born today is the latest possible date.
    ("110105202106011233", date(2021, 6, 1), Sex.MALE),
]

# Typed forms that normalise to a valid number.
TYPED_RESIDENT_IDS = [
    ("11010519491231002x", GB_EXAMPLE_FEMALE),
    ("110105 19491231 002X", GB_EXAMPLE_FEMALE),
    ("110105-19491231-002X", GB_EXAMPLE_FEMALE),
    ("１１０１０５１９４９１２３１００２Ｘ", GB_EXAMPLE_FEMALE),  # full-width
    ("  11010519491231002X\t", GB_EXAMPLE_FEMALE),
]

INVALID_RESIDENT_IDS = [
    # wrong length
    ("1101051949123100", "document.resident_id.length"),
    ("11010519491231002", "document.resident_id.length"),
    ("11010519491231002X1", "document.resident_id.length"),
    ("110105491231002", "document.resident_id.length"),  # first-generation 15 digits
    ("X", "document.resident_id.length"),
    # bad characters
    ("1101051949123100XX", "document.resident_id.characters"),
    ("X10105194912310020", "document.resident_id.characters"),
    ("11010519491231002Y", "document.resident_id.characters"),
    ("1101O519491231002X", "document.resident_id.characters"),
    ("11010519491231OO2X", "document.resident_id.characters"),
    ("11010519491231002*", "document.resident_id.characters"),
    ("11010519491231002十", "document.resident_id.characters"),
    # bad check digit
    ("110105194912310020", "document.resident_id.check_digit"),
    ("110105194912310021", "document.resident_id.check_digit"),
    ("440524188001010015", "document.resident_id.check_digit"),
    ("11010519491231003X", "document.resident_id.check_digit"),  # a digit mistyped
    ("11010519491213002X", "document.resident_id.check_digit"),  # two digits swapped
    ("110101196103136660", "document.resident_id.check_digit"),  # X typed as 0
    ("44030519920208645X", "document.resident_id.check_digit"),
    # impossible birth date (check digits correct)
    ("110105194902301234", "document.resident_id.birth_date"),  # 30 February
    ("110105194913321230", "document.resident_id.birth_date"),  # month 13
    ("110105194900101239", "document.resident_id.birth_date"),  # month 00
    ("110105202201011231", "document.resident_id.birth_date"),  # after TODAY
    ("110105202106021239", "document.resident_id.birth_date"),  # tomorrow
    ("110105189912311237", "document.resident_id.birth_date"),  # before 1900
    (GB_EXAMPLE_1880, "document.resident_id.birth_date"),  # 1880: see test below
    # not a region code (check digits correct)
    ("990105194912311237", "document.resident_id.region"),
    ("000105194912311238", "document.resident_id.region"),
    ("720105194912311237", "document.resident_id.region"),
]

VALID_PASSPORTS = [
    "E12345678",
    "G12345678",
    "D12345678",
    "S12345678",
    "P12345678",
    "EA1234567",
    "EH7654321",
    "e 1234 5678",  # lower case and spaces
    "Ｅ１２３４５６７８",  # full-width
    "123456789",  # United States
    "C01X00T47",  # Germany
    "AB1234567",
    "X1234567",
    "L898902C3",  # ICAO 9303 specimen
    "12345",
    "A1B2C",
    "12345678901234567890",
    "N1234567",
    "K-1234-5678",
    "PA0000001",
]

INVALID_PASSPORTS = [
    ("1234", "document.passport.length"),
    ("E123", "document.passport.length"),
    ("AB", "document.passport.length"),
    ("X", "document.passport.length"),
    ("123456789012345678901", "document.passport.length"),
    ("E123456789012345678901234", "document.passport.length"),
    ("E1234567.8", "document.passport.characters"),
    ("E1234567/8", "document.passport.characters"),
    ("E12345678#", "document.passport.characters"),
    ("E_12345678", "document.passport.characters"),
    ("护照E12345678", "document.passport.characters"),
    ("E12345678*", "document.passport.characters"),
    ("É12345678", "document.passport.characters"),
    ("E12345678'", "document.passport.characters"),
    ("E12345678,", "document.passport.characters"),
    ("E12345678:", "document.passport.characters"),
    ("E12345678?", "document.passport.characters"),
    ("E1234567８!", "document.passport.characters"),
    ("Ж1234567", "document.passport.characters"),
    ("E1234+5678", "document.passport.characters"),
]

VALID_HK_MACAU = [
    "H12345678",
    "H1234567890",
    "M12345678",
    "M1234567890",
    "h12345678",
    "H 1234 5678",
    "H-12345678",
    "Ｈ１２３４５６７８",
    "H00000000",
    "M9876543210",
    "C12345678",
    "CA1234567",
    "CB7654321",
    "C1234567A",
    "CABCDEFGH",
    "c12345678",
    "C 1234 5678",
    "H0123456789",
    "M00000001",
    "CZ0000001",
]

INVALID_HK_MACAU = [
    "H1234567",
    "H123456789",
    "H123456789012",
    "M1234567",
    "M123456789",
    "HA1234567",
    "MA1234567",
    "C1234567",
    "C123456789",
    "C1234567#",
    "W12345678",
    "E12345678",
    "12345678",
    "1234567890",
    "HH12345678",
    "CC12345678",
    "港12345678",
    "H1234567X",
    "H12345678C",
    "11010519491231002X",
]

VALID_TAIWAN = [
    "12345678",
    "00000001",
    "87654321",
    "1234 5678",
    "1234-5678",
    "１２３４５６７８",
    "0123456789",
    "0123456789B",
    "0123456789(B)",
    "0123456789（B）",
    "1234567890A",
    "0123456789b",
    "A123456789",
    "F223456789",
    "Z100000000",
    "a123456789",
    "9876543210",
    "9876543210(Z)",
    "01234567",
    "99999999",
]

INVALID_TAIWAN = [
    "1234567",
    "123456789",
    "123456789012",
    "12345678901",
    "1234567A",
    "A1234567",
    "AB12345678",
    "A12345678",
    "A1234567890",
    "0123456789BB",
    "B0123456789",
    "H12345678",
    "T1234567",
    "12345678#",
    "1234567.8",
    "台12345678",
    "E12345678",
    "AB123456789",
    "1234567X8",
    "11010519491231002X",
]


def parse(kind: DocumentKind, text: str) -> Document:
    return parse_document(kind, text, today=TODAY)


def assert_in_catalogs(error: ValidationError) -> None:
    for language in LANGUAGES:
        assert error.code in catalog(language), (error.code, language)
        assert f"{error.code}.hint" in catalog(language), (error.code, language)
    assert error.message != error.code
    assert error.hint


def mod_11_2(number: str) -> str:
    """ISO 7064 MOD 11-2 written out from GB 11643, as an oracle independent of stdnum."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11]


@pytest.mark.parametrize(("number", "born", "sex"), VALID_RESIDENT_IDS)
def test_valid_resident_id_gives_birth_date_sex_and_region(
    number: str, born: date, sex: Sex
) -> None:
    assert mod_11_2(number) == number[-1]  # the table itself is right
    document = parse(DocumentKind.RESIDENT_ID, number)
    assert document == Document(
        kind=DocumentKind.RESIDENT_ID,
        number=number,
        birth_date=born,
        sex=sex,
        region_code=number[:6],
    )


def test_gb_11643_example_is_derived_exactly() -> None:
    document = parse(DocumentKind.RESIDENT_ID, GB_EXAMPLE_FEMALE)
    assert document.birth_date == date(1949, 12, 31)
    assert document.sex is Sex.FEMALE
    assert document.region_code == "110105"


def test_gb_11643_example_born_1880_has_right_check_digit_but_is_too_old() -> None:
    # The standard's own example passes the checksum; it is refused for the birth date only.
    assert mod_11_2(GB_EXAMPLE_1880) == "4"
    with pytest.raises(ValidationError) as caught:
        parse(DocumentKind.RESIDENT_ID, GB_EXAMPLE_1880)
    assert caught.value.code == "document.resident_id.birth_date"
    assert caught.value.params["birth_date"] == "1880-01-01"


@pytest.mark.parametrize(("text", "number"), TYPED_RESIDENT_IDS)
def test_typed_resident_id_is_normalised(text: str, number: str) -> None:
    assert parse(DocumentKind.RESIDENT_ID, text).number == number


@pytest.mark.parametrize(("text", "code"), INVALID_RESIDENT_IDS)
def test_invalid_resident_id_is_refused_with_its_own_code(text: str, code: str) -> None:
    if code in ("document.resident_id.birth_date", "document.resident_id.region"):
        assert mod_11_2(text) == text[-1]  # refused for the stated reason, not the checksum
    with pytest.raises(ValidationError) as caught:
        parse(DocumentKind.RESIDENT_ID, text)
    assert caught.value.code == code
    assert caught.value.params["number"] == normalise_document_number(text)
    assert normalise_document_number(text) in caught.value.message
    assert_in_catalogs(caught.value)


def test_check_digit_hint_mentions_capital_x() -> None:
    with pytest.raises(ValidationError) as caught:
        parse(DocumentKind.RESIDENT_ID, "110101196103136660")
    assert "capital X" in caught.value.hint
    assert "大写 X" in caught.value.text("zh-CN")[1]


def test_birth_date_defaults_to_todays_bound() -> None:
    document = parse_document(DocumentKind.RESIDENT_ID, GB_EXAMPLE_FEMALE)
    assert document.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize("text", VALID_PASSPORTS)
def test_valid_passport_derives_nothing(text: str) -> None:
    document = parse(DocumentKind.PASSPORT, text)
    assert document.number == normalise_document_number(text)
    assert document.number.isalnum()
    assert document.number.isupper() or document.number.isdigit()
    assert (document.birth_date, document.sex, document.region_code) == (None, None, None)


@pytest.mark.parametrize(("text", "code"), INVALID_PASSPORTS)
def test_invalid_passport(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(DocumentKind.PASSPORT, text)
    assert caught.value.code == code
    assert_in_catalogs(caught.value)


@pytest.mark.parametrize("text", VALID_HK_MACAU)
def test_valid_hong_kong_macau_permit(text: str) -> None:
    document = parse(DocumentKind.HK_MACAU_PERMIT, text)
    assert document.kind is DocumentKind.HK_MACAU_PERMIT
    assert document.number == normalise_document_number(text)
    assert document.birth_date is None


@pytest.mark.parametrize("text", INVALID_HK_MACAU)
def test_invalid_hong_kong_macau_permit(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(DocumentKind.HK_MACAU_PERMIT, text)
    assert caught.value.code == "document.hk_macau.format"
    assert_in_catalogs(caught.value)


@pytest.mark.parametrize("text", VALID_TAIWAN)
def test_valid_taiwan_permit(text: str) -> None:
    document = parse(DocumentKind.TAIWAN_PERMIT, text)
    assert document.kind is DocumentKind.TAIWAN_PERMIT
    assert document.number.isalnum()


@pytest.mark.parametrize("text", INVALID_TAIWAN)
def test_invalid_taiwan_permit(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(DocumentKind.TAIWAN_PERMIT, text)
    assert caught.value.code == "document.taiwan.format"
    assert_in_catalogs(caught.value)


@pytest.mark.parametrize("text", ["", " ", "\t", " - "])
def test_no_document_accepts_only_empty_text(text: str) -> None:
    assert parse(DocumentKind.NONE, text) == Document(kind=DocumentKind.NONE, number="")


@pytest.mark.parametrize("text", ["0", "E12345678", GB_EXAMPLE_FEMALE, "无"])
def test_no_document_with_text_is_an_error(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(DocumentKind.NONE, text)
    assert caught.value.code == "document.none.has_text"
    assert_in_catalogs(caught.value)


@pytest.mark.parametrize("kind", [k for k in DocumentKind if k is not DocumentKind.NONE], ids=str)
@pytest.mark.parametrize("text", ["", "  ", "-"])
def test_empty_number_for_a_real_document_is_an_error(kind: DocumentKind, text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(kind, text)
    assert caught.value.code == "document.empty"
    assert_in_catalogs(caught.value)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (GB_EXAMPLE_FEMALE, DocumentKind.RESIDENT_ID),
        ("11010519491231002x", DocumentKind.RESIDENT_ID),
        ("11010519491231002", DocumentKind.RESIDENT_ID),  # one digit short
        ("110105491231002", DocumentKind.RESIDENT_ID),
        ("H12345678", DocumentKind.HK_MACAU_PERMIT),
        ("M1234567890", DocumentKind.HK_MACAU_PERMIT),
        ("C12345678", DocumentKind.HK_MACAU_PERMIT),
        ("12345678", DocumentKind.TAIWAN_PERMIT),
        ("0123456789(B)", DocumentKind.TAIWAN_PERMIT),
        ("E12345678", DocumentKind.PASSPORT),
        ("EA1234567", DocumentKind.PASSPORT),
        ("G12345678", DocumentKind.PASSPORT),
        ("L898902C3", DocumentKind.PASSPORT),
        ("123456789", DocumentKind.PASSPORT),
        ("", None),
        ("  ", None),
        ("12", None),
        ("护照", None),
        ("E1234#5678", None),
    ],
)
def test_detect_document_kind(text: str, kind: DocumentKind | None) -> None:
    assert detect_document_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [GB_EXAMPLE_FEMALE, "E12345678", "H12345678", "C12345678", "12345678", "0123456789(B)"],
)
def test_detected_kind_parses(text: str) -> None:
    kind = detect_document_kind(text)
    assert kind is not None
    assert parse(kind, text).kind is kind


IDENTITY_MODULES = [documents, plates, phones]


def codes_in(module: ModuleType) -> set[str]:
    """Every message code a module passes to `ValidationError.of`, read from its source."""
    codes: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "of"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            codes.add(node.args[0].value)
    return codes


@pytest.mark.parametrize("module", IDENTITY_MODULES, ids=lambda m: m.__name__)
def test_every_code_used_is_in_both_catalogs_with_a_hint(module: ModuleType) -> None:
    codes = codes_in(module)
    assert codes
    for code in codes:
        for language in LANGUAGES:
            assert catalog(language).get(code), (code, language)
            assert catalog(language).get(f"{code}.hint"), (code, language)


def test_identity_catalogs_hold_exactly_the_codes_used() -> None:
    used = set().union(*(codes_in(m) for m in IDENTITY_MODULES))
    used |= {f"{code}.hint" for code in used}
    for language in LANGUAGES:
        path = resources.files("checkpoint.locale").joinpath(language, "identity.toml")
        assert set(tomllib.loads(path.read_text(encoding="utf-8"))) == used, language


@pytest.mark.parametrize("module", [*IDENTITY_MODULES, masking], ids=lambda m: m.__name__)
def test_identity_rules_do_not_import_textual(module: ModuleType) -> None:
    probe = f"import sys, {module.__name__}; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", probe], check=True)
