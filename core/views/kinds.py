"""Query-only views of the fact kinds: ``factfold query people|meetings|...``.

They own no tables: each reads its kind's typed tables through the facts view
(:meth:`~factfold.views.facts.FactsView.rows`).  The people view gathers a person's posts,
documents and aliases across documents.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from itertools import islice
from typing import Any, ClassVar

from factfold.events import Envelope

from ..projection import Projection
from .facts import PROVENANCE_FILTERS, FactsView, matches


class FactKindView(Projection):
    """The current facts of one kind, as export records."""

    handles: ClassVar[frozenset[str] | None] = frozenset()

    def __init__(self, facts: FactsView, kind: str, name: str,
                 columns: tuple[str, ...]) -> None:
        self.facts = facts
        self.kind = kind
        self.name = name  # type: ignore[misc]
        self.columns = columns  # type: ignore[misc]

    def create(self, db: sqlite3.Connection) -> None:
        pass

    def drop(self, db: sqlite3.Connection) -> None:
        pass

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        pass

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str],
              limit: int | None = None,
              min_confidence: float | None = None) -> list[dict[str, Any]]:
        return list(self.facts.rows(db, self.kind, filters, limit, min_confidence))

    def filter_fields(self) -> tuple[str, ...] | None:
        return (*self.facts.kind_fields(self.kind), *PROVENANCE_FILTERS)


class PeopleView(FactKindView):
    """People with every post the documents give them, gathered across documents."""

    #: fields of the gathered rows, matched after gathering (the rest select facts)
    GATHERED = ("posts", "documents")

    def filter_fields(self) -> tuple[str, ...] | None:
        return (*self.facts.kind_fields(self.kind), *self.GATHERED, *PROVENANCE_FILTERS)

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str],
              limit: int | None = None,
              min_confidence: float | None = None) -> list[dict[str, Any]]:
        gathered = {f: v for f, v in filters.items() if f in self.GATHERED}
        per_fact = {f: v for f, v in filters.items() if f not in gathered}
        # Each list as the keys of a dict: in first-seen order, without a scan per fact
        # (a common name has hundreds of facts).
        people: dict[str, dict[str, dict[str, None]]] = {}
        for r in self.facts.rows(db, self.kind, per_fact, min_confidence=min_confidence):
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
                            if all(matches(r[f], v) for f, v in gathered.items())), limit))
