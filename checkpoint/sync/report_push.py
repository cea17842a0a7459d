"""Sending the daily reports (日报告、零报告) of closed report days to a hub, each until the hub
holds what the log says for that day.

Every report day from the one of the checkpoint's first real record up to the last closed day
(the one before the current report day) is reported, records or not: a day with nobody
screened is a zero report too, and the hub must see that the checkpoint reported it. Neither
end trusts this laptop's clock alone (`wire.clock`): "closed" is by the hub's time (this
clock less the skew the last answer of the hub showed), and the first record is the first
whose time is plausible (not before this program existed, not after the hub's today), so a
laptop whose clock said 2099 or 1970 never makes up days. A day the hub refuses anyway (it
judges by its own clock and records) is held back like any refused day (`store.sync_state`):
listed, tried again at every pass, and the others still go.

A day is sent when the hub has not acknowledged it yet, or when its report, computed again,
says something else than what was acknowledged (its digest, `report_digest`, is kept per hub
and day in `report_sent`). The hub replaces its copy, so sending again never counts a day twice.

Computing a report costs a read of the log, so a day already acknowledged is computed again
only when the log has grown since, and then only if it is one of the last `RECHECK_DAYS`
closed days (a case decided or an axillary reading typed in after the cut-off changes them)
or an amendment was written since (a correction can change any day, cumulative figures
included).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import pydantic
from sqlmodel import Session, select

from checkpoint.config import Settings
from checkpoint.reports.build import current_report_day, day_report
from checkpoint.reports.json_form import to_data
from checkpoint.reports.period import report_day_of, stored_time
from checkpoint.store.engine import Store
from checkpoint.store.models import ReportSent
from checkpoint.store.sync_state import (
    REPORT,
    head_seq,
    held_back,
    hold_back,
    known_skew,
    release,
)
from checkpoint.sync.client import (
    HubClient,
    Problem,
    SyncError,
    TooLargeError,
    stopped,
    with_retries,
)
from checkpoint.wire.clock import EARLIEST_PLAUSIBLE, ZONE_MARGIN
from checkpoint.wire.reports import ReportStatus, canonical, report_digest

RECHECK_DAYS: Final = 7
"""Closed days computed again whenever the log has grown, to catch late entries."""
MAX_DAYS: Final = 400
"""At most this many days back from the last closed one are reported."""


@dataclass(frozen=True)
class HeldReport:
    """A day whose report is held back, and why."""

    day: date
    code: str
    """Catalog key of why (`sync.held.report_*`, or the hub's `sync.hub.*`)."""
    params: dict[str, object]
    reason: str
    """Why, in English."""


@dataclass
class ReportSummary:
    """What one pass over the report days did."""

    stored: list[date] = field(default_factory=list)
    """Days the hub held no report of before."""
    replaced: list[date] = field(default_factory=list)
    """Days whose report changed (after an amendment or a late entry) and was sent again."""
    unchanged: int = 0
    """Days sent again whose report the hub already held as it was, or held a newer version of
    (`superseded`: made from a later state of this log, which reached it another way)."""
    computed: int = 0
    """Reports computed from the log in this pass."""
    held: list[HeldReport] = field(default_factory=list)
    """Days whose report could not be sent in this pass (the local check of the wire format
    or the hub refused it); the later days went on without them."""
    released: list[date] = field(default_factory=list)
    """Days held back before whose report went in this pass (corrected since)."""
    held_back: int = 0
    """Days held back from this hub after the pass (this pass's and earlier ones)."""

    @property
    def sent(self) -> int:
        return len(self.stored) + len(self.replaced) + self.unchanged


@dataclass(frozen=True, slots=True)
class _Sent:
    digest: str
    log_seq: int


_FIRST_TIMES: Final = (
    # (table, time column): each read from an index (or a small table) from its low end.
    ("shift", "opened_at"),
    ("reading", "taken_at"),
    ("vehicle_passage", "passed_at"),
)


def first_real_time(session: Session, *, latest: datetime) -> datetime | None:
    """The time of the log's first real record: its earliest shift opening, reading or passage
    whose time is plausible (`wire.clock.EARLIEST_PLAUSIBLE`) and not after `latest`; None when
    the log has none. A first shift opened while the clock said 1970 is not the day the
    checkpoint started; a reading stamped 2099 is not either."""
    low = stored_time(EARLIEST_PLAUSIBLE)
    high = stored_time(latest)
    found: list[datetime] = []
    connection = session.connection()
    for table, column in _FIRST_TIMES:
        value = connection.exec_driver_sql(
            f"SELECT min({column}) FROM {table} WHERE {column} >= ? AND {column} <= ?", (low, high)
        ).scalar()
        if value is not None:
            moment = datetime.fromisoformat(str(value))
            found.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return min(found) if found else None


def _first_day(session: Session, settings: Settings, *, latest: datetime) -> date | None:
    """The report day of the checkpoint's first real record; None before there is one."""
    first = first_real_time(session, latest=latest)
    if first is None:
        return None
    return report_day_of(
        first, zone=settings.checkpoint.zone, cutoff_hour=settings.reports.day_cutoff_hour
    )


def hub_moment(store: Store, client: HubClient, moment: datetime) -> datetime:
    """What the hub's clock says when this laptop's says `moment`: by the skew of the hub's
    last answer in this run, else the one kept from the last sync, else (never synced) this
    clock's own word."""
    skew = client.skew
    if skew is None:
        with store.reading() as session:
            kept = known_skew(session=session)
        skew = timedelta(seconds=kept[0]) if kept is not None else timedelta(0)
    return moment - skew


def _acknowledged(session: Session, hub: str) -> dict[date, _Sent]:
    rows = session.exec(select(ReportSent).where(ReportSent.hub == hub)).all()
    return {row.report_day: _Sent(row.digest, row.log_seq) for row in rows}


def _remember(
    store: Store, *, hub: str, day: date, digest: str, log_seq: int, now: datetime
) -> None:
    with store.session() as session:
        row = session.get(ReportSent, (hub, day)) or ReportSent(
            hub=hub, report_day=day, digest=digest, log_seq=log_seq, sent_at=now
        )
        if row.digest != digest:
            row.sent_at = now
        row.digest = digest
        row.log_seq = max(row.log_seq, log_seq)
        session.add(row)


def encode_report(data: dict[str, Any]) -> bytes:
    """The gzip-compressed JSON body of a report."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return gzip.compress(text.encode(), mtime=0)


def days_to_check(
    *,
    first: date | None,
    last_closed: date,
    acknowledged: dict[date, _Sent],
    head: int,
    last_amendment: int,
    held: frozenset[date] = frozenset(),
) -> list[date]:
    """The closed report days whose report must be computed in this pass, oldest first; a
    day `held` back is computed every time (it goes as soon as it is corrected)."""
    if first is None or first > last_closed:
        return []
    start = max(first, last_closed - timedelta(days=MAX_DAYS - 1))
    recent = last_closed - timedelta(days=RECHECK_DAYS - 1)
    days: list[date] = []
    day = start
    while day <= last_closed:
        sent = acknowledged.get(day)
        if (
            sent is None
            or day in held
            or (sent.log_seq < head and day >= recent)
            or sent.log_seq < last_amendment
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def closed_day_reports(
    store: Store, settings: Settings, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The daily reports (JSON form, `canonical`) of every closed report day of the log, oldest
    first, as `send_reports` would send them: for a bundle, which cannot ask the hub what it
    holds (at most `MAX_DAYS`)."""
    moment = now or datetime.now(UTC)
    with store.reading() as session:
        kept = known_skew(session=session)
        at_hub = moment - timedelta(seconds=kept[0]) if kept is not None else moment
        first = _first_day(session, settings, latest=at_hub + ZONE_MARGIN)
    days = days_to_check(
        first=first,
        last_closed=current_report_day(settings, now=at_hub) - timedelta(days=1),
        acknowledged={},
        head=0,
        last_amendment=0,
    )
    return [canonical(to_data(day_report(store, settings, day, now=moment))) for day in days]


def send_reports(
    store: Store,
    settings: Settings,
    client: HubClient,
    *,
    now: datetime | None = None,
    retries: int = 5,
    backoff: float = 0.5,
    sleep: Callable[[float], Any] = time.sleep,
) -> ReportSummary:
    """Send the reports of closed days the hub does not hold as the log says them now.

    A day whose report cannot be sent (the local check of the wire format refuses it, or the
    hub refuses it: too large, not masked, out of range, a day after the hub's today or before
    the checkpoint existed) is held back and the later days go on; it is computed and tried
    again at every pass until it goes. A failure of the link, the token or the hub's disk stops
    the pass (`SyncError`), with what was held back so far kept.
    """
    moment = now or client.clock()
    if client.skew is None:  # learn the hub's time first (its answers say it)
        with contextlib.suppress(SyncError):
            with_retries(
                functools.partial(client.status, settings.checkpoint.id),
                client.hub_url,
                retries=retries,
                backoff=backoff,
                sleep=sleep,
            )
    at_hub = hub_moment(store, client, moment)
    hub = client.hub_url
    checkpoint_id = settings.checkpoint.id
    with store.reading() as session:
        head = head_seq(session=session)
        first = _first_day(session, settings, latest=at_hub + ZONE_MARGIN)
        acknowledged = _acknowledged(session, hub)
        last_amendment = int(
            session.connection().exec_driver_sql("SELECT max(seq) FROM amendment").scalar() or 0
        )
        held_days = frozenset(
            date.fromisoformat(h.item) for h in held_back(session=session, hub=hub, kind=REPORT)
        )
    days = days_to_check(
        first=first,
        last_closed=current_report_day(settings, now=at_hub) - timedelta(days=1),
        acknowledged=acknowledged,
        head=head,
        last_amendment=last_amendment,
        held=held_days,
    )
    summary = ReportSummary()
    for day in days:
        try:
            data = canonical(to_data(day_report(store, settings, day, now=moment)))
        except pydantic.ValidationError as error:
            # The log holds something the wire refuses (a 10,000-character name in a fever
            # case): this day is held back, the later ones go on.
            summary.computed += 1
            summary.held.append(_invalid(day, error))
            continue
        summary.computed += 1
        digest = report_digest(data)
        held = acknowledged.get(day)
        if held is not None and held.digest == digest and day not in held_days:
            _remember(store, hub=hub, day=day, digest=digest, log_seq=head, now=moment)
            continue
        try:
            receipt = with_retries(
                functools.partial(
                    client.put_report, checkpoint_id, day.isoformat(), encode_report(data)
                ),
                hub,
                retries=retries,
                backoff=backoff,
                sleep=sleep,
            )
        except TooLargeError as error:
            too_large = stopped("report_too_large", day=day, detail=error)
            summary.held.append(HeldReport(day, too_large.code, too_large.params, str(error)))
            continue
        except SyncError as error:
            if error.problem is not Problem.REFUSED:  # the link, the token, a full hub: stop
                _note_held(store, hub, summary)
                raise
            # The hub refused this report (its content, or a day it says is after its today
            # or before the checkpoint existed): held back, the later days go on.
            summary.held.append(HeldReport(day, error.code, error.params, error.message))
            continue
        if receipt.status is ReportStatus.STORED:
            summary.stored.append(day)
        elif receipt.status is ReportStatus.REPLACED:
            summary.replaced.append(day)
        else:
            summary.unchanged += 1
        if day in held_days:
            summary.released.append(day)
        _remember(store, hub=hub, day=day, digest=digest, log_seq=head, now=moment)
    _note_held(store, hub, summary)
    return summary


def _note_held(store: Store, hub: str, summary: ReportSummary) -> None:
    """Keep this pass's held-back days (and forget those that went) for the next passes."""
    with store.session() as session:
        for day in summary.stored + summary.replaced + summary.released:
            release(session=session, hub=hub, kind=REPORT, item=day.isoformat())
        for held in summary.held:
            hold_back(
                session=session,
                hub=hub,
                kind=REPORT,
                item=held.day.isoformat(),
                code=held.code,
                params=dict(held.params),
                reason=held.reason,
            )
        summary.held_back = len(held_back(session=session, hub=hub, kind=REPORT))


def _invalid(day: date, error: pydantic.ValidationError) -> HeldReport:
    """Why the local check of the wire format refuses `day`'s report, from its first error:
    which fever case and field, or which other member, and what is wrong with it."""
    first = error.errors(include_url=False)[0]
    where = [str(part) for part in first["loc"]]
    reason = f"{'.'.join(where)}: {first['msg']}"
    limit = (first.get("ctx") or {}).get("max_length")
    value = first.get("input")
    params: dict[str, object] = {
        "day": day.isoformat(),
        "path": ".".join(where),
        "problem": first["msg"],
        "length": len(value) if isinstance(value, str | list) else "?",
        "limit": limit if isinstance(limit, int) else "?",
    }
    if len(where) >= 3 and where[0] == "cases" and where[1].isdigit():
        params |= {"case": int(where[1]) + 1, "field": where[2]}
        code = "sync.held.report_case_too_long" if limit else "sync.held.report_case_invalid"
    else:
        code = "sync.held.report_too_long" if limit else "sync.held.report_invalid"
    return HeldReport(day, code, params, reason)
