"""factfold: event-sourced fact extraction with pluggy plugins.

The public API -- what plugin authors and scripts may import, kept compatible:

* ``factfold`` itself: the names in ``__all__`` below -- facts and events, ``Document``,
  ``Extractor``, ``Reader``, ``Projection``, the hook markers, and for scripts ``Store``,
  ``open_store``, ``PluginHost`` and ``ExtractionError``;
* ``factfold.events``: every event type, the codec and the schema registry;
* ``factfold.hookspecs``: the hooks a plugin implements;
* ``factfold.testing`` and ``factfold.pytest_plugin``: helpers and fixtures for plugins' tests;
* ``factfold.evaluation``: scoring facts against gold (``load_gold``, ``score`` ...).

The tables in ``views.sqlite`` are public too, as a contract of their own: docs/views.md.

Everything else is internal and may change in any release: the log (``log``, ``segments``,
``natslog``, ``lock``, ``durable``, ``salvage``), the pipeline (``wiring``, ``bus``,
``runner``, ``pluginmanager``, ``extraction``, ``extractor``, ``workers``, ``natsworker``,
``store``, ``settings``), reading files (``reader``, ``reading``, ``decoding``,
``document``, ``dropfolder``), the views (``projection``, ``viewstore``, ``views``,
``foldworker``, ``asof``, ``sql``, ``serve``), the watch (``watcher``, ``watchhints``,
``watchstats``, ``status``), the parts of the evaluation (``eval_gold``, ``eval_match``,
``eval_report``), and the command line (``cli``, ``cli_ingest``, ``cli_query``,
``cli_log``, ``cli_nats``, ``display``, ``logconfig``, ``__main__``).  Where an internal
module defines a public name, import the name from ``factfold``, not from the module.
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
