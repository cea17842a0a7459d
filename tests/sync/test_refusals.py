"""The hub's refusals and HTTPS failures reach the volunteer in their language, with what to do:
`checkpoint sync` through the real command line against a real hub (or a TLS server whose
certificate is wrong), and a client of today against a hub older than the refusal codes."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import trustme

from checkpoint.hub import db
from checkpoint.store.engine import open_store
from checkpoint.sync.client import HubClient, Problem, SyncError, sync
from tests.cli.test_init_verify import invoke
from tests.sync.conftest import CHECKPOINT, Hub, serve_in_thread

FAILED_EXIT = 1


def _synced(home: Path, hub: str, token: str, language: str, **env: str) -> str:
    """`checkpoint sync` of a new log with one shift, in `language`; what it said."""
    if not (home / "checkpoint.db").exists():
        assert invoke(home, "init", language=language).exit_code == 0
    settings = {"CHECKPOINT_CHECKPOINT__ID": CHECKPOINT, "CHECKPOINT_SYNC__TOKEN": token, **env}
    result = invoke(home, "sync", "--hub", hub, language=language, **settings)
    assert result.exit_code == FAILED_EXIT, result.output
    return " ".join(result.output.split())


def test_a_revoked_token_is_said_with_what_to_do(tmp_path: Path, hub: Hub) -> None:
    token = hub.enroll()
    db.revoke(hub.engine, CHECKPOINT)

    chinese = _synced(tmp_path / "home", hub.address, token, "zh-CN")
    english = _synced(tmp_path / "home", hub.address, token, "en")

    assert f"错误：上级汇总端拒绝了 {CHECKPOINT} 的令牌：该令牌已被吊销（403）。" in chinese
    assert f"请向汇总端管理员申请新令牌（checkpoint hub enroll {CHECKPOINT}）" in chinese
    assert "revoked" not in chinese
    assert f"The hub refused the token of {CHECKPOINT}: it has been revoked (403)." in english
    assert "Ask the hub's administrator for a new token" in english


def test_a_token_for_another_checkpoint_says_whose_it_is(tmp_path: Path, hub: Hub) -> None:
    token = hub.enroll("HB-XG-0099")

    chinese = _synced(tmp_path / "home", hub.address, token, "zh-CN")
    english = _synced(tmp_path / "home", hub.address, token, "en")

    assert f"此令牌属于 HB-XG-0099，汇总端不允许它代表 {CHECKPOINT} 发送（403）。" in chinese
    assert "请把 [checkpoint] id 改为令牌对应的卡点代码（HB-XG-0099）" in chinese
    assert f"The token is HB-XG-0099's; the hub will not let it act for {CHECKPOINT}" in english


def test_an_unknown_token_and_a_body_too_large(tmp_path: Path, hub: Hub) -> None:
    unknown = _synced(tmp_path / "home", hub.address, "not-a-token", "zh-CN")
    hub, server = serve_in_thread(f"sqlite:///{tmp_path / 'small.db'}", max_body_bytes=64)
    try:
        too_large = _synced(tmp_path / "home", hub.address, hub.enroll(), "zh-CN")
        in_english = _synced(tmp_path / "home", hub.address, hub.enroll(), "en")
    finally:
        server.stop()
        hub.engine.dispose()

    assert "不认识此令牌（401）" in unknown and "请检查 [sync] token" in unknown
    assert "连单条记录都因过大而拒收：request body too large" in too_large
    assert "(limit 64 bytes)。" in too_large and "请汇总端管理员调高上限" in too_large
    assert "refuses even a single record as too large" in in_english


def _answering(status: int, body: dict[str, object]) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "home"
    assert invoke(path, "init").exit_code == 0
    yield path / "checkpoint.db"


def _refusal(log: Path, transport: httpx.MockTransport) -> SyncError:
    with (
        open_store(log, create=False) as store,
        HubClient("http://hub", "t", transport=transport) as client,
        pytest.raises(SyncError) as raised,
    ):
        sync(store, client, checkpoint_id=CHECKPOINT, retries=0)
    return raised.value


def test_a_malformed_record_refused_by_the_hub_is_said_in_words(log_file: Path) -> None:
    detail = [{"loc": ["body", "records", 0, "hash"], "msg": "String should have 64 characters"}]
    error = _refusal(log_file, _answering(422, {"detail": detail, "code": "invalid_body"}))

    message, hint = error.text("zh-CN")
    assert message.startswith("上级汇总端以格式错误为由拒收记录（422）：body.records.0.hash")
    assert "请在本机和汇总端使用相同版本的 checkpoint" in hint
    assert error.text("en")[0].startswith("The hub refused a record as malformed (422)")


def test_a_hub_older_than_the_codes_still_shows_its_reason(log_file: Path) -> None:
    old_hub = _answering(403, {"detail": "the token of HB-XG-0012 has been revoked"})
    error = _refusal(log_file, old_hub)

    assert error.problem is Problem.TOKEN
    assert error.text("zh-CN")[0] == (
        "上级汇总端拒绝本卡点的令牌（403）：the token of HB-XG-0012 has been revoked。"
    )
    teapot = _refusal(log_file, _answering(418, {"detail": "short and stout", "code": "new"}))
    assert teapot.text("en")[0] == "The hub refused the request (418): short and stout."


# ---------------------------------------------------------------------------------------------
# HTTPS: a server whose certificate this laptop cannot accept (the handshake fails first)


class _TlsServer:
    def __init__(self, certificate: trustme.LeafCert) -> None:
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), http.server.BaseHTTPRequestHandler
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        certificate.configure_cert(context)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


AUTHORITY = trustme.CA()
OLD = {"not_before": datetime(1999, 1, 1), "not_after": datetime(2000, 1, 1)}  # always past


@pytest.mark.parametrize(
    ("certificate", "trusted", "chinese", "english"),
    [
        (
            lambda: trustme.CA().issue_cert("127.0.0.1"),
            True,
            ["证书不受本机信任（自签名，或来自未知的证书机构）", "SSL_CERT_FILE=ca.pem"],
            ["a certificate this laptop does not trust", "SSL_CERT_FILE=ca.pem"],
        ),
        (
            lambda: AUTHORITY.issue_cert("hub.example.org"),
            True,
            ["汇总端的证书不是签发给 127.0.0.1 的", "请按证书上的名称填写汇总端地址"],
            ["The certificate of the hub is not for 127.0.0.1", "exactly as its certificate"],
        ),
        (
            lambda: AUTHORITY.issue_cert("127.0.0.1", **OLD),
            True,
            ["的证书已过期", "请汇总端管理员更新证书"],
            ["has expired", "Ask the hub's administrator to renew it"],
        ),
    ],
    ids=["unknown-authority", "wrong-host", "expired"],
)
def test_a_certificate_refused_is_said_with_what_to_do(
    tmp_path: Path,
    certificate: object,
    trusted: bool,
    chinese: list[str],
    english: list[str],
) -> None:
    ca_file = tmp_path / "ca.pem"
    AUTHORITY.cert_pem.write_to_path(str(ca_file))
    server = _TlsServer(certificate())  # type: ignore[operator]
    try:
        said = {
            language: _synced(
                tmp_path / "home", server.address, "t", language, SSL_CERT_FILE=str(ca_file)
            )
            for language in ("zh-CN", "en")
        }
    finally:
        server.stop()
    for text in chinese:
        assert text in said["zh-CN"], said["zh-CN"]
    for text in english:
        assert text in said["en"], said["en"]
