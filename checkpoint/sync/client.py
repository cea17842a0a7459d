"""Pushing the local log to a hub: batches in seq order, receipts, and a mark that never runs ahead.

The client sends every record after the hub's acknowledged mark, in batches ordered by seq,
gzip-compressed. The mark moves only over receipts, and only over a contiguous run of records
answered ("stored" or "duplicate") or held back from the mark on: a record missing from the
answer or never answered stops it there. It is written in the log's database after the
answer arrived, so an interruption anywhere (link, hub, or this program killed) leaves it at
or behind what the hub holds, and the next sync resends from it; the hub answers "duplicate"
for what it already had.

Two batches are at the hub at once (`in_flight`): while it stores one, the next is on its way
and the laptop reads and compresses the one after. Answers are taken in the batches' order, so
the mark moves exactly as if they had been sent one by one: a batch that fails stops it there,
whatever the hub answered for the batches sent after it.

Transient failures (connection refused or reset, timeouts, a truncated answer, 5xx, 429) are
retried with exponential backoff; a 413 halves the batch; 401/403 and other 4xx stop the sync
with the hub's reason.

A record that cannot be sent never blocks the rest. One the hub rejects, one too large for it
even alone (when the hub takes at least `RECORD_LIMIT` bytes: under that the hub's limit is the
fault, and the sync stops), or one the wire cannot carry as stored (`wire.records.
wire_refusal`: never sent altered) is held back: kept in the log's `held_back` with why, in the
same unit of work as the mark that moves past it. Every sync first sends the held-back records
again, one by one, and forgets those the hub takes; then it tells the hub which records the lane
still holds back (`PUT …/held-back`), so that the hub knows those seqs are gaps held at the
laptop, not losses.
"""

from __future__ import annotations

import functools
import itertools
import random
import socket
import ssl
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, NamedTuple, TypeVar

import httpx
import orjson
import pydantic

from checkpoint.errors import CheckpointError
from checkpoint.locale import DEFAULT_LANGUAGE, Said, translate
from checkpoint.store.engine import Store
from checkpoint.store.lanes import log_lane
from checkpoint.store.sync_state import (
    RECORD,
    acked_mark,
    advance_mark,
    head_seq,
    held_back,
    held_back_count,
    hold_back,
    note_failure,
    note_hub_clock,
    release,
    rows_between,
)
from checkpoint.wire import DEFAULT_BATCH, DISK_FULL, PROBLEM_HEADER
from checkpoint.wire.clock import SENT_AT_HEADER, SKEW_HEADER, hub_time, utc_text
from checkpoint.wire.records import (
    CONTENT_ENCODING,
    CheckpointStatus,
    EncodedRows,
    HeldBackRecord,
    HeldBackStatement,
    ReceiptStatus,
    Unsendable,
    encode_log_rows,
)
from checkpoint.wire.refusals import REFUSALS
from checkpoint.wire.reports import RECEIVED_BELOW_HEADER, ReportReceipt

T = TypeVar("T")


class Answers(NamedTuple):
    """The hub's receipts for a batch, record by record in the batch's order, as two lists
    (not an object a record: the laptop's garbage collector watched those by the thousand)."""

    statuses: list[ReceiptStatus]
    reasons: list[str | None]
    """Why each record was rejected; None for the others."""


Progress = Callable[[int, int], None]
"""Called after each batch with (records answered so far, records to send in this sync)."""


@dataclass(frozen=True)
class Rejection:
    """A record held back: the hub refused it, or the wire cannot carry it as stored. The
    rest of the log went on without it; it is tried again at every sync until it goes."""

    seq: int
    table: str
    record_id: str
    reason: str
    """Why, in English (the hub's words, or the local check's)."""
    code: str = "sync.held.refused"
    """Catalog key of why, said in each language with `params` (`sync.held.*`)."""
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class SyncSummary:
    """What one sync did."""

    hub: str
    stored: int = 0
    """Records the hub stored for the first time."""
    duplicates: int = 0
    """Records the hub already held (sent again after an interruption)."""
    rejected: list[Rejection] = field(default_factory=list)
    """Records held back in this sync (refused by the hub or by the local check): the mark
    moved past them, and each is listed as held back until it goes."""
    released: int = 0
    """Records held back before that the hub took in this sync."""
    held_back: int = 0
    """Records held back from this hub after the sync (this one's and earlier ones)."""
    mark: int = 0
    """The acknowledged mark after the sync."""
    head: int = 0
    """The newest seq of the log when the sync started."""

    @property
    def sent(self) -> int:
        """Records answered by the hub in this sync."""
        return self.stored + self.duplicates + len(self.rejected)

    @property
    def unsynced(self) -> int:
        return max(0, self.head - self.mark)


def _refused_locally(refused: Unsendable) -> Rejection:
    reason = (
        f"{refused.table}.{refused.column} holds an infinite number, which the wire cannot carry"
        if refused.why == "not_finite"
        else f"{refused.table} holds text that is not valid Unicode"
    )
    return Rejection(
        refused.seq,
        refused.table,
        refused.record_id,
        reason,
        code=f"sync.held.{refused.why}",
        params={"column": refused.column},
    )


def _refused_by_hub(seq: int, table: str, record_id: str, reason: str | None) -> Rejection:
    return Rejection(seq, table, record_id, reason or "", params={"reason": reason or ""})


def _too_large(seq: int, table: str, record_id: str, error: SyncError) -> Rejection:
    return Rejection(
        seq, table, record_id, error.message, code="sync.held.too_large", params=error.params
    )


def _remember_held(session: Any, hub: str, rejections: list[Rejection]) -> None:
    for held in rejections:
        hold_back(
            session=session,
            hub=hub,
            kind=RECORD,
            item=held.record_id,
            seq=held.seq,
            table_name=held.table,
            code=held.code,
            params=dict(held.params),
            reason=held.reason,
        )


class Problem(StrEnum):
    """Why a sync stopped, for a status line in the user's language."""

    UNREACHABLE = "unreachable"
    """The hub could not be reached or answered with a server error: retrying may help."""
    TOKEN = "token"
    """The hub refused this checkpoint's token (401/403)."""
    REFUSED = "refused"
    """The hub refused the request (another 4xx, or receipts that do not match the batch)."""
    CERTIFICATE = "certificate"
    """HTTPS to the hub cannot be trusted (its certificate) or set up (the CA file)."""
    HUB_FULL = "hub_full"
    """The hub's disk is full: it stored nothing, and will not until someone frees space."""


class Cause(StrEnum):
    """What went wrong on the way to an unreachable hub."""

    REFUSED = "refused"
    """Nothing listens at the hub's address (connection refused)."""
    DROPPED = "dropped"
    """The connection was reset or closed before the answer."""
    TIMEOUT = "timeout"
    """No answer in time."""
    NAME = "name"
    """The hub's host name could not be resolved."""
    NETWORK = "network"
    """Any other network failure."""
    HUB_ERROR = "hub_error"
    """The hub answered with a server error (5xx) or asked to slow down (429)."""
    DAMAGED = "damaged"
    """The hub's answer was incomplete or damaged."""


class SyncError(CheckpointError):
    """A sync stopped before the end; `summary` says how far it got.

    Its `code` is a catalog key (`sync.hub.*`): the CLI says it with its hint in the user's
    language, the lane's status bar says the short form (`<code>.short`)."""

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        code: str = "",
        params: dict[str, object] | None = None,
        summary: SyncSummary | None = None,
        problem: Problem = Problem.REFUSED,
        cause: Cause | None = None,
        status: int | None = None,
    ):
        super().__init__(message, hint=hint, code=code, params=params)
        self.summary = summary
        self.problem = problem
        """Why it stopped, as a kind."""
        self.cause = cause
        """For an unreachable hub: what went wrong on the way."""
        self.status = status
        """The hub's HTTP status, when it answered."""


def stopped(
    code: str,
    /,
    *,
    problem: Problem = Problem.REFUSED,
    cause: Cause | None = None,
    status: int | None = None,
    said: Mapping[str, object] | None = None,
    **params: object,
) -> SyncError:
    """A `SyncError` said from the catalog message `sync.hub.<code>` (and its hint), with
    `params` and those `said` (a hub's, whatever their names)."""
    params = {**(said or {}), **params, "status": status or "—"}
    if "detail" in params:  # the messages end their sentences themselves
        params["detail"] = str(params["detail"]).rstrip(". ")
    error = CheckpointError.of(f"sync.hub.{code}", **params)
    return SyncError(
        error.message,
        hint=error.hint,
        code=error.code,
        params=error.params,
        problem=problem,
        cause=cause,
        status=status,
    )


def _hub_full(hub_url: str) -> SyncError:
    code, params = "sync.hub_disk_full", dict[str, object](hub=hub_url)
    error = SyncError(
        translate(code, DEFAULT_LANGUAGE, **params),
        hint=translate(f"{code}.hint", DEFAULT_LANGUAGE, **params),
        problem=Problem.HUB_FULL,
        status=503,
    )
    error.code, error.params = code, params  # said again in the screen's language
    return error


class _TransientError(Exception):
    def __init__(self, message: str, *, cause: Cause, status: int | None = None) -> None:
        super().__init__(message)
        self.cause = cause
        self.status = status


def _certificate_refused(error: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


# OpenSSL's verify codes (X509_V_ERR_*) and what the volunteer is told for each.
_CERTIFICATE_CODES: Final[dict[int, str]] = {
    9: "certificate_not_yet_valid",
    10: "certificate_expired",
    18: "certificate_unknown",  # self-signed
    19: "certificate_unknown",  # self-signed authority in the chain
    20: "certificate_unknown",  # issuer not trusted here
    21: "certificate_unknown",
    62: "certificate_host",  # the name does not match
    64: "certificate_host",  # the IP address does not match
}


def _certificate_error(refused: ssl.SSLCertVerificationError, hub_url: str) -> SyncError:
    code = _CERTIFICATE_CODES.get(refused.verify_code or 0, "certificate")
    detail = refused.verify_message or refused.reason or str(refused)
    host = httpx.URL(hub_url).host
    return stopped(code, problem=Problem.CERTIFICATE, hub=hub_url, host=host, detail=detail)


def _cause_of(error: httpx.TransportError) -> Cause:
    """What a transport failure was, from the OS error underneath when there is one."""
    if isinstance(error, httpx.TimeoutException):
        return Cause.TIMEOUT
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return Cause.REFUSED
        if isinstance(seen, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return Cause.DROPPED
        if isinstance(seen, socket.gaierror):
            return Cause.NAME
        if isinstance(seen, TimeoutError | socket.timeout):
            return Cause.TIMEOUT
        seen = seen.__cause__ or seen.__context__
    text = str(error).lower()
    if "refused" in text:
        return Cause.REFUSED
    if "name or service" in text or "nodename" in text or "name resolution" in text:
        return Cause.NAME
    if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return Cause.DROPPED
    return Cause.NETWORK


class TooLargeError(Exception):
    """The hub refused a request as too large (413): send fewer records at once."""

    def __init__(self, message: str, *, limit: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        """The hub's limit in bytes, when it says it."""


RECORD_LIMIT: Final = 1024 * 1024
"""A hub that takes bodies of at least this many bytes refuses a record alone as too large
because of the record (no log writes one near that size): it is held back and the rest goes
on. Under it, the hub's limit is the fault (every record may be refused): the sync stops and
says so, as for any refusal of the hub."""


def held_as_too_large(error: SyncError) -> bool:
    """Whether `error` is a hub's refusal of one record as too large that holds back that
    record rather than stopping the sync (`RECORD_LIMIT`)."""
    limit = error.params.get("limit")
    return (
        error.code == "sync.hub.single_too_large"
        and isinstance(limit, int)
        and limit >= RECORD_LIMIT
    )


@dataclass(frozen=True)
class _Answer:
    """A refusal as the hub sent it: its English detail, and its code when the hub gives one
    this client knows (hubs older than the codes give only the detail)."""

    detail: str
    code: str | None
    params: dict[str, object]


def _refusal(response: httpx.Response) -> _Answer:
    try:
        body = response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    detail = body.get("detail")
    if isinstance(detail, list):  # pydantic's list of errors
        detail = "; ".join(
            f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg')}"
            for d in detail[:3]
            if isinstance(d, dict)
        )
    code, params = body.get("code"), body.get("params")
    known = code if isinstance(code, str) and code in REFUSALS else None
    return _Answer(
        detail=str(detail or response.reason_phrase),
        code=known,
        params={
            str(name): value
            for name, value in (params if isinstance(params, dict) else {}).items()
            if isinstance(value, str | int) and not isinstance(value, bool)
        },
    )


def _detail(response: httpx.Response) -> str:
    return _refusal(response).detail


def _read_receipts(content: bytes) -> tuple[list[tuple[str, int]], Answers]:
    """The id and seq of each receipt of a batch's answer (`BatchReceipts`), and its status
    and reason; TypeError, ValueError or LookupError when it is not one."""
    answer = orjson.loads(content)
    if not isinstance(answer, dict) or not isinstance(answer.get("receipts"), list):
        raise TypeError("no list of receipts")
    answered: list[tuple[str, int]] = []
    read = Answers([], [])
    for receipt in answer["receipts"]:
        if not isinstance(receipt, dict):
            raise TypeError(f"a receipt that is not an object: {receipt!r:.100}")
        record_id, seq, reason = receipt["id"], receipt["seq"], receipt.get("reason")
        if type(record_id) is not str or type(seq) is not int or not isinstance(reason, str | None):
            raise TypeError(f"a receipt of the wrong form: {receipt!r:.200}")
        answered.append((record_id, seq))
        read.statuses.append(ReceiptStatus(receipt["status"]))
        read.reasons.append(reason)
    return answered, read


class HubClient:
    """HTTP access to one hub with one checkpoint's token."""

    def __init__(
        self,
        hub_url: str,
        token: str,
        *,
        timeout: float = 60.0,
        connect_timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`timeout`: seconds to wait for the hub to take a request or answer it (and for a
        free connection); `connect_timeout` (default: that, at most 10 s) to accept one."""
        self.hub_url = hub_url.rstrip("/")
        """The hub's address without a trailing slash: the key of its acknowledged mark."""
        self.clock = clock or (lambda: datetime.now(UTC))
        """This machine's clock (injected by tests that need a wrong one)."""
        self.skew: timedelta | None = None
        """This machine's clock minus the hub's, from the hub's last answer (None before one):
        the hub says its time on every answer (`wire.clock`)."""
        self.hub_time: datetime | None = None
        """The hub's time at its last answer."""
        self.told_skew: int | None = None
        """What the hub said of this machine's clock (seconds ahead of the hub's) at its last
        answer, when it said it."""
        try:
            self._http = httpx.Client(
                base_url=self.hub_url + "/",
                headers={"Authorization": f"Bearer {token}"},
                timeout=httpx.Timeout(
                    timeout,
                    connect=min(timeout, 10.0) if connect_timeout is None else connect_timeout,
                ),
                transport=transport,
            )
        except OSError as error:  # ssl.SSLError is one: a CA file that is missing or not one
            raise stopped("tls_setup", problem=Problem.CERTIFICATE, detail=error) from error

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, path: str, **options: Any) -> httpx.Response:
        """One request; `_TransientError` for what may be retried, `SyncError` for a refusal."""
        headers = {**options.pop("headers", {}), SENT_AT_HEADER: utc_text(self.clock())}
        try:
            asked = self.clock()
            response = self._http.request(method, path, headers=headers, **options)
            response.read()
            self._learn_clock(response, asked)
        except httpx.TransportError as error:
            refused = _certificate_refused(error)
            if refused is not None:  # retrying cannot help: say so at once
                raise _certificate_error(refused, self.hub_url) from error
            raise _TransientError(
                f"{type(error).__name__}: {error}".rstrip(": "), cause=_cause_of(error)
            ) from error
        status = response.status_code
        if status == 503 and response.headers.get(PROBLEM_HEADER) == DISK_FULL:
            # Not "could not be reached", and not retried at once: a person must free space.
            raise _hub_full(self.hub_url)
        if status == 413:
            limit = _refusal(response).params.get("limit")
            raise TooLargeError(_detail(response), limit=limit if isinstance(limit, int) else None)
        if 400 <= status < 500 and status != 429:
            raise self._refused(response)
        if status == 429 or status >= 500:
            raise _TransientError(
                f"the hub answered {status}: {_detail(response)}",
                cause=Cause.HUB_ERROR,
                status=status,
            )
        if status != 200:
            raise stopped("refused", status=status, detail=_detail(response))
        return response

    def _learn_clock(self, response: httpx.Response, asked: datetime) -> None:
        """The skew from the hub's time on its answer, against the middle of the exchange."""
        said = hub_time(response.headers)
        if said is None:
            return
        answered = self.clock()
        self.skew = asked + (answered - asked) / 2 - said
        self.hub_time = said
        told = response.headers.get(SKEW_HEADER)
        if told is not None and told.lstrip("-").isdigit():
            self.told_skew = int(told)

    def hub_now(self) -> datetime | None:
        """The hub's time now, as this machine's clock and the last skew say; None before the
        hub answered once."""
        if self.skew is None:
            return None
        return self.clock() - self.skew

    def remember_clock(self, store: Store) -> None:
        """Keep the last skew in the log's sync state (shown by `checkpoint sync` and the lane)."""
        if self.skew is None or self.hub_time is None:
            return
        with store.session() as session:
            note_hub_clock(
                session=session,
                hub=self.hub_url,
                skew_s=self.skew.total_seconds(),
                hub_time=self.hub_time,
            )

    def _refused(self, response: httpx.Response) -> SyncError:
        """A 4xx answer as a `SyncError` in words: from the hub's code, or (an older hub) the
        status and its English detail."""
        status, answer = response.status_code, _refusal(response)
        token = status in (401, 403) and answer.code not in ("not_yours", "not_below", "hub_only")
        problem = Problem.TOKEN if token else Problem.REFUSED
        if answer.code is None:
            return stopped(
                "token" if token else "refused",
                problem=problem,
                status=status,
                detail=answer.detail,
            )
        params = {"hub": self.hub_url, **answer.params, "detail": answer.detail}
        try:
            return stopped(answer.code, problem=problem, status=status, said=params)
        except (KeyError, IndexError, ValueError):  # a hub's code without the params it needs
            code = "token" if token else "refused"
            return stopped(code, problem=problem, status=status, detail=answer.detail)

    def post_batch(self, body: bytes) -> tuple[list[tuple[str, int]], Answers]:
        """Send one compressed batch; the id and seq of each of its receipts, and their
        statuses and reasons.

        The answer (`BatchReceipts`) is read with orjson and checked field by field rather
        than validated as models: three objects a receipt for the garbage collector to watch
        were, on the laptop, more than the rest of reading the answer.
        """
        response = self._send(
            "POST",
            "v1/batches",
            content=body,
            headers={"Content-Encoding": CONTENT_ENCODING, "Content-Type": "application/json"},
        )
        try:
            return _read_receipts(response.content)
        except (LookupError, TypeError, ValueError) as error:  # JSONDecodeError is a ValueError
            raise _TransientError(
                f"the hub's answer was incomplete or damaged: {error}", cause=Cause.DAMAGED
            ) from error

    def put_report(
        self, checkpoint_id: str, day: str, body: bytes, *, received_below: str | None = None
    ) -> ReportReceipt:
        """Send one compressed daily report (its JSON form) for report day `day`; the hub's
        answer. A hub forwarding it gives `received_below`: when it first reached that hub."""
        headers = {"Content-Encoding": CONTENT_ENCODING, "Content-Type": "application/json"}
        if received_below is not None:
            headers[RECEIVED_BELOW_HEADER] = received_below
        response = self._send(
            "PUT", f"v1/checkpoints/{checkpoint_id}/reports/{day}", content=body, headers=headers
        )
        try:
            return ReportReceipt.model_validate_json(response.content)
        except pydantic.ValidationError as error:
            raise _TransientError(
                f"the hub's answer was incomplete or damaged: {error}", cause=Cause.DAMAGED
            ) from error

    def put_below(self, body: bytes) -> None:
        """Tell the parent hub which checkpoints are enrolled here and below (compressed JSON,
        `below.BelowCheckpoints`)."""
        self._send(
            "PUT",
            "v1/hubs/checkpoints",
            content=body,
            headers={"Content-Encoding": CONTENT_ENCODING, "Content-Type": "application/json"},
        )

    def put_held_back(self, checkpoint_id: str, statement: HeldBackStatement) -> None:
        """Tell the hub which records of this lane are held back (the whole list)."""
        self._send(
            "PUT",
            f"v1/checkpoints/{checkpoint_id}/held-back",
            content=statement.model_dump_json().encode(),
            headers={"Content-Type": "application/json"},
        )

    def status(self, checkpoint_id: str) -> CheckpointStatus:
        """What the hub holds from `checkpoint_id` (also checks the link and the token)."""
        response = self._send("GET", f"v1/checkpoints/{checkpoint_id}/status")
        try:
            return CheckpointStatus.model_validate_json(response.content)
        except pydantic.ValidationError as error:
            raise _TransientError(
                f"the hub's answer was incomplete or damaged: {error}", cause=Cause.DAMAGED
            ) from error


def _answer_timed_out(error: _TransientError) -> bool:
    """Whether the hub took the connection and then did not answer (or read) in time."""
    seen = error.__cause__
    return isinstance(seen, httpx.TimeoutException) and not isinstance(seen, httpx.ConnectTimeout)


def with_retries(
    call: Callable[[], T],
    hub_url: str,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> T:
    """`call()`, retried `retries` times with jittered exponential backoff on transient failures;
    `SyncError` once they are used up. Refusals (`SyncError`, `TooLargeError`) pass through."""
    for attempt in range(retries + 1):
        try:
            return call()
        except _TransientError as error:
            if attempt == retries and _answer_timed_out(error):
                # Not "could not be reached": it took the connection, then said nothing.
                raise stopped(
                    "silent",
                    problem=Problem.UNREACHABLE,
                    cause=error.cause,
                    hub=hub_url,
                    detail=error,
                ) from error
            if attempt == retries:
                raise stopped(
                    "unreachable",
                    problem=Problem.UNREACHABLE,
                    cause=error.cause,
                    status=error.status,
                    hub=hub_url,
                    why=Said(f"tui.sync.cause.{error.cause.value}", status=error.status or "—"),
                    detail=error,
                ) from error
            # Exponential backoff with jitter: checkpoints that lost the same link do not all
            # come back at the same instant.
            sleep(min(30.0, backoff * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def post_checked(
    client: HubClient,
    body: bytes,
    sent: list[tuple[str, int]],
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> Answers | None:
    """Post one encoded batch (with retries) of the records whose (id, seq) are `sent` and
    return the hub's answer for each, checked to answer the batch record by record; None when
    the hub refuses it as too large (send fewer records).

    The checkpoint's sync and a hub's forwarding both send through here, so both keep the same
    rules before any mark moves.
    """
    try:
        answer = with_retries(
            functools.partial(client.post_batch, body),
            client.hub_url,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
        )
    except TooLargeError as error:
        if len(sent) == 1:
            raise stopped(
                "single_too_large", hub=client.hub_url, detail=error, limit=error.limit or "?"
            ) from error
        return None
    answered, answers = answer
    if answered != sent:
        raise stopped("receipts_mismatch", hub=client.hub_url)
    return answers


IN_FLIGHT: Final = 2
"""Batches at the hub at once by default: the hub stores one while the next is on its way and
the laptop reads and compresses the one after, so neither waits for the other."""


@dataclass
class _Flight:
    """A batch read ahead: the seqs it covers, its encoded rows, and once it was sent ahead,
    the hub's answer."""

    after: int
    last: int
    prepared: Future[EncodedRows]
    answer: Future[Answers | None] | None = None

    def cancel(self) -> None:
        if self.answer is not None:
            self.answer.cancel()
        self.prepared.cancel()


def _retry_held(
    store: Store,
    client: HubClient,
    summary: SyncSummary,
    *,
    checkpoint_id: str,
    lane_id: str,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> None:
    """Send again the records held back from this hub (a hub that now takes them, or one
    whose refusal was passing): those it takes are no longer held back."""
    hub = client.hub_url
    with store.reading() as session:
        seqs = [h.seq for h in held_back(session=session, hub=hub, kind=RECORD) if h.seq]
    still: list[Rejection] = []
    gone: list[str] = []
    for seq in seqs:  # one by one: few, and each may be refused again on its own
        with store.reading() as session:
            rows = list(rows_between(session=session, first=seq, last=seq))
        batch = encode_log_rows(checkpoint_id, rows, lane_id=lane_id)
        still += [_refused_locally(refused) for refused in batch.refused]
        if not batch.sent:
            continue
        (record_id, _), table = batch.sent[0], batch.tables[0]
        try:
            answers = post_checked(
                client, batch.body, batch.sent, retries=retries, backoff=backoff, sleep=sleep
            )
        except SyncError as error:
            if not held_as_too_large(error):
                raise
            still.append(_too_large(seq, table, record_id, error))
            continue
        assert answers is not None  # a single record is never "send fewer"
        status, reason = answers.statuses[0], answers.reasons[0]
        if status is ReceiptStatus.REJECTED:
            still.append(_refused_by_hub(seq, table, record_id, reason))
            continue
        gone.append(record_id)
        if status is ReceiptStatus.STORED:
            summary.stored += 1
        else:
            summary.duplicates += 1
    if gone or still:
        with store.session() as session:
            for record_id in gone:
                release(session=session, hub=hub, kind=RECORD, item=record_id)
            _remember_held(session, hub, still)
    summary.released += len(gone)


def sync(
    store: Store,
    client: HubClient,
    *,
    checkpoint_id: str,
    batch_size: int = DEFAULT_BATCH,
    retries: int = 5,
    backoff: float = 0.5,
    progress: Progress | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    in_flight: int = IN_FLIGHT,
) -> SyncSummary:
    """Send every record the hub has not acknowledged; the summary, or `SyncError` with it.

    Up to `in_flight` batches are sent before the answer to the first is back, each once (and
    one more is read and compressed meanwhile, ready to go as soon as an answer comes); the
    answers are taken in the order of the batches, and the mark moves after each as if they
    had been sent one by one. A batch whose early attempt failed is sent again when its turn
    comes, with `retries`; one that still fails stops the sync there, and nothing the hub
    answered for later batches moves the mark past it.

    A record that cannot be sent never stops the rest: one the hub refuses (rejected, or too
    large even alone) or the wire cannot carry as stored (`wire_refusal`) is held back
    (`sync_state.hold_back`, in the same unit of work as the mark that moves past it), and
    tried again at the start of every later sync until the hub takes it.
    """
    hub = client.hub_url
    with store.reading() as session:
        mark = acked_mark(session=session, hub=hub)
        head = head_seq(session=session)
        lane_id = log_lane(session=session).lane_id
    summary = SyncSummary(hub=hub, mark=mark, head=head)
    start = cursor = mark
    size = max(1, batch_size)

    def prepare(after: int, last: int) -> EncodedRows:
        with store.reading() as session:
            rows = rows_between(session=session, first=after + 1, last=last)
            return encode_log_rows(checkpoint_id, rows, lane_id=lane_id)

    def send_early(prepared: Future[EncodedRows]) -> Answers | None:
        # One attempt, no waiting: whatever goes wrong is retried in turn, by the caller.
        batch = prepared.result()
        if not batch.sent:
            return Answers([], [])
        return post_checked(client, batch.body, batch.sent, retries=0, backoff=backoff, sleep=sleep)

    # Batches are read and compressed in order by one thread, sent by others.
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-prepare")
    sender = ThreadPoolExecutor(max_workers=max(1, in_flight), thread_name_prefix="sync-send")
    flights: deque[_Flight] = deque()
    planned = cursor  # the last seq of the batches read so far
    try:
        if cursor == head:  # nothing to send: still check the link and the token
            with_retries(
                lambda: client.status(checkpoint_id),
                hub,
                retries=retries,
                backoff=backoff,
                sleep=sleep,
            )
        _retry_held(
            store,
            client,
            summary,
            checkpoint_id=checkpoint_id,
            lane_id=lane_id,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
        )
        while cursor < head:
            while len(flights) <= max(1, in_flight) and planned < head:
                last = min(head, planned + size)
                flights.append(_Flight(planned, last, reader.submit(prepare, planned, last)))
                planned = last
            for early in itertools.islice(flights, max(1, in_flight)):
                if early.answer is None:
                    early.answer = sender.submit(send_early, early.prepared)
            flight = flights.popleft()
            batch = flight.prepared.result()
            held = [_refused_locally(refused) for refused in batch.refused]
            try:
                assert flight.answer is not None
                answers = flight.answer.result()
            except SyncError:  # its turn now: sent again, with retries and backoff
                try:
                    answers = (
                        Answers([], [])
                        if not batch.sent
                        else post_checked(
                            client,
                            batch.body,
                            batch.sent,
                            retries=retries,
                            backoff=backoff,
                            sleep=sleep,
                        )
                    )
                except SyncError as error:
                    if not held_as_too_large(error):
                        raise
                    # Too large even alone: held back, and the rest goes on at full size.
                    (record_id, seq), table = batch.sent[0], batch.tables[0]
                    held.append(_too_large(seq, table, record_id, error))
                    answers = Answers([], [])
                    batch = EncodedRows([], [], b"", batch.refused)
                    size = max(1, batch_size)
            if answers is None:  # too large for the hub: half as many records at once
                size = max(1, size // 2)
                # The batches sent after it are sent again at the new size; whatever the hub
                # stored of them is a duplicate then.
                for dropped in flights:
                    dropped.cancel()
                flights.clear()
                planned = cursor
                continue
            # Every record of the batch's range was answered or held back: the mark moves
            # over the range as long as the seqs follow one another (a seq missing from the
            # log itself stops it, as before).
            outcome: dict[int, bool] = {h.seq: False for h in held}
            for (record_id, seq), table, status, reason in zip(
                batch.sent, batch.tables, answers.statuses, answers.reasons, strict=True
            ):
                if status is ReceiptStatus.REJECTED:
                    held.append(_refused_by_hub(seq, table, record_id, reason))
                    outcome[seq] = False
                    continue
                outcome[seq] = True
                if status is ReceiptStatus.STORED:
                    summary.stored += 1
                else:
                    summary.duplicates += 1
            new_mark = summary.mark
            if new_mark == cursor:
                while new_mark + 1 in outcome:
                    new_mark += 1
            summary.rejected.extend(sorted(held, key=lambda h: h.seq))
            if new_mark > summary.mark or held:
                with store.session() as session:
                    _remember_held(session, hub, held)
                    if new_mark > summary.mark:
                        summary.mark = advance_mark(session=session, hub=hub, seq=new_mark)
            cursor = flight.last
            if progress is not None:
                progress(cursor - start, head - start)
    except SyncError as error:
        _stop(reader, sender, flights)
        error.summary = summary
        with store.session() as session:
            note_failure(session=session, hub=hub, error=error.message)
            summary.held_back = held_back_count(session=session, hub=hub)
        client.remember_clock(store)
        raise
    finally:
        _stop(reader, sender, flights)
    client.remember_clock(store)
    with store.session() as session:
        summary.mark = advance_mark(session=session, hub=hub, seq=summary.mark)
        summary.held_back = held_back_count(session=session, hub=hub)
    if summary.rejected or summary.released or summary.held_back:
        _tell_held_back(
            store, client, checkpoint_id, lane_id, retries=retries, backoff=backoff, sleep=sleep
        )
    return summary


def _tell_held_back(
    store: Store,
    client: HubClient,
    checkpoint_id: str,
    lane_id: str,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> None:
    """Tell the hub which records this lane holds back, so that it knows their seqs are gaps
    held at the laptop, not losses (a hub from before this is left alone)."""
    with store.reading() as session:
        held = held_back(session=session, hub=client.hub_url, kind=RECORD)
    statement = HeldBackStatement(
        lane_id=lane_id,
        records=[
            HeldBackRecord(
                id=h.item, seq=h.seq or 1, table=h.table_name or "", reason=h.reason[:2000]
            )
            for h in held
        ],
    )
    send_held_back(client, checkpoint_id, statement, retries=retries, backoff=backoff, sleep=sleep)


def send_held_back(
    client: HubClient,
    checkpoint_id: str,
    statement: HeldBackStatement,
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], Any],
) -> None:
    """PUT `statement` (what a lane holds back) to the hub, with the usual retries; a hub from
    before held-back statements (404/405) is left alone. Used by the laptop and by forwarding."""
    try:
        with_retries(
            functools.partial(client.put_held_back, checkpoint_id, statement),
            client.hub_url,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
        )
    except SyncError as error:
        if error.status not in (404, 405):
            raise


def _stop(reader: ThreadPoolExecutor, sender: ThreadPoolExecutor, flights: deque[_Flight]) -> None:
    """Drop the batches not sent yet and wait for the requests already under way (each ends
    within the client's timeout): nothing of this sync goes on after it."""
    for flight in flights:
        flight.cancel()
    flights.clear()
    sender.shutdown(cancel_futures=True)
    reader.shutdown(cancel_futures=True)
