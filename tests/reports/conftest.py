"""Hand-built reports for the renderers, and the CJK font the PDF tests need."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from checkpoint.domain.vocabulary import Disposition
from checkpoint.errors import ReportError
from checkpoint.reports.fonts import CjkFont, find_cjk_font
from checkpoint.reports.model import (
    CaseStep,
    FeverCase,
    Figures,
    HourCount,
    LogRange,
    Report,
    ReportKind,
    Signature,
)

START = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 2026-11-24 00:00 in Asia/Shanghai
CHAIN_HEAD = "9f2c" + "0123456789abcdef" * 3 + "a1b2c3d4e5f6"


@pytest.fixture(scope="session")
def cjk_font() -> CjkFont:
    """A font with Chinese glyphs, or a skip that says what to install."""
    try:
        return find_cjk_font(None)
    except ReportError as error:
        pytest.skip(
            f"no CJK font on this machine ({error.message}); .ci/run installs "
            "fonts-wqy-microhei where apt-get is available"
        )


def make_report(*, with_case: bool = True, kind: ReportKind = ReportKind.DAY) -> Report:
    """A daily report of 孝感北高速出口 with one fever case (or none: a zero report)."""
    new = Figures(
        people=137,
        vehicles=52,
        inbound=30,
        outbound=22,
        non_local=17,
        from_risk_areas=3,
        at_or_over=1 if with_case else 0,
        remeasured=1 if with_case else 0,
        axillary_confirmed=1 if with_case else 0,
        referred=1 if with_case else 0,
        turned_back=2,
        disinfections=9,
        staff_checks=4,
    )
    cumulative = Figures(people=4821, vehicles=1790, inbound=1001, outbound=789, at_or_over=6)
    hours = tuple(
        HourCount(START + timedelta(hours=h), people=(h * 7) % 13, at_or_over=int(h == 9))
        for h in range(24)
    )
    temperatures = ((36.1, 20), (36.4, 60), (36.6, 40), (36.9, 16), (37.8, 1))
    if not with_case:
        temperatures = temperatures[:-1]
    case = FeverCase(
        person_id=uuid.UUID(int=7),
        screened_at=START + timedelta(hours=9, minutes=12),
        name="欧阳**",
        document="420902********1234",
        phone="138****5678",
        plate="鄂K12345",
        origin="湖北武汉",
        first_value_c=37.8,
        reasons=("fever",),
        steps=(
            CaseStep(START + timedelta(hours=9, minutes=13), "aside", "王芳"),
            CaseStep(START + timedelta(hours=9, minutes=25), "remeasured", "王芳", value_c=37.7),
            CaseStep(START + timedelta(hours=9, minutes=35), "axillary", "王芳", value_c=37.9),
            CaseStep(
                START + timedelta(hours=9, minutes=40),
                "decided",
                "李强",
                disposition=Disposition.REFERRED_FEVER_CLINIC,
            ),
        ),
        disposition=Disposition.REFERRED_FEVER_CLINIC,
        decided_by="李强",
    )
    return Report(
        kind=kind,
        checkpoint_code="HB-XG-0012",
        checkpoint_name="孝感北高速出口",
        township="朋兴乡",
        county="孝南区",
        timezone="Asia/Shanghai",
        start=START,
        end=START + timedelta(days=1),
        generated_at=START + timedelta(days=1, minutes=5),
        new=new,
        cumulative=cumulative,
        by_hour=hours,
        cases=(case,) if with_case else (),
        staff_on_duty=("王芳", "张伟"),
        signatures=(
            Signature("duty-staff", ("王芳", "张伟")),
            Signature("shift-leader", ("李强",)),
        ),
        log_range=LogRange(first_seq=1201, last_seq=1873, chain_head=CHAIN_HEAD),
        threshold_c=37.3,
        temperatures=temperatures,
        leader="李强",
        handover_note="体温枪电池已更换",
        report_day="2026-11-24",
    )
