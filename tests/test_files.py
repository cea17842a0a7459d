"""`files.staged`: files replaced whole and private, links followed, devices written into."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint import files

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX files and permissions")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """Every file would be readable by all if the program trusted the umask."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    """A character device like /dev/null. As root, a private one (a test that replaced the
    machine's /dev/null would break the machine); otherwise /dev/null, which a bug could not
    replace anyway."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as error:
        pytest.skip(f"cannot make a device node here: {error}")
    return node


def test_a_new_file_is_private_whatever_the_umask(tmp_path: Path, lax_umask: None) -> None:
    target = tmp_path / "report.txt"
    files.write_private(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert _mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # nothing left beside it


def test_an_existing_readable_file_is_replaced_private(tmp_path: Path) -> None:
    target = tmp_path / "ledger.csv"
    target.write_bytes(b"old")
    target.chmod(0o644)
    files.write_private(target, b"new")
    assert (target.read_bytes(), _mode(target)) == (b"new", 0o600)


def test_a_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "ledger.csv"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), files.staged(target) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("disk pulled out")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.csv"]


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_bytes(b"old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    files.write_private(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "made.txt")
    files.write_private(link, b"new")
    assert link.is_symlink() and (tmp_path / "made.txt").read_bytes() == b"new"


def test_a_device_is_written_into_not_replaced(null_device: Path) -> None:
    files.write_private(null_device, b"x" * 100_000)
    assert stat.S_ISCHR(null_device.stat().st_mode)


def test_a_fifo_is_written_into(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    try:
        files.write_private(fifo, b"through the pipe")
    finally:
        reader.join(timeout=30)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dash_is_standard_output(capfd: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    with contextlib.chdir(tmp_path):
        files.write_private(Path("-"), b"to stdout")
        assert not Path("-").exists()
    assert capfd.readouterr().out == "to stdout"


def test_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        files.write_private(tmp_path, b"x")


def test_make_private_tightens_only_regular_files(tmp_path: Path) -> None:
    loose = tmp_path / "hub.db"
    loose.write_bytes(b"")
    loose.chmod(0o644)
    files.make_private(loose)
    assert _mode(loose) == 0o600
    files.make_private(tmp_path / "missing")  # nothing to do, no error


def test_a_link_to_a_pipe_is_written_into(tmp_path: Path) -> None:
    """As /dev/stdout is, when the output is piped: a link to /proc/self/fd/1."""
    read_end, write_end = os.pipe()
    link = tmp_path / "stdout"
    link.symlink_to(f"/proc/self/fd/{write_end}")
    if not link.exists():
        pytest.skip("no /proc/self/fd here")
    try:
        files.write_private(link, b"piped")
        os.close(write_end)
        assert os.read(read_end, 100) == b"piped"
    finally:
        os.close(read_end)
        with contextlib.suppress(OSError):
            os.close(write_end)
