"""Printing through CUPS: a fake `lp` for the answers it gives, and a real private cupsd.

The real test starts its own cupsd (its own configuration, spool and socket, reached through
CUPS_SERVER), adds a queue that prints to /dev/null and checks the job CUPS reports. It needs
cupsd, lp and lpadmin (Debian: cups-daemon cups-client cups-bsd); without them it is skipped.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from checkpoint.config import load_settings
from checkpoint.errors import ReportError
from checkpoint.reports import printing
from checkpoint.reports.fonts import CjkFont
from checkpoint.reports.output import deliver_pdf
from checkpoint.reports.printing import print_pdf
from tests.reports.conftest import QUEUE, make_report, run_tool


def fake_lp(folder: Path, *, out: str = "", err: str = "", code: int = 0) -> None:
    """An `lp` on PATH that answers as told."""
    script = folder / "lp"
    script.write_text(
        f"#!/bin/sh\nprintf '%s' '{out}'\nprintf '%s' '{err}' >&2\nexit {code}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)


@pytest.fixture
def lp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def test_job_id_is_read_from_lp(lp_dir: Path, tmp_path: Path) -> None:
    fake_lp(lp_dir, out="request id is HP_LaserJet-12 (1 file(s))\n")
    assert print_pdf(tmp_path / "r.pdf", "HP_LaserJet") == "HP_LaserJet-12"


def test_no_default_destination_says_how_to_add_a_printer(lp_dir: Path, tmp_path: Path) -> None:
    fake_lp(lp_dir, err="lp: Error - No default destination.\n", code=1)
    with pytest.raises(ReportError) as raised:
        print_pdf(tmp_path / "r.pdf", None)
    assert raised.value.code == "pdf.print.no_printer"
    assert "lpadmin -p NAME -E -v URI -m everywhere" in raised.value.hint
    assert "lpadmin -p" in raised.value.text("zh-CN")[1]


def test_an_unknown_printer_is_a_failure_with_lps_words(lp_dir: Path, tmp_path: Path) -> None:
    fake_lp(lp_dir, err="lp: Error - The printer or class does not exist.\n", code=1)
    with pytest.raises(ReportError) as raised:
        print_pdf(tmp_path / "r.pdf", "nosuch")
    assert raised.value.code == "pdf.print.failed"
    assert "does not exist" in raised.value.message


def test_without_lp_the_pdf_is_saved_and_the_message_says_where(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cjk_font: CjkFont
) -> None:
    monkeypatch.setattr(printing.shutil, "which", lambda name: None)
    settings = load_settings(
        None,
        env={"CHECKPOINT_HOME": str(tmp_path), "CHECKPOINT_REPORTS__FONT": str(cjk_font.path)},
    ).settings
    target = tmp_path / "day.pdf"
    delivery = deliver_pdf(
        make_report(), settings=settings, output=target, print_it=True, language="en"
    )
    assert delivery.job_id is None
    assert delivery.saved_to == target
    assert target.read_bytes().startswith(b"%PDF-")
    assert delivery.problem is not None and delivery.problem.code == "pdf.print.no_lp"
    assert str(target) in delivery.message
    assert "apt install cups" in delivery.message


def test_without_output_the_pdf_goes_to_the_private_reports_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cjk_font: CjkFont
) -> None:
    monkeypatch.setenv("CHECKPOINT_HOME", str(tmp_path))
    settings = load_settings(None, env={"CHECKPOINT_HOME": str(tmp_path)}).settings
    delivery = deliver_pdf(make_report(), settings=settings, output=None, print_it=False)
    assert delivery.saved_to == tmp_path / "reports" / "HB-XG-0012-day-2026-11-24.pdf"
    assert delivery.saved_to.stat().st_mode & 0o077 == 0
    assert (tmp_path / "reports").stat().st_mode & 0o077 == 0


# --------------------------------------------------------------------------------------------
# A real CUPS queue


def test_real_cups_without_a_printer_says_how_to_add_one(cups_server: Path, tmp_path: Path) -> None:
    assert os.environ["CUPS_SERVER"].startswith(str(cups_server))
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(ReportError) as raised:
        print_pdf(pdf, None)
    assert raised.value.code == "pdf.print.no_printer"


def test_real_cups_queue_takes_the_report_and_gives_its_job_id(
    cups_server: Path, tmp_path: Path, cjk_font: CjkFont
) -> None:
    added = run_tool("lpadmin", "-p", QUEUE, "-E", "-v", "file:///dev/null")
    if added.returncode != 0:
        pytest.skip(f"lpadmin could not add a /dev/null queue: {added.stderr.strip()}")
    settings = load_settings(
        None,
        env={"CHECKPOINT_HOME": str(tmp_path), "CHECKPOINT_REPORTS__FONT": str(cjk_font.path)},
    ).settings
    delivery = deliver_pdf(
        make_report(),
        settings=settings,
        output=tmp_path / "day.pdf",
        print_it=True,
        printer=QUEUE,
        language="en",
    )
    assert delivery.problem is None, delivery.message
    assert delivery.job_id is not None and delivery.job_id.startswith(f"{QUEUE}-")
    assert delivery.job_id in delivery.message
    jobs = ""
    for _ in range(100):  # the job passes through the queue to /dev/null
        jobs = run_tool("lpstat", "-W", "all", "-o", QUEUE).stdout
        if delivery.job_id in jobs:
            break
        time.sleep(0.1)
    assert delivery.job_id in jobs
