"""The status bar counts what is held back from the hub, next to what is unsent, in both
languages; the background sync goes on past it (the real app, a real hub on 127.0.0.1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checkpoint.domain.vocabulary import Instrument, Plausibility, ReadingPurpose, Site, Unit
from checkpoint.store.chain import append
from checkpoint.store.engine import Store, open_store
from checkpoint.store.models import ReadingFields
from tests.sync.conftest import Hub, log_records, serve_in_thread
from tests.tui.test_background_sync import app_for, bar, screen_people, settings_for
from tests.tui.test_screening_app import open_shift, rows, until


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "log.db")
    yield opened
    opened.close()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    served, server = serve_in_thread(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        yield served
    finally:
        server.stop()
        served.engine.dispose()


def _infinite_reading(store: Store) -> str:
    """A re-measurement whose value is infinite, as an older version could have written it (no
    path of today's does); its id."""
    person, shift = rows(store, "SELECT id, (SELECT id FROM shift) FROM person LIMIT 1")[0]
    reading = ReadingFields(
        person_id=uuid.UUID(str(person)),
        shift_id=uuid.UUID(str(shift)),
        taken_at=datetime.now(UTC),
        purpose=ReadingPurpose.REMEASURE,
        value=float("inf"),
        unit=Unit.CELSIUS,
        value_c=float("inf"),
        site=Site.BODY,
        instrument=Instrument.INFRARED_TYPED,
        raw="inf",
        plausibility=Plausibility.HI,
        threshold_c=37.3,
        flagged=False,
        operator="Wang",
    )
    with store.session() as session:
        append(session, reading)
    return reading.id.hex


async def test_held_back_shows_beside_unsent_and_the_rest_still_reaches_the_hub(
    tmp_path: Path, store: Store, hub: Hub
) -> None:
    settings = settings_for(tmp_path, hub.address, None)
    code = settings.checkpoint.id
    settings = settings_for(tmp_path, hub.address, hub.enroll(code))
    app = app_for(store, settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_shift(pilot, app)
        await screen_people(pilot, app, "36.6")
        held = _infinite_reading(store)
        await screen_people(pilot, app, "36.7", "36.5")  # after it, and a nudge to sync
        status = bar(app)
        await until(pilot, lambda: set(hub.held(code)) == set(log_records(store)) - {held})
        await until(pilot, lambda: status.counters.held_back == 1 and status.counters.unsynced == 0)
        await until(pilot, lambda: status.sync.startswith("synced "))
        shown = str(status.render())
        assert "unsent 0  held back 1" in shown and "│  synced" in shown

        await pilot.press("f2")
        await until(pilot, lambda: "未能上传 1" in str(bar(app).render()))
        assert "待上传 0  未能上传 1" in str(bar(app).render())

        # The lane goes on, and so does the sync: a later screening still reaches the hub.
        await screen_people(pilot, app, "36.4")
        await until(pilot, lambda: set(hub.held(code)) == set(log_records(store)) - {held})
        assert bar(app).counters.held_back == 1
