"""`checkpoint hub enroll/revoke/serve` and `checkpoint sync` through the real Typer app."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import httpx

from checkpoint.hub import db
from checkpoint.hub.app import make_hub_app
from tests.cli.test_init_verify import invoke
from tests.sync.conftest import ThreadedHub, free_port, start_hub_process


def test_enroll_prints_a_token_once_sync_sends_the_log_and_revoke_refuses_it(
    tmp_path: Path,
) -> None:
    home, url = tmp_path / "home", f"sqlite:///{tmp_path / 'hub.db'}"
    assert invoke(home, "init").exit_code == 0
    enrolled = invoke(home, "hub", "enroll", "HB-XG-0012", "--db", url)
    assert enrolled.exit_code == 0, enrolled.output
    token = enrolled.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    engine = db.make_engine(url)
    with engine.connect() as connection:
        stored = connection.execute(db.checkpoints.select()).one()
    assert stored.token_hash == db.token_hash(token) and token not in repr(stored)

    port = free_port()
    server = ThreadedHub(make_hub_app(engine=engine), port)
    server.start()
    try:
        hub = f"http://127.0.0.1:{port}"
        env = {"CHECKPOINT_CHECKPOINT__ID": "HB-XG-0012", "CHECKPOINT_SYNC__TOKEN": token}
        first = invoke(home, "sync", "--hub", hub, **env)
        assert first.exit_code == 0, first.output
        assert "1 stored, 0 already at the hub, 0 held back" in first.output
        again = invoke(home, "sync", **env, CHECKPOINT_SYNC__HUB_URL=hub)
        assert again.exit_code == 0, again.output
        assert "Sent 0" in again.output
        zh = invoke(home, "sync", "--hub", hub, language="zh-CN", **env)
        assert "已发送 0 条" in zh.output

        assert invoke(home, "hub", "revoke", "HB-XG-0012", "--db", url).exit_code == 0
        refused = invoke(home, "sync", "--hub", hub, **env)
        assert refused.exit_code == 1
        assert "403" in refused.output and "revoked" in refused.output
        assert invoke(home, "hub", "revoke", "NOBODY", "--db", url).exit_code == 1
        wrong = invoke(home, "sync", "--hub", hub, "--token", "not-a-token")
        assert wrong.exit_code == 1 and "401" in wrong.output
        assert invoke(home, "sync", "--hub", hub).exit_code == 2  # no token anywhere
    finally:
        server.stop()
        engine.dispose()


def test_enroll_refuses_a_code_that_is_not_one(tmp_path: Path) -> None:
    result = invoke(tmp_path, "hub", "enroll", "no spaces", "--db", f"sqlite:///{tmp_path}/h.db")
    assert result.exit_code == 2 and "not a checkpoint code" in result.output


def test_hub_serve_answers_on_its_port_and_refuses_requests_without_a_token(
    tmp_path: Path,
) -> None:
    port = free_port()
    process = start_hub_process(f"sqlite:///{tmp_path / 'hub.db'}", port, tmp_path / "hub.log")
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/v1/checkpoints/X/status")
        assert response.status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
