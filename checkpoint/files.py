"""Writing a file the way every file of `checkpoint` is written: whole, and private.

Reports, ledgers, bundles, the configuration, caches: all go through `staged` (or
`write_private`, its short form). What the user named decides how:

- a regular file, or nothing yet: written beside it under a temporary name and renamed over it
  in one step, so a full disk or a power cut never leaves half a report, and the new file is
  readable by its owner only (0600) whatever the umask;
- a symlink: followed, and its target is written as above (the link stays a link);
- a FIFO, a terminal or a device (`/dev/null`, `/dev/stdout`) or `-` (standard output): written
  into, never replaced. Replacing `/dev/null` as root turns the machine's /dev/null into a
  regular file that every other program then fills.

This module imports only the standard library's lightest modules: the message catalogs use it
to write their cache before the first screen.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

PRIVATE_FILE_MODE: Final = 0o600
STDOUT: Final = "-"
"""The name that means standard output, as in most command-line tools."""


def is_stdout(path: Path | str) -> bool:
    """Whether `path` is `-`, standard output."""
    return str(path) == STDOUT


def _target(path: Path) -> Path:
    """Where a regular file behind `path` is (links followed; a dangling link's target is
    created); a link to a pipe or device is kept: /dev/stdout resolves to /proc/self/fd/1 and
    then to "pipe:[…]", which is no path at all, while opening the link reaches the pipe."""
    if not path.is_symlink():
        return path
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return path
    except FileNotFoundError:
        pass
    return Path(os.path.realpath(path))


def _is_stream(path: Path) -> bool:
    """Whether `path` exists and is something to write into rather than replace."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, os.strerror(21), str(path))
    return not stat.S_ISREG(mode)


def create_private(path: Path) -> bool:
    """Create `path` empty and readable by its owner only; False if it existed already.

    SQLite gives a database's -wal, -shm and journal the permissions of the database, so a log
    created here first keeps all of them private.
    """
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def make_private(path: Path) -> None:
    """Take group and other permissions off a regular file of ours at `path` (one written by an
    earlier version, or under a lax umask). Anything else is left alone."""
    with contextlib.suppress(OSError):
        info = path.lstat()
        if (
            stat.S_ISREG(info.st_mode)
            and info.st_uid == os.geteuid()
            and stat.S_IMODE(info.st_mode) & 0o077
        ):
            path.chmod(stat.S_IMODE(info.st_mode) & 0o700)


def _temporary(folder: Path, name: str) -> Path:
    # O_EXCL with a random name instead of `tempfile`, which costs imports at start-up.
    for _ in range(100):
        candidate = folder / f".{name}.{os.getpid()}.{os.urandom(4).hex()}.partial"
        try:
            descriptor = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        except FileExistsError:
            continue
        os.close(descriptor)
        return candidate
    raise FileExistsError(17, os.strerror(17), str(folder))


@contextlib.contextmanager
def staged(path: Path) -> Iterator[Path]:
    """A private temporary file to write completely; on success it becomes `path` (see the
    module's docstring for what that means for links, devices and `-`). On failure `path` is
    left as it was and the temporary file removed. Raises OSError (IsADirectoryError for a
    folder) when `path` cannot be written.
    """
    target = None if is_stdout(path) else _target(path)
    replace = target is not None and not _is_stream(target)
    # What is copied into a stream is staged in the temporary folder, privately too.
    folder = target.parent if replace and target is not None else _temporary_folder()
    temporary = _temporary(folder, target.name if target is not None else "stdout")
    try:
        yield temporary
        if target is None:
            sys.stdout.flush()
            with temporary.open("rb") as source:
                shutil.copyfileobj(source, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        elif not replace:
            # O_WRONLY without O_CREAT or O_TRUNC: a FIFO or a device is written into as it is
            # (a FIFO waits for its reader, as with the shell's `>`).
            sink = os.open(target, os.O_WRONLY)
            with temporary.open("rb") as source, os.fdopen(sink, "wb") as stream:
                shutil.copyfileobj(source, stream)
        else:
            with temporary.open("rb+") as written:
                os.fsync(written.fileno())
            temporary.replace(target)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _temporary_folder() -> Path:
    return Path(os.environ.get("TMPDIR") or ("/tmp" if os.name == "posix" else Path.home()))


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` as `staged` does: whole, owner-only, through links, into devices."""
    with staged(path) as temporary:
        temporary.write_bytes(data)
