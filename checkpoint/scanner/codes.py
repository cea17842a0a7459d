"""What a scanned text is, so that a scan on the lane goes to the field it belongs to (pure).

Health-code tokens (健康码: a URL, or opaque text) can only be verified online, later; here a
token is kept as scanned, and the volunteer says the colour shown with one key.
"""

from __future__ import annotations

from enum import StrEnum

from checkpoint.domain.documents import detect_document_kind, normalise_document_number
from checkpoint.domain.vocabulary import DocumentKind

MAX_TOKEN = 2000
"""Longer than any health-code URL; a longer line is kept cut at this length."""


class ScanKind(StrEnum):
    DOCUMENT = "document"
    """A resident ID number (some codes carry just that)."""
    HEALTH_CODE = "health-code"


def classify_scan(text: str) -> ScanKind:
    """A resident ID number goes to the document field; anything else is a health-code token."""
    number = normalise_document_number(text)
    if len(number) == 18 and detect_document_kind(number) is DocumentKind.RESIDENT_ID:
        return ScanKind.DOCUMENT
    return ScanKind.HEALTH_CODE


def mask_token(token: str) -> str:
    """A token as shown and printed: its scheme or first 4 characters and its last 4."""
    text = token.strip()
    if len(text) <= 8:
        return "*" * len(text)
    scheme, sep, _ = text.partition("://")
    head = f"{scheme}://" if sep and len(scheme) <= 8 else text[:4]
    return f"{head}…{text[-4:]}"
