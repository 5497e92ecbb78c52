"""Full-text search over the documents' text and the facts' evidence (SQLite FTS5).

One FTS5 table, ``search``, whose rowid is the log position of the event that brought the
text: a ``document.added`` (``kind`` = ``document``) or a fact (``kind`` = the fact's
kind, rowid = its ``fact_id``).  The trigram tokenizer matches any substring of three or
more characters: Chinese has no spaces between words, so a word tokenizer would index a
whole sentence as one token.  The table keeps every document ever added and the facts of
the current extraction runs; join it with the typed tables (which hold current documents
and facts only) to search what is current.
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
    CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
        text, kind UNINDEXED, doc_id UNINDEXED, tokenize = 'trigram');
"""

INSERT = "INSERT INTO search (rowid, kind, doc_id, text) VALUES (?, ?, ?, ?)"

#: the kind of a document's own text in ``search``
DOCUMENT = "document"


def forget(db: sqlite3.Connection, start: int, stop: int) -> None:
    """Forget the facts at positions ``[start, stop)`` (a replaced extraction run)."""
    db.execute("DELETE FROM search WHERE rowid >= ? AND rowid < ?", (start, stop))


def drop(db: sqlite3.Connection) -> None:
    db.execute("DROP TABLE IF EXISTS search")
