"""The hash chain names the first row that was changed, removed or inserted."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from checkpoint.store.chain import column_names, personal_digest, row_hash
from checkpoint.store.engine import open_store
from checkpoint.store.models import Person, Reading
from checkpoint.store.verify import Break, ChainReport, walk
from tests.store.conftest import Scene


def _verify(path: Path) -> ChainReport:
    with open_store(path, exclusive=False, create=False) as store, store.reading() as session:
        return walk(session)


@contextlib.contextmanager
def _raw(path: Path) -> Iterator[sqlite3.Connection]:
    """The file opened behind the program's back, as someone tampering would."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA foreign_keys = OFF")
    try:
        yield connection
        connection.commit()
    finally:
        connection.close()


def _screened(scene: Scene, count: int = 5) -> list[tuple[int, int]]:
    """Screen `count` people; return (person seq, reading seq) pairs."""
    seqs = []
    for i in range(count):
        person, reading = scene.screen(f"乘客{i}", 36.0 + i / 10)
        with scene.store.reading() as session:
            p = session.get(Person, person.id)
            r = session.get(Reading, reading.id)
            assert p is not None and r is not None and p.seq and r.seq
            seqs.append((p.seq, r.seq))
    scene.store.close()
    return seqs


def test_an_untouched_log_verifies(scene: Scene) -> None:
    _screened(scene)
    report = _verify(scene.store.path)
    assert report.ok
    assert report.rows == report.head_seq == 3 + 10


def test_an_edited_value_is_named(scene: Scene) -> None:
    seqs = _screened(scene)
    with _raw(scene.store.path) as db:
        db.execute("UPDATE reading SET value = 36.1, value_c = 36.1 WHERE seq = ?", (seqs[2][1],))
    report = _verify(scene.store.path)
    assert report.problem is not None
    assert report.problem.kind is Break.CHANGED
    assert report.problem.seq == seqs[2][1]
    assert report.problem.table == "reading"
    assert "changed" in report.problem.describe("en")
    assert "修改" in report.problem.describe("zh-CN")


def test_an_edited_personal_field_is_named(scene: Scene) -> None:
    seqs = _screened(scene)
    with _raw(scene.store.path) as db:
        db.execute("UPDATE person SET phone = '+8613900000000' WHERE seq = ?", (seqs[1][0],))
    report = _verify(scene.store.path)
    assert report.problem is not None
    assert report.problem.kind is Break.CHANGED
    assert report.problem.seq == seqs[1][0]
    assert report.problem.code == "verify.changed_personal"


def test_a_deleted_row_is_named(scene: Scene) -> None:
    seqs = _screened(scene)
    with _raw(scene.store.path) as db:
        db.execute("DELETE FROM reading WHERE seq = ?", (seqs[1][1],))
    report = _verify(scene.store.path)
    assert report.problem is not None
    assert report.problem.kind is Break.REMOVED
    assert report.problem.seq == seqs[1][1]


def test_rows_deleted_from_the_end_are_noticed(scene: Scene) -> None:
    seqs = _screened(scene)
    with _raw(scene.store.path) as db:
        db.execute("DELETE FROM reading WHERE seq = ?", (seqs[-1][1],))
    report = _verify(scene.store.path)
    assert report.problem is not None
    assert report.problem.kind is Break.REMOVED
    assert report.problem.seq == seqs[-1][1]


def _forge(db: sqlite3.Connection, seq: int, prev_hash: str) -> None:
    """Insert a reading that is internally consistent, hashed with the program's own rules."""
    names = column_names(Reading)
    template = dict(
        zip(names, db.execute(f"SELECT {', '.join(names)} FROM reading").fetchone(), strict=True)
    )
    template.update(
        id="0" * 31 + "1",
        seq=seq,
        prev_hash=prev_hash,
        value=39.5,
        created_at=datetime.now(UTC).isoformat(timespec="microseconds"),
    )
    row = [template[n] for n in names]
    template["hash"] = row_hash(Reading, row, None)
    row = [template[n] for n in names]
    db.execute(
        f"INSERT INTO reading ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", row
    )


def test_a_forged_row_with_a_used_number_is_named(scene: Scene) -> None:
    seqs = _screened(scene)
    target = seqs[2][0]
    with _raw(scene.store.path) as db:
        db.execute("DROP INDEX IF EXISTS ix_reading_seq")
        # The unique constraint on seq is per table: reuse a person's number in `reading`.
        prev = db.execute("SELECT prev_hash FROM person WHERE seq = ?", (target,)).fetchone()[0]
        _forge(db, target, prev)
    report = _verify(scene.store.path)
    assert report.problem is not None
    assert report.problem.kind is Break.INSERTED
    assert report.problem.seq == target


def test_a_forged_row_after_the_end_is_named(scene: Scene) -> None:
    _screened(scene)
    with _raw(scene.store.path) as db:
        head_seq, head_hash = db.execute("SELECT seq, hash FROM chain_head").fetchone()
        _forge(db, head_seq + 1, head_hash)
    report = _verify(scene.store.path)
    assert report.problem is not None
    assert report.problem.kind is Break.INSERTED
    assert report.problem.seq == report.head_seq + 1


def test_a_replaced_row_breaks_the_link_of_the_next(scene: Scene) -> None:
    seqs = _screened(scene)
    target = seqs[2][1]
    with _raw(scene.store.path) as db:
        # Rewrite a reading and recompute its own hash: its successor no longer links to it.
        names = column_names(Reading)
        row = dict(
            zip(
                names,
                db.execute(
                    f"SELECT {', '.join(names)} FROM reading WHERE seq = ?", (target,)
                ).fetchone(),
                strict=True,
            )
        )
        row["value"] = row["value_c"] = 39.9
        row["hash"] = row_hash(Reading, [row[n] for n in names], None)
        db.execute(
            "UPDATE reading SET value = ?, value_c = ?, hash = ? WHERE seq = ?",
            (39.9, 39.9, row["hash"], target),
        )
    report = _verify(scene.store.path)
    assert report.problem is not None
    assert report.problem.kind is Break.INSERTED
    assert report.problem.seq == target + 1


def test_a_purged_person_still_verifies(scene: Scene) -> None:
    seqs = _screened(scene)
    with _raw(scene.store.path) as db:
        db.execute(
            "UPDATE person SET name = NULL, document_number = NULL, phone = NULL, "
            "purged_at = ? WHERE seq = ?",
            (datetime.now(UTC).isoformat(), seqs[0][0]),
        )
    assert _verify(scene.store.path).ok


def test_personal_digest_covers_only_personal_fields(scene: Scene) -> None:
    _screened(scene, 1)
    with _raw(scene.store.path) as db:
        names = column_names(Person)
        row = list(db.execute(f"SELECT {', '.join(names)} FROM person").fetchone())
    before = personal_digest(Person, row)
    row[names.index("origin")] = "elsewhere"
    assert personal_digest(Person, row) == before
    row[names.index("name")] = "someone else"
    assert personal_digest(Person, row) != before
