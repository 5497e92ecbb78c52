"""Extraction across every core: a process pool whose workers load the plugins once.

Workers find plugins through the entry-point group (with the same FACTFOLD_* loading
controls as the parent), so only entry-point plugins run here; a store with plugins
registered by hand (tests, scripts) extracts in-process instead.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

from .document import Document
from .extraction import Outcome, outcomes_of, setup_extractors
from .extractor import Extractor

_extractors: dict[str, Extractor] = {}


def _init() -> None:
    from .pluginmanager import PluginHost

    _extractors.update((e.name, e) for e in setup_extractors(PluginHost().extractors()))


def extract(job: tuple[Document, list[str]]) -> list[tuple[str, Outcome]]:
    """Run the named extractors on one document (in a worker process)."""
    document, names = job
    return outcomes_of([_extractors[name] for name in names if name in _extractors], document)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def start_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_init)
