"""Entity tables: one row per thing across documents, gathered from the fact tables.

``persons`` gathers the ``people`` rows (current facts only) by name: in how many
documents a person appears, and their distinct posts (organisation and title, as
``factfold query people`` joins them) as a JSON array.  It is an SQL view, so it is never
out of step with the facts it gathers.
"""

from __future__ import annotations

import sqlite3

from .schema import drop_named

#: the fact table each entity table gathers, and the entity table's definition
ENTITIES = {
    "people": ("persons", """
        CREATE VIEW IF NOT EXISTS persons AS
        SELECT name, COUNT(DISTINCT doc_id) AS documents,
            json_group_array(DISTINCT post) FILTER (WHERE post IS NOT NULL) AS posts,
            COUNT(*) AS facts
        FROM (SELECT name, doc_id, NULLIF(TRIM(COALESCE(organization, '') || ' '
                                               || COALESCE(title, '')), '') AS post
              FROM people)
        GROUP BY name;
    """),
}


def create(db: sqlite3.Connection, fact_tables: set[str]) -> None:
    """The entity tables whose fact table exists."""
    for table, (_, sql) in ENTITIES.items():
        if table in fact_tables:
            db.executescript(sql)


def drop(db: sqlite3.Connection) -> None:
    for name, _ in ENTITIES.values():
        drop_named(db, name)
