"""A font with Chinese glyphs for PDF reports: the configured file, else fontconfig's choice.

PDF viewers cannot be trusted to have a CJK font, so the report embeds one (a subset of it).
A font is accepted only if it really has the glyphs a report prints: fontconfig answers
`fc-match :lang=zh` with its best guess even on a machine without any Chinese font (DejaVu,
typically), and a PDF set in it would show empty boxes.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fontTools.ttLib import TTCollection, TTFont, TTLibError

from checkpoint.errors import ReportError

PROBE_TEXT: Final = "值班人员带班领导签字体温检测人次发热零报告卡点乡镇"
"""Characters every Chinese report prints: a font lacking any of them is not usable."""
FONT_SUFFIXES: Final = frozenset({".ttf", ".otf", ".ttc", ".otc"})
"""Font files fpdf2 embeds (TrueType and OpenType, single or collections)."""
_COLLECTION_SUFFIXES: Final = frozenset({".ttc", ".otc"})
_FC_TIMEOUT_S: Final = 10.0


@dataclass(frozen=True, slots=True)
class CjkFont:
    """A font file and, for a collection (.ttc/.otc), the face to use."""

    path: Path
    index: int = 0


def find_cjk_font(configured: Path | None = None) -> CjkFont:
    """The font for PDF reports: `configured` (the `reports.font` setting) if given, else the
    font fontconfig finds for Chinese.

    Raises `ReportError` naming what to install or configure when there is none.
    """
    if configured is not None:
        if not configured.is_file():
            raise ReportError.of("pdf.font.configured_missing", path=configured)
        found = usable_face(configured)
        if found is None:
            raise ReportError.of("pdf.font.configured_not_cjk", path=configured)
        return found
    for candidate in fontconfig_candidates():
        found = usable_face(candidate.path, prefer=candidate.index)
        if found is not None:
            return found
    raise ReportError.of("pdf.font.none")


def fontconfig_candidates() -> list[CjkFont]:
    """Fonts fontconfig offers for Chinese, best first; empty without fontconfig."""
    fc_match = shutil.which("fc-match")
    fc_list = shutil.which("fc-list")
    found: list[CjkFont] = []
    if fc_match is not None:
        found += _fc_lines([fc_match, "-f", r"%{file}|%{index}\n", ":lang=zh"])
    if fc_list is not None:
        # fc-match names one font even when it is a poor match; fc-list names every font that
        # covers Chinese, in case the best match is not a file fpdf2 can embed.
        found += sorted(_fc_lines([fc_list, ":lang=zh", "-f", r"%{file}|%{index}\n"]), key=str)
    return list(dict.fromkeys(found))


def _fc_lines(argv: list[str]) -> list[CjkFont]:
    try:
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=_FC_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    fonts = []
    for line in result.stdout.splitlines():
        file, _, index = line.rpartition("|")
        if file:
            fonts.append(CjkFont(Path(file), int(index) if index.isdigit() else 0))
    return fonts


def usable_face(path: Path, *, prefer: int = 0) -> CjkFont | None:
    """The face of `path` that has every probe glyph (`prefer` first), None if no face has."""
    if path.suffix.lower() not in FONT_SUFFIXES or not path.is_file():
        return None
    try:
        if path.suffix.lower() in _COLLECTION_SUFFIXES:
            faces = TTCollection(str(path), lazy=True).fonts
            order = sorted(range(len(faces)), key=lambda i: i != prefer)
            return next(
                (CjkFont(path, i) for i in order if _has_glyphs(faces[i])),
                None,
            )
        return CjkFont(path) if _has_glyphs(TTFont(str(path), lazy=True)) else None
    except (OSError, TTLibError, AssertionError, KeyError, ValueError):
        # A damaged or unusual file is simply not a candidate.
        return None


def _has_glyphs(face: TTFont) -> bool:
    cmap = face.getBestCmap() or {}
    return all(ord(char) in cmap for char in PROBE_TEXT)
