"""Full-text search over the facts' evidence and the documents' text (SQLite FTS5).

``search`` holds the evidence of the facts of the current extraction runs; its rowid is
the fact's ``fact_id``, ``kind`` the fact's kind.  ``document_search`` holds the text of
every document ever added; its rowid is the log position of the ``document.added`` event
(``documents.position``).  Both use the trigram tokenizer, which matches any substring of
three or more characters: Chinese has no spaces between words, so a word tokenizer would
index a whole sentence as one token.  Join them with the typed tables (which hold current
documents and facts only) to search what is current.

``document_search`` is contentless (``content=''``): the documents' text is most of a
log's bytes, and a second copy of it in the views would double their size (100k events:
31 MB of 71).  It answers which documents match, not their text; ``snippet()`` works on
``search``.
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
    CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
        text, kind UNINDEXED, doc_id UNINDEXED, tokenize = 'trigram');
    CREATE VIRTUAL TABLE IF NOT EXISTS document_search USING fts5(
        text, content = '', tokenize = 'trigram');
"""

INSERT = "INSERT INTO search (rowid, kind, doc_id, text) VALUES (?, ?, ?, ?)"
INSERT_DOCUMENT = "INSERT INTO document_search (rowid, text) VALUES (?, ?)"


def forget(db: sqlite3.Connection, start: int, stop: int) -> None:
    """Forget the facts at positions ``[start, stop)`` (a replaced extraction run)."""
    db.execute("DELETE FROM search WHERE rowid >= ? AND rowid < ?", (start, stop))


def drop(db: sqlite3.Connection) -> None:
    db.executescript("DROP TABLE IF EXISTS search; DROP TABLE IF EXISTS document_search;")
