"""The reliability suite's short fuzz: hostile files and names through a real watch.

``make soak`` runs the same with 10,000 files or more (tests/fuzz.py).
"""

from __future__ import annotations

from fuzz import run


def test_hostile_files_and_names_through_watch_lose_and_double_nothing(tmp_path):
    figures = run(tmp_path, files=300, seed=17, batch=60, kill_every=2, timeout=240)
    print(figures.report())
    assert figures.alive, figures.report()
    assert figures.faults.total() > 150, figures.report()  # the round did inject faults
    assert figures.faults["watch killed"] == 2, figures.report()
    assert figures.ok, figures.report()
    assert figures.ingested > 100 and sum(figures.rejected.values()) > 50, figures.report()
