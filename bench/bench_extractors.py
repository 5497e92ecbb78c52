"""Extractor throughput: KB of text per second through all four built-ins, on one core, for
Chinese and for English.

Issue 13's targets are >= 100 KB/s of Chinese and >= 200 KB/s of English for the four
together.  The project's own documents of each language (the seeds and the held-out set)
are repeated into distinct documents (a counter in each, so no cache can short-cut the
work) and run through every built-in extractor, in one process pinned to one core, after
the extractors' setup (model loading) is done.  Prints one line per extractor and the
total for each language; ``--json`` for the runner.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from factfold import Document
from factfold.extraction import run_extractor, setup_extractors
from factfold.pluginmanager import PluginHost

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "seeds", ROOT / "tests" / "heldout" / "docs")
TARGETS = {"zh": 100, "en": 200}
NAMES = {"zh": "Chinese", "en": "English"}


def corpus(language: str, copies: int) -> list[Document]:
    texts = [p.read_text(encoding="utf-8") for folder in SOURCES
             for p in sorted(folder.glob("*.txt"))]
    chosen = [t for t in texts if Document("", "", t).language == language]
    number = "（第{}期）\n" if language == "zh" else "(Issue {})\n"
    return [Document(f"d{i}-{j}", f"d{i}-{j}.txt", number.format(i) + t)
            for i in range(copies) for j, t in enumerate(chosen)]


def measure(language: str, copies: int, runs: int) -> dict:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    extractors = setup_extractors(PluginHost().extractors())
    docs = corpus(language, copies)
    kb = sum(len(d.text.encode("utf-8")) for d in docs) / 1024
    per_extractor: dict[str, list[float]] = {ex.ref: [] for ex in extractors}
    totals = []
    for _ in range(runs):
        total = 0.0
        for ex in extractors:
            start = time.perf_counter()
            for d in docs:
                run_extractor(ex, d)
            elapsed = time.perf_counter() - start
            per_extractor[ex.ref].append(kb / elapsed)
            total += elapsed
        totals.append(kb / total)
    return {
        "kb": round(kb, 1),
        "extractors": {ref: round(statistics.median(v), 1) for ref, v in per_extractor.items()},
        "all_four_kb_per_s": round(statistics.median(totals), 1),
        "target_kb_per_s": TARGETS[language],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--language", choices=[*TARGETS, "both"], default="both")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    languages = list(TARGETS) if args.language == "both" else [args.language]
    results = {lang: measure(lang, args.copies, args.runs) for lang in languages}
    if args.json:
        print(json.dumps(results))
        return
    for lang, result in results.items():
        print(f"{result['kb']} KB of {NAMES[lang]} text, one core, median of {args.runs} runs")
        for ref, rate in result["extractors"].items():
            print(f"  {ref:<24} {rate:>9.1f} KB/s")
        print(f"  {'all four together':<24} {result['all_four_kb_per_s']:>9.1f} KB/s  "
              f"(target >= {result['target_kb_per_s']})")


if __name__ == "__main__":
    main()
