"""Forwarding what a hub holds to its parent: checkpoint → township → county, same protocol.

A hub is enrolled at its parent as a hub (`checkpoint hub enroll --hub NAME` there); with that
token it posts ordinary batches (`POST /v1/batches`), one checkpoint per batch, each record in
the wire form it arrived in, so it keeps its checkpoint and hash and the parent checks it like
any other. The parent answers with receipts, exactly once, as it does for a checkpoint.

What the parent acknowledged is kept per (parent, checkpoint, lane) in `upstream_marks`: the
highest seq up to which every record of that lane was answered "stored" or "duplicate". Each
lane of a checkpoint is a log of its own with its own seqs (several laptops at one
checkpoint), so each is forwarded on its own, in batches naming the lane, and one lane's seqs
never move another's mark. Records from before lanes are the checkpoint's legacy lane; there
several logs' seqs may repeat, so a seq already under the mark moves nothing and stops
nothing. It moves
only over receipts, only over a contiguous run of seqs from the mark on, and is written after
the answer arrived, so it is never ahead of what the parent holds. A record this hub does not
hold yet (a gap, say seqs that will arrive later by USB bundle) stops the mark there: what
follows the gap is sent again on the next forward and answered "duplicate" until the gap is
filled, and then the mark moves past it. Transient failures are retried with the sync client's
backoff; a 413 halves the batch; a refused token stops the forward with the parent's reason.

Daily reports travel in the same run: after a checkpoint's records, each report held for it
whose current version (its digest, `report_digest`) the parent has not acknowledged is sent
(`PUT /v1/checkpoints/{code}/reports/{day}`, as the checkpoint sent it); the digest the parent
answered is kept per (parent, checkpoint, lane, day) in `upstream_reports`, written after the
answer. A report replaced here (a corrected day) has another digest, so it is sent again and
replaces the parent's copy of that lane's report: one report per checkpoint, lane and day at
every level, never counted twice.
Lateness: each forwarded report carries when it first reached this hub
(`Checkpoint-Received-At`, trusted by the parent from hub tokens only), so the county judges
"late" by the time the report reached the township, not by when the township forwarded it.
That time is the township's clock's word: every request also says the township's clock when
sent (`wire.clock.SENT_AT_HEADER`), and the parent moves the arrival onto its own clock by the
difference (a township 5 days slow cannot make a late report look on time); the parent says
that difference back on every answer (`SKEW_HEADER`), and a forward logs it when large and
`checkpoint hub forward` prints it.
For the first version the parent gets of a day, that is when the day's first version reached
this hub: a report corrected here before it was ever forwarded is judged by its first version,
as here (the parent then counts one version, not the ones it never saw). Limitation: a
checkpoint that also reports to the parent directly, with a correction the township has not
got yet, has it replaced there by the township's older version until the correction reaches
the township too (the last version to arrive wins; both are the checkpoint's own reports).

What the parent refuses never stalls the rest: a record it rejects, or one too large for it even
alone, and a daily report it refuses (too large, not masked, malformed) are held back, kept in
`upstream_held` with the parent's reason, and the mark moves past such a record as if it had
been answered. Each forward tries them again first and forgets those the parent takes; the
rest is listed by `hub forward` (exit code 3) until then.

Before any of that, the forward tells the parent which checkpoints are enrolled here and below
(`PUT /v1/hubs/checkpoints`, see `below.py`), so that a checkpoint enrolled at the township and
silent for a day is in the county's omission list too. A parent without that endpoint (404) is
left alone: records and reports are still forwarded.
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from checkpoint.domain.lanes import LEGACY_LANE_ID
from checkpoint.hub import held_below
from checkpoint.hub.below import statement_of
from checkpoint.hub.db import (
    records,
    report_versions,
    reports,
    upstream_held,
    upstream_marks,
    upstream_reports,
)
from checkpoint.sync.client import (
    HubClient,
    Problem,
    SyncError,
    TooLargeError,
    held_as_too_large,
    post_checked,
    send_held_back,
    with_retries,
)
from checkpoint.wire import DEFAULT_BATCH
from checkpoint.wire.clock import LARGE_SKEW
from checkpoint.wire.records import ReceiptStatus, encode_batch, wire_body
from checkpoint.wire.reports import ReportStatus, report_digest

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForwardRejection:
    """A record the parent refused, and its reason."""

    checkpoint_id: str
    seq: int
    record_id: str
    reason: str


@dataclass
class ForwardSummary:
    """What one forward did."""

    upstream: str
    checkpoints: int = 0
    """Checkpoints whose records this hub holds."""
    stored: int = 0
    duplicates: int = 0
    rejected: list[ForwardRejection] = field(default_factory=list)
    pending: int = 0
    """Records held here above the parent's marks after the forward (0 when all are there)."""
    reports_stored: int = 0
    """Daily reports the parent did not hold before."""
    reports_replaced: int = 0
    """Daily reports that replaced another version at the parent (corrected here)."""
    reports_unchanged: int = 0
    """Daily reports sent that the parent already held as they are, or held a newer version of
    (`superseded`: the lane sent it there directly)."""
    reports_rejected: list[tuple[str, date, str]] = field(default_factory=list)
    """(checkpoint, day, reason) of daily reports the parent refused."""
    below: int | None = None
    """Checkpoints the parent was told of (enrolled here or below); None if it cannot hear it."""
    clock_skew_s: int | None = None
    """What the parent said of this hub's clock on its last answer: seconds ahead of the
    parent's (negative: behind); None from a parent that does not say."""

    @property
    def sent(self) -> int:
        return self.stored + self.duplicates + len(self.rejected)


TOKEN_HINT = (
    "Ask the parent hub's administrator for a hub token (checkpoint hub enroll --hub NAME, run "
    "there) and give it with --token."
)


class ForwardError(SyncError):
    """A forward stopped before the end; `forward_summary` says how far it got."""

    forward_summary: ForwardSummary | None = None


def upstream_mark(engine: sa.Engine, upstream: str, checkpoint_id: str, lane_id: str = "") -> int:
    """The seq up to which `upstream` acknowledged every record of `checkpoint_id`'s lane
    `lane_id` (0: none)."""
    with engine.connect() as connection:
        value = connection.execute(
            sa.select(upstream_marks.c.acked_seq).where(
                upstream_marks.c.upstream == upstream,
                upstream_marks.c.checkpoint_id == checkpoint_id,
                upstream_marks.c.lane_id == lane_id,
            )
        ).scalar()
        connection.rollback()
    return int(value or 0)


def _note(
    engine: sa.Engine,
    upstream: str,
    checkpoint_id: str,
    lane_id: str,
    *,
    seq: int | None = None,
    error: str | None = None,
) -> None:
    """Raise the mark to `seq` (never lower it) and/or remember the last error."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {"last_attempt_at": now, "last_error": error}
    if error is None:
        values["last_success_at"] = now
    insert: Any = (
        postgresql.insert(upstream_marks)
        if engine.dialect.name == "postgresql"
        else sqlite.insert(upstream_marks)
    )
    statement = insert.values(
        upstream=upstream,
        checkpoint_id=checkpoint_id,
        lane_id=lane_id,
        acked_seq=seq or 0,
        **values,
    )
    update = dict(values)
    if seq is not None:
        larger = sa.func.greatest if engine.dialect.name == "postgresql" else sa.func.max
        update["acked_seq"] = larger(upstream_marks.c.acked_seq, statement.excluded.acked_seq)
    statement = statement.on_conflict_do_update(
        index_elements=["upstream", "checkpoint_id", "lane_id"], set_=update
    )
    with engine.begin() as connection:
        connection.execute(statement)


def _hold(
    engine: sa.Engine,
    upstream: str,
    checkpoint_id: str,
    lane_id: str,
    kind: str,
    item: str,
    reason: str,
    seq: int | None = None,
) -> None:
    """Remember that the parent refused `item` (a record's id, a report's day), and why."""
    now = datetime.now(UTC)
    insert: Any = (
        postgresql.insert(upstream_held)
        if engine.dialect.name == "postgresql"
        else sqlite.insert(upstream_held)
    )
    statement = insert.values(
        upstream=upstream,
        checkpoint_id=checkpoint_id,
        lane_id=lane_id,
        kind=kind,
        item=item,
        seq=seq,
        reason=reason,
        first_at=now,
        last_at=now,
    ).on_conflict_do_update(
        index_elements=["upstream", "checkpoint_id", "lane_id", "kind", "item"],
        set_={"reason": reason, "last_at": now},
    )
    with engine.begin() as connection:
        connection.execute(statement)


def _unhold(
    engine: sa.Engine, upstream: str, checkpoint_id: str, lane_id: str, kind: str, items: list[str]
) -> None:
    if not items:
        return
    with engine.begin() as connection:
        connection.execute(
            upstream_held.delete().where(
                upstream_held.c.upstream == upstream,
                upstream_held.c.checkpoint_id == checkpoint_id,
                upstream_held.c.lane_id == lane_id,
                upstream_held.c.kind == kind,
                upstream_held.c.item.in_(items),
            )
        )


def _held_items(
    engine: sa.Engine, upstream: str, checkpoint_id: str, lane_id: str, kind: str
) -> list[str]:
    with engine.connect() as connection:
        found = list(
            connection.execute(
                sa.select(upstream_held.c.item)
                .where(
                    upstream_held.c.upstream == upstream,
                    upstream_held.c.checkpoint_id == checkpoint_id,
                    upstream_held.c.lane_id == lane_id,
                    upstream_held.c.kind == kind,
                )
                .order_by(upstream_held.c.seq, upstream_held.c.item)
            ).scalars()
        )
        connection.rollback()
    return found


def _held_checkpoints(engine: sa.Engine) -> list[str]:
    """Checkpoints with records or daily reports held here, by code."""
    with engine.connect() as connection:
        found = set(connection.execute(sa.select(records.c.checkpoint_id).distinct()).scalars())
        found |= set(connection.execute(sa.select(reports.c.checkpoint_id).distinct()).scalars())
        connection.rollback()
    return sorted(found)


def _compressed(data: Any) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return gzip.compress(text.encode(), mtime=0)


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite gives back naive times; they were stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class _HeldReport:
    lane_id: str
    day: date
    body: dict[str, Any]
    digest: str
    received_at: datetime
    """When the version held first reached this hub."""
    first_received_at: datetime
    """When the day's first version reached this hub."""


def _reports_to_send(engine: sa.Engine, upstream: str, checkpoint_id: str) -> list[_HeldReport]:
    """`checkpoint_id`'s reports held here whose version the parent has not acknowledged."""
    with engine.connect() as connection:
        held = connection.execute(
            sa.select(reports.c.lane_id, reports.c.day, reports.c.body, reports.c.received_at)
            .where(reports.c.checkpoint_id == checkpoint_id)
            .order_by(reports.c.day, reports.c.lane_id)
        ).all()
        acknowledged = {
            (row.lane_id, row.day): row.digest
            for row in connection.execute(
                sa.select(
                    upstream_reports.c.lane_id, upstream_reports.c.day, upstream_reports.c.digest
                ).where(
                    upstream_reports.c.upstream == upstream,
                    upstream_reports.c.checkpoint_id == checkpoint_id,
                )
            )
        }
        versions = connection.execute(
            sa.select(
                report_versions.c.lane_id,
                report_versions.c.day,
                report_versions.c.digest,
                report_versions.c.received_at,
            ).where(report_versions.c.checkpoint_id == checkpoint_id)
        ).all()
        connection.rollback()
    arrived = {(row.lane_id, row.day, row.digest): row.received_at for row in versions}
    first: dict[tuple[str, date], datetime] = {}
    for row in versions:
        key = (row.lane_id, row.day)
        if key not in first or row.received_at < first[key]:
            first[key] = row.received_at
    result = []
    for row in held:
        digest = report_digest(row.body)
        if acknowledged.get((row.lane_id, row.day)) == digest:
            continue
        received_at = arrived.get((row.lane_id, row.day, digest), row.received_at)
        result.append(
            _HeldReport(
                row.lane_id,
                row.day,
                dict(row.body),
                digest,
                received_at,
                min(first.get((row.lane_id, row.day), received_at), received_at),
            )
        )
    return result


def _note_report(
    engine: sa.Engine, upstream: str, checkpoint_id: str, lane_id: str, day: date, digest: str
) -> None:
    insert: Any = (
        postgresql.insert(upstream_reports)
        if engine.dialect.name == "postgresql"
        else sqlite.insert(upstream_reports)
    )
    statement = insert.values(
        upstream=upstream, checkpoint_id=checkpoint_id, lane_id=lane_id, day=day, digest=digest
    ).on_conflict_do_update(
        index_elements=["upstream", "checkpoint_id", "lane_id", "day"], set_={"digest": digest}
    )
    with engine.begin() as connection:
        connection.execute(statement)


def _forward_reports(
    engine: sa.Engine,
    client: HubClient,
    checkpoint_id: str,
    summary: ForwardSummary,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> None:
    upstream = client.hub_url
    with engine.connect() as connection:
        days_sent = {
            (row.lane_id, row.day)
            for row in connection.execute(
                sa.select(upstream_reports.c.lane_id, upstream_reports.c.day).where(
                    upstream_reports.c.upstream == upstream,
                    upstream_reports.c.checkpoint_id == checkpoint_id,
                )
            )
        }
        connection.rollback()
    for report in _reports_to_send(engine, upstream, checkpoint_id):
        # The first version the parent gets of a day stands for the day's first arrival here.
        sent_before = (report.lane_id, report.day) in days_sent
        arrived = report.received_at if sent_before else report.first_received_at
        try:
            receipt = with_retries(
                functools.partial(
                    client.put_report,
                    checkpoint_id,
                    report.day.isoformat(),
                    _compressed(report.body),
                    received_below=_utc_text(arrived),
                ),
                upstream,
                retries=retries,
                backoff=backoff,
                sleep=sleep,
            )
        except TooLargeError as error:
            refusal = f"too large for the parent hub: {error}"
            summary.reports_rejected.append((checkpoint_id, report.day, refusal))
            _hold(
                engine, upstream, checkpoint_id, report.lane_id, "report", str(report.day), refusal
            )
            continue
        except SyncError as error:
            # A refusal of this report (its content), not of the link or the token: held
            # back, the later reports go on.
            if error.problem is not Problem.REFUSED or error.status is None:
                raise
            summary.reports_rejected.append((checkpoint_id, report.day, error.message))
            _hold(
                engine,
                upstream,
                checkpoint_id,
                report.lane_id,
                "report",
                str(report.day),
                error.message,
            )
            continue
        if receipt.status is ReportStatus.SUPERSEDED:
            # The parent holds a newer version of the lane's day (the lane sent it there
            # directly): this copy is done with; a newer one here goes up again.
            summary.reports_unchanged += 1
            _note_report(engine, upstream, checkpoint_id, report.lane_id, report.day, report.digest)
            _unhold(engine, upstream, checkpoint_id, report.lane_id, "report", [str(report.day)])
            continue
        if receipt.digest != report.digest:
            raise SyncError(
                f"the parent hub holds another version of {checkpoint_id}'s report of "
                f"{report.day} than the one sent"
            )
        if receipt.status is ReportStatus.STORED:
            summary.reports_stored += 1
        elif receipt.status is ReportStatus.REPLACED:
            summary.reports_replaced += 1
        else:
            summary.reports_unchanged += 1
        _note_report(engine, upstream, checkpoint_id, report.lane_id, report.day, report.digest)
        _unhold(engine, upstream, checkpoint_id, report.lane_id, "report", [str(report.day)])


def _tell_below(
    engine: sa.Engine,
    client: HubClient,
    summary: ForwardSummary,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> None:
    statement = statement_of(engine)
    try:
        with_retries(
            functools.partial(client.put_below, _compressed(statement.model_dump(mode="json"))),
            client.hub_url,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
        )
    except SyncError as error:
        if error.status not in (404, 405):  # a parent from before this endpoint
            raise
        return
    summary.below = len(statement.checkpoints)


def _lanes_held(engine: sa.Engine, checkpoint_id: str) -> list[str]:
    """The lanes of `checkpoint_id` with records held here."""
    with engine.connect() as connection:
        found = list(
            connection.execute(
                sa.select(records.c.lane_id)
                .where(records.c.checkpoint_id == checkpoint_id)
                .distinct()
                .order_by(records.c.lane_id)
            ).scalars()
        )
        connection.rollback()
    return found


def _bodies_after(
    engine: sa.Engine,
    checkpoint_id: str,
    lane_id: str,
    after: tuple[int, str | None],
    limit: int,
) -> list[dict[str, Any]]:
    """Bodies of the lane's records after `after` ((seq, id): the legacy lane may hold several
    records with one seq; id None: after every record of that seq), by seq and id."""
    seq, record_id = after
    later = records.c.seq > seq
    if record_id is not None:
        later = sa.or_(later, sa.and_(records.c.seq == seq, records.c.id > record_id))
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(records.c.body)
            .where(
                records.c.checkpoint_id == checkpoint_id,
                records.c.lane_id == lane_id,
                later,
            )
            .order_by(records.c.seq, records.c.id)
            .limit(limit)
        ).scalars()
        bodies = [wire_body(body) for body in rows]
        connection.rollback()
    return bodies


def _pending(engine: sa.Engine, upstream: str) -> int:
    mark = (
        sa.select(upstream_marks.c.acked_seq)
        .where(
            upstream_marks.c.upstream == upstream,
            upstream_marks.c.checkpoint_id == records.c.checkpoint_id,
            upstream_marks.c.lane_id == records.c.lane_id,
        )
        .scalar_subquery()
    )
    with engine.connect() as connection:
        count = connection.execute(
            sa.select(sa.func.count()).where(records.c.seq > sa.func.coalesce(mark, 0))
        ).scalar()
        connection.rollback()
    return int(count or 0)


def forward(
    engine: sa.Engine,
    client: HubClient,
    *,
    batch_size: int = DEFAULT_BATCH,
    retries: int = 5,
    backoff: float = 0.5,
    sleep: Callable[[float], Any] = time.sleep,
) -> ForwardSummary:
    """Tell the parent (`client`) which checkpoints are enrolled here and below, then send it
    every record and daily report version it has not acknowledged, checkpoint by checkpoint;
    the summary, or `ForwardError` with it."""
    upstream = client.hub_url
    summary = ForwardSummary(upstream=upstream)
    checkpoint_ids = _held_checkpoints(engine)
    summary.checkpoints = len(checkpoint_ids)
    current = current_lane = ""
    try:
        # Check the link and the token first, also when there is nothing to send; the parent
        # lets a hub's token act only for the checkpoints it was told are below it.
        _tell_below(engine, client, summary, retries=retries, backoff=backoff, sleep=sleep)
        # A parent that heard the statement has checked the link and the token already; with
        # nothing held, asking it about a checkpoint would only be refused (none is below).
        if checkpoint_ids or summary.below is None:
            probe = checkpoint_ids[0] if checkpoint_ids else "-"
            with_retries(
                lambda: client.status(probe),
                upstream,
                retries=retries,
                backoff=backoff,
                sleep=sleep,
            )
        for checkpoint_id in checkpoint_ids:
            current = checkpoint_id
            for lane_id in _lanes_held(engine, checkpoint_id):
                current_lane = lane_id
                _forward_lane(
                    engine,
                    client,
                    checkpoint_id,
                    lane_id,
                    summary,
                    batch_size=batch_size,
                    retries=retries,
                    backoff=backoff,
                    sleep=sleep,
                )
            current_lane = ""
            _forward_reports(
                engine,
                client,
                checkpoint_id,
                summary,
                retries=retries,
                backoff=backoff,
                sleep=sleep,
            )
    except SyncError as error:
        summary.clock_skew_s = client.told_skew
        if current:
            _note(engine, upstream, current, current_lane, error=error.message)
        hint = TOKEN_HINT if "hub enroll" in error.hint else error.hint
        failure = ForwardError(error.message, hint=hint)
        failure.forward_summary = summary
        raise failure from error
    summary.pending = _pending(engine, upstream)
    summary.clock_skew_s = client.told_skew
    if summary.clock_skew_s is not None and abs(summary.clock_skew_s) > LARGE_SKEW.total_seconds():
        _log.warning(
            "the parent hub %s says this hub's clock is %+d s off its own: set it right",
            upstream,
            summary.clock_skew_s,
        )
    return summary


def _bodies_of(
    engine: sa.Engine, checkpoint_id: str, lane_id: str, ids: list[str]
) -> list[dict[str, Any]]:
    """Bodies of the lane's records with these ids, by seq and id."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(records.c.body)
            .where(
                records.c.checkpoint_id == checkpoint_id,
                records.c.lane_id == lane_id,
                records.c.id.in_(ids),
            )
            .order_by(records.c.seq, records.c.id)
        ).scalars()
        bodies = [wire_body(body) for body in rows]
        connection.rollback()
    return bodies


def _post_or_hold(
    engine: sa.Engine,
    client: HubClient,
    checkpoint_id: str,
    lane_id: str,
    bodies: list[dict[str, Any]],
    summary: ForwardSummary,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> list[bool] | None:
    """Post `bodies` as one batch; for each, whether the parent holds it now (stored or
    duplicate) or it is held back (refused: kept in `upstream_held`, in `summary.rejected`).
    None when the parent asks for fewer records at once."""
    upstream = client.hub_url
    try:
        answers = post_checked(
            client,
            encode_batch(checkpoint_id, bodies, lane_id=lane_id),
            [(body["id"], body["seq"]) for body in bodies],
            retries=retries,
            backoff=backoff,
            sleep=sleep,
        )
    except SyncError as error:
        if not held_as_too_large(error):
            raise
        statuses: list[ReceiptStatus] = [ReceiptStatus.REJECTED]
        reasons: list[str | None] = [error.message]
    else:
        if answers is None:
            return None
        statuses, reasons = answers.statuses, answers.reasons
    taken: list[bool] = []
    for body, status, reason in zip(bodies, statuses, reasons, strict=True):
        if status is ReceiptStatus.REJECTED:
            summary.rejected.append(
                ForwardRejection(checkpoint_id, body["seq"], body["id"], reason or "")
            )
            _hold(
                engine,
                upstream,
                checkpoint_id,
                lane_id,
                "record",
                body["id"],
                reason or "",
                seq=body["seq"],
            )
            taken.append(False)
            continue
        if status is ReceiptStatus.STORED:
            summary.stored += 1
        else:
            summary.duplicates += 1
        taken.append(True)
    return taken


def _forward_lane(
    engine: sa.Engine,
    client: HubClient,
    checkpoint_id: str,
    lane_id: str,
    summary: ForwardSummary,
    *,
    batch_size: int,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> None:
    upstream = client.hub_url
    post = functools.partial(
        _post_or_hold,
        engine,
        client,
        checkpoint_id,
        lane_id,
        retries=retries,
        backoff=backoff,
        sleep=sleep,
    )
    rejected_before = len(summary.rejected)
    # Records held back by an earlier forward first, one by one: those the parent now takes
    # are no longer held back.
    held = _held_items(engine, upstream, checkpoint_id, lane_id, "record")
    for body in _bodies_of(engine, checkpoint_id, lane_id, held):
        taken = post([body], summary)
        if taken and taken[0]:
            _unhold(engine, upstream, checkpoint_id, lane_id, "record", [body["id"]])
    mark = upstream_mark(engine, upstream, checkpoint_id, lane_id)
    stored_before = summary.stored
    # Seqs the lane said it holds back: gaps known, not records on their way; the mark moves
    # past them (in the legacy lane, where several logs share seqs, no seq is known so).
    gaps = (
        held_below.held_seqs(engine, checkpoint_id, lane_id)
        if lane_id != LEGACY_LANE_ID
        else frozenset[int]()
    )
    # After the mark; in the legacy lane, from the mark's seq on: another record may share it.
    cursor: tuple[int, str | None] = (mark, "" if lane_id == LEGACY_LANE_ID else None)
    size = max(1, batch_size)
    while True:
        bodies = _bodies_after(engine, checkpoint_id, lane_id, cursor, size)
        if not bodies:
            break
        taken = post(bodies, summary)
        if taken is None:  # too large for the parent: half as many records at once
            size = max(1, size // 2)
            continue
        if len(bodies) == 1 and not taken[0]:
            size = max(1, batch_size)  # past a record refused alone: full batches again
        contiguous = True
        for body in bodies:
            while contiguous and mark + 1 in gaps:
                mark += 1
            # Only a seq right after the mark moves it: a gap in what this hub holds stops it.
            # (One at or under it comes from the legacy lane, where seqs may repeat.) A record
            # the parent refused is held back and moves it like one it took.
            if contiguous and body["seq"] <= mark + 1:
                mark = max(mark, body["seq"])
            else:
                contiguous = False
        _note(engine, upstream, checkpoint_id, lane_id, seq=mark)
        cursor = (bodies[-1]["seq"], bodies[-1]["id"])
    if gaps and mark + 1 in gaps:  # held back at the laptop after the last record held here
        while mark + 1 in gaps:
            mark += 1
        _note(engine, upstream, checkpoint_id, lane_id, seq=mark)
    if gaps or summary.stored > stored_before:
        _tell_held_back(
            engine, client, checkpoint_id, lane_id, retries=retries, backoff=backoff, sleep=sleep
        )
    if len(summary.rejected) > rejected_before:
        first = summary.rejected[rejected_before]
        _note(
            engine,
            upstream,
            checkpoint_id,
            lane_id,
            error=f"{len(summary.rejected) - rejected_before} records held back, first seq "
            f"{first.seq}: {first.reason}",
        )


def _tell_held_back(
    engine: sa.Engine,
    client: HubClient,
    checkpoint_id: str,
    lane_id: str,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> None:
    """Pass on to the parent what the lane said it holds back (an empty list once it sent
    everything, which reaches here as new records; a parent from before this is left alone)."""
    statement = held_below.statement_of(engine, checkpoint_id, lane_id)
    send_held_back(client, checkpoint_id, statement, retries=retries, backoff=backoff, sleep=sleep)


class Forwarder:
    """Forwards to a parent hub in a background thread while the hub serves (`hub serve
    --upstream`): every `interval` seconds after a success, with backoff (doubling up to
    `max_backoff`) after a failure. Failures are reported through `report`, never raised."""

    def __init__(
        self,
        engine: sa.Engine,
        upstream: str,
        token: str,
        *,
        interval: float = 60.0,
        max_backoff: float = 600.0,
        report: Callable[[str], Any] = print,
    ) -> None:
        self.engine = engine
        self.upstream = upstream
        self.token = token
        self.interval = interval
        self.max_backoff = max_backoff
        self.report = report
        self.last: ForwardSummary | None = None
        """The summary of the last forward that finished."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hub-forward", daemon=True)

    def start(self) -> Forwarder:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        delay = self.interval
        failures = 0
        while not self._stop.is_set():
            try:
                with HubClient(self.upstream, self.token) as client:
                    self.last = forward(self.engine, client, retries=2, sleep=self._stop.wait)
                failures, delay = 0, self.interval
                last = self.last
                reports = last.reports_stored + last.reports_replaced + last.reports_unchanged
                if last.sent or last.rejected or reports or last.reports_rejected:
                    self.report(
                        f"forwarded to {self.upstream}: {last.stored} stored, "
                        f"{last.duplicates} already there, {len(last.rejected)} "
                        f"rejected, {last.pending} pending; daily reports: "
                        f"{last.reports_stored} stored, {last.reports_replaced} replaced, "
                        f"{len(last.reports_rejected)} rejected"
                    )
            except Exception as error:  # the thread must outlive any failure
                failures += 1
                delay = min(self.max_backoff, self.interval * 2**failures)
                self.report(
                    f"forwarding to {self.upstream} failed, next try in {delay:.0f} s: {error}"
                )
            self._stop.wait(delay)
