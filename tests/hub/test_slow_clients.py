"""Slow or silent connections: the hub closes a connection whose request headers or body
trickle in (slowloris) or never come, and an idle keep-alive one, while a normal sync goes on
beside them; `checkpoint sync` against a hub that takes the connection and never answers ends
with the reason and a non-zero exit code. Real server on 127.0.0.1, real raw sockets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from checkpoint.errors import CheckpointError
from checkpoint.hub import db
from checkpoint.hub.app import make_hub_app
from checkpoint.hub.deadlines import server_config
from checkpoint.sync.client import HubClient, sync
from tests.cli.test_init_verify import invoke
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, Hub, free_port, log_records

LIMIT_S = 0.5
"""The hub's deadlines in these tests ([hub] header_timeout_s, body_timeout_s, keep_alive_s)."""
GIVE_UP_S = 30.0
"""How long a test client keeps a connection alive before saying the hub never closed it."""


@pytest.fixture
def strict_hub(tmp_path: Path) -> Iterator[Hub]:
    """A hub (in a thread) whose deadlines are all LIMIT_S."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = db.make_engine(url)
    port = free_port()
    config = server_config(
        make_hub_app(engine=engine),
        host="127.0.0.1",
        port=port,
        keep_alive_s=LIMIT_S,
        header_timeout_s=LIMIT_S,
        body_timeout_s=LIMIT_S,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the hub did not start"
        time.sleep(0.02)
    try:
        yield Hub(url=url, port=port, engine=engine)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        engine.dispose()


def closed_by_hub(port: int, first: bytes, then: bytes = b"", *, every: float = 0.1) -> bool:
    """Connect, send `first`, then `then` one byte every `every` s (over and over); True once
    the hub closes the connection, False when it is still open after GIVE_UP_S."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(every)
        sock.sendall(first)
        sent = 0
        give_up = time.monotonic() + GIVE_UP_S
        while time.monotonic() < give_up:
            try:
                if sock.recv(4096) == b"":
                    return True
            except TimeoutError:
                pass
            except ConnectionError:
                return True
            if then:
                try:
                    sock.send(then[sent % len(then) : sent % len(then) + 1])
                except ConnectionError:
                    return True
                sent += 1
        return False


def test_a_connection_that_never_sends_a_request_is_closed(strict_hub: Hub) -> None:
    assert closed_by_hub(strict_hub.port, b"")


def test_slow_headers_are_cut_off_while_a_sync_goes_on(
    strict_hub: Hub, log: Scene, tmp_path: Path
) -> None:
    token = strict_hub.enroll()
    cut: list[bool] = []
    slow = threading.Thread(
        target=lambda: cut.append(
            closed_by_hub(
                strict_hub.port,
                b"GET /v1/checkpoints/HB-XG-0012/status HTTP/1.1\r\nHost: hub\r\n",
                b"X-Slow: " + b"a" * 64,
            )
        )
    )
    slow.start()
    with HubClient(strict_hub.address, token) as client:
        summary = sync(log.store, client, checkpoint_id=CHECKPOINT, batch_size=50)
    slow.join()
    assert cut == [True], "a client sending its headers a byte at a time kept its connection"
    assert summary.mark == summary.head and not summary.rejected
    assert strict_hub.held() == log_records(log.store)


def test_a_slow_body_is_cut_off_and_nothing_of_it_is_stored(strict_hub: Hub) -> None:
    token = strict_hub.enroll()
    head = (
        "POST /v1/batches HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 100000\r\n\r\n"
    ).encode()
    assert closed_by_hub(strict_hub.port, head, b'{"checkpoint_id":"HB-XG-0012"')
    assert strict_hub.row_count() == 0


def test_an_idle_keep_alive_connection_is_closed(strict_hub: Hub) -> None:
    request = b"GET /v1/checkpoints/HB-XG-0012/status HTTP/1.1\r\nHost: hub\r\n\r\n"
    with socket.create_connection(("127.0.0.1", strict_hub.port)) as sock:
        sock.settimeout(GIVE_UP_S)  # raises TimeoutError if the hub keeps it open
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 401")  # no token: answered, kept alive, then closed
    assert b"connection: close" not in answer.lower()


def test_sync_with_a_hub_that_never_answers_ends_with_the_reason(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert invoke(home, "init").exit_code == 0
    with socket.create_server(("127.0.0.1", 0)) as silent:  # takes connections, says nothing
        port = silent.getsockname()[1]
        env = {
            "CHECKPOINT_SYNC__HUB_URL": f"http://127.0.0.1:{port}",
            "CHECKPOINT_SYNC__TOKEN": "a-token",
            "CHECKPOINT_SYNC__TIMEOUT_S": "0.3",
        }
        result = invoke(home, "sync", **env)
    assert result.exit_code == 1, result.output
    assert "did not answer in time" in result.output and str(port) in result.output
    assert "timeout_s" in result.output
    said = CheckpointError.of("sync.hub.silent", hub="h", detail="d").text("zh-CN")
    assert "没有应答" in said[0] and "timeout_s" in said[1]
