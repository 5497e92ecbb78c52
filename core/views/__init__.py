"""The built-in views of ``views.sqlite``, one module each (docs/views.md).

- :mod:`.documents`: documents, their paths, rejected files, extraction outcomes;
- :mod:`.facts`: every current fact in its kind's typed tables (:mod:`.schema`), with the
  entity table ``persons`` (:mod:`.entities`) and each run's position range (:mod:`.runs`);
- :mod:`.kinds`: the query-only views of the fact kinds (``people`` gathers across
  documents);
- :mod:`.search`: full-text search, folded only where the store's setting turns it on.

Shared by them: :mod:`.inserts` (rows bound many to an INSERT) and :mod:`.keyed` (keys that
only resolve conflicts, set aside during a long fold from empty).

What is public here: :func:`builtin_views` and the view classes below.
"""

from __future__ import annotations

from collections.abc import Iterable

from factfold.events import BUILTIN_TYPES, EventRegistry, Fact

from ..projection import Projection
from .documents import DocumentsView
from .facts import FactsView
from .kinds import FactKindView, PeopleView
from .search import SEARCHES, DocumentSearch, EvidenceSearch, search_views

__all__ = ["SEARCHES", "DocumentSearch", "DocumentsView", "EvidenceSearch", "FactKindView",
           "FactsView", "PeopleView", "builtin_views"]


def builtin_views(registry: EventRegistry | None = None,
                  search: Iterable[str] = ()) -> list[Projection]:
    """The views every store has, the typed tables for the fact kinds of ``registry``
    (default: factfold's own); and the full-text searches ``search`` names (see
    :data:`SEARCHES`)."""
    types = list(registry if registry is not None else EventRegistry(BUILTIN_TYPES))
    facts = FactsView(types)
    return [
        DocumentsView(),
        facts,
        PeopleView(facts, "person", "people", ("name", "posts", "documents")),
        FactKindView(facts, "meeting", "meetings",
                     ("name", "date", "location", "organizers", "source")),
        FactKindView(facts, "agreement", "agreements",
                     ("title", "parties", "date", "term", "source")),
        FactKindView(facts, "statistic", "statistics",
                     ("text", "value", "unit", "approx", "source")),
        *search_views([t for t in types if isinstance(t, type) and issubclass(t, Fact)],
                      search),
    ]
