"""Run every installed extractor over seeds/*.txt and score it against the seed gold.

A dev loop for extractor engineers that needs no store or event log: extractors are found
through the ``factfold`` entry-point group (as the framework finds them), each module's
``factfold_register_extractors`` hook is called directly, facts become export records, and
:func:`factfold.evaluation.score` compares them with the gold.  Modules that fail to import
are skipped with a warning, because other plugins may be half-written at any moment.

    .venv/bin/python tools/score_seeds.py [--kind people] [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
import time
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from factfold import Document, Extractor
from factfold.evaluation import KINDS, load_gold, score

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = ROOT / "tests" / "gold" / "seeds.json"


def load_extractors() -> list[Extractor]:
    """Extractors registered by the modules of the ``factfold`` entry-point group."""
    found: list[Extractor] = []
    for ep in entry_points(group="factfold"):
        try:
            module = importlib.import_module(ep.value.split(":")[0])
        except Exception as exc:
            print(f"warning: skipping plugin {ep.name!r}: import failed: {exc!r}", file=sys.stderr)
            continue
        hook = getattr(module, "factfold_register_extractors", None)
        if hook is not None:
            hook(found.append)
    return found


def run(extractors: list[Extractor], seeds: list[Path]) -> Iterator[dict[str, Any]]:
    """Yield export records for every fact, printing each extractor's speed to stderr."""
    docs = []
    for path in seeds:
        data = path.read_bytes()
        docs.append(Document(doc_id=hashlib.sha256(data).hexdigest(), path=str(path),
                             text=data.decode("utf-8")))
    size_kb = sum(len(p.read_bytes()) for p in seeds) / 1024
    for ex in extractors:
        if ex.setup is not None:
            ex.setup()  # outside the timing: models load once per process, not per document
        start = time.perf_counter()
        try:
            records = [_record(doc, ex, fact) for doc in docs if ex.accepts(doc)
                       for fact in ex.extract(doc)]
        except Exception as exc:  # one broken extractor must not hide the others' scores
            print(f"warning: {ex.ref} failed, its facts are left out: {exc!r}", file=sys.stderr)
            continue
        elapsed = time.perf_counter() - start
        print(f"{ex.ref}: {len(records)} facts, {size_kb:.1f} KB in {elapsed:.3f}s "
              f"({size_kb / elapsed if elapsed else float('inf'):.0f} KB/s, after setup)",
              file=sys.stderr)
        yield from records


def _record(doc: Document, ex: Extractor, fact: Any) -> dict[str, Any]:
    """The export-contract record of one fact (as ``factfold export`` writes it)."""
    return {"kind": fact.kind, "source": doc.path, "doc_id": doc.doc_id, "extractor": ex.ref,
            "span": list(fact.span), "evidence": fact.evidence, **fact.attributes()}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, extract, score, print; exit status 0 unless the gold is unreadable."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", action="append", choices=sorted(KINDS.values()),
                        help="score only this kind (repeatable)")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--verbose", action="store_true", help="list misses and false alarms")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    gold = load_gold(args.gold)
    extractors = load_extractors()
    if args.kind:
        wanted = {k for k, v in KINDS.items() if v in args.kind}
        extractors = [ex for ex in extractors if any(c.kind in wanted for c in ex.emits)]
    records = list(run(extractors, sorted(args.seeds.glob("*.txt"))))
    report = score(gold, records, kinds=args.kind)
    if args.json:
        print(json.dumps(report.to_dict(verbose=args.verbose), ensure_ascii=False, indent=2))
    else:
        print(report.render(verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
