"""The built-in views: documents, and the facts of every kind.

``facts`` holds every fact of the current extractor versions, whatever its kind (plugins'
own kinds included), with the kind's key field indexed.  A fact is *current* while its
document still has a path: a removed or superseded file's facts drop out of queries and the
export, while the log keeps them.  The per-kind views (people, meetings, ...) are queries
over ``facts``; they own no tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

import attrs

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
    Fact,
    type_name,
)
from factfold.events.facts import _PROVENANCE  # the same split Fact.attributes makes

from .projection import Projection

LIVE = "EXISTS (SELECT 1 FROM paths p WHERE p.doc_id = {t}.doc_id)"

_INSERT_FACT = "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_DELETE_OUTDATED = "DELETE FROM facts WHERE doc_id = ? AND extractor GLOB ? AND position < ?"
#: one encoder for every row (json.dumps with options builds a new encoder per call)
_json = json.JSONEncoder(ensure_ascii=False).encode
_GLOB_CHARS = frozenset("*?[")
#: (kind, key field, kind-specific fields, every field) of a fact class
_Shape = tuple[str, str | None, tuple[str, ...], frozenset[str]]
_OUTCOME_FIELDS = {t.__event_type__: frozenset(f.name for f in attrs.fields(t))
                   for t in (ExtractionCompleted, ExtractionFailed)}


def _like(value: str) -> tuple[str, str]:
    """A filter value with ``*`` is a glob; otherwise an exact (indexed) match."""
    return ("GLOB", value) if "*" in value or "?" in value else ("=", value)


class DocumentsView(Projection):
    """Documents, the paths they live at, rejected files and extraction status."""

    name = "documents"
    handles = frozenset(
        type_name(t)
        for t in (
            DocumentAdded, DocumentLinked, DocumentMoved, DocumentSuperseded, DocumentRemoved,
            DocumentRejected, ExtractionCompleted, ExtractionFailed,
        )
    )
    columns = ("doc_id", "paths", "encoding", "size", "facts", "failed")

    def create(self, db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS documents (
                doc_id TEXT PRIMARY KEY, position INTEGER NOT NULL,
                encoding TEXT NOT NULL, size INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS paths (
                path TEXT PRIMARY KEY, doc_id TEXT NOT NULL, since INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS paths_doc ON paths (doc_id, since);
            CREATE TABLE IF NOT EXISTS rejections (
                path TEXT PRIMARY KEY, reason TEXT NOT NULL, sha256 TEXT, size INTEGER,
                position INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS extractions (
                doc_id TEXT NOT NULL, extractor TEXT NOT NULL, version TEXT NOT NULL,
                status TEXT NOT NULL, facts INTEGER NOT NULL, reason TEXT,
                position INTEGER NOT NULL, PRIMARY KEY (doc_id, extractor));
            """
        )

    def drop(self, db: sqlite3.Connection) -> None:
        db.executescript(
            "DROP TABLE IF EXISTS documents; DROP TABLE IF EXISTS paths;"
            "DROP TABLE IF EXISTS rejections; DROP TABLE IF EXISTS extractions;"
        )

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        e = env.payload
        pos = env.position
        if isinstance(e, DocumentAdded):
            db.execute("INSERT OR IGNORE INTO documents VALUES (?, ?, ?, ?)",
                       (e.doc_id, pos, e.encoding, e.size))
            self._link(db, e.path, e.doc_id, pos)
        elif isinstance(e, DocumentLinked):
            self._link(db, e.path, e.doc_id, pos)
        elif isinstance(e, DocumentSuperseded):
            self._link(db, e.path, e.new_doc_id, pos)
        elif isinstance(e, DocumentMoved):
            db.execute("DELETE FROM paths WHERE path = ?", (e.old_path,))
            self._link(db, e.new_path, e.doc_id, pos)
        elif isinstance(e, DocumentRemoved):
            db.execute("DELETE FROM paths WHERE path = ?", (e.path,))
            db.execute("DELETE FROM rejections WHERE path = ?", (e.path,))
        elif isinstance(e, DocumentRejected):
            db.execute("DELETE FROM paths WHERE path = ?", (e.path,))
            db.execute("INSERT OR REPLACE INTO rejections VALUES (?, ?, ?, ?, ?)",
                       (e.path, e.reason, e.sha256, e.size, pos))
        elif isinstance(e, ExtractionCompleted):
            db.execute(
                "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, 'completed', ?, NULL, ?)",
                (e.doc_id, e.extractor, e.version, e.fact_count, pos))
        elif isinstance(e, ExtractionFailed):
            db.execute("INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, 'failed', 0, ?, ?)",
                       (e.doc_id, e.extractor, e.version, f"{e.error}: {e.reason}", pos))

    @staticmethod
    def _link(db: sqlite3.Connection, path: str, doc_id: str, pos: int) -> None:
        db.execute("INSERT OR REPLACE INTO paths VALUES (?, ?, ?)", (path, doc_id, pos))
        db.execute("DELETE FROM rejections WHERE path = ?", (path,))

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str]) -> list[dict[str, Any]]:
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
        sql = f"SELECT doc_id, encoding, size FROM documents d WHERE {LIVE.format(t='d')}"
        args: list[Any] = []
        if "doc_id" in filters:
            sql += " AND doc_id GLOB ?"
            args.append(filters["doc_id"].rstrip("*") + "*")
        for doc_id, encoding, size in db.execute(sql + " ORDER BY position", args):
            paths = [p for (p,) in db.execute(
                "SELECT path FROM paths WHERE doc_id = ? ORDER BY since", (doc_id,))]
            facts, failed = db.execute(
                "SELECT COALESCE(SUM(facts), 0), "
                "COALESCE(GROUP_CONCAT(CASE WHEN status='failed' THEN extractor END), '') "
                "FROM extractions WHERE doc_id = ?", (doc_id,)).fetchone()
            rows.append({"doc_id": doc_id, "paths": paths, "encoding": encoding,
                         "size": size, "facts": facts, "failed": failed or None})
        return rows


class FactsView(Projection):
    """Every current fact, of every kind, keyed for fast lookups."""

    name = "facts"
    columns = ("kind", "doc_id", "extractor", "evidence")

    def create(self, db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS facts (
                position INTEGER PRIMARY KEY, kind TEXT NOT NULL, doc_id TEXT NOT NULL,
                extractor TEXT NOT NULL, key TEXT, span_start INTEGER NOT NULL,
                span_end INTEGER NOT NULL, evidence TEXT NOT NULL, data TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS facts_key ON facts (kind, key);
            CREATE INDEX IF NOT EXISTS facts_doc ON facts (doc_id, extractor);
            """
        )

    def drop(self, db: sqlite3.Connection) -> None:
        db.execute("DROP TABLE IF EXISTS facts")

    def __init__(self) -> None:
        #: per fact class, its kind-specific field names (as Fact.attributes gives them)
        self._names: dict[type, tuple[str, ...] | None] = {}
        self._shapes: dict[type, _Shape | None] = {}

    def _attributes(self, fact: Fact) -> dict[str, Any]:
        """``fact.attributes()``, without walking ``attrs.fields`` for every fact."""
        cls = type(fact)
        names = self._names.get(cls, ())
        if names == ():
            # A plugin's fact class may override attributes(): then always ask it.
            names = (None if cls.attributes is not Fact.attributes
                     else tuple(f.name for f in attrs.fields(cls) if f.name not in _PROVENANCE))
            self._names[cls] = names
        if names is None:
            return fact.attributes()
        out = {}
        for name in names:
            value = getattr(fact, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def _row(self, env: Envelope, e: Fact) -> tuple[Any, ...]:
        data = self._attributes(e)
        key_field = e.key_field or next(iter(data), None)
        key = data.get(key_field) if key_field else None
        return (env.position, e.kind, e.doc_id, e.extractor, None if key is None else str(key),
                e.span[0], e.span[1], e.evidence, _json(data))

    @staticmethod
    def _outdated(doc_id: str, extractor: str, fact_count: int, position: int
                  ) -> tuple[Any, ...]:
        """The DELETE arguments for facts an extraction outcome at ``position`` replaces.

        Facts come in the same batch as their completion marker, just before it; any older
        facts of this extractor for this document are from an earlier run.
        """
        return (doc_id, f"{extractor}@*", position - fact_count)

    def _outcome(self, e: ExtractionCompleted | ExtractionFailed, position: int
                 ) -> tuple[Any, ...]:
        count = e.fact_count if isinstance(e, ExtractionCompleted) else 0
        return self._outdated(e.doc_id, e.extractor, count, position)

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        e = env.payload
        if isinstance(e, Fact):
            db.execute(_INSERT_FACT, self._row(env, e))
        elif isinstance(e, ExtractionCompleted | ExtractionFailed):
            db.execute(_DELETE_OUTDATED, self._outcome(e, env.position))

    def apply_many(self, db: sqlite3.Connection, envelopes: Sequence[Envelope]) -> None:
        steps = []
        for env in envelopes:
            e = env.payload
            if isinstance(e, Fact):
                steps.append((False, self._row(env, e)))
            elif isinstance(e, ExtractionCompleted | ExtractionFailed):
                steps.append((True, self._outcome(e, env.position)))
        self._fold(db, steps)

    def _shape(self, cls: type) -> _Shape | None:
        """How to make a row straight from a stored payload map, for factfold's own fact
        kinds: (kind, key field, kind-specific fields, every field).  ``None`` for other
        classes (a plugin's kind may convert its fields or override ``attributes()``)."""
        if cls not in self._shapes:
            shape = None
            if (issubclass(cls, Fact) and cls.__module__ == Fact.__module__
                    and cls.attributes is Fact.attributes):
                every = tuple(f.name for f in attrs.fields(cls))
                own = tuple(n for n in every if n not in _PROVENANCE)
                key_field = cls.key_field or next(iter(own), None)
                shape = (cls.kind, key_field, own, frozenset(every))
            self._shapes[cls] = shape
        return self._shapes[cls]

    def apply_records(self, db: sqlite3.Connection, codec: EventCodec,
                      records: Sequence[tuple[int, list[Any]]]) -> None:
        """Replay's fast path: rows made from the decoded maps, no event objects built.

        An upcast record, or one whose fields do not match the class, goes through the
        codec's full decoding instead, so the rows are exactly what :meth:`apply` makes.
        """
        registry = codec.registry
        completed, failed = ExtractionCompleted.__event_type__, ExtractionFailed.__event_type__
        steps = []
        for position, record in records:
            name = record[0]
            if name not in registry:
                continue  # an unknown type: views leave it out
            cls = registry.get(name)
            data = record[8]
            current = record[1] == cls.__schema_version__
            if name in (completed, failed):
                if current and data.keys() == _OUTCOME_FIELDS[name]:
                    steps.append((True, self._outdated(
                        data["doc_id"], data["extractor"], data.get("fact_count", 0), position)))
                else:
                    steps.append((True, self._outcome(
                        codec.from_record(record, position).payload, position)))
                continue
            shape = self._shape(cls)
            if shape is None:
                if issubclass(cls, Fact):
                    env = codec.from_record(record, position)
                    steps.append((False, self._row(env, env.payload)))
                continue
            kind, key_field, own, every = shape
            if not current or data.keys() != every:
                env = codec.from_record(record, position)
                steps.append((False, self._row(env, env.payload)))
                continue
            values = {n: data[n] for n in own}
            key = values.get(key_field) if key_field else None
            span = data["span"]
            steps.append((False, (position, kind, data["doc_id"], data["extractor"],
                                  None if key is None else str(key), int(span[0]),
                                  int(span[1]), data["evidence"], _json(values))))
        self._fold(db, steps)

    @staticmethod
    def _fold(db: sqlite3.Connection, steps: Sequence[tuple[bool, tuple[Any, ...]]]) -> None:
        """Write inserts (``False``, row) and deletes (``True``, args) with two
        ``executemany`` calls instead of a statement per event.

        Deletes run before the buffered inserts, so they must never be meant for a buffered
        row: when one could be (a re-extraction whose older facts are still in the buffer),
        the buffer is written first.  Normally none is: a run's facts sit in its own batch,
        just before its marker, where ``position >= first_of_batch`` keeps them.
        """
        rows: list[tuple[Any, ...]] = []
        deletes: list[tuple[Any, ...]] = []
        # doc_id -> {extractor: lowest buffered position}
        buffered: dict[str, dict[str, int]] = {}

        def flush() -> None:
            db.executemany(_DELETE_OUTDATED, deletes)
            db.executemany(_INSERT_FACT, rows)
            deletes.clear()
            rows.clear()
            buffered.clear()

        for is_delete, args in steps:
            if not is_delete:
                rows.append(args)
                lowest = buffered.setdefault(args[2], {})
                if args[3] not in lowest:
                    lowest[args[3]] = args[0]
                continue
            doc_id, pattern, first = args
            prefix = pattern[:-1]  # "name@"
            if _GLOB_CHARS.intersection(prefix) or any(
                x.startswith(prefix) and position < first
                for x, position in buffered.get(doc_id, {}).items()
            ):
                flush()
            deletes.append(args)
        flush()

    def rows(
        self, db: sqlite3.Connection, kind: str | None = None, filters: Mapping[str, str] = {},
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Current facts as export records, in log order (the first ``limit`` of them)."""
        sql = (
            "SELECT f.kind, f.doc_id, f.extractor, f.span_start, f.span_end, f.evidence, f.data,"
            " (SELECT path FROM paths p WHERE p.doc_id = f.doc_id ORDER BY since LIMIT 1)"
            f" FROM facts f WHERE {LIVE.format(t='f')}"
        )
        args: list[Any] = []
        if kind is not None:
            sql += " AND f.kind = ?"
            args.append(kind)
        for field, value in filters.items():
            if field == "doc_id":
                sql += " AND f.doc_id GLOB ?"
                args.append(value.rstrip("*") + "*")
            elif field == "key":
                op, operand = _like(value)
                sql += f" AND f.key {op} ?"
                args.append(operand)
            else:
                op, operand = _like(value)
                sql += f" AND json_extract(f.data, ?) {op} ?"
                args += [f"$.{field}", operand]
        sql += " ORDER BY f.position"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        for kind_, doc_id, extractor, start, end, evidence, data, source in db.execute(
            sql, args
        ):
            yield {"kind": kind_, "source": source, "doc_id": doc_id, "extractor": extractor,
                   "span": [start, end], "evidence": evidence, **json.loads(data)}

    def kinds(self, db: sqlite3.Connection) -> list[str]:
        return [k for (k,) in db.execute("SELECT DISTINCT kind FROM facts ORDER BY kind")]

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
              limit: int | None = None) -> list[dict[str, Any]]:
        return list(self.facts.rows(db, self.kind, self._filters(filters), limit))


class PeopleView(FactKindView):
    """People with every post the documents give them, gathered across documents."""

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str],
              limit: int | None = None) -> list[dict[str, Any]]:
        people: dict[str, dict[str, Any]] = {}
        for r in self.facts.rows(db, self.kind, self._filters(filters)):
            person = people.setdefault(
                r["name"], {"name": r["name"], "posts": [], "documents": [], "aliases": []})
            post = " ".join(x for x in (r.get("organization"), r.get("title")) if x)
            if post and post not in person["posts"]:
                person["posts"].append(post)
            if r["source"] not in person["documents"]:
                person["documents"].append(r["source"])
            for alias in r.get("aliases") or ():
                if alias not in person["aliases"]:
                    person["aliases"].append(alias)
        return list(people.values())[:limit]


def builtin_views() -> list[Projection]:
    """The views every store has."""
    facts = FactsView()
    return [
        DocumentsView(),
        facts,
        PeopleView(facts, "person", "people", "name", ("name", "posts", "documents")),
        FactKindView(facts, "meeting", "meetings", "name",
                     ("name", "date", "location", "organizers", "source")),
        FactKindView(facts, "agreement", "agreements", "title",
                     ("title", "parties", "date", "term", "source")),
        FactKindView(facts, "statistic", "statistics", "unit",
                     ("text", "value", "unit", "approx", "source")),
    ]
