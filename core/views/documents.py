"""The documents view: documents, the paths they live at, rejected files and extraction
outcomes, and the ``documents`` table (docs/views.md).

It owns every statement on its tables: the store asks it what a path holds, which
documents still lack an extractor's outcome, and where the log holds a document's text.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any

import msgspec

from factfold.events import (
    DocumentAdded,
    DocumentLinked,
    DocumentMoved,
    DocumentRejected,
    DocumentRemoved,
    DocumentSuperseded,
    Envelope,
    EventCodec,
    ExtractionCompleted,
    ExtractionFailed,
    type_name,
)
from factfold.events.codec import StoredRecord
from factfold.events.schema import schema_version

from ..projection import Projection
from .facts import matches
from .inserts import row_groups
from .keyed import KeyedTable
from .schema import drop_named

#: whether a document (``d``) still has a path
LIVE = "EXISTS (SELECT 1 FROM paths p WHERE p.doc_id = d.doc_id)"

_UPSERT_EXTRACTION = "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?)"
_UNLINK = "DELETE FROM paths WHERE path = ?"
_UNREJECT = "DELETE FROM rejections WHERE path = ?"


@cache
def _table(sql: str) -> str:
    """The table a statement writes."""
    return re.search(r"\b(?:INTO|FROM)\s+(\w+)", sql)[1]  # type: ignore[index]


def _by_table(steps: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[str, list[Any]]]:
    """Statements as ``(sql, [args, ...])`` groups, for one ``executemany`` each (an
    INSERT's rows bound many at a time: :func:`.inserts.row_groups`).

    No statement of this view reads a table another one writes, so statements on different
    tables may run in any order: each table's keep their log order, and a chunk of events
    becomes a few groups instead of one per change of statement.
    """
    by_table: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
    for step in steps:
        by_table.setdefault(_table(step[0]), []).append(step)
    return [bound for table_steps in by_table.values()
            for sql, group in groupby(table_steps, key=itemgetter(0))
            for bound in row_groups(sql, [args for _, args in group])]


def _link(path: str, doc_id: str, pos: int) -> list[tuple[str, tuple[Any, ...]]]:
    """A path now holds this document (and is no longer a rejected file)."""
    return [("INSERT OR REPLACE INTO paths VALUES (?, ?, ?)", (path, doc_id, pos)),
            (_UNREJECT, (path,))]


class _Completed(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A stored ``extraction.completed`` payload, exactly."""

    doc_id: str
    extractor: str
    version: str
    fact_count: int


class _Added(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A stored ``document.added`` payload, exactly; its text skipped, not decoded."""

    doc_id: str
    path: str
    text: msgspec.Raw
    encoding: str
    size: int
    format: str = "text"
    reader: str | None = None
    title: str | None = None


def _added(e: DocumentAdded | _Added, pos: int) -> list[tuple[str, tuple[Any, ...]]]:
    return [("INSERT OR IGNORE INTO document_records VALUES (?, ?, ?, ?, ?, ?, ?)",
             (e.doc_id, pos, e.encoding, e.size, e.format, e.reader, e.title)),
            *_link(e.path, e.doc_id, pos)]


def _completed(e: ExtractionCompleted | _Completed,
               pos: int) -> list[tuple[str, tuple[Any, ...]]]:
    return [(_UPSERT_EXTRACTION, (e.doc_id, e.extractor, e.version, "completed",
                                  e.fact_count, None, pos))]


#: what a typed payload's decoder reads (a struct of the steps' own type) and its steps
_Typed = tuple[Callable[[bytes], Any], Callable[[Any, int], list[tuple[str, tuple[Any, ...]]]]]

#: the stored payloads the documents view reads without building events: most of its
#: events, and a document's text is most of a log's bytes
_TYPED: dict[tuple[str, int], _Typed] = {
    (type_name(cls), schema_version(cls)): (msgspec.msgpack.Decoder(typed).decode, steps)
    for cls, typed, steps in ((DocumentAdded, _Added, _added),
                              (ExtractionCompleted, _Completed, _completed))}


#: the tables whose key only resolves the fold's conflicts (see :mod:`.keyed`): a
#: document's first ``document.added`` stays, an extractor's last outcome replaces the others
_KEYED = (
    KeyedTable("document_records", "doc_id TEXT NOT NULL, position INTEGER NOT NULL, "
               "encoding TEXT NOT NULL, size INTEGER NOT NULL, format TEXT NOT NULL, "
               "reader TEXT, title TEXT", ("doc_id",), "IGNORE"),
    KeyedTable("extractions", "doc_id TEXT NOT NULL, extractor TEXT NOT NULL, "
               "version TEXT NOT NULL, status TEXT NOT NULL, facts INTEGER NOT NULL, "
               "reason TEXT, position INTEGER NOT NULL", ("doc_id", "extractor"), "REPLACE"),
)

#: the typed ``documents`` table (docs/views.md): one row per current path of a document
DOCUMENTS_TABLE = """
    CREATE VIEW IF NOT EXISTS documents AS
    SELECT d.doc_id, p.path, d.size, d.encoding, d.format, d.reader, d.title,
        CASE WHEN EXISTS (SELECT 1 FROM extractions e
                          WHERE e.doc_id = d.doc_id AND e.status = 'failed') THEN 'failed'
             WHEN EXISTS (SELECT 1 FROM extractions e WHERE e.doc_id = d.doc_id)
             THEN 'extracted'
             ELSE 'pending' END AS status,
        (SELECT COALESCE(SUM(e.facts), 0) FROM extractions e
         WHERE e.doc_id = d.doc_id) AS facts,
        d.position, p.since
    FROM paths p JOIN document_records d ON d.doc_id = p.doc_id;
"""


class DocumentsView(Projection):
    """Documents, the paths they live at, rejected files and extraction status."""

    name = "documents"
    #: 2: documents record the format, reader and title they were read with;
    #: 3: their rows are ``document_records``; ``documents`` is the typed table (a view)
    version = 3
    handles = frozenset(
        type_name(t)
        for t in (
            DocumentAdded, DocumentLinked, DocumentMoved, DocumentSuperseded, DocumentRemoved,
            DocumentRejected, ExtractionCompleted, ExtractionFailed,
        )
    )
    columns = ("doc_id", "paths", "format", "encoding", "size", "facts", "failed")

    def create(self, db: sqlite3.Connection) -> None:
        for table in _KEYED:
            table.create(db)
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS paths (
                path TEXT PRIMARY KEY, doc_id TEXT NOT NULL, since INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS rejections (
                path TEXT PRIMARY KEY, reason TEXT NOT NULL, sha256 TEXT, size INTEGER,
                position INTEGER NOT NULL);
            -- Written by the store, not folded: per extractor version, the position
            -- through which every document has an outcome.  It summarises this view,
            -- so it is dropped with it.
            CREATE TABLE IF NOT EXISTS extracted_through (
                extractor TEXT PRIMARY KEY, version TEXT NOT NULL,
                position INTEGER NOT NULL);
            """ + DOCUMENTS_TABLE)

    def loosen(self, db: sqlite3.Connection) -> None:
        for table in _KEYED:
            table.loosen(db)

    def create_indexes(self, db: sqlite3.Connection) -> None:
        for table in _KEYED:
            table.settle(db)
        # paths_doc: a document's paths; the position indexes: what came after a point.
        db.executescript(
            """
            CREATE INDEX IF NOT EXISTS paths_doc ON paths (doc_id, since);
            CREATE INDEX IF NOT EXISTS paths_since ON paths (since);
            CREATE INDEX IF NOT EXISTS documents_position ON document_records (position);
            """
        )

    def drop(self, db: sqlite3.Connection) -> None:
        drop_named(db, "documents")  # a table before version 3, a view since
        db.executescript(
            "DROP TABLE IF EXISTS document_records; DROP TABLE IF EXISTS paths;"
            "DROP TABLE IF EXISTS extracted_through;"
            "DROP TABLE IF EXISTS rejections; DROP TABLE IF EXISTS extractions;"
        )

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        for sql, args in self._statements(env):
            db.execute(sql, args)

    def apply_many(self, db: sqlite3.Connection, envelopes: Sequence[Envelope]) -> None:
        self.write_prepared(
            db, _by_table([step for env in envelopes for step in self._statements(env)]))

    @staticmethod
    def _statements(env: Envelope) -> list[tuple[str, tuple[Any, ...]]]:
        """The statements, in order, that fold one event into this view's tables."""
        e = env.payload
        pos = env.position
        if isinstance(e, DocumentAdded):
            return _added(e, pos)
        if isinstance(e, DocumentLinked):
            return _link(e.path, e.doc_id, pos)
        if isinstance(e, DocumentSuperseded):
            return _link(e.path, e.new_doc_id, pos)
        if isinstance(e, DocumentMoved):
            return [(_UNLINK, (e.old_path,)), *_link(e.new_path, e.doc_id, pos)]
        if isinstance(e, DocumentRemoved):
            return [(_UNLINK, (e.path,)), (_UNREJECT, (e.path,))]
        if isinstance(e, DocumentRejected):
            return [(_UNLINK, (e.path,)),
                    ("INSERT OR REPLACE INTO rejections VALUES (?, ?, ?, ?, ?)",
                     (e.path, e.reason, e.sha256, e.size, pos))]
        if isinstance(e, ExtractionCompleted):
            return _completed(e, pos)
        if isinstance(e, ExtractionFailed):
            return [(_UPSERT_EXTRACTION, (e.doc_id, e.extractor, e.version, "failed", 0,
                                          f"{e.error}: {e.reason}", pos))]
        return []

    def prepare_records(self, codec: EventCodec,
                        records: Sequence[tuple[int, StoredRecord]]) -> list[Any]:
        """The statements for these records; added documents and completed extractions
        (most of this view's events) are read straight from their stored payloads, the
        rest decoded."""
        steps: list[tuple[str, tuple[Any, ...]]] = []
        for position, record in records:
            typed = _TYPED.get((record[0], record[1]))
            if typed is not None:
                decode, statements = typed
                try:
                    o = decode(record[8])
                except msgspec.MsgspecError:
                    pass
                else:
                    steps += statements(o, position)
                    continue
            if record[0] in codec.registry:  # an unknown type: views leave it out
                steps += self._statements(codec.from_record(record, position))
        return _by_table(steps)

    def write_prepared(self, db: sqlite3.Connection, prepared: list[Any]) -> None:
        """Run the statements :func:`_by_table` grouped, a group per ``executemany``."""
        for sql, args in prepared:
            db.executemany(sql, args)

    def filter_fields(self) -> tuple[str, ...] | None:
        return ("doc_id", "path")

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        rows = self._rows(db, filters)
        if "path" in filters:  # a document's paths, or a rejected or failed file's path
            rows = [r for r in rows if matches(r.get("paths", r.get("path")), filters["path"])]
        return rows

    def _rows(self, db: sqlite3.Connection, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        if "rejected" in filters:
            return [
                {"path": path, "reason": reason, "sha256": sha, "size": size}
                for path, reason, sha, size in db.execute(
                    "SELECT path, reason, sha256, size FROM rejections ORDER BY position")
            ]
        if "failed" in filters:
            return [
                {"doc_id": d, "path": path, "extractor": f"{x}@{v}", "reason": r}
                for d, x, v, r, path in db.execute(
                    "SELECT doc_id, extractor, version, reason, (SELECT path FROM paths p "
                    "WHERE p.doc_id = e.doc_id ORDER BY since LIMIT 1) FROM extractions e "
                    "WHERE status = 'failed' ORDER BY position")
            ]
        rows = []
        sql = ("SELECT doc_id, encoding, size, format, reader, title FROM document_records d "
               f"WHERE {LIVE}")
        args: list[Any] = []
        if "doc_id" in filters:
            sql += " AND doc_id GLOB ?"
            args.append(filters["doc_id"].rstrip("*") + "*")
        for doc_id, encoding, size, fmt, reader, title in db.execute(
                sql + " ORDER BY position", args):
            paths = [p for (p,) in db.execute(
                "SELECT path FROM paths WHERE doc_id = ? ORDER BY since", (doc_id,))]
            facts, failed = db.execute(
                "SELECT COALESCE(SUM(facts), 0), "
                "COALESCE(GROUP_CONCAT(CASE WHEN status='failed' THEN extractor END), '') "
                "FROM extractions WHERE doc_id = ?", (doc_id,)).fetchone()
            rows.append({"doc_id": doc_id, "paths": paths, "format": fmt, "reader": reader,
                         "title": title, "encoding": encoding, "size": size, "facts": facts,
                         "failed": failed or None})
        return rows

    # -- what the store asks --------------------------------------------------------------

    @staticmethod
    def doc_at(db: sqlite3.Connection, path: str) -> str | None:
        """The document ``path`` holds now, if any."""
        row = db.execute("SELECT doc_id FROM paths WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def has_document(db: sqlite3.Connection, doc_id: str) -> bool:
        """Whether the document was ever added (its text is in the log)."""
        return db.execute("SELECT 1 FROM document_records WHERE doc_id = ?",
                          (doc_id,)).fetchone() is not None

    @staticmethod
    def paths(db: sqlite3.Connection) -> dict[str, str]:
        """Every live path and the document it holds."""
        return dict(db.execute("SELECT path, doc_id FROM paths"))

    @staticmethod
    def paths_between(db: sqlite3.Connection, low: str, high: str) -> dict[str, str]:
        """The live paths from ``low`` up to (not including) ``high``, and their documents."""
        return dict(db.execute("SELECT path, doc_id FROM paths WHERE path >= ? AND path < ?",
                               (low, high)))

    @staticmethod
    def rejection(db: sqlite3.Connection,
                  path: str) -> tuple[str | None, int | None, str] | None:
        """(sha256, size, reason) of the standing rejection of ``path``, if any."""
        row = db.execute("SELECT sha256, size, reason FROM rejections WHERE path = ?",
                         (path,)).fetchone()
        return tuple(row) if row else None

    @staticmethod
    def is_live(db: sqlite3.Connection, doc_id: str) -> bool:
        """Whether some path holds the document now."""
        return db.execute("SELECT 1 FROM paths WHERE doc_id = ? LIMIT 1",
                          (doc_id,)).fetchone() is not None

    @staticmethod
    def position(db: sqlite3.Connection, doc_id: str) -> int:
        """Where the log holds the document's ``document.added`` event (its text)."""
        return db.execute("SELECT position FROM document_records WHERE doc_id = ?",
                          (doc_id,)).fetchone()[0]

    @staticmethod
    def lacking(db: sqlite3.Connection, name: str, version: str, since: int = 0) -> list[str]:
        """Live documents, in log order, with no outcome of extractor ``name`` at
        ``version``, among those added or linked at ``since`` or later (the extractor's
        mark: see :meth:`mark_extracted`)."""
        return [d for (d,) in db.execute(
            "SELECT d.doc_id FROM document_records d WHERE d.doc_id IN "
            "(SELECT doc_id FROM document_records WHERE position >= :since "
            " UNION SELECT doc_id FROM paths WHERE since >= :since) "
            f"AND {LIVE} AND NOT EXISTS "
            "(SELECT 1 FROM extractions e WHERE e.doc_id = d.doc_id AND e.extractor = :name "
            "AND e.version = :version) ORDER BY d.position",
            {"since": since, "name": name, "version": version})]

    @staticmethod
    def failed(db: sqlite3.Connection, name: str, version: str) -> list[str]:
        """Live documents, in log order, whose outcome of extractor ``name`` at ``version``
        is a failure."""
        return [d for (d,) in db.execute(
            "SELECT e.doc_id FROM extractions e JOIN document_records d USING (doc_id) "
            f"WHERE e.extractor = ? AND e.version = ? AND e.status = 'failed' AND {LIVE} "
            "ORDER BY d.position", (name, version))]

    @staticmethod
    def has_outcome(db: sqlite3.Connection, doc_id: str, name: str, version: str) -> bool:
        """Whether extractor ``name`` at ``version`` has an outcome for the document."""
        return db.execute("SELECT 1 FROM extractions WHERE doc_id = ? AND extractor = ? "
                          "AND version = ?", (doc_id, name, version)).fetchone() is not None

    @staticmethod
    def marks(db: sqlite3.Connection) -> dict[tuple[str, str], int]:
        """Per (extractor, version), the position through which every document has an
        outcome (see :meth:`mark_extracted`)."""
        return {(n, v): p for n, v, p in db.execute(
            "SELECT extractor, version, position FROM extracted_through")}

    @staticmethod
    def mark_extracted(db: sqlite3.Connection, extractors: Iterable[tuple[str, str]],
                       position: int) -> None:
        """Remember that every document these views held up to ``position`` has an
        outcome for these (extractor, version)s.  Written by the store, not folded: it
        summarises this view, so it is dropped with it (and the next scan is a full one)."""
        db.executemany("INSERT OR REPLACE INTO extracted_through VALUES (?, ?, ?)",
                       [(name, version, position) for name, version in extractors])
