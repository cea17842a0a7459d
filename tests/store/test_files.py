"""Opening the log: pragmas, permissions, one instance, and files that are not ours."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checkpoint.errors import StoreError
from checkpoint.store import records
from checkpoint.store.engine import open_store
from checkpoint.store.models import Person, Reading
from checkpoint.store.verify import walk
from tests.store.conftest import Scene, build_scene, make_person, make_reading


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_pragmas_are_those_of_a_durable_log(scene: Scene) -> None:
    with scene.store.session() as session:
        connection = session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_files_are_private_to_their_owner(scene: Scene) -> None:
    scene.screen("张三")
    folder = scene.store.path.parent
    assert _mode(folder) == 0o700
    for name in ("checkpoint.db", "checkpoint.db-wal", "checkpoint.db-shm"):
        path = folder / name
        if path.exists():
            assert _mode(path) == 0o600, name


def test_a_second_instance_is_refused_at_once(scene: Scene) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(scene.store.path)
    assert caught.value.code == "store.in_use_by"
    assert str(scene.store.path) in caught.value.message
    assert f"process {os.getpid()}" in caught.value.message


def test_another_process_holding_the_log_is_a_clear_error(db_path: Path) -> None:
    open_store(db_path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys
                from pathlib import Path
                from checkpoint.store.engine import open_store
                store = open_store(Path({str(db_path)!r}))
                print("open", flush=True)
                sys.stdin.read()
            """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError) as caught:
            open_store(db_path)
        assert caught.value.code == "store.in_use_by"
        assert caught.value.params["pid"] == holder.pid  # said so that it can be found
    finally:
        holder.communicate("")
    open_store(db_path).close()  # released when the other process ends


def test_a_file_that_is_not_sqlite_is_never_touched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    content = "这是值班记录，不是数据库\n".encode() * 100
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        open_store(path)
    assert caught.value.code == "store.not_sqlite"
    assert str(path) in caught.value.message and caught.value.hint
    assert path.read_bytes() == content


def test_another_programs_database_is_never_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.execute("INSERT INTO contacts VALUES ('x')")
    other.commit()
    other.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        open_store(path)
    assert caught.value.code == "store.foreign"
    assert path.read_bytes() == before


def test_a_damaged_log_is_refused_and_kept(scene: Scene) -> None:
    for i in range(50):
        scene.screen(f"乘客{i}")
    scene.store.close()
    path = scene.store.path
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, right after the header
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as caught:
        open_store(path)
    assert caught.value.code == "store.corrupt"
    assert path.read_bytes() == bytes(data)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path)
    assert caught.value.code == "store.is_directory"


def test_a_missing_log_is_not_created_by_readers(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    with pytest.raises(StoreError) as caught:
        open_store(path, exclusive=False, create=False)
    assert caught.value.code == "store.missing"
    assert not path.exists()


def test_a_full_disk_leaves_no_partial_screening(scene: Scene) -> None:
    with scene.store.session() as session:
        driver = session.connection()
        pages = driver.exec_driver_sql("PRAGMA page_count").scalar()
    saved = 0
    with pytest.raises(StoreError) as caught:
        for i in range(10_000):
            person = make_person(scene.passage, f"乘客{i}" * 50)
            reading = make_reading(scene.shift, person, 36.5)
            with scene.store.session() as session:
                # SQLite's own limit on the file size: the same SQLITE_FULL as a full disk.
                session.connection().exec_driver_sql(f"PRAGMA max_page_count = {pages + 3}")
                records.record_screening(session=session, person=person, reading=reading)
            saved += 1
    assert caught.value.code == "store.disk_full"
    assert "NOT saved" in caught.value.message
    with scene.store.reading() as session:
        people = session.connection().exec_driver_sql("SELECT count(*) FROM person").scalar()
        readings = (
            session.connection()
            .exec_driver_sql("SELECT count(*) FROM reading WHERE person_id IS NOT NULL")
            .scalar()
        )
        assert people == readings == saved
        assert walk(session).ok
    assert saved > 0


def test_saved_screenings_survive_a_killed_process(db_path: Path) -> None:
    store = open_store(db_path)
    scene = build_scene(store)
    store.close()
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from checkpoint.store.engine import open_store
        from tests.store.conftest import Scene, build_scene
        from checkpoint.store.models import ShiftFields, VehiclePassageFields, CheckpointSiteFields
        import json
        store = open_store(Path({str(db_path)!r}))
        shift = ShiftFields.model_validate_json({scene.shift.model_dump_json()!r})
        passage = VehiclePassageFields.model_validate_json({scene.passage.model_dump_json()!r})
        site = CheckpointSiteFields.model_validate_json({scene.site.model_dump_json()!r})
        live = Scene(store=store, site=site, shift=shift, passage=passage)
        for i in range(100000):
            person, reading = live.screen(f"乘客{{i}}")
            print(person.id.hex, flush=True)
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert child.stdout is not None
    shown = [child.stdout.readline().strip() for _ in range(200)]
    child.kill()  # SIGKILL: no cleanup, no WAL checkpoint
    child.wait()
    with open_store(db_path) as reopened, reopened.reading() as session:
        ids = {
            row[0]
            for row in session.connection().exec_driver_sql("SELECT id FROM person").fetchall()
        }
        assert walk(session).ok
    assert set(shown) <= ids


def test_person_and_reading_tables_exist_with_their_columns(scene: Scene) -> None:
    assert "document_number" in Person.__table__.columns  # type: ignore[attr-defined]
    assert "threshold_c" in Reading.__table__.columns  # type: ignore[attr-defined]


def test_a_log_held_locked_by_another_program_is_a_clear_error(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checkpoint.store.engine as engine_module

    scene.store.close()
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    store = open_store(scene.store.path)
    other = sqlite3.connect(scene.store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # e.g. a database browser with an unsaved edit
    try:
        person = make_person(scene.passage, "辛")
        with pytest.raises(StoreError) as caught, store.session() as session:
            records.record_screening(
                session=session, person=person, reading=make_reading(scene.shift, person, 36.5)
            )
        assert caught.value.code == "store.locked"
    finally:
        other.execute("ROLLBACK")
        other.close()
    Scene(store=store, site=scene.site, shift=scene.shift, passage=scene.passage).screen("辛")
    store.close()
