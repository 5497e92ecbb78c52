"""``factfold worker``: extraction taken from the NATS log's work queue.

Every document added to a NATS log is one message on ``factfold.doc.<doc_id>``; the durable
pull consumer :data:`CONSUMER` hands each to one of the workers taking from it, on any host.
A worker runs every extractor that has no outcome yet for the document (each in a worker
process of its own, as in-process extraction does: :mod:`factfold.workers`), appends the
outcomes as one batch, then acknowledges the message.  It holds two documents at once
(:data:`DEPTH`): the next one waits in the extraction process's pipe while the previous
one's outcomes are appended, so that process never waits for the log.

Exactly once, whatever stops where:

- a worker killed before it appended: the messages it holds are not acknowledged (each
  was kept alive only by this worker, from the moment it arrived), and after the ack wait
  the queue hands them to other workers, which extract them;
- killed after it appended but before acknowledging: the next worker finds the outcomes
  (the last event on each ``factfold.x.<doc_id>.<extractor>`` subject) and only
  acknowledges;
- two workers on one document at once (the first slower than the ack wait): both append
  expecting the subject as they found it; the stream takes one batch and refuses the other
  (:class:`factfold.natslog.LogConflict`), whose worker acknowledges and goes on.

A document's outcomes are looked up at every delivery, the first too, though that costs a
request: a document ingested without ``--no-extract`` was extracted in-process and is
queued all the same (its worker only acknowledges it), the same document may be added
twice (two hosts ingesting one file), and the look-up gives the last sequences the append
expects.  It is one request for all the extractors, made while the document before it is
being extracted.

A document handed out ``attempts`` times without being acknowledged (its workers keep dying
on it) is recorded as ``extraction.failed`` (``WorkerLost``) by the next worker that gets it,
without running the extractors again: a failure is an outcome, and ``reextract --failed``
retries it.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections import deque
from collections.abc import Callable

import structlog

from factfold.events import DocumentAdded

from .document import Document
from .extraction import ExtractionError, Outcome, outcome_appends, setup_extractors
from .extractor import Extractor
from .natslog import DOCUMENTS, LogConflict, NatsLog, Work
from .pluginmanager import PluginHost
from .workers import ExtractorPool

log = structlog.get_logger("factfold.worker")

#: the durable consumer every worker takes documents from
CONSUMER = "factfold-extract"
#: seconds between a worker's heartbeats (see :meth:`NatsLog.heartbeat`)
HEARTBEAT = 10.0
#: documents a worker holds at once: one being extracted and the next one waiting in the
#: extraction process's pipe, so that process goes on while this one appends the first's
#: outcomes (an atomic batch: 6-25 ms on one server), acknowledges it and takes another
DEPTH = 2
#: seconds a worker with nothing in hand waits for a document before looking up again
#: (its heartbeat, ``stop_when_idle``)
TAKE_WAIT = 1.0


def run_worker(event_log: NatsLog, plugins: PluginHost, *, attempts: int = 3,
               ack_wait: float = 60.0, stop_when_idle: float | None = None,
               done: Callable[[str], None] | None = None) -> int:
    """Take documents from the queue and extract them until interrupted (or, with
    ``stop_when_idle``, until the queue has been empty that many seconds); returns how many
    documents this worker extracted."""
    extractors = setup_extractors(plugins.extractors())
    name = re.sub(r"[^-_A-Za-z0-9]", "-", f"{socket.gethostname()}-{os.getpid()}")
    started = time.time()
    beaten = 0.0
    worker = _Worker(event_log, ExtractorPool(extractors, event_log.codec, 1),
                     {ex.name: ex for ex in extractors}, attempts, done)
    queue = event_log.work_queue(CONSUMER, DOCUMENTS, ack_wait=ack_wait,
                                 max_deliver=attempts + 1)
    idle_since = time.monotonic()
    try:
        while True:
            if time.monotonic() - beaten >= HEARTBEAT:
                event_log.heartbeat(name, {"extracted": worker.extracted, "started": started,
                                           "seen": time.time()})
                beaten = time.monotonic()
            if len(worker.held) < DEPTH:
                # With a document in the extraction process, only one there now: its
                # outcomes are not kept waiting for the queue.
                work = queue.take(0 if worker.held else TAKE_WAIT)
                if work is not None:
                    worker.start(work)
                    idle_since = time.monotonic()
                    continue
                if not worker.held:
                    if (stop_when_idle is not None
                            and time.monotonic() - idle_since >= stop_when_idle):
                        break
                    continue
            worker.finish()
            idle_since = time.monotonic()
    finally:
        worker.close()
        queue.close()
    return worker.extracted


class _Worker:
    """A worker's documents in hand: handed to its extraction process, then recorded and
    acknowledged in the order taken."""

    def __init__(self, event_log: NatsLog, pool: ExtractorPool,
                 by_name: dict[str, Extractor], attempts: int,
                 done: Callable[[str], None] | None) -> None:
        self.log = event_log
        self.pool = pool
        self.by_name = by_name
        self.versions = {name: ex.version for name, ex in by_name.items()}
        self.attempts = attempts
        self.done = done
        #: documents given to the extraction process, oldest first
        self.held: deque[Work] = deque()
        self.extracted = 0

    def start(self, work: Work) -> None:
        """Give the extractors without an outcome for ``work``'s document to the
        extraction process; acknowledge at once what needs none."""
        e = work.envelope.payload
        if not isinstance(e, DocumentAdded):  # links, moves, removals: nothing to extract
            work.ack()
            return
        while any(h.envelope.payload.doc_id == e.doc_id for h in self.held):
            # The same document again: its outcomes must be recorded before it is looked
            # up, or both would be found missing and extracted twice.
            self.finish()
        recorded = self.log.recorded(e.doc_id, self.versions)
        todo = [name for name in self.by_name if name not in recorded]
        doc = Document(e.doc_id, e.path, e.text, e.encoding)
        if not todo:
            self._done(work)
        elif work.delivered > self.attempts:
            lost = ExtractionError("WorkerLost", f"handed to {self.attempts} workers, none "
                                   "finished it (each stopped or was killed while "
                                   "extracting it)")
            self._record(work, doc, [(name, lost) for name in todo])
        else:
            self.pool.submit((work, doc), doc, todo)
            self.held.append(work)

    def finish(self) -> None:
        """Wait for the oldest document in hand to be extracted; record and acknowledge
        it (and any after it already extracted)."""
        for (work, doc), outcomes in self.pool.finished(timeout=None):
            # Held until acknowledged: Ctrl-C while its outcomes are appended gives it
            # back, and its next taker finds whatever was recorded.
            self._record(work, doc, outcomes)
            self.held.remove(work)  # the oldest: the pool gives them back in order

    def _record(self, work: Work, doc: Document, outcomes: list[tuple[str, Outcome]]) -> None:
        """Append a document's outcomes, then acknowledge it."""
        try:
            for batch in outcome_appends(self.by_name, doc, work.envelope, outcomes,
                                         self.log.max_batch):
                self.log.append(batch)
        except LogConflict:
            log.info("another worker recorded this document first", doc_id=doc.doc_id[:12])
        else:
            self.extracted += 1
            log.info("extracted", doc_id=doc.doc_id[:12], path=doc.path,
                     extractors=len(outcomes), delivered=work.delivered)
            if self.done is not None:
                self.done(doc.doc_id)
        self._done(work)

    def _done(self, work: Work) -> None:
        """Acknowledge a document; this worker looks it up afresh if it comes again."""
        work.ack()
        self.log.forget(work.envelope.payload.doc_id, self.by_name)

    def close(self) -> None:
        """Stop: documents in hand go back to the queue (to any worker) at once."""
        for work in self.held:
            work.release()
        self.held.clear()
        self.pool.close()
