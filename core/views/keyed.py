"""Tables keyed only to resolve conflicts, loosened while a view is folded from empty.

Some tables are keyed by a document's id: the documents view's ``extractions`` and
``document_records``, the runs of the facts view.  The fold needs the key only for a later
row of the same key, which replaces the row or is ignored.  Ids are random, so in a replay
each row went into a random place of the key's B-tree: at 1M events 0.6 s of the writing
process's 2.5 s (3 to 5 us a row, against under 1.5 for a fact row), growing with the log.

So a view folded from empty in a long catch-up (see ``viewstore.LOOSE_FROM``: below it the
keys fit the page cache, and settling costs more than it saves) makes such a table without
its key (:meth:`KeyedTable.loosen`): rows go in at its end, in log order, no conflict
resolved.  When the fold is done, :meth:`KeyedTable.settle` inserts them in key order into
the table made again with its key, keeping of each key the row the fold would have kept
(1M events: 0.19 s for the three tables).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Literal

import attrs

from ..projection import savepoint


@attrs.frozen
class KeyedTable:
    """A table whose key only resolves the fold's conflicts."""

    name: str
    #: its column definitions
    columns: str
    key: tuple[str, ...]
    #: which row of a key the fold keeps: ``REPLACE``, the last; ``IGNORE``, the first
    keeps: Literal["REPLACE", "IGNORE"]
    without_rowid: bool = False

    @property
    def schema(self) -> str:
        return self._schema(self.name)

    def _schema(self, name: str) -> str:
        # The name quoted, as SQLite writes it when it renames a table: a table settled
        # under another name and renamed has the same definition as one created.
        return (f'CREATE TABLE IF NOT EXISTS "{name}" ({self.columns}, '
                f"PRIMARY KEY ({', '.join(self.key)})){' WITHOUT ROWID' * self.without_rowid}")

    def create(self, db: sqlite3.Connection) -> None:
        db.execute(self.schema)

    def loosen(self, db: sqlite3.Connection) -> None:
        """Make the table, which must be empty, again without its key."""
        db.execute(f"DROP TABLE IF EXISTS {self.name}")
        db.execute(f"CREATE TABLE {self.name} ({self.columns})")

    def is_loose(self, db: sqlite3.Connection) -> bool:
        columns = db.execute(f"PRAGMA table_info({self.name})").fetchall()
        return not any(column[5] for column in columns)

    def settle(self, db: sqlite3.Connection, forget: Callable[..., object] | None = None,
               columns: tuple[str, ...] = ()) -> None:
        """If the table is loose, make it keyed again, its rows inserted in key order, all
        or nothing; ``forget(*columns)`` is called with each row its key did not keep."""
        if not self.is_loose(db):
            return
        key, keyed = ", ".join(self.key), f"_keyed_{self.name}"
        with savepoint(db, "settling"):  # never left dropped, its rows aside
            db.execute(self._schema(keyed))
            db.execute(f"INSERT OR {self.keeps} INTO {keyed} "
                       f"SELECT * FROM {self.name} ORDER BY {key}, rowid")
            if forget is not None and _count(db, keyed) < _count(db, self.name):
                kept = "max" if self.keeps == "REPLACE" else "min"
                for row in db.execute(
                        f"SELECT {', '.join(columns)} FROM {self.name} WHERE rowid NOT IN "
                        f"(SELECT {kept}(rowid) FROM {self.name} GROUP BY {key}) "
                        "ORDER BY rowid").fetchall():
                    forget(*row)
            db.execute(f"DROP TABLE {self.name}")
            # Renaming checks every view that refers to the table, and refuses while it
            # is missing; the legacy rename only renames.
            db.execute("PRAGMA legacy_alter_table=ON")
            try:
                db.execute(f'ALTER TABLE {keyed} RENAME TO "{self.name}"')
            finally:
                db.execute("PRAGMA legacy_alter_table=OFF")


def _count(db: sqlite3.Connection, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
