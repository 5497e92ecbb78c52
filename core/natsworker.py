"""``factfold worker``: extraction taken from the NATS log's work queue.

Every document added to a NATS log is one message on ``factfold.doc.<doc_id>``; the durable
pull consumer :data:`CONSUMER` hands each to one of the workers taking from it, on any host.
A worker runs every extractor that has no outcome yet for the document (each in a worker
process of its own, as in-process extraction does: :mod:`factfold.workers`), appends the
outcomes as one batch, then acknowledges the message.

Exactly once, whatever stops where:

- a worker killed before it appended: the message is not acknowledged, and after the ack
  wait the queue hands it to another worker, which extracts it;
- killed after it appended but before acknowledging: the next worker finds the outcomes
  (the last event on each ``factfold.x.<doc_id>.<extractor>`` subject) and only
  acknowledges;
- two workers on one document at once (the first slower than the ack wait): both append
  expecting the subject as they found it; the stream takes one batch and refuses the other
  (:class:`factfold.natslog.LogConflict`), whose worker acknowledges and goes on.

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


def run_worker(event_log: NatsLog, plugins: PluginHost, *, attempts: int = 3,
               ack_wait: float = 60.0, stop_when_idle: float | None = None,
               done: Callable[[str], None] | None = None) -> int:
    """Take documents from the queue and extract them until interrupted (or, with
    ``stop_when_idle``, until the queue has been empty that many seconds); returns how many
    documents this worker extracted."""
    extractors = setup_extractors(plugins.extractors())
    by_name = {ex.name: ex for ex in extractors}
    pool = ExtractorPool(extractors, event_log.codec, 1)
    extracted = 0
    idle_since = time.monotonic()
    name = re.sub(r"[^-_A-Za-z0-9]", "-", f"{socket.gethostname()}-{os.getpid()}")
    started = time.time()
    beaten = 0.0
    try:
        for work in event_log.work(CONSUMER, DOCUMENTS, ack_wait=ack_wait,
                                   max_deliver=attempts + 1, timeout=1.0):
            if time.monotonic() - beaten >= HEARTBEAT:
                event_log.heartbeat(name, {"extracted": extracted, "started": started,
                                           "seen": time.time()})
                beaten = time.monotonic()
            if work is None:
                if stop_when_idle is not None and time.monotonic() - idle_since >= stop_when_idle:
                    break
                continue
            if _take(event_log, pool, by_name, work, attempts):
                extracted += 1
                if done is not None:
                    done(work.envelope.payload.doc_id)
            work.ack()
            idle_since = time.monotonic()
    finally:
        pool.close()
    return extracted


def _take(event_log: NatsLog, pool: ExtractorPool, by_name: dict[str, Extractor], work: Work,
          attempts: int) -> bool:
    """Extract one document taken from the queue; whether this worker recorded outcomes."""
    env = work.envelope
    e = env.payload
    if not isinstance(e, DocumentAdded):  # links, moves, removals: nothing to extract
        return False
    doc = Document(e.doc_id, e.path, e.text, e.encoding)
    todo = [name for name, ex in by_name.items()
            if not event_log.has_outcome(e.doc_id, name, ex.version)]
    if not todo:
        return False
    outcomes: list[tuple[str, Outcome]]
    if work.delivered > attempts:
        lost = ExtractionError("WorkerLost", f"handed to {attempts} workers, none finished it "
                               "(each stopped or was killed while extracting it)")
        outcomes = [(name, lost) for name in todo]
    else:
        [(_, outcomes)] = list(pool.run([(None, doc, todo)]))
    try:
        for batch in outcome_appends(by_name, doc, env, outcomes, event_log.max_batch):
            event_log.append(batch)
    except LogConflict:
        log.info("another worker recorded this document first", doc_id=e.doc_id[:12])
        return False
    log.info("extracted", doc_id=e.doc_id[:12], path=e.path, extractors=len(todo),
             delivered=work.delivered)
    return True
