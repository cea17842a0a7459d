"""Bundles checked as they stream, in bounded memory: hostile files (a decompression bomb, one
endless line, empty lines, lines that are not records, an unsigned stream of hundreds of
megabytes) are refused with the reason in both languages, early, and nothing of them is stored;
a large valid bundle is stored a batch at a time; a file changed between the two passes stops
at the first batch that differs."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import sqlalchemy as sa

from checkpoint.hub import db
from checkpoint.hub.imports import import_bundle
from checkpoint.sync.bundle import (
    BundleError,
    read_batches,
    signing_key,
    verify_bundle,
    write_bundle,
)
from tests.hub import bundle_files
from tests.hub.bundle_files import CHECKPOINT, RECORD_LIKE
from tests.store.conftest import Scene
from tests.sync.conftest import make_log

DAMAGED = {
    "bundle.damaged",
    "bundle.truncated",
    "bundle.bad_signature",
    # A changed bit of the compressed stream may expand to garbage before the gzip check at
    # its end: each line is judged as it comes.
    "bundle.not_a_record",
    "bundle.empty_line",
    "bundle.line_too_long",
}
"""What a changed byte anywhere in a bundle is refused as."""

LIMIT_MB = 200
"""Peak memory of a whole `checkpoint hub import` process, whatever the bundle's size."""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    hub_engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        yield hub_engine
    finally:
        hub_engine.dispose()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return bundle_files.reading_template(tmp_path_factory.mktemp("template"))


def held(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(sa.select(sa.func.count()).select_from(db.records)).scalar_one()
        )


def refused(engine: sa.Engine, path: Path) -> BundleError:
    """The refusal of `path`, with its texts in both languages; asserts nothing was stored."""
    with pytest.raises(BundleError) as caught:
        import_bundle(engine, path)
    assert held(engine) == 0, "a refused bundle stored records"
    error = caught.value
    english, chinese = error.text("en")[0], error.text("zh-CN")[0]
    assert str(path) in english and str(path) in chinese
    assert english != chinese and error.code not in english + chinese
    return error


@pytest.mark.parametrize(
    ("line", "code", "says"),
    [
        (b"\n", "bundle.empty_line", "line 2 is empty"),
        (b"a", "bundle.line_too_long", "over 1048576 bytes"),
        (b"[1, 2, 3]\n", "bundle.not_a_record", "line 2 is not a record"),
        (RECORD_LIKE, "bundle.expands_too_much", "more than 32 times its size"),
    ],
    ids=["empty-lines", "one-endless-line", "not-records", "record-like"],
)
def test_a_decompression_bomb_is_refused_early(
    engine: sa.Engine, tmp_path: Path, line: bytes, code: str, says: str
) -> None:
    db.enroll(engine, CHECKPOINT)
    path = tmp_path / "bomb.ckpt.gz"
    size = bundle_files.bomb(path, line, expanded=4 * 1024**3)
    assert size < 16 * 1024 * 1024  # 4 GB once expanded
    error = refused(engine, path)
    assert error.code == code and says in error.message


def test_an_unsigned_stream_is_read_to_its_end_and_refused(
    engine: sa.Engine, tmp_path: Path
) -> None:
    db.enroll(engine, CHECKPOINT)
    path = tmp_path / "unsigned.ckpt.gz"
    bundle_files.unsigned_stream(path, 8 * 1024 * 1024)
    error = refused(engine, path)
    assert error.code == "bundle.bad_signature"
    assert "签名" in error.text("zh-CN")[0]


def test_a_bundle_for_another_checkpoint_is_refused(
    engine: sa.Engine, tmp_path: Path, template: dict[str, Any]
) -> None:
    db.enroll(engine, CHECKPOINT)
    other = db.enroll(engine, "HB-XG-0099")
    # Made and signed by HB-XG-0099's laptop, its header naming HB-XG-0012.
    path = tmp_path / "other.ckpt.gz"
    bundle_files.signed_bundle(path, template, 10, signing_key(other))
    error = refused(engine, path)
    assert error.code == "bundle.bad_signature" and CHECKPOINT in error.message
    assert CHECKPOINT in error.text("zh-CN")[0]


def test_a_truncated_or_tampered_large_bundle_is_refused(
    engine: sa.Engine, tmp_path: Path, template: dict[str, Any]
) -> None:
    key = signing_key(db.enroll(engine, CHECKPOINT))
    path = tmp_path / "b.ckpt.gz"
    bundle_files.signed_bundle(path, template, 3000, key)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) * 2 // 3])
    assert refused(engine, path).code == "bundle.truncated"
    for at in (len(whole) // 3, len(whole) - 12):
        data = bytearray(whole)
        data[at] ^= 0x20
        path.write_bytes(bytes(data))
        assert refused(engine, path).code in DAMAGED
    path.write_bytes(whole)
    assert import_bundle(engine, path).stored == 3000


def test_a_file_changed_between_the_passes_stops_at_the_first_batch_that_differs(
    engine: sa.Engine, tmp_path: Path, template: dict[str, Any]
) -> None:
    key = signing_key(db.enroll(engine, CHECKPOINT))
    signed, forged = tmp_path / "signed.ckpt.gz", tmp_path / "forged.ckpt.gz"
    bundle_files.signed_bundle(signed, template, 250, key)
    lines = gzip.decompress(signed.read_bytes()).splitlines(keepends=True)
    lines[230] = lines[230].replace("王芳".encode(), "李强".encode())  # a record of batch 3
    bundle_files.write_gzip(forged, lines)
    opened: list[Path] = []

    def open_bundle() -> IO[bytes]:  # the signed file first, a different one the second time
        opened.append(signed if not opened else forged)
        return opened[-1].open("rb")

    verified = verify_bundle(open_bundle, lambda _: key, path=signed, batch_size=100)
    assert len(verified.batch_digests) == 3
    handed: list[int] = []
    with pytest.raises(BundleError) as caught:
        for batch in read_batches(open_bundle, verified, path=signed):
            handed.append(len(batch))
    assert handed == [100, 100]  # the batches as signed; the changed one never
    assert caught.value.code == "bundle.changed"
    assert "changed while it was being imported" in caught.value.message
    assert "导入过程中被改动" in caught.value.text("zh-CN")[0]


def test_a_signed_record_the_wire_refuses_stops_the_import_with_the_reason(
    engine: sa.Engine, tmp_path: Path, template: dict[str, Any]
) -> None:
    key = signing_key(db.enroll(engine, CHECKPOINT))
    path = tmp_path / "b.ckpt.gz"
    bundle_files.signed_bundle(
        path, dict(template, created_at="2026-12-01T00:00:00" + "0" * 30), 5, key
    )
    error = refused(engine, path)
    assert error.code == "bundle.bad_record" and "record 1" in error.message


def test_a_bundle_is_stored_in_batches_of_bounded_size(
    engine: sa.Engine, tmp_path: Path, template: dict[str, Any]
) -> None:
    key = signing_key(db.enroll(engine, CHECKPOINT))
    path = tmp_path / "b.ckpt.gz"
    bundle_files.signed_bundle(path, template, 50, key, pad=100_000)  # 5 MB of records

    def open_bundle() -> IO[bytes]:
        return path.open("rb")

    verified = verify_bundle(open_bundle, lambda _: key, batch_size=40, batch_bytes=1_000_000)
    sizes = [len(batch) for batch in read_batches(open_bundle, verified)]
    assert sizes == [10] * 5  # ten records of 100 kB reach the byte limit before 40 records
    assert import_bundle(engine, path).stored == 50


def test_an_exported_bundle_still_imports_once(engine: sa.Engine, tmp_path: Path) -> None:
    scene: Scene = make_log(tmp_path / "cp" / "checkpoint.db", people=30)
    try:
        token = db.enroll(engine, CHECKPOINT)
        path = tmp_path / "b.ckpt.gz"
        write_bundle(scene.store, path, checkpoint_id=CHECKPOINT, token=token)
        first = import_bundle(engine, path, batch_size=7)
        assert first.stored == 63 and first.rejected_count == 0
        assert import_bundle(engine, path, batch_size=5).duplicates == 63
    finally:
        scene.store.close()


# -------------------------------------------------------------------------- peak memory

_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    # Past this the machine would swap: the test fails instead (it measures far less).
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, resource.getrlimit(resource.RLIMIT_AS)[1]))
    from checkpoint.hub import db
    from checkpoint.hub.imports import import_bundle
    from checkpoint.sync.bundle import BundleError
    engine = db.make_engine(sys.argv[1])
    for path in sys.argv[2:]:
        try:
            outcome = {"stored": import_bundle(engine, Path(path)).stored}
        except BundleError as error:
            outcome = {"refused": error.code}
        # The peak so far, of the whole process: each bundle's is at most this.
        outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(outcome), flush=True)
    """
)


def import_in_a_process(url: str, *paths: Path) -> list[dict[str, Any]]:
    """What importing each of `paths` in turn did in a fresh `python`, with its peak memory."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, url, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.slow
def test_importing_large_and_hostile_bundles_stays_within_bounded_memory(
    tmp_path: Path, template: dict[str, Any]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = db.make_engine(url)
    key = signing_key(db.enroll(engine, CHECKPOINT))
    engine.dispose()
    hostile, bomb, valid = (tmp_path / f"{name}.ckpt.gz" for name in ("unsigned", "bomb", "valid"))
    bundle_files.unsigned_stream(hostile, 300 * 1024 * 1024, line_bytes=64_000)
    bundle_files.bomb(bomb, b"\n", expanded=4 * 1024**3)
    bundle_files.signed_bundle(valid, template, 2000, key, pad=64_000)  # 130 MB of records
    outcomes = import_in_a_process(url, hostile, bomb, valid)
    assert [o.get("refused", o.get("stored")) for o in outcomes] == [
        "bundle.bad_signature",
        "bundle.empty_line",
        2000,
    ], outcomes
    assert all(o["peak_mb"] <= LIMIT_MB for o in outcomes), outcomes
