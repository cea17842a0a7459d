"""JSON columns of the log are stored as UTF-8 text (a county's LIKE '%王芳%' finds 王芳); the
hash chain does not depend on how they are stored, so older logs keep their hashes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from checkpoint.store import migrate
from checkpoint.store.amendments import amend
from checkpoint.store.engine import open_store
from checkpoint.store.models import VehiclePassage
from checkpoint.store.verify import Break, walk
from tests.store.conftest import Scene, build_scene

JSON_COLUMNS = (
    ("shift", "operators"),
    ("person", "symptoms"),
    ("person", "risk_area_matches"),
    ("case_event", "symptoms"),
    ("daily_report", "figures"),
    ("amendment", "new_value"),
)


def verified(scene: Scene) -> object:
    with scene.store.reading() as session:
        return walk(session)


def test_json_columns_are_stored_as_utf8_text(scene: Scene) -> None:
    with sqlite3.connect(scene.store.path) as db:
        (text,) = db.execute("SELECT operators FROM shift").fetchone()
        found = db.execute("SELECT count(*) FROM shift WHERE operators LIKE '%王芳%'").fetchone()
    assert text == '["王芳"]'
    assert found == (1,)
    assert verified(scene).ok  # type: ignore[attr-defined]


def test_the_hash_does_not_depend_on_how_json_is_stored(scene: Scene) -> None:
    # As the log stored it before: \u escapes. Same values, same hashes.
    with sqlite3.connect(scene.store.path) as db:
        db.execute("UPDATE shift SET operators = ?", (json.dumps(["王芳"]),))
    assert verified(scene).ok  # type: ignore[attr-defined]


def test_a_changed_or_broken_json_value_is_named(scene: Scene) -> None:
    for text in ('["李四"]', '["王芳"', "\u738b"):
        with sqlite3.connect(scene.store.path) as db:
            db.execute("UPDATE shift SET operators = ?", (text,))
            (seq,) = db.execute("SELECT seq FROM shift").fetchone()
        report = verified(scene)
        assert report.problem is not None, text  # type: ignore[attr-defined]
        assert (report.problem.kind, report.problem.seq) == (Break.CHANGED, seq)  # type: ignore[attr-defined]


def test_an_older_log_is_rewritten_as_utf8_and_still_verifies(db_path: Path) -> None:
    store = open_store(db_path)
    scene = build_scene(store)
    scene.screen("张三")
    with store.session() as session:
        passage = session.get(VehiclePassage, scene.passage.id)
        assert passage is not None
        amend(
            session=session,
            record=passage,
            field="plate",
            new_value="鄂K54321",
            reason="看错",
            by="王芳",
        )
    store.close()
    # What an older release wrote: \u escapes, at schema 0007.
    with sqlite3.connect(db_path) as db:
        for table, column in JSON_COLUMNS:
            for row_id, text in db.execute(f"SELECT id, {column} FROM {table}").fetchall():
                db.execute(
                    f"UPDATE {table} SET {column} = ? WHERE id = ?",
                    (json.dumps(json.loads(text)), row_id),
                )
        db.execute("UPDATE alembic_version SET version_num = '0007'")
        db.execute("DROP TABLE lane")  # made by 0010, after 0007
        db.execute("DROP TABLE held_back")  # made by 0011
        for column in ("clock_skew_s", "hub_time_at"):  # added by 0012
            db.execute(f"ALTER TABLE sync_state DROP COLUMN {column}")
        assert db.execute(
            "SELECT count(*) FROM shift WHERE operators LIKE '%王芳%'"
        ).fetchone() == (0,)
    reopened = open_store(db_path)
    try:
        assert reopened.backup_path is not None  # backed up before the rewrite
        with sqlite3.connect(db_path) as db:
            assert db.execute("SELECT operators FROM shift").fetchone() == ('["王芳"]',)
            assert db.execute("SELECT new_value FROM amendment").fetchone() == ('"鄂K54321"',)
            assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (
                migrate.head_revision(),
            )
        with reopened.reading() as session:
            assert walk(session).ok
    finally:
        reopened.close()
