"""A record or daily report that cannot be sent never blocks what comes after it: it is held
back with its reason (kept in the log's `held_back`, tried again at every sync until it goes)
and the rest reaches a real hub on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from checkpoint.domain.vocabulary import Instrument, Plausibility, ReadingPurpose, Site, Unit
from checkpoint.hub import db
from checkpoint.hub.app import make_hub_app
from checkpoint.reports.build import day_report
from checkpoint.reports.json_form import to_data
from checkpoint.store.amendments import amend
from checkpoint.store.chain import append
from checkpoint.store.engine import open_store
from checkpoint.store.models import CaseEventFields, Person, ReadingFields, VehiclePassageFields
from checkpoint.store.sync_state import held_back, held_back_count, unsynced_count
from checkpoint.sync.client import HubClient, sync
from checkpoint.sync.report_push import send_reports
from checkpoint.wire.reports import canonical
from tests.reports.conftest import DAY, Log, build_log, report_settings, utc
from tests.store.conftest import NOW, Scene
from tests.sync.conftest import CHECKPOINT, Hub, ThreadedHub, log_records, serve_in_thread

LONG_NAME = "欧阳" + "娜" * 9_998
"""A 10,000-character name: a paste gone wrong, written by a version that did not refuse it."""


@pytest.fixture
def known(tmp_path: Path) -> Iterator[Log]:
    store = open_store(tmp_path / "checkpoint" / "checkpoint.db")
    try:
        yield build_log(store)
    finally:
        store.close()


def _rename(log: Log, name: str) -> None:
    """Correct the name of the known log's fever case of `DAY` (an amendment, as the history
    writes one)."""
    with log.store.session() as session:
        person = session.exec(select(Person).where(Person.name == "欧阳娜娜")).one()
        amend(
            session=session, record=person, field="name", new_value=name, reason="核对", by="李强"
        )


def _held_days(hub: Hub) -> list[date]:
    with hub.engine.connect() as connection:
        days = connection.execute(sa.select(db.reports.c.day).order_by(db.reports.c.day)).scalars()
        return list(days)


def test_a_long_name_in_a_fever_case_holds_back_that_day_only_until_it_is_corrected(
    known: Log, hub: Hub
) -> None:
    _rename(known, LONG_NAME)
    settings = report_settings()
    later = utc(29, 5)  # closed days: 23 to 28
    with HubClient(hub.address, hub.enroll()) as client:
        first = send_reports(known.store, settings, client, now=later)
        again = send_reports(known.store, settings, client, now=later)
        # Every later day still went, and the held day is said each time with its reason.
        assert [h.day for h in first.held] == [DAY] and first.held_back == 1
        assert first.stored == [date(2026, 11, 23), *(date(2026, 11, d) for d in range(25, 29))]
        assert [h.day for h in again.held] == [DAY] and again.sent == 0
        with known.store.reading() as session:
            (held,) = held_back(session=session, hub=hub.address)
        assert (held.kind, held.item, held.code) == (
            "report",
            "2026-11-24",
            "sync.held.report_case_too_long",
        )
        assert held.params["field"] == "name" and held.params["length"] == 10_000
        assert held.params["limit"] == 200
        assert DAY not in _held_days(hub)

        _rename(known, "欧阳娜娜")  # the correction, as the fix line says
        fixed = send_reports(known.store, settings, client, now=later)
    assert fixed.stored == [DAY] and fixed.released == [DAY] and fixed.held_back == 0
    assert _held_days(hub) == [date(2026, 11, d) for d in range(23, 29)]
    with known.store.reading() as session:
        assert held_back(session=session, hub=hub.address) == []


def test_a_report_the_hub_refuses_is_held_back_and_the_later_days_go(
    known: Log, tmp_path: Path
) -> None:
    # A hub whose body limit is under one day's report (its administrator set it so): that
    # day is refused as too large, the smaller reports of the other days are not.
    settings = report_settings()
    later = utc(29, 5)
    sizes = {
        day: len(
            json.dumps(
                canonical(to_data(day_report(known.store, settings, day, now=later))),
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
        )
        for day in (date(2026, 11, d) for d in range(23, 29))
    }
    others = max(size for day, size in sizes.items() if day != DAY)
    assert sizes[DAY] > others + 100  # its fever cases
    limit = (sizes[DAY] + others) // 2
    small, server = serve_in_thread(f"sqlite:///{tmp_path / 'small.db'}", max_body_bytes=limit)
    try:
        with HubClient(small.address, small.enroll()) as client:
            result = send_reports(known.store, settings, client, now=later)
    finally:
        server.stop()
        small.engine.dispose()
    assert [h.day for h in result.held] == [DAY]
    assert result.held[0].code == "sync.hub.report_too_large"
    assert len(result.stored) == 5 and DAY not in result.stored


def _infinite_reading(scene: Scene) -> ReadingFields:
    """A reading whose value is infinite, as no version of today writes (the domain refuses
    it) but an older one or another program could have."""
    person, _ = scene.screen("张三")
    return ReadingFields(
        person_id=person.id,
        shift_id=scene.shift.id,
        taken_at=NOW,
        purpose=ReadingPurpose.REMEASURE,
        value=float("inf"),
        unit=Unit.CELSIUS,
        value_c=float("inf"),
        site=Site.BODY,
        instrument=Instrument.INFRARED_TYPED,
        raw="inf",
        plausibility=Plausibility.HI,
        threshold_c=37.3,
        rounded_c=None,
        flagged=False,
        operator="王芳",
    )


def test_a_value_the_wire_cannot_carry_is_held_back_locally_and_the_rest_goes(
    log: Scene, hub: Hub
) -> None:
    bad = _infinite_reading(log)
    with log.store.session() as session:
        append(session, bad)
    log.screen("李四")  # after it
    with HubClient(hub.address, hub.enroll()) as client:
        first = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=50)
        again = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=50)
    local = log_records(log.store)
    assert [(r.table, r.code, r.params["column"]) for r in first.rejected] == [
        ("reading", "sync.held.not_finite", "value")
    ]
    assert first.mark == first.head == max(seq for seq, _ in local.values())
    assert set(hub.held()) == set(local) - {bad.id.hex}  # everything else, also after it
    assert again.sent == 0 and again.held_back == 1 and not again.rejected
    with log.store.reading() as session:
        assert unsynced_count(session=session, hub=hub.address) == 0
        assert held_back_count(session=session, hub=hub.address) == 1


def test_a_record_the_hub_refuses_is_held_back_and_the_rest_goes(log: Scene, pg_url: str) -> None:
    # PostgreSQL's jsonb cannot hold U+0000: a passage whose origin has one (pasted into an
    # older version) is refused by such a hub, record by record.
    odd = VehiclePassageFields.model_validate(
        {k: v for k, v in log.passage.model_dump().items() if k != "id"} | {"origin": "孝感\x00"}
    )
    with log.store.session() as session:
        append(session, odd)
    log.screen("李四")
    hub, server = serve_in_thread(pg_url)
    try:
        with HubClient(hub.address, hub.enroll()) as client:
            first = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=64)
            again = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=64)
        held = hub.held()
    finally:
        server.stop()
        hub.engine.dispose()
    assert [(r.table, r.record_id) for r in first.rejected] == [("vehicle_passage", odd.id.hex)]
    assert "U+0000" in first.rejected[0].reason
    assert first.mark == first.head and set(held) == set(log_records(log.store)) - {odd.id.hex}
    assert again.sent == 0 and again.held_back == 1


def test_a_record_too_large_even_alone_is_held_back_and_goes_once_the_hub_takes_it(
    log: Scene, tmp_path: Path
) -> None:
    person, _ = log.screen("王五", 38.2)
    note = CaseEventFields(
        person_id=person.id, kind="note", at=NOW, by="王芳", note="体温复测记录" * 400_000
    )
    with log.store.session() as session:
        append(session, note)
    log.screen("赵六")
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    hub, server = serve_in_thread(url, max_body_bytes=2 * 1024 * 1024)
    try:
        token = hub.enroll()
        with HubClient(hub.address, token) as client:
            first = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=500)
        held_first = set(hub.held())
    finally:
        server.stop()
        hub.engine.dispose()
    assert [(r.table, r.code) for r in first.rejected] == [("case_event", "sync.held.too_large")]
    assert first.mark == first.head and held_first == set(log_records(log.store)) - {note.id.hex}

    # Its administrator raises the limit (same address): the record held back goes at the
    # next sync, and nothing else is sent again.
    engine = db.make_engine(url)
    server = ThreadedHub(make_hub_app(engine=engine, max_body_bytes=64 * 1024 * 1024), hub.port)
    server.start()
    try:
        with HubClient(hub.address, token) as client:
            second = sync(log.store, client, checkpoint_id=CHECKPOINT)
        assert set(Hub(url, hub.port, engine).held()) == set(log_records(log.store))
    finally:
        server.stop()
        engine.dispose()
    assert second.released == 1 and second.held_back == 0
    assert second.stored == 1 and second.duplicates == 0
