"""The matching rules of ``factfold eval``: when a prediction is a gold item.

Normalised strings, name similarity, dates that agree on the parts the gold gives, lists
that pair up, and the one-to-one greedy pairing; the rules in words are the docstring of
:mod:`factfold.evaluation`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ATTRIBUTES = {
    "meetings": ("date", "location", "organizers"),
    "agreements": ("date", "parties", "term"),
    "statistics": ("approx", "unit", "text"),
}
_DICE_THRESHOLD = 0.6


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
    pairs = greedy([(_pair_rank(g, p), True, i, j) for i, g in enumerate(g_norm)
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


def greedy(candidates: list[tuple[float, bool, int, int]]) -> dict[int, int]:
    """One-to-one pairs (gold index -> prediction index), best score first."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, _, gi, pi in sorted(candidates, key=lambda c: (-c[0], not c[1], c[2], c[3])):
        if gi not in pairs and pi not in used:
            pairs[gi] = pi
            used.add(pi)
    return pairs


@dataclass
class Pred:
    """One predicted item of a document: the records behind it, and what to show for it."""

    records: list[Mapping[str, Any]]
    names: set[str] = field(default_factory=set)
    roles: list[tuple[Any, Any]] = field(default_factory=list)

    @property
    def first(self) -> Mapping[str, Any]:
        return self.records[0]


def group_people(records: list[Mapping[str, Any]]) -> list[Pred]:
    """Merge person records of one document that share a name into one predicted person."""
    people: list[Pred] = []
    by_key: dict[str, Pred] = {}
    for rec in records:
        keys = {_person_key(n) for n in (rec.get("name") or "", *(rec.get("aliases") or ()))}
        keys.discard("")
        person = next((by_key[k] for k in keys if k in by_key), None)
        if person is None:
            person = Pred(records=[])
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


def score_roles(gold_roles: Sequence[Mapping[str, Any]],
                 predicted: Sequence[tuple[Any, Any]]) -> dict[int, int]:
    candidates = []
    for gi, role in enumerate(gold_roles):
        for pi, (title, org) in enumerate(predicted):
            forms = [f for f in _role_forms(role) if _role_matches(f, title, org)]
            if forms:
                rank = max(_pair_rank(_norm(f.get("title")), _norm(title))
                           + (1.0 if f.get("organization") else 0.0) for f in forms)
                candidates.append((rank, True, gi, pi))
    return greedy(candidates)


def _person_score(gold: Mapping[str, Any], pred: Pred) -> float | None:
    names = {_person_key(n) for n in (gold["name"], *gold.get("aliases", ()))}
    if not names & pred.names:
        return None
    # Among same-name candidates, prefer the pairing that shares more roles.
    return 1.0 + 0.01 * len(score_roles(gold.get("roles", ()), pred.roles))


def _meeting_score(gold: Mapping[str, Any], pred: Pred) -> float | None:
    return _similarity([gold["name"], *gold.get("aliases", ())], pred.first.get("name") or "")


def _agreement_score(gold: Mapping[str, Any], pred: Pred) -> float | None:
    title = _similarity([gold["title"], *gold.get("aliases", ())], pred.first.get("title") or "")
    parties = bool(gold.get("parties")) and _lists_pair(
        gold.get("parties", ()), pred.first.get("parties") or ())
    if title is None and not parties:
        return None
    return (title or 0.0) + (1.0 if parties else 0.0)


def _statistic_score(gold: Mapping[str, Any], pred: Pred) -> float | None:
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


SCORERS: dict[str, Callable[[Mapping[str, Any], Pred], float | None]] = {
    "people": _person_score,
    "meetings": _meeting_score,
    "agreements": _agreement_score,
    "statistics": _statistic_score,
}


def attribute_correct(name: str, gold: Mapping[str, Any], rec: Mapping[str, Any]) -> bool:
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
