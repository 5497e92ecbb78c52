"""Full-text search (SQLite FTS5), a view a user turns on: ``factfold search on``.

``search`` holds the evidence of the facts of the current extraction runs; its rowid is
the fact's ``fact_id``, ``kind`` the fact's kind.  ``document_search`` holds the text of
every document ever added; its rowid is the log position of the ``document.added`` event
(``documents.position``).  Both use the trigram tokenizer, which matches any substring of
three or more characters: Chinese has no spaces between words, so a word tokenizer would
index a whole sentence as one token.  Join them with the typed tables (which hold current
documents and facts only) to search what is current.

Each is its own view, folded only in a store whose setting (:mod:`factfold.settings`)
turns it on: indexing every character costs more than the rest of a replay together
(bench/README.md).  Turning one on folds the log into it once; from then on every fold
keeps it current.  ``document_search`` is contentless (``content=''``): the documents'
text is most of a log's bytes, and a second copy of it would double the views.  It
answers which documents match, not their text; ``snippet()`` works on ``search``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from factfold.events import (
    DocumentAdded,
    Envelope,
    EventCodec,
    ExtractionCompleted,
    ExtractionFailed,
    Fact,
    type_name,
)
from factfold.events.codec import StoredRecord
from factfold.events.schema import schema_version

from ..projection import Projection
from .runs import record_runs, runs_table

#: what ``factfold search on`` can turn on, and the view that each is
SEARCHES = ("evidence", "documents")
_RUNS = "searched_runs"


class _Evidence(msgspec.Struct, gc=False):
    """What search reads of a stored fact."""

    doc_id: str
    evidence: str


class _Text(msgspec.Struct, gc=False):
    """What search reads of a stored ``document.added``."""

    text: str


class _Outcome(msgspec.Struct, gc=False):
    doc_id: str
    extractor: str
    fact_count: int = 0


_read_evidence = msgspec.msgpack.Decoder(_Evidence).decode
_read_text = msgspec.msgpack.Decoder(_Text).decode
_read_outcome = msgspec.msgpack.Decoder(_Outcome).decode


class _Search(Projection):
    """A view folding stored records of a few current-schema types without building
    events (``_read``: type name -> (schema version, decode, rows)); older versions are
    decoded by the codec."""

    _read: dict[str, tuple[int, Any, Any]]

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        self.apply_many(db, (env,))

    def apply_many(self, db: sqlite3.Connection, envelopes: Sequence[Envelope]) -> None:
        prepared: tuple[list[Any], list[Any]] = ([], [])
        for env in envelopes:
            self._event(prepared, env.position, env.payload)
        self.write_prepared(db, prepared)

    def _event(self, prepared: tuple[list[Any], list[Any]], position: int, e: Any) -> None:
        raise NotImplementedError

    def prepare_records(self, codec: EventCodec,
                        records: Sequence[tuple[int, StoredRecord]]) -> Any:
        prepared: tuple[list[Any], list[Any]] = ([], [])
        known = codec.registry
        for position, record in records:
            reader = self._read.get(record[0])
            # A type the codec does not know is left out, as the events it decodes are.
            if reader is not None and reader[0] == record[1] and record[0] in known:
                try:
                    reader[2](prepared, position, record[0], reader[1](record[8]))
                    continue
                except msgspec.MsgspecError:
                    pass
            if record[0] in codec.registry:  # an unknown type: views leave it out
                self._event(prepared, position, codec.from_record(record, position).payload)
        return prepared


class EvidenceSearch(_Search):
    """``search``: the facts' evidence, for ``MATCH`` and ``snippet()``."""

    name = "search"
    version = 1

    def __init__(self, fact_types: Iterable[type[Fact]]) -> None:
        self._kinds = {type_name(cls): cls.kind for cls in fact_types}
        self._read = {
            **{name: (schema_version(cls), _read_evidence, self._fact)
               for cls in fact_types for name in (type_name(cls),)},
            **{type_name(cls): (schema_version(cls), _read_outcome, self._run)
               for cls in (ExtractionCompleted, ExtractionFailed)},
        }
        self.handles = frozenset(self._read)  # type: ignore[misc]

    def _fact(self, prepared: Any, position: int, name: str, e: Any) -> None:
        prepared[0].append((position, self._kinds[name], e.doc_id, e.evidence))

    @staticmethod
    def _run(prepared: Any, position: int, name: str, e: Any) -> None:
        count = getattr(e, "fact_count", 0)  # a failure has none
        prepared[1].append((e.doc_id, e.extractor, position - count, position))

    def _event(self, prepared: Any, position: int, e: Any) -> None:
        if isinstance(e, Fact):
            name = type_name(type(e))
            if name in self._kinds:
                self._fact(prepared, position, name, e)
        elif isinstance(e, ExtractionCompleted | ExtractionFailed):
            self._run(prepared, position, "", e)

    def create(self, db: sqlite3.Connection) -> None:
        db.executescript("""
            CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
                text, kind UNINDEXED, doc_id UNINDEXED, tokenize = 'trigram');
            """ + runs_table(_RUNS).schema + ";")

    def drop(self, db: sqlite3.Connection) -> None:
        db.executescript(f"DROP TABLE IF EXISTS search; DROP TABLE IF EXISTS {_RUNS};")

    def write_prepared(self, db: sqlite3.Connection, prepared: Any) -> None:
        facts, runs = prepared
        db.executemany("INSERT INTO search (rowid, kind, doc_id, text) VALUES (?, ?, ?, ?)",
                       facts)
        record_runs(db, _RUNS, runs, lambda start, stop: db.execute(
            "DELETE FROM search WHERE rowid >= ? AND rowid < ?", (start, stop)))


class DocumentSearch(_Search):
    """``document_search``: the documents' text, contentless."""

    name = "document_search"
    version = 1
    handles = frozenset({type_name(DocumentAdded)})

    def __init__(self) -> None:
        self._read = {type_name(DocumentAdded): (schema_version(DocumentAdded), _read_text,
                                                 self._text)}

    @staticmethod
    def _text(prepared: Any, position: int, name: str, e: Any) -> None:
        prepared[0].append((position, e.text))

    def _event(self, prepared: Any, position: int, e: Any) -> None:
        if isinstance(e, DocumentAdded):
            self._text(prepared, position, "", e)

    def create(self, db: sqlite3.Connection) -> None:
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS document_search USING fts5("
                   "text, content = '', tokenize = 'trigram')")

    def drop(self, db: sqlite3.Connection) -> None:
        db.execute("DROP TABLE IF EXISTS document_search")

    def write_prepared(self, db: sqlite3.Connection, prepared: Any) -> None:
        db.executemany("INSERT INTO document_search (rowid, text) VALUES (?, ?)",
                       prepared[0])


def search_views(fact_types: Iterable[type[Fact]], wanted: Iterable[str]) -> list[Projection]:
    """The search views ``wanted`` names (see :data:`SEARCHES`)."""
    wanted = set(wanted)
    views: list[Projection] = []
    if "evidence" in wanted:
        views.append(EvidenceSearch(list(fact_types)))
    if "documents" in wanted:
        views.append(DocumentSearch())
    return views
