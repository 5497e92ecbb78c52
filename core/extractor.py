"""What a plugin registers to extract facts: a named, versioned function."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from attrs import Factory, field, frozen

from .document import Document


def _always(document: Document) -> bool:
    return True


def _classes(classes: Iterable[type[Any]]) -> tuple[type[Any], ...]:
    return tuple(classes)


@frozen(kw_only=True)
class Extractor:
    """An extractor: ``extract(document)`` returns the facts it finds.

    ``version`` is part of every fact's provenance; bump it when the output changes, and
    ``factfold reextract`` re-runs the extractor over the stored documents.  ``emits`` lists
    the fact classes it may return (anything else is recorded as a failure).  ``accepts``
    lets an extractor skip documents cheaply (by language, say).  ``setup`` runs once per
    process before the first document, for loading models and dictionaries.  ``timeout`` is
    the most seconds one document may take.
    """

    name: str
    version: str
    extract: Callable[[Document], Iterable[Any]]
    emits: tuple[type[Any], ...] = field(converter=_classes)
    accepts: Callable[[Document], bool] = _always
    setup: Callable[[], None] | None = None
    timeout: float = 30.0
    config: Mapping[str, Any] = Factory(dict)

    @property
    def ref(self) -> str:
        """``name@version``, as written into every fact's provenance."""
        return f"{self.name}@{self.version}"
