"""Printing a PDF through CUPS with `lp`, and the job id it answers with.

`lp` is the one interface every CUPS installation has (the desktop's print dialog uses the same
queues). Its messages are localised; it runs with LC_ALL=C so the answer can be read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Final

from checkpoint.errors import ReportError

_REQUEST_ID: Final = re.compile(r"request id is (\S+)")
_NO_DESTINATION: Final = ("no default destination", "no system default destination")
_TIMEOUT_S: Final = 60.0


def print_pdf(path: Path, printer: str | None) -> str:
    """Send `path` to `printer` (None: the default destination); return the CUPS job id,
    e.g. "HP_LaserJet-12".

    Raises `ReportError`: "pdf.print.no_lp" when CUPS's lp is not installed,
    "pdf.print.no_printer" when there is no printer to send to (both say how to add one),
    "pdf.print.failed" when CUPS refused the job.
    """
    lp = shutil.which("lp")
    if lp is None:
        raise ReportError.of("pdf.print.no_lp")
    argv = [lp, *(["-d", printer] if printer else []), "--", str(path)]
    environment = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=_TIMEOUT_S, env=environment, check=False
        )
    except subprocess.TimeoutExpired as error:
        detail = f"lp: no answer in {_TIMEOUT_S:.0f} s"
        raise ReportError.of("pdf.print.failed", detail=detail) from error
    except OSError as error:
        raise ReportError.of("pdf.print.failed", detail=error) from error
    answer = (result.stdout + result.stderr).strip()
    if result.returncode == 0 and (match := _REQUEST_ID.search(result.stdout)):
        return match.group(1)
    if any(words in answer.lower() for words in _NO_DESTINATION):
        raise ReportError.of("pdf.print.no_printer", detail=answer or "lp")
    raise ReportError.of("pdf.print.failed", detail=answer or f"lp exit {result.returncode}")
