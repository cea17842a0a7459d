"""`checkpoint verify` never writes, and odd things at the log's or the lock's path are clear
errors at once (an empty file, a FIFO, a folder, a link to nothing): no hang, no traceback."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from checkpoint.errors import StoreError
from checkpoint.store import instance_lock
from checkpoint.store.engine import open_store
from tests.cli.test_init_verify import FAILURE_EXIT, invoke

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs and symlinks")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "unplugged" / "checkpoint.db")


def _listing(folder: Path) -> list[str]:
    # The message catalogs' cache may appear: it is the program's, not the log's.
    return sorted(p.name for p in folder.iterdir() if p.name != "cache")


ODD: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty": (_empty, "is empty (0 bytes)"),
    "fifo": (os.mkfifo, "is not a regular file"),
    "folder": (Path.mkdir, "is a folder"),
    "dangling": (_dangling, "which does not exist"),
}


@pytest.mark.parametrize("kind", ODD)
def test_verify_names_an_odd_log_and_changes_nothing(tmp_path: Path, kind: str) -> None:
    make, said = ODD[kind]
    log = tmp_path / "checkpoint.db"
    make(log)
    before = _listing(tmp_path)

    result = invoke(tmp_path, "verify")  # a FIFO would block here without the check

    assert result.exit_code == FAILURE_EXIT, result.output
    assert said in result.output and str(log) in result.output
    assert "Traceback" not in result.output
    assert _listing(tmp_path) == before
    if kind == "empty":
        assert log.stat().st_size == 0  # never given a header


@pytest.mark.parametrize("kind", ["fifo", "folder", "dangling"])
def test_an_odd_lock_file_is_a_clear_error(tmp_path: Path, kind: str) -> None:
    make, _said = ODD[kind]
    lock = instance_lock.lock_file(tmp_path / "checkpoint.db")
    make(lock)
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path / "checkpoint.db")
    assert caught.value.code == "store.lock_not_a_file"
    assert str(lock) in caught.value.message
    result = invoke(tmp_path, "init")
    assert result.exit_code != 0 and "lock file" in result.output, result.output
    assert "Traceback" not in result.output
    # verify takes no lock: the log is still checked
    assert invoke(tmp_path, "verify").exit_code == FAILURE_EXIT  # no log yet, said plainly
