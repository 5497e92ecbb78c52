"""The built-in views: documents, and the facts of every kind.

``facts`` holds every fact of the current extractor versions, whatever its kind (plugins'
own kinds included), with the kind's key field indexed; ``fact_bodies`` holds their
fields.  A fact is *current* while its document still has a path: a removed or superseded
file's facts drop out of queries and the export, while the log keeps them.  The per-kind
views (people, meetings, ...) are queries over ``facts``; they own no tables.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from functools import cache
from itertools import groupby, islice
from operator import itemgetter
from typing import Any, ClassVar

import attrs
import msgspec

from factfold.events import (
    BUILTIN_TYPES,
    DocumentAdded,
    DocumentLinked,
    DocumentMoved,
    DocumentRejected,
    DocumentRemoved,
    DocumentSuperseded,
    Envelope,
    EventCodec,
    EventRegistry,
    ExtractionCompleted,
    ExtractionFailed,
    Fact,
    type_name,
)
from factfold.events.codec import StoredRecord, encode_payload
from factfold.events.facts import (  # the same split Fact.attributes makes
    _PROVENANCE,
    ASSESSMENT,
)

from .projection import Projection
from .runs import RUNS_SCHEMA, record_runs
from .tables import FactTablesView
from .tables.schema import drop_named

LIVE = "EXISTS (SELECT 1 FROM paths p WHERE p.doc_id = {t}.doc_id)"

_INSERT_KEY = "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?)"
#: facts' keys are written this many rows per statement: binding a row costs less that way
KEYS_PER_INSERT = 200
_INSERT_KEYS = "INSERT OR REPLACE INTO facts VALUES " + ", ".join(
    ["(?, ?, ?, ?)"] * KEYS_PER_INSERT)
_INSERT_BODY = "INSERT OR REPLACE INTO fact_bodies VALUES (?, ?, ?, ?)"

_read_items = msgspec.msgpack.Decoder(list[msgspec.Raw]).decode
_unpack = msgspec.msgpack.Decoder(dict[str, Any]).decode


@cache
def _own_fields(cls: type[Fact]) -> tuple[str, ...]:
    """A fact class's own fields (not its provenance or confidence), in the order it
    declares them."""
    return tuple(f.name for f in attrs.fields(cls)
                 if f.name not in _PROVENANCE and f.name not in ASSESSMENT)


def _key_field(cls: type[Fact]) -> str | None:
    """The field a fact class is looked up by: its ``key_field``, else its first own one."""
    own = _own_fields(cls)
    return cls.key_field or (own[0] if own else None)


@cache
def _field_order(kind: str) -> tuple[str, ...] | None:
    """A fact kind's own fields in the order its class declares them, if it is loaded."""
    classes = list(Fact.__subclasses__())
    while classes:
        cls = classes.pop()
        if cls.kind == kind and attrs.has(cls):
            return _own_fields(cls)
        classes += cls.__subclasses__()
    return None


#: what every fact can be filtered on besides its own fields
PROVENANCE_FILTERS = ("source", "doc_id", "extractor", "evidence")


def kind_fields(kind: str) -> tuple[str, ...]:
    """A fact kind's own fields (empty if no loaded class declares the kind)."""
    return _field_order(kind) or ()


def _in_class_order(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A fact's own fields as its class orders them (msgspec stores an attrs instance's
    fields in an order of its own); any others after them."""
    order = _field_order(kind)
    if order is None:
        return fields
    ordered = {name: fields.pop(name) for name in order if name in fields}
    ordered.update(fields)
    return ordered


#: facts read per page: their bodies are fetched with one query per page
_PAGE = 256


def _with_fields(db: sqlite3.Connection,
                 page: list[tuple[int, str, int, str]]) -> Iterator[tuple[str, Any, str]]:
    """(kind, fields, source) for a page of (position, kind, body start, source)."""
    starts = list(dict.fromkeys(start for _, _, start, _ in page))
    bodies = dict(db.execute(
        f"SELECT start, data FROM fact_bodies WHERE start IN ({', '.join('?' * len(starts))})",
        starts))
    items = {start: _read_items(data) for start, data in bodies.items()}
    for position, kind, start, source in page:
        yield kind, _unpack(items[start][position - start]), source


def _body(items: Sequence[Any]) -> bytes:
    """Facts' encoded fields as one msgpack array.  Always the 32-bit array header, so
    that bodies can be joined without decoding them (:func:`_joined`)."""
    return b"\xdd" + len(items).to_bytes(4, "big") + b"".join(items)


def _joined(first: bytes, then: bytes) -> bytes:
    count = int.from_bytes(first[1:5], "big") + int.from_bytes(then[1:5], "big")
    return b"\xdd" + count.to_bytes(4, "big") + first[5:] + then[5:]


#: a fact as both folding paths see it: (position, kind, doc_id, key, encoded fields)
_Fact = tuple[int, str, str, str | None, Any]


def _gathered(facts: list[_Fact]) -> tuple[list[list[Any]], list[tuple[Any, ...]],
                                            list[tuple[Any, ...]]]:
    """Facts (in log order) as the rows to write: their keys (with their body's start),
    :data:`KEYS_PER_INSERT` rows to a flat list, the keys left over, and their bodies,
    one per stretch of consecutive positions of the same document."""
    keys: list[Any] = []
    bodies: list[tuple[Any, ...]] = []
    items: list[Any] = []
    start = following = -1
    doc = None
    for position, kind, doc_id, key, data in facts:
        if position != following or doc_id != doc:
            if items:
                bodies.append((start, following, doc, _body(items)))
            start, doc, items = position, doc_id, []
        keys += (position, kind, key, start)
        items.append(data)
        following = position + 1
    if items:
        bodies.append((start, following, doc, _body(items)))
    width = 4 * KEYS_PER_INSERT
    whole = len(keys) - len(keys) % width
    groups = [keys[i:i + width] for i in range(0, whole, width)]
    rest = [tuple(keys[i:i + 4]) for i in range(whole, len(keys), 4)]
    return groups, rest, bodies


#: (schema version, fact kind or None for an outcome, key field, payload decoder)
_Reader = tuple[int, str | None, str | None, Callable[[Any], Any]]
_IGNORED: _Reader = (-1, None, None, lambda raw: None)
_UNSEEN = object()


_UPSERT_EXTRACTION = "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?)"
_UNLINK = "DELETE FROM paths WHERE path = ?"
_UNREJECT = "DELETE FROM rejections WHERE path = ?"


@cache
def _table(sql: str) -> str:
    """The table a statement writes."""
    return re.search(r"\b(?:INTO|FROM)\s+(\w+)", sql)[1]  # type: ignore[index]


def _by_table(steps: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[str, list[Any]]]:
    """Statements as ``(sql, [args, ...])`` groups, for one ``executemany`` each.

    No statement of this view reads a table another one writes, so statements on different
    tables may run in any order: each table's keep their log order, and a chunk of events
    becomes a few groups instead of one per change of statement.
    """
    by_table: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
    for step in steps:
        by_table.setdefault(_table(step[0]), []).append(step)
    return [(sql, [args for _, args in group])
            for table_steps in by_table.values()
            for sql, group in groupby(table_steps, key=itemgetter(0))]


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


#: the stored payloads the documents view reads without building events: most of its
#: events, and a document's text is most of a log's bytes
_TYPED = {(cls.__event_type__, cls.__schema_version__): (msgspec.msgpack.Decoder(typed).decode,
                                                          steps)
          for cls, typed, steps in ((DocumentAdded, _Added, _added),
                                    (ExtractionCompleted, _Completed, _completed))}


class _Outcome(msgspec.Struct, gc=False):
    """What the facts view reads of an extraction outcome (a failure has no facts)."""

    doc_id: str
    extractor: str
    fact_count: int = 0


_read_outcome = msgspec.msgpack.Decoder(_Outcome).decode


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


def _is_glob(value: str) -> bool:
    return "*" in value or "?" in value


def _like(value: str) -> tuple[str, str]:
    """A filter value with ``*`` is a glob; otherwise an exact (indexed) match."""
    return ("GLOB", value) if _is_glob(value) else ("=", value)


def _matches(value: Any, wanted: str) -> bool:
    """Whether a fact's field matches a filter value: as text (a glob with ``*`` or
    ``?``, case-sensitive like SQLite's GLOB), a number by its value, a list by any item."""
    if isinstance(value, list):
        return any(_matches(item, wanted) for item in value)
    if value is None:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return value == float(wanted)
        except ValueError:
            pass
    text = str(value)
    return fnmatchcase(text, wanted) if _is_glob(wanted) else text == wanted


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
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS document_records (
                doc_id TEXT PRIMARY KEY, position INTEGER NOT NULL,
                encoding TEXT NOT NULL, size INTEGER NOT NULL, format TEXT NOT NULL,
                reader TEXT, title TEXT);
            CREATE TABLE IF NOT EXISTS paths (
                path TEXT PRIMARY KEY, doc_id TEXT NOT NULL, since INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS rejections (
                path TEXT PRIMARY KEY, reason TEXT NOT NULL, sha256 TEXT, size INTEGER,
                position INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS extractions (
                doc_id TEXT NOT NULL, extractor TEXT NOT NULL, version TEXT NOT NULL,
                status TEXT NOT NULL, facts INTEGER NOT NULL, reason TEXT,
                position INTEGER NOT NULL, PRIMARY KEY (doc_id, extractor));
            -- Written by the store, not folded: per extractor version, the position
            -- through which every document has an outcome.  It summarises this view,
            -- so it is dropped with it.
            CREATE TABLE IF NOT EXISTS extracted_through (
                extractor TEXT PRIMARY KEY, version TEXT NOT NULL,
                position INTEGER NOT NULL);
            """ + DOCUMENTS_TABLE)

    def create_indexes(self, db: sqlite3.Connection) -> None:
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
            rows = [r for r in rows if _matches(r.get("paths", r.get("path")), filters["path"])]
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
               f"WHERE {LIVE.format(t='d')}")
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


class FactsView(Projection):
    """Every current fact, of every kind, keyed for fast lookups.

    ``facts`` has a narrow row per fact, what queries find it by: position, kind, key.
    Its fields live in ``fact_bodies``, one row per stretch of consecutive facts of a
    document (in practice, an extraction run), as a msgpack array of the payloads the log
    stores: a replay copies a run's payloads as they are, instead of decoding, re-encoding
    and binding every fact.  A fact's body is the last one starting at or before it.

    ``fact_runs`` remembers, per (document, extractor), the positions of its current run's
    facts: a run's facts sit in one batch just before its outcome marker, so they are the
    positions ``[marker - fact_count, marker)``.  A newer outcome replaces the row and
    deletes the older run's facts and bodies by that position range, without an index
    over ``(doc_id, extractor)`` that every fact would have to update.
    """

    name = "facts"
    version = 7
    columns = ("kind", "doc_id", "extractor", "evidence")

    def __init__(self) -> None:
        self._readers: dict[str, _Reader | None] = {}

    def create(self, db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS facts (
                position INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT,
                body INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS fact_bodies (
                start INTEGER PRIMARY KEY, stop INTEGER NOT NULL, doc_id TEXT NOT NULL,
                data BLOB NOT NULL);
            """ + RUNS_SCHEMA.format(table="fact_runs"))

    def create_indexes(self, db: sqlite3.Connection) -> None:
        # Entries of one key are in position order: a page of a common key needs no sort.
        # The key first: the few kinds tie nearly every comparison of the index's sort,
        # and a tie costs SQLite its slow comparison (1M facts: 0.63 s -> 0.46 s).
        db.execute("CREATE INDEX IF NOT EXISTS facts_key ON facts (key, kind)")

    def drop(self, db: sqlite3.Connection) -> None:
        db.executescript("DROP TABLE IF EXISTS facts; DROP TABLE IF EXISTS fact_bodies;"
                         "DROP TABLE IF EXISTS fact_runs;")

    @staticmethod
    def _fact(position: int, e: Fact) -> _Fact:
        """A fact as :func:`_gathered` takes it.  A kind that overrides ``attributes()`` is
        stored as provenance plus what that returns; any other as its fields, which is
        what the log stores."""
        if type(e).attributes is Fact.attributes:
            data = encode_payload(e)
            key_field = _key_field(type(e))
            key = getattr(e, key_field) if key_field else None
        else:
            fields = {"span": e.span, "evidence": e.evidence, "doc_id": e.doc_id,
                      "extractor": e.extractor, **e.attributes(), "confidence": e.confidence}
            data = encode_payload(fields)
            key_field = e.key_field or next((k for k in fields if k not in _PROVENANCE), None)
            key = fields.get(key_field) if key_field else None
        return (position, e.kind, e.doc_id, None if key is None else str(key), data)

    @staticmethod
    def _run(e: ExtractionCompleted | ExtractionFailed, position: int) -> tuple[Any, ...]:
        count = e.fact_count if isinstance(e, ExtractionCompleted) else 0
        return (e.doc_id, e.extractor, position - count, position)

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        self.apply_many(db, (env,))

    def apply_many(self, db: sqlite3.Connection, envelopes: Sequence[Envelope]) -> None:
        facts, runs = [], []
        for env in envelopes:
            e = env.payload
            if isinstance(e, Fact):
                facts.append(self._fact(env.position, e))
            elif isinstance(e, ExtractionCompleted | ExtractionFailed):
                runs.append(self._run(e, env.position))
        self.write_prepared(db, (*_gathered(facts), runs))

    def _reader(self, registry: EventRegistry, name: str) -> _Reader | None:
        """How :meth:`prepare_records` reads records of type ``name``: the current schema
        version, the fact kind (``None`` for an outcome), the key field, and a decoder that
        checks a stored payload has exactly the class's fields and reads the few the row
        needs.  Factfold's own fact kinds and the outcomes have one; a plugin's fact kind
        has none (it may convert fields or override ``attributes()``, so its rows go
        through the event objects); other types are :data:`_IGNORED`."""
        if name not in registry:
            return _IGNORED  # an unknown type: views leave it out
        cls = registry.get(name)
        if cls in (ExtractionCompleted, ExtractionFailed):
            return (cls.__schema_version__, None, None, _read_outcome)
        if not issubclass(cls, Fact):
            return _IGNORED
        if cls.__module__ != Fact.__module__ or cls.attributes is not Fact.attributes:
            return None
        every = attrs.fields(cls)
        key_field = _key_field(cls)
        # The row reads doc_id and the key; the other fields only have to be there (Raw:
        # skipped, not built).  Anything else fails to decode and takes the full decoding.
        read = {"doc_id": str, key_field: str | None}
        stored = msgspec.defstruct(f"{cls.__name__}Stored",
                                   [(f.name, read.get(f.name, msgspec.Raw)) for f in every],
                                   forbid_unknown_fields=True, gc=False)
        return (cls.__schema_version__, cls.kind, key_field,
                msgspec.msgpack.Decoder(stored).decode)

    def prepare_records(self, codec: EventCodec,
                        records: Sequence[tuple[int, StoredRecord]]) -> Any:
        """Replay's fast path: a fact's stored payload goes into its body as it is, checked
        and read without building event objects.  A record at an older schema version, or
        whose fields do not match its class, goes through the codec's full decoding
        instead, so the rows are exactly what :meth:`apply` makes."""
        readers = self._readers
        facts: list[_Fact] = []
        runs = []
        for position, record in records:
            name = record[0]
            reader = readers.get(name, _UNSEEN)
            if reader is _UNSEEN:
                reader = readers[name] = self._reader(codec.registry, name)
            if reader is _IGNORED:
                continue
            if reader is not None and record[1] == reader[0]:
                _, kind, key_field, decode = reader
                try:
                    f = decode(record[8])
                except msgspec.MsgspecError:
                    pass
                else:
                    if kind is None:
                        runs.append((f.doc_id, f.extractor, position - f.fact_count, position))
                    else:
                        facts.append((position, kind, f.doc_id,
                                      getattr(f, key_field) if key_field else None, record[8]))
                    continue
            payload = codec.from_record(record, position).payload
            if isinstance(payload, Fact):
                facts.append(self._fact(position, payload))
            elif isinstance(payload, ExtractionCompleted | ExtractionFailed):
                runs.append(self._run(payload, position))
        return (*_gathered(facts), runs)

    def write_prepared(self, db: sqlite3.Connection, prepared: Any) -> None:
        """Facts first, then the runs in log order: a run only ever deletes the run before
        it, which is already written."""
        groups, rest, bodies, runs = prepared
        db.executemany(_INSERT_KEYS, groups)
        db.executemany(_INSERT_KEY, rest)
        if bodies:
            db.executemany(_INSERT_BODY, self._continued(db, bodies))
        self._write_runs(db, runs)

    @staticmethod
    def _write_runs(db: sqlite3.Connection, runs: list[Any]) -> None:
        """Record the runs; a run that replaces an older one of its (document, extractor)
        deletes that run's facts and bodies."""
        def forget(start: int, stop: int) -> None:
            db.execute("DELETE FROM facts WHERE position >= ? AND position < ?", (start, stop))
            db.execute("DELETE FROM fact_bodies WHERE start >= ? AND start < ?", (start, stop))

        record_runs(db, "fact_runs", runs, forget)

    @staticmethod
    def _continued(db: sqlite3.Connection, bodies: list[Any]) -> list[Any]:
        """The bodies to insert, the first one joined to the stored body it continues
        (facts folded one at a time, or a stretch cut by a chunk), its facts moved to it:
        stretches are the same however the log was handed over."""
        start, stop, doc_id, data = bodies[0]
        before = db.execute("SELECT start, stop, doc_id, data FROM fact_bodies "
                            "WHERE start < ? ORDER BY start DESC LIMIT 1", (start,)).fetchone()
        if before is None or before[1] != start or before[2] != doc_id:
            return bodies
        db.execute("UPDATE facts SET body = ? WHERE position >= ? AND position < ?",
                   (before[0], start, stop))
        return [(before[0], stop, doc_id, _joined(before[3], data)), *bodies[1:]]

    def rows(
        self, db: sqlite3.Connection, kind: str | None = None, filters: Mapping[str, str] = {},
        limit: int | None = None, min_confidence: float | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Current facts as export records, in log order (the first ``limit`` of them).

        The ``key`` filter and ``doc_id`` go through indexes; any other field is matched
        here, against the decoded fact (a list field matches if one of its items does).
        With ``min_confidence``, only facts whose extractor gave them at least that
        confidence (a fact without one does not pass).
        """
        sql = ("SELECT f.position, f.kind, b.start,"
               " (SELECT path FROM paths p WHERE p.doc_id = b.doc_id ORDER BY since LIMIT 1)"
               " FROM facts f JOIN fact_bodies b ON b.start = f.body")
        args: list[Any] = []
        if "doc_id" in filters:
            # A document's facts are its runs' position ranges: no index over doc_id needed.
            sql += (" JOIN fact_runs r ON f.position >= r.start AND f.position < r.stop"
                    " AND r.doc_id GLOB ?")
            args.append(filters["doc_id"].rstrip("*") + "*")
        sql += f" WHERE {LIVE.format(t='b')}"
        if kind is not None:
            sql += " AND f.kind = ?"
            args.append(kind)
        if "key" in filters:
            op, operand = _like(filters["key"])
            sql += f" AND f.key {op} ?"
            args.append(operand)
        fields_wanted = {f: v for f, v in filters.items() if f not in ("doc_id", "key")}
        sql += " ORDER BY f.position"
        if limit is not None and not fields_wanted and min_confidence is None:
            sql += " LIMIT ?"
            args.append(limit)
        found = 0
        cursor = db.execute(sql, args)
        while page := cursor.fetchmany(_PAGE):
            for kind_, fields, source in _with_fields(db, page):
                if not all(_matches(source if f == "source" else fields.get(f), v)
                           for f, v in fields_wanted.items()):
                    continue
                if min_confidence is not None and (
                        fields.get("confidence") is None or fields["confidence"] < min_confidence):
                    continue
                yield {"kind": kind_, "source": source, "doc_id": fields.pop("doc_id"),
                       "extractor": fields.pop("extractor"), "span": fields.pop("span"),
                       "evidence": fields.pop("evidence"), **_in_class_order(kind_, fields)}
                found += 1
                if found == limit:
                    return

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        kind = filters.get("kind")
        rest = {k: v for k, v in filters.items() if k != "kind"}
        return list(self.rows(db, kind, rest))


class FactKindView(Projection):
    """A query-only view of one fact kind over the ``facts`` table."""

    handles: ClassVar[frozenset[str] | None] = frozenset()

    def __init__(self, facts: FactsView, kind: str, name: str,
                 key_field: str | None, columns: tuple[str, ...]) -> None:
        self.facts = facts
        self.kind = kind
        self.name = name  # type: ignore[misc]
        self.key_field = key_field
        self.columns = columns  # type: ignore[misc]

    def create(self, db: sqlite3.Connection) -> None:
        pass

    def drop(self, db: sqlite3.Connection) -> None:
        pass

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        pass

    def _filters(self, filters: Mapping[str, str]) -> dict[str, str]:
        # The key field goes through the indexed column.
        return {("key" if k == self.key_field else k): v for k, v in filters.items()}

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str],
              limit: int | None = None,
              min_confidence: float | None = None) -> list[dict[str, Any]]:
        return list(self.facts.rows(db, self.kind, self._filters(filters), limit,
                                    min_confidence))

    def filter_fields(self) -> tuple[str, ...] | None:
        return (*kind_fields(self.kind), *PROVENANCE_FILTERS)


class PeopleView(FactKindView):
    """People with every post the documents give them, gathered across documents."""

    #: fields of the gathered rows, matched after gathering (the rest select facts)
    GATHERED = ("posts", "documents")

    def filter_fields(self) -> tuple[str, ...] | None:
        return (*kind_fields(self.kind), *self.GATHERED, *PROVENANCE_FILTERS)

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str],
              limit: int | None = None,
              min_confidence: float | None = None) -> list[dict[str, Any]]:
        gathered = {f: v for f, v in filters.items() if f in self.GATHERED}
        per_fact = {f: v for f, v in filters.items() if f not in gathered}
        # Each list as the keys of a dict: in first-seen order, without a scan per fact
        # (a common name has hundreds of facts).
        people: dict[str, dict[str, dict[str, None]]] = {}
        for r in self.facts.rows(db, self.kind, self._filters(per_fact),
                                 min_confidence=min_confidence):
            person = people.get(r["name"])
            if person is None:
                person = people[r["name"]] = {"posts": {}, "documents": {}, "aliases": {}}
            post = " ".join(x for x in (r.get("organization"), r.get("title")) if x)
            if post:
                person["posts"][post] = None
            person["documents"][r["source"]] = None
            person["aliases"].update(dict.fromkeys(r.get("aliases") or ()))
        rows = ({"name": name, **{k: list(v) for k, v in lists.items()}}
                for name, lists in people.items())
        return list(islice((r for r in rows
                            if all(_matches(r[f], v) for f, v in gathered.items())), limit))


def builtin_views(registry: EventRegistry | None = None) -> list[Projection]:
    """The views every store has; the typed tables for the fact kinds of ``registry``
    (default: factfold's own)."""
    facts = FactsView()
    return [
        DocumentsView(),
        facts,
        FactTablesView(registry if registry is not None else EventRegistry(BUILTIN_TYPES)),
        PeopleView(facts, "person", "people", "name", ("name", "posts", "documents")),
        FactKindView(facts, "meeting", "meetings", "name",
                     ("name", "date", "location", "organizers", "source")),
        FactKindView(facts, "agreement", "agreements", "title",
                     ("title", "parties", "date", "term", "source")),
        FactKindView(facts, "statistic", "statistics", "unit",
                     ("text", "value", "unit", "approx", "source")),
    ]
