"""Each field's source is stored beside the person (card reader, scanner, typed), and the
scanned health-code token stays on the laptop: stored, covered by the chain, never on the wire."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checkpoint.config import load_settings
from checkpoint.domain.documents import parse_document
from checkpoint.domain.plates import parse_plate
from checkpoint.domain.readings import parse_typed_temperature
from checkpoint.domain.vocabulary import (
    DocumentKind,
    FieldSource,
    HealthCode,
    Instrument,
    VehicleType,
)
from checkpoint.screening.desk import PersonEntry, ScreeningDesk, VehicleEntry
from checkpoint.store.engine import open_store
from checkpoint.store.sync_state import rows_between
from checkpoint.store.verify import walk
from checkpoint.wire.records import encode_log_rows

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TOKEN = "https://jkm.example.gov.cn/v?t=Q2hlY2twb2ludA0x9f3a"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[ScreeningDesk]:
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    store = open_store(tmp_path / "log.db")
    try:
        yield ScreeningDesk(store=store, settings=settings, clock=lambda: NOW)
    finally:
        store.close()


def _screen(desk: ScreeningDesk, person: PersonEntry) -> None:
    shift = desk.open_shift(leader="李强", operators=["王芳"])
    passage = desk.start_passage(
        shift.id, VehicleEntry(VehicleType.CAR, parse_plate("粤B12345")), operator="王芳"
    )
    reading = parse_typed_temperature("36.6", instrument=Instrument.INFRARED_TYPED, taken_at=NOW)
    desk.screen(shift.id, passage, person, reading, operator="王芳")


def _rows(desk: ScreeningDesk, sql: str) -> list[tuple[object, ...]]:
    with desk.store.reading() as session:
        return [tuple(r) for r in session.connection().exec_driver_sql(sql)]


def card_person() -> PersonEntry:
    return PersonEntry(
        name="张伟",
        document=parse_document(DocumentKind.RESIDENT_ID, "440305199003070014"),
        origin="广东省深圳市",
        health_code=HealthCode.GREEN,
        health_code_token=TOKEN,
        sources={
            "name": FieldSource.CARD_READER,
            "document": FieldSource.CARD_READER,
            "sex": FieldSource.CARD_READER,
            "birth_date": FieldSource.CARD_READER,
            "origin": FieldSource.CARD_READER,
            "health_code_token": FieldSource.SCANNER,
        },
    )


def test_each_field_is_stored_with_its_source_and_the_chain_holds(desk: ScreeningDesk) -> None:
    _screen(desk, card_person())
    ((person_id,),) = _rows(desk, "SELECT id FROM person")
    ((row_person, sources, token),) = _rows(
        desk, "SELECT person_id, sources, health_code_token FROM person_source"
    )
    assert row_person == person_id
    assert json.loads(str(sources)) == {
        "birth_date": "card-reader",
        "document": "card-reader",
        "health_code_token": "scanner",
        "name": "card-reader",
        "origin": "card-reader",
        "sex": "card-reader",
    }
    assert token == TOKEN
    with desk.store.reading() as session:
        assert walk(session).ok


def test_a_person_typed_by_hand_needs_no_source_row(desk: ScreeningDesk) -> None:
    _screen(desk, PersonEntry(name="王芳", sources={"name": FieldSource.TYPED}))
    assert _rows(desk, "SELECT count(*) FROM person_source") == [(0,)]


def test_the_health_code_token_never_travels_to_the_hub(desk: ScreeningDesk) -> None:
    _screen(desk, card_person())
    with desk.store.reading() as session:
        ((last,),) = session.connection().exec_driver_sql("SELECT seq FROM chain_head")
        rows = list(rows_between(session=session, first=1, last=int(last)))
    batch = encode_log_rows("HB-XG-0012", rows)
    text = gzip.decompress(batch.body).decode()
    assert "person_source" in batch.tables
    assert TOKEN not in text and "jkm.example" not in text  # nor any part of it
    record = next(r for r in json.loads(text)["records"] if r["table"] == "person_source")
    assert "health_code_token" not in record["values"]
    assert record["personal"] is None
    assert record["personal_digest"]  # what the hub checks the hash with instead
    assert json.loads(record["values"]["sources"])["name"] == "card-reader"  # this travels
