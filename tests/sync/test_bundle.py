"""Bundles on a USB stick: exported from a log, imported at a hub exactly once, and refused with
the reason when damaged, cut short, altered, or not signed by an enrolled, unrevoked checkpoint."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.hub.imports import import_bundle
from checkpoint.store.sync_state import advance_mark
from checkpoint.sync.bundle import BundleError, signing_key, write_bundle
from tests.cli.test_init_verify import invoke
from tests.store.conftest import Scene
from tests.sync.conftest import CHECKPOINT, fill, log_records, mark_of


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    hub_engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        yield hub_engine
    finally:
        hub_engine.dispose()


def held(engine: sa.Engine, checkpoint_id: str = CHECKPOINT) -> dict[str, tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(db.records.c.id, db.records.c.seq, db.records.c.hash).where(
                db.records.c.checkpoint_id == checkpoint_id
            )
        ).all()
    return {row.id: (row.seq, row.hash) for row in rows}


def export(log: Scene, path: Path, token: str, after: int = 0) -> Path:
    write_bundle(log.store, path, checkpoint_id=CHECKPOINT, token=token, after=after)
    return path


def rejected_with(engine: sa.Engine, path: Path) -> str:
    """The catalog code of the refusal; asserts nothing was stored."""
    with pytest.raises(BundleError) as caught:
        import_bundle(engine, path)
    assert held(engine) == {}, "a refused bundle stored records"
    return caught.value.code


def rewrite(path: Path, token: str | None, change: Callable[[list[Any]], None]) -> None:
    """Decompress, let `change(lines)` edit the JSON lines, re-sign (with `token`, or keep the
    old signature with None) and recompress the way the exporter does: a careful forger."""
    lines = [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
    signature = lines.pop()
    change(lines)
    body = b"".join(
        json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        for line in lines
    )
    if token is not None:
        mac = hmac.new(signing_key(token), body, hashlib.sha256).hexdigest()
        signature = {"signature": f"hmac-sha256:{mac}"}
    body += json.dumps(signature, separators=(",", ":")).encode() + b"\n"
    with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as packed:
        packed.write(body)


def test_a_bundle_imported_twice_stores_each_record_once(
    log: Scene, engine: sa.Engine, tmp_path: Path
) -> None:
    token = db.enroll(engine, CHECKPOINT)
    (tmp_path / "stick").mkdir()
    path = export(log, tmp_path / "stick" / "bundle.ckpt.gz", token)
    assert not list((tmp_path / "stick").glob("*.part"))
    first = import_bundle(engine, path)
    local = log_records(log.store)
    assert first.stored == len(local) == 403 and first.duplicates == 0 and not first.rejected
    assert first.header.first_seq == 1 and first.header.last_seq == 403
    assert first.header.chain_head.seq == 403
    assert held(engine) == local
    again = import_bundle(engine, path)
    assert again.stored == 0 and again.duplicates == 403 and not again.rejected
    assert held(engine) == local


def test_the_default_export_starts_after_the_mark_and_does_not_move_it(
    log: Scene, engine: sa.Engine, tmp_path: Path
) -> None:
    token = db.enroll(engine, CHECKPOINT)
    with log.store.session() as session:
        advance_mark(session=session, hub="http://hub", seq=100)
    path = export(log, tmp_path / "tail.ckpt.gz", token, after=100)
    summary = import_bundle(engine, path)
    assert summary.header.first_seq == 101 and summary.stored == 303
    assert sorted(seq for seq, _ in held(engine).values()) == list(range(101, 404))
    assert mark_of(log.store, "http://hub") == 100
    fill(log, 5)
    empty = export(log, tmp_path / "none.ckpt.gz", token, after=413)
    nothing = import_bundle(engine, empty)
    assert nothing.header.records == 0 and nothing.stored == nothing.duplicates == 0


@pytest.mark.parametrize("where", [0.02, 0.3, 0.5, 0.8, -6, -2])
def test_a_changed_byte_anywhere_is_refused(
    log: Scene, engine: sa.Engine, tmp_path: Path, where: float
) -> None:
    path = export(log, tmp_path / "b.ckpt.gz", db.enroll(engine, CHECKPOINT))
    data = bytearray(path.read_bytes())
    at = int(len(data) * where) if where > 0 else len(data) + int(where)
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    assert rejected_with(engine, path) in {
        "bundle.damaged",
        "bundle.truncated",
        "bundle.bad_signature",
        # garbage the changed bit expanded to, refused line by line before the gzip check
        "bundle.not_a_record",
        "bundle.empty_line",
        "bundle.line_too_long",
    }


def test_every_gzip_header_byte_is_checked(log: Scene, engine: sa.Engine, tmp_path: Path) -> None:
    path = export(log, tmp_path / "b.ckpt.gz", db.enroll(engine, CHECKPOINT))
    original = path.read_bytes()
    for at in range(2, 10):  # the content would still be intact: mtime, flags, OS byte
        data = bytearray(original)
        data[at] ^= 0x01
        path.write_bytes(bytes(data))
        assert rejected_with(engine, path) == "bundle.damaged"
    path.write_bytes(b"PK\x03\x04 not a bundle")
    assert rejected_with(engine, path) == "bundle.not_a_bundle"


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_a_truncated_bundle_is_refused(
    log: Scene, engine: sa.Engine, tmp_path: Path, keep: float
) -> None:
    path = export(log, tmp_path / "b.ckpt.gz", db.enroll(engine, CHECKPOINT))
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(BundleError) as caught:
        import_bundle(engine, path)
    assert caught.value.code == "bundle.truncated"
    assert "incomplete" in caught.value.message and str(path) in caught.value.message
    assert held(engine) == {}


def test_altered_records_fail_the_signature_even_with_their_hash_recomputed(
    log: Scene, engine: sa.Engine, tmp_path: Path
) -> None:
    token = db.enroll(engine, CHECKPOINT)
    path = export(log, tmp_path / "b.ckpt.gz", token)

    def drop_a_record(lines: list[dict[str, object]]) -> None:
        del lines[5]

    rewrite(path, None, drop_a_record)
    with pytest.raises(BundleError) as caught:
        import_bundle(engine, path)
    assert caught.value.code == "bundle.bad_signature"
    assert f"current token of {CHECKPOINT}" in caught.value.message


def test_a_bundle_signed_right_but_not_as_its_header_says_is_refused(
    log: Scene, engine: sa.Engine, tmp_path: Path
) -> None:
    token = db.enroll(engine, CHECKPOINT)
    path = export(log, tmp_path / "b.ckpt.gz", token)

    def drop_a_record(lines: list[dict[str, object]]) -> None:
        del lines[5]

    rewrite(path, token, drop_a_record)
    with pytest.raises(BundleError) as caught:
        import_bundle(engine, path)
    assert caught.value.code == "bundle.inconsistent" and "402 records" in caught.value.message


def test_a_wrong_token_an_unknown_or_a_revoked_checkpoint_is_refused(
    log: Scene, engine: sa.Engine, tmp_path: Path
) -> None:
    path = export(log, tmp_path / "b.ckpt.gz", "not-the-token")
    assert rejected_with(engine, path) == "bundle.not_enrolled"
    old = db.enroll(engine, CHECKPOINT)
    assert rejected_with(engine, path) == "bundle.bad_signature"
    signed_with_old = export(log, tmp_path / "old.ckpt.gz", old)
    db.enroll(engine, CHECKPOINT)  # enrolled again: a new token, the old key is gone
    assert rejected_with(engine, signed_with_old) == "bundle.bad_signature"
    current = db.enroll(engine, CHECKPOINT)
    good = export(log, tmp_path / "good.ckpt.gz", current)
    db.revoke(engine, CHECKPOINT)
    with pytest.raises(BundleError) as caught:
        import_bundle(engine, good)
    assert caught.value.code == "bundle.revoked" and "revoked" in caught.value.message


def test_bundle_export_and_hub_import_on_the_command_line(tmp_path: Path) -> None:
    home, url = tmp_path / "home", f"sqlite:///{tmp_path / 'hub.db'}"
    assert invoke(home, "init").exit_code == 0
    enrolled = invoke(home, "hub", "enroll", CHECKPOINT, "--db", url)
    token = enrolled.stdout.strip().splitlines()[-1]
    env = {"CHECKPOINT_CHECKPOINT__ID": CHECKPOINT, "CHECKPOINT_SYNC__TOKEN": token}
    bundle = tmp_path / "stick" / "log.ckpt.gz"
    bundle.parent.mkdir()
    exported = invoke(home, "bundle", "export", "--output", str(bundle), **env)
    assert exported.exit_code == 0, exported.output
    assert "1 record(s) of HB-XG-0012" in exported.output and "did not move" in exported.output
    first = invoke(home, "hub", "import", str(bundle), "--db", url)
    assert first.exit_code == 0, first.output
    assert "1 stored, 0 already held, 0 rejected" in first.output
    again = invoke(home, "hub", "import", str(bundle), "--db", url, language="zh-CN")
    assert again.exit_code == 0 and "新存 0 条,已有 1 条" in again.output

    data = bytearray(bundle.read_bytes())
    data[-20] ^= 0xFF  # in the records or the signature, past the header (its lane is random)
    bundle.write_bytes(bytes(data))
    refused = invoke(home, "hub", "import", str(bundle), "--db", url)
    assert refused.exit_code == 1 and "nothing of it was imported" in refused.output
    assert invoke(home, "bundle", "export", "-o", str(bundle)).exit_code == 2  # no token
