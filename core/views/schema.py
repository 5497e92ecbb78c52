"""A fact kind's typed tables, read off its class: their definitions, rows and records.

Every fact kind gets a base table ``fact_<kind>`` with one row per fact of the current
extraction runs, and the public table (an SQL view, named by the class's ``table``, else
the kind + ``s``) that shows the rows of current documents only.  Own fields become
columns in the order the class declares them; a list field (a tuple or list) becomes a
child table ``<kind>_<field>`` with one row per item, its column the field's singular
(``organizers`` -> ``organizer``), its items in their order (``ord``).  A field that is
neither text, a number nor a list (a plugin's mapping, say) is stored as JSON text.

The same tables give back the export's records (:meth:`KindTable.record`).  Columns hold
values exactly as the extractor gave them (a number field has no declared type, so ``120``
stays an integer and ``0.5`` a real), so a record read from them is the record the log
holds.  Where a column cannot (a plugin's ``attributes()`` override, a mapping, a boolean),
the base table's hidden ``_record`` keeps the record's fields as msgpack, and the export
reads them from there.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar, cast

import attrs
import msgspec

from factfold.events import Fact
from factfold.events.codec import encode_payload
from factfold.events.facts import _PROVENANCE, ASSESSMENT

#: the public columns every fact row has after its own fields
PROVENANCE_COLUMNS = ("extractor", "span_start", "span_end", "evidence", "confidence",
                      "position", "source")

#: SQLite column types for the field annotations they stand for.  A ``float`` field has
#: none: REAL would store an extractor's ``120`` as ``120.0``, and the export would change.
_AFFINITY = {"str": "TEXT", "int": "INTEGER", "bool": "INTEGER", "float": ""}
#: what a column of each declared type gives back exactly as it was stored
_KEEPS = {"TEXT": (str,), "INTEGER": (int,), "": (str, int, float)}

#: the test whether ``paths`` (the documents view's table of live paths) holds a document
LIVE = "EXISTS (SELECT 1 FROM paths p WHERE p.doc_id = f.doc_id)"
#: a fact's source: its document's first current path, as the export has it
SOURCE = "(SELECT path FROM paths p WHERE p.doc_id = f.doc_id ORDER BY since LIMIT 1)"

_unpack = msgspec.msgpack.Decoder(dict[str, Any]).decode


def singular(word: str) -> str:
    """``parties`` -> ``party``, ``organizers`` -> ``organizer``, ``aliases`` -> ``alias``."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word + "_item"


def _annotation(field: attrs.Attribute) -> str:
    return field.type if isinstance(field.type, str) else getattr(
        field.type, "__name__", str(field.type))


def _is_list(field: attrs.Attribute) -> bool:
    return (_annotation(field).replace("typing.", "").lower().startswith(("tuple", "list"))
            or isinstance(field.default, tuple | list))


def _column_type(annotation: str) -> str:
    """The declared type of a column holding values of ``annotation``: ``str | None`` is
    TEXT; anything else SQLite is left to store as it comes."""
    parts = {p.strip() for p in annotation.split("|")} - {"None", "Optional"}
    return _AFFINITY.get(parts.pop(), "") if len(parts) == 1 else ""


def _item_type(field: attrs.Attribute) -> str:
    """The column type of a list field's items: ``tuple[str, ...]`` is TEXT."""
    annotation = _annotation(field)
    inner = annotation[annotation.find("[") + 1:].split(",")[0].rstrip("]")
    return _column_type(inner) if "[" in annotation else ""


def cell(value: Any) -> Any:
    """A value as a column holds it: text, numbers and NULL as they are, anything else
    (a mapping, a nested list) as JSON."""
    if value is None or isinstance(value, str | int | float):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _kept(value: Any, column_type: str) -> bool:
    """Whether a column of ``column_type`` gives ``value`` back exactly (its type too)."""
    if value is None:
        return True
    if isinstance(value, bool) or (isinstance(value, float) and value != value):
        return False  # SQLite stores a bool as 0/1 and a NaN as NULL
    return isinstance(value, _KEEPS.get(column_type, ()))


@attrs.frozen
class Field:
    """An own field of a fact class, as its table stores it."""

    name: str
    #: the column's declared type (a list field's: its items')
    type: str
    is_list: bool

    @property
    def item(self) -> str:
        """A list field's child table column."""
        return singular(self.name)


@attrs.frozen
class KindTable:
    """The typed tables of one fact class."""

    cls: type[Fact]
    #: the public table (an SQL view over ``base``)
    name: str
    #: own fields in the order the class declares them
    fields: tuple[Field, ...]

    @property
    def kind(self) -> str:
        return self.cls.kind

    @property
    def scalars(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.is_list)

    @property
    def lists(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_list)

    @property
    def key(self) -> str | None:
        """The field the kind is looked up by: its ``key_field``, else its first own one."""
        return self.cls.key_field or (self.fields[0].name if self.fields else None)

    @property
    def overrides(self) -> bool:
        """Whether the class's ``attributes()`` (what the export prints) is its own."""
        return self.cls.attributes is not Fact.attributes

    @property
    def base(self) -> str:
        return f"fact_{self.kind}"

    def child(self, field: Field) -> str:
        """The public child table of a list field."""
        return f"{self.kind}_{field.name}"

    def tables(self) -> list[str]:
        """The base tables, the fact table first."""
        return [self.base, *(f"_{self.child(f)}" for f in self.lists)]

    def create(self, db: sqlite3.Connection) -> None:
        own = "".join(f", {quote(f.name)} {f.type}" for f in self.scalars)
        script = [f"""CREATE TABLE IF NOT EXISTS {self.base} (
                fact_id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL{own},
                extractor TEXT NOT NULL, span_start INTEGER, span_end INTEGER,
                evidence TEXT, confidence REAL, _record BLOB)"""]
        columns = "".join(f"f.{quote(f.name)}, " for f in self.scalars)
        script.append(f"""CREATE VIEW IF NOT EXISTS {quote(self.name)} AS
            SELECT f.fact_id, f.doc_id, {columns}f.extractor,
                f.span_start, f.span_end, f.evidence, f.confidence, f.fact_id AS position,
                {SOURCE} AS source
            FROM {self.base} f WHERE {LIVE}""")
        for field in self.lists:
            child, item = self.child(field), quote(field.item)
            script.append(f"""CREATE TABLE IF NOT EXISTS _{child} (
                fact_id INTEGER NOT NULL, ord INTEGER NOT NULL, {item} {field.type},
                PRIMARY KEY (fact_id, ord)) WITHOUT ROWID""")
            # A join, not `IN (SELECT fact_id FROM <table>)`: SQLite would build that
            # list from every fact before looking up one party.
            script.append(f"""CREATE VIEW IF NOT EXISTS {quote(child)} AS
                SELECT c.fact_id, c.{item}, c.ord
                FROM _{child} c JOIN {self.base} f ON f.fact_id = c.fact_id WHERE {LIVE}""")
        db.executescript(";\n".join(script) + ";")

    def create_indexes(self, db: sqlite3.Connection) -> None:
        """The key field and every list item are looked up by value."""
        script = []
        if self.key in {f.name for f in self.scalars}:
            script.append(f"CREATE INDEX IF NOT EXISTS {self.base}_key "
                          f"ON {self.base} ({quote(self.key)})")
        for field in self.lists:
            child = self.child(field)
            script.append(f"CREATE INDEX IF NOT EXISTS _{child}_item "
                          f"ON _{child} ({quote(field.item)})")
        if script:
            db.executescript(";\n".join(script) + ";")

    def drop(self, db: sqlite3.Connection) -> None:
        for field in self.lists:
            drop_named(db, self.child(field))
        drop_named(db, self.name)
        for table in self.tables():
            drop_named(db, table)

    # -- writing --------------------------------------------------------------------------

    def rows(self, position: int, fields: Mapping[str, Any],
             record: bytes | None = None) -> tuple[tuple[Any, ...], list[list[Any]]]:
        """The fact row and each list field's child rows of one fact (``fields`` by
        name), as :meth:`inserts` takes them; ``record``: its export fields, for a fact the
        columns cannot give back."""
        row = (position, fields["doc_id"], *(cell(fields.get(f.name)) for f in self.scalars),
               fields["extractor"], fields["evidence"], fields.get("confidence"),
               *fields["span"], record)
        children = [[(position, i, cell(item)) for i, item in enumerate(fields.get(f.name) or ())]
                    for f in self.lists]
        return row, children

    def inserts(self) -> list[str]:
        """The statements :meth:`rows`' rows go in with, in :meth:`tables` order."""
        return [self.insert(), *(f"INSERT OR REPLACE INTO _{self.child(f)} VALUES (?, ?, ?)"
                                 for f in self.lists)]

    def insert(self, *, record: bool = True) -> str:
        """The statement a fact row goes in with; ``record=False``: a row without the
        last value, ``_record``, which it leaves NULL."""
        columns = ("fact_id", "doc_id", *(quote(f.name) for f in self.scalars),
                   "extractor", "evidence", "confidence", "span_start", "span_end",
                   *(("_record",) if record else ()))
        return (f"INSERT OR REPLACE INTO {self.base} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})")

    def stored(self) -> tuple[Any, Callable[[Any], tuple[Any, ...]]] | None:
        """Replay's fast path for this class's stored payloads: a msgspec type that
        decodes one only if it has exactly the class's fields, each of a type its column
        keeps as it is, and what gives :meth:`rows`' row from it but the position, span
        and record; None if some field's values have no such type."""
        kept = {"TEXT": str, "INTEGER": int, "": int | float}
        own = []
        for f in self.fields:
            if f.type not in kept or (f.is_list and f.type != "TEXT"):
                return None
            own.append((f.name, list[str] if f.is_list else kept[f.type] | None))
        struct = msgspec.defstruct(
            f"{self.cls.__name__}Stored",
            [("span", tuple[int, int]), ("evidence", str), ("doc_id", str),
             ("extractor", str), ("confidence", float | None), *own],
            forbid_unknown_fields=True, gc=False)
        return struct, attrgetter("doc_id", *(f.name for f in self.scalars), "extractor",
                                  "evidence", "confidence")

    def exact_record(self, fact: Fact) -> bytes | None:
        """The export fields of a fact its columns cannot give back exactly (see the
        module's doc), encoded; None for one they can."""
        if not self.overrides and type(fact) is self.cls and all(
                self._keeps(f, getattr(fact, f.name)) for f in self.fields):
            return None
        return encode_payload(_export_fields(fact))

    @staticmethod
    def _keeps(field: Field, value: Any) -> bool:
        if not field.is_list:
            return _kept(value, field.type)
        # Items come back through JSON: text and integers only, exactly.
        return isinstance(value, list | tuple) and all(
            _kept(item, field.type) and not isinstance(item, float) for item in value)

    # -- reading --------------------------------------------------------------------------

    def select(self, where: Iterable[str] = (), limit: bool = False,
               current: bool = True, join: str = "") -> str:
        """The statement reading current facts as :meth:`record` takes them, in log
        order; ``where`` narrows them (``f`` is the fact table), ``limit``: a ``?`` for
        a LIMIT.  ``current=False``: the facts of the current runs, whether their
        documents still have a path or not.  ``join``: a JOIN clause after the fact
        table's."""
        values = "".join(
            f", (SELECT json_group_array({quote(f.item)}) FROM (SELECT c.{quote(f.item)} "
            f"FROM _{self.child(f)} c WHERE c.fact_id = f.fact_id ORDER BY c.ord))"
            if f.is_list else f", f.{quote(f.name)}" for f in self.fields)
        conditions = " AND ".join((LIVE if current else "1", *where))
        return (f"SELECT f.fact_id, {SOURCE}, f.doc_id, f.extractor, f.span_start, "
                f"f.span_end, f.evidence, f.confidence, f._record{values} "
                f"FROM {self.base} f{join} WHERE {conditions} "
                f"ORDER BY f.fact_id{' LIMIT ?' if limit else ''}")

    def record(self, row: tuple[Any, ...]) -> dict[str, Any]:
        """An export-contract record from a row of :meth:`select`."""
        _, source, doc_id, extractor, start, end, evidence, confidence, exact, *values = row
        out = {"kind": self.kind, "source": source, "doc_id": doc_id, "extractor": extractor,
               "span": [start, end], "evidence": evidence}
        if exact is not None:
            out.update(_unpack(exact))
            return out
        for field, value in zip(self.fields, values, strict=True):
            out[field.name] = json.loads(value) if field.is_list else value
        out["confidence"] = confidence
        return out


R = TypeVar("R")


def _per_class(fn: Callable[[type[Fact]], R]) -> Callable[[type[Fact]], R]:
    """``functools.cache`` for what a fact class determines, typed as ``fn`` itself: mypy
    takes a class whose instances hash by value for an unhashable argument
    (python/mypy#20409), which a class never is."""
    return cast(Callable[[type[Fact]], R], cache(fn))


def _export_fields(fact: Fact) -> dict[str, Any]:
    """A fact's fields after its provenance, as the export prints them: its class's own
    fields in their order (what ``attributes()`` returns, if it is overridden), then any
    others, then ``confidence``."""
    cls = type(fact)
    if cls.attributes is Fact.attributes:
        fields = {name: getattr(fact, name) for name in own_fields(cls)}
        fields["confidence"] = fact.confidence
        return fields
    given = {**fact.attributes(), "confidence": fact.confidence}
    fields = {name: given.pop(name) for name in own_fields(cls) if name in given}
    fields.update(given)
    return fields


@_per_class
def own_fields(cls: type[Fact]) -> tuple[str, ...]:
    """A fact class's own fields (not its provenance or confidence), in declared order."""
    return tuple(f.name for f in attrs.fields(cls)
                 if f.name not in _PROVENANCE and f.name not in ASSESSMENT)


def quote(name: str) -> str:
    """An identifier for SQL (a plugin's field may be an SQL keyword)."""
    return '"' + name.replace('"', '""') + '"'


def drop_named(db: sqlite3.Connection, name: str) -> None:
    """Drop the table or view ``name``, whichever it is (a release may turn one into the
    other)."""
    row = db.execute("SELECT type FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    if row is not None and row[0] in ("table", "view"):
        db.execute(f"DROP {row[0].upper()} {quote(name)}")


def table_name(cls: type[Fact]) -> str:
    return cls.table or f"{cls.kind}s"


@_per_class
def kind_table(cls: type[Fact]) -> KindTable:
    fields = {f.name: f for f in attrs.fields(cls)}
    return KindTable(cls, table_name(cls), tuple(
        Field(name, _item_type(fields[name]) if _is_list(fields[name])
              else _column_type(_annotation(fields[name])), _is_list(fields[name]))
        for name in own_fields(cls)))


def kind_tables(classes: Iterable[type]) -> list[KindTable]:
    """The typed tables of the fact classes among ``classes`` (one per kind: the first
    class registered for a kind gives its columns; the others' facts join its tables)."""
    tables: dict[str, KindTable] = {}
    for cls in classes:
        # attrs.has before issubclass: else it narrows cls to attrs' type, not Fact's
        if isinstance(cls, type) and attrs.has(cls) and issubclass(cls, Fact):
            tables.setdefault(cls.kind, kind_table(cls))
    return list(tables.values())
