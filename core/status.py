"""The watcher's live terminal status: a small rich panel on stderr.

It only reads the watcher's counters (never the store, which belongs to the worker thread)
and redraws a few times a second.  While it is up, structured logs are routed through rich's
stderr proxy so that they scroll above the panel instead of tearing it.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import structlog
from rich.console import Console
from rich.live import Live
from rich.table import Table

from .watcher import WatchStats


class StatusPanel:
    """Documents seen / ingested / rejected, facts per kind, queue depth, last error."""

    def __init__(self, stats: WatchStats, directory: str) -> None:
        self.stats = stats
        self.directory = directory
        self._live = Live(get_renderable=self._render, console=Console(stderr=True),
                          refresh_per_second=4, transient=False, redirect_stderr=True)

    def _render(self) -> Table:
        s = self.stats
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        up = int(time.monotonic() - s.started)
        table.add_row("watching", f"{self.directory}  (up {up // 3600}:{up // 60 % 60:02}:"
                                  f"{up % 60:02}, {s.scans} scans, {s.overflows} overflows)")
        table.add_row("documents", f"{s.seen} seen, {s.ingested} ingested, {s.unchanged} "
                                   f"unchanged, {s.moved} moved, {s.removed} removed, "
                                   f"[red]{s.rejected} rejected[/]")
        facts = dict(s.facts)
        table.add_row("facts", ", ".join(f"{n} {k}" for k, n in facts.items()) or "none yet")
        table.add_row("queue", str(s.queue))
        table.add_row("last error", f"[red]{s.last_error}[/]" if s.last_error else "none")
        return table

    def start(self) -> None:
        self._live.start()
        self._route_logs(sys.stderr)

    def stop(self) -> None:
        self._live.stop()
        self._route_logs(sys.stderr)

    @staticmethod
    def _route_logs(stream: Any) -> None:
        structlog.configure(logger_factory=structlog.PrintLoggerFactory(stream))
