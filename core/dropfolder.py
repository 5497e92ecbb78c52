"""Reading files from a drop folder: the one policy ``ingest`` and ``watch`` share.

Everything in a drop folder is hostile.  A file is taken in only if it is a regular file
that lies inside the folder, reached without following a link, no larger than the size
limit, and read within the time limit.  Everything else is refused with a reason that ends
up in the log (``factfold query documents --rejected``):

- symbolic links found in a folder (to files or folders, inside or outside it), FIFOs,
  sockets and devices are never opened for reading; a file reached through a link to a
  folder is outside the folder;
- the store's own files are never ingested, wherever the store sits;
- a file larger than the limit is refused from its ``fstat``, before a byte is read, and
  the read itself stops one byte past the limit, so a file that grows while it is read
  cannot take more memory than the limit;
- a read that takes longer than the time limit is given up.

A path named on the command line (``factfold ingest notes.txt``) is the user's own choice:
if it is a link, the link is followed (as ``cat`` would), but never links found inside a
folder being walked.  It must still be a regular file within the limits.

The checks cannot be fooled by swapping the file between the check and the read: the path
is opened from the folder one directory at a time with ``O_NOFOLLOW`` (a link anywhere on
the way fails the open), with ``O_NONBLOCK`` (a FIFO swapped in cannot block the open), and
the opened descriptor's ``fstat`` must be a regular file with the inode the ``lstat`` saw.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: the default size limit: news articles are kilobytes; 20 MB leaves room for long reports
DEFAULT_MAX_SIZE = 20 * 1000 * 1000
#: seconds a single file's read may take
DEFAULT_READ_TIMEOUT = 30.0
#: the environment variable that sets the size limit (``--max-size`` overrides it)
MAX_SIZE_ENV = "FACTFOLD_MAX_SIZE"
_CHUNK = 1 << 20
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
          "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?\s*", re.IGNORECASE)
_ESCAPED_BYTE = re.compile(rb"\\x([89a-f][0-9a-f])")


class Refused(Exception):
    """A file the policy does not take in; ``reason`` says why, for the user to read."""

    def __init__(self, reason: str, *, size: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.size = size


@dataclass(frozen=True)
class Limits:
    """How much of one file is read, and for how long."""

    #: bytes; a larger file is refused
    max_size: int = DEFAULT_MAX_SIZE
    #: seconds one file's read may take
    read_timeout: float = DEFAULT_READ_TIMEOUT


@dataclass(frozen=True)
class Read:
    """A file's bytes, as read through the policy."""

    data: bytes
    #: whether the file's size or mtime changed while it was read (the bytes may be torn)
    changed: bool


def parse_size(text: str) -> int:
    """``20MB``, ``1.5G``, ``512KiB`` or a plain number of bytes."""
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(f"not a size: {text!r} (use bytes, or a number with k, M, G, KiB...)")
    return int(float(m[1]) * _UNITS[(m[2] or "").lower()])


def default_max_size() -> int:
    """The size limit from ``$FACTFOLD_MAX_SIZE``, else :data:`DEFAULT_MAX_SIZE`."""
    value = os.environ.get(MAX_SIZE_ENV)
    return parse_size(value) if value else DEFAULT_MAX_SIZE


def disk_path(name: str) -> str:
    """The path on disk a stored name stands for (the inverse of :func:`store_name`)."""
    raw = name.encode("utf-8")
    if b"\\x" not in raw or os.path.lexists(name):
        return name
    return os.fsdecode(_ESCAPED_BYTE.sub(lambda m: bytes([int(m[1], 16)]), raw))


def walk(top: str, accept: Callable[[str], bool],
         on_error: Callable[[str, OSError], None]) -> Iterator[tuple[str, os.stat_result | None]]:
    """Every accepted entry below ``top`` that is not a folder, with its ``lstat`` (None if
    it vanished).  Folders are walked into; links to folders are not, they are yielded
    like any other entry, for :func:`read_file` to refuse."""
    try:
        entries = list(os.scandir(top))
    except FileNotFoundError:
        return
    except OSError as exc:
        on_error(top, exc)
        return
    for entry in entries:
        path = os.path.normpath(entry.path)
        if not accept(path):
            continue
        try:
            st: os.stat_result | None = entry.stat(follow_symlinks=False)
        except OSError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            yield from walk(path, accept, on_error)
        else:
            yield path, st


def kind_refusal(st: os.stat_result) -> str | None:
    """Why a file of this kind (from its ``lstat``) is not read, or None for a regular file."""
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISLNK(st.st_mode):
        return "a symbolic link; links in a drop folder are not followed"
    if stat.S_ISDIR(st.st_mode):
        return "a folder where a file was expected"
    return "not a regular file (a pipe, socket or device); only files can be ingested"


def read_file(path: str, *, root: str | None, limits: Limits, store: Path | None = None) -> Read:
    """Read ``path`` under the drop-folder policy, or raise :class:`Refused`.

    ``root`` is the folder the path was found in: nothing on the way from it is followed.
    ``root=None`` is a path the user named, which may itself be a link.  ``store`` is the
    store's folder, whose files are never read.  A file that is gone raises
    ``FileNotFoundError``; other errors of the file system become refusals.
    """
    try:
        fd, seen = (_open_beneath(root, path, store, limits) if root is not None
                    else _open_named(path, store, limits))
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise FileNotFoundError(exc.errno, exc.strerror, path) from None
        if exc.errno == errno.ELOOP:
            raise Refused("a symbolic link; links in a drop folder are not followed") from None
        raise Refused(f"unreadable: {exc.strerror}; check the file and its permissions; "
                      "it is retried when it changes") from None
    try:
        return _read(fd, seen, limits)
    finally:
        os.close(fd)


def _open_named(path: str, store: Path | None,
                limits: Limits) -> tuple[int, os.stat_result]:
    """Open a path the user named: a link is followed, the rest of the policy holds."""
    target = os.stat(path)
    _check(target, limits)
    if store is not None and _inside(os.path.realpath(path), store):
        raise Refused("one of the store's own files; the store never ingests itself")
    fd = os.open(path, _OPEN_FILE & ~os.O_NOFOLLOW)
    return fd, target


def _open_beneath(root: str, path: str, store: Path | None,
                  limits: Limits) -> tuple[int, os.stat_result]:
    """Open ``path`` from ``root`` a directory at a time, following no link on the way."""
    rel = os.path.relpath(path, root)
    parts = rel.split(os.sep)
    if rel == os.curdir or os.pardir in parts:
        raise Refused("outside the drop folder; only files inside it are ingested")
    if store is not None and _inside(os.path.realpath(root), store):
        raise Refused("one of the store's own files; the store never ingests itself")
    never = _identity(store)
    dir_fd = os.open(root, _OPEN_DIR & ~os.O_NOFOLLOW)
    try:
        for part in parts[:-1]:
            st = os.stat(part, dir_fd=dir_fd, follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                raise Refused("inside a symbolic link to a folder; links in a drop folder "
                              "are not followed")
            if (st.st_dev, st.st_ino) == never:
                raise Refused("one of the store's own files; the store never ingests itself")
            fd = os.open(part, _OPEN_DIR, dir_fd=dir_fd)
            os.close(dir_fd)
            dir_fd = fd
        seen = os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False)
        _check(seen, limits)
        return os.open(parts[-1], _OPEN_FILE, dir_fd=dir_fd), seen
    finally:
        os.close(dir_fd)


def _identity(store: Path | None) -> tuple[int, int] | None:
    try:
        st = os.stat(store) if store is not None else None
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st is not None else None


def _inside(real: str, store: Path) -> bool:
    top = os.path.realpath(store)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _check(st: os.stat_result, limits: Limits) -> None:
    why = kind_refusal(st)
    if why is not None:
        raise Refused(why)
    if st.st_size > limits.max_size:
        raise Refused(f"too large: {st.st_size} bytes, over the limit of {limits.max_size} "
                      f"bytes (--max-size or ${MAX_SIZE_ENV} raises it)", size=st.st_size)


def _read(fd: int, seen: os.stat_result, limits: Limits) -> Read:
    """Read an opened file whole, within the limits; the descriptor must be what was seen."""
    before = os.fstat(fd)
    if (before.st_dev, before.st_ino) != (seen.st_dev, seen.st_ino):
        raise FileNotFoundError(errno.ENOENT, "replaced while being opened")
    _check(before, limits)
    deadline = time.monotonic() + limits.read_timeout
    chunks: list[bytes] = []
    total = 0
    # One byte past the limit tells a file that grew while being read from one at the limit.
    while chunk := os.read(fd, min(_CHUNK, limits.max_size + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limits.max_size:
            raise Refused(f"too large: grew past the limit of {limits.max_size} bytes while "
                          f"being read (--max-size or ${MAX_SIZE_ENV} raises it)")
        if time.monotonic() > deadline:
            raise Refused(f"too slow: reading took longer than {limits.read_timeout:g} s; "
                          "it is retried when it changes")
    after = os.fstat(fd)
    changed = (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) \
        or total != before.st_size
    return Read(b"".join(chunks), changed)
