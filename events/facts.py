"""Fact events: what extractor plugins found in a document.

Every fact carries its provenance (``doc_id``, character ``span``, ``evidence`` text and the
``extractor`` as ``name@version``).  A plugin builds facts with ``span`` and ``evidence``
only; the extraction runner stamps ``doc_id`` and ``extractor``.  New fact kinds subclass
:class:`Fact`, set ``kind`` and decorate the class with ``@event_type``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from attrs import field, fields, frozen

from .schema import event_type


def _span(value: Any) -> tuple[int, int]:
    start, end = value
    return (int(start), int(end))


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(value)


def _confidence(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"confidence must lie between 0 and 1, not {value}")
    return value


@frozen(kw_only=True)
class Fact:
    """Base of all facts: provenance fields shared by every kind."""

    kind: ClassVar[str] = "fact"
    #: the field views index and filter on (``factfold query KIND --filter FIELD=VALUE``)
    key_field: ClassVar[str | None] = None
    #: the kind's typed table in views.sqlite (docs/views.md); None: the kind + "s"
    table: ClassVar[str | None] = None

    span: tuple[int, int] = field(converter=_span)
    evidence: str
    doc_id: str = ""
    extractor: str = ""
    #: the extractor's calibrated belief (0-1) that the fact is right; None when it gives none
    confidence: float | None = field(default=None, converter=_confidence)

    def attributes(self) -> dict[str, Any]:
        """The kind-specific fields (everything but provenance), JSON-ready, with
        ``confidence`` last."""
        out = {}
        for f in fields(type(self)):
            if f.name in _PROVENANCE or f.name == "confidence":
                continue
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        out["confidence"] = self.confidence
        return out


_PROVENANCE = frozenset({"span", "evidence", "doc_id", "extractor"})
#: fields every fact has that are neither provenance nor the kind's own: listed last
ASSESSMENT = ("confidence",)


@event_type("fact.person")
@frozen(kw_only=True)
class Person(Fact):
    """A named person, with one post (title at organisation) when the text gives one."""

    kind: ClassVar[str] = "person"
    key_field: ClassVar[str | None] = "name"
    table: ClassVar[str | None] = "people"

    name: str
    title: str | None = None
    organization: str | None = None
    aliases: tuple[str, ...] = field(default=(), converter=_strings)


@event_type("fact.meeting")
@frozen(kw_only=True)
class Meeting(Fact):
    """A meeting held: date in ISO 8601 (``--08-26`` when the text gives no year)."""

    kind: ClassVar[str] = "meeting"
    key_field: ClassVar[str | None] = "name"

    name: str
    date: str | None = None
    location: str | None = None
    organizers: tuple[str, ...] = field(default=(), converter=_strings)


@event_type("fact.agreement")
@frozen(kw_only=True)
class Agreement(Fact):
    """An agreement signed: ``term`` like ``2023-2027`` when a validity period is given."""

    kind: ClassVar[str] = "agreement"
    key_field: ClassVar[str | None] = "title"

    title: str
    parties: tuple[str, ...] = field(default=(), converter=_strings)
    date: str | None = None
    term: str | None = None


@event_type("fact.statistic")
@frozen(kw_only=True)
class Statistic(Fact):
    """A reported quantity: normalised ``value``, ``unit``, exact surface ``text``.

    ``approx`` is ``more_than``, ``about``, ``at_least`` or ``None``.
    """

    kind: ClassVar[str] = "statistic"
    key_field: ClassVar[str | None] = "unit"

    value: float
    unit: str
    text: str
    approx: str | None = None
