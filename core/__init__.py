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

from .document import Document
from .extractor import Extractor
from .hookspecs import hookimpl, hookspec
from .projection import Projection

__version__ = "0.1.0"

__all__ = [
    "Agreement",
    "Document",
    "Envelope",
    "Extractor",
    "Fact",
    "Meeting",
    "Person",
    "Projection",
    "Statistic",
    "__version__",
    "event_type",
    "hookimpl",
    "hookspec",
]
