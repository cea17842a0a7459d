"""Schema versions: migrations match the models, and an older log is backed up then upgraded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from checkpoint.errors import StoreError
from checkpoint.store import migrate
from checkpoint.store.engine import make_engine, open_store
from checkpoint.store.models import APPLICATION_ID
from checkpoint.store.verify import walk
from tests.store.conftest import Scene, build_scene

FIRST_REVISION = "0001"


def _new_log_at(path: Path, revision: str) -> None:
    """A log created by an older release: the schema stopped at `revision`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    try:
        migrate.upgrade(engine, path=path, backup_dir=path.parent / "backups", target=revision)
    finally:
        engine.dispose()


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    path = tmp_path / "head.db"
    open_store(path).close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    # Column types differ only in name (UTC times and enums are strings underneath).
    structural = [
        d
        for d in differences
        if d[0] not in ("modify_type",)
        and not (isinstance(d, list) and d and d[0][0] == "modify_type")
    ]
    assert structural == []


def test_a_new_log_is_at_the_head_with_our_application_id(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    store = open_store(path)
    assert store.backup_path is None
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
        migrate.head_revision()
    )
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_an_older_log_is_backed_up_then_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "data" / "checkpoint.db"
    _new_log_at(path, FIRST_REVISION)
    # Write records as the first release did (its tables are those of today, without the
    # search indexes that revision 0002 adds).
    engine = make_engine(path)
    from checkpoint.store.engine import Store

    old = Store(path=path, engine=engine)
    scene = build_scene(old)
    for i in range(10):
        scene.screen(f"乘客{i}")
    old.close()

    store = open_store(path)
    try:
        assert store.backup_path is not None
        backup = sqlite3.connect(store.backup_path)
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            FIRST_REVISION
        )
        assert backup.execute("SELECT count(*) FROM person").fetchone()[0] == 10
        backup.close()
        with store.reading() as session:
            connection = session.connection()
            assert (
                connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                == migrate.head_revision()
            )
            indexes = {
                row[0]
                for row in connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'index'"
                )
            }
            assert "ix_vehicle_passage_plate" in indexes
            report = walk(session)
            assert report.ok and report.rows == 3 + 20
        Scene(store=store, site=scene.site, shift=scene.shift, passage=scene.passage).screen("新")
    finally:
        store.close()


def test_a_log_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        open_store(path)
    assert caught.value.code == "store.newer_schema"
    assert path.read_bytes() == before


def test_readers_do_not_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _new_log_at(path, FIRST_REVISION)
    with pytest.raises(StoreError) as caught:
        open_store(path, exclusive=False, create=False)
    assert caught.value.code == "store.needs_upgrade"


def test_a_corrected_number_verifies_once_its_column_keeps_text(tmp_path: Path) -> None:
    """Before 0007 the amendment's value column had NUMERIC affinity: a corrected temperature
    ("37.3") was stored as a number and the row no longer matched its hash. The upgrade turns
    it back into its text, and the chain holds; a new log keeps the text as written."""
    from sqlmodel import select

    from checkpoint.store import amendments
    from checkpoint.store.engine import Store
    from checkpoint.store.models import Reading

    path = tmp_path / "data" / "checkpoint.db"
    _new_log_at(path, "0006")
    old = Store(path=path, engine=make_engine(path))
    scene = build_scene(old)
    _, written = scene.screen("乘客", 36.5)
    with old.session() as session:
        reading = session.exec(select(Reading).where(Reading.id == written.id)).one()
        amendments.amend(
            session=session,
            record=reading,
            field="value_c",
            new_value=37.3,
            reason="看错",
            by="李强",
        )
    with old.reading() as session:
        assert not walk(session).ok  # the number, not its text: "changed"
    old.close()
    store = open_store(path)
    try:
        with store.reading() as session:
            stored = session.connection().exec_driver_sql(
                "SELECT typeof(new_value), new_value FROM amendment"
            )
            assert [tuple(row) for row in stored] == [("text", "37.3")]
            assert walk(session).ok
    finally:
        store.close()


def test_an_upgraded_log_keeps_its_answers_verifies_and_takes_unasked_questions(
    tmp_path: Path,
) -> None:
    """0009 drops NOT NULL from a person's contact and risk-area answers: what an older release
    wrote stays as it was (the chain verifies), and a question nobody asked is then NULL."""
    from checkpoint.store import records
    from checkpoint.store.engine import Store
    from tests.store.conftest import make_person, make_reading

    path = tmp_path / "data" / "checkpoint.db"
    _new_log_at(path, "0008")
    old = Store(path=path, engine=make_engine(path))
    scene = build_scene(old)
    scene.screen("乘客甲")
    unasked = make_person(scene.passage, "乘客乙").model_copy(
        update={"risk_area_travel": None, "contact_history": None}
    )
    # the old schema cannot say "not asked"
    with pytest.raises(StoreError), old.session() as session:
        records.record_screening(
            session=session, person=unasked, reading=make_reading(scene.shift, unasked, 36.6)
        )
    old.close()

    store = open_store(path)
    try:
        assert store.backup_path is not None
        with store.session() as session:
            records.record_screening(
                session=session, person=unasked, reading=make_reading(scene.shift, unasked, 36.6)
            )
        with store.reading() as session:
            stored = session.connection().exec_driver_sql(
                "SELECT name, risk_area_travel, contact_history FROM person ORDER BY seq"
            )
            assert [tuple(row) for row in stored] == [("乘客甲", 0, 0), ("乘客乙", None, None)]
            assert walk(session).ok
            indexes = session.connection().exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_person_risk_area_travel'"
            )
            assert "WHERE risk_area_travel = 1" in indexes.scalar_one()
    finally:
        store.close()
