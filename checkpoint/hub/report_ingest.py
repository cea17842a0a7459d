"""Storing a daily report: one row per (checkpoint, lane, report day), replaced by a resubmission
of that lane's report that says something else, kept as it is by one that says the same. The
lane is the one the report names (`wire.reports.lane_of`): no lane's report replaces another's.
Nor does an older version replace a newer one, whatever the order they arrive in: a version
made from an earlier state of the lane's log (`wire.reports.report_order`) than the one held is
answered `superseded` and the newer one stays (an old bundle imported late, a township
forwarding its old copy of a report the lane has since sent here directly).

One transaction per report. The row is inserted if absent (`ON CONFLICT DO NOTHING`); when it
was present, it is read under a row lock and replaced only if the digests differ. A concurrent
copy of the same request waits for the first and then finds it held: the day is never counted
twice. Every distinct version's first arrival goes to `report_versions`, so the hub can tell an
on-time report later corrected from one that arrived late. A report forwarded by a hub below
comes with when it first reached that hub (`now`, see `app.put_report`); the earliest arrival
of a version held stands.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from checkpoint.hub.db import report_versions, reports
from checkpoint.wire.reports import (
    ReportReceipt,
    ReportStatus,
    lane_of,
    report_digest,
    report_order,
)


def _insert(table: sa.Table, dialect: str, keys: list[str]) -> Any:
    insert: Any = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_nothing(index_elements=keys)


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite gives back naive times; they were stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def store_report(
    engine: sa.Engine,
    checkpoint_id: str,
    day: date,
    body: dict[str, Any],
    *,
    now: datetime | None = None,
) -> ReportReceipt:
    """Hold `body` (a validated daily report, `wire.reports.canonical`) as `checkpoint_id`'s
    report of `day`, arrived at `now` (default: the current time); what was done with it."""
    received_at = now or datetime.now(UTC)
    digest = report_digest(body)
    kept = digest  # the digest of the version held once this report is dealt with
    lane_id, _ = lane_of(body)
    dialect = engine.dialect.name
    key = (
        (reports.c.checkpoint_id == checkpoint_id)
        & (reports.c.lane_id == lane_id)
        & (reports.c.day == day)
    )
    with engine.begin() as connection:
        inserted = connection.execute(
            _insert(reports, dialect, ["checkpoint_id", "lane_id", "day"]).returning(reports.c.day),
            {
                "checkpoint_id": checkpoint_id,
                "lane_id": lane_id,
                "day": day,
                "body": body,
                "received_at": received_at,
            },
        ).first()
        if inserted is not None:
            status = ReportStatus.STORED
        else:
            held = connection.execute(
                sa.select(reports.c.body).where(key).with_for_update()
            ).scalar_one()
            order, held_order = report_order(body), report_order(held)
            if report_digest(held) == digest:
                status = ReportStatus.UNCHANGED
            elif order is not None and held_order is not None and order < held_order:
                status = ReportStatus.SUPERSEDED
                kept = report_digest(held)
            else:
                status = ReportStatus.REPLACED
                connection.execute(
                    reports.update().where(key).values(body=body, received_at=received_at)
                )
        # A version forwarded from below may carry an earlier arrival than one already held
        # (it also came here directly, later): the earliest arrival stands.
        earliest = sa.func.least if dialect == "postgresql" else sa.func.min
        version: Any = (
            postgresql.insert(report_versions)
            if dialect == "postgresql"
            else sqlite.insert(report_versions)
        )
        version = version.on_conflict_do_update(
            index_elements=["checkpoint_id", "lane_id", "day", "digest"],
            set_={
                "received_at": earliest(report_versions.c.received_at, version.excluded.received_at)
            },
        )
        connection.execute(
            version,
            {
                "checkpoint_id": checkpoint_id,
                "lane_id": lane_id,
                "day": day,
                "digest": digest,
                "received_at": received_at,
            },
        )
        # A superseded version is still one the lane made (its arrival may say the day was on
        # time); the receipt speaks of the newer version held.
        first_seen = connection.execute(
            sa.select(report_versions.c.received_at).where(
                (report_versions.c.checkpoint_id == checkpoint_id)
                & (report_versions.c.lane_id == lane_id)
                & (report_versions.c.day == day)
                & (report_versions.c.digest == kept)
            )
        ).scalar()
        if first_seen is None:  # held before versions were kept
            first_seen = connection.execute(
                sa.select(reports.c.received_at).where(key)
            ).scalar_one()
    return ReportReceipt(
        checkpoint_id=checkpoint_id,
        report_day=day,
        lane_id=lane_id,
        status=status,
        digest=kept,
        received_at=_utc_text(first_seen),
    )
