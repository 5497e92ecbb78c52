"""The extraction runner: every extractor over a document, each one isolated.

pluggy stops at the first exception, so factfold calls each extractor separately.  Per
(document, extractor) the outcome is one atomic batch: the facts plus an
``ExtractionCompleted`` marker, or a single ``ExtractionFailed`` with the reason.  A crash
between the two leaves no marker, so the next start extracts that document again; a batch
is never half-recorded, so nothing is counted twice.

Failures caught here: an exception, exceeding the extractor's time limit, a return value
that is not an iterable of the declared fact types, a span outside the text, and values the
codec cannot store.
"""

from __future__ import annotations

import threading
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


def _call_with_timeout(fn: Callable[[], list], seconds: float) -> list:
    """Run ``fn`` in a helper thread, giving up after ``seconds``.

    A thread cannot be killed: a hung extractor's thread is abandoned (daemon) and its
    result ignored.  The document is recorded as failed with a timeout, and the others go on.
    """
    result: list = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, name="factfold-extractor", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise ExtractionError("Timeout", f"took longer than its limit of {seconds:g}s")
    if error:
        raise error[0]
    return result[0]


def run_extractor(extractor: Extractor, document: Document, codec: EventCodec | None = None
                  ) -> list[Fact]:
    """Facts from one extractor on one document, stamped and checked.

    A document the extractor does not ``accept`` yields no facts (and so still gets its
    completion marker).  Raises :class:`ExtractionError` for anything but a clean,
    well-formed result.  Without a ``codec`` the facts are checked against one holding just
    the extractor's ``emits``.
    """
    if not extractor.accepts(document):
        return []
    def call() -> list:
        out = extractor.extract(document)
        if out is None:
            return []
        if isinstance(out, str | bytes | Fact) or not hasattr(out, "__iter__"):
            raise ExtractionError(
                "Garbage", f"returned {type(out).__name__}, not an iterable of facts")
        return list(out)

    try:
        raw = _call_with_timeout(call, extractor.timeout)
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


Outcome = list[Fact] | ExtractionError


def outcome_of(extractor: Extractor, document: Document, codec: EventCodec | None = None
               ) -> Outcome:
    """The facts, or the error, of one extractor on one document."""
    try:
        return run_extractor(extractor, document, codec)
    except ExtractionError as exc:
        return exc


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
