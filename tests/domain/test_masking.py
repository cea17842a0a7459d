"""Masks for screens and printed sheets: the expected shapes, and no exception on odd input."""

from __future__ import annotations

import pytest

from checkpoint.domain.masking import mask_document, mask_name, mask_phone

DOCUMENTS = [
    ("11010119610313123X", "110101********123X"),
    ("11010519491231002X", "110105********002X"),
    ("440524188001010014", "440524********0014"),
    ("11010519491231002x", "110105********002x"),
    (" 11010519491231002X ", "110105********002X"),
    ("E12345678", "E1*****78"),
    ("EA1234567", "EA*****67"),
    ("H1234567890", "H1*******90"),
    ("C12345678", "C1*****78"),
    ("12345678", "12****78"),
    ("0123456789B", "01*******9B"),
    ("L898902C3", "L8*****C3"),
    ("110105491231002", "11***********02"),  # old 15-digit card: not an 18-digit ID
    ("1101051949123100", "11************00"),
    ("12345", "1***5"),
    ("1234", "1**4"),
    ("123", "***"),
    ("X", "*"),
    ("", ""),
    ("   ", ""),
    ("身份证号码未知", "身份***未知"),
]

PHONES = [
    ("+8613812345678", "138****5678"),
    ("13812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("008613812345678", "138****5678"),
    ("+86 199 0000 1234", "199****1234"),
    ("+861012345678", "010-******78"),
    ("010 1234 5678", "010-******78"),
    ("010-12345678", "010-******78"),
    ("+862112345678", "021-******78"),
    ("021 1234 5678", "021-******78"),
    ("+8675512345678", "0755-******78"),
    ("0755 1234 5678", "0755-******78"),
    ("0891-6123456", "0891-*****56"),
    ("+868916123456", "0891-*****56"),
    ("", ""),
    ("  ", ""),
    ("+85291234567", "+85*******67"),  # foreign: generic mask
    ("12345678", "123***78"),  # landline without area code
    ("95588", "9***8"),
    ("abc", "***"),
    ("not a number", "not*******er"),
    ("+86", "***"),
    ("0", "*"),
    ("010-12", "0****2"),  # too short to split the area code off
]

NAMES = [
    ("张三", "张*"),
    ("李四光", "李**"),
    ("王", "王"),
    ("欧阳娜娜", "欧阳**"),
    ("欧阳修", "欧阳*"),
    ("司马迁", "司马*"),
    ("诸葛亮", "诸葛*"),
    ("欧阳", "欧*"),  # two characters: surname 欧 and given name 阳 is as likely
    ("  张三  ", "张*"),
    ("迪丽热巴·迪力木拉提", "迪***·*****"),
    ("John Smith", "J***"),
    ("john", "j***"),
    ("Ólafur Arnalds", "Ó***"),
    ("Иван Петров", "И***"),
    ("J", "J***"),
    ("", ""),
    ("   ", ""),
    ("·", "·***"),
    ("1234", "1***"),
    ("𠀀子", "𠀀*"),  # CJK extension B surname
]


@pytest.mark.parametrize(("number", "masked"), DOCUMENTS)
def test_mask_document(number: str, masked: str) -> None:
    assert mask_document(number) == masked


@pytest.mark.parametrize(("phone", "masked"), PHONES)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("name", "masked"), NAMES)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


ODD_INPUTS = [
    "\x00",
    "\u200b",
    "🙂",
    "+",
    "-",
    "()",
    "+0",
    "00",
    "0086",
    "+86 ",
    "\ud800",
    "a" * 1000,
]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_masks_never_raise_and_never_show_the_whole_value(text: str) -> None:
    for mask in (mask_document, mask_phone, mask_name):
        masked = mask(text)
        assert isinstance(masked, str)
        if len(text.strip()) > 1:
            assert masked != text.strip()
