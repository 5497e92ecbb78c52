"""Measure the built-in extractors' calibration classes on the real-news corpus.

Ingests the corpus texts that are present (as ``tools/eval_real.py`` does), scores them,
and counts for each class of :mod:`factfold.plugins.confidence` how many scored
predictions were right: the numbers that go into ``CALIBRATION``.

    .venv/bin/python tools/calibrate.py [--corpus DIR] [--texts DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from eval_real import CORPUS, present_texts

from factfold.evaluation import load_gold, score
from factfold.plugins.confidence import class_of
from factfold.store import Store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--texts", type=Path)
    args = parser.parse_args(argv)
    sources = json.loads((args.corpus / "sources.json").read_text(encoding="utf-8"))
    found, _ = present_texts(sources, args.texts or args.corpus / "texts")
    if not found:
        print("calibrate: no corpus texts present; see tools/eval_real.py", file=sys.stderr)
        return 2
    gold = load_gold(args.corpus / "gold.json")
    gold["documents"] = {d: g for d, g in gold["documents"].items()
                         if d in {p.name for p in found}}
    with tempfile.TemporaryDirectory(prefix="factfold-calibrate-") as work:
        store = Path(work) / "store"
        subprocess.run([sys.executable, "-m", "factfold", "--store", str(store), "ingest",
                        *map(str, found)], check=True, stdout=subprocess.DEVNULL)
        with Store(store, writable=False) as s:
            report = score(gold, s.export())
    right: Counter[str] = Counter()
    scored: Counter[str] = Counter()
    for _, record, ok in report.judged:
        key = class_of(record["kind"], record.get("evidence") or "", record.get("title"))
        scored[key] += 1
        right[key] += ok
    print(f"{len(found)} documents; class: (right, scored)")
    for key in sorted(scored):
        print(f'    "{key}": ({right[key]}, {scored[key]}),')
    return 0


if __name__ == "__main__":
    sys.exit(main())
