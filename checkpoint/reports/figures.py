"""The tally of a period, computed in SQL over the log as written and corrected by its few
amendments, so that a report over a million screenings costs a few index scans.

Every figure is in the amended view (domain.md, "Reports"; `store/amendments.py`). Amended
rows are rare, so the aggregates run over the rows as written, then each amended row's
contribution as written is taken off and its contribution as amended is added: an amended
`passed_at`, `direction` or `non_local` moves the record from one count to another and it is
counted once, with its amended values, and the rest of the log pays nothing for it.

What is counted, and by which time (records belong to the period their time falls in):

- people, at_or_over, by hour, temperatures: screening readings, by `taken_at` (one per person);
- staff_checks, staff_flagged: staff self-check readings, by `taken_at`;
- passages = vehicles + on_foot (groups) = inbound + outbound, and non_local: passages, by
  `passed_at`;
- turned_back, disinfections: their rows, by `at`;
- from_risk_areas: screening readings of people marked with risk-area travel;
- remeasured, axillary_confirmed: people with a re-measurement (an axillary reading at or over
  the threshold) taken in the period; dispositions: decisions made in the period;
- suspected: people whose case opened in the period (any reason: fever, symptoms, history).

Cumulative figures count everything before the end of the period (the log belongs to one
checkpoint, so that is "since the checkpoint opened").

A shift's figures (`shift_id`) count the readings, passages, turn-backs and disinfections of
that shift, whatever time they carry: a clock that jumped back within the shift never drops a
person from the shift that screened them (`build.shift_report` stretches the period over the
shift's own times, so the by-hour figures and the follow-ups see them too).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from checkpoint.domain.vocabulary import ReadingPurpose
from checkpoint.reports.model import Figures, HourCount
from checkpoint.reports.period import stored_time, whole_hour_offsets

Row = Mapping[str, Any]

_SCREENING: Final = ReadingPurpose.SCREENING.value
_STAFF: Final = ReadingPurpose.STAFF_SELF_CHECK.value
_COUNTED_PURPOSES: Final = (_SCREENING, _STAFF)
_CHUNK: Final = 500
"""Ids per IN list: SQLite limits the number of bound parameters of one statement."""


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------------------------
# Amendments


@dataclass(frozen=True)
class Corrections:
    """Every amendment of the log, newest value per field: table → row id (hex) → field → value
    (the JSON form of `codec.encode`, which is what SQLite gives back for these columns)."""

    by_table: Mapping[str, Mapping[str, Mapping[str, Any]]]

    def for_table(self, table: str) -> Mapping[str, Mapping[str, Any]]:
        return self.by_table.get(table, {})


def load_corrections(db: sqlite3.Connection) -> Corrections:
    """All amendments, applied in log order so that the newest wins."""
    found: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    rows = db.execute(
        "SELECT target_table, target_id, field, new_value FROM amendment ORDER BY seq"
    )
    for table, target, column, value in rows:
        # The column has SQLite's NUMERIC affinity: a number's JSON text ("37.3") is stored as
        # the number itself, and comes back as one.
        found[table][target][column] = value if not isinstance(value, str) else json.loads(value)
    return Corrections({table: dict(rows) for table, rows in found.items()})


def rows_by_id(db: sqlite3.Connection, table: str, ids: Iterable[str]) -> list[dict[str, Any]]:
    """Raw rows (driver values) of `table` with the given ids."""
    wanted = sorted(ids)
    found: list[dict[str, Any]] = []
    cursor = db.cursor()
    cursor.row_factory = sqlite3.Row
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        found += [
            dict(r) for r in cursor.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", part)
        ]
    return found


# --------------------------------------------------------------------------------------------
# Simple counts: one table, one time column, one SQL condition per figure


@dataclass(frozen=True)
class _Count:
    figure: str
    sql: str
    """Condition on the row, in SQL (0 or 1)."""
    test: Callable[[Row], bool]
    """The same condition on a raw row, in Python (for amended rows)."""


@dataclass(frozen=True)
class _Counted:
    table: str
    time: str
    counts: tuple[_Count, ...]


def _always(_row: Row) -> bool:
    return True


_COUNTED_TABLES: Final = (
    _Counted(
        "vehicle_passage",
        "passed_at",
        (
            _Count("passages", "1", _always),
            _Count(
                "vehicles", "vehicle_type != 'on-foot'", lambda r: r["vehicle_type"] != "on-foot"
            ),
            _Count("on_foot", "vehicle_type = 'on-foot'", lambda r: r["vehicle_type"] == "on-foot"),
            _Count("inbound", "direction = 'in'", lambda r: r["direction"] == "in"),
            _Count("outbound", "direction = 'out'", lambda r: r["direction"] == "out"),
            _Count("non_local", "non_local = 1", lambda r: bool(r["non_local"])),
        ),
    ),
    _Counted("turn_back", "at", (_Count("turned_back", "1", _always),)),
    _Counted("disinfection", "at", (_Count("disinfections", "1", _always),)),
)


@dataclass
class Tally:
    """Figures being added up: `new` for [start, end), `cumulative` for everything before end."""

    start: str
    end: str
    hour_length: int
    """Characters of a stored time that name its hour (13) or, in a zone with a half-hour
    offset, its minute (16); hours are then grouped in Python."""
    new: Counter[str] = field(default_factory=Counter)
    cumulative: Counter[str] = field(default_factory=Counter)
    shift_id: str | None = None
    """For a shift's figures: its id as stored (hex); new figures count its records only."""
    shift_passages: frozenset[str] = frozenset()
    """For a shift's figures: the ids of its passages (for turn-backs and disinfections)."""
    hours: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(hour or minute prefix, "people" | "at_or_over") → count, for the period."""
    temperatures: Counter[float] = field(default_factory=Counter)

    def count(self, figure: str, at: str, n: int = 1, *, mine: bool = True) -> None:
        if at < self.end:
            self.cumulative[figure] += n
            if at >= self.start and mine:
                self.new[figure] += n

    def _mine(self, row: Row) -> bool:
        """Whether a row counts in the new figures of the shift (always, for a period)."""
        if self.shift_id is None:
            return True
        if "shift_id" in row:
            return bool(row["shift_id"] == self.shift_id)
        return row.get("passage_id") in self.shift_passages

    def add_reading(self, row: Row, sign: int) -> None:
        """A screening or staff reading's share of the figures (mirrors `_reading_sql`)."""
        purpose, at = row["purpose"], row["taken_at"]
        if purpose not in _COUNTED_PURPOSES or at >= self.end:
            return
        flagged = sign if row["flagged"] else 0
        mine = self._mine(row)
        if purpose == _SCREENING:
            self.count("people", at, sign, mine=mine)
            self.count("at_or_over", at, flagged, mine=mine)
            if at >= self.start and mine:
                self._hour(at[: self.hour_length], row["rounded_c"], sign, flagged)
        else:
            self.count("staff_checks", at, sign, mine=mine)
            self.count("staff_flagged", at, flagged, mine=mine)

    def _hour(self, hour: str, rounded: float | None, people: int, flagged: int) -> None:
        self.hours[hour, "people"] += people
        self.hours[hour, "at_or_over"] += flagged
        if rounded is not None:
            self.temperatures[rounded] += people

    def add_counted(self, spec: _Counted, row: Row, sign: int) -> None:
        at = row[spec.time]
        mine = self._mine(row)
        for count in spec.counts:
            if count.test(row):
                self.count(count.figure, at, sign, mine=mine)

    def figures(self, which: Counter[str]) -> Figures:
        return Figures(**{name: which[name] for name in Figures.__dataclass_fields__})

    def by_hour(self, zone: ZoneInfo) -> tuple[HourCount, ...]:
        """People and flagged readings per local clock hour, hours without anyone left out."""
        grouped: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
        for (prefix, what), n in self.hours.items():
            local = _parse_prefix(prefix).astimezone(zone)
            hour = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
            grouped[hour][0 if what == "people" else 1] += n
        return tuple(
            HourCount(hour_start=hour, people=people, at_or_over=flagged)
            for hour, (people, flagged) in sorted(grouped.items())
            if people or flagged
        )


def _parse_prefix(prefix: str) -> datetime:
    # "2026-11-24T04" or "2026-11-24T04:30" of a stored UTC time.
    text = prefix + ":00" if len(prefix) == 13 else prefix
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


_OF_SHIFT: Final = {
    "reading": " AND shift_id = ?",
    "vehicle_passage": " AND shift_id = ?",
    "turn_back": " AND passage_id IN (SELECT id FROM vehicle_passage WHERE shift_id = ?)",
    "disinfection": " AND passage_id IN (SELECT id FROM vehicle_passage WHERE shift_id = ?)",
}
"""The condition that keeps one shift's rows of each counted table (one parameter: its id)."""


def _reading_queries(hour_length: int) -> tuple[str, str]:
    purposes = ", ".join(f"'{p}'" for p in _COUNTED_PURPOSES)
    # Both answered from ix_reading_report (purpose, taken_at, flagged, rounded_c) alone.
    cumulative = (
        "SELECT purpose, count(*), total(flagged) FROM reading "
        f"WHERE purpose IN ({purposes}) AND taken_at < ? GROUP BY purpose"
    )
    period = (
        f"SELECT purpose, substr(taken_at, 1, {hour_length}), rounded_c, count(*), "
        "total(flagged) FROM reading "
        f"WHERE purpose IN ({purposes}) AND taken_at >= ? AND taken_at < ? GROUP BY 1, 2, 3"
    )
    return cumulative, period


def _counted_query(spec: _Counted) -> str:
    sums = ", ".join(f"total({count.sql})" for count in spec.counts)
    return f"SELECT {sums} FROM {spec.table} WHERE {spec.time} >= ? AND {spec.time} < ?"


def tally(
    db: sqlite3.Connection,
    corrections: Corrections,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    shift_id: str | None = None,
) -> Tally:
    """The SQL-countable figures of [start, end) and before `end`, in the amended view; with
    `shift_id` (hex, as stored), the new figures are that shift's records in [start, end)."""
    hour_length = 13 if whole_hour_offsets(zone, start, end) else 16
    result = Tally(stored_time(start), stored_time(end), hour_length, shift_id=shift_id)
    if shift_id is not None:
        result.shift_passages = frozenset(
            row[0]
            for row in db.execute("SELECT id FROM vehicle_passage WHERE shift_id = ?", (shift_id,))
        )
    shift_only = ("", ()) if shift_id is None else (_OF_SHIFT["reading"], (shift_id,))
    cumulative_sql, period_sql = _reading_queries(hour_length)
    period_sql = period_sql.replace(" GROUP BY 1, 2, 3", shift_only[0] + " GROUP BY 1, 2, 3")
    for purpose, n, flagged in db.execute(cumulative_sql, (result.end,)):
        names = (
            ("people", "at_or_over") if purpose == _SCREENING else ("staff_checks", "staff_flagged")
        )
        result.cumulative[names[0]] += n
        result.cumulative[names[1]] += int(flagged)
    period_params = (result.start, result.end, *shift_only[1])
    for purpose, hour, rounded, n, flagged in db.execute(period_sql, period_params):
        if purpose == _SCREENING:
            result.new["people"] += n
            result.new["at_or_over"] += int(flagged)
            result._hour(hour, rounded, n, int(flagged))
        else:
            result.new["staff_checks"] += n
            result.new["staff_flagged"] += int(flagged)
    for spec in _COUNTED_TABLES:
        query = _counted_query(spec)
        for bucket, low in ((result.cumulative, ""), (result.new, result.start)):
            params: tuple[str, ...] = (low, result.end)
            sql = query
            if shift_id is not None and bucket is result.new:
                sql, params = query + _OF_SHIFT[spec.table], (*params, shift_id)
            sums = db.execute(sql, params).fetchone()
            for count, total in zip(spec.counts, sums, strict=True):
                bucket[count.figure] += int(total)
    _correct(db, corrections, result)
    return result


def _correct(db: sqlite3.Connection, corrections: Corrections, result: Tally) -> None:
    """Take off each amended row as written and add it back as amended."""
    adders: list[tuple[str, Callable[[Row, int], None]]] = [("reading", result.add_reading)]
    adders += [
        (spec.table, functools.partial(result.add_counted, spec)) for spec in _COUNTED_TABLES
    ]
    for table, add in adders:
        amended = corrections.for_table(table)
        if not amended:
            continue
        for row in rows_by_id(db, table, amended):
            add(row, -1)
            add({**row, **amended[row["id"]]}, +1)
