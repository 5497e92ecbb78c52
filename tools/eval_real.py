"""Score the extractors on the real-news corpus: ``make eval-real``.

The corpus is other people's published writing, so the repository keeps only where each text
came from (``tests/realnews/sources.json``: url, how it was found, what was trimmed, the
sha256 of the text as annotated) and the gold (``tests/realnews/gold.json``).  The texts
themselves live in the ignored folder ``tests/realnews/texts/``.  This script checks which
texts are there and unchanged, ingests them into a throw-away store with the installed
plugins, and runs ``factfold eval`` on them (overall and per language).  Missing or changed
texts are listed with how to get them; the gold of a missing text is left out of the score,
so a partial corpus gives a partial but honest figure.

    .venv/bin/python tools/eval_real.py [--corpus DIR] [--texts DIR] [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "realnews"


def present_texts(sources: list[dict], texts: Path) -> tuple[list[Path], list[str]]:
    """The texts that are there with the annotated bytes, and a line for each that is not."""
    found: list[Path] = []
    problems: list[str] = []
    for source in sources:
        path = texts / source["file"]
        if not path.is_file():
            problems.append(f"missing  {source['file']}: {source['url']}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != source["sha256"]:
            problems.append(f"changed  {source['file']}: its sha256 is not the annotated "
                            f"text's ({source['trimming']})")
        else:
            found.append(path)
    return found, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="the folder with sources.json and gold.json (default: %(default)s)")
    parser.add_argument("--texts", type=Path,
                        help="the folder holding the corpus texts (default: CORPUS/texts)")
    parser.add_argument("--verbose", action="store_true", help="list misses and false alarms")
    parser.add_argument("--json", action="store_true", help="the report as JSON")
    args = parser.parse_args(argv)

    texts = args.texts or args.corpus / "texts"
    sources = json.loads((args.corpus / "sources.json").read_text(encoding="utf-8"))
    found, problems = present_texts(sources, texts)
    for line in problems:
        print(line, file=sys.stderr)
    if not found:
        print(f"eval-real: none of the {len(sources)} texts is in {texts}. Fetch each url "
              f"in {args.corpus / 'sources.json'}, keep the article's text as its 'trimming' says, "
              "and save it there under its 'file' name (UTF-8); the sha256 tells you when a "
              "copy matches the annotated one.", file=sys.stderr)
        return 2
    if problems:
        print(f"eval-real: scoring the {len(found)} of {len(sources)} texts that are present "
              "and unchanged", file=sys.stderr)

    gold = json.loads((args.corpus / "gold.json").read_text(encoding="utf-8"))
    names = {p.name for p in found}
    gold["documents"] = {d: g for d, g in gold["documents"].items() if d in names}
    with tempfile.TemporaryDirectory(prefix="factfold-eval-real-") as work:
        store, subset = Path(work) / "store", Path(work) / "gold.json"
        subset.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
        factfold = [sys.executable, "-m", "factfold", "--store", str(store)]
        subprocess.run([*factfold, "ingest", *map(str, found)], check=True,
                       stdout=subprocess.DEVNULL)
        report = [*factfold, "eval", "--gold", str(subset)]
        report += ["--verbose"] * args.verbose + ["--json"] * args.json
        return subprocess.run(report).returncode


if __name__ == "__main__":
    sys.exit(main())
