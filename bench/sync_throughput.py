"""Sync throughput: a checkpoint's log pushed to a hub on 127.0.0.1, against the hub's own bulk
insert of the same rows, in the same run.

The log holds N records (screenings: a person and a reading each). The hub runs in its own
process (`checkpoint hub serve`), as it would in the field; the client syncs everything from
an acknowledged mark of 0, in batches of --batch, gzip-compressed, two at the hub at once (as
`checkpoint sync` sends them). The baseline inserts the same rows (the hub's rows, as stored)
into a fresh hub database with one executemany per batch: what the database alone costs.
Target: ratio >= 0.3 and >= 20,000 records/s with SQLite at the hub; the PostgreSQL figures
are printed too when a server answers at 127.0.0.1:5432.

    python bench/sync_throughput.py [--records N] [--batch B] [--no-postgres]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.store.engine import open_store
from checkpoint.sync.client import HubClient, sync
from tests.store.conftest import build_scene
from tests.sync.conftest import CHECKPOINT, fill, free_port, start_hub_process

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def bulk_insert(url: str, rows: list[dict[str, object]], batch: int) -> float:
    """Seconds for the hub's database to take `rows` by executemany, one transaction a batch."""
    engine = db.make_engine(url)
    try:
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            with engine.begin() as connection:
                connection.execute(db.records.insert(), rows[start : start + batch])
        return time.perf_counter() - started
    finally:
        engine.dispose()


def run(label: str, url: str, baseline_url: str, log: Path, batch: int, work: Path) -> None:
    engine = db.make_engine(url)
    token = db.enroll(engine, CHECKPOINT)
    port = free_port()
    hub = start_hub_process(url, port, work / f"hub-{label}.log")
    try:
        with open_store(log) as store, HubClient(f"http://127.0.0.1:{port}", token) as client:
            started = time.perf_counter()
            summary = sync(store, client, checkpoint_id=CHECKPOINT, batch_size=batch)
            elapsed = time.perf_counter() - started
    finally:
        hub.terminate()
        hub.wait()
    assert summary.mark == summary.head and not summary.rejected
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(sa.select(db.records))]
    engine.dispose()
    base = bulk_insert(baseline_url, rows, batch)
    sync_rate, base_rate = len(rows) / elapsed, len(rows) / base
    print(
        f"{label:<10} sync {len(rows):>9,} records in {elapsed:6.1f} s = {sync_rate:>9,.0f}/s; "
        f"hub bulk insert {base:6.1f} s = {base_rate:>9,.0f}/s; ratio {sync_rate / base_rate:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        log = work / "cp" / "checkpoint.db"
        started = time.perf_counter()
        scene = build_scene(open_store(log))
        fill(scene, (options.records - 3) // 2, per_unit=1000)
        scene.store.close()
        print(f"log of {options.records:,} records built in {time.perf_counter() - started:.0f} s")
        run(
            "sqlite",
            f"sqlite:///{work / 'hub.db'}",
            f"sqlite:///{work / 'base.db'}",
            log,
            options.batch,
            work,
        )
        if options.no_postgres:
            return
        admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        names = [f"bench_hub_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        try:
            with admin.connect() as connection:
                for name in names:
                    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        except sa.exc.OperationalError as error:
            print(f"postgresql: skipped ({error.orig})")
            return
        try:
            base = PG_SERVER.rsplit("/", 1)[0]
            run("postgresql", f"{base}/{names[0]}", f"{base}/{names[1]}", log, options.batch, work)
        finally:
            with admin.connect() as connection:
                for name in names:
                    connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.dispose()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
