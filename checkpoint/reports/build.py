"""Shift and daily reports from the log: one read-only snapshot, figures in the amended view.

    report = day_report(store, settings, current_report_day(settings, now=now), now=now)

Everything a report says is read in one snapshot of the log, whose chain head is printed with
it: the sheet can be matched to the log later (`checkpoint verify` prints the same head).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from checkpoint.config import Settings
from checkpoint.errors import ReportError
from checkpoint.reports.figures import load_corrections, tally
from checkpoint.reports.follow_ups import count_follow_ups, fever_cases
from checkpoint.reports.model import LogRange, Report, ReportKind, Signature, TimeStep
from checkpoint.reports.period import day_period, report_day_of, stored_time
from checkpoint.store import records
from checkpoint.store.amendments import amended_view
from checkpoint.store.engine import Store
from checkpoint.store.lanes import log_lane
from checkpoint.store.models import Shift, ShiftClosure

DUTY_STAFF = "duty-staff"
SHIFT_LEADER = "shift-leader"


@dataclass(frozen=True, slots=True)
class _ShiftOnRecord:
    shift: Shift
    closure: ShiftClosure | None


def current_report_day(settings: Settings, *, now: datetime) -> date:
    """The report day `now` falls in, with the configured cut-off hour and time zone."""
    return report_day_of(
        now, zone=settings.checkpoint.zone, cutoff_hour=settings.reports.day_cutoff_hour
    )


def _driver(session: Session) -> sqlite3.Connection:
    # The snapshot's own connection: raw aggregates and ORM reads see the same log.
    connection = session.connection().connection.dbapi_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


def _shifts(session: Session) -> list[_ShiftOnRecord]:
    """Every shift with its closure, both amended, in log order."""
    shifts = [
        a.record
        for a in amended_view(
            session=session, records=session.exec(select(Shift).order_by(col(Shift.seq))).all()
        )
    ]
    closures = [
        a.record
        for a in amended_view(
            session=session,
            records=session.exec(select(ShiftClosure).order_by(col(ShiftClosure.seq))).all(),
        )
    ]
    closed = {c.shift_id: c for c in closures}
    return [_ShiftOnRecord(s, closed.get(s.id)) for s in shifts]


def _find_shift(
    shifts: Sequence[_ShiftOnRecord], shift_id: str | uuid.UUID | None
) -> _ShiftOnRecord:
    if not shifts:
        raise ReportError.of("report.no_shifts")
    if shift_id is None:
        open_ones = [s for s in shifts if s.closure is None]
        if open_ones:
            return open_ones[-1]
        return max(shifts, key=lambda s: (s.closure.seq or 0) if s.closure else 0)
    wanted = shift_id.hex if isinstance(shift_id, uuid.UUID) else shift_id.strip().lower()
    wanted = wanted.replace("-", "")
    matches = [s for s in shifts if s.shift.id.hex.startswith(wanted)] if len(wanted) >= 4 else []
    if len(matches) != 1:
        code = "report.shift_ambiguous" if matches else "report.shift_not_found"
        raise ReportError.of(code, shift=str(shift_id))
    return matches[0]


_STEP_BACK_TOLERANCE = timedelta(minutes=1)
"""A step back this small is a clock's correction (NTP), not a wrong clock."""


def _parse(text: object) -> datetime:
    moment = datetime.fromisoformat(str(text))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def backward_steps(db: sqlite3.Connection, sql: str, params: Sequence[object]) -> list[TimeStep]:
    """Where the readings `sql` selects (seq, taken_at; in seq order) go back in time, each
    against the reading just before it."""
    found: list[TimeStep] = []
    last_seq, last_text = 0, ""
    for seq, text in db.execute(sql, tuple(params)):
        if text < last_text:  # stored UTC text: text order is time order
            at, last = _parse(text), _parse(last_text)
            if last - at > _STEP_BACK_TOLERANCE:
                found.append(TimeStep(seq, at, last_seq, last))
        last_seq, last_text = seq, text
    return found


def _shift_span(db: sqlite3.Connection, shift: Shift, end: datetime) -> tuple[datetime, datetime]:
    """The period a shift's report covers: from its opening to its closing, stretched over the
    times its own readings and passages carry. A clock that jumped back within the shift, or a
    closing stamped before the opening, never leaves one of its people out."""
    low, high = db.execute(
        "SELECT min(t), max(t) FROM (SELECT taken_at AS t FROM reading WHERE shift_id = ? "
        "UNION ALL SELECT passed_at FROM vehicle_passage WHERE shift_id = ?)",
        (shift.id.hex, shift.id.hex),
    ).fetchone()
    start = shift.opened_at
    stop = max(end, shift.opened_at)
    if low is not None:
        start = min(start, _parse(low))
        stop = max(stop, _parse(high) + timedelta(microseconds=1))
    return start, stop


def _unique(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in names if n.strip()))


def _build(
    session: Session,
    settings: Settings,
    *,
    kind: ReportKind,
    start: datetime,
    end: datetime,
    now: datetime,
    on_duty: Sequence[_ShiftOnRecord],
    shift_id: str | None = None,
) -> Report:
    db = _driver(session)
    zone = settings.checkpoint.zone
    corrections = load_corrections(db)
    result = tally(db, corrections, start=start, end=end, zone=zone, shift_id=shift_id)
    if shift_id is not None:
        steps = backward_steps(
            db, "SELECT seq, taken_at FROM reading WHERE shift_id = ? ORDER BY seq", (shift_id,)
        )
    else:
        steps = backward_steps(
            db,
            "SELECT seq, taken_at FROM reading WHERE taken_at >= ? AND taken_at < ? ORDER BY seq",
            (stored_time(start), stored_time(end)),
        )
    count_follow_ups(db, corrections, result)
    head_seq, head_hash = db.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
    config = settings.checkpoint
    site = records.current_checkpoint(session=session, code=config.id)
    operators = _unique([name for s in on_duty for name in s.shift.operators])
    leaders = _unique([s.shift.leader for s in on_duty])
    return Report(
        kind=kind,
        lane=log_lane(session=session),
        checkpoint_code=config.id,
        checkpoint_name=site.name if site and site.name else config.name,
        township=site.township if site and site.township else config.township,
        county=site.county if site and site.county else config.county,
        timezone=config.timezone,
        start=start,
        end=end,
        generated_at=now,
        new=result.figures(result.new),
        cumulative=result.figures(result.cumulative),
        by_hour=result.by_hour(zone),
        cases=fever_cases(
            session, db, corrections, start_text=stored_time(start), end_text=stored_time(end)
        ),
        staff_on_duty=operators,
        leaders=leaders,
        signatures=(Signature(DUTY_STAFF, operators), Signature(SHIFT_LEADER, leaders)),
        log_range=LogRange(
            first_seq=1 if head_seq else None,
            last_seq=head_seq or None,
            chain_head=head_hash if head_seq else "",
        ),
        threshold_c=settings.screening.threshold_c,
        temperatures=tuple(sorted((float(v), n) for v, n in result.temperatures.items() if n)),
        backwards=tuple(steps),
    )


def shift_report(
    store: Store, settings: Settings, shift_id: str | uuid.UUID | None, *, now: datetime
) -> Report:
    """The report of one shift, from its opening to its closing (to `now` while it is open).

    `shift_id` may be a shift's id or a unique prefix of its hex form (4 characters or more);
    None means the open shift, else the one closed last.
    """
    with store.reading() as session:
        chosen = _find_shift(_shifts(session), shift_id)
        shift, closure = chosen.shift, chosen.closure
        start, end = _shift_span(_driver(session), shift, closure.closed_at if closure else now)
        report = _build(
            session,
            settings,
            kind=ReportKind.SHIFT,
            start=start,
            end=end,
            now=now,
            on_duty=[chosen],
            shift_id=shift.id.hex,
        )
    return replace(
        report,
        shift_id=shift.id,
        leader=shift.leader,
        handover_note=closure.handover_note if closure else "",
        closed_by=closure.closed_by if closure else "",
        closed_at=closure.closed_at if closure else None,
    )


def day_report(store: Store, settings: Settings, day: date, *, now: datetime) -> Report:
    """The daily report (日报告) of report day `day`: from the cut-off hour on `day` to the
    cut-off hour the next day; a zero report when nobody was at or over the threshold."""
    start, end = day_period(
        day, zone=settings.checkpoint.zone, cutoff_hour=settings.reports.day_cutoff_hour
    )
    with store.reading() as session:
        on_duty = [
            s
            for s in _shifts(session)
            if s.shift.opened_at < end and (s.closure is None or s.closure.closed_at > start)
        ]
        report = _build(
            session, settings, kind=ReportKind.DAY, start=start, end=end, now=now, on_duty=on_duty
        )
    return replace(report, report_day=day.isoformat())
