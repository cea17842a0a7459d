"""Masks for personal fields on screens and printed sheets.

PIPL asks to show no more than is needed: enough of a number to tell two people apart or to
match a card in hand, not enough to reuse it. These helpers take whatever is stored, including
legacy or odd values, and never raise: a mask that fails would put the whole value on screen
or stop a report from printing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_RESIDENT_ID: Final = re.compile(r"\d{17}[\dXx]")
_MOBILE: Final = re.compile(r"1[3-9]\d{9}")

# Chinese compound surnames (复姓) that are still in use; the given name after them is masked.
_COMPOUND_SURNAMES: Final = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 西门 "  # noqa: SIM905
    "南宫 独孤 申屠 澹台 公羊 太史 呼延 万俟 钟离 闻人 赫连 濮阳 淳于 单于 拓跋 百里 东郭 "
    "南门 羊舌 微生 梁丘 左丘 第五 谷梁 司空 司寇 亓官 子车 颛孙 巫马 公西 漆雕 乐正 公良 "
    "段干 东门 公冶 鲜于 闾丘 即墨 夹谷 宰父 归海 羊角 锺离".split()
)
# Kept in masked Chinese names: the separator of transliterated names (迪丽热巴·迪力木拉提).
_NAME_SEPARATORS: Final = frozenset("·•・")


def mask_document(number: str) -> str:
    """A document number with its middle hidden.

    Resident IDs keep the region code (first 6) and the last 4 — 110101********123X — which
    is how they are commonly printed in China; other documents keep the first 2 and last 2.
    """
    text = number.strip()
    if _RESIDENT_ID.fullmatch(text):
        return _mask_middle(text, 6, 4)
    return _mask_middle(text, 2, 2)


def mask_phone(e164_or_national: str) -> str:
    """A phone number with its middle hidden: 138****5678, or 0755-******78 for a landline.

    Accepts the stored E.164 form (+8613812345678) as well as national or typed forms.
    """
    text = e164_or_national.strip()
    national = _mainland_national(text)
    if national is None:
        return _mask_middle(text, 3, 2)
    if _MOBILE.fullmatch(national):
        return f"{national[:3]}****{national[-4:]}"
    # Mainland area codes are 10 and 20–29 (two digits after the trunk 0), all others three.
    area_length = 2 if national.startswith(("10", "2")) else 3
    area, local = national[:area_length], national[area_length:]
    if len(local) < 5:
        return _mask_middle(text, 3, 2)
    return f"0{area}-{'*' * (len(local) - 2)}{local[-2:]}"


def mask_name(name: str) -> str:
    """A name with only the surname visible: 张*, 欧阳**; Latin names as J***.

    A Latin name keeps its first letter and a fixed *** so that the length is not revealed.
    """
    text = name.strip()
    if not text:
        return ""
    if not _is_han(text[0]):
        return f"{text[0]}***"
    keep = 2 if len(text) > 2 and text[:2] in _COMPOUND_SURNAMES else 1
    masked = ("*" if ch not in _NAME_SEPARATORS else ch for ch in text[keep:])
    return text[:keep] + "".join(masked)


def _mask_middle(text: str, head: int, tail: int) -> str:
    # A short value would be shown nearly whole: keep one character at each end, or none.
    if len(text) - head - tail < 3:
        head = tail = 1
    if len(text) <= 3:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


def _mainland_national(text: str) -> str | None:
    """The national significant number of a mainland phone, or None if it is not one."""
    if not re.fullmatch(r"[\d\s+\-().]+", text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return digits[2:] if digits.startswith("86") else None
    if digits.startswith("0086"):
        return digits[4:]
    if digits.startswith("0"):
        return digits[1:]
    # Mobiles are written without trunk prefix; a landline without one has no area code and
    # cannot be split, so it falls back to the generic mask.
    return digits if _MOBILE.fullmatch(digits) else None


def _is_han(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY"))
