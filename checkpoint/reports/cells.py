"""Cells a spreadsheet takes as written: never a formula, never a number that was text.

A CSV cell is text until a spreadsheet guesses otherwise: `=HYPERLINK(…)` in a name would run
when the township opens the ledger (CSV injection), and an 18-digit ID number would become
1.10105E+17, a phone lose its leading zero or "+". OWASP's advice for CSV: a cell starting
with =, +, -, @, tab or carriage return gets a leading apostrophe. The same apostrophe keeps a
text cell that a spreadsheet would read as a number, a date or a time as text, every digit
kept; Excel and LibreOffice show it and it costs nothing to read.

XLSX cells are typed (text stays text) but XML 1.0 cannot hold most control characters:
openpyxl refuses them, so they are replaced with a visible mark (the whole row is kept).
"""

from __future__ import annotations

import re
from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel or LibreOffice evaluate a CSV cell (OWASP)."""

# Digits with separators a spreadsheet reads as a number, a date, a time, a fraction or a
# percentage: "0123", "1.5e3", "2026-11-24", "12:30", "1/2", "50%", "(12)", "1 234".
_NUMBER_LIKE = re.compile(r"[\d\s.,:/%()$€¥￥eE+-]*\d[\d\s.,:/%()$€¥￥eE+-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
CONTROL_MARK: Final = "\ufffd"
"""What a control character becomes in an XLSX cell: the replacement character, so that
someone reading the ledger sees something was there."""


def _text(value: str) -> str:
    # A log changed behind checkpoint's back can hold bytes (or a number) in a text column:
    # exported with --unverified, it is shown as what it says, not a TypeError.
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def csv_text(value: str) -> str:
    """`value` as a CSV cell that spreadsheets show as this text, not a formula or number."""
    value = _SURROGATE.sub(
        CONTROL_MARK, _text(value)
    )  # half a character cannot be written as UTF-8
    if value.startswith(FORMULA_STARTS) or _NUMBER_LIKE.fullmatch(value):
        return "'" + value
    return value


def xlsx_text(value: str) -> str:
    """`value` without the control characters an XLSX file cannot hold (tab, newline and
    carriage return are allowed and kept), nor half a surrogate pair."""
    return _CONTROL.sub(CONTROL_MARK, _text(value))
