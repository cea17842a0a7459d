"""The report's big aggregates are answered from indexes, on a log without ANALYZE statistics
(as every real log is): a million screenings must not be read row by row from the table."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from checkpoint.reports.figures import _COUNTED_TABLES, _counted_query, _reading_queries
from checkpoint.reports.follow_ups import MEASURED_SQL, RISK_AREAS_SQL
from checkpoint.store.engine import open_store


def _plan(db: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> str:
    return " | ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_report_queries_use_the_report_indexes(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    cumulative, period = _reading_queries(13)
    assert "COVERING INDEX ix_reading_report" in _plan(db, cumulative, ("e",))
    assert "COVERING INDEX ix_reading_report" in _plan(db, period, ("s", "e"))
    passages = _counted_query(_COUNTED_TABLES[0])
    assert "COVERING INDEX ix_vehicle_passage_report" in _plan(db, passages, ("s", "e"))
    risk = _plan(db, RISK_AREAS_SQL, ("s", "e", "[]"))
    assert risk.startswith("SCAN p USING INDEX ix_person_risk_area_travel"), risk
    assert "SEARCH r USING INDEX ix_reading_person_id (person_id=?)" in risk, risk
    measured = _plan(db, MEASURED_SQL, ("s", "remeasure", "e", 0, "[]"))
    assert "INDEX ix_reading_report" in measured, measured
    db.close()
