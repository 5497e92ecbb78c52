"""Live monitoring of a drop folder: events are hints, the folder is the truth.

Like Filebeat's or NiFi's file inputs, the watcher does not trust file-system events to be
complete: inotify drops events when its queue overflows, renames and hard links never give
``closed``, a file in a brand-new subfolder may give nothing at all.  So every trigger — a
watchdog event, a full reconcile scan at start, after each overflow warning and on a timer —
only puts paths into one de-duplicated candidate set; the worker then looks at the folder
itself.  A candidate is taken once its size, mtime, ctime and inode have stayed unchanged for
the settle window; its identity is its content (sha256), so a path seen twice is never
counted twice and a vanished path whose content reappears elsewhere is a move.

Threads: watchdog's threads only enqueue (and catch everything, so they never die).  The
thread that calls :meth:`Watcher.run` is the only one that touches the :class:`Store`, which
is not thread-safe.  Work not committed when the process stops is found again by the next
start's scan, which compares the folder with the store's paths.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from .display import printable, store_name
from .dropfolder import Limits, Refused, disk_path, read_file, walk
from .durable import DiskFull
from .store import Store
from .watchhints import EVENTS, Candidates, Hints, OverflowHook
from .watchstats import StatusSink, WatchStats

log = structlog.get_logger("factfold.watcher")

#: names never taken: hidden files and the temporary names editors and downloaders use
DEFAULT_IGNORE = (".*", "*.swp", "*.swx", "*~", "*.part", "*.partial", "*.tmp", "*.crdownload")

#: longest the worker sleeps, so a stop request or a dead observer is noticed quickly
TICK = 0.1
#: longest wait between retries while the disk is full
MAX_BACKOFF = 30.0
#: seconds between looks at a log shared with other hosts (NATS) for what they appended
FOLLOW_INTERVAL = 0.5

OnFacts = Callable[[str, list[dict[str, Any]]], None]
#: what identifies one state of a file without reading it
Signature = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class WatchConfig:
    """How the watcher decides a file is ready, and how it learns about files."""

    #: seconds a file's size, mtime, ctime and inode must stay unchanged before it is read
    settle: float = 0.2
    #: seconds between full reconcile scans (events are only hints)
    scan_interval: float = 30.0
    #: poll the folder instead of inotify (network file systems, where inotify sees nothing)
    polling: bool = False
    #: extra glob patterns, matched against a file's name and its path below the folder
    ignore: tuple[str, ...] = ()
    #: files ingested before their facts are extracted: bounds memory and latency in a burst
    batch: int = 64
    #: seconds between polls in polling mode
    poll_interval: float = 1.0
    #: how much of a file is read, and for how long (the drop-folder policy)
    limits: Limits = field(default_factory=Limits)
    #: seconds a file may keep changing before it is rejected as never settling; it is
    #: taken in once it does settle
    settle_timeout: float = 60.0


def signature(st: os.stat_result) -> Signature:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def lstat_of(path: str) -> os.stat_result | None:
    """The entry's own stat (a link's, not its target's): links are never followed."""
    try:
        return os.lstat(path)
    except OSError:
        return None


class Watcher:
    """Keeps a store in step with a drop folder until stopped."""

    def __init__(self, store: Store, directory: Path | str,
                 config: WatchConfig | None = None) -> None:
        self.store = store
        self.directory = Path(directory)
        self.root = os.path.normpath(str(directory))
        self.config = config or WatchConfig()
        self.stats = WatchStats()
        self.candidates = Candidates()
        self._patterns = DEFAULT_IGNORE + tuple(self.config.ignore)
        # The store may sit inside the folder: its own writes are not documents.
        store_dir = os.path.abspath(store.path)
        self._store_dir = store_dir if os.path.isabs(self.root) else os.path.relpath(store_dir)
        self._stop = threading.Event()
        self._signal: int | None = None
        #: path -> (signature, when first seen with it): waiting for the settle window
        self._settling: dict[str, tuple[Signature, float]] = {}
        #: path -> when it was first seen changing: bounds the wait for it to settle
        self._changing_since: dict[str, float] = {}
        #: path -> signature when last handled; a scan skips paths that still match
        self._handled: dict[str, Signature] = {}
        #: stored path no longer on disk -> (its document, since when): held back briefly
        #: so that the same content turning up elsewhere is recorded as a move
        self._vanished: dict[str, tuple[str, float]] = {}
        self._next_scan = 0.0
        self._observer: BaseObserver | None = None
        self._polling = self.config.polling
        #: a log other hosts append to (NATS): their events are folded here too, between
        #: turns (and before each append of this process, by the store)
        self._shared = store.log_servers is not None
        self._next_follow = 0.0
        if self._shared:
            self.stats.others = 0

    # -- names -----------------------------------------------------------------------------

    def _relative(self, path: str) -> str | None:
        """``path`` below the watched folder, or None if it is outside it."""
        if self.root == ".":
            return None if path.startswith(("/", "..")) or path == "." else path
        prefix = self.root.rstrip(os.sep) + os.sep
        return path[len(prefix):] if path.startswith(prefix) else None

    def accepts(self, path: str) -> bool:
        """Whether ``path`` is one the watcher takes: below the folder, not ignored."""
        rel = self._relative(path)
        if rel is None or path == self._store_dir or path.startswith(self._store_dir + os.sep):
            return False
        parts = rel.split(os.sep)
        return not any(fnmatch.fnmatchcase(part, p) for part in parts for p in self._patterns
                       ) and not any(fnmatch.fnmatchcase(rel, p) for p in self.config.ignore)

    # -- the run loop ------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask :meth:`run` to return after the file in hand (safe from any thread)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        if self._signal is not None and not self._stop.is_set():
            log.info("stopping: finishing the file in hand; the rest is found on next start",
                     signal=signal.Signals(self._signal).name)
            self._stop.set()
        return self._stop.is_set()

    def run(self, status: StatusSink | None = None,
            on_facts: OnFacts | None = None) -> WatchStats:
        """Watch until stopped by :meth:`stop`, SIGINT or SIGTERM; returns the counters.

        ``status`` is shown the counters meanwhile (see :mod:`factfold.watchstats`).
        """
        restore = self._install_signals()
        hook = OverflowHook(self._overflowed)
        watchdog_log = logging.getLogger("watchdog")
        watchdog_log.addHandler(hook)
        panel = None
        try:
            if status is not None:
                panel = status
                panel.start(self.stats, self.root)
            self._start_observer()
            self._count_facts()
            self._scan(self.root, full=True)
            log.info("watching", directory=self.root, polling=self._polling,
                     settle=self.config.settle, scan_interval=self.config.scan_interval,
                     candidates=len(self._settling), documents=len(self._stored()))
            # Documents committed by an earlier run that stopped before extracting them.
            if self.store.extract_pending():
                self._count_facts()
            while not self.stopping:
                try:
                    self._step(on_facts)
                except DiskFull as exc:
                    self._wait_for_space(exc)
                except Exception as exc:
                    # The watch outlives any one failure; a rescan finds what was dropped.
                    log.exception("watch step failed; rescanning the folder")
                    self._error(f"{exc!r}")
                    self.candidates.rescan()
                    self._stop.wait(1.0)
        finally:
            self._stop_observer()
            watchdog_log.removeHandler(hook)
            if panel is not None:
                panel.stop()
            restore()
            others = {} if self.stats.others is None else {"others": self.stats.others}
            log.info("stopped watching", directory=self.root, ingested=self.stats.ingested,
                     rejected=self.stats.rejected, waiting=len(self._settling), **others)
        return self.stats

    def _wait_for_space(self, exc: DiskFull) -> None:
        """The disk is full: say so once, and wait (probing, less and less often) until
        space is back; then the files that failed, kept as candidates, are tried again."""
        log.error("disk full: nothing more is recorded until space is freed; the files "
                  "waiting are retried then", store=str(self.store.path), error=str(exc))
        self.stats.last_error = "disk full: waiting for free space"
        backoff = 0.5
        while not self.stopping:
            until = time.monotonic() + backoff
            while not self.stopping and time.monotonic() < until:
                self._stop.wait(TICK)
            if self.store.has_room():
                try:
                    # The views fold again what they lost; documents recorded before the
                    # disk filled get their extraction.
                    self.store.extract_pending()
                except DiskFull:
                    pass
                else:
                    break
            backoff = min(2 * backoff, MAX_BACKOFF)
        else:
            return
        self._count_facts()
        log.info("disk space is back; retrying the files that failed",
                 store=str(self.store.path))
        self.stats.last_error = None
        self.candidates.rescan()

    def _install_signals(self) -> Callable[[], None]:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def handler(signum: int, frame: object) -> None:
            # No logging and no locks here: the handler runs in the worker thread, which may
            # hold them (e.g. mid-way through writing a log line) and would deadlock.
            if self._signal is not None:
                raise KeyboardInterrupt  # a second signal: drop the work in hand now
            self._signal = signum

        previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}

        def restore() -> None:
            for s, h in previous.items():
                signal.signal(s, h)

        return restore

    def _overflowed(self, first: bool) -> None:
        if first:
            self.stats.overflows += 1
            log.warning("file events were lost (inotify queue overflow); rescanning the folder")
        self.candidates.rescan()

    def _start_observer(self) -> None:
        handler = Hints(self.candidates, self.accepts)
        for polling in ([True] if self._polling else [False, True]):
            observer = (PollingObserver(timeout=self.config.poll_interval) if polling
                        else Observer())
            try:
                observer.schedule(handler, self.root, recursive=True, event_filter=EVENTS)
                observer.start()
            except OSError as exc:
                log.error("cannot watch the folder with inotify; polling instead (raise "
                          "fs.inotify.max_user_watches / max_user_instances to avoid this)",
                          directory=self.root, error=str(exc))
                self.stats.last_error = f"inotify: {exc}"
                continue
            self._observer, self._polling = observer, polling
            return

    def _stop_observer(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    def _step(self, on_facts: OnFacts | None) -> None:
        """One turn: take hints, look at the folder, commit what is ready."""
        now = time.monotonic()
        waits = [since + self.config.settle - now for _, since in self._settling.values()]
        waits += [since + self._grace - now for _, since in self._vanished.values()]
        timeout = max(0.0, min([TICK, self._next_scan - now, *waits]))
        paths, trees, rescan = self.candidates.take(timeout)
        if self._observer is not None and not self._observer.is_alive():
            log.error("the file-event thread died; restarting it and rescanning")
            self.stats.last_error = "file-event thread died (restarted)"
            self._stop_observer()
            self._start_observer()
            rescan = True
        if rescan or time.monotonic() >= self._next_scan:
            self._scan(self.root, full=True)
        for tree in trees:
            self._scan(tree, full=False)
        for path in paths:
            self._look(path)
        self.stats.queue = len(self._settling) + len(self.candidates)
        self._commit(on_facts)
        if self._shared and time.monotonic() >= self._next_follow:
            self._fold_others()

    @property
    def _grace(self) -> float:
        return self.config.settle + max(self.config.settle, 0.1)

    # -- looking at the folder ---------------------------------------------------------------

    def _stored(self, under: str | None = None) -> dict[str, str]:
        """Stored paths below the folder (or below ``under``) and their documents."""
        if under is None or under == self.root:
            return {p: d for p, d in self.store.paths().items() if self._relative(p) is not None}
        prefix = under.rstrip(os.sep) + os.sep
        # "0" sorts right after "/": the range holds exactly the paths below ``under``.
        return self.store.documents_view.paths_between(
            self.store.views.db, prefix, prefix[:-1] + chr(ord(os.sep) + 1))

    def _walk(self, top: str) -> Iterator[tuple[str, os.stat_result | None]]:
        """Every accepted non-directory below ``top``, with its lstat (None if it vanished);
        links are not followed, they are candidates like files (and rejected)."""
        return walk(top, self.accepts, lambda where, exc: self._error(
            f"cannot list {printable(where)}: {exc.strerror}", path=where))

    def _scan(self, top: str, *, full: bool) -> None:
        """Reconcile ``top`` with the store: new or changed files become candidates."""
        if full:
            self.stats.scans += 1
            self._next_scan = time.monotonic() + self.config.scan_interval
            if not os.path.isdir(self.root):
                # An unmounted share must not read as "every file was deleted".
                self._error(f"the watched folder {self.root} is missing; nothing is removed "
                            "until it is back", path=self.root)
                return
        present = set()
        for path, st in self._walk(top):
            present.add(store_name(path))
            self._observe(path, st)
        if full:
            for path, doc_id in self._stored().items():
                if path not in present and path not in self._vanished:
                    self._vanished[path] = (doc_id, time.monotonic())

    def _look(self, path: str) -> None:
        """A hint about ``path``: look at what is there now."""
        st = lstat_of(path)
        if st is not None and stat.S_ISDIR(st.st_mode):
            self._scan(path, full=False)
            return
        if st is None:
            self._settling.pop(path, None)
            self._handled.pop(path, None)
            self._changing_since.pop(path, None)
            name = store_name(path)
            stored = self._stored(name)  # a vanished folder takes its files with it
            doc_id = self.store.doc_at(name)
            if doc_id is not None:
                stored[name] = doc_id
            for p, doc_id in stored.items():
                self._vanished.setdefault(p, (doc_id, time.monotonic()))
            return
        self._observe(path, st)

    def _observe(self, path: str, st: os.stat_result | None) -> None:
        if st is None:
            self._look(path)
            return
        sig = signature(st)
        self._vanished.pop(store_name(path), None)
        if self._handled.get(path) == sig:
            return
        held = self._settling.get(path)
        if held is None or held[0] != sig:
            if held is None:
                self.stats.seen += 1
            self._changed(path, sig, held)

    def _changed(self, path: str, sig: Signature,
                 held: tuple[Signature, float] | None) -> None:
        """``path`` has a new signature: it waits (again) for the settle window."""
        now = time.monotonic()
        if held is None or now - held[1] >= self.config.settle:
            # Quiet for a settle window before (or new): a fresh run of changes.  A file
            # that merely waited its turn in a backlog is not one that never settles.
            self._changing_since[path] = now
        self._settling[path] = (sig, now)

    # -- committing --------------------------------------------------------------------------

    def _ready(self) -> list[tuple[str, os.stat_result]]:
        """Candidates whose signature held for the settle window (re-checked now)."""
        now = time.monotonic()
        ready = []
        for path, (sig, since) in list(self._settling.items()):
            if now - since < self.config.settle:
                if now - self._changing_since.get(path, now) > self.config.settle_timeout:
                    self._never_settles(path, sig)
                continue
            st = lstat_of(path)
            if st is None:
                self._look(path)
            elif signature(st) != sig:
                self._changed(path, signature(st), (sig, since))
            else:
                ready.append((path, st))
        return ready

    def _never_settles(self, path: str, sig: Signature) -> None:
        """A file still changing after the settle timeout: rejected until it settles."""
        del self._settling[path]
        del self._changing_since[path]
        self._outcome(path, self.store.reject(
            store_name(path), f"still changing after {self.config.settle_timeout:g} s "
            "(--settle-timeout); it is taken in once it stops changing"))
        self._handled[path] = sig

    def _commit(self, on_facts: OnFacts | None) -> None:
        ready = self._ready()
        for start in range(0, len(ready), self.config.batch):
            new: list[tuple[str, str, bool]] = []
            for path, st in ready[start:start + self.config.batch]:
                if self.stopping:
                    return  # not committed: the next start's scan finds it
                held = self._settling.pop(path)
                try:
                    taken = self._take(path, st)
                except DiskFull:
                    # Kept as a candidate, with the ones not yet tried: retried when space
                    # is back.  What did reach the log is folded from it then, not again.
                    self._settling[path] = held
                    self._extract(new, on_facts)  # may fail too: then at _space_is_back
                    raise
                except Exception as exc:
                    # Never let one file stop the watch; it is retried when it changes.
                    log.exception("could not ingest a file; it is retried when it changes",
                                  path=printable(path))
                    self._error(f"{printable(path)}: {exc!r}", path=path)
                    self._handled[path] = signature(st)
                    continue
                if taken is not None:
                    new.append((store_name(path), *taken))
            self._extract(new, on_facts)
        self._expire_vanished()
        self.store.commit_views()  # what this turn recorded, for readers in other processes

    def _take(self, path: str, st: os.stat_result) -> tuple[str, bool] | None:
        """Ingest one settled file.

        Returns (document id, whether its content is new to the store) when the path now
        holds a document whose facts should be shown: new content, or known content (a copy,
        a hard link) arriving at a new path.
        """
        name = store_name(path)
        self._changing_since.pop(path, None)
        try:
            read = read_file(path, root=self.root, limits=self.config.limits,
                             store=self.store.path)
        except FileNotFoundError:
            self._look(path)  # gone before it could be read: nothing to reject
            return None
        except Refused as exc:
            self._outcome(path, self.store.reject(name, exc.reason, size=exc.size))
            self._handled[path] = signature(st)
            return None
        sha = hashlib.sha256(read.data).hexdigest()
        if read.changed:
            outcome = None
        else:
            outcome = self._move_or_ingest(path, name, sha, read.data)
            self._outcome(path, outcome)
        now = lstat_of(path)
        after = signature(now) if now is not None else None
        if read.changed or after != signature(st):
            # Changed while we read it: look again rather than trust what we read.
            self._look(path)
        else:
            self._handled[path] = signature(st)
        if outcome in ("added", "superseded", "linked"):
            return sha, outcome != "linked"
        return None

    def _move_or_ingest(self, path: str, name: str, sha: str, data: bytes) -> str:
        if self.store.doc_at(name) is None:
            for old, (doc_id, _) in self._vanished.items():
                if doc_id == sha and not os.path.lexists(disk_path(old)):
                    del self._vanished[old]
                    if self.store.move(old, name):
                        log.info("document moved", old_path=old, path=name, doc_id=sha)
                        return "moved"
                    break
        return self.store.ingest_bytes(name, data)

    def _expire_vanished(self) -> None:
        now = time.monotonic()
        for path, (_doc_id, since) in list(self._vanished.items()):
            if now - since < self._grace:
                continue
            del self._vanished[path]
            if os.path.lexists(disk_path(path)):
                continue  # back again: a scan or an event brings it in
            if self.store.remove(path):
                self._outcome(path, "removed")

    def _outcome(self, path: str, outcome: str) -> None:
        counter = {"added": "ingested", "superseded": "ingested", "linked": "ingested",
                   "unchanged": "unchanged", "rejected": "rejected", "removed": "removed",
                   "moved": "moved"}.get(outcome)
        if counter:
            setattr(self.stats, counter, getattr(self.stats, counter) + 1)
        if outcome == "rejected":
            self.stats.last_error = f"rejected {printable(path)}"
        log.debug("file", path=printable(path), outcome=outcome)

    def _extract(self, new: list[tuple[str, str, bool]], on_facts: OnFacts | None) -> None:
        """Extract what is pending, then hand each arrived document's facts on."""
        if not new:
            return
        self.store.extract_pending()
        facts = dict(self.stats.facts)
        for path, doc_id, is_new in new:
            records = list(self.store.facts.rows(self.store.views.db,
                                                 filters={"doc_id": doc_id}))
            if is_new:  # a copy of a known document adds no facts to the views
                for r in records:
                    facts[r["kind"]] = facts.get(r["kind"], 0) + 1
            self.stats.facts = facts  # one swap: the status panel reads it from its thread
            log.info("document", path=path, doc_id=doc_id, facts=len(records))
            if on_facts is not None and records:
                try:
                    on_facts(path, records)
                except Exception as exc:
                    self._error(f"printing facts failed: {exc!r}", path=path)

    def _fold_others(self) -> None:
        """Fold into the views what other hosts appended to the shared log (their
        documents, the facts `factfold worker`s extracted): the same catch-up as `follow`."""
        self._next_follow = time.monotonic() + FOLLOW_INTERVAL
        self.store.catch_up()
        if self.store.others_folded != self.stats.others:
            self.stats.others = self.store.others_folded
            self._count_facts()  # the facts row counts what the views hold, theirs too

    def _count_facts(self) -> None:
        self.stats.facts = self.store.facts.counts(self.store.views.db)

    def _error(self, message: str, **context: Any) -> None:
        self.stats.last_error = message
        log.error(message, **{k: printable(v) if isinstance(v, str) else v
                              for k, v in context.items()})
