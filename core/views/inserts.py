"""Rows bound many to an INSERT: how the views write a chunk's rows in bulk.

Executing a statement costs about as much as binding six or seven values, whatever it
inserts: a one-row INSERT per row was half of what the documents view and the runs cost a
replay.  So rows go :data:`ROWS_PER_INSERT` at a time into an INSERT of as many rows
(SQLite inserts them in order, as separate statements would), the rest one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

#: rows bound per INSERT statement (45k person rows: 1 row 0.31 s, 50 rows 0.23 s)
ROWS_PER_INSERT = 50

#: what ``executemany`` runs: a statement and the values of each execution
Group = tuple[str, list[Any]]


def value_groups(sql: str, values: list[Any], width: int) -> list[Group]:
    """``sql`` (an INSERT of one row of ``width`` values) and the rows of ``values`` (one
    after the other, flat) as ``executemany`` groups: :data:`ROWS_PER_INSERT` rows at a
    time through an INSERT of as many, the rest one by one."""
    step = width * ROWS_PER_INSERT
    whole = len(values) - len(values) % step
    groups = []
    if whole:
        head, one = sql.split(" VALUES ")
        groups.append((f"{head} VALUES {', '.join([one] * ROWS_PER_INSERT)}",
                       [values[i:i + step] for i in range(0, whole, step)]))
    if whole < len(values):
        groups.append((sql, [values[i:i + width] for i in range(whole, len(values), width)]))
    return groups


def row_groups(sql: str, rows: Sequence[Sequence[Any]]) -> list[Group]:
    """:func:`value_groups` of rows given one by one (all as wide as the first); a
    statement other than an INSERT keeps one execution per row."""
    if not rows:
        return []
    if not sql.startswith("INSERT"):
        return [(sql, list(rows))]
    return value_groups(sql, list(chain.from_iterable(rows)), len(rows[0]))
