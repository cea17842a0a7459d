"""Three laptops ("lanes") of one checkpoint, screened in parallel, reaching the county by every
route in every order, with repeats: every level's figures are the exact sums of the lanes, and
every record is held once at every level.

What is covered:
- Three real logs under one checkpoint code, screened in three threads at once, each with its
  own number of people and fevers (23/3, 11/0, 37/5), then each screening more (+6 people,
  +2 fevers) later on the same report day, so its day report changes and is sent again.
- Routes: a lane syncs straight to the county; a lane syncs to the township, which forwards to
  the county over HTTP (a real hub on 127.0.0.1); a lane goes by USB bundle (its records and
  its daily reports in one signed file), imported at the township or at the county.
- Orders: all 24 orders of the four steps (direct, township, bundle, forward), the bundle
  imported at the township or at the county in turn, then 12 hypothesis-drawn (derandomized)
  orders of nine steps, the bundle at either level:
  those four, a second delivery of the direct lane through the township (a lane sent twice),
  the bundle imported again, a forward interrupted after its first batch, and more screening
  on two lanes (their resubmitted reports), the forward at a random point; each case ends with
  every lane delivering its current state along its routes and a full forward.
- After every step: no record held twice at either level. At the end, at both levels: the
  checkpoint's daily figures equal the sums of the three lanes' own reports (every figure),
  the people and fevers equal the numbers screened, and the ids and hashes held are exactly the
  three logs' records.
- Hubs on SQLite (every case above) and on PostgreSQL (township and county: 4 of the 24 orders
  and 2 orders of the nine steps, one reversed).

The hub side is called as the HTTP endpoints call it (`store_batch`, `store_report`,
`import_bundle`), the forward goes over HTTP to a real hub, so that a case stays cheap; the
laptop's own sync client over HTTP is in `tests/sync/test_lanes_upward.py`, the bundle's
reports through the CLI in `tests/sync/test_bundle_reports.py`.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkpoint.hub import db
from checkpoint.hub.app import make_hub_app
from checkpoint.hub.forward import ForwardError, forward
from checkpoint.hub.imports import import_bundle
from checkpoint.hub.ingest import store_batch
from checkpoint.hub.report_ingest import store_report
from checkpoint.hub.report_render import render_text, table_rows
from checkpoint.hub.reports import FIGURE_NAMES, hub_day_report
from checkpoint.hub.reports import to_data as to_hub_data
from checkpoint.reports.build import day_report
from checkpoint.reports.json_form import to_data
from checkpoint.store.engine import Store, open_store
from checkpoint.store.lanes import log_lane, name_lane
from checkpoint.sync.bundle import write_bundle
from checkpoint.sync.client import HubClient, SyncError
from checkpoint.wire.records import WireRecord
from checkpoint.wire.reports import ReportStatus, canonical, report_digest
from tests.hub.test_hub import payloads
from tests.reports.conftest import DAY, NEXT_DAY, report_settings, utc
from tests.store.conftest import Scene, build_scene
from tests.sync.conftest import CHECKPOINT, POSTGRES_SERVER, free_port, log_records

NOW = utc(26, 6)
TOKEN = "three-lanes-shared-token-0123456789abcdef"
"""The checkpoint's token at both hubs in every case (the bundles are signed with it)."""
HUB_NAME = "XG-TOWNSHIP"


@dataclass(frozen=True)
class LaneSpec:
    name: str
    people: int
    fevers: int


SPECS = (LaneSpec("进城", 23, 3), LaneSpec("出城", 11, 0), LaneSpec("2号口", 37, 5))
MORE = LaneSpec("", 6, 2)
"""Screened later on the same report day by a lane told to screen more."""


@dataclass(frozen=True)
class Snapshot:
    """A lane's log at one moment, as each route carries it."""

    records: list[WireRecord]
    report: dict[str, Any]
    bundle: Path
    held: dict[str, tuple[int, str]]
    """id -> (seq, hash) of every record of the log."""
    people: int
    fevers: int


@dataclass(frozen=True)
class LaneLog:
    name: str
    lane_id: str
    snapshots: tuple[Snapshot, Snapshot]
    """Before and after screening more."""


def _screen(scene: Scene, prefix: str, people: int, fevers: int) -> None:
    for number in range(people):
        scene.screen(f"{prefix}{number}", 38.1 if number < fevers else 36.6)


def _snapshot(store: Store, folder: Path, tag: str, people: int, fevers: int) -> Snapshot:
    bundle = folder / f"{tag}.ckpt.gz"
    report = day_report_of(store)
    write_bundle(store, bundle, checkpoint_id=CHECKPOINT, token=TOKEN, reports=[report], now=NOW)
    return Snapshot(
        records=[WireRecord.model_validate(p) for p in payloads_of(store)],
        report=report,
        bundle=bundle,
        held=log_records(store),
        people=people,
        fevers=fevers,
    )


def day_report_of(store: Store) -> dict[str, Any]:
    """The lane's daily report of DAY as its laptop sends it."""
    return canonical(to_data(day_report(store, report_settings(), DAY, now=NOW)))


def payloads_of(store: Store) -> list[dict[str, Any]]:
    return payloads(Scene(store=store, site=None, shift=None, passage=None))  # type: ignore[arg-type]


def _screen_lane(scene: Scene, folder: Path, spec: LaneSpec, start: threading.Barrier) -> LaneLog:
    start.wait(timeout=60)  # the three laptops screen at the same time
    _screen(scene, spec.name, spec.people, spec.fevers)
    before = _snapshot(scene.store, folder, "before", spec.people, spec.fevers)
    _screen(scene, f"{spec.name}+", MORE.people, MORE.fevers)
    after = _snapshot(
        scene.store, folder, "after", spec.people + MORE.people, spec.fevers + MORE.fevers
    )
    with scene.store.reading() as session:
        lane = log_lane(session=session)
    return LaneLog(spec.name, lane.lane_id, (before, after))


@pytest.fixture(scope="module")
def lanes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LaneLog]]:
    root = tmp_path_factory.mktemp("laptops")
    scenes: list[Scene] = []
    try:
        # Made one after the other (opening a log runs its migrations), then screened at once.
        for index, spec in enumerate(SPECS):
            scene = build_scene(open_store(root / f"laptop{index}" / "checkpoint.db"))
            with scene.store.session() as session:
                name_lane(session=session, name=spec.name)
            scenes.append(scene)
        start = threading.Barrier(len(SPECS))
        with ThreadPoolExecutor(len(SPECS)) as pool:
            futures = [
                pool.submit(_screen_lane, scene, root / f"laptop{index}", spec, start)
                for index, (scene, spec) in enumerate(zip(scenes, SPECS, strict=True))
            ]
            made = [future.result() for future in futures]
    finally:
        for scene in scenes:
            scene.store.close()
    seqs = [seq for lane in made for seq, _ in lane.snapshots[1].held.values()]
    assert len(seqs) > len(set(seqs))  # the laptops' seqs overlap
    assert len({lane.lane_id for lane in made}) == 3
    yield made


# ------------------------------------------------------------------------------------ the hubs


class Switch:
    """An ASGI app that passes each request to the app of the current case."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def county_server() -> Iterator[tuple[Switch, str]]:
    """One HTTP server for the county of every case (its app, and database, change by case)."""
    switch = Switch()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(switch, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        threading.Event().wait(0.02)
    try:
        yield switch, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Case:
    """A township and a county, fresh, with the checkpoint enrolled at both."""

    township: sa.Engine
    county: sa.Engine
    county_address: str
    hub_token: str
    phase: list[int] = field(default_factory=lambda: [0, 0, 0])
    """Each lane's current snapshot (1: it screened more)."""
    routes: list[set[tuple[str, str]]] = field(default_factory=lambda: [set(), set(), set()])
    """(how, level) each lane was delivered by: its final state goes the same ways."""


def _enroll(engine: sa.Engine) -> None:
    db.enroll(engine, CHECKPOINT)
    with engine.begin() as connection:
        connection.execute(
            db.checkpoints.update()
            .where(db.checkpoints.c.id == CHECKPOINT)
            .values(token_hash=db.token_hash(TOKEN))
        )


def _wipe(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


class Backend:
    """Makes the two hubs of each case on one kind of database."""

    def __init__(self, township_url: str, county_url: str, server: tuple[Switch, str]) -> None:
        self.township = db.make_engine(township_url)
        self.county = db.make_engine(county_url)
        self.switch, self.address = server

    def case(self) -> Case:
        for engine in (self.township, self.county):
            _wipe(engine)
            _enroll(engine)
        self.switch.app = make_hub_app(engine=self.county)
        hub_token = db.enroll(self.county, HUB_NAME, hub=True)
        return Case(self.township, self.county, self.address, hub_token)

    def close(self) -> None:
        self.township.dispose()
        self.county.dispose()


@pytest.fixture(scope="module")
def sqlite_hubs(
    tmp_path_factory: pytest.TempPathFactory, county_server: tuple[Switch, str]
) -> Iterator[Backend]:
    folder = tmp_path_factory.mktemp("hubs")
    backend = Backend(
        f"sqlite:///{folder / 'township.db'}", f"sqlite:///{folder / 'county.db'}", county_server
    )
    yield backend
    backend.close()


# --------------------------------------------------------------------------------------- steps


def _level(case: Case, level: str) -> sa.Engine:
    return case.township if level == "township" else case.county


def sync_lane(case: Case, lanes: list[LaneLog], lane: int, level: str) -> None:
    """What `checkpoint sync` stores at the hub: the lane's records (in batches), then its
    daily report."""
    log = lanes[lane]
    snapshot = log.snapshots[case.phase[lane]]
    engine = _level(case, level)
    for start in range(0, len(snapshot.records), 25):
        receipts = store_batch(
            engine, CHECKPOINT, snapshot.records[start : start + 25], lane_id=log.lane_id
        )
        assert all(r.status.value in ("stored", "duplicate") for r in receipts)
    store_report(engine, CHECKPOINT, DAY, snapshot.report)
    case.routes[lane].add(("sync", level))


def bundle_lane(case: Case, lanes: list[LaneLog], lane: int, level: str) -> None:
    """`checkpoint bundle export` on the laptop, `checkpoint hub import` at `level`."""
    snapshot = lanes[lane].snapshots[case.phase[lane]]
    summary = import_bundle(_level(case, level), snapshot.bundle, batch_size=20)
    assert not summary.rejected and summary.reports_rejected == []
    case.routes[lane].add(("bundle", level))


def forward_up(case: Case, *, interrupt_after: int | None = None) -> None:
    """`checkpoint hub forward` from the township to the county, in small batches; with
    `interrupt_after`, the county goes away after that many batches."""
    calls = 0
    original = HubClient.post_batch

    def failing(self: HubClient, body: bytes) -> Any:
        nonlocal calls
        calls += 1
        if calls > (interrupt_after or 0):
            raise SyncError("the county went away", status=503)
        return original(self, body)

    with HubClient(case.county_address, case.hub_token) as client:
        if interrupt_after is None:
            summary = forward(case.township, client, batch_size=30)
            assert not summary.rejected and not summary.reports_rejected
            assert summary.pending == 0
            return
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(HubClient, "post_batch", failing)
            with contextlib.suppress(ForwardError):
                forward(case.township, client, batch_size=30, retries=0)


def screen_more(case: Case, lane: int) -> None:
    case.phase[lane] = 1


def held(engine: sa.Engine) -> tuple[dict[str, tuple[int, str]], int]:
    """id -> (seq, hash) of the checkpoint's records held, and how many rows hold them."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(db.records.c.id, db.records.c.seq, db.records.c.hash).where(
                db.records.c.checkpoint_id == CHECKPOINT
            )
        ).all()
        connection.rollback()
    return {row.id: (row.seq, row.hash) for row in rows}, len(rows)


def assert_each_record_once(case: Case) -> None:
    for engine in (case.township, case.county):
        found, rows = held(engine)
        assert rows == len(found)


@dataclass(frozen=True)
class LevelFigures:
    """What one level shows of the checkpoint's day."""

    people: int
    fevers: int
    records: int
    lanes: int


def finish(case: Case, lanes: list[LaneLog]) -> dict[str, LevelFigures]:
    """Every lane sends its current state along the routes it used; a full forward; then the
    checks at both levels. The figures of each level."""
    for lane, routes in enumerate(case.routes):
        for how, level in sorted(routes):
            (sync_lane if how == "sync" else bundle_lane)(case, lanes, lane, level)
    forward_up(case)
    figures = {}
    for level in ("township", "county"):
        # The county gets every lane; the township those that came to it.
        came = [
            i
            for i, routes in enumerate(case.routes)
            if level == "county" or any(where == level for _, where in routes)
        ]
        current = [lanes[i].snapshots[case.phase[i]] for i in came]
        every: dict[str, tuple[int, str]] = {}
        for snapshot in current:
            every |= snapshot.held
        engine = _level(case, level)
        found, rows = held(engine)
        assert found == every and rows == len(every), level
        report = hub_day_report(engine, DAY, now=NOW)
        (row,) = report.rows
        for part in ("new", "cumulative"):
            sums = {name: sum(s.report[part][name] for s in current) for name in FIGURE_NAMES}
            shown = {name: getattr(getattr(row, part), name) for name in FIGURE_NAMES}
            assert shown == sums, (level, part)
        assert row.new.people == sum(s.people for s in current)
        assert row.new.at_or_over == sum(s.fevers for s in current)
        assert len(row.lanes) == len(came) and not row.silent_lanes and not report.omissions
        figures[level] = LevelFigures(row.new.people, row.new.at_or_over, rows, len(row.lanes))
    return figures


def run(case: Case, lanes: list[LaneLog], steps: list[Callable[[Case], None]]) -> dict[str, Any]:
    for step in steps:
        step(case)
        assert_each_record_once(case)
    return finish(case, lanes)


def basic_steps(lanes: list[LaneLog], bundle_at: str) -> dict[str, Callable[[Case], None]]:
    return {
        "direct": lambda case: sync_lane(case, lanes, 0, "county"),
        "township": lambda case: sync_lane(case, lanes, 1, "township"),
        "bundle": lambda case: bundle_lane(case, lanes, 2, bundle_at),
        "forward": forward_up,
    }


ORDERS = [
    (order, ("township", "county")[index % 2])
    for index, order in enumerate(
        itertools.permutations(("direct", "township", "bundle", "forward"))
    )
]
"""Every order of the four steps, the bundle imported at the township or the county in turn."""


# --------------------------------------------------------------------------------------- tests


def test_every_order_of_the_three_routes(lanes: list[LaneLog], sqlite_hubs: Backend) -> None:
    for order, bundle_at in ORDERS:
        steps = basic_steps(lanes, bundle_at)
        figures = run(sqlite_hubs.case(), lanes, [steps[name] for name in order])
        records = sum(len(log.snapshots[0].held) for log in lanes)
        people = sum(spec.people for spec in SPECS)
        assert figures["county"] == LevelFigures(people, 8, records, 3), order


def _extra_steps(lanes: list[LaneLog], bundle_at: str) -> dict[str, Callable[[Case], None]]:
    other = "county" if bundle_at == "township" else "township"
    return basic_steps(lanes, bundle_at) | {
        "direct lane again, through the township": lambda case: sync_lane(
            case, lanes, 0, "township"
        ),
        "bundle imported again": lambda case: bundle_lane(case, lanes, 2, other),
        "forward interrupted": lambda case: forward_up(case, interrupt_after=1),
        "township lane screens more": lambda case: screen_more(case, 1),
        "bundle lane screens more": lambda case: screen_more(case, 2),
    }


EXTRA = tuple(_extra_steps([], "township"))


@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(order=st.permutations(EXTRA), bundle_at=st.sampled_from(("township", "county")))
def test_repeats_and_resubmissions_in_any_order(
    lanes: list[LaneLog], sqlite_hubs: Backend, order: list[str], bundle_at: str
) -> None:
    steps = _extra_steps(lanes, bundle_at)
    figures = run(sqlite_hubs.case(), lanes, [steps[name] for name in order])
    people = sum(spec.people for spec in SPECS) + 2 * MORE.people
    assert figures["county"].people == people
    assert figures["county"].fevers == 8 + 2 * MORE.fevers


@pytest.fixture(scope="module")
def pg_hubs(county_server: tuple[Switch, str]) -> Iterator[Backend]:
    names = [f"checkpoint_lanes_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    admin = sa.create_engine(
        POSTGRES_SERVER, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as connection:
            for name in names:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server to use at 127.0.0.1:5432: {error.orig}")
    base = POSTGRES_SERVER.rsplit("/", 1)[0]
    backend = Backend(f"{base}/{names[0]}", f"{base}/{names[1]}", county_server)
    try:
        yield backend
    finally:
        backend.close()
        with admin.connect() as connection:
            for name in names:
                connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.postgres
def test_every_route_on_postgresql_hubs(lanes: list[LaneLog], pg_hubs: Backend) -> None:
    for index, (order, bundle_at) in enumerate(ORDERS):
        if index % 6:
            continue
        steps = basic_steps(lanes, bundle_at)
        run(pg_hubs.case(), lanes, [steps[name] for name in order])
    for extra, bundle_at in ((EXTRA, "township"), (EXTRA[::-1], "county")):
        steps = _extra_steps(lanes, bundle_at)
        run(pg_hubs.case(), lanes, [steps[name] for name in extra])


def test_figures_at_each_level(lanes: list[LaneLog], sqlite_hubs: Backend) -> None:
    """The three-laptop case measured at each level (for the issue's note)."""
    steps = basic_steps(lanes, "township")
    figures = run(sqlite_hubs.case(), lanes, [steps[n] for n in ("direct", "township", "bundle")])
    for log, spec in zip(lanes, SPECS, strict=True):
        snapshot = log.snapshots[0]
        assert (snapshot.report["new"]["people"], snapshot.report["new"]["at_or_over"]) == (
            spec.people,
            spec.fevers,
        )
    lines = [
        f"lane {log.name}: {s.people} people, {s.fevers} fevers, {len(s.held)} records"
        for log in lanes
        for s in (log.snapshots[0],)
    ]
    lines += [
        f"{level}: {f.people} people, {f.fevers} fevers, {f.records} records, {f.lanes} lanes"
        for level, f in figures.items()
    ]
    print("\n".join(lines))
    records = [len(log.snapshots[0].held) for log in lanes]
    assert figures["township"] == LevelFigures(
        SPECS[1].people + SPECS[2].people, SPECS[2].fevers, records[1] + records[2], 2
    )
    assert figures["county"] == LevelFigures(71, 8, sum(records), 3)


def test_a_township_holding_nothing_yet_forwards_without_error(sqlite_hubs: Backend) -> None:
    """The forward's first step in half the orders above: nothing has reached the township yet.
    It used to ask the county about checkpoint "-", which a hub's token may not ask about."""
    case = sqlite_hubs.case()
    with HubClient(case.county_address, case.hub_token) as client:
        summary = forward(case.township, client)
    assert summary.sent == 0 and summary.pending == 0 and summary.below == 1


# ------------------------------------------------------- an older version never replaces a newer


def _deliver(case: Case, lanes: list[LaneLog], lane: int, phase: int, how: str, level: str) -> None:
    """Lane `lane`'s state `phase` (0: before screening more) by `how` at `level`."""
    case.phase[lane] = phase
    (sync_lane if how == "sync" else bundle_lane)(case, lanes, lane, level)


def _held_report(engine: sa.Engine, lane_id: str) -> dict[str, Any]:
    with engine.connect() as connection:
        body: dict[str, Any] = connection.execute(
            sa.select(db.reports.c.body).where(
                (db.reports.c.checkpoint_id == CHECKPOINT)
                & (db.reports.c.lane_id == lane_id)
                & (db.reports.c.day == DAY)
            )
        ).scalar_one()
        connection.rollback()
    return body


OLD_AND_NEW = {
    "old bundle at the county": lambda case, lanes: _deliver(case, lanes, 0, 0, "bundle", "county"),
    "old copy at the township": lambda case, lanes: _deliver(case, lanes, 0, 0, "sync", "township"),
    "forward": lambda case, lanes: forward_up(case),
    "newer report straight to the county": lambda case, lanes: _deliver(
        case, lanes, 0, 1, "sync", "county"
    ),
}
"""A lane's old state reaching the county late by every way, its newer one sent directly."""


def test_an_older_version_never_replaces_a_newer_one_in_any_order(
    lanes: list[LaneLog], sqlite_hubs: Backend
) -> None:
    old, new = (snapshot.report for snapshot in lanes[0].snapshots)
    assert old["log_range"]["last_seq"] < new["log_range"]["last_seq"]
    for order in itertools.permutations(OLD_AND_NEW):
        case = sqlite_hubs.case()
        for name in order:
            OLD_AND_NEW[name](case, lanes)  # the forward never fails on an old copy
        forward_up(case)
        assert _held_report(case.county, lanes[0].lane_id) == new, order
        (row,) = hub_day_report(case.county, DAY, now=NOW).rows
        assert row.new.people == SPECS[0].people + MORE.people, order
        assert row.new.at_or_over == SPECS[0].fevers + MORE.fevers, order


def test_an_old_report_arriving_late_is_superseded(
    lanes: list[LaneLog], sqlite_hubs: Backend
) -> None:
    case = sqlite_hubs.case()
    old, new = (snapshot.report for snapshot in lanes[1].snapshots)
    assert store_report(case.county, CHECKPOINT, DAY, new).status is ReportStatus.STORED
    receipt = store_report(case.county, CHECKPOINT, DAY, old)
    assert receipt.status is ReportStatus.SUPERSEDED
    assert receipt.digest == report_digest(new)  # the version held
    assert _held_report(case.county, lanes[1].lane_id) == new
    # The old bundle imported late: counted as already held, nothing refused.
    summary = import_bundle(case.county, lanes[1].snapshots[0].bundle)
    assert summary.reports_unchanged == 1 and summary.reports_replaced == []
    assert _held_report(case.county, lanes[1].lane_id) == new
    # A newer one still replaces it.
    assert store_report(case.county, CHECKPOINT, DAY, old).status is ReportStatus.SUPERSEDED
    assert store_report(case.county, CHECKPOINT, DAY, new).status is ReportStatus.UNCHANGED


def test_a_report_from_before_lanes_is_replaced_by_the_last_to_arrive(
    lanes: list[LaneLog], sqlite_hubs: Backend
) -> None:
    """Without a lane the report may be any laptop's: the legacy lane keeps the last one."""
    case = sqlite_hubs.case()
    old, new = (snapshot.report for snapshot in lanes[2].snapshots)
    old, new = ({**r, "checkpoint": {**r["checkpoint"], "lane": None}} for r in (old, new))
    old, new = canonical(old), canonical(new)
    assert store_report(case.county, CHECKPOINT, DAY, new).status is ReportStatus.STORED
    assert store_report(case.county, CHECKPOINT, DAY, old).status is ReportStatus.REPLACED
    assert _held_report(case.county, "") == old


# ------------------------------------------- a checkpoint silent with all its lanes still counts


def test_a_checkpoint_silent_with_all_its_lanes_keeps_its_cumulative_figures(
    lanes: list[LaneLog], sqlite_hubs: Backend
) -> None:
    case = sqlite_hubs.case()
    with case.county.begin() as connection:  # enrolled before the report day
        connection.execute(
            db.checkpoints.update()
            .where(db.checkpoints.c.id == CHECKPOINT)
            .values(enrolled_at=utc(20, 0))
        )
    for lane in range(3):
        _deliver(case, lanes, lane, 0, "sync", "county")
    sums = {
        name: sum(log.snapshots[0].report["cumulative"][name] for log in lanes)
        for name in FIGURE_NAMES
    }
    on_the_day = hub_day_report(case.county, DAY, now=NOW)
    assert _figure_dict(on_the_day.total_cumulative) == sums
    silent = hub_day_report(case.county, NEXT_DAY, now=NOW)
    assert silent.rows == () and [o.checkpoint_id for o in silent.omissions] == [CHECKPOINT]
    assert len(silent.omissions[0].silent_lanes) == 3
    assert _figure_dict(silent.total_new) == dict.fromkeys(FIGURE_NAMES, 0)
    assert _figure_dict(silent.total_cumulative) == sums
    assert to_hub_data(silent)["total"]["cumulative"] == sums
    # The spreadsheet's silent row shows them, and the total adds up.
    table = table_rows(silent, "en")
    width = len(FIGURE_NAMES)
    assert table[1][-width:] == table[-1][-width:] == [sums[name] for name in FIGURE_NAMES]
    assert table[1][-2 * width : -width] == [None] * width
    text = render_text(silent, "en")
    cumulative = text.split("Cumulative to the end of the report day")[1].splitlines()
    line = next(i for i, shown in enumerate(cumulative) if shown.startswith(CHECKPOINT))
    assert cumulative[line].split()[1] == str(sums["people"])
    assert cumulative[line + 1].strip() == "silent today"


def _figure_dict(figures: Any) -> dict[str, int]:
    return {name: getattr(figures, name) for name in FIGURE_NAMES}
