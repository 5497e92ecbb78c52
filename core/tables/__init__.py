"""The typed tables of ``views.sqlite``: what a person queries with SQL (docs/views.md).

One set of tables per fact kind, built from the kind's class (:mod:`.schema`), folded by
:class:`~.facts.FactTablesView` (:mod:`.facts`), with the entity table ``persons``
(:mod:`.entities`) and full-text search (:mod:`.search`) over them.  The documents' table
belongs to the documents view (:mod:`factfold.views`).
"""

from __future__ import annotations

from .facts import FactTablesView
from .schema import KindTable, kind_tables

__all__ = ["FactTablesView", "KindTable", "kind_tables"]
