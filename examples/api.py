"""factfold from Python: ingest a folder, watch extraction happen, query views, export.

    python examples/api.py seeds/ [--store DIR]

Prints a JSON summary on stdout.  The same plugins load as for the ``factfold`` command
(installed entry points, and the FACTFOLD_* loading controls); a plugin object can also be
registered by hand, as the ``Progress`` observer below is.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from factfold import Document, PluginHost, Store, hookimpl


class Progress:
    """An observer plugin: one line on stderr per document and extractor."""

    @hookimpl
    def factfold_facts_appended(self, document: Document, extractor: str, facts: list) -> None:
        print(f"{document.path}: {extractor} found {len(facts)}", file=sys.stderr)

    @hookimpl
    def factfold_extraction_failed(self, document: Document, extractor: str,
                                   reason: str) -> None:
        print(f"{document.path}: {extractor} FAILED: {reason}", file=sys.stderr)


def summarise(folder: Path, store_dir: Path) -> dict:
    host = PluginHost()
    host.register(Progress(), name="progress")
    with Store(store_dir, plugins=host) as store:
        outcomes = Counter(store.ingest_file(f) for f in sorted(folder.rglob("*"))
                           if f.is_file() and not f.name.startswith("."))
        store.extract_pending()
        kinds = Counter(record["kind"] for record in store.export())
        views = sorted(set(store.views.projections) - {"facts"})
        return {
            "files": dict(outcomes),
            "facts": dict(sorted(kinds.items())),
            "views": views,
            # a view with a glob filter, as `factfold query people -f name=陈*`
            "people_named_chen": [p["name"] for p in store.query("people", {"name": "陈*"})],
            "failed": store.query("documents", {"failed": "1"}),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--store", type=Path, default=None,
                        help="keep the store here (default: a temporary folder)")
    args = parser.parse_args()
    if args.store is not None:
        summary = summarise(args.folder, args.store)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            summary = summarise(args.folder, Path(tmp) / "store")
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
