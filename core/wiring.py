"""Where factfold's parts are put together, in one place.

::

    plugins ─▶ codec (their event types)
    log/ ─────▶ SegmentLog ──recorded events──▶ Bus ──▶ views (ViewStore, views.sqlite)
                                                  └──▶ ExtractionRunner ──▶ worker pool
                                                            └── outcomes ──▶ Store.append ──▶ log

:func:`open_store` opens a store so: :func:`open_parts` opens the log and the views, the
:class:`~factfold.store.Store` (the application service callers hold) makes its extraction
runner, and a writable one subscribes the views, then the runner, to the bus.  The CLI opens
every store through :func:`open_store`; ``Store(...)`` is the same call for API users.
With ``--log nats://...`` the log is a :class:`~factfold.natslog.NatsLog` instead of the
segment log under ``log/``; nothing else changes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from factfold.events import EventCodec

from .bus import Bus
from .durable import DiskFull, is_disk_full
from .log import EventLog
from .natslog import NatsLog
from .pluginmanager import PluginHost
from .projection import Projection
from .segments import SegmentLog
from .settings import Settings
from .views import builtin_views
from .viewstore import ViewStore

if TYPE_CHECKING:
    from .store import Store


def default_store() -> Path:
    return Path(os.environ.get("FACTFOLD_STORE", ".factfold"))


def require_store(path: Path, *, remote_log: bool = False) -> None:
    """Refuse, saying what to do, to read a store that is not there (with ``remote_log``,
    the log is elsewhere and the folder holds only the views)."""
    if not (path / ("views.sqlite" if remote_log else "log")).exists():
        raise FileNotFoundError(
            f"no factfold store at {path}; ingest something first "
            f"(factfold --store {path} ingest PATH) or pass the right --store")


def projections(plugins: PluginHost, settings: Settings | None = None) -> list[Projection]:
    """Every view a store folds: the built-in ones (with the full-text searches
    ``settings`` turns on: only the writer folds them), then the plugins'."""
    search = settings.search if settings is not None else ()
    return [*builtin_views(plugins.event_registry(), search), *plugins.projections()]


@attrs.frozen
class Parts:
    """A store's log and views, the codec between them and the bus that feeds the views."""

    path: Path
    plugins: PluginHost
    codec: EventCodec
    settings: Settings
    log: EventLog
    views: ViewStore
    bus: Bus


def open_parts(path: Path | str | None, plugins: PluginHost | None, *, writable: bool,
               fsync: str, views: Path | None, log_servers: list[str] | None = None) -> Parts:
    """The log, then the views (``views``, or the store's own), at ``path`` (default:
    :func:`default_store`); a full disk becomes one :class:`DiskFull`.  With
    ``log_servers`` the log is the JetStream stream on those NATS servers and the folder
    holds only the views."""
    path = Path(path) if path is not None else default_store()
    plugins = plugins if plugins is not None else PluginHost()
    codec = EventCodec(plugins.event_registry())
    if writable:
        path.mkdir(parents=True, exist_ok=True)
    else:
        require_store(path, remote_log=log_servers is not None)
    settings = Settings.load(path)
    opened: EventLog | None = None
    try:
        if log_servers is not None:
            opened = NatsLog(log_servers, codec)
        else:
            opened = SegmentLog(path / "log", codec, writable=writable, fsync=fsync)
        folded = ViewStore(views or path / "views.sqlite",
                           projections(plugins, settings if writable else None),
                           readonly=not writable)
    except Exception as exc:
        if opened is not None:
            opened.close()
        if not is_disk_full(exc):
            raise
        raise DiskFull(f"the disk holding {path} is full: the store cannot be "
                       "opened; free space and run the command again") from exc
    return Parts(path, plugins, codec, settings, opened, folded, Bus(opened))


def open_store(path: Path | str | None = None, *, plugins: PluginHost | None = None,
               writable: bool = True, fsync: str = "batch", workers: int = 1,
               fold_views: bool = True, views: Path | None = None,
               log_servers: list[str] | None = None, extract: bool = True) -> Store:
    """Open the store at ``path`` (see :class:`~factfold.store.Store` for the options)."""
    from .store import Store

    return Store(path, plugins=plugins, writable=writable, fsync=fsync, workers=workers,
                 fold_views=fold_views, views=views, log_servers=log_servers,
                 extract=extract)
