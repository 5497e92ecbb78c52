"""factfold: event-sourced fact extraction with pluggy plugins.

The public API for plugin authors and for scripts lives here.
"""

from factfold.events import (
    Agreement,
    Envelope,
    Fact,
    Meeting,
    Person,
    Statistic,
    event_type,
)

from .decoding import Decoded, decode
from .document import Document
from .extractor import Extractor
from .hookspecs import hookimpl, hookspec
from .projection import Projection
from .reader import Reader, Text, Unreadable

__version__ = "0.1.0"

__all__ = [
    "Agreement",
    "Decoded",
    "Document",
    "Envelope",
    "Extractor",
    "Fact",
    "Meeting",
    "Person",
    "Projection",
    "Reader",
    "Statistic",
    "Text",
    "Unreadable",
    "__version__",
    "decode",
    "event_type",
    "hookimpl",
    "hookspec",
]
