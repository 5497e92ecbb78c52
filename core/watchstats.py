"""What a watcher reports while it runs: its counters, and the sink it reports to.

The watcher knows nothing of terminals: whoever runs it (the CLI) hands it a
:class:`StatusSink`, such as the live panel of :mod:`factfold.status`, which is given the
counters to show at the start and told when the watch ends.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class WatchStats:
    """Counters for the status panel; written only by the worker thread."""

    seen: int = 0
    ingested: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0
    moved: int = 0
    scans: int = 0
    overflows: int = 0
    queue: int = 0
    facts: dict[str, int] = field(default_factory=dict)
    #: events other hosts appended to a shared (NATS) log that were folded here since the
    #: start; None when no other host appends (the embedded log)
    others: int | None = None
    last_error: str | None = None
    started: float = field(default_factory=time.monotonic)


class StatusSink(Protocol):
    """Shows a running watch's counters (read from its own thread, never written)."""

    def start(self, stats: WatchStats, directory: str) -> None:
        """The watch began on ``directory``; ``stats`` are updated as it goes."""

    def stop(self) -> None:
        """The watch ended."""
