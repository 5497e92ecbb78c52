"""The typed fact tables' projection: every fact into its kind's tables, and into search.

Replay's fast path (:meth:`FactTablesView.prepare_records`) reads a factfold fact's stored
payload as a plain map, checked against its class's field names, without building the
event; a plugin's kind, or a record at an older schema version, goes through the codec's
full decoding, so the rows are exactly what live folding (:meth:`FactTablesView.apply`)
makes.  The tables hold the facts of each (document, extractor)'s current run
(:mod:`factfold.runs`); the public tables, SQL views over them, show those of documents
that still have a path.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import msgspec

from factfold.events import (
    DocumentAdded,
    Envelope,
    EventCodec,
    ExtractionCompleted,
    ExtractionFailed,
    Fact,
    type_name,
)
from factfold.events.codec import StoredRecord

from ..projection import Projection
from ..runs import RUNS_SCHEMA, record_runs
from . import entities, search
from .schema import KindTable, kind_tables

RUNS = "fact_table_runs"
#: bump when the tables change in a way their schema digest does not show
BASE_VERSION = 1

_unpack = msgspec.msgpack.Decoder(dict[str, Any]).decode


class _AddedText(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A stored ``document.added`` payload, exactly: what search needs of it."""

    doc_id: msgspec.Raw
    path: msgspec.Raw
    text: str
    encoding: msgspec.Raw
    size: msgspec.Raw
    format: msgspec.Raw = msgspec.Raw(b"")
    reader: msgspec.Raw = msgspec.Raw(b"")
    title: msgspec.Raw = msgspec.Raw(b"")


class _Outcome(msgspec.Struct, gc=False):
    doc_id: str
    extractor: str
    fact_count: int = 0


_read_added = msgspec.msgpack.Decoder(_AddedText).decode
_read_outcome = msgspec.msgpack.Decoder(_Outcome).decode


@attrs.frozen
class _Kind:
    """How a fact class's records become rows."""

    table: KindTable
    statements: tuple[str, ...]
    #: the stored payload's exact field names, if it may be read as a plain map
    fields: frozenset[str] | None
    schema_version: int


class _Rows:
    """What a chunk of events writes: rows per statement, in first-seen order, then runs."""

    def __init__(self) -> None:
        self.writes: dict[str, list[Any]] = {}
        self.runs: list[list[Any]] = []

    def fact(self, kind: _Kind, position: int, fields: Mapping[str, Any]) -> None:
        row, children = kind.table.rows(position, fields)
        self.writes.setdefault(kind.statements[0], []).append(row)
        for sql, rows in zip(kind.statements[1:], children, strict=True):
            if rows:
                self.writes.setdefault(sql, []).extend(rows)
        self.writes.setdefault(search.INSERT, []).append(
            [position, kind.table.kind, fields["doc_id"], fields["evidence"]])

    def document(self, position: int, text: str) -> None:
        self.writes.setdefault(search.INSERT_DOCUMENT, []).append([position, text])

    def run(self, position: int, doc_id: str, extractor: str, count: int) -> None:
        self.runs.append([doc_id, extractor, position - count, position])

    def prepared(self) -> list[Any]:
        return [list(self.writes.items()), self.runs]


def _fields(fact: Fact) -> dict[str, Any]:
    return {f.name: getattr(fact, f.name) for f in attrs.fields(type(fact))}


class FactTablesView(Projection):
    """``people``, ``meetings``, ``agreements``, ``statistics`` and every plugin kind's
    table, their list fields' child tables, ``persons`` and ``search``."""

    name = "tables"
    columns = ()

    def __init__(self, classes: Iterable[type]) -> None:
        self.tables = kind_tables(classes)
        self._kinds: dict[str, _Kind] = {}
        for t in self.tables:
            own_module = (t.cls.__module__ == Fact.__module__
                          and t.cls.attributes is Fact.attributes)
            names = frozenset(f.name for f in attrs.fields(t.cls)) if own_module else None
            self._kinds[type_name(t.cls)] = _Kind(t, tuple(t.inserts()), names,
                                                  t.cls.__schema_version__)
        self.handles = frozenset(  # type: ignore[misc]
            {*self._kinds, type_name(DocumentAdded), type_name(ExtractionCompleted),
             type_name(ExtractionFailed)})
        digest = hashlib.sha256(repr([(t.name, t.kind, t.scalars, t.lists)
                                      for t in self.tables]).encode()).digest()
        # The tables depend on the installed fact kinds: other kinds, other tables, and
        # the view is rebuilt from the log (a version is what the checkpoints compare).
        self.version = (  # type: ignore[misc]
            BASE_VERSION * 1_000_000 + int.from_bytes(digest[:3], "big") % 1_000_000)

    # -- tables ---------------------------------------------------------------------------

    def create(self, db: sqlite3.Connection) -> None:
        for t in self.tables:
            t.create(db)
        db.executescript(RUNS_SCHEMA.format(table=RUNS) + search.SCHEMA)
        entities.create(db, {t.name for t in self.tables})

    def create_indexes(self, db: sqlite3.Connection) -> None:
        for t in self.tables:
            t.create_indexes(db)

    def drop(self, db: sqlite3.Connection) -> None:
        entities.drop(db)
        for t in self.tables:
            t.drop(db)
        db.execute(f"DROP TABLE IF EXISTS {RUNS}")
        search.drop(db)

    # -- folding --------------------------------------------------------------------------

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        self.apply_many(db, (env,))

    def apply_many(self, db: sqlite3.Connection, envelopes: Sequence[Envelope]) -> None:
        rows = _Rows()
        for env in envelopes:
            self._event(rows, env.position, env.payload)
        self.write_prepared(db, rows.prepared())

    def _event(self, rows: _Rows, position: int, e: Any) -> None:
        if isinstance(e, Fact):
            kind = self._kinds.get(type_name(type(e)))
            if kind is not None:
                rows.fact(kind, position, _fields(e))
        elif isinstance(e, DocumentAdded):
            rows.document(position, e.text)
        elif isinstance(e, ExtractionCompleted):
            rows.run(position, e.doc_id, e.extractor, e.fact_count)
        elif isinstance(e, ExtractionFailed):
            rows.run(position, e.doc_id, e.extractor, 0)

    def prepare_records(self, codec: EventCodec,
                        records: Sequence[tuple[int, StoredRecord]]) -> Any:
        """The rows of these records: factfold's facts, added documents and outcomes read
        straight from their stored payloads when they are exactly the current schema's,
        the rest decoded."""
        rows = _Rows()
        added = type_name(DocumentAdded)
        added_version = DocumentAdded.__schema_version__
        outcomes = {type_name(c): c.__schema_version__
                    for c in (ExtractionCompleted, ExtractionFailed)}
        for position, record in records:
            name, version, payload = record[0], record[1], record[8]
            kind = self._kinds.get(name)
            try:
                if kind is not None:
                    if kind.fields is not None and version == kind.schema_version:
                        fields = _unpack(payload)
                        if fields.keys() == kind.fields:
                            rows.fact(kind, position, fields)
                            continue
                elif name == added and version == added_version:
                    rows.document(position, _read_added(payload).text)
                    continue
                elif outcomes.get(name) == version:
                    o = _read_outcome(payload)
                    rows.run(position, o.doc_id, o.extractor, o.fact_count)
                    continue
            except msgspec.MsgspecError:
                pass
            if name in codec.registry:  # an unknown type: views leave it out
                self._event(rows, position, codec.from_record(record, position).payload)
        return rows.prepared()

    def write_prepared(self, db: sqlite3.Connection, prepared: Any) -> None:
        """Facts first, then the runs in log order: a run only ever forgets the run
        before it, which is already written."""
        writes, runs = prepared
        for sql, rows in writes:
            db.executemany(sql, rows)

        def forget(start: int, stop: int) -> None:
            for t in self.tables:
                for table in t.tables():
                    db.execute(f"DELETE FROM {table} WHERE fact_id >= ? AND fact_id < ?",
                               (start, stop))
            search.forget(db, start, stop)

        record_runs(db, RUNS, runs, forget)
