"""Builders of realistic records for store tests, on a real SQLite file under tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checkpoint.domain.vocabulary import (
    CheckpointKind,
    Direction,
    DirectionMode,
    DocumentKind,
    Instrument,
    PersonRole,
    Plausibility,
    ReadingPurpose,
    Site,
    Symptom,
    Unit,
    VehicleType,
)
from checkpoint.store import records
from checkpoint.store.engine import Store, open_store
from checkpoint.store.models import (
    CheckpointSiteFields,
    PersonFields,
    ReadingFields,
    ShiftFields,
    VehiclePassageFields,
)

NOW = datetime(2026, 11, 24, 4, 30, 12, 123456, tzinfo=UTC)


@dataclass
class Scene:
    """A checkpoint with an open shift and one passage, ready for screenings."""

    store: Store
    site: CheckpointSiteFields
    shift: ShiftFields
    passage: VehiclePassageFields

    def screen(self, name: str, value_c: float = 36.6) -> tuple[PersonFields, ReadingFields]:
        person = make_person(self.passage, name)
        reading = make_reading(self.shift, person, value_c)
        with self.store.session() as session:
            records.record_screening(session=session, person=person, reading=reading)
        return person, reading


def make_person(passage: VehiclePassageFields, name: str) -> PersonFields:
    return PersonFields(
        passage_id=passage.id,
        role=PersonRole.PASSENGER,
        name=name,
        document_kind=DocumentKind.RESIDENT_ID,
        document_number="11010519491231002X",
        phone="+8613812345678",
        origin="湖北省武汉市",
        symptoms=[Symptom.COUGH],
        # Asked and answered "no", as every release before 0009 wrote them (older logs too).
        risk_area_travel=False,
        contact_history=False,
        operator="王芳",
    )


def make_reading(shift: ShiftFields, person: PersonFields, value_c: float) -> ReadingFields:
    return ReadingFields(
        person_id=person.id,
        shift_id=shift.id,
        taken_at=NOW,
        purpose=ReadingPurpose.SCREENING,
        value=value_c,
        unit=Unit.CELSIUS,
        value_c=value_c,
        site=Site.BODY,
        instrument=Instrument.SERIAL_INFRARED,
        raw="aa5506240730",
        plausibility=Plausibility.OK,
        threshold_c=37.3,
        rounded_c=round(value_c, 1),
        flagged=value_c >= 37.3,
        operator="王芳",
    )


def build_scene(store: Store) -> Scene:
    site = CheckpointSiteFields(
        code="HB-XG-0012",
        name="孝感北收费站",
        kind=CheckpointKind.EXPRESSWAY_EXIT,
        direction_mode=DirectionMode.TWO_WAY,
        township="毛陈镇",
        county="孝南区",
        timezone="Asia/Shanghai",
        active_from=NOW,
    )
    shift = ShiftFields(checkpoint_id=site.id, opened_at=NOW, leader="李强", operators=["王芳"])
    passage = VehiclePassageFields(
        shift_id=shift.id,
        passed_at=NOW,
        vehicle_type=VehicleType.BUS,
        plate="鄂K12345",
        direction=Direction.IN,
        non_local=False,
        origin="武汉",
        occupants=40,
        operator="王芳",
    )
    with store.session() as session:
        records.register_checkpoint(session=session, site=site)
        records.open_shift(session=session, shift=shift)
        records.record_passage(session=session, passage=passage)
    return Scene(store=store, site=site, shift=shift, passage=passage)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "checkpoint.db"


@pytest.fixture
def scene(db_path: Path) -> Iterator[Scene]:
    store = open_store(db_path)
    try:
        yield build_scene(store)
    finally:
        store.close()
