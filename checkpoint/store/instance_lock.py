"""One running program per log: an OS lock on a file beside it that names its holder.

The lock is the operating system's (`flock` on POSIX, `msvcrt.locking` on Windows), held on an
open file: it ends with the process however the process ends, so a crash or `kill -9` never
leaves a stale lock behind. The file stays (removing it while another process waits on it
would let two hold "the" lock); what it holds is the holder's process id, written once the lock
is taken, so that the one refused can say which process holds the log.

This module imports nothing heavy: `checkpoint run` takes the lock before its first screen.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

from checkpoint.errors import StoreError

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_PID_AT = 16
"""Where the pid is written: Windows locks byte 0 (a locked range cannot be read there)."""


def lock_file(database: Path) -> Path:
    """The lock file of the log at `database` (beside it, as earlier versions had it)."""
    return database.with_name(f"{database.name}.lock")


class InstanceLock:
    """The instance lock on one log, held until `release()` (or the process ends)."""

    def __init__(self, database: Path, descriptor: int) -> None:
        self.database = database
        self._descriptor: int | None = descriptor

    @property
    def held(self) -> bool:
        return self._descriptor is not None

    def release(self) -> None:
        """Let the next program open the log; closing the file lets go of the OS lock."""
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(descriptor, 0)  # no one holds it: no pid to name
        _unlock(descriptor)
        os.close(descriptor)


def acquire(database: Path) -> InstanceLock:
    """Take the instance lock on `database`, or StoreError naming the process that holds it.

    A FIFO, a folder or a dangling symlink where the lock file goes is a StoreError at once.
    Raises OSError if the lock file cannot be created (a folder that does not exist or cannot
    be written): that is a problem of the log's folder, which opening the log reports.
    """
    path = lock_file(database)
    if path.is_symlink() and not path.exists():
        # O_CREAT would create the link's target, somewhere the user never chose.
        raise StoreError.of("store.lock_not_a_file", path=path)
    try:
        # O_NONBLOCK: a FIFO put there must not hang the program until someone writes to it.
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | _NONBLOCK, 0o600)
    except IsADirectoryError as error:
        raise StoreError.of("store.lock_not_a_file", path=path) from error
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise StoreError.of("store.lock_not_a_file", path=path)
    try:
        taken = _try_lock(descriptor)
    except BaseException:
        os.close(descriptor)
        raise
    if not taken:
        holder = _holder(descriptor)
        os.close(descriptor)
        if holder is None:
            raise StoreError.of("store.in_use", path=database)
        raise StoreError.of("store.in_use_by", path=database, pid=holder)
    try:
        os.ftruncate(descriptor, 0)
        os.lseek(descriptor, _PID_AT, os.SEEK_SET)
        os.write(descriptor, f"{os.getpid()}\n".encode())
    except OSError:
        pass  # the lock holds without its note; a refused program then names no process
    return InstanceLock(database, descriptor)


def _holder(descriptor: int) -> int | None:
    try:
        os.lseek(descriptor, _PID_AT, os.SEEK_SET)
        text = os.read(descriptor, 64).decode("ascii", "replace").strip("\0 \n")
    except OSError:
        return None
    return int(text) if text.isdigit() else None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(descriptor: int) -> bool:
        os.lseek(descriptor, 0, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        os.lseek(descriptor, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
