"""The hub's HTTP service: `make_hub_app(db_url)` builds it for uvicorn, the CLI and the tests.

Every route needs `Authorization: Bearer <token>` as issued by `checkpoint hub enroll`: a
missing or unknown token is 401, a revoked token or another checkpoint's data is 403. A
checkpoint's token acts for that checkpoint only; the token of a hub below this one
(`checkpoint hub enroll --hub NAME`) says which checkpoints are enrolled at it and below it,
and may forward records and daily reports of those, each keeping its checkpoint and hash and
checked like any other. Bodies
may be gzip-compressed (`Content-Encoding: gzip`); a body over the limit, compressed or once
expanded, is 413 with the limit in the reason; a body that is not valid gzip is 400, an
unknown encoding 415, and content that does not fit the schema 422 with the fields at fault.
Every refusal's body is `{"detail": <English reason>, "code": <stable code>, "params": {…}}`:
clients show `code` in their user's language (`checkpoint.wire.refusals`), older ones the detail.
TLS: run uvicorn with `--ssl-keyfile/--ssl-certfile` (`checkpoint hub serve` passes them on)
or put the hub behind a reverse proxy that terminates TLS (README, "Hub").
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Annotated, Any

import pydantic
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AwareDatetime

from checkpoint.hub import (
    below,
    db,
    disk_full,
    held_below,
    ingest,
    report_days,
    report_ingest,
    report_privacy,
    strict_json,
)
from checkpoint.hub.below import BelowCheckpoints, BelowReceipt
from checkpoint.hub.clock_headers import ClockHeaders
from checkpoint.wire.clock import SENT_AT_HEADER, SKEW_TOLERANCE
from checkpoint.wire.records import (
    Batch,
    BatchReceipts,
    BodyTooLargeError,
    CheckpointStatus,
    HeldBackStatement,
    decompress,
)
from checkpoint.wire.reports import RECEIVED_BELOW_HEADER, DayReport, ReportReceipt

DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
_LIMIT_KEY = "checkpoint.max_body_bytes"

_bearer = HTTPBearer(auto_error=False, description="The token from `checkpoint hub enroll`.")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not valid gzip."},
    401: {"description": "No token, or a token this hub never issued."},
    403: {"description": "A revoked token, or another checkpoint's data (checkpoint tokens)."},
    413: {"description": "The body is over the hub's limit (compressed or expanded)."},
    415: {"description": "A Content-Encoding other than gzip or identity."},
}


class Refusal(HTTPException):
    """An HTTP refusal with a stable `code` (one of `checkpoint.wire.refusals.REFUSALS`) and
    the `params` a client needs to say it in its user's language; `detail` stays the English
    sentence."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **params: str | int,
    ) -> None:
        super().__init__(status, detail, headers=headers)
        self.code = code
        self.params = params


def _refusal_body(request: Request, error: Exception) -> Response:
    assert isinstance(error, Refusal)
    body = {"detail": error.detail, "code": error.code, "params": error.params}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


async def _invalid_body(request: Request, error: Exception) -> Response:
    # FastAPI's own 422 answer (the fields at fault), with the code beside it.
    assert isinstance(error, RequestValidationError)
    body = {"detail": jsonable_encoder(error.errors()), "code": "invalid_body", "params": {}}
    return JSONResponse(body, status_code=422)


def _too_large(limit: int, detail: str) -> Refusal:
    return Refusal(
        413,
        "too_large",
        f"request body too large: {detail}. Send smaller batches (limit {limit} bytes).",
        limit=limit,
    )


_ONE_PASS: tuple[type[pydantic.BaseModel], ...] = (Batch,)
"""Bodies parsed and validated in one pass from the raw JSON (pydantic-core), not by
`json.loads` and then a second pass over the Python objects: for a batch, the two passes cost
more than the hash check of its records."""


class _LimitedRequest(Request):
    """A request whose body is read up to the hub's limit and decompressed under it."""

    model: type[pydantic.BaseModel] | None = None
    """The route's body model when it is parsed in one pass (`_ONE_PASS`)."""

    async def json(self) -> Any:
        """The body as the route's model, when it is valid; else as `strict_json` reads it.

        FastAPI validates what this returns against the route's body model: an instance of
        that model is taken as is, and anything else (an invalid body) goes the usual way, so
        the 422 answers are FastAPI's own, as before. A body that is not JSON the hub can use
        (`strict_json`) is 400 with the reason."""
        if not hasattr(self, "_json"):
            body = await self.body()
            parsed: Any = None
            if self.model is not None:
                try:
                    parsed = self.model.model_validate_json(body)
                except pydantic.ValidationError:
                    parsed = None
            if parsed is None:
                try:
                    parsed = strict_json.loads(body)
                except strict_json.UnusableJSONError as error:
                    raise Refusal(400, "bad_json", str(error), reason=str(error)) from None
            self._json = parsed
        return self._json

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            limit: int = self.app.state.max_body_bytes
            declared = self.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise _too_large(limit, f"{declared} bytes declared")
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit, f"more than {limit} bytes sent")
                chunks.append(chunk)
            encoding = self.headers.get("content-encoding", "identity")
            try:
                self._body = decompress(b"".join(chunks), encoding, limit)
            except BodyTooLargeError as error:
                raise _too_large(limit, str(error)) from None
            except ValueError as error:
                unsupported = "not supported" in str(error)
                raise Refusal(
                    415 if unsupported else 400,
                    "encoding" if unsupported else "bad_body",
                    str(error),
                    encoding=encoding,
                ) from None
        return self._body


def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> db.Identity:
    """The checkpoint or downstream hub whose valid, unrevoked token the request carries."""
    if credentials is None or not credentials.credentials:
        raise Refusal(
            401,
            "token_required",
            "a Bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    identity = db.identify(request.app.state.engine, credentials.credentials)
    if identity is None:
        raise Refusal(
            401,
            "token_unknown",
            "this token was not issued by this hub",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if identity.revoked:
        raise Refusal(
            403,
            "token_revoked",
            f"the token of {identity.checkpoint_id} has been revoked",
            checkpoint=identity.checkpoint_id,
        )
    return identity


Caller = Annotated[db.Identity, Depends(_caller)]


class _LimitedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        body = self.body_field.field_info.annotation if self.body_field is not None else None
        model = body if body in _ONE_PASS else None

        async def limited(request: Request) -> Response:
            limited_request = _LimitedRequest(request.scope, request.receive)
            limited_request.model = model
            return await handler(limited_request)

        return limited


def make_hub_app(
    db_url: str | None = None,
    *,
    engine: sa.Engine | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The hub on the database at `db_url` (or an existing `engine`; default: `db.default_url`).

    `clock` is the hub's own time (default: the system's): every `received_at`, "today" for the
    report days it takes, and the time it tells callers (`wire.clock`) come from it alone."""
    hub_clock = clock or (lambda: datetime.now(UTC))
    hub_engine = engine if engine is not None else db.make_engine(db_url or db.default_url())
    app = FastAPI(
        title="checkpoint hub",
        version="1",
        summary="Receives the logs of epidemic checkpoints, each record exactly once.",
        description=__doc__,
    )
    app.state.max_body_bytes = max_body_bytes
    app.state.engine = hub_engine
    app.router.route_class = _LimitedRoute
    app.add_exception_handler(Refusal, _refusal_body)
    app.add_exception_handler(RequestValidationError, _invalid_body)
    disk_full.install(app)
    app.add_middleware(ClockHeaders, clock=hub_clock)

    def own(caller: db.Identity, checkpoint_id: str) -> None:
        # A hub's token acts for the checkpoints it said are below it (every forward says so
        # first), not for any checkpoint: else it could hold records under any code.
        if caller.is_hub and not below.is_below(hub_engine, caller.checkpoint_id, checkpoint_id):
            raise Refusal(
                403,
                "not_below",
                f"the hub {caller.checkpoint_id} has not said that {checkpoint_id} is enrolled "
                "at it or below it (PUT /v1/hubs/checkpoints)",
                token_of=caller.checkpoint_id,
                checkpoint=checkpoint_id,
            )
        if not caller.may_act_for(checkpoint_id):
            raise Refusal(
                403,
                "not_yours",
                f"this token is {caller.checkpoint_id}'s; it cannot act for {checkpoint_id}",
                token_of=caller.checkpoint_id,
                checkpoint=checkpoint_id,
            )

    @app.post("/v1/batches", responses=_ERRORS, response_model=BatchReceipts)
    def post_batch(batch: Batch, caller: Caller) -> Response:
        """Store a batch of one checkpoint's records; one receipt per record, in the batch's order.

        A checkpoint sends its own records; a hub below this one forwards any checkpoint's. The
        body may be gzip-compressed (`Content-Encoding: gzip`). An identical record sent again
        is a duplicate; a different record under an id already held is rejected.
        """
        own(caller, batch.checkpoint_id)
        receipts = ingest.store_batch(
            hub_engine, batch.checkpoint_id, batch.records, lane_id=batch.lane_id, now=hub_clock()
        )
        answer = BatchReceipts(checkpoint_id=batch.checkpoint_id, receipts=receipts)
        # Serialized here by pydantic-core: FastAPI would validate every receipt once more.
        return Response(answer.model_dump_json(), media_type="application/json")

    @app.get("/v1/checkpoints/{checkpoint_id}/status", responses=_ERRORS)
    def checkpoint_status(checkpoint_id: str, caller: Caller) -> CheckpointStatus:
        """How many of a checkpoint's records the hub holds, and the highest seq among them."""
        own(caller, checkpoint_id)
        count, max_seq = ingest.held_status(hub_engine, checkpoint_id)
        return CheckpointStatus(
            checkpoint_id=checkpoint_id,
            records=count,
            max_seq=max_seq,
            held_back=held_below.held_count(hub_engine, checkpoint_id),
        )

    @app.put("/v1/checkpoints/{checkpoint_id}/held-back", responses=_ERRORS)
    def put_held_back(
        checkpoint_id: str, statement: HeldBackStatement, caller: Caller
    ) -> dict[str, object]:
        """Hold which records one lane of a checkpoint holds back (the whole list, each time).

        A record the checkpoint cannot send (refused here or by the wire format) is held back
        there and the rest goes on: its seq is a gap here that is known, not a loss. A hub
        below passes on what its checkpoints said. Forwarding moves past such gaps.
        """
        own(caller, checkpoint_id)
        count = held_below.store_statement(hub_engine, checkpoint_id, statement)
        return {"checkpoint_id": checkpoint_id, "lane_id": statement.lane_id, "records": count}

    @app.put("/v1/checkpoints/{checkpoint_id}/reports/{day}", responses=_ERRORS)
    def put_report(
        checkpoint_id: str,
        day: date,
        report: DayReport,
        caller: Caller,
        received_below: Annotated[
            AwareDatetime | None,
            Header(
                alias=RECEIVED_BELOW_HEADER,
                description="From a hub below only: when the report first reached it (or "
                "further down). Ignored from a checkpoint's token; a time in the future counts "
                "as now. Taken only with the sending hub's own time ("
                + SENT_AT_HEADER
                + "), to move it onto this hub's clock; without it, this hub's receipt time "
                "stands.",
            ),
        ] = None,
        sent_at: Annotated[
            AwareDatetime | None,
            Header(alias=SENT_AT_HEADER, description="The caller's clock when it sent this."),
        ] = None,
    ) -> ReportReceipt:
        """Hold the caller's daily report (日报告) or zero report of report day `day`.

        The body is the report's JSON form (`checkpoint report day --format json`). One report
        per checkpoint and day: a resubmission with other figures replaces the one held
        ("replaced"), one saying the same is "unchanged"; the day is never counted twice.
        A hub below forwards any checkpoint's reports, with when each first reached it
        (`Checkpoint-Received-At`): whether a report was late is judged by that time.
        """
        own(caller, checkpoint_id)
        now = hub_clock()
        refused = report_days.refused_day(hub_engine, checkpoint_id, day, now=now)
        if refused is not None:
            after = refused.code == "day_in_future"
            raise Refusal(
                422,
                refused.code,
                f"{checkpoint_id} cannot report {day}: "
                + (
                    f"that day has not begun anywhere by this hub's clock (its latest today is "
                    f"{refused.bound}); the sending clock is wrong"
                    if after
                    else f"this hub knows of {checkpoint_id} (its enrolment, its first record "
                    f"with a plausible time) only from {refused.bound} on"
                ),
                checkpoint=checkpoint_id,
                day=str(day),
                bound=str(refused.bound),
            )
        if caller.is_hub and received_below is not None:
            # When it reached the hub below, by that hub's clock, moved onto this hub's by the
            # skew the same request shows (its clock when it sent this, against ours): a hub
            # below whose clock is days slow cannot make a late report look on time. Within
            # `SKEW_TOLERANCE` the clocks agree (the difference is the network's delay). Without
            # the sender's clock, this hub's receipt time stands.
            try:
                arrived = received_below.astimezone(UTC)
                skew = sent_at.astimezone(UTC) - now if sent_at is not None else None
            except OverflowError:
                raise Refusal(
                    422,
                    "out_of_range",
                    f"{RECEIVED_BELOW_HEADER} or {SENT_AT_HEADER} is out of range: "
                    f"{received_below}, {sent_at}",
                ) from None
            if skew is not None:
                if abs(skew) > SKEW_TOLERANCE:
                    arrived -= skew
                now = min(now, arrived)
        if report.checkpoint.code != checkpoint_id or report.report_day != day:
            raise Refusal(
                422,
                "report_mismatch",
                f"the body is the report of {report.checkpoint.code} for {report.report_day}, "
                f"not of {checkpoint_id} for {day}",
                body_checkpoint=report.checkpoint.code,
                body_day=str(report.report_day),
                checkpoint=checkpoint_id,
                day=str(day),
            )
        leak = report_privacy.unmasked(report)
        if leak is not None:
            raise Refusal(
                422,
                "unmasked",
                f"{leak}: a report carries no personal data (mask names, documents and phones)",
                reason=leak,
            )
        return report_ingest.store_report(
            hub_engine, checkpoint_id, day, report.model_dump(mode="json"), now=now
        )

    @app.put("/v1/hubs/checkpoints", responses=_ERRORS)
    def put_below(statement: BelowCheckpoints, caller: Caller) -> BelowReceipt:
        """Hold which checkpoints are enrolled at the calling hub and below it (hub tokens only).

        Sent by every forward, the whole list each time: they are expected to report here too
        and a silent one is in this hub's omission list, though it has no token here.
        """
        if not caller.is_hub:
            raise Refusal(
                403,
                "hub_only",
                f"this token is {caller.checkpoint_id}'s; only a hub below may say this",
                token_of=caller.checkpoint_id,
            )
        try:
            held = below.store_below(hub_engine, caller.checkpoint_id, statement.checkpoints)
        except OverflowError:
            raise Refusal(422, "out_of_range", "a time is out of range") from None
        return BelowReceipt(hub=caller.checkpoint_id, checkpoints=held)

    return app
