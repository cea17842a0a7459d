"""The PDF report: its text extracted and checked, in both languages, and the font rules."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from checkpoint.errors import ReportError
from checkpoint.locale import translate
from checkpoint.reports import fonts
from checkpoint.reports.fonts import CjkFont, find_cjk_font
from checkpoint.reports.model import ReportKind
from checkpoint.reports.pdf import FIGURE_ORDER, render_pdf
from tests.reports.conftest import CHAIN_HEAD, make_report, pdf_text

A4_POINTS = (595.28, 841.89)


def test_chinese_report_says_what_the_report_holds(cjk_font: CjkFont) -> None:
    data = render_pdf(make_report(), language="zh-CN", font=cjk_font)
    assert data.startswith(b"%PDF-")
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        A4_POINTS, abs=0.5
    )
    text = pdf_text(data)
    for expected in (
        "孝感北高速出口日报告",
        "朋兴乡",
        "孝南区",
        "2026-11-2400:00–2026-11-2500:00(Asia/Shanghai)",  # UTC 16:00 shown in local time
        "带班领导:李强",
        "值班人员:王芳、张伟",
        "检测人员1374821",  # new and cumulative
        "车辆521790",
        "劝返车辆20",
        "欧阳**",
        "420902********1234",  # documents and phones stay masked
        "138****5678",
        "鄂K12345",
        "37.8",
        "复测37.7℃(王芳)",
        "转发热门诊/120(李强)",
        "每小时检测人次",
        "体温分布",
        "阈值37.3℃",
        "值班人员签字(王芳、张伟)",
        "带班领导签字(李强)",
        "体温枪电池已更换",
        "记录1201–1873",
        CHAIN_HEAD,
    ):
        assert expected in text, expected
    assert "本日未发现体温异常人员" not in text  # one person was at or over the threshold


def test_zero_report_says_nothing_was_found(cjk_font: CjkFont) -> None:
    report = make_report(with_case=False)
    assert report.zero_report
    chinese = pdf_text(render_pdf(report, language="zh-CN", font=cjk_font))
    assert "本日未发现体温异常人员(阈值37.3℃)" in chinese.replace("（", "(").replace("）", ")")
    assert "体温异常及疑似人员" not in chinese  # no case list
    shift = pdf_text(
        render_pdf(make_report(with_case=False, kind=ReportKind.SHIFT), language="zh-CN")
    )
    assert "本班未发现体温异常人员" in shift
    english = pdf_text(render_pdf(report, language="en", font=cjk_font))
    assert "Nopersonatorabovethethreshold(37.3℃)thisreportday." in english


def test_english_report_uses_english_labels_and_keeps_chinese_names(cjk_font: CjkFont) -> None:
    text = pdf_text(render_pdf(make_report(), language="en", font=cjk_font))
    for expected in (
        "孝感北高速出口Dailyreport",
        "Shiftleader:李强",
        "Peoplescreened1374821",
        "Staffonduty(signature)(王芳,张伟)",
        "Shiftleader(signature)(李强)",
        "feverclinic/120(李强)",
        "chainhead" + CHAIN_HEAD,
    ):
        assert expected in text, expected
    assert "pdf." not in text  # no label missing from the catalog


def test_every_label_the_pdf_needs_is_in_both_catalogs() -> None:
    keys = [f"pdf.figure.{name}" for name in FIGURE_ORDER]
    keys += [f"pdf.step.{kind}" for kind in ("opened", "aside", "remeasured", "axillary")]
    keys += [f"pdf.step.{kind}" for kind in ("history", "decided", "taken-aside", "note")]
    keys += ["pdf.sign.duty-staff", "pdf.sign.shift-leader", "pdf.zero.day", "pdf.zero.shift"]
    keys += [f"pdf.title.{kind.value}" for kind in ReportKind]
    for language in ("zh-CN", "en"):
        missing = [key for key in keys if translate(key, language) == key]
        assert not missing, f"{language}: {missing}"


def test_the_same_report_gives_the_same_bytes(cjk_font: CjkFont) -> None:
    report = make_report()
    first = render_pdf(report, language="zh-CN", font=cjk_font)
    assert render_pdf(report, language="zh-CN", font=cjk_font) == first


def test_no_cjk_font_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)  # no fontconfig at all
    monkeypatch.setattr(fonts, "bundled_fonts", list)  # and the shipped font removed
    with pytest.raises(ReportError) as raised:
        render_pdf(make_report(), language="zh-CN", font=None)
    error = raised.value
    assert error.code == "pdf.font.none"
    assert "fonts-noto-cjk" in error.hint
    assert "fonts-wqy-microhei" in error.hint
    assert "[reports] font" in error.hint
    assert "fonts-noto-cjk" in error.text("zh-CN")[1]


def test_a_font_without_chinese_glyphs_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What fontconfig answers on a machine without Chinese fonts: a Latin font.
    latin = tmp_path / "Latin.ttf"
    latin.write_bytes(b"\x00\x01\x00\x00 not really a font")
    monkeypatch.setattr(fonts, "fontconfig_candidates", lambda: [CjkFont(latin)])
    monkeypatch.setattr(fonts, "bundled_fonts", list)
    with pytest.raises(ReportError) as raised:
        find_cjk_font(None)
    assert raised.value.code == "pdf.font.none"
    with pytest.raises(ReportError) as configured:
        find_cjk_font(latin)
    assert configured.value.code == "pdf.font.configured_not_cjk"
    assert str(latin) in configured.value.message
    with pytest.raises(ReportError) as missing:
        find_cjk_font(tmp_path / "nowhere.ttc")
    assert missing.value.code == "pdf.font.configured_missing"


def test_a_configured_font_is_used(cjk_font: CjkFont) -> None:
    found = find_cjk_font(cjk_font.path)
    assert found.path == cjk_font.path
    assert fonts.usable_face(found.path, prefer=found.index) == found
    text = pdf_text(render_pdf(make_report(), language="zh-CN", font=cjk_font.path))
    assert "孝感北高速出口" in text
