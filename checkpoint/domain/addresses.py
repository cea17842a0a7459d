"""The "from" place of a household address, as an origin: province and city (pure).

An ID card's address starts with the province's full name (广东省深圳市南山区…, 北京市东城区…,
内蒙古自治区呼和浩特市…); the province names are the plates' table (`plates.PROVINCES`).
The city is what follows up to its suffix (市, 州, 盟, 地区); a municipality (北京市) is its
own city. The result, e.g. 广东省深圳市, is what an origin is typed as, so the risk-area list
matches it the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from checkpoint.domain.plates import PROVINCES, Province

_MUNICIPALITIES: Final = frozenset({"北京市", "天津市", "上海市", "重庆市"})
_CITY: Final = re.compile(r"^(.{1,12}?(?:自治州|地区|市|盟|州(?!市)))")


@dataclass(frozen=True, slots=True)
class AddressPlace:
    province: Province
    city: str
    """The city (prefecture) name, e.g. 深圳市; the municipality itself for 北京市 and the like;
    empty when none is recognised."""

    @property
    def origin(self) -> str:
        """As an origin is stored: 广东省深圳市, or 北京市."""
        if self.city == self.province.name_zh:
            return self.city
        return self.province.name_zh + self.city


def _short(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def place_of_address(address: str) -> AddressPlace | None:
    """The province and city an address names at its start; None when no province does."""
    text = address.strip()
    for province in PROVINCES.values():
        full, short = province.name_zh, _short(province.name_zh)
        if text.startswith(full):
            rest = text[len(full) :]
        elif text.startswith(short):
            rest = text[len(short) :]
        else:
            continue
        if full in _MUNICIPALITIES:
            return AddressPlace(province, full)
        match = _CITY.match(rest)
        return AddressPlace(province, match.group(1) if match else "")
    return None
