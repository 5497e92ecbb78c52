"""factfold's event types: pure data, importing nothing of the framework."""

from .codec import DecodeError, EncodeError, EventCodec
from .documents import (
    DocumentAdded,
    DocumentLinked,
    DocumentMoved,
    DocumentRejected,
    DocumentRemoved,
    DocumentSuperseded,
)
from .envelope import Envelope
from .facts import Agreement, Fact, Meeting, Person, Statistic
from .schema import EventRegistry, OpaqueEvent, UnknownEventType, event_type, type_name
from .system import ExtractionCompleted, ExtractionFailed, SubscriberFailed

#: The event types every store understands; plugins add their own through a hook.
BUILTIN_TYPES: tuple[type, ...] = (
    DocumentAdded,
    DocumentLinked,
    DocumentMoved,
    DocumentSuperseded,
    DocumentRemoved,
    DocumentRejected,
    Person,
    Meeting,
    Agreement,
    Statistic,
    ExtractionCompleted,
    ExtractionFailed,
    SubscriberFailed,
)

__all__ = [
    "BUILTIN_TYPES",
    "Agreement",
    "DecodeError",
    "DocumentAdded",
    "DocumentLinked",
    "DocumentMoved",
    "DocumentRejected",
    "DocumentRemoved",
    "DocumentSuperseded",
    "EncodeError",
    "Envelope",
    "EventCodec",
    "EventRegistry",
    "ExtractionCompleted",
    "ExtractionFailed",
    "Fact",
    "Meeting",
    "OpaqueEvent",
    "Person",
    "Statistic",
    "SubscriberFailed",
    "UnknownEventType",
    "event_type",
    "type_name",
]
