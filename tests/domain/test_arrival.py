"""来乡时间 as volunteers type it: times, dates, both; never in the future."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from checkpoint.domain.arrival import parse_arrival
from checkpoint.errors import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


@pytest.mark.parametrize(
    ("typed", "expected_local"),
    [
        ("13:30", datetime(2026, 11, 24, 13, 30)),
        ("13：30", datetime(2026, 11, 24, 13, 30)),
        ("23:40", datetime(2026, 11, 23, 23, 40)),  # not yet 23:40 today: last night
        ("11-20", datetime(2026, 11, 20, 0, 0)),
        ("11/20 08:15", datetime(2026, 11, 20, 8, 15)),
        ("11月20日", datetime(2026, 11, 20, 0, 0)),
        ("12-30", datetime(2025, 12, 30, 0, 0)),  # that day has not come this year
        ("2026-11-01", datetime(2026, 11, 1, 0, 0)),
        ("2026年11月1日 9:05", datetime(2026, 11, 1, 9, 5)),
        ("14:03", datetime(2026, 11, 24, 14, 3)),  # a clock a few minutes off is not "future"
    ],
)
def test_arrival_times_as_typed(typed: str, expected_local: datetime) -> None:
    arrived = parse_arrival(typed, now=NOW, zone=SHANGHAI)
    assert arrived.tzinfo is UTC
    assert arrived == expected_local.replace(tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize("typed", ["", "yesterday", "25:00", "13-45", "2-30", "12:7", "11-20-"])
def test_unreadable_arrival_times_are_explained(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_arrival(typed, now=NOW, zone=SHANGHAI)
    assert refused.value.code == "arrival.unreadable"


def test_an_arrival_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        parse_arrival("2026-11-25", now=NOW, zone=SHANGHAI)
    assert refused.value.code == "arrival.future"
    assert "2026-11-25" in refused.value.text("zh-CN")[0]
