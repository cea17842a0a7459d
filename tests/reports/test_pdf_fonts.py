"""Which fonts a PDF is set in, on machines with different fonts, read back with poppler.

Each test decides what fontconfig sees (`fontconfig_with`; by default, tests/conftest.py shows
it no font at all) and whether the font checkpoint ships is there; "machine" fonts are cut from
the shipped Noto Sans SC at test time (`machine_fonts`), and the real Droid Sans Fallback is used
where Debian's fonts-droid-fallback is installed (.ci/run installs it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checkpoint.errors import ReportError
from checkpoint.locale import Language
from checkpoint.reports import fonts
from checkpoint.reports.fonts import CjkFont, choose_fonts
from checkpoint.reports.pdf import render_pdf
from tests.reports.conftest import (
    CHAIN_HEAD,
    DROID_FALLBACK,
    MachineFonts,
    _subset,
    fontconfig_with,
    make_report,
    poppler,
    poppler_text,
)
from tests.reports.test_report_cli import home as home  # the fixture: a home with the known log
from tests.reports.test_report_cli import invoke

EXPECTED: dict[Language, tuple[str, ...]] = {
    "zh-CN": (
        "孝感北高速出口日报告",
        "2026-11-2400:00–2026-11-2500:00(Asia/Shanghai)",
        "4821",
        "鄂K12345",
        "复测37.7℃(王芳)",
        "阈值37.3℃",
        "记录1201–1873",
        CHAIN_HEAD,
    ),
    "en": (
        "孝感北高速出口Dailyreport",
        "Peoplescreened137",
        "4821",
        "re-measured37.7℃",
        "threshold37.3℃",
        CHAIN_HEAD,
    ),
}
"""Digits, Latin letters, ℃ and Chinese, in each language: what Droid Sans Fallback lost."""


def embedded(data: bytes) -> list[str]:
    """The names of the fonts embedded in the PDF, as pdffonts lists them."""
    lines = poppler("pdffonts", data).splitlines()[2:]
    assert all(" yes yes " in line for line in lines), lines  # embedded, subset
    return [line.split()[0].split("+", 1)[1] for line in lines]


def no_shipped_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "bundled_fonts", list)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_a_machine_without_fonts_gets_readable_pdfs_from_the_shipped_font(
    language: Language,
) -> None:
    # tests/conftest.py: fontconfig sees no font at all, as on a fresh server.
    assert fonts.fontconfig_candidates() == []
    data = render_pdf(make_report(), language=language)
    assert embedded(data) == ["NotoSansSC"]
    text = poppler_text(data)
    for expected in EXPECTED[language]:
        assert expected in text, expected


def test_a_chinese_font_without_latin_offered_first_is_passed_over(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, machine_fonts: MachineFonts
) -> None:
    # The machine of the issue: fontconfig's best Chinese font has no digits, letters or ℃.
    fontconfig_with(monkeypatch, tmp_path, machine_fonts.chinese_only)
    assert [font.path.name for font in fonts.fontconfig_candidates()] == ["ChineseOnly.otf"]
    data = render_pdf(make_report(), language="zh-CN")
    assert embedded(data) == ["NotoSansSC"]  # the better candidate: the shipped font
    text = poppler_text(data)
    for expected in EXPECTED["zh-CN"]:
        assert expected in text, expected


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_what_the_chinese_font_lacks_comes_from_a_fallback_font(
    language: Language, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, machine_fonts: MachineFonts
) -> None:
    fontconfig_with(monkeypatch, tmp_path, machine_fonts.chinese_only, machine_fonts.latin)
    no_shipped_font(monkeypatch)
    choice = choose_fonts(fonts.text_of(make_report()))
    assert choice.primary.path.name == "ChineseOnly.otf"
    assert [font.path.name for font in choice.fallbacks] == ["LatinOnly.otf"]
    data = render_pdf(make_report(), language=language)
    assert sorted(embedded(data)) == ["ChineseOnly", "LatinOnly"]
    text = poppler_text(data)
    for expected in EXPECTED[language]:
        assert expected in text, expected


def test_a_pdf_that_would_miss_glyphs_is_an_error_naming_the_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, machine_fonts: MachineFonts
) -> None:
    fontconfig_with(monkeypatch, tmp_path, machine_fonts.chinese_only)
    no_shipped_font(monkeypatch)
    with pytest.raises(ReportError) as raised:
        render_pdf(make_report(), language="zh-CN")
    error = raised.value
    assert error.code == "pdf.font.missing_glyphs"
    assert "ChineseOnly.otf" in error.message and "0 (U+0030)" in error.message
    assert "[reports] font" in error.hint and "fonts-noto-cjk" in error.hint
    assert "ChineseOnly.otf" in error.text("zh-CN")[0]
    # The same for the hub's report, and for a configured font with nothing to fall back on.
    with pytest.raises(ReportError):
        choose_fonts("", machine_fonts.chinese_only, candidates=list)
    monkeypatch.setattr(fonts, "fontconfig_for", lambda chars: [])
    with pytest.raises(ReportError) as configured:
        render_pdf(make_report(), language="en", font=machine_fonts.chinese_only)
    assert configured.value.code == "pdf.font.missing_glyphs"


def test_a_character_in_no_font_is_an_error_not_a_gap(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, machine_fonts: MachineFonts
) -> None:
    from dataclasses import replace

    report = make_report()
    rare = replace(report, cases=(replace(report.cases[0], name="𠮷野家"),))  # U+20BB7
    with pytest.raises(ReportError) as raised:
        render_pdf(rare, language="zh-CN")
    assert raised.value.code == "pdf.font.missing_glyphs"
    assert "U+20BB7" in raised.value.message and "NotoSansSC" in raised.value.message


def test_celsius_is_printed_where_a_font_has_it_else_written_as_degrees_c(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, machine_fonts: MachineFonts
) -> None:
    with_celsius = poppler_text(render_pdf(make_report(), language="zh-CN"))
    assert "阈值37.3℃" in with_celsius and "°C" not in with_celsius
    # A Chinese font without ℃, and nothing to fall back on.
    fontconfig_with(monkeypatch, tmp_path, machine_fonts.no_celsius)
    no_shipped_font(monkeypatch)
    monkeypatch.setattr(fonts, "fontconfig_for", lambda chars: [])
    data = render_pdf(make_report(), language="zh-CN")
    assert embedded(data) == ["NoCelsius"]
    text = poppler_text(data)
    assert "阈值37.3°C" in text and "复测37.7°C(王芳)" in text and "℃" not in text


@pytest.mark.skipif(
    not DROID_FALLBACK.is_file(),
    reason="Droid Sans Fallback not installed: apt install fonts-droid-fallback (.ci/run does)",
)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_real_droid_sans_fallback_alone(
    language: Language, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fontconfig_with(monkeypatch, tmp_path, DROID_FALLBACK)
    assert fonts.fontconfig_candidates()[0].path.name == DROID_FALLBACK.name
    data = render_pdf(make_report(), language=language)
    assert embedded(data) == ["NotoSansSC"]
    text = poppler_text(data)
    for expected in EXPECTED[language]:
        assert expected in text, expected
    # Without the shipped font, nothing to fall back on: an error naming Droid Sans Fallback.
    no_shipped_font(monkeypatch)
    with pytest.raises(ReportError) as raised:
        render_pdf(make_report(), language=language)
    assert raised.value.code == "pdf.font.missing_glyphs"
    assert "DroidSansFallbackFull.ttf" in raised.value.message


def test_the_command_fails_and_saves_nothing_when_a_glyph_would_be_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, machine_fonts: MachineFonts, home: Path
) -> None:
    fontconfig_with(monkeypatch, tmp_path, machine_fonts.chinese_only)
    no_shipped_font(monkeypatch)
    out = tmp_path / "day.pdf"
    for extra in ([], ["--print"]):
        args = ["report", "day", "--date", "2026-11-24", "--format", "pdf", "-o", str(out)]
        result = invoke(home, *args, *extra)
        assert result.exit_code == 1, result.output
        assert "ChineseOnly.otf" in result.stderr and "[reports] font" in result.stderr
        assert not out.exists()


@pytest.fixture
def blank_celsius(cjk_font: CjkFont, machine_fonts: MachineFonts, tmp_path: Path) -> Path:
    """A Chinese font whose character map has ℃ on a glyph that draws nothing, as WenQuanYi
    Micro Hei's has (its cmap names U+2103, its glyph is empty: ℃ printed blank)."""
    from fontTools.ttLib import TTFont

    chars = {chr(code) for code in TTFont(str(machine_fonts.no_celsius)).getBestCmap()}
    target = _subset(cjk_font.path, chars | {"℃"}, tmp_path / "BlankCelsius.otf", "BlankCelsius")
    font = TTFont(str(target))
    glyph = font.getBestCmap()[ord("℃")]
    outline = font["CFF "].cff.topDictIndex[0].CharStrings[glyph]
    outline.program, outline.bytecode = ["endchar"], None  # drawn as nothing
    font.save(str(target))
    return target


def test_a_celsius_that_draws_nothing_is_not_taken_for_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, blank_celsius: Path
) -> None:
    fontconfig_with(monkeypatch, tmp_path, blank_celsius)
    # Offered first, but its ℃ would print blank: the shipped font has them all.
    choice = choose_fonts(fonts.text_of(make_report()))
    assert choice.primary.path.name != "BlankCelsius.otf"
    assert embedded(render_pdf(make_report(), language="zh-CN")) == ["NotoSansSC"]
    # Configured, it is kept, and ℃ comes from the fallback rather than its blank glyph.
    data = render_pdf(make_report(), language="zh-CN", font=blank_celsius)
    assert sorted(embedded(data)) == ["BlankCelsius", "NotoSansSC"]
    # With nothing to fall back on, °C is written, never a blank.
    no_shipped_font(monkeypatch)
    monkeypatch.setattr(fonts, "fontconfig_for", lambda chars: [])
    text = poppler_text(render_pdf(make_report(), language="zh-CN"))
    assert "阈值37.3°C" in text and "℃" not in text
