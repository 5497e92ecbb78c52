"""File-system events as hints: watchdog's side of the watcher.

Every trigger (a watchdog event, an overflow warning) only puts paths into one
de-duplicated candidate set, which the watcher's own thread takes and checks against the
folder itself (see :mod:`factfold.watcher`).  Nothing here may raise into watchdog's threads.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import structlog
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

log = structlog.get_logger("factfold.watcher")

#: the events worth a look; opens and read-only closes are left out, or our own reads
#: would feed back into the candidate set
EVENTS = [FileCreatedEvent, FileModifiedEvent, FileAttribEvent, FileClosedEvent,
          FileDeletedEvent, FileMovedEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent]

class Candidates:
    """The one de-duplicated set every trigger feeds; shared between threads."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._paths: dict[str, None] = {}
        self._trees: dict[str, None] = {}
        self._rescan = False

    def add(self, path: str, *, tree: bool = False) -> None:
        with self._cv:
            (self._trees if tree else self._paths)[path] = None
            self._cv.notify()

    def rescan(self) -> None:
        with self._cv:
            self._rescan = True
            self._cv.notify()

    def __len__(self) -> int:
        return len(self._paths) + len(self._trees)

    def take(self, timeout: float) -> tuple[list[str], list[str], bool]:
        """Everything queued so far, waiting up to ``timeout`` for something to arrive."""
        with self._cv:
            if not (self._paths or self._trees or self._rescan) and timeout > 0:
                self._cv.wait(timeout)
            paths, trees, rescan = list(self._paths), list(self._trees), self._rescan
            self._paths, self._trees, self._rescan = {}, {}, False
            return paths, trees, rescan


class Hints(FileSystemEventHandler):
    """watchdog's side: turn events into candidates, and never raise.

    One exception in a handler kills watchdog's dispatcher thread for every watch, so
    anything unexpected is logged and answered with a full rescan instead.
    """

    def __init__(self, candidates: Candidates, accept: Callable[[str], bool]) -> None:
        self.candidates = candidates
        self.accept = accept

    def dispatch(self, event: FileSystemEvent) -> None:
        try:
            paths = [(event.src_path, event.event_type != "deleted")]
            if getattr(event, "dest_path", ""):
                paths = [(event.src_path, False), (event.dest_path, True)]
            for raw, present in paths:
                path = os.path.normpath(os.fsdecode(raw))
                if not self.accept(path):
                    continue
                # A directory that appears is scanned whole: files written into it before
                # its watch was added give no events.
                self.candidates.add(path, tree=event.is_directory and present)
        except Exception as exc:
            log.error("file event not understood; rescanning the folder", fs_event=repr(event),
                      error=repr(exc))
            self.candidates.rescan()


class OverflowHook(logging.Handler):
    """watchdog reports a kernel queue overflow only as a log warning: rescan on it."""

    def __init__(self, on_overflow: Callable[[bool], None]) -> None:
        super().__init__(logging.WARNING)
        self.on_overflow = on_overflow

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        if "overflow" in message.lower():
            # inotify_c reports the overflow itself; inotify.py then reports its repair.
            self.on_overflow(record.name.endswith("inotify_c"))
        else:
            log.warning("watchdog: " + message, logger=record.name)
