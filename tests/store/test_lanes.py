"""The log's lane: made with the log, given to an existing log on upgrade, never repeated."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from checkpoint.domain.lanes import parse_lane_name
from checkpoint.errors import ValidationError
from checkpoint.store.engine import open_store
from checkpoint.store.lanes import log_lane, name_lane
from tests.store.test_migrations import _new_log_at


def _lane_of(path: Path) -> tuple[str, str]:
    with open_store(path) as store, store.session() as session:
        lane = log_lane(session=session)
    return lane.lane_id, lane.name


def test_an_existing_log_gets_a_default_lane_of_its_own_on_upgrade(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "checkpoint.db", tmp_path / "b" / "checkpoint.db"
    for path in (first, second):
        _new_log_at(path, "0008")
    first_id, first_name = _lane_of(first)
    second_id, _ = _lane_of(second)
    assert uuid.UUID(first_id).version == 4
    assert first_name == ""  # the default lane
    assert first_id != second_id  # two logs never share a lane
    assert _lane_of(first) == (first_id, "")  # made once, kept


def test_a_new_log_has_a_lane_and_keeps_its_id_when_named(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.db"
    lane_id, _ = _lane_of(path)
    with open_store(path) as store, store.session() as session:
        named = name_lane(session=session, name="2号口")
    assert named.lane_id == lane_id
    assert _lane_of(path) == (lane_id, "2号口")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("   ", "lanes.name.empty"),
        ("口" * 41, "lanes.name.long"),
        ("a\tb", "lanes.name.unprintable"),
    ],
)
def test_a_lane_name_that_cannot_be_used_is_refused_with_its_reason(typed: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_lane_name(typed)
    assert caught.value.code == code
    for language in ("en", "zh-CN"):
        message, hint = caught.value.text(language)  # type: ignore[arg-type]
        assert message and hint and "lanes." not in message + hint


def test_a_lane_name_is_trimmed() -> None:
    assert parse_lane_name("  进城 \n") == "进城"
