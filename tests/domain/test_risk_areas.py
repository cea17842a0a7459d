"""Risk-area lists: parsing with errors that name the entry, matching by date, origin and route."""

from __future__ import annotations

from datetime import date

import pytest

from checkpoint.domain.risk_areas import (
    RiskArea,
    RiskAreaList,
    RiskLevel,
    parse_risk_area_list,
)
from checkpoint.errors import ValidationError
from checkpoint.risk_area_file import EXAMPLE_FILE

EXAMPLE = EXAMPLE_FILE  # the example shipped with the program


@pytest.fixture(scope="module")
def example() -> RiskAreaList:
    return parse_risk_area_list(EXAMPLE.read_text(encoding="utf-8"), source=EXAMPLE.name)


def names(areas: list[RiskArea]) -> list[str]:
    return [area.name for area in areas]


def test_example_list_parses(example: RiskAreaList) -> None:
    assert example.source == "risk_areas.example.toml"
    assert len(example.areas) == 6
    wuhan = example.areas[0]
    assert wuhan == RiskArea(
        name="湖北省武汉市",
        aliases=("武汉", "Wuhan"),
        level=RiskLevel.HIGH,
        effective_from=date(2020, 1, 23),
        effective_to=date(2020, 4, 8),
    )
    assert wuhan.level == "high"


@pytest.mark.parametrize(
    ("origin", "route", "on", "expected"),
    [
        ("湖北省武汉市", "", date(2020, 2, 1), ["湖北省武汉市", "湖北省"]),
        ("武汉", "", date(2020, 2, 1), ["湖北省武汉市"]),
        ("湖北省武汉市江岸区", "", date(2020, 2, 1), ["湖北省武汉市", "湖北省"]),
        ("WUHAN", "", date(2020, 2, 1), ["湖北省武汉市"]),
        ("ｗｕｈａｎ", "", date(2020, 2, 1), ["湖北省武汉市"]),  # full-width letters
        ("湖北 武汉", "", date(2020, 2, 1), ["湖北省武汉市", "湖北省"]),
        ("Wu han", "", date(2020, 2, 1), ["湖北省武汉市"]),
        ("长沙", "经武汉转车", date(2020, 2, 1), ["湖北省武汉市"]),
        ("长沙", "", date(2020, 2, 1), []),
        # By date: the first and last day are included, the days outside are not.
        ("武汉", "", date(2020, 1, 22), []),
        ("武汉", "", date(2020, 1, 23), ["湖北省武汉市"]),
        ("武汉", "", date(2020, 4, 8), ["湖北省武汉市"]),
        ("武汉", "", date(2020, 4, 9), []),
        ("湖北 宜昌", "", date(2020, 3, 24), ["湖北省"]),
        ("湖北 宜昌", "", date(2020, 3, 25), []),
        ("石家庄藁城", "", date(2021, 1, 20), ["河北省石家庄市藁城区"]),
        ("石家庄", "", date(2021, 1, 20), []),  # the city is not listed, only the district
        ("上海", "南京禄口机场", date(2021, 7, 25), ["江苏省南京市江宁区禄口街道"]),
        ("上海", "南京禄口机场", date(2021, 9, 1), []),
        ("Yangzhou Hanjiang", "", date(2021, 8, 5), ["江苏省扬州市邗江区"]),
    ],
)
def test_match(
    example: RiskAreaList, origin: str, route: str, on: date, expected: list[str]
) -> None:
    assert names(example.match(origin=origin, route=route, on=on)) == expected


def test_match_by_origin_and_route_counts_an_area_once(example: RiskAreaList) -> None:
    found = example.match(origin="武汉", route="武汉—长沙", on=date(2020, 2, 1))
    assert names(found) == ["湖北省武汉市"]


def test_in_effect(example: RiskAreaList) -> None:
    assert names(example.in_effect(date(2020, 2, 1))) == ["湖北省武汉市", "湖北省"]
    assert example.in_effect(date(2022, 1, 1)) == []


def test_open_ended_area_stays_in_effect() -> None:
    text = """
[[area]]
name = "示例省示例市"
level = "medium"
from = 2021-06-01
"""
    listed = parse_risk_area_list(text, source="inline")
    area = listed.areas[0]
    assert area.effective_to is None
    assert area.aliases == ()
    assert area.level is RiskLevel.MEDIUM
    assert names(listed.match(origin="示例市", route="", on=date(2030, 1, 1))) == []
    assert names(listed.match(origin="示例省示例市", route="", on=date(2030, 1, 1))) == [
        "示例省示例市"
    ]


def test_empty_list_is_valid() -> None:
    listed = parse_risk_area_list("# nothing listed today\n", source="empty.toml")
    assert listed.areas == ()
    assert listed.match(origin="武汉", route="", on=date(2020, 2, 1)) == []


def test_same_area_again_for_later_days_is_allowed() -> None:
    text = """
[[area]]
name = "武汉"
level = "high"
from = 2020-01-23
to = 2020-04-08

[[area]]
name = "武汉"
level = "medium"
from = 2021-08-02
to = 2021-08-20
"""
    listed = parse_risk_area_list(text, source="inline")
    assert [a.level for a in listed.match(origin="武汉", route="", on=date(2021, 8, 5))] == [
        RiskLevel.MEDIUM
    ]


def entry(body: str) -> str:
    return f'[[area]]\nname = "甲"\nlevel = "high"\nfrom = 2021-01-01\n{body}\n'


@pytest.mark.parametrize(
    ("text", "code", "mentions"),
    [
        ("[[area]\nname = 1", "risk_areas.bad_toml", []),
        ('title = "x"\n', "risk_areas.unknown_top_key", ["title"]),
        ('area = "武汉"\n', "risk_areas.not_a_list", []),
        ('[[area]]\nlevel = "high"\nfrom = 2021-01-01\n', "risk_areas.missing_name", ["1"]),
        ('[[area]]\nname = "  "\nlevel = "high"\nfrom = 2021-01-01\n', "risk_areas.missing_name",
         ["1"]),
        (entry("") + '[[area]]\nname = 5\nlevel = "high"\nfrom = 2021-01-01\n',
         "risk_areas.missing_name", ["2"]),
        ('[[area]]\nname = "乙"\nfrom = 2021-01-01\n', "risk_areas.missing_level", ["乙"]),
        ('[[area]]\nname = "乙"\nlevel = "severe"\nfrom = 2021-01-01\n',
         "risk_areas.unknown_level", ["乙", "severe"]),
        ('[[area]]\nname = "乙"\nlevel = "high"\n', "risk_areas.missing_from", ["乙"]),
        ('[[area]]\nname = "乙"\nlevel = "high"\nfrom = "2021-01-01"\n', "risk_areas.bad_date",
         ["乙", "from"]),
        ('[[area]]\nname = "乙"\nlevel = "high"\nfrom = 2021-01-01T08:00:00\n',
         "risk_areas.bad_date", ["乙"]),
        (entry("to = 2020-12-31"), "risk_areas.to_before_from", ["甲", "2020-12-31", "2021-01-01"]),
        (entry('aliases = "甲市"'), "risk_areas.bad_aliases", ["甲"]),
        (entry('aliases = ["甲市", ""]'), "risk_areas.bad_aliases", ["甲"]),
        (entry('levle = "high"'), "risk_areas.unknown_key", ["levle", "1"]),
        (entry("") + entry(""), "risk_areas.duplicate", ["甲", "2", "1"]),
        (entry("to = 2021-03-01") + '[[area]]\nname = " 甲 "\nlevel = "medium"\n'
         "from = 2021-02-01\n", "risk_areas.duplicate", ["甲"]),
    ],
)  # fmt: skip
def test_bad_lists_name_source_and_entry(text: str, code: str, mentions: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_risk_area_list(text, source="county-list.toml")
    error = caught.value
    assert error.code == code
    assert "county-list.toml" in error.message
    for text_part in mentions:
        assert text_part in error.message
    assert error.hint
    zh_message, zh_hint = error.text("zh-CN")
    assert "county-list.toml" in zh_message and zh_hint
