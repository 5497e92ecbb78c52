"""System events: the framework's own record of what it did."""

from __future__ import annotations

from attrs import frozen

from .schema import event_type


@event_type("extraction.completed")
@frozen(kw_only=True)
class ExtractionCompleted:
    """Marker appended in the same batch as an extractor's facts for a document.

    Its presence means the document needs no extraction by this extractor version.
    """

    doc_id: str
    extractor: str
    version: str
    fact_count: int


@event_type("extraction.failed")
@frozen(kw_only=True)
class ExtractionFailed:
    """An extractor raised, timed out or returned garbage for a document."""

    doc_id: str
    extractor: str
    version: str
    error: str
    reason: str


@event_type("subscriber.failed")
@frozen(kw_only=True)
class SubscriberFailed:
    """A bus subscriber raised while handling the event at ``position``."""

    subscriber: str
    position: int
    error: str
    reason: str
