"""Any text typed into the history search is searched, never a traceback: U+10FFFF, lone
surrogates from a terminal, NUL, LIKE wildcards, every plane."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkpoint.screening.desk import ScreeningDesk
from checkpoint.screening.history import History, search_params
from tests.screening import test_history
from tests.screening.test_history import screen_people

desk = test_history.desk  # the fixtures of the history tests
history = test_history.history

ODD = [
    "\ud7ff",
    "\U0010ffff",
    "鄂A\U0010ffff",
    "\U0010ffff\U0010ffff",
    "\ud800",
    "乘客\udcff",
    "\x00",
    "%_\\",
]


def test_odd_characters_are_searched(desk: ScreeningDesk, history: History) -> None:
    screen_people(desk, 3)
    for query in ODD:
        assert history.page(query).rows == (), repr(query)
        search_params(query)  # bound values SQLite can take
    assert [r.name for r in history.page("乘客1\udcff"[:3]).rows] == ["乘客1"]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(st.characters(codec=None, exclude_categories=()), max_size=12))
def test_any_text_is_a_search(desk: ScreeningDesk, history: History, query: str) -> None:
    history.page(query, limit=3)
    history.page(query, before=10, limit=3)
