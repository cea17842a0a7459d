"""Logs written by a laptop whose clock said what the test wants: every record is stamped
(`created_at`, and its own time) with the clock given when it is appended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from checkpoint.domain.vocabulary import (
    CheckpointKind,
    Direction,
    DirectionMode,
    DocumentKind,
    PersonRole,
    VehicleType,
)
from checkpoint.store.chain import append
from checkpoint.store.engine import Store
from checkpoint.store.models import (
    CheckpointSiteFields,
    LogFields,
    PersonFields,
    ShiftClosureFields,
    ShiftFields,
    VehiclePassageFields,
)
from tests.reports.conftest import _reading


@dataclass
class ClockLog:
    """A checkpoint's log written with a clock the test sets record by record."""

    store: Store
    site: CheckpointSiteFields | None = None
    shifts: list[ShiftFields] = field(default_factory=list)

    def add(self, at: datetime, *records: LogFields) -> None:
        with self.store.session() as session:
            append(session, *records, now=at)

    def register(self, at: datetime, code: str = "HB-XG-0012") -> CheckpointSiteFields:
        self.site = CheckpointSiteFields(
            code=code,
            name="孝感北收费站",
            kind=CheckpointKind.EXPRESSWAY_EXIT,
            direction_mode=DirectionMode.TWO_WAY,
            township="毛陈镇",
            county="孝南区",
            timezone="Asia/Shanghai",
            active_from=at,
        )
        self.add(at, self.site)
        return self.site

    def open_shift(self, at: datetime, leader: str = "李强") -> ShiftFields:
        assert self.site is not None
        shift = ShiftFields(checkpoint_id=self.site.id, opened_at=at, leader=leader)
        self.add(at, shift)
        self.shifts.append(shift)
        return shift

    def close_shift(self, shift: ShiftFields, at: datetime) -> None:
        self.add(at, ShiftClosureFields(shift_id=shift.id, closed_at=at, closed_by=shift.leader))

    def screen(self, shift: ShiftFields, at: datetime, value: float = 36.6) -> None:
        """One car, one person, one reading, at `at` by the laptop's clock."""
        passage = VehiclePassageFields(
            shift_id=shift.id,
            passed_at=at,
            vehicle_type=VehicleType.CAR,
            plate="鄂K12345",
            direction=Direction.IN,
            operator="王芳",
        )
        person = PersonFields(
            passage_id=passage.id,
            role=PersonRole.DRIVER,
            name="张三",
            document_kind=DocumentKind.NONE,
            operator="王芳",
        )
        self.add(at, passage, person, _reading(shift, person.id, value, at))
