"""`checkpoint sync` through the real command line and a real hub: a fever case with a
10,000-character name (written by a version that did not refuse it) holds back that day's
report only; the command lists it with why and how to fix it, in zh-CN and English, at every
sync until it is corrected, and exits 3; the records and the other days reach the hub."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from checkpoint.domain.vocabulary import (
    Direction,
    Disposition,
    DocumentKind,
    Instrument,
    PersonRole,
    Plausibility,
    ReadingPurpose,
    Site,
    Unit,
    VehicleType,
)
from checkpoint.hub import db
from checkpoint.hub.app import make_hub_app
from checkpoint.store.amendments import amend
from checkpoint.store.chain import append
from checkpoint.store.engine import open_store
from checkpoint.store.models import (
    CaseEventFields,
    Person,
    PersonFields,
    ReadingFields,
    ShiftFields,
    VehiclePassageFields,
)
from tests.cli.test_help_language import _help
from tests.cli.test_init_verify import invoke
from tests.sync.conftest import ThreadedHub, free_port

CODE = "HB-XG-0012"
LONG_NAME = "张" + "三" * 9_999


def _fever_case(database: Path, name: str) -> None:
    """Three days ago: a shift, a car, a person at 38.2 ℃ named `name`, referred to the fever
    clinic."""
    at = datetime.now(UTC) - timedelta(days=3)
    shift = ShiftFields(checkpoint_id=_site_id(database), opened_at=at, leader="李强")
    shift.operators = ["王芳"]
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
        name=name,
        document_kind=DocumentKind.NONE,
        origin="武汉",
        operator="王芳",
    )
    reading = ReadingFields(
        person_id=person.id,
        shift_id=shift.id,
        taken_at=at,
        purpose=ReadingPurpose.SCREENING,
        value=38.2,
        unit=Unit.CELSIUS,
        value_c=38.2,
        site=Site.BODY,
        instrument=Instrument.INFRARED_TYPED,
        raw="38.2",
        plausibility=Plausibility.OK,
        threshold_c=37.3,
        rounded_c=38.2,
        flagged=True,
        operator="王芳",
    )
    opened = CaseEventFields(
        person_id=person.id, kind="opened", at=at, by="王芳", reading_id=reading.id
    )
    decided = CaseEventFields(
        person_id=person.id,
        kind="decided",
        at=at + timedelta(minutes=20),
        by="李强",
        disposition=Disposition.REFERRED_FEVER_CLINIC,
    )
    with open_store(database, create=False) as store, store.session() as session:
        append(session, shift, passage, person, reading, opened, decided)


def _site_id(database: Path) -> object:
    from checkpoint.store.models import CheckpointSite

    with open_store(database, create=False) as store, store.reading() as session:
        return session.exec(select(CheckpointSite.id)).one()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, sa.Engine]]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    port = free_port()
    server = ThreadedHub(make_hub_app(engine=engine), port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}", engine
    finally:
        server.stop()
        engine.dispose()


def _days_held(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(db.reports)).scalar()
    return int(count or 0)


def test_a_day_held_back_is_listed_in_both_languages_with_exit_3_until_corrected(
    tmp_path: Path, served: tuple[str, sa.Engine]
) -> None:
    hub, engine = served
    home = tmp_path / "home"
    assert invoke(home, "init").exit_code == 0
    _fever_case(home / "checkpoint.db", LONG_NAME)
    env = {"CHECKPOINT_CHECKPOINT__ID": CODE, "CHECKPOINT_SYNC__TOKEN": db.enroll(engine, CODE)}

    english = invoke(home, "sync", "--hub", hub, **env)
    assert english.exit_code == 3, english.output
    said = " ".join(english.output.split())
    assert "Held back (not sent, the rest went on): 0 records, 1 daily reports." in said
    assert "fever case 1: its name is 10000 characters long, a report carries at most 200" in said
    assert "Correct that person's name in the history (Ctrl+F" in said
    assert "0 held back" in said  # every record went
    held_days = _days_held(engine)
    assert held_days >= 2  # the days after it went on

    # Said again at the next sync (nothing new to send), in Chinese too.
    chinese = invoke(home, "sync", "--hub", hub, language="zh-CN", **env)
    assert chinese.exit_code == 3, chinese.output
    said = " ".join(chinese.output.split())
    assert "未能上传（其余已照常上传）：记录 0 条，日报告 1 份。" in said
    assert "第 1 个发热病例的姓名长 10000 个字符，日报告最多允许 200 个" in said
    assert "请在历史记录中更正此人的姓名（Ctrl+F" in said
    assert "Traceback" not in said

    with open_store(home / "checkpoint.db", create=False) as store, store.session() as session:
        person = session.exec(select(Person).where(Person.name == LONG_NAME)).one()
        amend(
            session=session,
            record=person,
            field="name",
            new_value="张三",
            reason="误粘贴",
            by="李强",
        )
    fixed = invoke(home, "sync", "--hub", hub, **env)
    assert fixed.exit_code == 0, fixed.output
    assert "Sent at last: 0 records and 1 daily reports held back before." in fixed.output
    assert "Held back" not in fixed.output.replace("0 held back", "")
    assert _days_held(engine) == held_days + 1


def test_the_exit_codes_are_in_the_help(tmp_path: Path) -> None:
    english = _help(["sync"], tmp_path, "--language", "en")
    assert "Exit codes: 0 everything was sent; 1 the sync stopped" in english
    assert "3 the rest was sent but some records or daily reports are held back" in english
    chinese = _help(["sync"], tmp_path, "--language", "zh-CN")
    assert "3 其余已发送，但有记录或日报告未能上传" in chinese
