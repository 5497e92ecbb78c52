"""Datasette's metadata for the views: descriptions, facets, search and canned queries.

Every name comes from where the tables are defined: the fact tables and their child
tables from the typed tables' schema (:mod:`factfold.views.schema`), the descriptions and queries
from docs/views.md (:mod:`.viewsdoc`), the rest from the database itself.  Tables that are
factfold's own storage (checkpoints, base tables, …) are hidden: they are not part of the
contract, and a person browsing would take them for the facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..views.schema import KindTable
from .viewsdoc import ViewsDoc

#: columns worth counting rows by, per fact kind (its fields) or per other public table;
#: a column a table does not have is left out
FACETS: Mapping[str, tuple[str, ...]] = {
    "person": ("organization", "title"),
    "meeting": ("location",),
    "agreement": ("term",),
    "statistic": ("unit", "approx"),
    "documents": ("status", "format"),
}
#: full-text search for a table: the FTS table and the column that is its rowid
SEARCH = {"documents": ("document_search", "position")}
FACT_SEARCH = ("search", "fact_id")


def slug(title: str) -> str:
    """A canned query's name in its URL: the title's ASCII words."""
    return "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:80] or "query"


def fact_tables(kinds: Iterable[KindTable]) -> dict[str, tuple[KindTable, str | None]]:
    """Every public table of the fact kinds by name: a fact table with None, a child table
    with its item column (``party`` of ``agreement_parties``)."""
    return {name: (t, item) for t in kinds
            for name, item in ((t.name, None),
                               *((t.child(f), f.item) for f in t.lists))}


def build(doc: ViewsDoc, kinds: Iterable[KindTable], tables: Mapping[str, list[str]],
          database: str, title: str) -> dict[str, Any]:
    """The metadata of the views database named ``database`` whose tables and SQL views
    are ``tables`` (name -> columns)."""
    by_name = fact_tables(kinds)
    public = set(by_name) | set(doc.tables) | set(doc.columns)
    described: dict[str, Any] = {}
    for name, columns in tables.items():
        if name not in public:
            described[name] = {"hidden": True}
            continue
        kind, item = by_name.get(name, (None, None))
        meta: dict[str, Any] = {}
        is_fact_table = kind is not None and item is None
        description = doc.tables.get(name) or (
            (kind.cls.__doc__ or "").strip().split("\n\n")[0]
            if kind is not None and is_fact_table else "")
        if description:
            meta["description"] = " ".join(description.split())
        meanings = {**(doc.fact_columns if is_fact_table else {}), **doc.columns.get(name, {})}
        if kind is not None and not is_fact_table:
            meanings.setdefault("fact_id", f"the {kind.name} row this belongs to")
            meanings.setdefault("ord", "its place in the list, from 0")
        if present := {c: meanings[c] for c in columns if c in meanings}:
            meta["columns"] = present
        facets = (item,) if item else FACETS.get(kind.kind if kind else name, ())
        if shown := [c for c in facets if c in columns]:
            meta["facets"] = shown
        if is_fact_table:
            meta["sort"] = "fact_id"
        fts = FACT_SEARCH if is_fact_table else SEARCH.get(name)
        if fts and fts[0] in tables and fts[1] in columns:
            meta["fts_table"], meta["fts_pk"] = fts
        described[name] = meta
    queries = {slug(q.title): {"title": q.title, "sql": q.sql,
                               **({"description": q.description} if q.description else {})}
               for q in doc.queries}
    return {
        "title": title,
        "description": "The facts factfold found, one table per kind; follow a fact's "
                       "evidence to its document. Read-only.",
        "databases": {database: {"tables": described, "queries": queries}},
    }

