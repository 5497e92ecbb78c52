"""Extraction quality as a floor: the built-in extractors scored against gold.

The whole path runs: ingest through a store with the entry-point plugins, then the export
scored by factfold.evaluation (what ``factfold eval`` prints).  Two sets:

- the seeds, against issue 3's targets;
- tests/heldout, documents written and annotated independently of the extractors, at
  floors a little under what the extractors reach today (they were used to measure the
  general fixes, so they are no longer entirely unseen; see tests/heldout/README.md).

A change that makes the extractors worse fails here instead of silently shipping.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import GOLD, ROOT, SEEDS

from factfold.evaluation import load_gold, score
from factfold.store import Store

SETS = {
    "seeds": (SEEDS, GOLD, {
        "f1": {"people": 0.90, "statistics": 0.90, "meetings": 0.85, "agreements": 0.85},
        "role_recall": 0.85, "meeting_dates": 0.9}),
    "heldout": (ROOT / "tests" / "heldout" / "docs", ROOT / "tests" / "heldout" / "gold.json", {
        "f1": {"people": 0.95, "statistics": 0.95, "meetings": 0.9, "agreements": 0.9},
        "role_recall": 0.9, "meeting_dates": 0.75}),
}


def _score(tmp: Path, docs: Path, gold: Path) -> dict:
    with Store(tmp) as store:
        for f in sorted(docs.iterdir()):
            store.ingest_file(f, f"{docs.name}/{f.name}")
        store.extract_pending()
        return score(load_gold(gold), store.export()).to_dict()["kinds"]


@pytest.fixture(scope="module", params=sorted(SETS))
def scored(request, tmp_path_factory):
    docs, gold, floors = SETS[request.param]
    return _score(tmp_path_factory.mktemp(request.param), docs, gold), floors


def test_f1_per_kind_meets_its_floor(scored):
    report, floors = scored
    for kind, floor in floors["f1"].items():
        assert report[kind]["f1"] >= floor, (kind, report[kind])


def test_role_recall_meets_its_floor(scored):
    report, floors = scored
    assert report["people"]["roles"]["recall"] >= floors["role_recall"], report["people"]


def test_meeting_dates_meet_their_floor(scored):
    report, floors = scored
    assert report["meetings"]["attributes"]["date"]["accuracy"] >= floors["meeting_dates"]
