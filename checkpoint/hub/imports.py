"""Importing a bundle brought on a USB stick (`checkpoint hub import FILE`).

The bundle is checked whole first (`sync/bundle.py`: gzip intact, signed with the current token
of a checkpoint enrolled here and not revoked, records exactly as its header says), then its
records go through the same ingest as a network batch (`ingest.store_batch`), in batches, so a
record is stored once whichever way, and how many times, it arrives. Its daily reports (a lane
whose only link is the stick) are held as a report sent over the network is
(`report_ingest.store_report`: one per checkpoint, lane and day), after the same check that they
carry no personal data; they are imported after the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from checkpoint.hub import db, report_privacy
from checkpoint.hub.ingest import store_batch
from checkpoint.hub.report_ingest import store_report
from checkpoint.sync.bundle import BundleError, BundleHeader, key_from_token_hash, read_bundle
from checkpoint.wire import DEFAULT_BATCH
from checkpoint.wire.records import Receipt, ReceiptStatus
from checkpoint.wire.reports import ReportStatus, canonical


@dataclass
class ImportSummary:
    """What importing one bundle did."""

    header: BundleHeader
    stored: int = 0
    """Records the hub did not hold before."""
    duplicates: int = 0
    """Records it already held (an earlier import, or a network sync)."""
    rejected: list[Receipt] = field(default_factory=list)
    """Records refused, each with the reason; the others were stored all the same."""
    reports_stored: list[date] = field(default_factory=list)
    """Report days the hub held no report of this lane for."""
    reports_replaced: list[date] = field(default_factory=list)
    """Report days whose report of this lane said something else and was replaced."""
    reports_unchanged: int = 0
    """Daily reports the hub already held as they are, or held a newer version of (an old
    bundle imported after the lane's later reports: `superseded`, the newer one kept)."""
    reports_rejected: list[tuple[date, str]] = field(default_factory=list)
    """(day, reason) of daily reports refused (in English); the others were held."""


def import_bundle(
    engine: sa.Engine, path: Path, *, batch_size: int = DEFAULT_BATCH
) -> ImportSummary:
    """Check the bundle at `path` and store its records; `BundleError` with the reason when the
    bundle is refused (then nothing of it is stored)."""

    def key_for(checkpoint_id: str) -> bytes:
        enrolled = db.enrollment(engine, checkpoint_id)
        if enrolled is None:
            raise BundleError.of("bundle.not_enrolled", checkpoint=checkpoint_id)
        if enrolled.revoked:
            raise BundleError.of("bundle.revoked", checkpoint=checkpoint_id)
        return key_from_token_hash(enrolled.token_hash)

    try:
        with path.open("rb") as stream:
            bundle = read_bundle(stream, key_for, path=path)
    except OSError as error:
        raise BundleError.of("bundle.unreadable", path=path, detail=error) from error
    summary = ImportSummary(header=bundle.header)
    size = max(1, batch_size)
    for start in range(0, len(bundle.records), size):
        chunk = bundle.records[start : start + size]
        for receipt in store_batch(
            engine, bundle.header.checkpoint_id, chunk, lane_id=bundle.header.lane_id
        ):
            if receipt.status is ReceiptStatus.STORED:
                summary.stored += 1
            elif receipt.status is ReceiptStatus.DUPLICATE:
                summary.duplicates += 1
            else:
                summary.rejected.append(receipt)
    code = bundle.header.checkpoint_id
    for report in bundle.reports:
        leak = report_privacy.unmasked(report)
        if leak is not None:
            summary.reports_rejected.append((report.report_day, f"{leak}: not held"))
            continue
        body = canonical(report.model_dump(mode="json"))
        status = store_report(engine, code, report.report_day, body).status
        if status is ReportStatus.STORED:
            summary.reports_stored.append(report.report_day)
        elif status is ReportStatus.REPLACED:
            summary.reports_replaced.append(report.report_day)
        else:
            summary.reports_unchanged += 1
    return summary
