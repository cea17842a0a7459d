"""Tampering of any kind, values of any type: `walk` names the first changed record and never
raises (a BLOB in a text column, a seq that is not a number, JSON that does not parse)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checkpoint.store.chain import column_names
from checkpoint.store.models import LOG_TABLES
from checkpoint.store.verify import Break
from tests.store.conftest import Scene
from tests.store.test_chain import _raw, _screened, _verify


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A log with a site, a shift, a passage and three screenings, made once."""
    from checkpoint.store.engine import open_store
    from tests.store.conftest import build_scene

    path = tmp_path_factory.mktemp("template") / "checkpoint.db"
    scene = build_scene(open_store(path))
    _screened(scene, 3)
    yield path


def _copy(template: Path, folder: Path) -> Path:
    target = folder / "checkpoint.db"
    shutil.copy(template, target)
    return target


def _rows(path: Path) -> list[tuple[str, int]]:
    with _raw(path) as db:
        return sorted(
            (
                (str(t.__tablename__), int(seq))
                for t in LOG_TABLES
                for (seq,) in db.execute(f"SELECT seq FROM {t.__tablename__}")
            ),
            key=lambda item: item[1],
        )


VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.binary(max_size=20),
    st.sampled_from(["{broken", "[1,", "null", "3", "2.5", "", "00000000000000000000000000000000"]),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), value=VALUES)
def test_any_tampering_names_the_first_changed_record(
    template: Path, tmp_path: Path, data: st.DataObject, value: Any
) -> None:
    path = _copy(template, tmp_path)
    table, seq = data.draw(st.sampled_from(_rows(path)), label="row")
    record_type = next(t for t in LOG_TABLES if t.__tablename__ == table)
    # purged_at is left out of the hash on purpose (purging personal data is allowed).
    column = data.draw(
        st.sampled_from([n for n in column_names(record_type) if n != "purged_at"]),
        label="column",
    )
    with _raw(path) as db:
        rowid, before = db.execute(
            f"SELECT rowid, {column} FROM {table} WHERE seq = ?", (seq,)
        ).fetchone()
        try:
            db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (value, rowid))
        except sqlite3.IntegrityError:
            assume(False)  # SQLite itself refused it: nothing was tampered
        (after,) = db.execute(f"SELECT {column} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
    assume(type(after) is not type(before) or after != before)

    report = _verify(path)  # must not raise, whatever was stored

    assert report.problem is not None, (table, column, value)
    if column != "seq":
        assert report.problem.seq == seq
        assert report.problem.kind is Break.CHANGED
        assert report.problem.table == table
    assert report.problem.describe("en") and report.problem.describe("zh-CN")


def test_a_blob_in_a_text_column_is_named(scene: Scene) -> None:
    seqs = _screened(scene)
    with _raw(scene.store.path) as db:
        db.execute("UPDATE person SET name = ? WHERE seq = ?", (b"\xff\x00", seqs[1][0]))
    problem = _verify(scene.store.path).problem
    assert problem is not None and problem.seq == seqs[1][0]
    assert "its name holds bytes" in problem.describe("en")


def test_a_seq_that_is_not_a_number_is_named(scene: Scene) -> None:
    seqs = _screened(scene)
    with _raw(scene.store.path) as db:
        db.execute("UPDATE reading SET seq = 'abc' WHERE seq = ?", (seqs[2][1],))
    problem = _verify(scene.store.path).problem
    assert problem is not None
    assert problem.kind in (Break.REMOVED, Break.CHANGED) and problem.seq == seqs[2][1]


def test_broken_json_is_named(scene: Scene) -> None:
    _screened(scene)
    with _raw(scene.store.path) as db:
        db.execute("UPDATE shift SET operators = '[\"王芳\"' WHERE seq = 2")
    problem = _verify(scene.store.path).problem
    assert problem is not None and (problem.seq, problem.table) == (2, "shift")
    assert "broken JSON" in problem.describe("en")


def test_a_chain_head_of_another_type_is_named(scene: Scene) -> None:
    _screened(scene)
    with _raw(scene.store.path) as db:
        db.execute("UPDATE chain_head SET seq = x'00'")
    report = _verify(scene.store.path)
    assert report.problem is not None
    assert "end of the chain was changed" in report.problem.describe("en")
