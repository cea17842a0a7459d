"""Whether a laptop's clock can be believed (issue 14): each doubt from the facts that show it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checkpoint.domain.clock import ClockDoubt, ClockFacts, clock_doubts, span_parts
from checkpoint.wire.clock import first_day_of, latest_today

NOW = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)


def test_a_clock_agreeing_with_everything_raises_no_doubt() -> None:
    facts = ClockFacts(
        last_record_at=NOW - timedelta(minutes=1),
        registered_at=NOW - timedelta(days=30),
        skew=timedelta(seconds=40),
        hub_time_at=NOW - timedelta(hours=1),
    )
    assert clock_doubts(NOW, facts) == ()
    # A small step back (a clock corrected by a minute) is believed.
    assert clock_doubts(NOW, ClockFacts(last_record_at=NOW + timedelta(minutes=1))) == ()


def test_each_doubt_from_the_fact_that_shows_it() -> None:
    assert clock_doubts(datetime(1970, 1, 1, tzinfo=UTC), ClockFacts()) == (
        ClockDoubt.BEFORE_RELEASE,
    )
    assert clock_doubts(NOW, ClockFacts(last_record_at=NOW + timedelta(hours=2))) == (
        ClockDoubt.BEFORE_LAST_RECORD,
    )
    assert clock_doubts(NOW, ClockFacts(registered_at=NOW + timedelta(days=1))) == (
        ClockDoubt.BEFORE_REGISTRATION,
    )
    in_2099 = datetime(2099, 1, 1, tzinfo=UTC)
    assert clock_doubts(in_2099, ClockFacts(last_record_at=NOW)) == (ClockDoubt.FAR_FUTURE,)
    assert clock_doubts(NOW, ClockFacts(skew=timedelta(minutes=-6), hub_time_at=NOW)) == (
        ClockDoubt.FAR_FROM_HUB,
    )


def test_a_registration_made_with_a_wrong_clock_is_no_bound() -> None:
    # Registered while the clock said 1970: that says nothing about today.
    facts = ClockFacts(registered_at=datetime(1970, 1, 1, tzinfo=UTC))
    assert clock_doubts(NOW, facts) == ()


def test_days_by_the_hubs_clock_cover_every_time_zone() -> None:
    # 04:00 UTC: 18:00 on the 24th in UTC+14, the latest today anywhere.
    assert latest_today(NOW).isoformat() == "2026-11-24"
    assert latest_today(NOW + timedelta(hours=10)).isoformat() == "2026-11-25"
    # A checkpoint that existed from 04:00 UTC on the 24th: the 21st had ended then in every
    # zone for every cut-off hour (at the latest 11:00 UTC on the 23rd: UTC-12, cut-off 23:00);
    # the 22nd may not have, so it is the first day it may report.
    assert first_day_of(NOW).isoformat() == "2026-11-22"


def test_spans_in_days_and_hours() -> None:
    assert span_parts(timedelta(days=2, hours=3, minutes=4, seconds=5)) == (2, "3:04:05")
    assert span_parts(-timedelta(minutes=5)) == (0, "0:05:00")
