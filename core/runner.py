"""The extraction runner: the bus's documents in, each (document, extractor) outcome out.

It subscribes to the bus.  A recorded ``document.added`` (or a known document linked or
superseding at a path) is handed to the extractors at once, in the killable worker pool
(:mod:`factfold.workers`), while whoever appended it goes on: an ingest reads the next file
while the workers extract the last ones.  Outcomes are collected as documents arrive, and
all of them by :meth:`ExtractionRunner.drain`, which an ingest calls before it exits and a
watch after each turn.  Each document's outcomes are appended per extractor as facts plus a
completion marker, or one failure (:func:`factfold.extraction.outcome_batch`); the outcomes of
the documents finished together go into one append, so one fsync covers them all, and each
(document, extractor) stays whole, never half-recorded.

What the bus did not deliver to this process (documents an earlier process recorded and
never extracted, a plugin's new version) is found by a scan of the views: :meth:`catch_up`,
which the first :meth:`drain` runs if nobody did.  The scan and the marks that bound it are
the store's (:meth:`Store.pending`, :meth:`Store.mark_extracted`).

Only live documents are extracted: one whose last path went away before its outcome came
back gets none (it is pending again if it comes back), as a scan would have skipped it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import structlog

from factfold.events import (
    DocumentAdded,
    DocumentLinked,
    DocumentSuperseded,
    Envelope,
    ExtractionCompleted,
    ExtractionFailed,
)

from .document import Document
from .durable import DiskFull
from .extraction import Outcome, outcome_appends, outcome_batch, setup_extractors
from .extractor import Extractor
from .log import LogConflict
from .natslog import NatsLog
from .workers import ExtractorPool

if TYPE_CHECKING:
    from .store import Store

log = structlog.get_logger("factfold.runner")

Progress = Callable[[int], None]
#: a document with its recorded event (the cause of its outcomes) and the extractors to run
Job = tuple[Document, Envelope, list[str]]

#: documents the bus may queue ahead of the workers before an append waits for them: an
#: ingest of many files runs at the extractors' pace, holding only so many texts
BACKLOG = 256
#: most documents whose outcomes go into one append
APPEND_GROUP = 64


class ExtractionRunner:
    """Schedules extraction for one writable store; not thread-safe (the store is not)."""

    def __init__(self, store: Store, workers: int = 1, *, enabled: bool = True) -> None:
        self.store = store
        self.plugins = store.plugins
        self.workers = workers
        #: whether this process extracts (not when `factfold worker`s on a NATS log do)
        self.enabled = enabled
        self._extractors: list[Extractor] | None = None
        self._pool: ExtractorPool | None = None
        #: documents delivered by the bus, waiting for a worker
        self._live: deque[Job] = deque()
        #: documents a scan found, read from the log as workers need them
        self._scans: deque[Iterator[Job]] = deque()
        #: how many of those are not handed out yet
        self._scanned_left = 0
        #: (document, extractor) queued, running, or recorded and not yet in the views:
        #: never handed out twice (the views answer for the rest)
        self._claimed: dict[str, set[str]] = {}
        #: documents whose outcomes were recorded since the last drain
        self._done = 0
        #: whether this process has scanned the whole store for pending extractions
        self._scanned = False
        #: the extractors (None: all) to mark, and where, once the last scan's work is done
        self._marking: tuple[set[str] | None, int] | None = None
        #: an error met while the bus was delivering, raised by the next drain
        self._deferred: BaseException | None = None
        #: called with 1 as each document's outcomes are recorded
        self.progress: Progress | None = None

    # -- what the bus delivers ---------------------------------------------------------------

    def on_event(self, env: Envelope) -> None:
        """The bus's handler: what is finished is recorded (an append waits here while
        too many documents are queued), then a new document goes to the workers.

        Recording first means a document is never recorded while its own event is being
        delivered: whatever the caller does next (remove it again, say) is in the views
        before its outcome is looked at.
        """
        e = env.payload
        if not self.enabled:
            return
        if isinstance(e, ExtractionCompleted | ExtractionFailed):
            # Folded into the views (they hear first): from now on they answer for it.
            self._release(e.doc_id, e.extractor)
            return
        if not isinstance(e, DocumentAdded | DocumentLinked | DocumentSuperseded):
            return
        try:
            self._pump(until_idle=False)
            if isinstance(e, DocumentAdded):
                document = Document(e.doc_id, e.path, e.text, e.encoding)
                self.plugins.hook.factfold_document_received(document=document)
                self._queue_live(document, env, [ex.name for ex in self.plugins.extractors()])
            else:
                doc_id = e.doc_id if isinstance(e, DocumentLinked) else e.new_doc_id
                # Known content, which may lack an outcome (never extracted while it had
                # no path, or a failure): the views know, having folded the event already.
                names = self._claim(doc_id, self.store.pending_among([doc_id]).get(doc_id, []))
                if names:
                    for document, cause in self.store.stored_documents([doc_id]):
                        self._live.append((document, cause, names))
            self._fill()
        except DiskFull:
            # The caller's own append is recorded; what was in hand is found again by the
            # scan after the disk has room (see Store.refold).
            self.rescan()
        except Exception as exc:
            # Not the delivered event's fault: the caller of the next drain hears of it.
            self.rescan()
            self._deferred = exc

    def _queue_live(self, document: Document, cause: Envelope, names: list[str]) -> None:
        names = self._claim(document.doc_id, names)
        if names:
            self._live.append((document, cause, names))

    def _claim(self, doc_id: str, names: Iterable[str]) -> list[str]:
        """The extractors of ``names`` not queued, running or being recorded on ``doc_id``,
        now claimed (until the views hold their outcome)."""
        claimed = self._claimed.get(doc_id, set())
        fresh = [n for n in names if n not in claimed]
        if fresh:
            self._claimed[doc_id] = claimed.union(fresh)
        return fresh

    def _release(self, doc_id: str, name: str) -> None:
        claimed = self._claimed.get(doc_id)
        if claimed is not None:
            claimed.discard(name)
            if not claimed:
                del self._claimed[doc_id]

    # -- catching up, draining ---------------------------------------------------------------

    def catch_up(self, only: Iterable[str] | None = None, *, failed: bool = False) -> None:
        """Queue every pending (document, extractor) the views show (see
        :meth:`Store.pending`): the workers start on them as the next documents arrive, or
        at the next drain, which marks the extractors once they are all recorded."""
        through = self.store.views.position
        only = None if only is None else set(only)
        pending = self.store.pending(only, failed=failed)
        # Once all of it is recorded, the extractors are marked at ``through``.
        self._marking = (only, through)
        wanted = {doc_id: names for doc_id, names in
                  ((d, self._claim(d, n)) for d, n in pending.items()) if names}
        if wanted:
            self._scanned_left += len(wanted)
            self._scans.append((document, cause, wanted[document.doc_id])
                               for document, cause in self.store.stored_documents(wanted))
        self._scanned = self._scanned or only is None

    @property
    def backlog(self) -> int:
        """Documents queued or being extracted."""
        return (self._scanned_left + len(self._live)
                + (self._pool.handed_out if self._pool is not None else 0))

    def drain(self, only: Iterable[str] | None = None, progress: Progress | None = None, *,
              failed: bool = False) -> int:
        """Extract everything queued and every pending (document, extractor) (with ``only``,
        of those extractors; with ``failed``, failures too: see :meth:`Store.pending`), and
        record the outcomes; returns the documents processed since the last drain."""
        if not self.enabled:  # left to workers: what was appended is committed
            self.store.commit_views()
            return 0
        self.store.refold()  # what is pending is read from the views: they must hold the log
        self._raise_deferred()
        if only is not None or failed or not self._scanned:
            self.catch_up(only, failed=failed)
        kept, self.progress = self.progress, progress or self.progress
        try:
            self._pump(until_idle=True)
        except BaseException:
            self.rescan()
            raise
        finally:
            self.progress = kept
        if self._marking is not None:
            names, through = self._marking
            # Extractors that were set up ran; with nothing pending none had to be (and
            # their models need not load just to be marked).
            ran = self._extractors if self._extractors is not None \
                else self.plugins.extractors()
            self.store.mark_extracted([ex for ex in ran if names is None or ex.name in names],
                                      through)
            self._marking = None
        self.store.commit_views()
        done, self._done = self._done, 0
        return done

    def rescan(self) -> None:
        """Forget what is queued and running: the next drain scans the views for it.

        After a failure part-way (a full disk, an observer that raised) this process no
        longer knows which outcomes reached the log; the views do.
        """
        if self._pool is not None:
            self._pool.abandon()
        self._live.clear()
        self._scans.clear()
        self._scanned_left = 0
        self._claimed.clear()
        self._scanned = False
        self._marking = None  # the work a mark would vouch for was dropped

    def _raise_deferred(self) -> None:
        if self._deferred is not None:
            exc, self._deferred = self._deferred, None
            raise exc

    # -- running -------------------------------------------------------------------------------

    @property
    def extractors(self) -> list[Extractor]:
        """The plugins' extractors, set up once per process."""
        if self._extractors is None:
            self._extractors = setup_extractors(self.plugins.extractors())
        return self._extractors

    def _next_job(self) -> Job | None:
        while self._scans:
            job = next(self._scans[0], None)
            if job is not None:
                self._scanned_left -= 1
                return job
            self._scans.popleft()
        return self._live.popleft() if self._live else None

    def _pump(self, *, until_idle: bool) -> None:
        """Hand out work while the pool has room and record what is finished: with
        ``until_idle``, until nothing is left; else what is finished now, waiting only while
        the bus has queued more than :data:`BACKLOG` documents."""
        while True:
            pool = self._fill()
            if pool is None or not pool.busy:
                return
            wait = until_idle or len(self._live) > BACKLOG
            finished = pool.finished(timeout=None if wait else 0.0)
            while finished and len(finished) < APPEND_GROUP and pool.busy:
                more = pool.finished(timeout=0.0)  # finished meanwhile: the same append
                if not more:
                    break
                finished += more
            if finished:
                self._record(finished)
            elif not wait:
                return

    def _fill(self) -> ExtractorPool | None:
        if self._pool is None and not (self._live or self._scans):
            return None
        by_name = {ex.name: ex for ex in self.extractors}  # set up before workers fork
        if self._pool is None:
            self._pool = ExtractorPool(list(by_name.values()), self.store.codec, self.workers)
        while self._pool.room:
            job = self._next_job()
            if job is None:
                break
            document, cause, names = job
            # An extractor whose setup failed never runs; one a worker elsewhere has
            # recorded need not.
            runnable = [n for n in names if n in by_name
                        and not self._recorded_elsewhere(document.doc_id, by_name[n])]
            for name in names:
                if name not in runnable:
                    self._release(document.doc_id, name)
            if runnable:
                self._pool.submit((document, cause), document, runnable)
        return self._pool

    def _recorded_elsewhere(self, doc_id: str, extractor: Extractor) -> bool:
        """Whether a `factfold worker` on another host already recorded this outcome (a
        NATS log, whose views here may not have folded it yet)."""
        log_ = self.store.log
        return isinstance(log_, NatsLog) and log_.has_outcome(doc_id, extractor.name,
                                                              extractor.version)

    def _record(self, finished: list[tuple[tuple[Document, Envelope],
                                           list[tuple[str, Outcome]]]]) -> None:
        """Append the outcomes of documents still live (one append), then tell the plugins."""
        by_name = {ex.name: ex for ex in self.extractors}
        kept = []
        for (document, cause), outcomes in finished:
            if self.store.is_live(document.doc_id):
                kept.append((document, cause, outcomes))
            else:
                for name, _ in outcomes:
                    self._release(document.doc_id, name)
                log.debug("document gone before its extraction ended; not recorded",
                          doc_id=document.doc_id[:12])
        limit = self.store.log.max_batch
        if limit is None:
            batch = [e for document, cause, outcomes in kept for name, outcome in outcomes
                     for e in outcome_batch(by_name[name], document, cause, outcome)]
            if batch:
                self.store.append(batch)
        else:
            # A log with a batch limit (NATS): each document's outcomes in as few appends
            # as fit; another host's worker may have recorded a document first.
            for i, (document, cause, outcomes) in enumerate(kept):
                try:
                    for batch in outcome_appends(by_name, document, cause, outcomes, limit):
                        self.store.append(batch)
                except LogConflict:
                    log.info("another process extracted this document first",
                             doc_id=document.doc_id[:12])
                    for name, _ in outcomes:
                        self._release(document.doc_id, name)
                    kept[i] = (document, cause, [])
        for document, _, outcomes in kept:
            for name, outcome in outcomes:
                ex = by_name[name]
                if isinstance(outcome, list):
                    self.plugins.hook.factfold_facts_appended(
                        document=document, extractor=ex.ref, facts=outcome)
                else:
                    self.plugins.hook.factfold_extraction_failed(
                        document=document, extractor=ex.ref, reason=str(outcome))
            self._done += 1
            if self.progress is not None:
                self.progress(1)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
