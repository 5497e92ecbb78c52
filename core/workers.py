"""Extractors run in worker processes, where a time limit can stop them.

A thread cannot be stopped, and an extractor stuck in C code that holds the GIL (a regex
backtracking over a long line) does not even let the thread waiting for it time out.  So
each (document, extractor) call is a task for one of a few worker processes: a worker past
its extractor's limit is killed (the task is recorded as a timeout) and a fresh one takes
its place; a worker that dies (a segfault, ``os._exit``) fails only the task it ran.

Workers are forked from the store's process when first needed, after its extractors' setup
ran: they run exactly the store's extractors (from entry points or registered by hand) with
the models already loaded, and a replacement starts at once.  A worker never holds the
store's writer lock (:mod:`factfold.lock` closes it in every forked child), and the kernel
kills it when the thread that forked it dies (``PR_SET_PDEATHSIG``, on Linux): a
``kill -9`` of the command leaves no worker running and the store free for the next one.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

import structlog

from factfold.events import EventCodec

from .document import Document
from .extraction import ExtractionError, Outcome, outcome_of, timed_out
from .extractor import Extractor

log = structlog.get_logger("factfold.workers")

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1
#: documents handed out ahead of the oldest unfinished one, per worker
_AHEAD = 4
#: tasks queued in one worker's pipe, so it never waits while this process appends (a
#: document's tasks travel as one message: this is a few documents' worth)
_DEPTH = 16
#: bytes that may wait unread in a worker's pipe behind the task it runs: well under the
#: socket buffer (~208 KB), so sending never blocks -- a blocked send could deadlock with a
#: worker blocked sending a large result, and would stop this process enforcing time limits
_PIPELINE_BYTES = 64 * 1024


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent goes (Linux; elsewhere the pool's
    own cleanup is all there is)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def _serve(conn: Connection, extractors: dict[str, Extractor], codec: EventCodec,
           parent: int, inherited: list[Connection]) -> None:
    """A worker's loop: run the extractors named with each document received, in order,
    sending each outcome as soon as it is there (so each task's time can be told apart)."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for other in inherited:  # the other workers' pipes, copied by the fork
        other.close()
    while True:
        try:
            document, names = conn.recv()
        except EOFError:
            return
        for name in names:
            outcome = outcome_of(extractors[name], document, codec)
            try:
                conn.send(outcome)  # pickled whole before a byte is written
            except OSError:
                raise  # this process's parent is gone
            except Exception as exc:
                conn.send(ExtractionError("Garbage", f"facts cannot be sent back: {exc!r}"))


def _size(job: _Job) -> int:
    """At most the bytes ``job``'s document takes in the pipe (UTF-8 takes up to four a
    character)."""
    return 4 * len(job.document.text) + 1024


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


class _Job:
    """One document and the extractors to run on it, collecting their outcomes."""

    def __init__(self, tag: Any, document: Document, names: list[str]) -> None:
        self.tag = tag
        self.document = document
        self.names = names
        self.outcomes: dict[str, Outcome] = {}

    @property
    def done(self) -> bool:
        return len(self.outcomes) == len(self.names)


class _Worker:
    """One worker process, its end of the pipe, and the tasks sent to it, oldest first.

    The worker runs its tasks in order, so the oldest began when the one before it came
    back (as seen from here: late, if this process was busy, which only adds slack).
    """

    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        #: (job, extractor name, bytes of the message if the task's document came with it)
        self.tasks: deque[tuple[_Job, str, int]] = deque()
        self.started = 0.0

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class ExtractorPool:
    """Up to ``size`` worker processes running ``extractors`` (already set up).

    Work goes in with :meth:`submit` and comes back, in the order submitted, from
    :meth:`finished`; the caller does its own work in between (appending the outcomes of
    one document while the workers extract the next ones).  :attr:`room` says how many
    more documents may be handed out: a few per worker keep every worker busy without
    holding many texts in memory.
    """

    def __init__(self, extractors: Sequence[Extractor], codec: EventCodec, size: int) -> None:
        self.extractors = {ex.name: ex for ex in extractors}
        self.codec = codec
        self.size = max(1, size)
        self._context = multiprocessing.get_context("fork")
        self._workers: list[_Worker] = []
        self._thread: int | None = None
        self._window: deque[_Job] = deque()  # documents handed out, oldest first
        self._queue: deque[tuple[_Job, str]] = deque()  # their tasks not yet sent

    @property
    def room(self) -> int:
        """How many more documents to hand out before collecting what is finished."""
        return max(0, _AHEAD * self.size - len(self._window))

    @property
    def busy(self) -> bool:
        """Whether documents handed out have not been collected yet."""
        return bool(self._window)

    @property
    def handed_out(self) -> int:
        """Documents handed out and not collected yet."""
        return len(self._window)

    def submit(self, tag: Any, document: Document, names: list[str]) -> None:
        """Start running the extractors ``names`` on ``document``; ``tag`` comes back with
        the outcomes."""
        if self._thread != threading.get_ident():
            # The kernel ties a worker's life to the thread that forked it.
            self.close()
            self._thread = threading.get_ident()
        job = _Job(tag, document, names)
        self._window.append(job)
        self._queue.extend((job, name) for name in names)
        self._send(self._queue)

    def finished(self, timeout: float | None = 0.0) -> list[tuple[Any, list[tuple[str, Outcome]]]]:
        """The documents whose every extractor is done, in the order submitted, with their
        outcomes in the names' order.  Waits up to ``timeout`` seconds (None: as long as it
        takes) for the oldest to finish; a later one waits for those before it."""
        until = None if timeout is None else time.monotonic() + timeout
        done: list[tuple[Any, list[tuple[str, Outcome]]]] = []
        while self._window:
            left = None if until is None else until - time.monotonic()
            self._send(self._queue)
            self._collect(self._queue, left)
            while self._window and self._window[0].done:
                job = self._window.popleft()
                done.append((job.tag, [(name, job.outcomes[name]) for name in job.names]))
            if done or (left is not None and left <= 0):
                break
        return done

    def abandon(self) -> None:
        """Drop every document handed out: tasks still running go with their workers, so
        their outcomes are never taken for later documents'."""
        for worker in [w for w in self._workers if w.tasks]:
            self._discard(worker)
        self._window.clear()
        self._queue.clear()

    def run(self, jobs: Iterable[tuple[T, Document, list[str]]]
            ) -> Iterator[tuple[T, list[tuple[str, Outcome]]]]:
        """Each ``(tag, document, extractor names)`` job's outcomes, in the jobs' order and
        in the names' order; a few documents ahead are extracted meanwhile."""
        pending = iter(jobs)
        exhausted = False
        try:
            while True:
                while not exhausted and self.room:
                    item = next(pending, None)
                    if item is None:
                        exhausted = True
                    else:
                        self.submit(*item)
                if not self.busy:
                    return
                yield from self.finished(timeout=None)
        finally:
            # Stopped early (the caller failed): tasks still running are abandoned, and
            # their outcomes must not be taken for a later run's.
            self.abandon()

    def _send(self, queue: deque[tuple[_Job, str]]) -> None:
        """Hand queued tasks to the least busy workers, forking new ones up to the size."""
        while queue:
            worker = min(self._workers, key=lambda w: len(w.tasks), default=None)
            if worker is None or (worker.tasks and len(self._workers) < self.size):
                worker = self._fork()
            elif worker.tasks and (
                    len(worker.tasks) >= _DEPTH
                    or sum(size for _, _, size in list(worker.tasks)[1:]) + _size(queue[0][0])
                    > _PIPELINE_BYTES):
                return
            # A document's queued tasks go together: its text crosses the pipe once.
            job = queue[0][0]
            names = []
            for task_job, name in queue:
                if task_job is not job:
                    break
                names.append(name)
            try:
                worker.conn.send((job.document, names))
            except OSError:  # it died: _collect blames the task it ran, if any
                if worker.tasks:
                    return
                self._discard(worker)
                continue
            for _ in names:
                queue.popleft()
            if not worker.tasks:
                worker.started = time.monotonic()
            worker.tasks.extend((job, name, _size(job) if i == 0 else 0)
                                for i, name in enumerate(names))

    def _deadline(self, worker: _Worker) -> float:
        return worker.started + self.extractors[worker.tasks[0][1]].timeout

    def _collect(self, queue: deque[tuple[_Job, str]], timeout: float | None = None) -> None:
        """Wait for the next outcome or deadline (at most ``timeout`` seconds); record what
        finished, died or overran.

        A worker that died or overran is replaced; the tasks queued behind its last one go
        back to the front of the queue.
        """
        busy = [w for w in self._workers if w.tasks]
        if not busy:
            return
        wait_for = max(0.0, min(self._deadline(w) for w in busy) - time.monotonic())
        if timeout is not None:
            wait_for = min(wait_for, max(0.0, timeout))
        wait([w.conn for w in busy], wait_for)
        for worker in busy:
            lost: ExtractionError | None = None
            try:
                while worker.tasks and worker.conn.poll():
                    outcome = worker.conn.recv()
                    job, name, _ = worker.tasks.popleft()
                    job.outcomes[name] = outcome
                    worker.started = time.monotonic()
            except (EOFError, OSError):
                worker.process.join(5)
                lost = ExtractionError(
                    "Crashed", f"its worker process died ({_death(worker.process.exitcode)})")
            if lost is None and worker.tasks and time.monotonic() >= self._deadline(worker):
                lost = timed_out(self.extractors[worker.tasks[0][1]].timeout)
            if lost is None:
                continue
            job, name, _ = worker.tasks.popleft()
            job.outcomes[name] = lost
            log.warning("extraction worker lost; starting a fresh one", extractor=name,
                        doc_id=job.document.doc_id[:12], path=job.document.path,
                        reason=str(lost))
            queue.extendleft(reversed([(job, name) for job, name, _ in worker.tasks]))
            worker.tasks.clear()
            self._discard(worker)

    def _fork(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve, name="factfold-extractor", daemon=True,
            args=(theirs, self.extractors, self.codec, os.getpid(),
                  [w.conn for w in self._workers]))
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self._workers.append(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        worker.stop()
        self._workers.remove(worker)

    def close(self) -> None:
        """Stop every worker (idle ones hold nothing; a busy one's tasks are abandoned)."""
        for worker in list(self._workers):
            self._discard(worker)
        self._window.clear()
        self._queue.clear()
