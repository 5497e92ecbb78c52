"""Calibrated confidence for the built-in extractors' facts.

A fact's ``confidence`` is the share of the facts of its class that were right on the
real-news development corpus (``tests/realnews``: published reports, two annotators,
adjudicated), so that facts given 0.9 are right about nine times in ten.  A class is the
fact's kind, the language of its sentence, and for people whether the text gave a post: a
name read beside its post is surer than a name alone.  The share is smoothed by one right
and one wrong (Laplace), so a class seen right 8 times out of 8 gets 0.9, not 1.0.

``factfold eval`` prints the reliability table that checks the calibration on any gold set
(``tools/eval_real.py`` on the corpus).  When the rules change, measure again and update
:data:`CALIBRATION` with the counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import attrs

from factfold import Document, Fact

from . import nlp

F = TypeVar("F", bound=Fact)

#: class -> (right, scored) on the corpus's 48 documents (``tools/calibrate.py``); these are
#: the rules' development set, so the shares are if anything optimistic
CALIBRATION: dict[str, tuple[int, int]] = {
    "person:zh:post": (123, 124),
    "person:zh:name": (13, 14),
    "person:en:post": (57, 57),
    "person:en:name": (11, 12),
    "meeting:zh": (26, 26),
    "meeting:en": (16, 16),
    "agreement:zh": (17, 17),
    "agreement:en": (8, 8),
    "statistic:zh": (51, 52),
    "statistic:en": (21, 21),
}


def class_of(kind: str, evidence: str, title: str | None = None) -> str:
    """The calibration class of a fact (or an export record of one): its kind, the
    language of its sentence, and for a person whether a post came with the name."""
    key = f"{kind}:{nlp.script(evidence)}"
    if kind == "person":
        key += ":post" if title else ":name"
    return key


def confidence(fact: Fact) -> float | None:
    """The calibrated confidence of ``fact``'s class, or None for a class not measured."""
    counts = CALIBRATION.get(class_of(fact.kind, fact.evidence, getattr(fact, "title", None)))
    if counts is None:
        return None
    right, scored = counts
    return round((right + 1) / (scored + 2), 3)


def calibrated(extract: Callable[[Document], Iterator[F]]) -> Callable[[Document], Iterator[F]]:
    """``extract`` with each fact given its class's calibrated confidence."""

    def run(document: Document) -> Iterator[F]:
        for fact in extract(document):
            yield attrs.evolve(fact, confidence=confidence(fact))

    run.__name__ = getattr(extract, "__name__", "extract")
    run.__doc__ = extract.__doc__
    return run
