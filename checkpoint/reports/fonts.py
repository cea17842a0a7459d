"""Fonts for PDF reports: a font that has every character a report prints, or one with fallbacks.

PDF viewers cannot be trusted to have a CJK font, so the report embeds one (a subset of it).
Fontconfig's answer cannot be trusted either: `fc-match :lang=zh` names DejaVu on a machine
without Chinese fonts, and where Ghostscript or CUPS brought Droid Sans Fallback it names a
font with Chinese but without digits or Latin letters, so every count, date and plate vanished.
A font is therefore judged by its glyphs against the text the report prints (its character map
alone is not enough: WenQuanYi Micro Hei maps ℃ to a glyph that draws nothing):

1. the configured font (`[reports] font`), else the first font fontconfig offers for Chinese
   that has every character, else the font shipped with checkpoint (Noto Sans SC, from the
   `pylopdf-fonts-zh-cn` package: a fresh machine with no Chinese font still gets readable PDFs);
2. what the chosen font lacks is taken from fallback fonts (fpdf2's `set_fallback_fonts`);
3. a character no font has makes the report an error that names the font and the fix. ℃ is
   the one exception: where no font has it, the PDF writes °C.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Final, Protocol, TypeVar

from fontTools.ttLib import TTCollection, TTFont, TTLibError

from checkpoint.errors import ReportError

PROBE_TEXT: Final = "值班人员带班领导签字体温检测人次发热零报告卡点乡镇"
"""Characters every Chinese report prints: a font lacking any of them is not a CJK font."""
BASE_TEXT: Final = (
    "".join(chr(code) for code in range(0x21, 0x7F))
    + "–—…·°、，。：；！？（）《》“”‘’"
    + PROBE_TEXT
)
"""Characters every report may print whatever it holds: digits, Latin letters, punctuation
(the dates, counts, plates, hashes and English labels), and the Chinese of its labels."""
CELSIUS: Final = "℃"
"""Printed where a font has it; written °C where none has."""
FONT_SUFFIXES: Final = frozenset({".ttf", ".otf", ".ttc", ".otc"})
"""Font files fpdf2 embeds (TrueType and OpenType, single or collections)."""
_COLLECTION_SUFFIXES: Final = frozenset({".ttc", ".otc"})
_FC_TIMEOUT_S: Final = 10.0
P = TypeVar("P")
_MAX_CHARSET_QUERY: Final = 64
"""Characters asked of fontconfig at once when looking for a fallback (a rare name's)."""


@dataclass(frozen=True, slots=True)
class CjkFont:
    """A font file and, for a collection (.ttc/.otc), the face to use."""

    path: Path
    index: int = 0

    def __str__(self) -> str:
        return str(self.path) if self.index == 0 else f"{self.path} (face {self.index})"


@dataclass(frozen=True, slots=True)
class FontChoice:
    """The font a PDF is set in and the fallbacks for what it lacks."""

    primary: CjkFont
    fallbacks: tuple[CjkFont, ...] = ()
    missing: frozenset[str] = field(default=frozenset())
    """Characters of the needed text that no chosen font has (℃ aside, an error)."""
    needed: frozenset[str] = field(default=frozenset())
    """The characters the fonts were chosen for (`install` hides their blank glyphs)."""

    @property
    def fonts(self) -> tuple[CjkFont, ...]:
        return (self.primary, *self.fallbacks)

    def has(self, char: str) -> bool:
        return any(has_glyph(font, char) for font in self.fonts)


class _Pdf(Protocol):
    """What `install` needs of an fpdf2 document (FPDF itself)."""

    def add_font(
        self, family: str, style: str = ..., fname: str | None = ..., *, collection_font_number: int
    ) -> None: ...

    def set_fallback_fonts(
        self, fallback_fonts: Sequence[str], exact_match: bool = ...
    ) -> None: ...

    @property
    def fonts(self) -> Mapping[str, object]: ...


def find_cjk_font(configured: Path | None = None) -> CjkFont:
    """The font for PDF reports when every character is in one font: `configured` (the
    `reports.font` setting) if given, else the best one found. See `choose_fonts`."""
    return choose_fonts("", configured).primary


def choose_fonts(
    text: str,
    configured: Path | None = None,
    *,
    candidates: Callable[[], list[CjkFont]] | None = None,
) -> FontChoice:
    """The fonts to set `text` (and `BASE_TEXT`) in: see the module's docstring.

    `candidates` lists the fonts to consider, best first (default: fontconfig's fonts for
    Chinese, then the shipped font). Raises `ReportError`: "pdf.font.configured_missing" or
    "pdf.font.configured_not_cjk" for a bad `configured` font, "pdf.font.none" when no font has
    Chinese, "pdf.font.missing_glyphs" when some character is in no font.
    """
    needed = needed_chars(text)
    if configured is not None:
        if not configured.is_file():
            raise ReportError.of("pdf.font.configured_missing", path=configured)
        found = usable_face(configured)
        if found is None:
            raise ReportError.of("pdf.font.configured_not_cjk", path=configured)
        pool = [found]
        primary = found
    else:
        pool = list(dict.fromkeys((candidates or default_candidates)()))
        chinese = [font for font in pool if usable_face(font.path, prefer=font.index) == font]
        if not chinese:
            raise ReportError.of("pdf.font.none")
        primary = next(
            (font for font in chinese if _covers(font, needed | {CELSIUS})),
            next((font for font in chinese if _covers(font, needed)), chinese[0]),
        )
    choice = with_fallbacks(primary, needed | {CELSIUS}, pool)
    check_coverage(choice)
    return choice


def with_fallbacks(
    primary: CjkFont, needed: Iterable[str], pool: Iterable[CjkFont] = ()
) -> FontChoice:
    """`primary` and, for each character it lacks, a fallback that has it: from `pool`, then
    fontconfig's fonts for those characters (most characters first)."""
    needed = frozenset(needed)
    missing = {char for char in needed if not has_glyph(primary, char)}
    fallbacks: list[CjkFont] = []
    if missing:
        others = [font for font in dict.fromkeys(pool) if font != primary]
        others += [font for font in fontconfig_for(missing) if font not in others]
        others += [font for font in bundled_fonts() if font not in others]
        while missing:
            scored = [(len(missing & _chars(font, missing)), font) for font in others]
            count, best = max(scored, key=lambda pair: pair[0], default=(0, primary))
            if count == 0:
                break
            fallbacks.append(best)
            others.remove(best)
            missing -= _chars(best, missing)
    return FontChoice(primary, tuple(fallbacks), frozenset(missing), needed)


def check_coverage(choice: FontChoice) -> None:
    """Raise "pdf.font.missing_glyphs" if a character other than ℃ is in none of the fonts."""
    # Digits and letters first: the ones a reader misses most.
    lacking = sorted(choice.missing - {CELSIUS}, key=lambda char: (not char.isalnum(), char))
    if lacking:
        shown = " ".join(f"{char} (U+{ord(char):04X})" for char in lacking[:10])
        if len(lacking) > 10:
            shown += f" … (+{len(lacking) - 10})"
        raise ReportError.of("pdf.font.missing_glyphs", font=choice.primary, chars=shown)


def install(pdf: _Pdf, choice: FontChoice, family: str) -> None:
    """Add the chosen fonts to `pdf`: the primary as `family`, the fallbacks after it."""
    names = []
    for number, font in enumerate(choice.fonts):
        name = family if number == 0 else f"{family}-fallback{number}"
        try:
            pdf.add_font(name, "", str(font.path), collection_font_number=font.index)
        except Exception as error:  # fpdf2 and fontTools raise many kinds on a bad font
            raise ReportError.of("pdf.font.unusable", path=font.path, detail=error) from error
        # fpdf2 falls back only for characters missing from a font's map: one mapped to a
        # blank glyph would print as a gap, so it is taken out of the map fpdf2 reads.
        cmap = getattr(pdf.fonts.get(name.lower()), "cmap", None)
        for char in choice.needed:
            if isinstance(cmap, dict) and ord(char) in cmap and not has_glyph(font, char):
                del cmap[ord(char)]
        names.append(name)
    if names[1:]:
        pdf.set_fallback_fonts(names[1:], exact_match=False)


def lay_out(
    build: Callable[[FontChoice], P], text: str, font: Path | CjkFont | FontChoice | None
) -> P:
    """The document `build` lays out with the fonts for `text`, checked glyph by glyph.

    `font`: the configured font file, a font already found (its fallbacks are added), a choice
    already made, or None to choose. A character that no chosen font has once the document is
    laid out (a label of the catalog, say) is looked for in fallbacks and the document laid out
    again; still missing, it is the error "pdf.font.missing_glyphs": nothing half-printed.
    """
    if isinstance(font, FontChoice):
        choice = font
    elif isinstance(font, CjkFont):
        choice = with_fallbacks(font, needed_chars(text) | {CELSIUS})
    else:
        choice = choose_fonts(text, font)
    check_coverage(choice)
    document = build(choice)
    lacking = missing_in(document)
    if lacking:
        choice = with_fallbacks(choice.primary, needed_chars(text) | lacking, choice.fallbacks)
        check_coverage(choice)
        document = build(choice)
        lacking = missing_in(document)
    if lacking:
        check_coverage(FontChoice(choice.primary, choice.fallbacks, frozenset(lacking)))
    return document


def missing_in(document: object) -> set[str]:
    """Characters an fpdf2 document has written without a glyph (its fonts' missing glyphs)."""
    from fpdf.fonts import TTFFont

    fonts = getattr(document, "fonts", {})
    return {
        chr(code)
        for font in fonts.values()
        if isinstance(font, TTFFont)
        for code in font.missing_glyphs
    }


def printable(text: str, choice: FontChoice) -> str:
    """`text` as the PDF writes it: ℃ as °C where no chosen font has ℃."""
    return text if CELSIUS not in text or choice.has(CELSIUS) else text.replace(CELSIUS, "°C")


def needed_chars(text: str) -> set[str]:
    """The characters of `BASE_TEXT` and `text` that need a glyph (not spaces or controls)."""
    return {char for char in BASE_TEXT + text if char.isprintable() and not char.isspace()}


def text_of(value: object) -> str:
    """Every string in `value` (a report: dataclasses, tuples, enums), joined: what it prints."""
    parts: list[str] = []

    def walk(item: object) -> None:
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, Enum):
            return
        elif is_dataclass(item) and not isinstance(item, type):
            for each in fields(item):
                walk(getattr(item, each.name))
        elif isinstance(item, (tuple, list, frozenset, set)):
            for each in item:
                walk(each)
        elif isinstance(item, dict):
            for each in item.values():
                walk(each)

    walk(value)
    return "".join(parts)


# -- where fonts come from ------------------------------------------------------------------


def default_candidates() -> list[CjkFont]:
    """Fontconfig's fonts for Chinese, best first, then the font shipped with checkpoint."""
    return [*fontconfig_candidates(), *bundled_fonts()]


def bundled_fonts() -> list[CjkFont]:
    """Noto Sans SC from the `pylopdf-fonts-zh-cn` dependency; empty if it is not installed."""
    try:
        import pylopdf_fonts_zh_cn  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return []
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return [CjkFont(path)] if path.is_file() else []


def fontconfig_candidates() -> list[CjkFont]:
    """Fonts fontconfig offers for Chinese, best first; empty without fontconfig."""
    fc_match = shutil.which("fc-match")
    fc_list = shutil.which("fc-list")
    found: list[CjkFont] = []
    if fc_match is not None:
        found += _fc_lines([fc_match, "-f", r"%{file}|%{index}\n", ":lang=zh"])
    if fc_list is not None:
        # fc-match names one font even when it is a poor match; fc-list names every font that
        # covers Chinese, in case the best match lacks characters or cannot be embedded.
        found += sorted(_fc_lines([fc_list, ":lang=zh", "-f", r"%{file}|%{index}\n"]), key=str)
    return list(dict.fromkeys(found))


def fontconfig_for(chars: Iterable[str]) -> list[CjkFont]:
    """Fonts fontconfig sorts first for `chars` (a Latin font for digits and letters, say)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return []
    codes = " ".join(f"{ord(char):x}" for char in sorted(chars)[:_MAX_CHARSET_QUERY])
    lines = _fc_lines([fc_match, "-s", "-f", r"%{file}|%{index}\n", f":charset={codes}"])
    return lines[:12]  # the best few: the list goes on to every font installed


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


# -- what a font has ------------------------------------------------------------------------


def usable_face(path: Path, *, prefer: int = 0) -> CjkFont | None:
    """The face of `path` that has every Chinese probe glyph (`prefer` first), None if none has."""
    if path.suffix.lower() not in FONT_SUFFIXES or not path.is_file():
        return None
    if path.suffix.lower() in _COLLECTION_SUFFIXES:
        count = _face_count(path)
        order = sorted(range(count), key=lambda i: i != prefer)
    else:
        order = [0]
    return next(
        (CjkFont(path, i) for i in order if _covers(CjkFont(path, i), set(PROBE_TEXT))), None
    )


def _covers(font: CjkFont, chars: set[str]) -> bool:
    return all(has_glyph(font, char) for char in chars)


def _chars(font: CjkFont, chars: set[str]) -> set[str]:
    return {char for char in chars if has_glyph(font, char)}


def has_glyph(font: CjkFont, char: str) -> bool:
    """Whether `font` maps `char` to a glyph that draws something (a space may draw nothing)."""
    return ord(char) in cmap_of(font) and (char.isspace() or _drawn(font, char))


@cache
def _drawn(font: CjkFont, char: str) -> bool:
    from fontTools.pens.boundsPen import ControlBoundsPen

    try:
        face = _face(font)
        glyphs = face.getGlyphSet()
        pen = ControlBoundsPen(glyphs)
        glyphs[face.getBestCmap()[ord(char)]].draw(pen)
    except Exception:  # fontTools raises many kinds on a damaged glyph: not one to print
        return False
    return pen.bounds is not None


@cache
def _face(font: CjkFont) -> TTFont:
    if font.path.suffix.lower() in _COLLECTION_SUFFIXES:
        return TTCollection(str(font.path), lazy=True).fonts[font.index]
    return TTFont(str(font.path), lazy=True)


@cache
def _face_count(path: Path) -> int:
    try:
        return len(TTCollection(str(path), lazy=True).fonts)
    except (OSError, TTLibError, AssertionError, KeyError, ValueError, IndexError):
        return 0


@cache
def cmap_of(font: CjkFont) -> frozenset[int]:
    """The code points `font` has glyphs for; empty for a file that is not a usable font."""
    if font.path.suffix.lower() not in FONT_SUFFIXES:
        return frozenset()
    try:
        return frozenset(_face(font).getBestCmap() or {})
    except (OSError, TTLibError, AssertionError, KeyError, ValueError, IndexError):
        # A damaged or unusual file is simply not a candidate.
        return frozenset()
