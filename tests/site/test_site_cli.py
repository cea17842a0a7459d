"""The site laptop through the real CLI: `checkpoint sync` from a lane to the site laptop,
`checkpoint bundle export` on another and `checkpoint site import` on the site laptop, then
`checkpoint report day|shift` there shows every lane, the total and the silent lane; a port in
use and a damaged bundle are messages, never tracebacks."""

from __future__ import annotations

import json
import socket
import time
from datetime import datetime
from pathlib import Path

import pytest

from checkpoint import paths
from checkpoint.config import load_settings
from checkpoint.hub.reports import FIGURE_NAMES
from checkpoint.reports.build import day_report
from checkpoint.site.hub import open_site
from checkpoint.site.serve import SiteServer
from checkpoint.store.engine import open_store
from checkpoint.store.lanes import log_lane, name_lane
from tests.cli.test_init_verify import invoke
from tests.reports.conftest import DAY, build_log, report_settings

TOKEN = "the-checkpoint-token-from-the-township"
CONFIG = """
[checkpoint]
id = "HB-XG-0012"
name = "孝感北收费站"
timezone = "Asia/Shanghai"

[reports]
day_cutoff_hour = 12

[sync]
token = "{token}"

[site]
lanes = ["出城", "2号口", "3号口"]
"""


def laptop(home: Path, lane: str) -> Path:
    env = {paths.HOME_ENV: str(home)}
    paths.ensure_private_dir(paths.config_dir(env))
    config = paths.default_config_file(env)
    config.write_text(CONFIG.format(token=TOKEN), encoding="utf-8")
    store = open_store(paths.default_database(env))
    try:
        build_log(store)
        with store.session() as session:
            name_lane(session=session, name=lane)
    finally:
        store.close()
    return config


def test_report_day_and_shift_on_the_site_laptop_show_every_lane(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    homes = {name: tmp_path / name for name in ("site", "lan", "usb")}
    configs = {
        name: laptop(home, lane)
        for (name, home), lane in zip(homes.items(), ("进城", "出城", "2号口"), strict=True)
    }
    monkeypatch.setenv(paths.HOME_ENV, str(homes["site"]))
    settings = load_settings(configs["site"]).settings
    monkeypatch.delenv(paths.HOME_ENV)
    site = open_site(settings, create=True)
    assert site is not None
    server = SiteServer(site, host="127.0.0.1", port=0, quiet=True).start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        synced = invoke(homes["lan"], "sync", "--hub", f"http://127.0.0.1:{server.port}")
        assert synced.exit_code == 0, synced.output
    finally:
        server.stop()
        site.close()
    bundle = tmp_path / "stick" / "2号口.ckpt.gz"
    bundle.parent.mkdir()
    exported = invoke(homes["usb"], "bundle", "export", "--all", "--output", str(bundle))
    assert exported.exit_code == 0, exported.output
    imported = invoke(homes["site"], "site", "import", str(bundle))
    assert imported.exit_code == 0, imported.output
    usb_log = paths.default_database({paths.HOME_ENV: str(homes["usb"])})
    with open_store(usb_log, exclusive=False, create=False) as store, store.reading() as session:
        usb_lane = log_lane(session=session).lane_id
    unnamed = invoke(
        homes["site"],
        "report",
        "day",
        "--date",
        DAY.isoformat(),
        "--format",
        "text",
        "--language",
        "en",
    )
    assert f"lane {usb_lane[:8]}" in unnamed.stdout  # a bundle carries no name
    wrong = invoke(homes["site"], "site", "name", "ffff0000", "2号口")
    assert wrong.exit_code == 2 and "No lane whose id starts with ffff0000" in wrong.output
    named = invoke(homes["site"], "site", "name", usb_lane[:8], "2号口")
    assert named.exit_code == 0, named.output
    again = invoke(homes["site"], "site", "import", str(bundle), "--lane-name", "2号口")
    assert "Imported the bundle of lane 2号口: 0 records stored" in again.output  # once only

    shown = invoke(homes["site"], "report", "day", "--date", DAY.isoformat(), "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    lanes = {lane["name"]: lane for lane in data["site"]["lanes"]}
    assert [lane["source"] for lane in data["site"]["lanes"]] == [
        "live",
        "records",
        "none",
        "records",
    ]
    lan_log = paths.default_database({paths.HOME_ENV: str(homes["lan"])})
    with open_store(lan_log, exclusive=False, create=False) as store:
        one = day_report(store, report_settings(), DAY, now=generated(data))
    for name in FIGURE_NAMES:
        assert data["site"]["total"]["new"][name] == 3 * getattr(one.new, name)
        assert lanes["出城"]["new"][name] == getattr(one.new, name)
    assert data["new"] == lanes["进城"]["new"]  # the report's own figures: its own lane
    assert lanes["3号口"]["last_handed_in"] is None and lanes["3号口"]["stale"]

    text = invoke(
        homes["site"],
        "report",
        "day",
        "--date",
        DAY.isoformat(),
        "--format",
        "text",
        "--language",
        "en",
    )
    assert "All lanes of the checkpoint" in text.stdout and "3号口 never handed in" in text.stdout
    zh = invoke(homes["site"], "report", "shift", "--format", "text", "--language", "zh-CN")
    assert zh.exit_code == 0, zh.output
    assert "本卡点所有通道" in zh.stdout and "从未交来" in zh.stdout and "出城" in zh.stdout


def generated(data: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(data["generated_at"]).replace("Z", "+00:00"))


def test_a_port_in_use_and_a_damaged_bundle_are_messages(tmp_path: Path) -> None:
    home = tmp_path / "site"
    laptop(home, "进城")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        served = invoke(home, "site", "serve", "--host", "127.0.0.1", "--port", str(port))
        running = invoke(home, "run", "--serve-site", "--site-port", str(port), language="zh-CN")
    # Said before the screens start, which then never do.
    assert running.exit_code == 1 and f"端口 {port} 已被占用" in running.output
    assert "Traceback" not in running.output
    assert served.exit_code == 1
    assert f"Port {port} is already in use" in served.output and "Traceback" not in served.output
    damaged = tmp_path / "bad.ckpt.gz"
    damaged.write_bytes(b"\x1f\x8b not a bundle")
    imported = invoke(home, "site", "import", str(damaged), language="zh-CN")
    assert imported.exit_code == 1 and "Traceback" not in imported.output
