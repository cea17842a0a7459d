"""A hub whose disk is full answers 503 saying so, instead of a bare 500.

SQLite says "database or disk is full", PostgreSQL SQLSTATE 53100 (`disk_full`), a file
written by the hub ENOSPC. Nothing of the request was stored (its transaction rolled back), so
the checkpoint keeps its records and sends them again later; the header lets its client say
"the hub's disk is full" rather than "the hub could not be reached".
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import TYPE_CHECKING

import sqlalchemy as sa

from checkpoint.wire import DISK_FULL, PROBLEM_HEADER

if TYPE_CHECKING:  # `is_disk_full` serves the hub's commands too, which need no web framework
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

RETRY_AFTER_S = 600
"""Freeing space takes a person: checkpoints need not knock every few seconds."""

_log = logging.getLogger(__name__)


def is_disk_full(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the disk holding the hub's data is full."""
    seen: BaseException | None = error
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(seen, "sqlstate", None) == "53100" or getattr(seen, "pgcode", None) == "53100":
            return True
        if "database or disk is full" in str(seen) or "No space left on device" in str(seen):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


def install(app: FastAPI) -> None:
    """Answer 503 with `PROBLEM_HEADER: disk-full` for requests that failed on a full disk."""
    from fastapi.responses import JSONResponse

    async def answer(request: Request, error: Exception) -> JSONResponse:
        if not is_disk_full(error):
            raise error
        _log.error("the hub's disk is full: %s %s stored nothing", request.method, request.url)
        return JSONResponse(
            {
                "detail": "the hub's disk is full: nothing of this request was stored. "
                "The hub's administrator must free space on it; send again later."
            },
            status_code=503,
            headers={PROBLEM_HEADER: DISK_FULL, "Retry-After": str(RETRY_AFTER_S)},
        )

    app.add_exception_handler(sa.exc.DBAPIError, answer)
    app.add_exception_handler(sqlite3.Error, answer)  # batches go to the driver directly
    app.add_exception_handler(OSError, answer)
