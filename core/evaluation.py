"""Score extracted facts against hand-written gold: the engine behind ``factfold eval``.

Everything here is a pure function of a gold dict and an iterable of export records (the
``factfold export`` JSON objects), so plugin authors can score their own extractors on their
own gold without a store.  The gold format and the annotation guidelines are described in
``GUIDELINES.md`` next to the seed gold; the rules below are its "Matching when scoring"
section made exact.

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

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

#: record ``kind`` -> the gold file's key for that kind.
KINDS: dict[str, str] = {
    "person": "people",
    "meeting": "meetings",
    "agreement": "agreements",
    "statistic": "statistics",
}

_REQUIRED_FIELDS = {
    "people": ("name",),
    "meetings": ("name",),
    "agreements": ("title",),
    "statistics": ("value", "unit", "text"),
}
_ATTRIBUTES = {
    "meetings": ("date", "location", "organizers"),
    "agreements": ("date", "parties", "term"),
    "statistics": ("approx", "unit", "text"),
}
_NULLABLE_FIELDS = frozenset({"unit"})
_DICE_THRESHOLD = 0.6


class GoldError(ValueError):
    """The gold file is missing, is not JSON, or does not follow the gold format."""


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read and check a gold file, so a typo in hand-written gold fails loudly, not as 0 F1.

    Returns the parsed dict unchanged (``{"version": 1, "documents": {...}}``).
    """
    path = Path(path)
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GoldError(f"{path}: cannot read gold file: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: not valid UTF-8 JSON: {exc}") from exc
    documents = gold.get("documents") if isinstance(gold, dict) else None
    if not isinstance(documents, dict):
        raise GoldError(f"{path}: expected an object with a 'documents' object")
    for doc, kinds in documents.items():
        if not isinstance(kinds, dict):
            raise GoldError(f"{path}: documents[{doc!r}] must be an object")
        for kind, items in kinds.items():
            where = f"{path}: documents[{doc!r}].{kind}"
            if kind not in _REQUIRED_FIELDS:
                raise GoldError(f"{where}: unknown kind (expected {', '.join(_REQUIRED_FIELDS)})")
            if not isinstance(items, list):
                raise GoldError(f"{where}: must be a list")
            for i, item in enumerate(items):
                _check_item(f"{where}[{i}]", kind, item)
    return gold


def _check_item(where: str, kind: str, item: Any) -> None:
    if not isinstance(item, dict):
        raise GoldError(f"{where}: must be an object")
    for name in _REQUIRED_FIELDS[kind]:
        # A statistic's unit is required as a key but may be null: a bare number has none.
        if name not in item or (item[name] is None and name not in _NULLABLE_FIELDS):
            raise GoldError(f"{where}: missing {name!r}")
    if kind == "statistics" and not isinstance(item["value"], int | float):
        raise GoldError(f"{where}: 'value' must be a number")
    for role in item.get("roles", ()):
        if not isinstance(role, dict) or not role.get("title"):
            raise GoldError(f"{where}: every role needs a 'title'")


# --------------------------------------------------------------------------- report


@dataclass
class Counts:
    """Hits, false alarms and misses, with the usual ratios."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        """Accumulate another count (for totals over documents)."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        """Share of predictions that were right (1.0 when nothing was predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of gold items found (1.0 when there was nothing to find)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts and ratios (ratios rounded to 4 places)."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Ratio:
    """Attribute accuracy: correct out of scored (``None`` accuracy when nothing was scored)."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        """Share correct, or None when no matched item had this attribute scored."""
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts and accuracy."""
        acc = self.accuracy
        return {
            "correct": self.correct,
            "total": self.total,
            "accuracy": None if acc is None else round(acc, 4),
        }


@dataclass
class ScoredItem:
    """A miss or false alarm, with enough text to find it in the document."""

    document: str
    kind: str
    text: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON-ready item."""
        return {"document": self.document, "kind": self.kind, "text": self.text,
                "detail": self.detail}


#: the confidence bands of the reliability table: a fact falls in the last band it reaches
_BANDS = ((0.0, "< 0.5"), (0.5, "0.5-0.7"), (0.7, "0.7-0.8"), (0.8, "0.8-0.9"),
          (0.9, "0.9-0.95"), (0.95, ">= 0.95"))


def _band(confidence: Any) -> str:
    if not isinstance(confidence, int | float):
        return "none"
    return next(label for low, label in reversed(_BANDS) if confidence >= low)


@dataclass
class KindScore:
    """Scores for one kind: item counts, attribute accuracy, (people only) role counts, and
    the reliability table: per confidence band, how many scored predictions were right."""

    counts: Counts = field(default_factory=Counts)
    attributes: dict[str, Ratio] = field(default_factory=dict)
    roles: Counts | None = None
    reliability: dict[str, Ratio] = field(default_factory=dict)

    def judged(self, confidence: Any, right: bool) -> None:
        """Count one scored prediction in its confidence band."""
        ratio = self.reliability.setdefault(_band(confidence), Ratio())
        ratio.total += 1
        ratio.correct += right

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts, with ``roles`` and ``attributes`` when this kind has them."""
        out: dict[str, Any] = self.counts.to_dict()
        if self.roles is not None:
            out["roles"] = self.roles.to_dict()
        if self.attributes:
            out["attributes"] = {k: v.to_dict() for k, v in self.attributes.items()}
        out["reliability"] = {band: r.to_dict() for band, r in self._bands()}
        return out

    def _bands(self) -> list[tuple[str, Ratio]]:
        order = [label for _, label in _BANDS] + ["none"]
        return sorted(self.reliability.items(), key=lambda kv: order.index(kv[0]))


@dataclass
class EvalReport:
    """The result of :func:`score`: totals per kind, per document, misses and false alarms."""

    kinds: dict[str, KindScore]
    documents: dict[str, dict[str, Counts]]
    misses: list[ScoredItem] = field(default_factory=list)
    false_alarms: list[ScoredItem] = field(default_factory=list)
    #: every scored prediction: (kind, its first record, whether it was right); what
    #: calibration is measured from
    judged: list[tuple[str, Mapping[str, Any], bool]] = field(default_factory=list)
    unscored_sources: list[str] = field(default_factory=list)

    def to_dict(self, verbose: bool = True) -> dict[str, Any]:
        """JSON-ready report; ``verbose=False`` leaves out the miss and false-alarm lists."""
        out: dict[str, Any] = {
            "kinds": {k: v.to_dict() for k, v in self.kinds.items()},
            "documents": {
                doc: {k: c.to_dict() for k, c in kinds.items()}
                for doc, kinds in self.documents.items()
            },
            "unscored_sources": list(self.unscored_sources),
        }
        if verbose:
            out["misses"] = [m.to_dict() for m in self.misses]
            out["false_alarms"] = [m.to_dict() for m in self.false_alarms]
        return out

    def render(self, verbose: bool = False, documents: bool = True) -> str:
        """A plain-text report for a terminal; ``verbose`` adds misses and false alarms,
        ``documents=False`` leaves out the per-document lines."""
        lines = [f"{'kind':<14}{'TP':>5}{'FP':>5}{'FN':>5}{'prec':>8}{'rec':>8}{'F1':>8}"]
        for kind, ks in self.kinds.items():
            lines.append(_row(kind, ks.counts))
            if ks.roles is not None:
                lines.append(_row("  roles", ks.roles))
        attrs = [(f"{kind}.{name}", r) for kind, ks in self.kinds.items()
                 for name, r in ks.attributes.items()]
        if attrs:
            lines += ["", "attribute accuracy (over matched items)"]
            for name, r in attrs:
                acc = "-" if r.accuracy is None else f"{r.accuracy:.3f}"
                lines.append(f"  {name:<24}{r.correct:>4}/{r.total:<4}{acc:>8}")
        bands = [(kind, band, r) for kind, ks in self.kinds.items() for band, r in ks._bands()
                 if band != "none"]
        if bands:
            lines += ["", "reliability (scored predictions right, by the extractors' confidence)"]
            for kind, band, r in bands:
                acc = "-" if r.accuracy is None else f"{r.accuracy:.3f}"
                lines.append(f"  {kind:<12}{band:>10}{r.correct:>6}/{r.total:<5}{acc:>8}")
        if documents:
            lines += ["", "per document (TP/FP/FN, F1)"]
            for doc, kinds in self.documents.items():
                cells = "  ".join(f"{k} {c.tp}/{c.fp}/{c.fn} {c.f1:.2f}" for k, c in kinds.items())
                lines.append(f"  {doc}  {cells}")
        if self.unscored_sources:
            lines += ["", "not in gold (not scored): " + ", ".join(self.unscored_sources)]
        if verbose:
            for title, items in (("misses", self.misses), ("false alarms", self.false_alarms)):
                lines += ["", f"{title} ({len(items)})"]
                lines += [f"  [{i.document}] {i.kind}: {i.text}" + (f"  -- {i.detail}"
                          if i.detail else "") for i in items]
        return "\n".join(lines)


def _row(label: str, c: Counts) -> str:
    return (f"{label:<14}{c.tp:>5}{c.fp:>5}{c.fn:>5}"
            f"{c.precision:>8.3f}{c.recall:>8.3f}{c.f1:>8.3f}")


# --------------------------------------------------------------------------- normalising

_DROP = re.compile(r"[\s\"'“”‘’「」『』《》〈〉]+")
_DOTS = re.compile(r"[·•・‧∙]")
_HONORIFIC_PREFIX = re.compile(
    r"^(?:mr|mrs|ms|miss|mx|dr|prof|professor|sir|madam)\.?\s+", re.IGNORECASE
)
_HONORIFIC_SUFFIX = re.compile(r"(?<=..)(?:先生|女士)$")


def _norm(text: str | None) -> str:
    """Comparable form of a string: NFKC, case-folded, no spaces, quotes or 《》."""
    if not text:
        return ""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).casefold())


def _person_key(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).strip()
    name = _HONORIFIC_PREFIX.sub("", name)
    name = _HONORIFIC_SUFFIX.sub("", name.strip())
    return _DOTS.sub("·", _norm(name))


def _contains(a: str, b: str) -> bool:
    """Normalised strings containing one another (empty strings contain nothing)."""
    return bool(a) and bool(b) and (a in b or b in a)


def _dice(a: str, b: str) -> float:
    """Dice coefficient of the character-bigram multisets of two normalised strings."""
    ba = Counter(a[i:i + 2] for i in range(len(a) - 1))
    bb = Counter(b[i:i + 2] for i in range(len(b) - 1))
    total = sum(ba.values()) + sum(bb.values())
    return 2 * sum((ba & bb).values()) / total if total else 0.0


def _similarity(gold_names: Sequence[str], predicted: str) -> float | None:
    """Best similarity of a predicted name with any gold name/alias, or None if none match."""
    p = _norm(predicted)
    best = None
    for g in map(_norm, gold_names):
        if not g or not p:
            continue
        if g == p:
            return 1.0
        sim = _dice(g, p)
        if _contains(g, p):
            sim = max(sim, min(len(g), len(p)) / max(len(g), len(p)))
        elif sim < _DICE_THRESHOLD:
            continue
        best = sim if best is None else max(best, sim)
    return best


def _lists_pair(gold: Sequence[str], predicted: Sequence[str]) -> bool:
    """Two lists of names pair up one to one by containment (same length, all paired)."""
    if len(gold) != len(predicted):
        return False
    g_norm = [_norm(x) for x in gold]
    p_norm = [_norm(x) for x in predicted]
    pairs = _greedy([(_pair_rank(g, p), True, i, j) for i, g in enumerate(g_norm)
                     for j, p in enumerate(p_norm) if _contains(g, p)])
    return len(pairs) == len(gold)


def _pair_rank(a: str, b: str) -> float:
    return min(len(a), len(b)) / max(len(a), len(b))


_DATE = re.compile(r"^(?:(\d{4})|-)(?:-(\d{2})(?:-(\d{2}))?)?$")


def _date_parts(value: str) -> tuple[str | None, ...] | None:
    m = _DATE.match(value.strip())
    if m is None or not any(m.groups()):
        return None
    return m.groups()


def _date_matches(gold: str | None, predicted: str | None) -> bool:
    """Every part (year, month, day) the gold gives is given equal by the prediction."""
    if not gold:
        return not predicted
    if not predicted:
        return False
    g, p = _date_parts(gold), _date_parts(predicted)
    if g is None or p is None:
        return _norm(gold) == _norm(predicted)
    return all(gp is None or gp == pp for gp, pp in zip(g, p, strict=True))


# --------------------------------------------------------------------------- matching


def _greedy(candidates: list[tuple[float, bool, int, int]]) -> dict[int, int]:
    """One-to-one pairs (gold index -> prediction index), best score first."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, _, gi, pi in sorted(candidates, key=lambda c: (-c[0], not c[1], c[2], c[3])):
        if gi not in pairs and pi not in used:
            pairs[gi] = pi
            used.add(pi)
    return pairs


@dataclass
class _Pred:
    """One predicted item of a document: the records behind it, and what to show for it."""

    records: list[Mapping[str, Any]]
    names: set[str] = field(default_factory=set)
    roles: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def first(self) -> Mapping[str, Any]:
        return self.records[0]


def _group_people(records: list[Mapping[str, Any]]) -> list[_Pred]:
    """Merge person records of one document that share a name into one predicted person."""
    people: list[_Pred] = []
    by_key: dict[str, _Pred] = {}
    for rec in records:
        keys = {_person_key(n) for n in (rec.get("name") or "", *(rec.get("aliases") or ()))}
        keys.discard("")
        person = next((by_key[k] for k in keys if k in by_key), None)
        if person is None:
            person = _Pred(records=[])
            people.append(person)
        person.records.append(rec)
        person.names |= keys
        for k in keys:
            by_key[k] = person
        role = (rec.get("title"), rec.get("organization"))
        if role[0] and role not in person.roles:
            person.roles.append(role)
    return people


def _role_forms(role: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [role, *role.get("alt", ())]


def _role_matches(form: Mapping[str, Any], title: str, org: str | None) -> bool:
    if not _contains(_norm(form.get("title")), _norm(title)):
        return False
    gold_org = _norm(form.get("organization"))
    return not gold_org or _contains(gold_org, _norm(org))


def _score_roles(gold_roles: Sequence[Mapping[str, Any]],
                 predicted: Sequence[tuple[str, str | None]]) -> dict[int, int]:
    candidates = []
    for gi, role in enumerate(gold_roles):
        for pi, (title, org) in enumerate(predicted):
            forms = [f for f in _role_forms(role) if _role_matches(f, title, org)]
            if forms:
                rank = max(_pair_rank(_norm(f.get("title")), _norm(title))
                           + (1.0 if f.get("organization") else 0.0) for f in forms)
                candidates.append((rank, True, gi, pi))
    return _greedy(candidates)


def _person_score(gold: Mapping[str, Any], pred: _Pred) -> float | None:
    names = {_person_key(n) for n in (gold["name"], *gold.get("aliases", ()))}
    if not names & pred.names:
        return None
    # Among same-name candidates, prefer the pairing that shares more roles.
    return 1.0 + 0.01 * len(_score_roles(gold.get("roles", ()), pred.roles))


def _meeting_score(gold: Mapping[str, Any], pred: _Pred) -> float | None:
    return _similarity([gold["name"], *gold.get("aliases", ())], pred.first.get("name") or "")


def _agreement_score(gold: Mapping[str, Any], pred: _Pred) -> float | None:
    title = _similarity([gold["title"], *gold.get("aliases", ())], pred.first.get("title") or "")
    parties = bool(gold.get("parties")) and _lists_pair(
        gold.get("parties", ()), pred.first.get("parties") or ())
    if title is None and not parties:
        return None
    return (title or 0.0) + (1.0 if parties else 0.0)


def _statistic_score(gold: Mapping[str, Any], pred: _Pred) -> float | None:
    rec = pred.first
    try:
        value = float(rec.get("value"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isclose(float(gold["value"]), value, rel_tol=1e-6, abs_tol=1e-9):
        return None
    g_unit, p_unit = _norm(gold.get("unit")), _norm(rec.get("unit"))
    if g_unit != p_unit and not _contains(g_unit, p_unit):
        return None
    same_text = _norm(gold.get("text")) == _norm(rec.get("text"))
    return 1.0 + float(g_unit == p_unit) + 0.5 * float(same_text)


_SCORERS: dict[str, Callable[[Mapping[str, Any], _Pred], float | None]] = {
    "people": _person_score,
    "meetings": _meeting_score,
    "agreements": _agreement_score,
    "statistics": _statistic_score,
}


def _attribute_correct(name: str, gold: Mapping[str, Any], rec: Mapping[str, Any]) -> bool:
    g, p = gold.get(name), rec.get(name)
    if name == "date":
        return _date_matches(g, p)
    if name in ("organizers", "parties"):
        return _lists_pair(g or (), p or ())
    if name == "location":
        return (not g and not p) or _contains(_norm(g), _norm(p))
    if name == "approx":
        return g == p  # a closed vocabulary or null
    return _norm(g) == _norm(p)  # term, unit, text


def _label(kind: str, item: Mapping[str, Any]) -> str:
    key = {"people": "name", "meetings": "name", "agreements": "title"}.get(kind, "text")
    return str(item.get(key))


# --------------------------------------------------------------------------- scoring


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
        kinds={k: KindScore(attributes={a: Ratio() for a in _ATTRIBUTES.get(k, ())},
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


def records_of(gold: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A gold file's items as export records (one per person and role), so one annotator's
    gold can be scored against another's: inter-annotator agreement is :func:`score` of
    the one with the other's records."""
    records: list[dict[str, Any]] = []
    for doc, kinds in gold["documents"].items():
        for p in kinds.get("people", []):
            for r in p.get("roles") or [{"title": None, "organization": None}]:
                records.append({"kind": "person", "source": doc, "name": p["name"],
                                "aliases": p.get("aliases", []), "title": r["title"],
                                "organization": r.get("organization")})
        records += [{"kind": "meeting", "source": doc, **m} for m in kinds.get("meetings", [])]
        records += [{"kind": "agreement", "source": doc, **a}
                    for a in kinds.get("agreements", [])]
        records += [{"kind": "statistic", "source": doc, **s}
                    for s in kinds.get("statistics", [])]
    return records


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
    preds = (_group_people(records) if kind == "people"
             else [_Pred(records=[r]) for r in records])
    scorer = _SCORERS[kind]
    candidates = []
    for gi, g in enumerate(gold_items):
        for pi, p in enumerate(preds):
            s = scorer(g, p)
            if s is not None:
                candidates.append((s, not g.get("optional", False), gi, pi))
    pairs = _greedy(candidates)
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
            ratio.correct += _attribute_correct(name, g, pred.first)
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


def _confidence(pred: _Pred) -> float | None:
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


def _count_roles(report: EvalReport, doc: str, gold: Mapping[str, Any], pred: _Pred,
                 roles: Counts) -> None:
    gold_roles = gold.get("roles", ())
    pairs = _score_roles(gold_roles, pred.roles)
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
