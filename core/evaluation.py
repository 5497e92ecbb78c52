"""Score extracted facts against hand-written gold: the engine behind ``factfold eval``.

Everything here is a pure function of a gold dict and an iterable of export records (the
``factfold export`` JSON objects), so plugin authors can score their own extractors on their
own gold without a store.  The gold format and the annotation guidelines are described in
``GUIDELINES.md`` next to the seed gold; the rules below are its "Matching when scoring"
section made exact.  This module scores; the gold format is :mod:`factfold.eval_gold`, the
matching rules :mod:`factfold.eval_match`, the report :mod:`factfold.eval_report` (their public
names are importable from here too).

Documents
    A record belongs to the gold document whose key equals the basename of its ``source``.
    Records for documents the gold does not know are not scored (listed as
    ``unscored_sources``); every gold document is scored, so a document with no records
    contributes only misses.

Normalisation
    Strings are compared after NFKC, case folding and removal of whitespace, quote marks and
    book-title brackets (《》), so ``“Belt and Road”`` equals ``"belt and road"``.  Person names
    also drop honorifics (Mr., Mrs., Ms., Miss, Dr., Prof., Professor, Sir, Madam, Mx. before
    the name; 先生 and 女士 after a Chinese name) and unify the middle dot of transliterated
    names (``·``, ``•``, ``・``).

People
    Person records of one document with the same normalised name (or one of their
    ``aliases``, when a record carries them) are one predicted person whose roles are the
    set of their non-null ``(title, organization)`` pairs.  A predicted person matches a gold
    person when a name or alias of the one equals a name or alias of the other.  Role scores
    are taken over predicted people matched to required gold people: a predicted role matches
    a gold role (or one of its ``alt`` forms) when the titles contain one another and, if the
    gold form names a body, the predicted organisation is given and the bodies contain one
    another.  Each gold role counts once however many of its forms match.

Meetings and agreements
    Names (meetings) and titles (agreements) are similar when one contains the other or the
    Dice coefficient of their character-bigram multisets is at least 0.6; the gold's
    ``aliases`` are tried as well.  An agreement also matches when its parties pair up with
    the gold parties one to one (each pair containing one another), whatever its title: the
    guidelines let a descriptive title vary, the parties do not.

Statistics
    Equal ``value`` (relative tolerance 1e-6, for float rounding) and a compatible unit (the
    normalised units are equal, or one contains the other).

One to one
    Candidate pairs are ranked by similarity (an exact name or unit beats a containment,
    a required gold item beats an optional one on a tie) and taken greedily best-first; each
    gold item and each prediction is used at most once.  A prediction paired with a
    required item is a hit (TP); a required item left unpaired is a miss (FN); a prediction
    left unpaired is a false alarm (FP) unless it would match some optional gold item, in
    which case it is ignored, as are optional items themselves.

Attributes (accuracy over predictions paired with required gold items)
    * dates — correct when the prediction gives every part (year, month, day) the gold
      gives, with equal values; parts the gold lacks are not checked, so gold ``--08-26``
      accepts ``2022-08-26`` (the text gave no year, so a year the extractor inferred from
      elsewhere is not held against it) but gold ``2022-08-26`` rejects ``--08-26``.  A null
      gold date ("日前", or no date in the text) is correct only when the prediction is null
      too: a date there was invented.
    * meeting location — both null, or both given and containing one another.
    * organizers, parties — the two lists pair up one to one by containment, same length.
    * agreement term — normalised equality (both null counts as correct).
    * statistic approx and unit — equality (unit after normalisation), and text, which the
      guidelines require to be the exact surface form.

Languages
    :func:`score_by_language` scores each language's documents apart (a document's language
    is its dominant script: see :func:`language_of`), so a strong language cannot hide a
    weak one in the totals.

Ratios
    Precision is 1.0 when nothing was predicted and recall is 1.0 when nothing was to be
    found, so an empty document with no predictions scores F1 1.0 rather than 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .eval_gold import KINDS, GoldError, load_gold, records_of
from .eval_match import (
    ATTRIBUTES,
    SCORERS,
    Pred,
    attribute_correct,
    greedy,
    group_people,
    score_roles,
)
from .eval_report import Counts, EvalReport, KindScore, Ratio, ScoredItem

__all__ = [
    "KINDS",
    "Counts",
    "EvalReport",
    "GoldError",
    "KindScore",
    "Ratio",
    "ScoredItem",
    "language_of",
    "load_gold",
    "records_of",
    "score",
    "score_by_language",
]


def _label(kind: str, item: Mapping[str, Any]) -> str:
    key = {"people": "name", "meetings": "name", "agreements": "title"}.get(kind, "text")
    return str(item.get(key))


def score(gold: Mapping[str, Any], records: Iterable[Mapping[str, Any]],
          kinds: Iterable[str] | None = None) -> EvalReport:
    """Compare export records with gold and count hits, misses and false alarms per kind.

    ``kinds`` restricts scoring to some kinds (gold keys like ``people`` or record kinds like
    ``person``); by default all four are scored.  See the module docstring for the rules.
    """
    wanted = list(KINDS.values())
    if kinds is not None:
        chosen = {KINDS.get(k, k) for k in kinds}
        unknown = chosen - set(wanted)
        if unknown:
            raise ValueError(f"unknown kind(s): {', '.join(sorted(unknown))}")
        wanted = [k for k in wanted if k in chosen]
    gold_docs: Mapping[str, Mapping[str, Any]] = gold["documents"]
    by_doc: dict[str, dict[str, list[Mapping[str, Any]]]] = {d: {} for d in gold_docs}
    unscored: set[str] = set()
    for rec in records:
        kind = KINDS.get(str(rec.get("kind")))
        doc = _document_key(rec)
        if kind not in wanted:
            continue
        if doc not in by_doc:
            unscored.add(str(rec.get("source")))
            continue
        by_doc[doc].setdefault(kind, []).append(rec)

    report = EvalReport(
        kinds={k: KindScore(attributes={a: Ratio() for a in ATTRIBUTES.get(k, ())},
                            roles=Counts() if k == "people" else None) for k in wanted},
        documents={},
        unscored_sources=sorted(unscored),
    )
    for doc, gold_kinds in gold_docs.items():
        report.documents[doc] = {}
        for kind in wanted:
            counts = _score_kind(report, doc, kind, gold_kinds.get(kind, []),
                                 by_doc[doc].get(kind, []))
            report.documents[doc][kind] = counts
            report.kinds[kind].counts.add(counts)
    return report


def language_of(text: str) -> str:
    """``zh`` when Han characters are at least a third as many as Latin letters, else
    ``en`` when there are Latin letters, else ``other``.

    Chinese news quotes English names and acronyms, and English news quotes Chinese ones,
    so the proportion decides, not the presence: a Chinese word is one to two characters,
    an English word five or six letters.  (The built-in extractors route sentences by the
    same rule.)
    """
    han = latin = 0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            han += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    if not han and not latin:
        return "other"
    return "zh" if han * 3 >= latin else "en"


def score_by_language(gold: Mapping[str, Any], records: Iterable[Mapping[str, Any]],
                      languages: Mapping[str, str],
                      kinds: Iterable[str] | None = None) -> dict[str, EvalReport]:
    """Score each language's gold documents apart: ``languages`` maps a gold document's key
    to its language (documents it does not name are ``unknown``)."""
    records = list(records)
    groups: dict[str, dict[str, Any]] = {}
    for doc, kinds_of_doc in gold["documents"].items():
        groups.setdefault(languages.get(doc, "unknown"), {})[doc] = kinds_of_doc
    return {
        language: score({**gold, "documents": docs},
                        [r for r in records if _document_key(r) in docs], kinds)
        for language, docs in sorted(groups.items())
    }


def _document_key(record: Mapping[str, Any]) -> str:
    """The gold document a record belongs to: the basename of its ``source``."""
    return str(record.get("source") or "").replace("\\", "/").rsplit("/", 1)[-1]


def _score_kind(report: EvalReport, doc: str, kind: str, gold_items: list[Mapping[str, Any]],
                records: list[Mapping[str, Any]]) -> Counts:
    preds = (group_people(records) if kind == "people"
             else [Pred(records=[r]) for r in records])
    scorer = SCORERS[kind]
    candidates = []
    for gi, g in enumerate(gold_items):
        for pi, p in enumerate(preds):
            s = scorer(g, p)
            if s is not None:
                candidates.append((s, not g.get("optional", False), gi, pi))
    pairs = greedy(candidates)
    optional_hits = {pi for _, required, _, pi in candidates if not required}
    counts = Counts()
    ks = report.kinds[kind]
    for gi, g in enumerate(gold_items):
        if g.get("optional", False):
            continue
        if gi not in pairs:
            counts.fn += 1
            report.misses.append(ScoredItem(doc, kind, _label(kind, g), _gold_detail(kind, g)))
            continue
        counts.tp += 1
        pred = preds[pairs[gi]]
        for name, ratio in ks.attributes.items():
            ratio.total += 1
            ratio.correct += attribute_correct(name, g, pred.first)
        ks.judged(_confidence(pred), True)
        report.judged.append((kind, pred.first, True))
        if ks.roles is not None:
            _count_roles(report, doc, g, pred, ks.roles)
    paired = set(pairs.values())
    for pi, p in enumerate(preds):
        if pi not in paired and pi not in optional_hits:
            counts.fp += 1
            ks.judged(_confidence(p), False)
            report.judged.append((kind, p.first, False))
            report.false_alarms.append(ScoredItem(
                doc, kind, _label(kind, p.first), str(p.first.get("evidence") or "")))
    return counts


def _confidence(pred: Pred) -> float | None:
    """A prediction's confidence: the highest its records give (a person is as sure as
    its surest mention)."""
    given = [r["confidence"] for r in pred.records
             if isinstance(r.get("confidence"), int | float)]
    return max(given) if given else None


def _gold_detail(kind: str, g: Mapping[str, Any]) -> str:
    if kind == "people":
        return "; ".join(f"{r['title']}@{r.get('organization')}" for r in g.get("roles", ()))
    if kind == "statistics":
        return f"value={g['value']} unit={g['unit']}"
    return ""


def _count_roles(report: EvalReport, doc: str, gold: Mapping[str, Any], pred: Pred,
                 roles: Counts) -> None:
    gold_roles = gold.get("roles", ())
    pairs = score_roles(gold_roles, pred.roles)
    roles.tp += len(pairs)
    for gi, role in enumerate(gold_roles):
        if gi not in pairs:
            roles.fn += 1
            report.misses.append(ScoredItem(
                doc, "role", f"{gold['name']}: {role['title']}@{role.get('organization')}"))
    used = set(pairs.values())
    for pi, (title, org) in enumerate(pred.roles):
        if pi not in used:
            roles.fp += 1
            report.false_alarms.append(ScoredItem(doc, "role", f"{gold['name']}: {title}@{org}"))
