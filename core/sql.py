"""Read-only SQL over the views (``factfold sql``).

The views database is opened read-only by the store (SQLite's ``mode=ro``: a reader never
changes what it reads); on top of that the connection is ``query_only`` and an authorizer
refuses ``ATTACH`` (a new file beside the store) and pragmas that change settings, so a
statement that would write fails with SQLite's own message instead of doing anything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

#: pragmas that only read (they take a table or index name as their argument)
_READING_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "database_list", "collation_list", "function_list", "module_list",
    "pragma_list", "compile_options",
})
#: rows fetched from SQLite at a time while streaming a result
PAGE = 500


class SQLError(ValueError):
    """The statement is not one read-only SQL query SQLite can run; the message is
    SQLite's."""


def _authorize(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and arg1 not in _READING_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def make_read_only(db: sqlite3.Connection) -> None:
    """Refuse every write on ``db`` from now on (again, if it already does)."""
    db.set_authorizer(None)
    db.execute("PRAGMA query_only = 1")
    db.set_authorizer(_authorize)


def query(db: sqlite3.Connection, statement: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The column names and rows of one read-only ``statement`` on ``db`` (made read-only
    here); :class:`SQLError` with SQLite's message if it cannot run, now or while its rows
    are read."""
    make_read_only(db)
    try:
        cursor = db.execute(statement)
    except (sqlite3.Error, sqlite3.Warning) as exc:
        raise SQLError(str(exc)) from None
    if cursor.description is None:  # a statement that returns nothing is not a query
        raise SQLError("not a query: factfold sql runs one SELECT (or WITH ... SELECT)")
    columns = [d[0] for d in cursor.description]

    def rows() -> Iterator[tuple[Any, ...]]:
        while True:
            try:
                page = cursor.fetchmany(PAGE)
            except sqlite3.Error as exc:
                raise SQLError(str(exc)) from None
            if not page:
                return
            yield from page

    return columns, rows()
