"""The hub's check that a daily report carries no personal data: the names, document numbers
and phones of its fever cases arrive masked as the checkpoint prints them
(`domain.masking`), or the report is refused. A checkpoint masks them before sending; an old
or modified client that does not is told so instead of leaving them at the hub."""

from __future__ import annotations

from typing import Final

from checkpoint.domain.masking import mask_name
from checkpoint.wire.reports import DayReport

MAX_VISIBLE: Final = 10
"""Most characters a masked number shows (a resident ID keeps its region code and last 4)."""


def _masked_number(value: str) -> bool:
    """Whether a document or phone number looks as `mask_document`/`mask_phone` leave it:
    its middle hidden by at least three `*`, at most `MAX_VISIBLE` characters shown."""
    text = value.strip()
    if len(text) <= 3:
        return set(text) <= {"*"}
    return text.count("*") >= 3 and len(text) - text.count("*") <= MAX_VISIBLE


def _masked_name(value: str) -> bool:
    # Masking a masked name changes nothing (张* stays 张*, J*** stays J***); a full one does.
    return mask_name(value) == value.strip()


def unmasked(report: DayReport) -> str | None:
    """Which personal field of which case is not masked (in English), or None."""
    for number, case in enumerate(report.cases, start=1):
        if not _masked_name(case.name):
            return f"case {number}: the name is not masked"
        if not _masked_number(case.document):
            return f"case {number}: the document number is not masked"
        if not _masked_number(case.phone):
            return f"case {number}: the phone number is not masked"
    return None
