"""Datasette over a store's views, served by uvicorn on a socket the CLI opened."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import structlog
import uvicorn
from datasette.app import Datasette
from datasette.plugins import pm

from ..store import Store
from ..views.facts import FactsView
from . import metadata
from .documents import DocumentPages
from .viewsdoc import ViewsDoc

log = structlog.get_logger("factfold.serve")


def _tables(store: Store) -> dict[str, list[str]]:
    """The views database's tables and SQL views, with their columns."""
    db = store.views.db
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")]
    return {n: [r[0] for r in db.execute("SELECT name FROM pragma_table_info(?)", (n,))]
            for n in names}


def app(store: Store) -> Datasette:
    """Datasette over ``store``'s views, with factfold's metadata and document pages."""
    path = store.views.path
    database = path.stem
    kinds = [t for p in store.views.projections.values() if isinstance(p, FactsView)
             for t in p.tables]
    meta = metadata.build(ViewsDoc.load(), kinds, _tables(store), database,
                          title=f"factfold: {store.path.resolve().name}")
    # Before Datasette is made: it looks for its plugins' templates then.
    pm.register(DocumentPages(store, database, [t.name for t in kinds]),
                name="factfold-documents")
    return Datasette([str(path)], metadata=meta, settings={"facet_time_limit_ms": 500})


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port); OSError if it cannot."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class _Server(uvicorn.Server):
    """Stops on SIGINT or SIGTERM (a second one: at once) and returns: a stop asked for is
    how serving ends, not an error (uvicorn raises the signal again once stopped)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        def stop(signum: int, frame: FrameType | None) -> None:
            self.force_exit = self.should_exit
            self.should_exit = True

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


def run(store: Store, sock: socket.socket, *, access_log: bool = False,
        ready: Callable[[str], None] | None = None) -> None:
    """Serve ``store``'s views on ``sock`` until interrupted (SIGINT or SIGTERM)."""
    ds = app(store)
    asyncio.run(ds.invoke_startup())
    config = uvicorn.Config(ds.app(), log_config=None, access_log=access_log,
                            lifespan="on", log_level="warning")
    if ready is not None:
        ready(url(sock))
    log.debug("serving", views=str(store.views.path), url=url(sock))
    _Server(config).run(sockets=[sock])
