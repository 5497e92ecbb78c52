"""Extraction runs: which facts of a (document, extractor) are the current ones.

A run's facts sit in one batch just before its outcome marker, so they are the positions
``[marker - fact_count, marker)``.  A view that keeps facts records each run's range in a
table of its own, and a newer outcome for the same (document, extractor) replaces the row
and has the view forget the older run's facts by that position range: no index over
``(doc_id, extractor)`` that every fact would have to update.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from .inserts import row_groups
from .keyed import KeyedTable

#: a run as views record it: (doc_id, extractor name, first position, stop position)
Run = Sequence[Any]


def runs_table(name: str) -> KeyedTable:
    """A view's table of runs: the current run of each (document, extractor), the last."""
    return KeyedTable(name, "doc_id TEXT NOT NULL, extractor TEXT NOT NULL, "
                      "start INTEGER NOT NULL, stop INTEGER NOT NULL",
                      ("doc_id", "extractor"), "REPLACE", without_rowid=True)


def record_runs(db: sqlite3.Connection, table: str, runs: Sequence[Run],
                forget: Callable[[int, int], object]) -> None:
    """Record ``runs`` (in log order) in ``table``; a run that replaces an older one of
    its (document, extractor) calls ``forget(start, stop)`` with the older run's range.

    New runs (all of them, in most chunks of a replay) go in with one ``INSERT OR
    IGNORE`` (many runs a statement); only when some were ignored are the runs walked one
    by one.  (An upsert with a trigger did the same, at twice the cost for every run.)
    """
    if not runs:
        return
    before = db.total_changes
    for sql, values in row_groups(f"INSERT OR IGNORE INTO {table} VALUES (?, ?, ?, ?)", runs):
        db.executemany(sql, values)
    if db.total_changes - before == len(runs):
        return
    for doc_id, extractor, start, stop in runs:
        old_start, old_stop = db.execute(
            f"SELECT start, stop FROM {table} WHERE doc_id = ? AND extractor = ?",
            (doc_id, extractor)).fetchone()
        if old_stop >= stop:
            continue  # this run is the recorded one, or an earlier one of the chunk
        forget(old_start, old_stop)
        db.execute(f"UPDATE {table} SET start = ?, stop = ? "
                   "WHERE doc_id = ? AND extractor = ?", (start, stop, doc_id, extractor))


def settle_runs(db: sqlite3.Connection, table: KeyedTable,
                forget: Callable[[int, int], object]) -> None:
    """After a fold from empty into a loose ``table`` (see :mod:`.keyed`): key it again,
    and forget the runs later ones replaced, as :func:`record_runs` would have."""
    table.settle(db, forget, ("start", "stop"))
