"""The extraction runner: every extractor over a document, each one isolated.

pluggy stops at the first exception, so factfold calls each extractor separately.  Per
(document, extractor) the outcome is one atomic batch: the facts plus an
``ExtractionCompleted`` marker, or a single ``ExtractionFailed`` with the reason.  A crash
between the two leaves no marker, so the next start extracts that document again; a batch
is never half-recorded, so nothing is counted twice.  A document's extractors run side by
side, each in its own thread, and the store appends their batches together in one append
(still whole per extractor, at one fsync per document).

Failures caught here: an exception, exceeding the extractor's time limit, a return value
that is not an iterable of the declared fact types, a span outside the text, and values the
codec cannot store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import attrs
import structlog

from factfold.events import (
    Envelope,
    EventCodec,
    EventRegistry,
    ExtractionCompleted,
    ExtractionFailed,
    Fact,
)

from .document import Document
from .extractor import Extractor

log = structlog.get_logger("factfold.extraction")


class ExtractionError(Exception):
    """An extractor misbehaved; ``kind`` names how (raised, timeout, garbage)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(kind, reason)  # both in args, so it pickles back from a worker
        self.kind = kind
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


class _Running:
    """One extractor call in a thread of its own, started now, collected by :meth:`wait`.

    Threads let a document's extractors run side by side (the tagger's native code releases
    the GIL) and let a hung one be abandoned: a thread cannot be killed, so a hung
    extractor's daemon thread is left behind and its document recorded as a timeout.
    """

    def __init__(self, fn: Callable[[], list]) -> None:
        self._result: list = []
        self._error: list[BaseException] = []
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True,
                                        name="factfold-extractor")
        self._thread.start()

    def _run(self, fn: Callable[[], list]) -> None:
        try:
            self._result.append(fn())
        except BaseException as exc:
            self._error.append(exc)

    def wait(self, seconds: float) -> list:
        """The call's result; raises its exception, or a timeout ``seconds`` after the start."""
        self._thread.join(max(0.0, self._started + seconds - time.monotonic()))
        if self._thread.is_alive():
            raise ExtractionError("Timeout", f"took longer than its limit of {seconds:g}s")
        if self._error:
            raise self._error[0]
        return self._result[0]


def _start(extractor: Extractor, document: Document) -> _Running | None:
    """Start one extractor on ``document`` (None: it does not accept the document)."""
    if not extractor.accepts(document):
        return None

    def call() -> list:
        out = extractor.extract(document)
        if out is None:
            return []
        if isinstance(out, str | bytes | Fact) or not hasattr(out, "__iter__"):
            raise ExtractionError(
                "Garbage", f"returned {type(out).__name__}, not an iterable of facts")
        return list(out)

    return _Running(call)


def _finish(extractor: Extractor, document: Document, running: _Running | None,
            codec: EventCodec | None) -> list[Fact]:
    """Collect a started extractor's facts, stamped and checked."""
    if running is None:
        return []
    try:
        raw = running.wait(extractor.timeout)
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(type(exc).__name__, str(exc) or repr(exc)) from exc
    facts = []
    n = len(document.text)
    for item in raw:
        if not isinstance(item, extractor.emits):
            raise ExtractionError(
                "Garbage",
                f"returned {type(item).__name__}, which it does not declare in emits "
                f"({', '.join(t.__name__ for t in extractor.emits)})")
        start, end = item.span
        if not 0 <= start <= end <= n:
            raise ExtractionError(
                "Garbage", f"span {item.span} lies outside the document (length {n})")
        facts.append(attrs.evolve(item, doc_id=document.doc_id, extractor=extractor.ref))
    # Always check: a worker process has no store codec, and a fact that cannot be packed
    # would otherwise only fail at append time in the parent, stopping the whole ingest.
    if codec is None:
        codec = EventCodec(EventRegistry(extractor.emits))
    try:
        codec.pack_batch([Envelope(f) for f in facts])
    except Exception as exc:
        raise ExtractionError("Garbage", f"facts cannot be stored: {exc}") from exc
    return facts


def run_extractor(extractor: Extractor, document: Document, codec: EventCodec | None = None
                  ) -> list[Fact]:
    """Facts from one extractor on one document, stamped and checked.

    A document the extractor does not ``accept`` yields no facts (and so still gets its
    completion marker).  Raises :class:`ExtractionError` for anything but a clean,
    well-formed result.  Without a ``codec`` the facts are checked against one holding just
    the extractor's ``emits``.
    """
    return _finish(extractor, document, _start(extractor, document), codec)


Outcome = list[Fact] | ExtractionError


def outcomes_of(extractors: Sequence[Extractor], document: Document,
                codec: EventCodec | None = None) -> list[tuple[str, Outcome]]:
    """Each extractor's facts, or its error, on one document; the extractors run side by side."""
    started = [(ex, _start(ex, document)) for ex in extractors]
    out: list[tuple[str, Outcome]] = []
    for ex, running in started:
        try:
            out.append((ex.name, _finish(ex, document, running, codec)))
        except ExtractionError as exc:
            out.append((ex.name, exc))
    return out


def outcome_batch(
    extractor: Extractor, document: Document, cause: Envelope, outcome: Outcome
) -> list[Envelope]:
    """The batch to append for one (document, extractor): facts + marker, or a failure."""
    producer = extractor.ref
    if isinstance(outcome, ExtractionError):
        log.warning("extraction failed", extractor=producer, doc_id=document.doc_id[:12],
                    path=document.path, error=outcome.kind, reason=outcome.reason)
        failed = ExtractionFailed(doc_id=document.doc_id, extractor=extractor.name,
                                  version=extractor.version, error=outcome.kind,
                                  reason=outcome.reason)
        return [cause.caused(failed, producer=producer)]
    marker = ExtractionCompleted(doc_id=document.doc_id, extractor=extractor.name,
                                 version=extractor.version, fact_count=len(outcome))
    batch = [cause.caused(f, producer=producer) for f in outcome]
    batch.append(cause.caused(marker, producer=producer))
    return batch


def setup_extractors(extractors: Sequence[Extractor]) -> list[Extractor]:
    """Run each extractor's ``setup`` once; one that fails there is left out, loudly."""
    ready = []
    for ex in extractors:
        if ex.setup is not None:
            try:
                ex.setup()
            except Exception as exc:
                log.error("extractor setup failed; it will not run", extractor=ex.ref,
                          error=repr(exc))
                continue
        ready.append(ex)
    return ready
