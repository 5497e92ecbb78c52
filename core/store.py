"""A factfold store: the application service in front of log, views and extraction.

On disk a store is a folder::

    log/            the event log (the only source of truth)
    views.sqlite    the projections' views and checkpoints (disposable: ``replay`` rebuilds)

:mod:`factfold.wiring` puts the parts together (log, codec, plugins, views, bus, extraction
runner); a :class:`Store` is what callers hold: it records documents (ingest, reject,
remove, move), appends, and answers queries.  Everything that changes the store goes through
:meth:`Store.append`: a durable append, then delivery of the recorded events on the bus, to
the views and to the extraction runner (:mod:`factfold.runner`), which extracts documents as
they arrive.

The views fold each append at once (this process reads them at once), but commit at most
every :data:`VIEWS_COMMIT_INTERVAL` while appends stream in, and at the end of each unit of
work (:meth:`Store.extract_pending`, :meth:`Store.commit_views`, closing).  The log is
already durable, and the views' checkpoints commit with their rows: after a crash they
resume from their last commit.  A commit per append wrote the same index pages to the
WAL again and again (0.9 ms a document in a store of 1k documents, 1.35 ms at 100k; half
that grouped).  Other processes' readers see the views as of the last commit.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import structlog

from factfold.events import (
    DocumentAdded,
    DocumentLinked,
    DocumentMoved,
    DocumentRejected,
    DocumentRemoved,
    DocumentSuperseded,
    Envelope,
    Fact,
)

from . import dropfolder
from .asof import AsOf, Cut, find_cut
from .display import store_name
from .document import Document
from .dropfolder import Limits, Refused
from .durable import DiskFull, has_room, is_disk_full
from .extractor import Extractor
from .log import LogError
from .pluginmanager import PluginHost
from .projection import Projection
from .reader import Unreadable
from .reading import read_file
from .runner import ExtractionRunner, Progress
from .settings import Settings
from .views import SEARCHES, DocumentsView, FactKindView, FactsView
from .views.search import search_views
from .viewstore import ViewStore
from .wiring import open_parts, projections

log = structlog.get_logger("factfold.store")

#: seconds the views may hold folded events uncommitted while appends stream in
VIEWS_COMMIT_INTERVAL = 1.0


class Store:
    def __init__(
        self,
        path: Path | str | None = None,
        *,
        plugins: PluginHost | None = None,
        writable: bool = True,
        fsync: str = "batch",
        workers: int = 1,
        fold_views: bool = True,
        views: Path | None = None,
        log_servers: list[str] | None = None,
        extract: bool = True,
    ) -> None:
        """Open the store at ``path``; ``writable`` takes the single-writer lock.

        A read-only store (for queries while another process writes) reads the views as
        that process left them and never writes.  A writable one brings its views up to
        the log first, unless ``fold_views`` is false: for a caller about to rebuild them
        (:meth:`replay`), which would otherwise fold the log twice.  Such a store's views
        catch up at the latest before its first append.  Extraction runs in up to
        ``workers`` worker processes (see :mod:`factfold.workers`), forked when first needed.
        A read-only store may read ``views`` other than its own (see :meth:`as_of`).
        With ``log_servers`` the log is the JetStream stream on those NATS servers
        (:mod:`factfold.natslog`) and the folder holds only the views.  Without
        ``extract`` this process extracts nothing: `factfold worker`s do (a NATS log).
        :func:`factfold.wiring.open_store` is the same call.
        """
        parts = open_parts(path, plugins, writable=writable, fsync=fsync, views=views,
                           log_servers=log_servers)
        self.path = parts.path
        self.plugins = parts.plugins
        self.registry = parts.codec.registry
        self.codec = parts.codec
        self.writable = writable
        self.log_servers = log_servers
        self.settings: Settings = parts.settings
        self.log, self.views, self.bus = parts.log, parts.views, parts.bus
        #: where the views cut the log, if they show it as it was (see :meth:`as_of`)
        self.moment: Cut | None = None
        self.facts: FactsView = self.views.projections["facts"]  # type: ignore[assignment]
        self.documents_view: DocumentsView = self.views.projections[  # type: ignore[assignment]
            "documents"]
        #: extracts what the bus delivers (a read-only store never runs it; without
        #: ``extract``, it records nothing: workers elsewhere extract)
        self.runner = ExtractionRunner(self, workers, enabled=extract)
        self._following = False
        #: events other processes appended that this store's views folded since it opened
        #: (a NATS log shared with other hosts; see :meth:`catch_up`)
        self.others_folded = 0
        #: when the views were last committed; None until the first commit, so the first
        #: append is seen at once (monotonic time starts at boot, not at zero)
        self._committed_at: float | None = None
        #: whether the views lost folds to a full disk and must fold the log again
        self._views_behind = False
        if not writable and views is None and not self.log.writer_active:
            behind = self.log.head - self.views.position
            if behind > 0:  # a reader reads them as they are (it never changes the store)
                log.warning("the views are behind the log: the last writer stopped before "
                            "folding its last events into them", events=behind,
                            hint="the next ingest, watch or replay brings them up to date")
        if writable and fold_views:
            if self.views.ahead_of(self.log.head):
                # The machine crashed with the log not yet on disk (fsync never/interval)
                # but the views were, or the log was cut back: the log is the truth.
                log.warning("the views are ahead of the log; rebuilding them from the log",
                            log_head=self.log.head, views_position=self.views.position)
                self.views.rebuild(self.log)
            with self._views_writing():
                self.views.catch_up(self.log)
            self._follow()

    @property
    def workers(self) -> int:
        return self.runner.workers

    def _projections(self) -> list[Projection]:
        return projections(self.plugins, self.settings if self.writable else None)

    def _follow(self) -> None:
        """Have the bus deliver recorded events to the views (from where they stand), then
        to the extraction runner (which so finds each document already in the views)."""
        if not self._following:
            self.bus.subscribe("views", self._fold, self.views.position, batched=True)
            self.bus.subscribe("extraction", self.runner.on_event)
            self._following = True

    # -- the write path ---------------------------------------------------------------------

    def append(self, envelopes: list[Envelope]) -> list[Envelope]:
        """Durably append one atomic batch, then publish it to the bus.

        Raises :class:`DiskFull` if the disk is full: then either the log kept nothing of
        the batch, or it kept it and the views fold it again (from the log) before this
        store reads or writes anything else, so a retry never records anything twice.
        """
        self._follow()  # opened without folding the views: they catch up first
        self.refold()
        try:
            recorded = self.log.append(envelopes)
        except LogError as exc:
            if is_disk_full(exc):
                raise DiskFull(str(exc)) from exc
            raise
        self.bus.publish(recorded)
        if (self._committed_at is None
                or time.monotonic() - self._committed_at >= VIEWS_COMMIT_INTERVAL):
            self.commit_views()
        return recorded

    def commit_views(self) -> None:
        """Commit what the views have folded: other processes' readers then see it."""
        self.refold()
        with self._views_writing():
            self.views.commit()
        self._committed_at = time.monotonic()

    def refold(self) -> None:
        """After a full disk, fold into the views again what they lost (from the log).

        The views' transaction was rolled back whole, so they stand at their last commit;
        the log holds every event appended since.  Raises :class:`DiskFull` while the disk
        is still full.
        """
        if not self._views_behind:
            return
        with self._views_writing():
            self.views.catch_up(self.log)
        self.bus.resync(self.log.head)
        # Documents added meanwhile may have missed the extraction side: look at them all.
        self.runner.rescan()
        self._views_behind = False
        log.debug("the views folded again what a full disk had cost them", head=self.log.head)

    def catch_up(self, until: int | None = None) -> int:
        """Fold into the views what other processes appended to the log since (a NATS log
        shared with other hosts: `follow`, and `watch` between its turns), up to ``until``
        (a batch's first position) or the log's end; returns how many events that was."""
        with self._views_writing():
            folded = self.views.catch_up(self.log, until=until)
        self.others_folded += folded
        return folded

    def has_room(self) -> bool:
        """Whether the log's and the views' disks have room again (after :class:`DiskFull`)."""
        local = [self.views.path]
        if self.log.directory is not None:  # else the log is on NATS servers
            local.append(self.log.directory / "LOCK")
        return all(has_room(Path(os.path.realpath(where)).parent) for where in local)

    @contextmanager
    def _views_writing(self) -> Iterator[None]:
        """A full disk while writing the views: roll them back whole, to fold again later."""
        try:
            yield
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self.views.rollback()
            self._views_behind = True
            raise DiskFull(f"the disk holding {self.path} is full: the views could not be "
                           "written; they catch up with the log once space is freed") from exc

    def _fold(self, chunk: Sequence[Envelope]) -> None:
        if chunk[0].position > self.views.position:
            # Others appended before this process's batch (a NATS log): the views fold
            # theirs first, from the log, so that they see every position once, in order.
            self.catch_up(until=chunk[0].position)
        with self._views_writing():
            self.views.apply_chunk(chunk)

    # -- documents ---------------------------------------------------------------------------

    def doc_at(self, path: str) -> str | None:
        self.refold()
        return self.documents_view.doc_at(self.views.db, path)

    def has_document(self, doc_id: str) -> bool:
        self.refold()
        return self.documents_view.has_document(self.views.db, doc_id)

    def paths(self) -> dict[str, str]:
        """Every live path and the document it holds."""
        self.refold()
        return self.documents_view.paths(self.views.db)

    def rejection(self, path: str) -> tuple[str | None, int | None, str] | None:
        """(sha256, size, reason) of the standing rejection of ``path``, if any."""
        self.refold()
        return self.documents_view.rejection(self.views.db, path)

    def ingest_bytes(self, path: str, data: bytes) -> str:
        """Record the content ``data`` found at ``path``; returns what happened.

        ``added``: new content; ``linked``: known content at a new path; ``superseded``: new
        content replaced older content at this path; ``unchanged``; ``rejected``.
        """
        path = store_name(path)
        doc_id = hashlib.sha256(data).hexdigest()
        current = self.doc_at(path)
        if current == doc_id:
            return "unchanged"
        stream = f"doc:{doc_id}"
        if self.has_document(doc_id):
            if current is None:
                self.append([Envelope(DocumentLinked(doc_id=doc_id, path=path), stream=stream)])
                return "linked"
            self.append([Envelope(DocumentSuperseded(path=path, old_doc_id=current,
                                                     new_doc_id=doc_id), stream=stream)])
            return "superseded"
        try:
            read = read_file(self.plugins.readers(), data, path)
        except Unreadable as exc:
            return self.reject(path, str(exc), sha256=doc_id, size=len(data))
        batch = [Envelope(DocumentAdded(doc_id=doc_id, path=path, text=read.text,
                                        encoding=read.encoding, size=len(data),
                                        format=read.format, reader=read.reader,
                                        title=read.title),
                          stream=stream)]
        if current is not None:
            batch.append(Envelope(DocumentSuperseded(path=path, old_doc_id=current,
                                                     new_doc_id=doc_id), stream=stream))
        self.append(batch)
        return "superseded" if current is not None else "added"

    def ingest_file(self, file: Path | str, path: str | None = None, *,
                    root: str | None = None, limits: Limits | None = None) -> str:
        """Read ``file`` under the drop-folder policy and record it under ``path`` (default:
        the file's own path).

        ``root`` is the folder the file was found in: no link on the way from it is
        followed.  Without it the file was named by the user, and may itself be a link.
        What the policy refuses (see :mod:`factfold.dropfolder`) is rejected with its reason.
        """
        name = store_name(path if path is not None else os.path.normpath(str(file)))
        try:
            taken = dropfolder.read_file(os.fspath(file), root=root, limits=limits or Limits(),
                                         store=self.path)
        except Refused as exc:
            return self.reject(name, exc.reason, size=exc.size)
        except FileNotFoundError as exc:
            return self.reject(name, f"vanished: {exc.strerror or exc}; check the file and "
                               "its permissions; it is retried when it changes")
        if taken.changed:
            return self.reject(name, "changed while being read: still being written? It is "
                               "taken in when it stops changing")
        return self.ingest_bytes(name, taken.data)

    def reject(self, path: str, reason: str, *, sha256: str | None = None,
               size: int | None = None) -> str:
        """Record that ``path`` could not be taken in (again only if content or reason change)."""
        path = store_name(path)
        if self.rejection(path) == (sha256, size, reason):
            return "unchanged"
        log.warning("file rejected", path=path, reason=reason)
        self.append([Envelope(DocumentRejected(path=path, reason=reason, sha256=sha256,
                                               size=size), stream=f"path:{path}")])
        return "rejected"

    def remove(self, path: str) -> bool:
        """``path`` was deleted: its document (or its rejection) leaves the views."""
        doc_id = self.doc_at(path)
        if doc_id is None:
            if self.rejection(path) is None:
                return False
            self.append([Envelope(DocumentRemoved(doc_id=None, path=path), stream=f"path:{path}")])
            return True
        self.append([Envelope(DocumentRemoved(doc_id=doc_id, path=path), stream=f"doc:{doc_id}")])
        return True

    def move(self, old_path: str, new_path: str) -> bool:
        doc_id = self.doc_at(old_path)
        if doc_id is None or self.doc_at(new_path) is not None:
            return False
        self.append([Envelope(DocumentMoved(doc_id=doc_id, old_path=old_path, new_path=new_path),
                              stream=f"doc:{doc_id}")])
        return True

    # -- extraction (scheduled by the runner; what it needs to know of the views) ----------

    @property
    def extractors(self) -> list[Extractor]:
        """The plugins' extractors, set up once per process."""
        return self.runner.extractors

    def extract_pending(self, only: Iterable[str] | None = None,
                        progress: Progress | None = None, *, failed: bool = False) -> int:
        """Extract every pending (document, extractor), with ``failed`` the failed ones
        too (see :meth:`pending`); returns the documents processed since the last call
        (see :meth:`ExtractionRunner.drain`)."""
        return self.runner.drain(only, progress, failed=failed)

    def pending(self, only: Iterable[str] | None = None, *, failed: bool = False
                ) -> dict[str, list[str]]:
        """Live documents lacking an outcome for the current version of some extractor
        (with ``failed``, also those whose outcome is a failure: a failure is an outcome, so
        a document that times out or crashes its worker every time is not retried at every
        start, only when asked).

        An extractor's mark (see :meth:`mark_extracted`) says every document added or
        linked before it already has an outcome, so only those after it are looked at;
        without a mark (a new extractor, a new version) every document is.
        """
        self.refold()
        wanted = set(only) if only is not None else None
        db = self.views.db
        marks = self.documents_view.marks(db)
        pending: dict[str, list[str]] = {}
        for ex in self.plugins.extractors():
            if wanted is not None and ex.name not in wanted:
                continue
            since = marks.get((ex.name, ex.version), 0)
            for doc_id in self.documents_view.lacking(db, ex.name, ex.version, since):
                pending.setdefault(doc_id, []).append(ex.name)
            if failed:
                for doc_id in self.documents_view.failed(db, ex.name, ex.version):
                    pending.setdefault(doc_id, []).append(ex.name)
        return pending

    def pending_among(self, doc_ids: Iterable[str]) -> dict[str, list[str]]:
        """:meth:`pending` for these documents only (live or not)."""
        pending: dict[str, list[str]] = {}
        for doc_id in doc_ids:
            for ex in self.plugins.extractors():
                if not self.documents_view.has_outcome(self.views.db, doc_id,
                                                       ex.name, ex.version):
                    pending.setdefault(doc_id, []).append(ex.name)
        return pending

    def mark_extracted(self, extractors: Iterable[Extractor], position: int) -> None:
        """Remember that every document the views held up to ``position`` has an outcome
        for these extractors' current versions, so the next process's first scan (see
        :meth:`pending`) looks only at documents after it.  The mark lives beside the
        views it was read from: if they are deleted, the next scan is a full one."""
        with self._views_writing():
            self.documents_view.mark_extracted(
                self.views.db, [(ex.name, ex.version) for ex in extractors], position)

    def is_live(self, doc_id: str) -> bool:
        """Whether some path holds the document now."""
        return self.documents_view.is_live(self.views.db, doc_id)

    def stored_documents(self, doc_ids: Iterable[str]) -> Iterator[tuple[Document, Envelope]]:
        """The stored text of each document, with the event that recorded it, in log
        order (read from the log)."""
        missing: dict[int, str] = {}
        for doc_id in doc_ids:
            missing[self.documents_view.position(self.views.db, doc_id)] = doc_id
        if missing:
            for env in self.log.read(min(missing)):
                if env.position in missing:
                    e = env.payload
                    yield Document(e.doc_id, e.path, e.text, e.encoding), env
                    del missing[env.position]
                    if not missing:
                        break

    def texts(self, doc_ids: Iterable[str]) -> Iterator[Document]:
        """The stored documents (text as read, path, encoding) of these ids, in log order."""
        for document, _ in self.stored_documents(doc_ids):
            yield document

    # -- views ---------------------------------------------------------------------------------

    def replay(self, progress: Progress | None = None) -> int:
        """Rebuild every view from position 0."""
        folded = self.views.rebuild(self.log, progress)
        self._follow()
        return folded

    @contextmanager
    def as_of(self, point: AsOf) -> Iterator[Store]:
        """A read-only store whose views show the log as it was at ``point``.

        The log up to ``point`` (see :func:`factfold.asof.find_cut`) is folded, by the same
        fold as :meth:`replay`, into views in a temporary folder, deleted when the block
        ends.  Its ``moment`` says where the log was cut.  A live writer's later appends
        are not in it: the cut is taken once, from the log as it is now.
        """
        moment = find_cut(self.log, point)
        with tempfile.TemporaryDirectory(prefix="factfold-as-of-") as folder:
            views = Path(folder) / "views.sqlite"
            with ViewStore(views, projections(self.plugins)) as fold:
                fold.catch_up(self.log, until=moment.stop)
            past = Store(self.path, plugins=self.plugins, writable=False, views=views,
                         log_servers=self.log_servers)
            past.moment = moment
            with past:
                yield past

    def view(self, name: str) -> Projection:
        """The view called ``name``, or the one that shows the fact kind ``name`` (``person``:
        ``people``), or for a kind no view shows, a plain one of its fields."""
        projection = self.views.projections.get(name)
        if projection is not None:
            return projection
        for p in self.views.projections.values():
            if isinstance(p, FactKindView) and p.kind == name:
                return p
        if name not in self.fact_kinds():
            raise KeyError(name)
        return FactKindView(self.facts, name, name, (*self.facts.kind_fields(name), "source"))

    def query(self, view: str, filters: dict[str, str] | None = None,
              limit: int | None = None,
              min_confidence: float | None = None) -> list[dict[str, Any]]:
        """Rows of a view (see :meth:`view` for the names it answers to), the first ``limit``;
        with ``min_confidence``, of the facts given at least that confidence (fact views
        only: others have no confidence to filter on)."""
        projection = self.view(view)
        if isinstance(projection, FactKindView):  # ours: the limit goes into the SQL
            return projection.query(self.views.db, filters or {}, limit, min_confidence)
        if min_confidence is not None:
            raise ValueError(f"{view} holds no facts: it has no confidence to filter on")
        return projection.query(self.views.db, filters or {})[:limit]

    def set_search(self, wanted: Iterable[str], progress: Progress | None = None) -> None:
        """Keep the full-text searches ``wanted`` names (see :data:`~factfold.views.SEARCHES`)
        and no others: the setting is saved, a search turned on is folded from the log
        now and kept current by every later fold, one turned off is dropped."""
        wanted = frozenset(wanted)
        if not wanted <= set(SEARCHES):
            raise ValueError(f"no full-text search {', '.join(sorted(wanted - set(SEARCHES)))};"
                             f" there are {', '.join(SEARCHES)}")
        self.refold()
        self.settings = attrs.evolve(self.settings, search=wanted)
        self.settings.save(self.path)
        fact_types = [t for t in self.registry if issubclass(t, Fact)]
        with self._views_writing():
            for name in SEARCHES:
                (view,) = search_views(fact_types, [name])
                if name in wanted and view.name not in self.views.projections:
                    self.views.add(view)
                elif name not in wanted:
                    self.views.discard(view)
            self.views.catch_up(self.log, progress)

    def fact_kinds(self) -> set[str]:
        """The kinds of fact the loaded plugins declare: the only ones the views hold."""
        return {cls.kind for cls in self.registry if issubclass(cls, Fact)}

    def export(self, min_confidence: float | None = None) -> Iterator[dict[str, Any]]:
        """Every current fact as an export-contract record (with ``min_confidence``, those
        given at least that confidence)."""
        return self.facts.rows(self.views.db, min_confidence=min_confidence)

    def close(self) -> None:
        self.runner.close()
        try:
            self.views.close()
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            # The log holds every event; the views catch up with it at the next start.
            self.views.rollback()
            self.views.db.close()
        finally:
            self.log.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
