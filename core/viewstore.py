"""The fold engine: the log folded into the views kept in an embedded SQLite database.

A :class:`~factfold.projection.Projection` owns a few tables.  The :class:`ViewStore`
feeds it events in log
order and stores its checkpoint (the next position it needs) in the same transaction as the
rows it wrote, so a crash can never leave a view that has applied an event its checkpoint
does not know about, or the reverse.  Views live on disk with indexes, so memory stays flat
however long the log grows, and a restart resumes from the checkpoint instead of replaying.
Bumping a projection's ``version`` makes the next start rebuild it from position 0.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from functools import partial
from itertools import takewhile
from operator import itemgetter
from pathlib import Path
from typing import Any, Generic, TypeVar

import attrs
import msgspec
import structlog

from factfold.events import DecodeError, Envelope, EventCodec, OpaqueEvent
from factfold.events.codec import StoredRecord

from .durable import fsync_directory
from .foldworker import parallel_fold_available, prepared_elsewhere, rare_collections
from .log import EventLog, LogCorrupt, damaged
from .projection import Projection, ViewsDamaged, ViewsOutdated, savepoint

log = structlog.get_logger("factfold.viewstore")

#: how many events catch-up hands the views at a time
CATCH_UP_BATCH = 5000
#: how many events one catch-up transaction folds
COMMIT_EVERY = 50_000
#: a catch-up at least this long prepares its chunks in a second process
PARALLEL_FROM = 100_000
#: a catch-up from empty of at least this many events loosens the views' conflict keys
#: (see Projection.loosen): worth it once those keys outgrow the page cache (rebuilds
#: alternated: 100k events +4%, 200k +2%, 1M -4%, 10M -75%)
LOOSE_FROM = 500_000
#: how much of the views database a read-only store maps into memory
READ_MAPPING = 1 << 30

def damaged_views(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is damaged (not locked, full or unreadable)."""
    return exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _truncated(path: Path) -> str | None:
    """Why ``path`` is shorter than its own header says, if it is: SQLite meets a cut-off
    database only when a query reaches a missing page, and a writer must know at its start.

    The header's page count is valid when its change counter matches the one it was
    written with; the file never shrinks below it (a WAL only adds pages beyond it).
    """
    try:
        with open(path, "rb") as f:
            header = f.read(100)
            size = os.fstat(f.fileno()).st_size
    except FileNotFoundError:
        return None
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return None  # empty (a new database), or SQLite's own "not a database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and pages * page_size > size:
        return f"cut short: {size} of its {pages * page_size} bytes"
    return None


class ViewStore:
    """The views database: runs projections and keeps their checkpoints."""

    def __init__(
        self, path: Path, projections: Iterable[Projection], *, readonly: bool = False
    ) -> None:
        self.path = Path(path)
        self.projections = {p.name: p for p in projections}
        self.readonly = readonly
        self._next: dict[str, int] = {}
        self._in_tx = False
        self._unknown: set[str] = set()
        #: views emptied by this process whose indexes wait for the end of the catch-up
        self._unindexed: set[str] = set()
        #: of those, the views whose conflict keys are set aside (see Projection.loosen)
        self._loosened: set[str] = set()
        #: whether a fold from nothing was committed without fsync (see _unsynced)
        self._unsynced_fold = False
        #: a rebuild's new views (see rebuild), which every writer's start removes unless
        #: they took these views' place: their unsynced fold needs no marker of its own
        self._scratch = False
        if readonly:
            self.db = self._open_readonly()
            return
        self._discard_an_unsynced_fold()
        _remove_database(self._aside)  # only a writer rebuilds: one cut short left it
        problem = _truncated(self.path)
        if problem is None:
            try:
                self._connect()
                return
            except sqlite3.DatabaseError as exc:
                if not damaged_views(exc):
                    raise
                problem = str(exc)
        self._set_aside(problem)
        self._connect()

    def _connect(self) -> None:
        new = not self.path.exists() or self.path.stat().st_size == 0
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout=5000")
            # Larger pages than SQLite's 4 KiB: fact bodies hold whole runs, and bulk
            # inserts ran ~20% faster (bench, 100k events).  Only takes effect on a new
            # database.
            db.execute("PRAGMA page_size=16384")
            if new:
                # Switching a new file to WAL writes its header in a transaction, synced:
                # 25-50 ms of a rebuild.  A crash leaves the file empty or torn, which a
                # writer sets aside and builds again from the log.
                db.execute("PRAGMA synchronous=OFF")
            db.execute("PRAGMA journal_mode=WAL")
            # The log is the durable record; a view lost with the last transactions is
            # rebuilt from its checkpoint, so the views need not fsync every commit.
            db.execute("PRAGMA synchronous=NORMAL")
            # Sorting for CREATE INDEX on more than one core: a rebuild's index build is
            # serial work at its end (1M facts: 0.91 s -> 0.73 s with two threads).
            db.execute("PRAGMA threads=2")
            db.execute(
                "CREATE TABLE IF NOT EXISTS checkpoints "
                "(name TEXT PRIMARY KEY, version INTEGER NOT NULL, position INTEGER NOT NULL)"
            )
            self.db = db
            self._open_projections()
        except BaseException:
            db.close()
            raise

    def _set_aside(self, problem: str) -> None:
        """Move views SQLite cannot read out of the way, kept for a look, so that they are
        built again from the log: they hold nothing the log does not."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        broken = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        n = 0
        while broken.exists():
            n += 1
            broken = self.path.with_name(f"{self.path.name}.broken-{stamp}.{n}")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{self.path}{suffix}", f"{broken}{suffix}")
        fsync_directory(self.path.parent)
        log.warning("the views cannot be read; they were set aside and are rebuilt from the log",
                    views=str(self.path), problem=problem, kept=str(broken))

    def _open_readonly(self) -> sqlite3.Connection:
        """The views as the writer left them, never changed (a reader never changes what
        it reads), or :class:`ViewsOutdated` saying what to do."""
        if not self.path.exists():
            raise ViewsOutdated(f"there are no views in {self.path.parent} yet: run "
                                "`factfold replay` to build them from the log")
        # A writer's checkpoint copies pages from its WAL in page order, the header (with
        # the new page count) first: while one runs, the file is shorter than its header
        # says without being cut.  With a WAL beside it SQLite reads through that, and meets
        # a file truly cut short as damage on the first query that reaches a missing page.
        wal = Path(f"{self.path}-wal")
        problem = None if wal.exists() and wal.stat().st_size else _truncated(self.path)
        try:
            if problem is None:
                try:
                    db = self._connect_readonly("mode=ro")
                except sqlite3.OperationalError as exc:
                    # SQLite reads a WAL database through its -shm file, which a user who
                    # may read the store but not write its folder cannot create.  Without a
                    # writer's WAL beside it, the file is all there is: read it as it is.
                    if (exc.sqlite_errorcode not in (sqlite3.SQLITE_READONLY_DIRECTORY,
                                                     sqlite3.SQLITE_CANTOPEN)
                            or os.access(self.path.parent, os.W_OK)
                            or Path(f"{self.path}-wal").exists()):
                        raise
                    db = self._connect_readonly("immutable=1")
                return db
        except sqlite3.DatabaseError as exc:
            if not damaged_views(exc):
                raise
            problem = str(exc)
        raise ViewsDamaged(
            f"the views in {self.path} cannot be read ({problem}); they hold nothing the "
            "log does not: run `factfold replay` to rebuild them")

    def _connect_readonly(self, mode: str) -> sqlite3.Connection:
        db = sqlite3.connect(f"file:{self.path}?{mode}", uri=True, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout=5000")
            # Queries read pages from the OS page cache through a mapping, not a pread
            # per page: the SQL of the worst people-by-name lookup on the 1M-fact store
            # went from 3.6 ms to 1.9 ms.  Only readers: a replay's RSS would count the
            # mapped pages it touched.
            db.execute(f"PRAGMA mmap_size={READ_MAPPING}")
            self._check_readable(db)
        except BaseException:
            db.close()
            raise
        return db

    def _check_readable(self, db: sqlite3.Connection) -> None:
        """Refuse, with what to do, views this process's projections cannot read."""
        try:
            stored = {name: (version, position) for name, version, position in
                      db.execute("SELECT name, version, position FROM checkpoints")}
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            stored = {}
        stale = [f"{name} (built v{stored[name][0]}, this version reads v{p.version})"
                 if name in stored else f"{name} (not built yet)"
                 for name, p in self.projections.items()
                 if stored.get(name, (None,))[0] != p.version]
        self._next = {name: stored[name][1] for name in self.projections if name in stored}
        if stale:
            raise ViewsOutdated(
                f"this version of factfold cannot read the views in {self.path} yet: "
                f"{', '.join(stale)}.  Only the process writing the store rebuilds them: "
                "stop the one holding it, then run `factfold replay` (or restart it with "
                "this version)")

    @property
    def _aside(self) -> Path:
        """Where :meth:`rebuild` folds new views before they take these views' place."""
        return self.path.with_name(self.path.name + ".rebuild")

    @property
    def _unsynced_marker(self) -> Path:
        return self.path.with_name(self.path.name + ".unsynced")

    def _discard_an_unsynced_fold(self) -> None:
        """A fold from nothing that did not finish (see :meth:`_unsynced`) may have left
        pages that never reached the disk: start again from an empty database."""
        if not self._unsynced_marker.exists():
            return
        log.warning("the views were being rebuilt when the last process stopped; "
                    "rebuilding them from the log", views=str(self.path))
        _remove_database(self.path)  # the marker last
        fsync_directory(self.path.parent)

    @contextmanager
    def _unsynced(self) -> Iterator[None]:
        """Fold without fsyncs; :meth:`close` makes everything durable at once.

        Only for a fold from nothing (a rebuild, a new database): a crash before then
        loses nothing that folding again would not redo, so the commits need not reach the
        disk one by one (a 10M-event rebuild spent a third of its time, 33 s, in commits
        waiting for the disk).  A marker file says the database is not to be trusted until
        that last sync; a start that finds it rebuilds from scratch.
        """
        if not self._scratch:
            self._unsynced_marker.touch()
            fsync_directory(self.path.parent)
        self._unsynced_fold = True
        self.db.execute("PRAGMA synchronous=OFF")
        # Without a WAL every page is written once, not twice (10M events: commits 18.6 s
        # with the WAL); switching needs the database to itself, else the WAL stays.  The
        # rollback journal is a file (unsynced), not memory: settling the loose tables
        # (views/keyed.py) journals what it drops, 100 MB at 10M events.
        journal = self.db.execute("PRAGMA journal_mode=TRUNCATE").fetchone()[0]
        try:
            yield
        finally:
            if journal != "wal":
                self._use_wal()
            self.db.execute("PRAGMA synchronous=NORMAL")

    def _use_wal(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        # A table renamed without the WAL (views/keyed.py) leaves the schema to be read
        # again, which a checkpoint does not do: it would fail ("database table is
        # locked").
        self.db.execute("PRAGMA schema_version").fetchall()

    def _sync_an_unsynced_fold(self) -> None:
        if not self._unsynced_fold:
            return
        self._use_wal()  # if a reader kept it from switching back
        self.db.execute("PRAGMA synchronous=FULL")
        # Copies the WAL into the database file and fsyncs that file: every page the fold
        # wrote, checkpointed earlier or not, is then on disk.
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.execute("PRAGMA synchronous=NORMAL")
        # A checkpoint syncs only when it copied something: pages a rebuild wrote beside
        # these views (see rebuild) reach the disk here.
        with open(self.path, "rb") as f:
            os.fsync(f.fileno())
        self._unsynced_marker.unlink()
        fsync_directory(self.path.parent)
        self._unsynced_fold = False

    def _open_projections(self) -> None:
        stored = {
            name: (version, position)
            for name, version, position in self.db.execute("SELECT * FROM checkpoints")
        }
        for name, projection in self.projections.items():
            version, position = stored.get(name, (None, 0))
            if version != projection.version:
                if version is not None:
                    log.info("view schema changed; rebuilding", view=name,
                             old=version, new=projection.version)
                self._reset(name)
            else:
                projection.create(self.db)
                projection.create_indexes(self.db)
                self._next[name] = position

    def add(self, projection: Projection) -> None:
        """Fold one more view from now on (a writer's): built from position 0 by the next
        :meth:`catch_up`, which the views already built skip to where they stand."""
        self.commit()
        self.projections[projection.name] = projection
        stored = self.db.execute("SELECT version, position FROM checkpoints WHERE name = ?",
                                 (projection.name,)).fetchone()
        if stored is not None and stored[0] == projection.version:
            self._next[projection.name] = stored[1]
        else:
            self._reset(projection.name)

    def discard(self, projection: Projection) -> None:
        """Stop folding a view, and drop its tables and checkpoint (a writer's)."""
        self.commit()
        self.projections.pop(projection.name, None)
        self._next.pop(projection.name, None)
        self._unindexed.discard(projection.name)
        self._loosened.discard(projection.name)
        projection.drop(self.db)
        self.db.execute("DELETE FROM checkpoints WHERE name = ?", (projection.name,))

    def _reset(self, name: str) -> None:
        """Empty one view.  Crash-safe: the checkpoint says "rebuild me" until it is done."""
        self.db.execute("INSERT OR REPLACE INTO checkpoints VALUES (?, -1, 0)", (name,))
        projection = self.projections[name]
        projection.drop(self.db)  # DDL commits by itself in sqlite3's executescript
        projection.create(self.db)
        self.db.execute("INSERT OR REPLACE INTO checkpoints VALUES (?, ?, 0)",
                        (name, projection.version))
        self._next[name] = 0
        # If the fold is cut short, the next start creates them (and folds the rest slower).
        self._unindexed.add(name)
        self._loosened.discard(name)  # made again keyed

    def _create_deferred_indexes(self, folded: int) -> None:
        views = [self.projections[name] for name in sorted(self._unindexed)]
        views = [v for v in views if type(v).create_indexes is not Projection.create_indexes]
        if views and folded >= COMMIT_EVERY:  # long enough to say what the wait is for
            log.info("building indexes", views=[v.name for v in views], events=folded)
        for view in views:
            view.create_indexes(self.db)
        self._unindexed.clear()
        self._loosened.clear()

    @property
    def position(self) -> int:
        """The lowest position some view still needs."""
        return min(self._next.values(), default=0)

    def ahead_of(self, head: int) -> bool:
        """Whether some view has folded events past ``head``, the log's next position:
        the views then describe events the log no longer holds."""
        return max(self._next.values(), default=0) > head

    def begin(self) -> None:
        # The connection, not a flag, says whether a transaction is open: SQLite rolls one
        # back by itself on some errors (a full disk), and a fold must never go on outside
        # a transaction, in autocommit.
        if not self.db.in_transaction:
            self.db.execute("BEGIN")
        self._in_tx = True

    def commit(self) -> None:
        if self._in_tx:
            self._write_checkpoints()
            self.db.execute("COMMIT")
            self._in_tx = False

    def rollback(self) -> None:
        """Drop the open transaction; the checkpoints go back to what is committed."""
        if self._in_tx:
            if self.db.in_transaction:  # else SQLite already rolled it back itself
                self.db.execute("ROLLBACK")
            self._in_tx = False
            committed = dict(self.db.execute("SELECT name, position FROM checkpoints"))
            self._next = {name: committed.get(name, 0) for name in self._next}

    def _write_checkpoints(self) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?)",
            [(n, self.projections[n].version, pos) for n, pos in self._next.items()],
        )

    def apply(self, env: Envelope) -> None:
        """Fold one event into every view that has not seen it (inside the open transaction)."""
        self.apply_chunk((env,))

    def _warn_unknown(self, envelopes: Sequence[Envelope]) -> None:
        """Once per type: events whose plugin is not installed are left out of the views."""
        for env in envelopes:
            if isinstance(env.payload, OpaqueEvent):
                self._warn_unknown_type(env.payload.type)

    def _warn_unknown_type(self, name: str) -> None:
        if name not in self._unknown:
            self._unknown.add(name)
            log.warning("events of an unknown type are left out of the views", type=name,
                        hint="install the plugin that declares it, then run factfold replay")

    def apply_chunk(self, envelopes: Sequence[Envelope]) -> None:
        """Fold consecutive events into every view that has not seen them, a view at a time.

        Same result as :meth:`apply` per event (each view sees its events in log order), but
        each view gets the whole chunk in one :meth:`Projection.apply_many` call.

        A view that raises leaves none of its rows for the chunk (a savepoint) and does not
        stop the others; the first error is raised once they are done.  On a chunk of
        several events the failing view keeps its place, so the bus can hand the chunk
        again one event at a time to find the event that failed (the other views skip what
        they folded); on a single event it moves past it, as the bus records the failure
        (``factfold replay`` folds it again once the view is fixed).
        """
        if not envelopes:
            return
        if self._loosened:  # a long catch-up cut short: its views are keyed again first
            self.commit()
            self._create_deferred_indexes(0)
        self.begin()
        self._warn_unknown(envelopes)
        last = envelopes[-1].position
        failure: Exception | None = None
        for name, projection in self.projections.items():
            start = self._next[name]
            if last < start:
                continue
            handles = projection.handles
            if handles is None:
                mine = [e for e in envelopes if e.position >= start]
            elif handles:
                mine = [e for e in envelopes
                        if e.position >= start and e.payload.__event_type__ in handles]
            else:
                mine = []
            if mine:
                try:
                    with savepoint(self.db, "fold"):
                        projection.apply_many(self.db, mine)
                except Exception as exc:
                    if not self.db.in_transaction:
                        raise  # SQLite rolled the transaction back (a full disk): stop here
                    failure = failure or exc
                    if len(envelopes) > 1:
                        continue
            self._next[name] = last + 1
        if failure is not None:
            raise failure

    def _apply_prepared(self, codec: EventCodec, chunk: PreparedChunk) -> None:
        """:meth:`apply_chunk` for a chunk of stored records: views that prepare get what
        they prepared; the others get envelopes, each record decoded at most once."""
        self.begin()
        for name in chunk.unknown:
            self._warn_unknown_type(name)
        prepared = _unship(chunk.prepared)
        decoded: dict[int, Envelope] = {}
        for name, projection in self.projections.items():
            start = self._next[name]
            if chunk.last < start:
                continue
            if name in prepared:
                projection.write_prepared(self.db, prepared[name])
            elif not prepares(projection):
                envelopes = []
                for position, record in narrowed(projection, start, chunk.records):
                    env = decoded.get(position)
                    if env is None:
                        env = decoded[position] = codec.from_record(record, position)
                    envelopes.append(env)
                if envelopes:
                    projection.apply_many(self.db, envelopes)
            self._next[name] = chunk.last + 1

    def catch_up(
        self, event_log: EventLog, progress: Callable[[int], None] | None = None,
        *, parallel: bool = True, until: int | None = None,
    ) -> int:
        """Fold everything the views have not seen; returns how many events were read.

        Events are folded a chunk at a time and committed every :data:`COMMIT_EVERY`
        events (each commit with the checkpoints), so a long replay pays for few commits
        and a crash repeats at most that much work.

        ``until``: fold only the events before this position, which must be where a batch
        of the log begins (or its head): views of the log as it was then (see
        :mod:`factfold.asof`).  A batch is appended whole, so no reader ever saw part of one.
        """
        head = event_log.head if until is None else until
        read_batches: Callable[[int], Iterator[StoredBatch]] = event_log.read_batches
        codec = event_log.codec
        if until is not None:
            read_batches = partial(_batches_before, read_batches, until)
        parallel = parallel and head - self.position >= PARALLEL_FROM
        if head - self.position >= LOOSE_FROM:
            self._loosen_empty_views()
        chunks: Iterator[Any] = self._prepared(read_batches, codec, parallel)
        fold: Callable[[Any], None] = partial(self._apply_prepared, codec)
        from_nothing = all(n == 0 for n in self._next.values()) and head >= COMMIT_EVERY
        with self._unsynced() if from_nothing else nullcontext(), rare_collections():
            return self._fold(chunks, fold, progress)

    def _loosen_empty_views(self) -> None:
        """Let the views emptied by this process that have folded nothing yet set aside
        the keys they need only for conflicts (see :meth:`Projection.loosen`), until
        :meth:`_create_deferred_indexes`."""
        for name in sorted(self._unindexed):
            if self._next[name] == 0 and name not in self._loosened:
                self.projections[name].loosen(self.db)
                self._loosened.add(name)

    def _fold(self, chunks: Iterator[Any], fold: Callable[[Any], None],
              progress: Callable[[int], None] | None) -> int:
        seen = uncommitted = 0
        try:
            for chunk in chunks:
                fold(chunk)
                seen += len(chunk)
                uncommitted += len(chunk)
                if uncommitted >= COMMIT_EVERY:
                    self.commit()
                    uncommitted = 0
                if progress:
                    progress(len(chunk))
        except BaseException:
            self.rollback()  # a chunk may be half folded: keep what was committed
            raise
        self.commit()
        self._create_deferred_indexes(seen)
        return seen

    def _prepared(self, read_batches: Callable[[int], Iterator[StoredBatch]],
                  codec: EventCodec, parallel: bool) -> Iterator[PreparedChunk]:
        """The chunks to fold, prepared here, or (for a long catch-up on a machine with
        more than one core) mostly in a forked process while this one writes.

        The forked process hands a chunk over unprepared whenever this one has nothing
        queued, and this one prepares it: neither process waits for the other for long,
        whichever half is slower on the machine (and the first chunk is written sooner).
        """
        position = self.position
        preparer = Preparer(self.projections, dict(self._next), codec, position)
        every_view_prepares = all(prepares(p) or p.handles == frozenset()
                                  for p in self.projections.values())
        if parallel and every_view_prepares and parallel_fold_available():
            def produce(backlog: Callable[[], int]
                        ) -> Iterator[PreparedChunk | StoredChunk[pickle.PickleBuffer]]:
                for chunk in stored_chunks(read_batches(position)):
                    yield chunk.shipped() if backlog() == 0 else preparer.prepare(
                        chunk, shipped=True)

            # A chunk handed over unprepared is copied out of the shared slot it arrives
            # in: a view may keep what it prepared from it.
            return (preparer.prepare(chunk.copied()) if isinstance(chunk, StoredChunk)
                    else chunk for chunk in prepared_elsewhere(produce))
        return (preparer.prepare(chunk) for chunk in stored_chunks(read_batches(position)))

    def rebuild(self, event_log: EventLog, progress: Callable[[int], None] | None = None,
                *, parallel: bool = True) -> int:
        """Fold the whole log into new views beside these, then put them in their place.

        The views in use stay as they are until the new ones are whole: a log that cannot
        be read to its end (see docs/log.md) leaves them, and their readers, untouched.
        """
        self.commit()
        aside = self._aside
        fresh = ViewStore(aside, self.projections.values())
        fresh._scratch = True
        try:
            folded = fresh.catch_up(event_log, progress, parallel=parallel)
            fresh.commit()
            # One self-contained file (its WAL folded in, and removed when it closes) can
            # take the old one's name.  It need not be on disk yet: it is synced when
            # these views close, and until then the marker says to start again from
            # nothing (see _unsynced).  It stays in WAL mode, as _connect opens it:
            # switching its mode there was a transaction that synced the whole new file
            # (30-40 ms of a 100k-event rebuild).
            fresh.db.execute("PRAGMA synchronous=OFF")
            busy, _, _ = fresh.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise sqlite3.OperationalError(f"{aside} is in use by another connection")
        except BaseException:
            fresh.db.close()
            _remove_database(aside)
            raise
        fresh.db.close()
        self._unsynced_marker.touch()
        fsync_directory(self.path.parent)
        self._unsynced_fold = True
        self.db.close()
        # The old file goes first: renamed over it, the new file's unwritten pages would be
        # sent to the disk at once (ext4's auto_da_alloc: ~13 ms of a 100k-event rebuild,
        # which the marker defers to close).  A crash in between leaves no views, and the
        # marker has them built from the log.
        for suffix in ("", "-wal", "-shm"):  # the new one must not meet the old WAL either
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        os.rename(aside, self.path)
        # The rename reaches the disk with the marker's removal, when the views close.
        Path(f"{aside}.unsynced").unlink(missing_ok=True)
        self._connect()
        return folded

    def query(self, name: str, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        return self.projections[name].query(self.db, filters)

    def __enter__(self) -> ViewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if not self.readonly:
            self.commit()
            self._sync_an_unsynced_fold()
        self.db.close()


def _remove_database(path: Path) -> None:
    """The database at ``path``, its WAL and index, then its unsynced marker."""
    for suffix in ("", "-wal", "-shm", ".unsynced"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _batches_before(read_batches: Callable[[int], Iterator[StoredBatch]], until: int,
                    from_position: int) -> Iterator[StoredBatch]:
    """The stored batches ``read_batches`` gives from ``from_position``, up to ``until``."""
    return takewhile(lambda batch: batch[0] < until, read_batches(from_position))


def prepares(projection: Projection) -> bool:
    """Whether a view folds stored records through ``prepare_records``/``write_prepared``."""
    return type(projection).prepare_records is not Projection.prepare_records


def narrowed(projection: Projection, start: int,
             records: Sequence[tuple[int, StoredRecord]]) -> list[tuple[int, StoredRecord]]:
    """The records a view still needs (from ``start``) and handles."""
    if records and records[0][0] < start:  # a catch-up that resumes inside the chunk
        records = [x for x in records if x[0] >= start]
    handles = projection.handles
    if handles is None:
        return list(records)
    return [x for x in records if x[1][0] in handles] if handles else []


#: rows as :func:`_ship` encodes them, in the preparing process or read where they arrived
Encoded = pickle.PickleBuffer | memoryview


def _ship(prepared: dict[str, Any]) -> dict[str, Any] | Encoded:
    """Prepared rows as msgpack, to cross to the writing process (through shared memory:
    see :mod:`factfold.foldworker`): msgspec encodes them 2.6x faster than pickle, and
    they decode as lists where they were tuples, which ``executemany`` takes alike.  What
    msgpack cannot hold (a plugin view's own types) travels as it is, pickled."""
    try:
        return pickle.PickleBuffer(_encode_rows(prepared))
    except (TypeError, ValueError, OverflowError, msgspec.MsgspecError):
        return prepared


def _unship(prepared: dict[str, Any] | Encoded) -> dict[str, Any]:
    return prepared if isinstance(prepared, dict) else _decode_rows(prepared)


_encode_rows = msgspec.msgpack.Encoder().encode
_decode_rows = msgspec.msgpack.Decoder(dict[str, Any]).decode


@attrs.frozen
class PreparedChunk:
    """Consecutive events, as the views prepared them (see ``Projection.prepare_records``).

    ``records`` keeps the stored records for views that do not prepare (only when the
    chunk is prepared in the process that folds it: stored records do not pickle).
    """

    count: int
    last: int
    prepared: dict[str, Any] | Encoded
    unknown: frozenset[str]
    records: list[tuple[int, StoredRecord]]

    def __len__(self) -> int:
        return self.count


_record = itemgetter(1)  # of a (position, record) pair
_type_name = itemgetter(0)  # of a stored record

#: a batch as the log stores it: (first position, event count, msgpack payload)
StoredBatch = tuple[int, int, bytes]
#: a chunk's payloads: bytes, or buffers that cross to another process out of band
Payload = TypeVar("Payload", bytes, pickle.PickleBuffer)


@attrs.frozen
class StoredChunk(Generic[Payload]):
    """Consecutive stored batches of about :data:`CATCH_UP_BATCH` events, not yet decoded."""

    batches: list[tuple[int, int, Payload]]

    def shipped(self) -> StoredChunk[pickle.PickleBuffer]:
        """To cross to another process, its payloads through shared memory."""
        return StoredChunk([(f, n, pickle.PickleBuffer(p)) for f, n, p in self.batches])

    def copied(self) -> StoredChunk[bytes]:
        """Its payloads as bytes of its own, wherever they were."""
        return StoredChunk([(f, n, bytes(p)) for f, n, p in self.batches])


def stored_chunks(batches: Iterator[StoredBatch]) -> Iterator[StoredChunk[bytes]]:
    """The log's stored batches, grouped into chunks of about :data:`CATCH_UP_BATCH` events."""
    chunk: list[StoredBatch] = []
    events = 0
    for batch in batches:
        chunk.append(batch)
        events += batch[1]
        if events >= CATCH_UP_BATCH:
            yield StoredChunk(chunk)
            chunk, events = [], 0
    if chunk:
        yield StoredChunk(chunk)


class Preparer:
    """Turns stored chunks into :class:`PreparedChunk`: each view that prepares and still
    needs a chunk (``starts``) prepares its records."""

    def __init__(self, projections: Mapping[str, Projection], starts: Mapping[str, int],
                 codec: EventCodec, from_position: int) -> None:
        self.projections = projections
        self.starts = starts
        self.codec = codec
        self.from_position = from_position

    def records(self, chunk: StoredChunk[bytes]) -> list[tuple[int, StoredRecord]]:
        """A chunk's stored records from ``from_position``, with their positions."""
        unpack = self.codec.unpack_records
        records: list[tuple[int, StoredRecord]] = []
        for first, count, payload in chunk.batches:
            try:
                stored = unpack(payload)
            except DecodeError as exc:  # whole, its checksum right, yet not records
                raise LogCorrupt(damaged(None, f"the batch of events {first} to "
                                         f"{first + count - 1} does not decode ({exc})")) from exc
            records.extend(zip(range(first, first + len(stored)), stored, strict=True))
        if records and records[0][0] < self.from_position:
            records = [x for x in records if x[0] >= self.from_position]
        return records

    def prepare(self, chunk: StoredChunk[bytes], *, shipped: bool = False) -> PreparedChunk:
        """The chunk prepared; ``shipped``: to cross to another process (its rows encoded,
        its stored records, which do not pickle, left out)."""
        records = self.records(chunk)
        last = records[-1][0]
        prepared = {}
        for name, projection in self.projections.items():
            if last >= self.starts[name] and prepares(projection):
                mine = narrowed(projection, self.starts[name], records)
                if mine:
                    prepared[name] = projection.prepare_records(self.codec, mine)
        registry = self.codec.registry
        unknown = frozenset(n for n in set(map(_type_name, map(_record, records)))
                            if n not in registry)
        if shipped:
            return PreparedChunk(len(records), last, _ship(prepared), unknown, [])
        return PreparedChunk(len(records), last, prepared, unknown, records)
