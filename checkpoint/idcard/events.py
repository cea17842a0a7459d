"""What an ID card reader reports: one event per card placed, and the reader's status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from checkpoint.idcard.card import CardError, IdCard


class ReaderStatus(StrEnum):
    """The state of the line and the reader (labels: `idcard.status.*`)."""

    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    RECONNECTING = "reconnecting"
    PORT_ERROR = "port-error"
    TIMEOUT = "timeout"
    """No answer to a request: a reader that is off, or another device on the port."""
    NO_CARD = "no-card"
    """Ready, nothing on it (said once after connecting and after each card)."""
    CARD_REMOVED = "card-removed"
    NOT_AUTHORISED = "not-authorised"
    """The reader's SAM module is not authorised (SW3 66)."""
    SELF_TEST_FAILED = "self-test-failed"
    """SW3 60."""
    BAD_CHECKSUM = "bad-checksum"
    """A frame with a bad checksum from the reader, or the reader saying ours had one."""
    READ_FAILED = "read-failed"
    """Selecting or reading the card failed (moved too early, a damaged card, auth failed)."""


@dataclass(frozen=True, slots=True)
class CardRead:
    """A card was placed and its text read and checked: once per placement."""

    card: IdCard
    at: datetime


@dataclass(frozen=True, slots=True)
class CardRefused:
    """A card was read but its text fails a check: reported, not used."""

    error: CardError
    at: datetime


@dataclass(frozen=True, slots=True)
class ReaderStatusEvent:
    status: ReaderStatus
    at: datetime
    port: str
    detail: str = ""


IdCardEvent = CardRead | CardRefused | ReaderStatusEvent
