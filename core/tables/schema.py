"""A fact kind's typed tables, read off its class.

Every fact kind gets a base table ``fact_<kind>`` with one row per fact of the current
extraction runs, and the public table (an SQL view, named by the class's ``table``, else
the kind + ``s``) that shows the rows of current documents only.  Own fields become
columns in the order the class declares them; a list field (a tuple or list) becomes a
child table ``<kind>_<field>`` with one row per item, its column the field's singular
(``organizers`` -> ``organizer``), its items in their order (``ord``).  A field that is
neither text, a number nor a list (a plugin's mapping, say) is stored as JSON text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import attrs

from factfold.events import Fact
from factfold.events.facts import _PROVENANCE, ASSESSMENT

#: the public columns every fact row has after its own fields
PROVENANCE_COLUMNS = ("extractor", "span_start", "span_end", "evidence", "confidence",
                      "position", "source")

#: a fact as the typed tables take it: (position, its fields by name)
FactRow = tuple[int, Mapping[str, Any]]

#: SQLite column types for the field annotations they stand for
_AFFINITY = {"str": "TEXT", "float": "REAL", "int": "INTEGER", "bool": "INTEGER"}

#: the test whether ``paths`` (the documents view's table of live paths) holds a document
LIVE = "EXISTS (SELECT 1 FROM paths p WHERE p.doc_id = f.doc_id)"


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


@attrs.frozen
class KindTable:
    """The typed tables of one fact class."""

    cls: type[Fact]
    #: the public table (an SQL view over ``base``)
    name: str
    scalars: tuple[tuple[str, str], ...]  # (field, column type)
    lists: tuple[tuple[str, str], ...]  # (field, its items' column type)

    @property
    def kind(self) -> str:
        return self.cls.kind

    @property
    def base(self) -> str:
        return f"fact_{self.kind}"

    def child(self, field: str) -> str:
        """The public child table of a list field."""
        return f"{self.kind}_{field}"

    def tables(self) -> list[str]:
        """The base tables, the fact table first."""
        return [self.base, *(f"_{self.child(f)}" for f, _ in self.lists)]

    def create(self, db: sqlite3.Connection) -> None:
        own = "".join(f", {quote(n)} {t}" for n, t in self.scalars)
        script = [f"""CREATE TABLE IF NOT EXISTS {self.base} (
                fact_id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL{own},
                extractor TEXT NOT NULL, span_start INTEGER, span_end INTEGER,
                evidence TEXT, confidence REAL)"""]
        columns = ", ".join(quote(n) for n, _ in self.scalars)
        script.append(f"""CREATE VIEW IF NOT EXISTS {quote(self.name)} AS
            SELECT f.fact_id, f.doc_id{", " if columns else ""}{columns}, f.extractor,
                f.span_start, f.span_end, f.evidence, f.confidence, f.fact_id AS position,
                (SELECT path FROM paths p WHERE p.doc_id = f.doc_id
                 ORDER BY since LIMIT 1) AS source
            FROM {self.base} f WHERE {LIVE}""")
        for field, item_type in self.lists:
            child, item = self.child(field), quote(singular(field))
            script.append(f"""CREATE TABLE IF NOT EXISTS _{child} (
                fact_id INTEGER NOT NULL, ord INTEGER NOT NULL, {item} {item_type},
                PRIMARY KEY (fact_id, ord)) WITHOUT ROWID""")
            # A join, not `IN (SELECT fact_id FROM <table>)`: SQLite would build that
            # list from every fact before looking up one party.
            script.append(f"""CREATE VIEW IF NOT EXISTS {quote(child)} AS
                SELECT c.fact_id, c.{item}, c.ord
                FROM _{child} c JOIN {self.base} f ON f.fact_id = c.fact_id WHERE {LIVE}""")
        db.executescript(";\n".join(script) + ";")

    def create_indexes(self, db: sqlite3.Connection) -> None:
        """The key field and every list item are looked up by value."""
        key = self.cls.key_field or (self.scalars[0][0] if self.scalars else None)
        script = [f"CREATE INDEX IF NOT EXISTS {self.base}_doc ON {self.base} (doc_id)"]
        if key in dict(self.scalars):
            script.append(f"CREATE INDEX IF NOT EXISTS {self.base}_key "
                          f"ON {self.base} ({quote(key)})")
        for field, _ in self.lists:
            child = self.child(field)
            script.append(f"CREATE INDEX IF NOT EXISTS _{child}_item "
                          f"ON _{child} ({quote(singular(field))})")
        db.executescript(";\n".join(script) + ";")

    def drop(self, db: sqlite3.Connection) -> None:
        for field, _ in self.lists:
            drop_named(db, self.child(field))
        drop_named(db, self.name)
        for table in self.tables():
            drop_named(db, table)

    def rows(self, position: int, fields: Mapping[str, Any]) -> tuple[list[Any], list[list[Any]]]:
        """The fact row and each list field's child rows of one fact."""
        span = fields["span"]
        row = [position, fields["doc_id"], *(cell(fields.get(n)) for n, _ in self.scalars),
               fields["extractor"], span[0], span[1], fields["evidence"],
               fields.get("confidence")]
        children = [[[position, i, cell(item)] for i, item in enumerate(fields.get(f) or ())]
                    for f, _ in self.lists]
        return row, children

    def inserts(self) -> list[str]:
        """The statements :meth:`rows`' rows go in with, in :meth:`tables` order."""
        width = len(self.scalars) + 7
        return [f"INSERT OR REPLACE INTO {self.base} VALUES ({', '.join('?' * width)})",
                *(f"INSERT OR REPLACE INTO _{self.child(f)} VALUES (?, ?, ?)"
                  for f, _ in self.lists)]


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


@cache
def kind_table(cls: type[Fact]) -> KindTable:
    own = [f for f in attrs.fields(cls) if f.name not in _PROVENANCE
           and f.name not in ASSESSMENT]
    return KindTable(cls, table_name(cls),
                     tuple((f.name, _column_type(_annotation(f))) for f in own
                           if not _is_list(f)),
                     tuple((f.name, _item_type(f)) for f in own if _is_list(f)))


def kind_tables(classes: Iterable[type]) -> list[KindTable]:
    """The typed tables of the fact classes among ``classes`` (one per kind: the first
    class registered for a kind wins, as in the export)."""
    tables: dict[str, KindTable] = {}
    for cls in classes:
        if isinstance(cls, type) and issubclass(cls, Fact) and attrs.has(cls):
            tables.setdefault(cls.kind, kind_table(cls))
    return list(tables.values())
