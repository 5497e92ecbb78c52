"""Making file-system changes durable, for the log and the views alike."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from pathlib import Path

from .log import LogError


def fsync_directory(directory: Path) -> None:
    """Sync a directory, so files created, renamed or removed in it survive a crash."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DiskFull(LogError):
    """The disk (or the user's quota) is full: the write that failed left nothing behind.

    Whoever gets it keeps the work that failed and does it again once space is back.
    """


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an error it was raised from, says the disk is full."""
    while exc is not None:
        if isinstance(exc, DiskFull):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.Error) and (
                getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_FULL:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


#: bytes a probe must be able to allocate for the disk to count as having room again
ROOM = 256 * 1024


def has_room(directory: Path, size: int = ROOM) -> bool:
    """Whether ``size`` bytes can be allocated in ``directory`` now: a real allocation
    (quotas and reserved blocks included, which free-space figures miss), removed at once."""
    probe = directory / f".factfold-space-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    except OSError:
        return False
    try:
        os.posix_fallocate(fd, 0, size)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(probe)
