"""The text of a resident ID card (256 bytes of UCS-2 LE, GA/T 467), decoded and checked.

The fields are fixed-width and padded with spaces. The card's text is checked before it is
used: the ID number's GB 11643 check digit and birth date (the domain's own rules), the birth
date and sex written on the card against those the number carries, and the validity dates. A
card that fails is reported with the reason, never used to fill a person. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from checkpoint.domain.documents import parse_document
from checkpoint.domain.vocabulary import DocumentKind, Sex
from checkpoint.errors import CheckpointError, ValidationError

FIELDS: Final = (
    ("name", 15),
    ("sex", 1),
    ("nation", 2),
    ("birth_date", 8),
    ("address", 35),
    ("id_number", 18),
    ("issuer", 15),
    ("valid_from", 8),
    ("valid_to", 8),
    ("reserved", 18),
)
"""Each field of the text and its width in UCS-2 characters (2 bytes each): 128 in all."""
TEXT_BYTES: Final = 2 * sum(width for _, width in FIELDS)
LONG_TERM: Final = "长期"
"""What `valid_to` says on a card valid for life (issued at 46 and over)."""

SEX_CODES: Final = {"1": Sex.MALE, "2": Sex.FEMALE}
"""GB/T 2261.1: 1 male, 2 female (0 unknown and 9 unstated never appear on a card)."""

_NATION_TABLE: Final = (
    "汉:Han,蒙古:Mongol,回:Hui,藏:Tibetan,维吾尔:Uyghur,苗:Miao,彝:Yi,壮:Zhuang,布依:Bouyei,朝鲜:Korean,"
    "满:Manchu,侗:Dong,瑶:Yao,白:Bai,土家:Tujia,哈尼:Hani,哈萨克:Kazakh,傣:Dai,黎:Li,傈僳:Lisu,佤:Va,畲:She,"
    "高山:Gaoshan,拉祜:Lahu,水:Shui,东乡:Dongxiang,纳西:Naxi,景颇:Jingpo,柯尔克孜:Kyrgyz,土:Tu,达斡尔:Daur,"
    "仫佬:Mulao,羌:Qiang,布朗:Blang,撒拉:Salar,毛南:Maonan,仡佬:Gelao,锡伯:Xibe,阿昌:Achang,普米:Pumi,塔吉克:Tajik,"
    "怒:Nu,乌孜别克:Uzbek,俄罗斯:Russian,鄂温克:Evenki,德昂:De'ang,保安:Bonan,裕固:Yugur,京:Gin,塔塔尔:Tatar,"
    "独龙:Derung,鄂伦春:Oroqen,赫哲:Hezhen,门巴:Monpa,珞巴:Lhoba,基诺:Jino"
)
"""GB/T 3304 codes 01–56 in order, each "Chinese name:English name"."""
NATIONS: Final[dict[str, tuple[str, str]]] = {
    f"{number:02d}": (zh, en)
    for number, (zh, _, en) in enumerate(
        (entry.partition(":") for entry in _NATION_TABLE.split(",")), start=1
    )
} | {"97": ("其他", "other"), "98": ("外国血统中国籍人士", "naturalised citizen of foreign origin")}
"""GB/T 3304 nationality codes → (name in Chinese, in English)."""

_DATE: Final = re.compile(r"\d{8}")


class CardProblem(StrEnum):
    """Why a card's text is not used (labels: `idcard.problem.*`)."""

    TEXT = "text"
    """Not UCS-2 text of the expected size."""
    ID_NUMBER = "id-number"
    """The ID number fails GB 11643 (check digit, birth date, region)."""
    SEX = "sex"
    NATION = "nation"
    BIRTH_DATE = "birth-date"
    """Not a date, or not the one the ID number carries."""
    VALIDITY = "validity"
    """A validity date that is not a date, or ends before it starts."""
    NAME = "name"


class CardError(CheckpointError):
    """A card whose text fails a check: reported, never used."""


@dataclass(frozen=True, slots=True)
class IdCard:
    """The text of one card, checked. Never the photo."""

    name: str
    sex: Sex
    nation_code: str
    birth_date: date
    address: str
    id_number: str
    issuer: str
    valid_from: date
    valid_to: date | None
    """None: long-term (长期)."""

    @property
    def nation(self) -> str:
        """The nationality as the card prints it (in Chinese)."""
        return NATIONS[self.nation_code][0]

    def nation_in(self, language: str) -> str:
        zh, en = NATIONS[self.nation_code]
        return zh if language == "zh-CN" else en

    def expired(self, today: date) -> bool:
        return self.valid_to is not None and self.valid_to < today


def _fields(text: bytes) -> dict[str, str]:
    if len(text) < TEXT_BYTES:
        raise CardError.of("idcard.problem.text", detail=f"{len(text)} bytes")
    try:
        decoded = text[:TEXT_BYTES].decode("utf-16-le")
    except UnicodeDecodeError as error:
        raise CardError.of("idcard.problem.text", detail=str(error)) from None
    values: dict[str, str] = {}
    at = 0
    for name, width in FIELDS:
        values[name] = decoded[at : at + width].replace("\x00", " ").strip()
        at += width
    return values


def _date(value: str, problem: CardProblem, field: str) -> date:
    if _DATE.fullmatch(value):
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            pass
    raise CardError.of(f"idcard.problem.{problem.value}", field=field, value=value)


def decode_card(text: bytes, *, today: date) -> IdCard:
    """The card whose 256 text bytes are `text`; CardError saying what is wrong otherwise.

    `today` bounds the birth date (the domain's rule); an expired card is still a valid card
    (the screen says so), since the person in front is who it says.
    """
    values = _fields(text)
    if not values["name"]:
        raise CardError.of("idcard.problem.name")
    try:
        document = parse_document(DocumentKind.RESIDENT_ID, values["id_number"], today=today)
    except ValidationError:
        raise CardError.of("idcard.problem.id-number", value=values["id_number"]) from None
    sex = SEX_CODES.get(values["sex"])
    if sex is None or sex is not document.sex:
        raise CardError.of("idcard.problem.sex", value=values["sex"])
    if values["nation"] not in NATIONS:
        raise CardError.of("idcard.problem.nation", value=values["nation"])
    born = _date(values["birth_date"], CardProblem.BIRTH_DATE, "birth_date")
    if born != document.birth_date:
        raise CardError.of("idcard.problem.birth-date", field="birth_date", value=born)
    valid_from = _date(values["valid_from"], CardProblem.VALIDITY, "valid_from")
    valid_to = (
        None
        if values["valid_to"] == LONG_TERM
        else _date(values["valid_to"], CardProblem.VALIDITY, "valid_to")
    )
    if valid_from < born or (valid_to is not None and valid_to <= valid_from):
        raise CardError.of(
            "idcard.problem.validity",
            field="valid_to",
            value=f"{values['valid_from']}–{values['valid_to']}",
        )
    return IdCard(
        name=values["name"],
        sex=sex,
        nation_code=values["nation"],
        birth_date=born,
        address=values["address"],
        id_number=document.number,
        issuer=values["issuer"],
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _pad(value: str, width: int) -> str:
    if len(value) > width:
        raise ValueError(f"{value!r} is longer than {width} characters")
    return value.ljust(width)


def encode_card_text(card: IdCard) -> bytes:
    """The 256 text bytes a card with these fields holds (for the simulator and tests)."""
    sex_code = next(code for code, sex in SEX_CODES.items() if sex is card.sex)
    values = {
        "name": card.name,
        "sex": sex_code,
        "nation": card.nation_code,
        "birth_date": card.birth_date.strftime("%Y%m%d"),
        "address": card.address,
        "id_number": card.id_number,
        "issuer": card.issuer,
        "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_to": LONG_TERM if card.valid_to is None else card.valid_to.strftime("%Y%m%d"),
        "reserved": "",
    }
    return "".join(_pad(values[name], width) for name, width in FIELDS).encode("utf-16-le")


def card_as_json(card: IdCard) -> dict[str, str]:
    """The card as `devices read --json` prints it: text, ISO dates, "long-term"."""
    return {
        "name": card.name,
        "sex": card.sex.value,
        "nation": card.nation,
        "birth_date": card.birth_date.isoformat(),
        "address": card.address,
        "id_number": card.id_number,
        "issuer": card.issuer,
        "valid_from": card.valid_from.isoformat(),
        "valid_to": "long-term" if card.valid_to is None else card.valid_to.isoformat(),
    }
