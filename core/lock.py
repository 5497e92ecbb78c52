"""One writer per store: an advisory file lock that names its holder."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path


class StoreLocked(RuntimeError):
    """Another process holds the store's writer lock."""


#: the locks this process holds (held strongly: a lock dropped unreleased is still held)
_held: set[WriterLock] = set()


def _drop_in_forked_child() -> None:
    """A forked child (an extraction worker) closes its copy of each held lock's descriptor.

    An ``flock`` belongs to the open file, which a fork shares: a child that kept the
    descriptor would keep the store locked after its parent died.  Closing is enough; an
    unlock here would release the parent's lock too.
    """
    for lock in _held:
        os.close(lock._fd)  # type: ignore[arg-type]
        lock._fd = None
    _held.clear()


os.register_at_fork(after_in_child=_drop_in_forked_child)


class WriterLock:
    """An exclusive, non-blocking ``flock`` on ``path``.

    The lock file records who holds it (pid, host, command line, since when), so the
    process that is refused can tell the user which process to stop.  The kernel releases
    the lock when the holder dies, so a crash never leaves a stale lock behind; forked
    children never hold it (see :func:`_drop_in_forked_child`).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLocked(self._refusal()) from None
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        self._fd = fd
        _held.add(self)

    def _refusal(self) -> str:
        try:
            holder = json.loads(self.path.read_text())
            who = (
                f"pid {holder['pid']} on {holder['host']} ({holder['command']}), "
                f"since {holder['since']}"
            )
        except (OSError, ValueError, KeyError):
            who = "another process"
        return (
            f"the store at {self.path.parent.parent} is already open for writing by {who}; "
            "stop that process or choose another store with --store"
        )

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
            _held.discard(self)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def taken(self) -> bool:
        """Whether some process holds the lock now.  Asks without writing anything, for a
        reader (which may not be allowed to write); if it cannot ask, it says taken."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        except OSError:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # and with it the shared lock, if it got one
        return False
