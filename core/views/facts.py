"""The facts view: every current fact in its kind's typed tables (docs/views.md).

The tables are the only layout of the facts: ``export``, ``query`` and the people view
read them back as export records (:meth:`FactsView.rows`).  They hold the facts of each
(document, extractor)'s current run (:mod:`.runs`); the public tables, SQL views over them,
and the records show those of documents that still have a path.

Replay's fast path (:meth:`FactsView.prepare_records`) reads a factfold fact's stored
payload as a plain map, checked against its class's field names, without building the
event; a plugin's kind, or a record at an older schema version, goes through the codec's
full decoding, so the rows are exactly what live folding (:meth:`FactsView.apply`) makes.
"""

from __future__ import annotations

import hashlib
import heapq
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from functools import partial
from itertools import chain, islice
from operator import attrgetter, itemgetter
from typing import Any

import attrs
import msgspec

from factfold.events import (
    BUILTIN_TYPES,
    Envelope,
    EventCodec,
    ExtractionCompleted,
    ExtractionFailed,
    Fact,
    type_name,
)
from factfold.events.codec import StoredRecord
from factfold.events.schema import schema_version

from ..projection import Projection
from . import entities
from .inserts import row_groups, value_groups
from .runs import record_runs, runs_table, settle_runs
from .schema import KindTable, drop_named, kind_table, kind_tables, quote

RUNS = runs_table("fact_runs")
#: bump when the tables change in a way their schema digest does not show
#: (2: the only fact layout; ``_record``; numbers stored as given)
BASE_VERSION = 2
#: what every fact can be filtered on besides its own fields
PROVENANCE_FILTERS = ("source", "doc_id", "extractor", "evidence")
#: the tables of the release before, which kept facts as msgpack bodies
_OPAQUE = ("facts", "fact_bodies")

class _Outcome(msgspec.Struct, gc=False):
    doc_id: str
    extractor: str
    fact_count: int = 0


@attrs.frozen
class _Typed:
    """How the stored payloads of one event type at its current schema version are read
    without the codec (see :meth:`FactsView._read`)."""

    version: int
    #: reads a msgpack array of such payloads
    read_all: Callable[[bytes], list[Any]]
    #: reads one
    read_one: Callable[[bytes], Any]

    @classmethod
    def of(cls, version: int, typed: Any) -> _Typed:
        return cls(version, msgspec.msgpack.Decoder(list[typed]).decode,
                   msgspec.msgpack.Decoder(typed).decode)


@attrs.frozen
class _Kind:
    """How a fact class's records become rows."""

    table: KindTable
    statements: tuple[str, ...]
    #: the row but its position, span and record, from what its typed reading read (if
    #: its stored payloads may be read without the codec: see KindTable.stored)
    row: Callable[[Any], tuple[Any, ...]] | None = None
    #: the list fields, as the typed reading reads them
    lists: tuple[str, ...] = ()


class _Rows:
    """What a chunk of events writes: ``executemany`` groups per statement, in first-seen
    order, then runs."""

    def __init__(self) -> None:
        #: rows of one-row statements, grouped when the chunk is prepared
        self.writes: dict[str, list[Any]] = {}
        #: values already in groups (see value_groups)
        self.grouped: list[tuple[str, list[Any]]] = []
        self.runs: list[list[Any]] = []

    def fact(self, kind: _Kind, position: int, fields: Mapping[str, Any],
             record: bytes | None = None) -> None:
        row, children = kind.table.rows(position, fields, record)
        self.writes.setdefault(kind.statements[0], []).append(row)
        for sql, rows in zip(kind.statements[1:], children, strict=True):
            if rows:
                self.writes.setdefault(sql, []).extend(rows)

    def stored(self, kind: _Kind, read: list[tuple[int, Any]]) -> None:
        """Facts of one kind as its typed reading read them: (position, what it read).

        Their rows go straight into groups, without the record (the statement leaves it
        NULL): 45k person rows bound 0.084 -> 0.068 s without it."""
        row = kind.row
        assert row is not None  # set with the kind's typed reading, which read these
        width = len(kind.table.scalars) + 7
        self.grouped += value_groups(kind.table.insert(record=False), list(chain.from_iterable(
            [(position, *row(f), *f.span) for position, f in read])), width)
        for sql, field in zip(kind.statements[1:], kind.lists, strict=True):
            items = attrgetter(field)
            children = [(position, i, item) for position, f in read
                        for i, item in enumerate(items(f))]
            if children:
                self.writes.setdefault(sql, []).extend(children)

    def run(self, position: int, doc_id: str, extractor: str, count: int) -> None:
        self.runs.append([doc_id, extractor, position - count, position])

    def prepared(self) -> list[Any]:
        groups = [group for sql, rows in self.writes.items() for group in row_groups(sql, rows)]
        return [[*self.grouped, *groups], self.runs]


def _fields(fact: Fact) -> dict[str, Any]:
    return {f.name: getattr(fact, f.name) for f in attrs.fields(type(fact))}


class FactsView(Projection):
    """``people``, ``meetings``, ``agreements``, ``statistics`` and every plugin kind's
    table, their list fields' child tables, and ``persons``."""

    name = "facts"
    columns = ("kind", "doc_id", "extractor", "evidence")

    def __init__(self, classes: Iterable[type] = BUILTIN_TYPES) -> None:
        """The tables of the fact classes among ``classes`` (default: factfold's own)."""
        classes = list(classes)
        self.tables = kind_tables(classes)
        self.by_kind = {t.kind: t for t in self.tables}
        self._kinds: dict[str, _Kind] = {}
        self._typed = {type_name(cls): _Typed.of(schema_version(cls), _Outcome)
                       for cls in (ExtractionCompleted, ExtractionFailed)}
        for cls in classes:
            # attrs.has before issubclass: else it narrows cls to attrs' type, not Fact's
            if not (isinstance(cls, type) and attrs.has(cls) and issubclass(cls, Fact)):
                continue
            table = self.by_kind[cls.kind]
            # A class of another kind's columns (a second class of one kind) keeps its
            # record whole, as does one that overrides attributes().
            own = kind_table(cls)
            stored = (table.stored() if table.cls is cls and cls.__module__ == Fact.__module__
                      and not own.overrides else None)
            name = type_name(cls)
            if stored is None:
                self._kinds[name] = _Kind(table, tuple(table.inserts()))
            else:
                self._kinds[name] = _Kind(table, tuple(table.inserts()), stored[1],
                                          tuple(f.name for f in table.lists))
                self._typed[name] = _Typed.of(schema_version(cls), stored[0])
        self.handles = frozenset(  # type: ignore[misc]
            {*self._kinds, type_name(ExtractionCompleted), type_name(ExtractionFailed)})
        digest = hashlib.sha256(repr([(t.name, t.kind, t.fields)
                                      for t in self.tables]).encode()).digest()
        # The tables depend on the installed fact kinds: other kinds, other tables, and
        # the view is rebuilt from the log (a version is what the checkpoints compare).
        self.version = (  # type: ignore[misc]
            BASE_VERSION * 1_000_000 + int.from_bytes(digest[:3], "big") % 1_000_000)

    # -- tables ---------------------------------------------------------------------------

    def create(self, db: sqlite3.Connection) -> None:
        for t in self.tables:
            t.create(db)
        RUNS.create(db)
        entities.create(db, {t.name for t in self.tables})

    def loosen(self, db: sqlite3.Connection) -> None:
        RUNS.loosen(db)

    def create_indexes(self, db: sqlite3.Connection) -> None:
        settle_runs(db, RUNS, partial(self._forget, db))
        for t in self.tables:
            t.create_indexes(db)

    def drop(self, db: sqlite3.Connection) -> None:
        entities.drop(db)
        for t in self.tables:
            t.drop(db)
        for table in (RUNS.name, *_OPAQUE):
            drop_named(db, table)

    # -- folding --------------------------------------------------------------------------

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        self.apply_many(db, (env,))

    def apply_many(self, db: sqlite3.Connection, envelopes: Sequence[Envelope]) -> None:
        rows = _Rows()
        for env in envelopes:
            self._event(rows, env.position, env.payload)
        self.write_prepared(db, rows.prepared())

    def _decoded(self, rows: _Rows, position: int, codec: EventCodec,
                 record: StoredRecord) -> None:
        """A record the typed reading cannot read, through the codec."""
        if record[0] in codec.registry:  # an unknown type: views leave it out
            self._event(rows, position, codec.from_record(record, position).payload)

    def _event(self, rows: _Rows, position: int, e: Any) -> None:
        if isinstance(e, Fact):
            kind = self._kinds.get(type_name(type(e)))
            if kind is not None:
                rows.fact(kind, position, _fields(e), kind.table.exact_record(e))
        elif isinstance(e, ExtractionCompleted):
            rows.run(position, e.doc_id, e.extractor, e.fact_count)
        elif isinstance(e, ExtractionFailed):
            rows.run(position, e.doc_id, e.extractor, 0)

    def prepare_records(self, codec: EventCodec,
                        records: Sequence[tuple[int, StoredRecord]]) -> Any:
        """The rows of these records: factfold's facts and outcomes read straight from
        their stored payloads when they are exactly the current schema's, the rest
        decoded.  Records are grouped by type first: each type's payloads are read as one
        array (see :meth:`_read`)."""
        rows = _Rows()
        by_type: defaultdict[str, list[tuple[int, StoredRecord]]] = defaultdict(list)
        for pair in records:
            by_type[pair[1][0]].append(pair)
        for name, group in by_type.items():
            typed = self._typed.get(name)
            if typed is None:  # a plugin's kind, an unknown type
                current, other = [], group
            else:
                current = [x for x in group if x[1][1] == typed.version]
                other = ([x for x in group if x[1][1] != typed.version]  # an older schema
                         if len(current) < len(group) else [])
            for position, record in other:
                self._decoded(rows, position, codec, record)
            if typed is None or not current:
                continue
            found = self._read(rows, codec, typed, current)
            kind = self._kinds.get(name)
            if kind is not None:
                rows.stored(kind, found)
            else:
                for position, o in found:
                    rows.run(position, o.doc_id, o.extractor, o.fact_count)
        rows.runs.sort(key=itemgetter(3))  # in log order, whatever the type: see runs.py
        return rows.prepared()

    def _read(self, rows: _Rows, codec: EventCodec, typed: _Typed,
              records: list[tuple[int, StoredRecord]]) -> list[tuple[int, Any]]:
        """(position, what ``typed`` reads) of each of these stored records of one type;
        those it cannot read go through the codec into ``rows``.

        They are read as one msgpack array: a decoder call per payload cost a third of
        reading them (45k person facts: 0.063 s, joined 0.040 s).  Only if one does not
        fit is each read alone, to find which."""
        payloads = [record[8] for _, record in records]
        try:
            return list(zip([position for position, _ in records], typed.read_all(
                b"\xdd" + len(payloads).to_bytes(4, "big") + b"".join(payloads)), strict=True))
        except msgspec.MsgspecError:
            pass
        found = []
        for position, record in records:
            try:
                found.append((position, typed.read_one(record[8])))
            except msgspec.MsgspecError:
                self._decoded(rows, position, codec, record)
        return found

    def write_prepared(self, db: sqlite3.Connection, prepared: Any) -> None:
        """Facts first, then the runs in log order: a run only ever forgets the run
        before it, which is already written."""
        writes, runs = prepared
        for sql, rows in writes:
            db.executemany(sql, rows)

        record_runs(db, RUNS.name, runs, partial(self._forget, db))

    def _forget(self, db: sqlite3.Connection, start: int, stop: int) -> None:
        """Drop the facts of a run another one replaced (positions ``start`` to ``stop``)."""
        for t in self.tables:
            for table in t.tables():
                db.execute(f"DELETE FROM {table} WHERE fact_id >= ? AND fact_id < ?",
                           (start, stop))

    # -- reading --------------------------------------------------------------------------

    def rows(
        self, db: sqlite3.Connection, kind: str | None = None, filters: Mapping[str, str] = {},
        limit: int | None = None, min_confidence: float | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Current facts (of ``kind``, or every kind) as export records, in log order
        (the first ``limit`` of them).

        ``filters`` match a field's value as :func:`matches` does (``doc_id`` is a
        prefix); they go into the SQL, through the key field's and the list items'
        indexes, wherever SQL matches the same way, and are checked here otherwise.  With
        ``min_confidence``, only facts their extractor gave at least that confidence (a
        fact without one does not pass).
        """
        tables = self.tables if kind is None else [self.by_kind[kind]]
        streams = [_Reading(db, t, filters, min_confidence, limit).records() for t in tables]
        merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=itemgetter(0))
        return (record for _, record in islice(merged, limit))

    def counts(self, db: sqlite3.Connection) -> dict[str, int]:
        """How many facts of each kind the current runs hold (documents' paths aside),
        by kind; kinds without any left out."""
        counted = {t.kind: db.execute(f"SELECT COUNT(*) FROM {t.base}").fetchone()[0]
                   for t in self.tables}
        return {kind: n for kind, n in sorted(counted.items()) if n}

    def kind_fields(self, kind: str) -> tuple[str, ...]:
        """A fact kind's own fields (empty for a kind no table holds)."""
        table = self.by_kind.get(kind)
        return tuple(f.name for f in table.fields) if table is not None else ()

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        kind = filters.get("kind")
        rest = {k: v for k, v in filters.items() if k != "kind"}
        return list(self.rows(db, kind, rest))


def _is_glob(value: str) -> bool:
    return "*" in value or "?" in value


def matches(value: Any, wanted: str) -> bool:
    """Whether a fact's field matches a filter value: as text (a glob with ``*`` or
    ``?``, case-sensitive), a number by its value, a list by any item."""
    if isinstance(value, list):
        return any(matches(item, wanted) for item in value)
    if value is None:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return value == float(wanted)
        except ValueError:
            pass
    text = str(value)
    return fnmatchcase(text, wanted) if _is_glob(wanted) else text == wanted


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


class _Reading:
    """One kind's facts for :meth:`FactsView.rows`: the SQL that selects them, and the
    filters SQL cannot match as :func:`matches` does, checked on each record."""

    def __init__(self, db: sqlite3.Connection, table: KindTable, filters: Mapping[str, str],
                 min_confidence: float | None, limit: int | None) -> None:
        self.db = db
        self.table = table
        self.where: list[str] = []
        self.args: list[Any] = []
        self.join = ""
        self.join_args: list[Any] = []
        self.checked: dict[str, str] = {}
        for field, wanted in filters.items():
            if not self._narrow(field, wanted):
                self.checked[field] = wanted
        if min_confidence is not None:
            self.where.append("f.confidence >= ?")
            self.args.append(min_confidence)
        self.limit = limit

    def _narrow(self, field: str, wanted: str) -> bool:
        """Add SQL selecting the facts whose ``field`` matches ``wanted``; whether it
        selects exactly those (else it selects none, and the records are checked)."""
        if field == "doc_id":  # a prefix, as ids are shown cut short
            # A document's facts are its runs' position ranges: found through fact_runs'
            # key, without an index over every fact's doc_id.
            self.join = (f" JOIN {RUNS.name} r ON r.doc_id GLOB ? AND f.fact_id >= r.start"
                         " AND f.fact_id < r.stop")
            self.join_args = [wanted.rstrip("*") + "*"]
            return True
        table = self.table
        # SQLite's GLOB is fnmatch's for * and ?, not for [...]; an attributes() override
        # exports fields other than its columns.
        if "[" in wanted or table.overrides:
            return False
        op = "GLOB" if _is_glob(wanted) else "="
        column = {f.name: f for f in table.fields}.get(field)
        if field in ("extractor", "evidence") or (
                column is not None and not column.is_list and column.type == "TEXT"):
            self.where.append(f"f.{quote(field)} {op} ?")
            self.args.append(wanted)
            return True
        if column is None or column.type not in ("", "TEXT"):
            return False
        if column.type == "":  # numbers: by value, when the filter is one
            number = _number(wanted)
            if number is None:
                return False
            op, wanted = "=", number  # type: ignore[assignment]
        if column.is_list:
            # The item's index finds the facts; fact_ids from it come out in order.
            self.where.append(f"f.fact_id IN (SELECT c.fact_id FROM _{table.child(column)} c "
                              f"WHERE c.{quote(column.item)} {op} ?)")
        else:
            self.where.append(f"f.{quote(field)} {op} ?")
        self.args.append(wanted)
        return True

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(position, record) of each matching fact, in log order."""
        table, checked = self.table, self.checked
        in_sql = self.limit is not None and not checked
        cursor = self.db.execute(table.select(self.where, limit=in_sql, join=self.join),
                                 [*self.join_args, *self.args,
                                  *([self.limit] if in_sql else [])])
        found = 0
        for row in cursor:
            record = table.record(row)
            if checked and not all(matches(record.get(f), v) for f, v in checked.items()):
                continue
            yield row[0], record
            found += 1
            if found == self.limit:
                return
