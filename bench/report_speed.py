"""Daily report speed: `day_report` over a million screenings against hand-written SQL.

The log is built by the app's migrations (same schema and indexes as a real log), then filled
with `sqlite3.executemany`: a million screenings over 100 report days (10,000 a day, a busy
expressway exit), a third as many vehicles, 1 % from risk areas, 0.5 % at or over the threshold
with their follow-up, disinfections and turn-backs. The hash chain is not computed (each row
gets a placeholder hash): reports never read it except the head, and building a million links
through the app would take minutes without changing what is measured.

The baseline is the same figures of the same report day written by hand as plain sqlite3
aggregates over the same file, in the same run; rounds alternate app and baseline and the
medians are compared. Both must give the same numbers. The timed log has no amendments (the
baseline does not apply them); a second measure adds 200 amendments and times the app alone,
to show the corrections cost nothing per unamended row. Target: ratio <= 1.5 and < 2 s.

    python bench/report_speed.py [--screenings N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from checkpoint.config import CheckpointSection, ReportsSection, Settings
from checkpoint.reports.build import day_report
from checkpoint.reports.model import Figures, Report
from checkpoint.reports.period import day_period, stored_time
from checkpoint.store.engine import Store, open_store

TARGET_RATIO = 1.5
TARGET_SECONDS = 2.0
DAYS = 100
FIRST_DAY = date(2026, 8, 1)
SETTINGS = Settings(
    checkpoint=CheckpointSection(id="BENCH", name="bench", timezone="Asia/Shanghai"),
    reports=ReportsSection(day_cutoff_hour=12),
)
REPORT_DAY = FIRST_DAY + timedelta(days=DAYS // 2)


def _hex() -> str:
    return uuid.uuid4().hex


class _Seq:
    def __init__(self) -> None:
        self.value = 0

    def __next__(self) -> int:
        self.value += 1
        return self.value


def _t(moment: datetime) -> str:
    return stored_time(moment)


def build(path: Path, screenings: int) -> dict[str, int]:
    """A log of `screenings` people at one checkpoint; returns row counts by table."""
    open_store(path).close()  # the app's schema, through its migrations
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    seq = _Seq()
    start = datetime(2026, 8, 1, 4, tzinfo=UTC)
    span = timedelta(days=DAYS)
    site, shift = _hex(), _hex()
    chain = ("0" * 64, "0" * 64)
    stamp = _t(start)
    db.execute(
        "INSERT INTO checkpoint (id, seq, created_at, prev_hash, hash, code, name, kind, "
        "direction_mode, township, county, timezone, active_from) "
        "VALUES (?,?,?,?,?,'BENCH','bench','road','two-way','','','Asia/Shanghai',?)",
        (site, next(seq), stamp, *chain, stamp),
    )
    db.execute(
        "INSERT INTO shift (id, seq, created_at, prev_hash, hash, checkpoint_id, opened_at, "
        "leader, operators) VALUES (?,?,?,?,?,?,?,'leader','[\"op\"]')",
        (shift, next(seq), stamp, *chain, site, stamp),
    )
    passages: list[tuple[Any, ...]] = []
    people: list[tuple[Any, ...]] = []
    readings: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    extra: dict[str, list[tuple[Any, ...]]] = {"disinfection": [], "turn_back": []}
    kinds = ("car", "bus", "truck", "van", "on-foot")
    dispositions = (
        "referred-fever-clinic",
        "released",
        "home-health-monitoring",
        "held-for-observation",
    )
    passage = ""
    for i in range(screenings):
        at = start + span * i / screenings
        text = _t(at)
        if i % 3 == 0:
            passage = _hex()
            passages.append(
                (
                    passage,
                    next(seq),
                    text,
                    *chain,
                    shift,
                    text,
                    kinds[i % 5],
                    "in" if i % 7 else "out",
                    int(i % 11 == 0),
                    "op",
                )
            )
            if i % 9 == 0:
                extra["disinfection"].append(
                    (_hex(), next(seq), text, *chain, passage, text, "op", "")
                )
            if i % 301 == 0:
                extra["turn_back"].append(
                    (_hex(), next(seq), text, *chain, passage, text, "op", "x")
                )
        person = _hex()
        people.append(
            (
                person,
                next(seq),
                text,
                *chain,
                passage,
                "passenger",
                "resident-id",
                "湖北省武汉市",
                int(i % 100 == 0),
                "op",
            )
        )
        fever = i % 200 == 0
        value = 37.6 if fever else 36.0 + (i % 12) / 10
        reading = _hex()
        readings.append(
            (
                reading,
                next(seq),
                text,
                *chain,
                person,
                shift,
                text,
                "screening",
                value,
                value,
                value,
                int(fever),
            )
        )
        if fever:
            events.append(
                (_hex(), next(seq), text, *chain, person, "opened", text, "op", reading, None)
            )
            later = _t(at + timedelta(minutes=15))
            again = _hex()
            readings.append(
                (
                    again,
                    next(seq),
                    later,
                    *chain,
                    person,
                    shift,
                    later,
                    "remeasure",
                    37.4,
                    37.4,
                    37.4,
                    1,
                )
            )
            events.append(
                (_hex(), next(seq), later, *chain, person, "remeasured", later, "op", again, None)
            )
            decided = _t(at + timedelta(minutes=30))
            events.append(
                (
                    _hex(),
                    next(seq),
                    decided,
                    *chain,
                    person,
                    "decided",
                    decided,
                    "op",
                    None,
                    dispositions[i % 4],
                )
            )
    db.executemany(
        "INSERT INTO vehicle_passage (id, seq, created_at, prev_hash, hash, shift_id, passed_at, "
        "vehicle_type, direction, non_local, operator, origin, destination, occupants) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,'','',1)",
        passages,
    )
    db.executemany(
        "INSERT INTO person (id, seq, created_at, prev_hash, hash, passage_id, role, "
        "document_kind, origin, risk_area_travel, operator, symptoms, risk_area_matches, "
        "contact_history) VALUES (?,?,?,?,?,?,?,?,?,?,?,'[]','[]',0)",
        people,
    )
    db.executemany(
        "INSERT INTO reading (id, seq, created_at, prev_hash, hash, person_id, shift_id, "
        "taken_at, purpose, value, value_c, rounded_c, flagged, unit, site, instrument, raw, "
        "plausibility, threshold_c, operator) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'C','body','serial-infrared','','ok',37.3,'op')",
        readings,
    )
    db.executemany(
        "INSERT INTO case_event (id, seq, created_at, prev_hash, hash, person_id, kind, at, by, "
        "reading_id, disposition, symptoms, risk_area_travel, contact_history, note) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,'[]',0,0,'')",
        events,
    )
    db.executemany(
        "INSERT INTO disinfection (id, seq, created_at, prev_hash, hash, passage_id, at, by, note) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        extra["disinfection"],
    )
    db.executemany(
        "INSERT INTO turn_back (id, seq, created_at, prev_hash, hash, passage_id, at, by, reason) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        extra["turn_back"],
    )
    db.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq.value, "f" * 64))
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {
        "vehicle_passage": len(passages),
        "person": len(people),
        "reading": len(readings),
        "case_event": len(events),
    }


def add_amendments(path: Path, count: int) -> None:
    """`count` corrections of passages (time, direction, non-local), as the amend screen makes."""
    db = sqlite3.connect(path)
    head = db.execute("SELECT seq FROM chain_head").fetchone()[0]
    targets = db.execute(
        "SELECT id, passed_at FROM vehicle_passage ORDER BY random() LIMIT ?", (count,)
    ).fetchall()
    rows = []
    for n, (target, passed_at) in enumerate(targets):
        field, value = (("passed_at", passed_at), ("direction", "in"), ("non_local", True))[n % 3]
        rows.append(
            (
                _hex(),
                head + n + 1,
                passed_at,
                "0" * 64,
                "0" * 64,
                "vehicle_passage",
                target,
                field,
                json.dumps(value),
                "bench",
                "bench",
                passed_at,
            )
        )
    db.executemany(
        "INSERT INTO amendment (id, seq, created_at, prev_hash, hash, target_table, target_id, "
        "field, new_value, reason, amended_by, amended_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    db.execute("UPDATE chain_head SET seq = ? WHERE id = 1", (head + len(rows),))
    db.commit()
    db.close()


def app_report(store: Store) -> Report:
    return day_report(store, SETTINGS, REPORT_DAY, now=datetime.now(UTC))


BASELINE_SQL = {
    "screenings": """
        SELECT
          total(taken_at >= :start), total(taken_at >= :start AND flagged),
          count(*), total(flagged)
        FROM reading WHERE purpose = 'screening' AND taken_at < :end""",
    "staff": """
        SELECT total(taken_at >= :start), total(taken_at >= :start AND flagged),
               count(*), total(flagged)
        FROM reading WHERE purpose = 'staff-self-check' AND taken_at < :end""",
    "passages": """
        SELECT
          total(passed_at >= :start AND vehicle_type != 'on-foot'),
          total(passed_at >= :start AND direction = 'in'),
          total(passed_at >= :start AND direction = 'out'),
          total(passed_at >= :start AND non_local = 1),
          total(vehicle_type != 'on-foot'), total(direction = 'in'), total(direction = 'out'),
          total(non_local = 1)
        FROM vehicle_passage WHERE passed_at < :end""",
    "turn_back": "SELECT total(at >= :start), count(*) FROM turn_back WHERE at < :end",
    "disinfection": "SELECT total(at >= :start), count(*) FROM disinfection WHERE at < :end",
    "risk": """
        SELECT total(r.taken_at >= :start), count(*)
        FROM person p CROSS JOIN reading r ON r.person_id = p.id
        WHERE p.risk_area_travel = 1 AND +r.purpose = 'screening' AND +r.taken_at < :end""",
    "remeasured": """
        SELECT count(DISTINCT CASE WHEN taken_at >= :start THEN person_id END),
               count(DISTINCT person_id)
        FROM reading WHERE purpose = 'remeasure' AND taken_at < :end""",
    "axillary": """
        SELECT count(DISTINCT CASE WHEN taken_at >= :start THEN person_id END),
               count(DISTINCT person_id)
        FROM reading WHERE purpose = 'axillary' AND flagged AND taken_at < :end""",
    "decided": """
        SELECT disposition, total(at >= :start), count(*) FROM case_event
        WHERE kind = 'decided' AND at < :end GROUP BY disposition""",
    "hours": """
        SELECT substr(taken_at, 1, 13), count(*), total(flagged) FROM reading
        WHERE purpose = 'screening' AND taken_at >= :start AND taken_at < :end GROUP BY 1""",
    "temperatures": """
        SELECT rounded_c, count(*) FROM reading
        WHERE purpose = 'screening' AND taken_at >= :start AND taken_at < :end
        GROUP BY rounded_c""",
}


def baseline(db: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    start, end = day_period(REPORT_DAY, zone=SETTINGS.checkpoint.zone, cutoff_hour=12)
    params = {"start": stored_time(start), "end": stored_time(end)}
    # One snapshot for all the figures, as the app reads them.
    db.execute("BEGIN")
    try:
        return {name: db.execute(sql, params).fetchall() for name, sql in BASELINE_SQL.items()}
    finally:
        db.execute("COMMIT")


def _figures(answers: dict[str, list[tuple[Any, ...]]]) -> tuple[Figures, Figures]:
    def pick(name: str, *positions: int) -> list[int]:
        return [int(answers[name][0][p]) for p in positions]

    decided = {d: (int(n), int(c)) for d, n, c in answers["decided"]}

    def disposition(new: bool, *names: str) -> int:
        return sum(decided.get(name, (0, 0))[0 if new else 1] for name in names)

    result = []
    for new in (True, False):
        o = 0 if new else 1
        vehicles = answers["passages"][0][0 if new else 4 : 4 if new else 8]
        result.append(
            Figures(
                people=pick("screenings", 0 if new else 2)[0],
                at_or_over=pick("screenings", 1 if new else 3)[0],
                vehicles=int(vehicles[0]),
                inbound=int(vehicles[1]),
                outbound=int(vehicles[2]),
                non_local=int(vehicles[3]),
                from_risk_areas=pick("risk", o)[0],
                remeasured=pick("remeasured", o)[0],
                axillary_confirmed=pick("axillary", o)[0],
                referred=disposition(new, "referred-fever-clinic"),
                held=disposition(new, "held-for-observation"),
                home_isolation=disposition(new, "home-isolation", "home-health-monitoring"),
                central_isolation=disposition(new, "central-isolation"),
                turned_back=pick("turn_back", o)[0],
                disinfections=pick("disinfection", o)[0],
                staff_checks=pick("staff", 0 if new else 2)[0],
                staff_flagged=pick("staff", 1 if new else 3)[0],
            )
        )
    return result[0], result[1]


def _timed(function: Any, *args: Any) -> Iterator[Any]:
    started = time.perf_counter()
    value = function(*args)
    yield time.perf_counter() - started
    yield value


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--screenings", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="app/baseline pairs, interleaved")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.db"
        began = time.perf_counter()
        counts = build(path, args.screenings)
        print(f"built in {time.perf_counter() - began:.1f} s: {counts}")
        app_times: list[float] = []
        raw_times: list[float] = []
        report: Report | None = None
        answers: dict[str, list[tuple[Any, ...]]] = {}
        # Both connections are opened before timing: opening the store (migration check) is
        # the program's start-up, not the report.
        store = open_store(path, exclusive=False, create=False)
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        for round_no in range(args.rounds):
            app_time, report = _timed(app_report, store)
            raw_time, answers = _timed(baseline, db)
            app_times.append(app_time)
            raw_times.append(raw_time)
            print(
                f"round {round_no + 1}: app {app_time * 1000:7.1f} ms   "
                f"sqlite3 {raw_time * 1000:7.1f} ms   ratio {app_time / raw_time:.2f}"
            )
        assert report is not None
        new, cumulative = _figures(answers)
        same = (report.new, report.cumulative) == (new, cumulative)
        hours = sum(h.people for h in report.by_hour) == sum(int(r[1]) for r in answers["hours"])
        temperatures = dict(report.temperatures) == {
            float(v): int(n) for v, n in answers["temperatures"]
        }
        db.close()
        add_amendments(path, 200)
        amended_times = [next(_timed(app_report, store)) for _ in range(args.rounds)]
        store.close()
    app_s, raw_s = statistics.median(app_times), statistics.median(raw_times)
    ratio = app_s / raw_s
    print(f"report day:                {REPORT_DAY} (cut-off 12:00, {report.new.people} people)")
    print(f"day_report (app):          {app_s * 1000:8.1f} ms (median of {args.rounds})")
    print(f"hand-written sqlite3:      {raw_s * 1000:8.1f} ms (median of {args.rounds})")
    print(f"with 200 amendments (app): {statistics.median(amended_times) * 1000:8.1f} ms")
    print(f"same figures:              {same and hours and temperatures}")
    print(
        f"ratio app/baseline:        {ratio:8.2f}  target <= {TARGET_RATIO}: "
        f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}"
    )
    print(
        f"absolute:                  {app_s:8.2f} s  target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if app_s < TARGET_SECONDS else 'NOT met'}"
    )
    if not (same and hours and temperatures):
        print(f"app new:        {report.new}\nbaseline new:   {new}")
        print(f"app cumulative: {report.cumulative}\nbaseline cum.:  {cumulative}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
