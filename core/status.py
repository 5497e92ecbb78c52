"""The watcher's live terminal status: a small rich panel on stderr.

It only reads the watcher's counters (never the store, which belongs to the worker thread)
and redraws a few times a second.  Whatever else reaches the terminal while it is up must
go through its console, which prints it above the panel: written past it, the next redraw
paints over it.  So structured logs are routed through rich's stderr proxy, and the facts
``watch`` prints are printed on :attr:`StatusPanel.console` itself (rich's own consoles
write past a stdout proxy).  Names and errors come from the drop folder: they are shown as
plain text (``Text``), never parsed as markup.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import structlog
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from .display import printable
from .watchstats import WatchStats


class StatusPanel:
    """Documents seen / ingested / rejected, facts per kind, queue depth, last error: a
    :class:`~factfold.watchstats.StatusSink`."""

    def __init__(self, console: Console | None = None) -> None:
        """Show a watch's counters on ``console`` (default: stderr's)."""
        self.console = console or Console(stderr=True)
        self.stats = WatchStats()
        self.directory = ""
        # stdout stays as it is: when it is a pipe, the facts printed on it are data.
        self._live = Live(get_renderable=self._render, console=self.console,
                          refresh_per_second=4, transient=False, redirect_stderr=True,
                          redirect_stdout=False)

    def _render(self) -> Table:
        s = self.stats
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        up = int(time.monotonic() - s.started)
        table.add_row("watching", Text(f"{self.directory}  (up {up // 3600}:{up // 60 % 60:02}:"
                                       f"{up % 60:02}, {s.scans} scans, {s.overflows} overflows)"))
        table.add_row("documents", Text.assemble(
            f"{s.seen} seen, {s.ingested} ingested, {s.unchanged} unchanged, {s.moved} moved, "
            f"{s.removed} removed, ", (f"{s.rejected} rejected", "red")))
        facts = dict(s.facts)
        table.add_row("facts", ", ".join(f"{n} {k}" for k, n in facts.items()) or "none yet")
        table.add_row("queue", str(s.queue))
        if s.others is not None:
            table.add_row("other hosts", f"{s.others} events they recorded folded here")
        table.add_row("last error", Text(printable(s.last_error), style="red")
                      if s.last_error else "none")
        return table

    def start(self, stats: WatchStats, directory: str) -> None:
        self.stats = stats
        self.directory = printable(directory)
        self._live.start()
        self._route_logs(sys.stderr)

    def stop(self) -> None:
        self._live.stop()
        self._route_logs(sys.stderr)

    @staticmethod
    def _route_logs(stream: Any) -> None:
        structlog.configure(logger_factory=structlog.PrintLoggerFactory(stream))
