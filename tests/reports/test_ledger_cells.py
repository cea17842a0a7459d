"""Ledger files as spreadsheets open them: no formula runs, no digit is lost, no character
breaks an XLSX, a long export spreads over sheets; checked with LibreOffice where installed."""

from __future__ import annotations

import csv
import dataclasses
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from checkpoint.reports.cells import CONTROL_MARK, csv_text, xlsx_text
from checkpoint.reports.ledger import COLUMNS, LedgerFormat, LedgerRow, headers, write_ledger

HOSTILE = {
    "name": '=HYPERLINK("http://x.test","点我")',
    "route": "+1+2",
    "travel_reason": "-2+3",
    "destination": "@SUM(1,2)",
    "origin": "\t=1+2",
    "operator": "\r=1+2",
}
DIGITS = {
    "document": "110105194912310021",  # 18 digits: 1.10105E+17 in a number cell
    "phone": "+8613812345678",
    "transport_no": "0001",
    "plate": "0123",
    "turn_back_reason": "2026-11-24",  # read as a date
    "record_id": "1e10",
}


def as_read(value: str) -> str:
    """`value` as a spreadsheet reads it back: a carriage return is a line break."""
    return value.replace("\r", "\n")


def row(**changes: object) -> LedgerRow:
    plain = LedgerRow(
        time=datetime(2026, 11, 24, 9, 30),
        plate="京A12345",
        vehicle_type="小客车",
        direction="进",
        non_local="否",
        name="王芳",
        document_kind="居民身份证",
        document="",
        phone="",
        origin="湖北武汉",
        route="",
        arrival_at=None,
        transport_no="",
        destination="",
        travel_reason="",
        health_code="",
        symptoms="",
        risk_area_travel="否",
        risk_areas="",
        contact_history="否",
        temperature_c=36.6,
        flagged="否",
        disposition="",
        turned_back="否",
        turn_back_reason="",
        operator="李强",
        record_id="0" * 32,
    )
    return dataclasses.replace(plain, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [*HOSTILE.values(), *DIGITS.values()])
def test_csv_cells_that_a_spreadsheet_would_evaluate_are_quoted(value: str) -> None:
    assert csv_text(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["王芳", "京A12345", "G1234", "湖北武汉", "110105********002X", ""]
)
def test_plain_text_is_left_alone(value: str) -> None:
    assert csv_text(value) == value


def test_xlsx_text_replaces_control_characters_only() -> None:
    assert xlsx_text("王\x00芳\x1b\x7f") == f"王{CONTROL_MARK}芳{CONTROL_MARK}{CONTROL_MARK}"
    assert xlsx_text("a\tb\nc\rd") == "a\tb\nc\rd"
    assert xlsx_text("half \ud800") == f"half {CONTROL_MARK}"


def test_csv_file_is_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    write_ledger([row(**HOSTILE, **DIGITS)], path, format=LedgerFormat.CSV, language="zh-CN")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        _, cells = list(csv.reader(stream))
    read = dict(zip(COLUMNS, cells, strict=True))
    for column, value in {**HOSTILE, **DIGITS}.items():
        assert read[column] == "'" + value
    assert read["temperature_c"] == "36.6"  # a number stays a number


def test_xlsx_never_stores_a_formula_nor_fails_on_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    odd = row(**HOSTILE, **DIGITS, symptoms="咳嗽\x00\x08", risk_areas="\x1f武汉")
    assert write_ledger([odd], path, format=LedgerFormat.XLSX, language="zh-CN") == 1
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cells = {COLUMNS[c.column - 1]: c for c in sheet[2]}
    for column, value in {**HOSTILE, **DIGITS}.items():
        # XML reads a carriage return as a line feed: a line break either way.
        assert (cells[column].data_type, cells[column].value) == ("s", as_read(value))
    assert cells["symptoms"].value == f"咳嗽{CONTROL_MARK}{CONTROL_MARK}"
    assert cells["risk_areas"].value == f"{CONTROL_MARK}武汉"
    assert cells["temperature_c"].value == 36.6


def test_xlsx_continues_on_a_new_sheet_at_the_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    people = [row(name=f"第{i}人") for i in range(7)]
    written = write_ledger(people, path, format=LedgerFormat.XLSX, language="en", sheet_rows=3)
    assert written == 7
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["Screenings", "Screenings (2)", "Screenings (3)", "Screenings (4)"]
    names: list[str] = []
    for sheet in book.worksheets:
        table = [list(values) for values in sheet.iter_rows(values_only=True)]
        assert table[0] == headers("en")  # every sheet has its header
        assert len(table) <= 3
        names += [line[COLUMNS.index("name")] for line in table[1:]]
    assert names == [f"第{i}人" for i in range(7)]  # none lost, none repeated, in order


def test_progress_is_reported_while_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checkpoint.reports import ledger

    monkeypatch.setattr(ledger, "PROGRESS_EVERY", 2)
    for kind in LedgerFormat:
        seen: list[int] = []
        write_ledger(
            [row()] * 5, tmp_path / f"l.{kind}", format=kind, language="en", progress=seen.append
        )
        assert seen == [2, 4, 5]


# -------------------------------------------------------------------------- LibreOffice

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui; .ci/run does)",
)
# The CSV import as a spreadsheet's worst case: comma-separated, quoted with ", UTF-8 (76),
# from line 1, quoted fields not forced to text, special numbers detected (dates, exponents)
# and formulas evaluated, as Excel does when it opens a CSV.
CSV_IMPORT = "CSV Calc Office:44,34,76,1,,1033,false,true,false,false,false,-1,true"


def machine_fonts() -> dict[str, str]:
    """The environment with the machine's fontconfig: the test run hides every font
    (tests/conftest.py), and LibreOffice does not start without one. Which font it gets
    makes no difference to a CSV's cells."""
    return {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}


@needs_libreoffice
def test_libreoffice_opens_the_csv_without_formulas_or_lost_digits(tmp_path: Path) -> None:
    assert SOFFICE is not None
    source = tmp_path / "ledger.csv"
    write_ledger([row(**HOSTILE, **DIGITS)], source, format=LedgerFormat.CSV, language="zh-CN")
    converted = tmp_path / "out"
    profile = tmp_path / "profile"  # a private LibreOffice profile: tests may run side by side
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            f"--infilter={CSV_IMPORT}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(converted),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
        env=machine_fonts(),
    )
    if b"No fonts could be found" in done.stderr:
        pytest.skip("LibreOffice needs a font to start and this machine has none")
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(converted / "ledger.xlsx").worksheets[0]
    assert [c.value for c in sheet[1]] == headers("zh-CN")  # UTF-8, the BOM not in a cell
    cells = {COLUMNS[c.column - 1]: c for c in sheet[2]}
    for column, value in {**HOSTILE, **DIGITS}.items():
        cell = cells[column]
        assert cell.data_type == "s", f"{column}: {cell.value!r} is not text"
        # Shown with the apostrophe that protects it, every character kept.
        assert str(cell.value).removeprefix("'") == as_read(value), column
    assert cells["name"].value == "'" + HOSTILE["name"]
    assert cells["temperature_c"].value == 36.6  # numbers are still numbers
