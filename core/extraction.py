"""The extraction runner: every extractor over a document, each one isolated.

pluggy stops at the first exception, so factfold calls each extractor separately.  Per
(document, extractor) the outcome is one atomic batch: the facts plus an
``ExtractionCompleted`` marker, or a single ``ExtractionFailed`` with the reason.  A crash
between the two leaves no marker, so the next start extracts that document again; a batch
is never half-recorded, so nothing is counted twice.  The store runs extractors in worker
processes (:mod:`factfold.workers`), where a time limit can stop them and a crash takes only
its worker down; this module is what each call goes through there.

Failures caught here: an exception, a return value that is not an iterable of the declared
fact types, a span outside the text, values the codec cannot store, and (measured after the
call returns) exceeding the extractor's time limit.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

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
    """An extractor misbehaved; ``kind`` names how (raised, timeout, garbage, crashed)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(kind, reason)  # both in args, so it pickles back from a worker
        self.kind = kind
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


def timed_out(seconds: float) -> ExtractionError:
    """The error of an extractor that ran past its limit of ``seconds``."""
    return ExtractionError("Timeout", f"timeout after {seconds:g} s")


def _call(extractor: Extractor, document: Document) -> list:
    try:
        out = extractor.extract(document)
        if out is None:
            return []
        if isinstance(out, str | bytes | Fact) or not hasattr(out, "__iter__"):
            raise ExtractionError(
                "Garbage", f"returned {type(out).__name__}, not an iterable of facts")
        return list(out)
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(type(exc).__name__, str(exc) or repr(exc)) from exc


def run_extractor(extractor: Extractor, document: Document, codec: EventCodec | None = None
                  ) -> list[Fact]:
    """Facts from one extractor on one document, stamped and checked, in this thread.

    A document the extractor does not ``accept`` yields no facts (and so still gets its
    completion marker).  Raises :class:`ExtractionError` for anything but a clean,
    well-formed result in time.  Here the time limit is only measured: stopping an
    extractor that overruns it takes a worker process.  Without a ``codec`` the facts are
    checked against one holding just the extractor's ``emits``.
    """
    if not extractor.accepts(document):
        return []
    started = time.monotonic()
    raw = _call(extractor, document)
    if time.monotonic() - started > extractor.timeout:
        raise timed_out(extractor.timeout)
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
    # Check here, in the worker: a fact that cannot be packed would otherwise only fail at
    # append time in the parent, stopping the whole ingest.
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
    """One extractor's facts on ``document``, or its error."""
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


def outcome_appends(by_name: dict[str, Extractor], document: Document, cause: Envelope,
                    outcomes: list[tuple[str, Outcome]], limit: int | None = None
                    ) -> list[list[Envelope]]:
    """The appends that record a document's outcomes: one (one fsync per document), or for
    a log that takes at most ``limit`` events in a batch (NATS), as few as fit, each
    extractor's outcome whole.  An outcome larger than ``limit`` cannot be one batch, so it
    is recorded as a failure that says why."""
    batches = []
    for name, outcome in outcomes:
        batch = outcome_batch(by_name[name], document, cause, outcome)
        if limit is not None and len(batch) > limit:
            batch = outcome_batch(by_name[name], document, cause, ExtractionError(
                "TooManyFacts", f"{len(batch) - 1} facts: more than the log takes in one "
                f"atomic batch ({limit} events)"))
        batches.append(batch)
    appends: list[list[Envelope]] = []
    for batch in batches:
        if appends and (limit is None or len(appends[-1]) + len(batch) <= limit):
            appends[-1].extend(batch)
        else:
            appends.append(list(batch))
    return appends


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
