"""Temperatures in the ledger's CSV as a thermometer and a volunteer give them: to 0.1 ℃."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from checkpoint.reports.ledger import COLUMNS, LedgerFormat, write_ledger
from tests.reports.test_ledger_cells import row


@pytest.mark.parametrize(
    ("value", "written"), [(37.0, "37.0"), (36.0, "36.0"), (36.6, "36.6"), (37.25, "37.25")]
)
def test_a_whole_degree_keeps_its_tenth(tmp_path: Path, value: float, written: str) -> None:
    # A temperature corrected to 37.0 (or a reading of 36.0) was written "37": not what was
    # typed, and unlike every other row of the column.
    path = tmp_path / "ledger.csv"
    write_ledger([row(temperature_c=value)], path, format=LedgerFormat.CSV, language="zh-CN")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        _, cells = list(csv.reader(stream))
    assert dict(zip(COLUMNS, cells, strict=True))["temperature_c"] == written
