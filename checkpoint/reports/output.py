"""A PDF report saved and, if asked, printed: what `checkpoint report --format pdf` does.

The PDF is always saved first (to `--output` or the reports folder), so a report is never lost
because the printer is missing, off or out of paper; the message says where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checkpoint import files, paths
from checkpoint.config import Settings
from checkpoint.errors import ReportError
from checkpoint.locale import Language, translate
from checkpoint.reports.model import Report
from checkpoint.reports.pdf import render_pdf
from checkpoint.reports.printing import print_pdf


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where the PDF went."""

    saved_to: Path
    job_id: str | None
    """The CUPS job id when it was printed, else None."""
    message: str
    """One or two sentences for the user: printed as job X / saved at PATH."""
    problem: ReportError | None = None
    """Why printing was asked for and did not happen (its hint says how to add a printer)."""


def default_pdf_path(report: Report, env: dict[str, str] | None = None) -> Path:
    """reports/<code>-<kind>-<local start>.pdf in the private data folder."""
    start = report.report_day or report.start.strftime("%Y%m%dT%H%MZ")
    return paths.reports_dir(env) / f"{report.checkpoint_code}-{report.kind.value}-{start}.pdf"


def deliver_pdf(
    report: Report,
    *,
    settings: Settings,
    output: Path | None,
    print_it: bool,
    printer: str | None = None,
    language: Language | None = None,
) -> Delivery:
    """Render `report` in the reports language, save it to `output` (None: the reports
    folder) and, with `print_it`, send it to `printer` (None: `[reports] printer`, else the
    system default). Messages are in `language` (None: the screens' language).

    Rendering and saving failures raise `ReportError`; a printing failure does not: the
    Delivery carries it as `problem`, and its message says where the PDF was saved.
    """
    words = language or settings.ui.language
    data = render_pdf(report, language=settings.reports.language, font=settings.reports.font)
    target = output if output is not None else default_pdf_path(report)
    save_private(target, data, private_dir=output is None)
    if not print_it:
        return Delivery(target, None, translate("pdf.saved", words, path=target))
    try:
        job = print_pdf(target, printer or settings.reports.printer)
    except ReportError as error:
        message, hint = error.text(words)
        saved = translate("pdf.print.not_printed", words, path=target)
        return Delivery(target, None, f"{message}\n{hint}\n{saved}".strip(), problem=error)
    return Delivery(target, job, translate("pdf.print.sent", words, job=job, path=target))


def save_private(path: Path, data: bytes, *, private_dir: bool = False) -> None:
    """Write `data` to `path` in one step, readable by its owner only (reports and ledgers
    carry personal data), or into it if it is a device or FIFO (`files.staged`).
    `private_dir`: also create the folder, private."""
    try:
        if private_dir:
            paths.ensure_private_dir(path.parent)
        files.write_private(path, data)
    except OSError as error:
        raise ReportError.of(
            "pdf.write_failed", path=path, reason=error.strerror or error
        ) from error
