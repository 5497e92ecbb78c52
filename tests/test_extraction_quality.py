"""Issue 3's targets as a floor: the built-in extractors on the seeds, scored against gold.

The whole path runs: ingest through a store with the entry-point plugins, then the export
scored by factfold.evaluation (what ``factfold eval`` prints).  A change that makes the
extractors worse than the targets fails here instead of silently shipping.
"""

from __future__ import annotations

import pytest
from helpers import GOLD, SEEDS

from factfold.evaluation import load_gold, score
from factfold.store import Store

F1_FLOOR = {"people": 0.90, "statistics": 0.90, "meetings": 0.85, "agreements": 0.85}
ROLE_RECALL_FLOOR = 0.85
MEETING_DATE_FLOOR = 0.9


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("quality")
    with Store(store_dir) as store:
        for f in sorted(SEEDS.iterdir()):
            store.ingest_file(f, f"seeds/{f.name}")
        store.extract_pending()
        return score(load_gold(GOLD), store.export()).to_dict()["kinds"]


@pytest.mark.parametrize("kind", sorted(F1_FLOOR))
def test_f1_meets_the_target(report, kind):
    assert report[kind]["f1"] >= F1_FLOOR[kind], report[kind]


def test_role_recall_meets_the_target(report):
    assert report["people"]["roles"]["recall"] >= ROLE_RECALL_FLOOR, report["people"]["roles"]


def test_meeting_dates_meet_the_target(report):
    assert report["meetings"]["attributes"]["date"]["accuracy"] >= MEETING_DATE_FLOOR
