"""What ``factfold eval`` reports: hits, false alarms and misses per kind and document,
attribute accuracy, the reliability table by confidence band, as JSON or as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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
