"""Durable logging rate: the app's path against raw sqlite3 with the same pragmas and rows.

Each screening (a person and their reading) is committed on its own, as the app does when a
volunteer presses Enter: WAL, synchronous=FULL, foreign keys on. The baseline inserts the very
same rows (the app's rows read back, hashes included) with the stdlib `sqlite3` module, one
transaction per screening. Target: ratio >= 0.5 and >= 500 durable screenings/s.

    python bench/store_write.py [--count N]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

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
    Unit,
    VehicleType,
)
from checkpoint.store import records
from checkpoint.store.engine import open_store
from checkpoint.store.models import (
    CheckpointSiteFields,
    PersonFields,
    ReadingFields,
    ShiftFields,
    VehiclePassageFields,
)

TARGET_RATIO = 0.5
TARGET_RATE = 500.0


def app_run(path: Path, count: int) -> float:
    """Screenings per second through the app's store, one unit of work each."""
    store = open_store(path)
    now = datetime.now(UTC)
    with store.session() as session:
        site = CheckpointSiteFields(
            code="BENCH",
            name="bench",
            kind=CheckpointKind.ROAD,
            direction_mode=DirectionMode.TWO_WAY,
            timezone="Asia/Shanghai",
            active_from=now,
        )
        shift = ShiftFields(checkpoint_id=site.id, opened_at=now, leader="leader", operators=["op"])
        passage = VehiclePassageFields(
            shift_id=shift.id,
            passed_at=now,
            vehicle_type=VehicleType.BUS,
            plate="鄂A12345",
            direction=Direction.IN,
            occupants=count,
            operator="op",
        )
        records.register_checkpoint(session=session, site=site)
        records.open_shift(session=session, shift=shift)
        records.record_passage(session=session, passage=passage)
    started = time.perf_counter()
    for i in range(count):
        person = PersonFields(
            passage_id=passage.id,
            role=PersonRole.PASSENGER,
            name=f"乘客{i}",
            document_kind=DocumentKind.RESIDENT_ID,
            document_number="11010519491231002X",
            phone="+8613812345678",
            origin="湖北省武汉市",
            operator="op",
        )
        reading = ReadingFields(
            person_id=person.id,
            shift_id=shift.id,
            taken_at=datetime.now(UTC),
            purpose=ReadingPurpose.SCREENING,
            value=36.5 + (i % 10) / 10,
            unit=Unit.CELSIUS,
            value_c=36.5 + (i % 10) / 10,
            site=Site.BODY,
            instrument=Instrument.SERIAL_INFRARED,
            raw="aa5506240730",
            plausibility=Plausibility.OK,
            threshold_c=37.3,
            rounded_c=36.5 + (i % 10) / 10,
            flagged=i % 10 >= 8,
            operator="op",
        )
        with store.session() as session:
            records.record_screening(session=session, person=person, reading=reading)
    elapsed = time.perf_counter() - started
    store.close()
    return count / elapsed


def raw_run(source: Path, target: Path, count: int) -> float:
    """Screenings per second inserting the same person and reading rows with raw sqlite3.

    The baseline database gets the app's exact schema (tables and indexes) and its parent rows
    (checkpoint, shift, passage) before the clock starts, so foreign keys hold as in the app.
    """
    src = sqlite3.connect(source)
    schema = [
        sql
        for (sql,) in src.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type DESC, rowid"
        )
    ]
    parents = {
        table: src.execute(f"SELECT * FROM {table} ORDER BY seq").fetchall()
        for table in ("checkpoint", "shift", "vehicle_passage")
    }
    people = src.execute("SELECT * FROM person ORDER BY seq").fetchall()
    readings = src.execute("SELECT * FROM reading ORDER BY seq").fetchall()
    src.close()
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    for sql in schema:
        db.execute(sql)
    for table, rows in parents.items():
        db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)
    person_sql = f"INSERT INTO person VALUES ({','.join('?' * len(people[0]))})"
    reading_sql = f"INSERT INTO reading VALUES ({','.join('?' * len(readings[0]))})"
    started = time.perf_counter()
    for person, reading in zip(people[:count], readings[:count], strict=True):
        db.execute("BEGIN IMMEDIATE")
        db.execute(person_sql, person)
        db.execute(reading_sql, reading)
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="screenings per run")
    parser.add_argument("--rounds", type=int, default=3, help="app/baseline pairs, interleaved")
    args = parser.parse_args()
    app_rates: list[float] = []
    raw_rates: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for round_no in range(args.rounds):
            # Interleaved rounds on fresh files: the disk's fsync time drifts over a run.
            app_db = Path(folder) / f"app{round_no}.db"
            app_rates.append(app_run(app_db, args.count))
            raw_rates.append(raw_run(app_db, Path(folder) / f"raw{round_no}.db", args.count))
            print(
                f"round {round_no + 1}: app {app_rates[-1]:7.0f}/s   "
                f"raw sqlite3 {raw_rates[-1]:7.0f}/s   ratio {app_rates[-1] / raw_rates[-1]:.2f}"
            )
    app_rate, raw_rate = statistics.median(app_rates), statistics.median(raw_rates)
    ratio = app_rate / raw_rate
    print(f"screenings per round:      {args.count} (person + reading, one commit each)")
    print(f"checkpoint store (app):    {app_rate:8.0f} durable screenings/s (median)")
    print(f"raw sqlite3 (baseline):    {raw_rate:8.0f} durable screenings/s (median)")
    print(
        f"ratio app/baseline:        {ratio:8.2f}  target >= {TARGET_RATIO}: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}"
    )
    print(
        f"absolute rate:             {app_rate:8.0f}  target >= {TARGET_RATE:.0f}/s: "
        f"{'met' if app_rate >= TARGET_RATE else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
