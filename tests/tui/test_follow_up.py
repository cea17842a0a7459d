"""The follow-up screen, driven as a volunteer would: answers ticked are in the log whichever
way the screen is left, the re-measurement waits for the rest and for the volunteer to ask for
it, and the decision is the shift leader's unless someone else is named."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Select, Static

from checkpoint.config import Settings, load_settings
from checkpoint.domain.vocabulary import Disposition
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.screening.follow_up import REST_OVERRIDE
from checkpoint.store.engine import Store, open_store
from checkpoint.tui.app import CheckpointApp, make_app
from checkpoint.tui.messages import MeasurementReceived
from checkpoint.tui.screens.follow_up import FollowUpScreen
from checkpoint.tui.screens.screening import ScreeningScreen
from tests.tui.test_screening_app import (
    _device_measurement,
    fever_follow_up,
    open_shift,
    rows,
    until,
)


class Clock:
    """The desk's clock, moved on by the test (the rest is ten minutes by default)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, store: Store, clock: Clock) -> CheckpointApp:
    return make_app(ScreeningDesk(store=store, settings=settings, clock=clock), None, language="en")


def hint(screen: FollowUpScreen) -> Static:
    return screen.query_one("#case-hint", Static)


async def test_symptoms_ticked_are_stored_with_the_decision(
    app: CheckpointApp, store: Store
) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        screen.query_one("#symptom-cough", Checkbox).focus()
        await pilot.press("space")  # ticked, and never stored by a key of its own
        screen.query_one("#contact", Checkbox).value = True
        screen.query_one("#disposition", Select).value = Disposition.REFERRED_FEVER_CLINIC
        screen.query_one("#decided-by", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: screen.view is not None and not screen.view.state.open)
    assert rows(
        store, "SELECT kind, symptoms, contact_history, by FROM case_event ORDER BY seq"
    ) == [
        ("opened", "[]", 0, "Wang"),
        ("history", '["cough"]', 1, "Li"),
        ("decided", "[]", 0, "Li"),
    ]


async def test_a_decision_the_ticked_answers_forbid_is_refused_and_nothing_is_stored(
    app: CheckpointApp, store: Store, clock: Clock
) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        await pilot.press("ctrl+a")
        await until(pilot, lambda: screen.view is not None and screen.view.state.mask_given)
        clock.now += timedelta(minutes=10)
        await pilot.press(*"36.6", "enter")  # back under the threshold: release is offered
        await until(pilot, lambda: screen.view is not None and screen.view.state.remeasure_compared)
        screen.query_one("#symptom-diarrhoea", Checkbox).value = True
        screen.query_one("#disposition", Select).value = Disposition.RELEASED
        screen.query_one("#decided-by", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: hint(screen).has_class("error"))
        assert "needs a note" in str(hint(screen).render())
        assert screen.query_one("#symptom-diarrhoea", Checkbox).value  # still ticked
    kinds = [kind for (kind,) in rows(store, "SELECT kind FROM case_event ORDER BY seq")]
    assert kinds == ["opened", "taken-aside", "remeasured"]


async def test_escape_stores_the_ticked_answers_before_going_back(
    app: CheckpointApp, store: Store
) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        screen.query_one("#risk", Checkbox).value = True
        screen.query_one("#symptom-fatigue", Checkbox).value = True
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        # Opened again from the queue, the answers are shown ticked.
        await pilot.press("ctrl+o", "enter")
        await until(pilot, lambda: isinstance(app.screen, FollowUpScreen))
        again = app.screen
        assert isinstance(again, FollowUpScreen)
        await until(pilot, lambda: again.view is not None)
        assert again.query_one("#risk", Checkbox).value
        assert again.query_one("#symptom-fatigue", Checkbox).value
        assert not again.unsaved
    assert rows(
        store, "SELECT symptoms, risk_area_travel FROM case_event WHERE kind = 'history'"
    ) == [('["fatigue"]', 1)]


async def test_leaving_with_nothing_new_stores_nothing(app: CheckpointApp, store: Store) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        await fever_follow_up(pilot, app)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
    assert rows(store, "SELECT kind FROM case_event") == [("opened",)]


async def test_a_reading_before_the_volunteer_asks_is_the_next_persons_at_the_lane(
    app: CheckpointApp, store: Store, clock: Clock
) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        lane = app.screen
        screen = await fever_follow_up(pilot, app)
        await pilot.press("ctrl+a")
        await until(pilot, lambda: screen.view is not None and screen.view.state.mask_given)
        field = screen.query_one("#case-temp", Input)
        clock.now += timedelta(minutes=10)  # the rest is over, but nobody asked yet
        app.post_message(MeasurementReceived(_device_measurement(36.7)))
        await until(pilot, lambda: lane.query_one("#temperature", Input).value == "36.7")
        assert field.value == ""  # the next person's, at the lane
        assert "Taken aside" in str(hint(screen).render())  # not read yet: it stays
        await pilot.press("left")
        app.post_message(MeasurementReceived(_device_measurement(36.8)))
        await until(pilot, lambda: "went to the lane" in str(hint(screen).render()))
        assert field.value == "" and lane.query_one("#temperature", Input).value == "36.8"
        await pilot.press("ctrl+r")
        assert "Measure the person now" in str(hint(screen).render())
        app.post_message(MeasurementReceived(_device_measurement(37.8)))
        await until(pilot, lambda: field.value == "37.8")
        await pilot.press("enter")
        await until(pilot, lambda: screen.view is not None and screen.view.state.remeasure_compared)
        app.post_message(MeasurementReceived(_device_measurement(36.5)))  # one reading per ask
        await until(pilot, lambda: lane.query_one("#temperature", Input).value == "36.5")
        assert field.value == ""
    assert rows(store, "SELECT value, instrument FROM reading WHERE purpose = 'remeasure'") == [
        (37.8, "serial-infrared")
    ]
    assert rows(store, "SELECT note FROM case_event WHERE kind = 'remeasured'") == [("",)]


async def test_during_the_rest_a_remeasurement_needs_the_override(
    app: CheckpointApp, store: Store, clock: Clock
) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        await pilot.press("ctrl+a")
        await until(pilot, lambda: screen.view is not None and screen.view.state.mask_given)
        clock.now += timedelta(minutes=3)
        await pilot.press(*"38.0", "enter")  # typed during the rest: refused, value kept
        await until(pilot, lambda: hint(screen).has_class("error"))
        text = str(hint(screen).render())
        assert "7:00 left" in text and "Ctrl+R" in text
        assert screen.query_one("#case-temp", Input).value == "38.0"
        assert rows(store, "SELECT count(*) FROM reading WHERE purpose = 'remeasure'") == [(0,)]
        await pilot.press("ctrl+r", "enter")  # the override the message named
        await until(pilot, lambda: screen.view is not None and screen.view.state.remeasure_compared)
    assert rows(store, "SELECT note FROM case_event WHERE kind = 'remeasured'") == [
        (REST_OVERRIDE,)
    ]


async def test_ctrl_r_during_the_rest_asks_again_before_overriding(
    settings: Settings, store: Store, clock: Clock
) -> None:
    app = make_app(
        ScreeningDesk(store=store, settings=settings, clock=clock), None, language="zh-CN"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        await pilot.press("ctrl+a")
        await until(pilot, lambda: screen.view is not None and screen.view.state.mask_given)
        field = screen.query_one("#case-temp", Input)
        await pilot.press("ctrl+r")
        assert "休息时间未到" in str(hint(screen).render()) and hint(screen).has_class("error")
        app.post_message(MeasurementReceived(_device_measurement(38.2)))
        await pilot.pause(0.2)
        assert field.value == ""  # refused: not this person's re-measurement
        await pilot.press("ctrl+r")
        assert "休息未满即复测" in str(hint(screen).render())
        app.post_message(MeasurementReceived(_device_measurement(38.2)))
        await until(pilot, lambda: field.value == "38.2")
        await pilot.press("enter")
        await until(pilot, lambda: screen.view is not None and screen.view.state.remeasure_compared)
    assert rows(store, "SELECT note FROM case_event WHERE kind = 'remeasured'") == [
        (REST_OVERRIDE,)
    ]


async def test_the_shift_leader_decides_by_default_and_is_named(
    app: CheckpointApp, store: Store
) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)  # leader Li, operator Wang
        screen = await fever_follow_up(pilot, app)
        assert screen.query_one("#decided-by", Input).value == "Li"
        label = str(screen.query_one("#decided-by-label", Static).render())
        assert "shift leader, Li" in label
        screen.query_one("#disposition", Select).value = Disposition.REFERRED_FEVER_CLINIC
        screen.query_one("#case-note", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: screen.view is not None and not screen.view.state.open)
    assert rows(store, "SELECT by FROM case_event WHERE kind = 'decided'") == [("Li",)]


async def test_quitting_stores_the_ticked_answers_first(app: CheckpointApp, store: Store) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shift(pilot, app)
        screen = await fever_follow_up(pilot, app)
        screen.query_one("#symptom-vomiting", Checkbox).value = True
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running)
    assert rows(store, "SELECT symptoms FROM case_event WHERE kind = 'history'") == [
        ('["vomiting"]',)
    ]
