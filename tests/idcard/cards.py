"""Made-up cards for the tests: no real person; the numbers only have valid check digits."""

from __future__ import annotations

from datetime import date

from checkpoint.domain.vocabulary import Sex
from checkpoint.idcard.card import IdCard

ZHANG = IdCard(
    name="张伟",
    sex=Sex.MALE,
    nation_code="01",
    birth_date=date(1990, 3, 7),
    address="广东省深圳市南山区科技路12号",
    id_number="440305199003070014",
    issuer="深圳市公安局南山分局",
    valid_from=date(2015, 6, 1),
    valid_to=date(2035, 6, 1),
)
LI = IdCard(
    name="李芳",
    sex=Sex.FEMALE,
    nation_code="03",
    birth_date=date(1985, 6, 11),
    address="湖北省武汉市武昌区解放路8号",
    id_number="42010619850611002X",
    issuer="武汉市公安局武昌分局",
    valid_from=date(2010, 1, 5),
    valid_to=None,
)
CARD_FILE = """
[cards.zhang]
name = "张伟"
sex = "male"
nation = "01"
birth_date = 1990-03-07
address = "广东省深圳市南山区科技路12号"
id_number = "440305199003070014"
issuer = "深圳市公安局南山分局"
valid_from = 2015-06-01
valid_to = 2035-06-01

[cards.li]
name = "李芳"
sex = "female"
nation = "03"
birth_date = 1985-06-11
address = "湖北省武汉市武昌区解放路8号"
id_number = "42010619850611002X"
issuer = "武汉市公安局武昌分局"
valid_from = 2010-01-05
valid_to = "long-term"

[cards.forged]
name = "王五"
sex = "male"
birth_date = 1990-03-07
address = "广东省深圳市南山区科技路13号"
id_number = "440305199003070015"
issuer = "深圳市公安局南山分局"
valid_from = 2015-06-01
valid_to = 2035-06-01
"""
