"""A healthy log on a read-only folder or file system: read as it is, refused for writing as
read-only (never "damaged", never "start a new log").

Root ignores permissions, so as root the chmod case runs in a child process that drops to the
`nobody` user after its imports, and the file-system case mounts a tmpfs read-only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint.store.engine import open_store
from tests.store.conftest import build_scene

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and mounts")

NOBODY = 65534

PROBE = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    from checkpoint.errors import StoreError
    from checkpoint.locale import translate
    from checkpoint.store.engine import open_store
    from checkpoint.store.verify import walk
    def read(path):
        with open_store(path, exclusive=False, create=False) as store, store.reading() as session:
            report = walk(session)
            return [report.ok, report.rows]
    if len(sys.argv) > 2:
        # Modules and the catalog load lazily from folders `nobody` cannot read: load them
        # first by reading a copy and translating a message.
        import shutil, tempfile
        with tempfile.TemporaryDirectory() as warm:
            shutil.copy(sys.argv[1], warm)
            read(Path(warm) / Path(sys.argv[1]).name)
        translate("store.read_only", "en", path="x")
        os.setgid(int(sys.argv[2]))
        os.setuid(int(sys.argv[2]))
    path = Path(sys.argv[1])
    result = {}
    result["read"] = read(path)
    try:
        open_store(path).close()
        result["write"] = "opened"
    except StoreError as error:
        result["write"] = [error.code, *error.text("en")]
    print(json.dumps(result))
""")


def _healthy_log(folder: Path) -> Path:
    path = folder / "checkpoint.db"
    with open_store(path) as store:
        build_scene(store)
    return path


def _probe(path: Path, uid: int | None = None) -> dict[str, object]:
    argv = [sys.executable, "-c", PROBE, str(path)]
    if uid is not None:
        argv.append(str(uid))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _assert_read_only(result: dict[str, object], path: Path) -> None:
    assert result["read"] == [True, 3]
    code, message, hint = result["write"]  # type: ignore[misc]
    assert code == "store.read_only"
    assert str(path) in message and "read-only" in message and "not damaged" in message
    assert "damaged" not in message.replace("not damaged", "")
    assert "new log" not in f"{message} {hint}"
    assert "verify, report, export" in hint


@pytest.fixture
def world_readable() -> Iterator[Path]:
    # Not under pytest's tmp_path: its folders are 0700 and `nobody` could not reach the log.
    folder = Path(tempfile.mkdtemp(prefix="checkpoint-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_log_in_a_read_only_folder(world_readable: Path) -> None:
    log = world_readable / "log"
    log.mkdir()
    path = _healthy_log(log)
    path.chmod(0o644)
    log.chmod(0o555)
    _assert_read_only(_probe(path, NOBODY if os.geteuid() == 0 else None), path)
    assert sorted(p.name for p in log.iterdir()) == ["checkpoint.db", "checkpoint.db.lock"]


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a read-only file system needs root and mount(8)")
    point = tmp_path / "mnt"
    point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


def test_a_log_on_a_read_only_file_system(read_only_mount: Path) -> None:
    path = _healthy_log(read_only_mount)
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_mount)], check=True)
    _assert_read_only(_probe(path), path)
