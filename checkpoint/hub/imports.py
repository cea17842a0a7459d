"""Importing a bundle brought on a USB stick (`checkpoint hub import FILE`).

The bundle is checked whole first (`sync/bundle.py`: gzip intact, signed with the current token
of a checkpoint enrolled here and not revoked, records exactly as its header says), then its
records go through the same ingest as a network batch (`ingest.store_batch`), in batches, so a
record is stored once whichever way, and how many times, it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.hub.ingest import store_batch
from checkpoint.sync.bundle import BundleError, BundleHeader, key_from_token_hash, read_bundle
from checkpoint.wire import DEFAULT_BATCH
from checkpoint.wire.records import Receipt, ReceiptStatus


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
    return summary
