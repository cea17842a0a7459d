"""A known log for report tests (every record at a chosen instant around one report day), and
hand-built reports for the renderers with the CJK font the PDF tests need.

Checkpoint in Asia/Shanghai (UTC+8), cut-off hour 12: report day 2026-11-24 runs from
2026-11-24 04:00Z to 2026-11-25 04:00Z. The comments give UTC times; local is 8 hours later.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from checkpoint.config import CheckpointSection, ReportsSection, Settings
from checkpoint.domain.vocabulary import (
    CheckpointKind,
    Direction,
    DirectionMode,
    Disposition,
    DocumentKind,
    Instrument,
    PersonRole,
    Plausibility,
    ReadingPurpose,
    Site,
    Unit,
    VehicleType,
)
from checkpoint.reports.fonts import CjkFont, bundled_fonts, needed_chars, text_of
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
from checkpoint.store.amendments import amend
from checkpoint.store.chain import append
from checkpoint.store.engine import Store, open_store
from checkpoint.store.models import (
    CaseEventFields,
    CheckpointSiteFields,
    DisinfectionFields,
    Person,
    PersonFields,
    ReadingFields,
    ShiftClosureFields,
    ShiftFields,
    StaffCheckFields,
    TurnBackFields,
    VehiclePassage,
    VehiclePassageFields,
)
from checkpoint.store.models import Reading as ReadingRow

DAY = date(2026, 11, 24)
NEXT_DAY = date(2026, 11, 25)
EMPTY_DAY = date(2026, 11, 30)
GENERATED = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


def utc(day: int, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, micro, tzinfo=UTC)


def report_settings(cutoff: int = 12) -> Settings:
    return Settings(
        checkpoint=CheckpointSection(
            id="HB-XG-0012",
            name="孝感北收费站",
            kind=CheckpointKind.EXPRESSWAY_EXIT,
            township="毛陈镇",
            county="孝南区",
            timezone="Asia/Shanghai",
        ),
        reports=ReportsSection(day_cutoff_hour=cutoff),
    )


@dataclass
class Log:
    """The known log and handles on its records."""

    store: Store
    site: CheckpointSiteFields
    shift_a: ShiftFields
    shift_b: ShiftFields
    fever_at_cutoff: uuid.UUID = field(default_factory=uuid.uuid4)
    fever_midnight: uuid.UUID = field(default_factory=uuid.uuid4)


def _reading(
    shift: ShiftFields,
    person: uuid.UUID | None,
    value: float,
    at: datetime,
    purpose: ReadingPurpose = ReadingPurpose.SCREENING,
) -> ReadingFields:
    axillary = purpose is ReadingPurpose.AXILLARY
    return ReadingFields(
        person_id=person,
        shift_id=shift.id,
        taken_at=at,
        purpose=purpose,
        value=value,
        unit=Unit.CELSIUS,
        value_c=value,
        site=Site.BODY,
        instrument=Instrument.AXILLARY_TYPED if axillary else Instrument.SERIAL_INFRARED,
        raw=str(value),
        plausibility=Plausibility.OK,
        threshold_c=37.3,
        rounded_c=value,
        flagged=value >= 37.3,
        operator="王芳",
    )


class Builder:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, *records: object) -> None:
        with self.store.session() as session:
            append(session, *records)  # type: ignore[arg-type]

    def passage(
        self,
        shift: ShiftFields,
        at: datetime,
        kind: VehicleType = VehicleType.CAR,
        direction: Direction = Direction.IN,
        *,
        non_local: bool = False,
        plate: str | None = "鄂K12345",
    ) -> VehiclePassageFields:
        passage = VehiclePassageFields(
            shift_id=shift.id,
            passed_at=at,
            vehicle_type=kind,
            plate=plate,
            direction=direction,
            non_local=non_local,
            operator="王芳",
        )
        self.add(passage)
        return passage

    def person(
        self,
        shift: ShiftFields,
        passage: VehiclePassageFields,
        value: float,
        at: datetime,
        *,
        name: str = "张三",
        risk: bool = False,
        case: bool = False,
    ) -> tuple[PersonFields, ReadingFields]:
        person = PersonFields(
            passage_id=passage.id,
            role=PersonRole.PASSENGER,
            name=name,
            document_kind=DocumentKind.RESIDENT_ID,
            document_number="11010519491231002X",
            phone="+8613812345678",
            origin="湖北省武汉市",
            risk_area_travel=risk,
            operator="王芳",
        )
        reading = _reading(shift, person.id, value, at)
        records: list[object] = [person, reading]
        if case:
            records.append(
                CaseEventFields(
                    person_id=person.id, kind="opened", at=at, by="王芳", reading_id=reading.id
                )
            )
        self.add(*records)
        return person, reading

    def step(
        self,
        shift: ShiftFields,
        person: PersonFields,
        kind: str,
        at: datetime,
        value: float | None = None,
        disposition: Disposition | None = None,
    ) -> None:
        records: list[object] = []
        reading_id = None
        if value is not None:
            purpose = ReadingPurpose.AXILLARY if kind == "axillary" else ReadingPurpose.REMEASURE
            reading = _reading(shift, person.id, value, at, purpose)
            reading_id = reading.id
            records.append(reading)
        records.append(
            CaseEventFields(
                person_id=person.id,
                kind=kind,
                at=at,
                by="李强" if disposition else "王芳",
                reading_id=reading_id,
                disposition=disposition,
            )
        )
        self.add(*records)


def build_log(store: Store) -> Log:
    b = Builder(store)
    site = CheckpointSiteFields(
        code="HB-XG-0012",
        name="孝感北收费站",
        kind=CheckpointKind.EXPRESSWAY_EXIT,
        direction_mode=DirectionMode.TWO_WAY,
        township="毛陈镇",
        county="孝南区",
        timezone="Asia/Shanghai",
        active_from=utc(23, 0),
    )
    shift_a = ShiftFields(
        checkpoint_id=site.id, opened_at=utc(23, 19), leader="李强", operators=["王芳", "张伟"]
    )
    check_a = _reading(shift_a, None, 36.5, utc(23, 19), ReadingPurpose.STAFF_SELF_CHECK)
    b.add(
        site,
        shift_a,
        check_a,
        StaffCheckFields(
            shift_id=shift_a.id, staff_name="王芳", reading_id=check_a.id, flagged=False
        ),
    )
    # The day before: a non-local car.
    p1 = b.passage(shift_a, utc(24, 3, 30), non_local=True, plate="京A12345")
    b.person(shift_a, p1, 36.6, utc(24, 3, 30))
    # A bus at the cut-off instant: one person at 12:00:00.000000 local, one fever a minute on.
    p2 = b.passage(shift_a, utc(24, 4), VehicleType.BUS)
    b.person(shift_a, p2, 36.5, utc(24, 4))
    fever, _ = b.person(shift_a, p2, 37.5, utc(24, 4, 1), name="欧阳娜娜", case=True)
    b.step(shift_a, fever, "taken-aside", utc(24, 4, 5))
    b.step(shift_a, fever, "remeasured", utc(24, 4, 15), 37.4)
    b.step(shift_a, fever, "axillary", utc(24, 4, 30), 37.6)
    b.step(shift_a, fever, "decided", utc(24, 4, 35), disposition=Disposition.REFERRED_FEVER_CLINIC)
    # Written with the laptop's clock a day behind and outbound local: amended below.
    p3 = b.passage(shift_a, utc(23, 20), VehicleType.TRUCK, Direction.OUT)
    _, r3 = b.person(shift_a, p3, 36.7, utc(23, 20), name="Li Lei", risk=True)
    b.add(ShiftClosureFields(shift_id=shift_a.id, closed_at=utc(24, 15), closed_by="李强"))
    shift_b = ShiftFields(
        checkpoint_id=site.id, opened_at=utc(24, 15), leader="赵敏", operators=["刘洋"]
    )
    check_b = _reading(shift_b, None, 36.4, utc(24, 15), ReadingPurpose.STAFF_SELF_CHECK)
    b.add(
        shift_b,
        check_b,
        StaffCheckFields(
            shift_id=shift_b.id, staff_name="刘洋", reading_id=check_b.id, flagged=False
        ),
    )
    # A fever at 23:50 local, followed up after midnight.
    p4 = b.passage(shift_b, utc(24, 15, 50))
    late, _ = b.person(shift_b, p4, 37.8, utc(24, 15, 50), name="王五", case=True)
    b.add(DisinfectionFields(passage_id=p4.id, at=utc(24, 15, 52), by="刘洋"))
    b.step(shift_b, late, "taken-aside", utc(24, 15, 55))
    b.step(shift_b, late, "remeasured", utc(24, 16, 10), 37.0)
    b.step(
        shift_b, late, "decided", utc(24, 16, 20), disposition=Disposition.HOME_HEALTH_MONITORING
    )
    # The last microsecond of the day: a motorcycle out, turned back.
    last = utc(25, 3, 59, 59, 999999)
    p5 = b.passage(shift_b, last, VehicleType.MOTORCYCLE, Direction.OUT)
    b.person(shift_b, p5, 36.4, last)
    b.add(TurnBackFields(passage_id=p5.id, at=last, by="刘洋", reason="无必要出行"))
    # The next day's first instant.
    p6 = b.passage(shift_b, utc(25, 4))
    b.person(shift_b, p6, 36.6, utc(25, 4))
    # Corrections of the truck: time (to 18:00 local on the day), direction, non-local twice.
    with store.session() as session:
        passage = session.get(VehiclePassage, p3.id)
        reading = session.get(ReadingRow, r3.id)
        assert passage is not None and reading is not None
        for column, value in (
            ("passed_at", utc(24, 10)),
            ("direction", Direction.IN),
            ("non_local", False),
            ("non_local", True),
        ):
            amend(
                session=session,
                record=passage,
                field=column,
                new_value=value,
                reason="核对",
                by="李强",
            )
        amend(
            session=session,
            record=reading,
            field="taken_at",
            new_value=utc(24, 10),
            reason="核对",
            by="李强",
        )
        assert session.get(Person, fever.id) is not None
    return Log(store, site, shift_a, shift_b, fever.id, late.id)


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Log]:
    store = open_store(tmp_path / "data" / "checkpoint.db")
    try:
        yield build_log(store)
    finally:
        store.close()


START = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 2026-11-24 00:00 in Asia/Shanghai
CHAIN_HEAD = "9f2c" + "0123456789abcdef" * 3 + "a1b2c3d4e5f6"


@pytest.fixture(scope="session")
def cjk_font() -> CjkFont:
    """The font checkpoint ships (Noto Sans SC): every PDF test sets its text in the same font,
    whatever the machine has."""
    shipped = bundled_fonts()
    if not shipped:
        pytest.skip("pylopdf-fonts-zh-cn is not installed: pip install -e '.[dev]'")
    return shipped[0]


# -- fonts a test can see -------------------------------------------------------------------

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>{dirs}<cachedir>{cache}</cachedir></fontconfig>
"""
DROID_FALLBACK = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
"""Debian's fonts-droid-fallback (Ghostscript and CUPS bring it): Chinese without Latin."""


def fontconfig_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *fonts: Path) -> None:
    """Make fontconfig (fc-match, fc-list) see exactly `fonts` and nothing else."""
    folder = tmp_path / "visible-fonts"
    folder.mkdir()
    for font in fonts:
        (folder / font.name).symlink_to(font)
    config = tmp_path / "fonts.conf"
    config.write_text(
        FONTS_CONF.format(dirs=f"<dir>{folder}</dir>", cache=tmp_path / "fc-cache"),
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))


@dataclass(frozen=True)
class MachineFonts:
    """Fonts cut from the shipped Noto Sans SC at test time, to stand for machine fonts."""

    chinese_only: Path
    """Chinese characters and punctuation, no digits, no Latin, no ℃: like Droid Sans Fallback."""
    no_celsius: Path
    """Everything a report prints except ℃ (some Chinese fonts lack it)."""
    latin: Path
    """ASCII, ℃ and the Latin punctuation, no Chinese: like DejaVu Sans."""


def _subset(source: Path, chars: set[str], target: Path, family: str) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(char) for char in chars))
    subsetter.subset(font)
    # A name of its own, so fontconfig and pdffonts tell the test fonts apart.
    for record in font["name"].names:
        if record.nameID in (1, 4, 6, 16):
            record.string = family
    font.save(str(target))
    return target


@pytest.fixture(scope="session")
def machine_fonts(cjk_font: CjkFont, tmp_path_factory: pytest.TempPathFactory) -> MachineFonts:
    from checkpoint.locale import catalog

    folder = tmp_path_factory.mktemp("test-fonts")
    # The Chinese of every report the tests make: their sources hold it (the hub's too).
    sources = Path(__file__).parents[1].rglob("*.py")
    report_text = "".join(path.read_text(encoding="utf-8") for path in sources)
    report_text += text_of(make_report()) + text_of(make_long_report())
    everything = needed_chars(
        report_text + "".join(catalog("zh-CN").values()) + "".join(catalog("en").values())
    )
    latin = {char for char in everything if ord(char) < 0x2000} | {"℃", "–", "—", "…", "·"}
    chinese = {char for char in everything if ord(char) >= 0x2000} - {"℃", "–", "—", "…"}
    return MachineFonts(
        chinese_only=_subset(cjk_font.path, chinese, folder / "ChineseOnly.otf", "ChineseOnly"),
        no_celsius=_subset(
            cjk_font.path, everything - {"℃"}, folder / "NoCelsius.otf", "NoCelsius"
        ),
        latin=_subset(cjk_font.path, latin, folder / "LatinOnly.otf", "LatinOnly"),
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


# -- a private CUPS server for the printing tests -----------------------------------------

CUPS_TOOLS = ("cupsd", "lp", "lpadmin", "lpstat")
QUEUE = "checkpoint-test"

CUPSD_CONF = """\
Listen {socket}
LogLevel warn
WebInterface No
Browsing No
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
CUPS_FILES_CONF = """\
ServerRoot {root}
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
FileDevice Yes
ServerBin /usr/lib/cups
DataDir /usr/share/cups
"""


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture
def cups_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private cupsd with no printer yet; CUPS_SERVER points at its socket."""
    missing = [tool for tool in CUPS_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"CUPS not installed ({', '.join(missing)} missing): "
            "apt install cups-daemon cups-client cups-bsd to run the real printing test"
        )
    # A short folder: the socket path must fit in a sockaddr_un (108 bytes).
    root = Path(tempfile.mkdtemp(prefix="cups-"))
    for folder in ("spool", "cache", "state", "tmp", "log"):
        (root / folder).mkdir()
    socket = root / "cups.sock"
    (root / "cupsd.conf").write_text(CUPSD_CONF.format(socket=socket), encoding="utf-8")
    (root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root), encoding="utf-8")
    # cupsd drops to the lp user for jobs when started as root: let it into the folder.
    root.chmod(0o755)
    daemon = subprocess.Popen(
        ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while not socket.exists() and daemon.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if not socket.exists():
            log = (root / "log" / "error_log").read_text(errors="replace")[-500:]
            pytest.skip(f"a private cupsd did not start: {log or daemon.returncode}")
        monkeypatch.setenv("CUPS_SERVER", str(socket))
        yield root
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(root, ignore_errors=True)


LONG_NAME = "欧阳" + "娜" * 190 + "Nana Ouyang"[:8]
"""200 characters: a name as a careless or mischievous entry can make it."""
LONG_ORIGIN = ("湖北省武汉市江汉区" * 45)[:390] + "Hankou Rd"[:10]
"""400 characters of where from."""


def make_long_report() -> Report:
    """The report of `make_report` with text longer than any cell, line or page column."""
    report = make_report()
    case = replace(
        report.cases[0],
        name=LONG_NAME,
        origin=LONG_ORIGIN,
        plate="湘A66666",
        steps=(
            *report.cases[0].steps,
            CaseStep(START + timedelta(hours=9, minutes=50), "note", "王芳", note="备注" * 300),
        ),
    )
    return replace(
        report,
        checkpoint_name="孝感北高速出口" * 20,
        cases=(case,),
        staff_on_duty=tuple(f"志愿者{n:03d}" for n in range(60)),
        handover_note="交接" * 600,
    )


# -- reading PDFs ---------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """All text of the PDF (pypdf) without whitespace: table cells wrap and extraction adds
    spaces; pypdf reads fpdf2's CFF (OpenType) subsets with a NUL after each character."""
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))


def poppler(tool: str, data: bytes, *args: str) -> str:
    """What poppler's `tool` (pdftotext, pdffonts) says of the PDF `data`; a skip without it."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed: apt install poppler-utils (.ci/run installs it)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(data)
        target = ["-"] if tool == "pdftotext" else []
        result = subprocess.run(
            [tool, *args, str(path), *target],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    return result.stdout


def poppler_text(data: bytes) -> str:
    """pdftotext's reading of the PDF, without whitespace."""
    return re.sub(r"\s+", "", poppler("pdftotext", data, "-raw", "-enc", "UTF-8"))
