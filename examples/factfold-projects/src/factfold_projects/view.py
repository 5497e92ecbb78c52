"""The ``projects`` view: every project launched, across documents.

A projection owns its tables in the store's views database and is fed the log in order;
the store keeps its checkpoint in the same transaction, and ``factfold replay`` rebuilds it
from scratch.  It must therefore be a pure fold of the events: no clocks, no files.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from factfold import Envelope
from factfold.events import ExtractionCompleted, ExtractionFailed
from factfold.projection import Projection

from .facts import ProjectLaunched

EXTRACTOR = "projects"


class ProjectsView(Projection):
    """``factfold query projects [-f name=…] [-f organization=…]``."""

    name = "projects"
    version = 1  # bump when the tables change: the store rebuilds the view from the log
    handles = frozenset({"projects.launched", "extraction.completed", "extraction.failed"})
    columns = ("name", "organizations", "documents", "mentions")

    def create(self, db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS projects (
                position INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, name TEXT NOT NULL,
                organization TEXT, evidence TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS projects_name ON projects (name);
            CREATE INDEX IF NOT EXISTS projects_doc ON projects (doc_id);
            """
        )

    def drop(self, db: sqlite3.Connection) -> None:
        db.execute("DROP TABLE IF EXISTS projects")

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        e = env.payload
        if isinstance(e, ProjectLaunched):
            db.execute("INSERT OR REPLACE INTO projects VALUES (?, ?, ?, ?, ?)",
                       (env.position, e.doc_id, e.name, e.organization, e.evidence))
        elif isinstance(e, ExtractionCompleted | ExtractionFailed) and e.extractor == EXTRACTOR:
            # A run's facts sit just before its marker, in one batch: rows of this document
            # older than that batch come from an earlier version and are superseded.
            first = env.position - (e.fact_count if isinstance(e, ExtractionCompleted) else 0)
            db.execute("DELETE FROM projects WHERE doc_id = ? AND position < ?",
                       (e.doc_id, first))

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        # `documents` (docs/views.md) has a row per current path of a document: joining it
        # drops the projects of removed or superseded files, as the built-in views do.
        sql = ("SELECT j.name, j.organization, p.path FROM projects j "
               "JOIN documents p ON p.doc_id = j.doc_id")
        where, args = [], []
        for field in ("name", "organization"):
            if field in filters:
                where.append(f"j.{field} GLOB ?")
                args.append(filters[field])
        if where:
            sql += " WHERE " + " AND ".join(where)
        out: dict[str, dict[str, Any]] = {}
        for name, org, path in db.execute(sql + " ORDER BY j.position", args):
            row = out.setdefault(name, {"name": name, "organizations": [], "documents": [],
                                        "mentions": 0})
            row["mentions"] += 1
            if org and org not in row["organizations"]:
                row["organizations"].append(org)
            if path not in row["documents"]:
                row["documents"].append(path)
        return list(out.values())
