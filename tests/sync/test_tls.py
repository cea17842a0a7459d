"""The hub over HTTPS: `hub serve --ssl-certfile --ssl-keyfile` as a real process, a checkpoint
syncing to it with the township's certificate authority trusted (SSL_CERT_FILE), and refusing
to talk to a hub whose certificate it cannot check."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import trustme

from checkpoint.hub import db
from tests.cli.test_init_verify import invoke
from tests.sync.conftest import free_port, wait_for_port


def test_a_checkpoint_syncs_to_an_https_hub_it_can_verify(tmp_path: Path) -> None:
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    cert_file, key_file, ca_file = (tmp_path / n for n in ("hub.pem", "hub.key", "ca.pem"))
    certificate.cert_chain_pems[0].write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    authority.cert_pem.write_to_path(str(ca_file))

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = db.make_engine(url)
    token = db.enroll(engine, "HB-XG-0012")
    engine.dispose()
    port = free_port()
    log = (tmp_path / "hub.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "checkpoint", "hub", "serve", "--db", url),
            *("--host", "127.0.0.1", "--port", str(port)),
            *("--ssl-certfile", str(cert_file), "--ssl-keyfile", str(key_file)),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_for_port(port)
        home, hub = tmp_path / "home", f"https://127.0.0.1:{port}"
        assert invoke(home, "init").exit_code == 0
        env = {"CHECKPOINT_CHECKPOINT__ID": "HB-XG-0012", "CHECKPOINT_SYNC__TOKEN": token}
        stranger = tmp_path / "other-ca.pem"
        trustme.CA().cert_pem.write_to_path(str(stranger))
        untrusted = invoke(home, "sync", "--hub", hub, **env, SSL_CERT_FILE=str(stranger))
        assert untrusted.exit_code == 1
        assert "certificate" in untrusted.output.lower(), untrusted.output
        missing = invoke(home, "sync", "--hub", hub, **env, SSL_CERT_FILE=str(tmp_path / "no"))
        assert missing.exit_code == 1
        assert "HTTPS cannot be set up" in missing.output and "SSL_CERT_FILE" in missing.output
        synced = invoke(home, "sync", "--hub", hub, **env, SSL_CERT_FILE=str(ca_file))
        assert synced.exit_code == 0, synced.output
        assert "1 stored" in synced.output
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        log.close()
