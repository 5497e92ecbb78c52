"""factfold: event-sourced fact extraction with pluggy plugins.

The public API for plugin authors (facts, extractors, readers, views, hooks) and for scripts
(the store, the plugin host) lives here; everything else is internal.
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
from .extraction import ExtractionError
from .extractor import Extractor
from .hookspecs import hookimpl, hookspec
from .pluginmanager import PluginHost
from .projection import Projection
from .reader import Reader, Text, Unreadable
from .store import Store
from .wiring import open_store

__version__ = "0.1.0"

__all__ = [
    "Agreement",
    "Decoded",
    "Document",
    "Envelope",
    "ExtractionError",
    "Extractor",
    "Fact",
    "Meeting",
    "Person",
    "PluginHost",
    "Projection",
    "Reader",
    "Statistic",
    "Store",
    "Text",
    "Unreadable",
    "__version__",
    "decode",
    "event_type",
    "hookimpl",
    "hookspec",
    "open_store",
]
