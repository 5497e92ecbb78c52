"""The facts view's typed tables and runs (replay's fast path against live folding, search
folded too) and the store's extraction marks, on real logs, views and stores."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from attrs import frozen
from conftest import versioned_host
from exportlog import expected_export

from factfold import Fact, Meeting, Person, Statistic, event_type
from factfold import viewstore as projection_module
from factfold.events import (
    BUILTIN_TYPES,
    DocumentAdded,
    DocumentRemoved,
    Envelope,
    EventCodec,
    EventRegistry,
    ExtractionCompleted,
    ExtractionFailed,
)
from factfold.log import LogCorrupt, packed_batches
from factfold.pluginmanager import PluginHost
from factfold.segments import SegmentLog
from factfold.store import Store
from factfold.views import SEARCHES, FactsView, builtin_views
from factfold.views import inserts as inserts_module
from factfold.viewstore import ViewStore

# -- a plugin's own fact kinds: never on the fast path ---------------------------------------


@event_type("test.views.tag")
@frozen(kw_only=True)
class Tag(Fact):
    """No key field: the first own field is the key."""

    kind: ClassVar[str] = "tag"

    label: str
    weight: float = 0.0


@event_type("test.views.note")
@frozen(kw_only=True)
class Note(Fact):
    """Overrides ``attributes()``: what the view stores is what it returns."""

    kind: ClassVar[str] = "note"
    key_field: ClassVar[str | None] = "body"

    body: str

    def attributes(self) -> dict[str, Any]:
        return {"body": self.body.upper(), "chars": len(self.body)}


# Hex-like document ids with distinct prefixes.
A, B, C = "a1" * 32, "b2" * 32, "c3" * 32
PATHS = {A: "a.txt", B: "b.txt", C: "c.txt"}


def _codec(*extra: type) -> EventCodec:
    return EventCodec(EventRegistry((*BUILTIN_TYPES, *extra)))


def _added(doc: str) -> Envelope:
    text = f"the text of {PATHS[doc]}"
    return Envelope(DocumentAdded(doc_id=doc, path=PATHS[doc], text=text, encoding="utf-8",
                                  size=len(text)), stream=f"doc:{doc}")


def _run(doc: str, extractor: str, version: str, facts: Iterable[Fact]) -> list[Envelope]:
    """One completed run as outcome_batch makes it: the stamped facts, then the marker."""
    ref = f"{extractor}@{version}"
    stamped = [attrs.evolve(f, doc_id=doc, extractor=ref) for f in facts]
    batch = [Envelope(f, stream=f"doc:{doc}", producer=ref) for f in stamped]
    batch.append(Envelope(ExtractionCompleted(doc_id=doc, extractor=extractor, version=version,
                                              fact_count=len(stamped)),
                          stream=f"doc:{doc}", producer=ref))
    return batch


def _failed(doc: str, extractor: str, version: str) -> list[Envelope]:
    return [Envelope(ExtractionFailed(doc_id=doc, extractor=extractor, version=version,
                                      error="RuntimeError", reason="boom"),
                     stream=f"doc:{doc}", producer=f"{extractor}@{version}")]


def _person(name: str, title: str | None = None, aliases: tuple[str, ...] = ()) -> Person:
    return Person(span=(0, 2), evidence=f"会长{name}", name=name, title=title, aliases=aliases)


def _stat(value: float, unit: str, text: str, approx: str | None = None) -> Statistic:
    return Statistic(span=(3, 6), evidence=text, value=value, unit=unit, text=text,
                     approx=approx)


def _meeting(name: str) -> Meeting:
    return Meeting(span=(1, 4), evidence=name, name=name, date="--08-26",
                   organizers=("联合会",))


def _batches() -> list[list[Envelope]]:
    """The appends of the test log, in order."""
    return [
        [_added(A)],
        [_added(B)],
        [_added(C)],
        # A's first extraction: every extractor in one append, as Store._extract does.
        [*_run(A, "people", "1", [_person("张三", "会长", ("老张",)), _person("李四")]),
         *_failed(A, "meetings", "1"),
         *_run(A, "numbers", "1", [_stat(120, "人", "120人"),
                                   _stat(0.3, "%", "约30%", "about")]),
         *_run(A, "tags", "1", [Tag(span=(0, 1), evidence="t", label="alpha", weight=1),
                                Note(span=(0, 1), evidence="n", body="hello")])],
        [*_run(B, "people", "1", [_person("王五")]),
         *_run(B, "meetings", "1", [_meeting("年会"), _meeting("峰会")]),
         *_run(B, "numbers", "1", [_stat(7, "人", "7人")]),
         *_run(B, "tags", "1", [Tag(span=(0, 1), evidence="t", label="beta"),
                                Note(span=(1, 2), evidence="w", body="world")])],
        _run(C, "people", "1", [_person("赵六")]),
        [Envelope(DocumentRemoved(doc_id=C, path=PATHS[C]), stream=f"doc:{C}")],
        # A re-extracted by a new version of the same extractor, with other facts.
        _run(A, "people", "2", [_person("张三", "主任", ("老张",)), _person("钱七"),
                                _person("孙八")]),
        # A failed re-run removes the facts of the run before it.
        _failed(B, "meetings", "2"),
        # Two runs of one (document, extractor) in the same batch: the second wins.
        [*_run(B, "numbers", "2", [_stat(200, "人", "200人")]),
         *_run(B, "numbers", "3", [_stat(300, "人", "300人"), _stat(5, "%", "5%")])],
        # A completed run with no facts empties the run; a completed one after a failure.
        [*_run(A, "tags", "2", []),
         *_run(A, "meetings", "2", [_meeting("座谈会")])],
    ]


def _views() -> list:
    """The built-in views, their typed tables for the test's plugin kinds too, and both
    full-text searches."""
    return builtin_views(_codec(Tag, Note).registry, SEARCHES)


def _facts() -> FactsView:
    return FactsView(_codec(Tag, Note).registry)


def _dump(db: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, ordered by all their columns.  Full-text search's shadow tables
    are left out: how its index is cut into segments depends on how often it was
    flushed; ``search`` itself shows what it holds."""
    out = {}
    for (table,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE '%search\\_%' ESCAPE '\\' ORDER BY name"):
        ncols = len(db.execute(f"SELECT * FROM {table} LIMIT 0").description)
        order = ", ".join(str(i) for i in range(1, ncols + 1))
        out[table] = db.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    return out


def _schema(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return db.execute("SELECT type, name, sql FROM sqlite_master "
                      "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").fetchall()


def _surviving(recorded: list[Envelope]) -> tuple[list[int], dict[tuple[str, str], tuple]]:
    """What the facts view should hold: the positions of each (document, extractor)'s
    latest run's facts, and each run's position range."""
    latest: dict[tuple[str, str], list[int]] = {}
    ranges: dict[tuple[str, str], tuple[int, int]] = {}
    pending: list[int] = []
    for env in recorded:
        e = env.payload
        if isinstance(e, Fact):
            pending.append(env.position)
        elif isinstance(e, ExtractionCompleted | ExtractionFailed):
            latest[(e.doc_id, e.extractor)] = pending
            ranges[(e.doc_id, e.extractor)] = (env.position - len(pending), env.position)
            pending = []
    assert pending == []
    return sorted(p for run in latest.values() for p in run), ranges


@pytest.fixture
def folded(tmp_path):
    """The test log, folded three ways: ``live`` applies each appended envelope as the
    store's bus does, ``stepwise`` catches up after every append, ``fast`` catches up once
    at the end (the raw-record path, one chunk)."""
    log = SegmentLog(tmp_path / "log", _codec(Tag, Note), writable=True)
    live = ViewStore(tmp_path / "live.sqlite", _views())
    stepwise = ViewStore(tmp_path / "stepwise.sqlite", _views())
    assert live.catch_up(log) == 0  # as a store opens: builds the indexes
    recorded: list[Envelope] = []
    for batch in _batches():
        appended = log.append(batch)
        recorded += appended
        for env in appended:
            live.apply(env)
        live.commit()
        assert stepwise.catch_up(log) == len(batch)
    fast = ViewStore(tmp_path / "fast.sqlite", _views())
    assert fast.catch_up(log) == log.head
    yield log, recorded, {"fast": fast, "live": live, "stepwise": stepwise}
    for views in (fast, live, stepwise):
        views.close()
    log.close()


def _stored(db: sqlite3.Connection, doc: str | None = None,
            kind: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(kind, record) of the facts of the current runs (of ``doc``, of ``kind``), in log
    order, whether their documents still have a path or not."""
    found = []
    for table in _facts().tables:
        if kind is not None and table.kind != kind:
            continue
        for row in db.execute(table.select(["f.doc_id = ?"] if doc else [], current=False),
                              [doc] if doc else []):
            record = table.record(row)
            found.append((row[0], table.kind, {k: v for k, v in record.items()
                                               if k not in ("kind", "source")}))
    return [(k, r) for _, k, r in sorted(found, key=lambda x: x[0])]


def _fields(db: sqlite3.Connection, doc: str | None = None,
            kind: str | None = None) -> list[dict[str, Any]]:
    return [fields for _, fields in _stored(db, doc, kind)]


def _from_read(path: Path, log: SegmentLog) -> ViewStore:
    """A view store fed every envelope ``log.read()`` decodes, one ``apply`` at a time."""
    views = ViewStore(path, _views())
    for env in log.read():
        views.apply(env)
    views.commit()
    assert views.catch_up(log) == 0  # nothing left; builds the deferred indexes
    return views


# -- 1a: the fast path folds exactly what apply folds -----------------------------------------


@pytest.mark.parametrize("chunk", [None, 1, 4, "loose"],
                         ids=["one-chunk", "chunk-1", "chunk-4", "loose-keys"])
def test_catch_up_and_apply_fold_the_same_tables(tmp_path, monkeypatch, folded, chunk):
    log, _, stores = folded
    if chunk == "loose":  # conflict keys set aside during the fold, put back after
        monkeypatch.setattr(projection_module, "LOOSE_FROM", 1)
        fast = ViewStore(tmp_path / "fast-loose.sqlite", _views())
        assert fast.catch_up(log) == log.head
        stores = {**stores, "fast": fast}
    elif chunk is not None:  # many chunks and a commit after each, rows bound two at a time
        monkeypatch.setattr(projection_module, "CATCH_UP_BATCH", chunk)
        monkeypatch.setattr(projection_module, "COMMIT_EVERY", chunk)
        monkeypatch.setattr(inserts_module, "ROWS_PER_INSERT", 2)
        fast = ViewStore(tmp_path / f"fast-{chunk}.sqlite", _views())
        assert fast.catch_up(log) == log.head
        stores = {**stores, "fast": fast}
    read = _from_read(tmp_path / "read.sqlite", log)
    expected = _dump(read.db)
    assert {"fact_runs", "document_records", "paths", "extractions", "rejections",
            "extracted_through", "checkpoints", "fact_person", "_meeting_organizers",
            "fact_tag", "fact_note", "searched_runs", "search", "document_search"} <= set(expected)
    assert not {"facts", "fact_bodies"} & set(expected)  # the opaque layout is gone
    for name, views in stores.items():
        for fts in ("search", "document_search"):
            views.db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('integrity-check')")
        got = _dump(views.db)
        assert set(got) == set(expected), name
        for table in expected:
            assert got[table] == expected[table], (name, table)
        assert _schema(views.db) == _schema(read.db), name
    read.close()
    if chunk is not None:
        stores["fast"].close()


def test_a_fold_with_loose_keys_keeps_the_rows_the_keys_would_have_kept(tmp_path, monkeypatch):
    """Folded from empty with its conflict keys set aside, each view keeps what keyed
    folding keeps: a document's first ``document.added`` (one added again at another
    path), an extractor's last outcome, only the facts of each current run."""
    log = SegmentLog(tmp_path / "log", _codec(Tag, Note), writable=True)
    again = Envelope(attrs.evolve(_added(A).payload, path="again/a.txt"), stream=f"doc:{A}")
    for batch in [*_batches(), [again]]:
        log.append(batch)
    read = _from_read(tmp_path / "read.sqlite", log)
    monkeypatch.setattr(projection_module, "LOOSE_FROM", 1)
    monkeypatch.setattr(projection_module, "CATCH_UP_BATCH", 4)
    monkeypatch.setattr(projection_module, "COMMIT_EVERY", 4)  # from nothing: no WAL
    with ViewStore(tmp_path / "loose.sqlite", _views()) as loose:
        assert loose.catch_up(log) == log.head
        assert _dump(loose.db) == _dump(read.db)
        assert _schema(loose.db) == _schema(read.db)
        assert loose.db.execute("SELECT position FROM document_records WHERE doc_id = ?",
                                (A,)).fetchall() == [(0,)]
        assert loose.rebuild(log) == log.head  # beside the views, then in their place
        assert _dump(loose.db) == _dump(read.db)
    read.close()
    log.close()


@pytest.mark.parametrize("then", ["next-start", "live-apply"])
def test_a_fold_with_loose_keys_cut_short_is_keyed_again_before_anything_else(
        tmp_path, monkeypatch, folded, then):
    """Cut short, a fold from empty leaves its views loose; the next start, or the next
    event folded live by the same process, keys them again first."""
    log, recorded, stores = folded
    monkeypatch.setattr(projection_module, "LOOSE_FROM", 1)
    monkeypatch.setattr(projection_module, "CATCH_UP_BATCH", 3)
    monkeypatch.setattr(projection_module, "COMMIT_EVERY", 3)
    real = ViewStore._apply_prepared
    chunks = []

    def failing(self, codec, chunk):
        chunks.append(chunk)
        if len(chunks) == 4:
            raise OSError("disk gone")
        real(self, codec, chunk)

    monkeypatch.setattr(ViewStore, "_apply_prepared", failing)
    views = ViewStore(tmp_path / "cut.sqlite", _views())
    with pytest.raises(OSError):
        views.catch_up(log)
    facts = FactsView(_codec(Tag, Note).registry)
    assert 0 < views.position < log.head
    assert views.db.execute("SELECT COUNT(*) FROM pragma_table_info('extractions') "
                            "WHERE pk > 0").fetchone() == (0,)  # still loose
    if then == "live-apply":
        for env in recorded[views.position:]:
            views.apply(env)
        views.commit()
        again = views
    else:
        views.close()
        monkeypatch.setattr(ViewStore, "_apply_prepared", real)
        again = ViewStore(tmp_path / "cut.sqlite", _views())
    with again:
        assert again.db.execute("SELECT COUNT(*) FROM pragma_table_info('extractions') "
                                "WHERE pk > 0").fetchone() == (2,)
        folded_before = again.position
        assert again.catch_up(log) == log.head - folded_before
        assert _dump(again.db) == _dump(stores["live"].db)
        assert _schema(again.db) == _schema(stores["live"].db)
        assert facts.counts(again.db) == facts.counts(stores["live"].db)


def test_a_fact_the_typed_reading_cannot_read_is_folded_like_its_neighbours(tmp_path):
    """Replay reads a chunk's facts of one kind as one array; one that does not fit the
    kind's typed fields (a number as a title) sends that chunk's facts of the kind through
    one at a time, and that one through the codec, with the same rows as live folding."""
    log = SegmentLog(tmp_path / "log", _codec(Tag, Note), writable=True)
    live = ViewStore(tmp_path / "live.sqlite", _views())
    odd = attrs.evolve(_person("王五"), title=7)
    for batch in ([_added(A)], _run(A, "people", "1", [_person("张三", "会长"), odd,
                                                      _person("李四", aliases=("小李",))])):
        for env in log.append(batch):
            live.apply(env)
    live.commit()
    fast = ViewStore(tmp_path / "fast.sqlite", _views())
    assert fast.catch_up(log) == log.head
    assert _dump(fast.db) == _dump(live.db)
    assert fast.db.execute("SELECT name, title, _record IS NULL FROM fact_person "
                           "ORDER BY fact_id").fetchall() == [
        ("张三", "会长", 1), ("王五", "7", 0), ("李四", None, 1)]  # the record keeps 7
    for views in (fast, live):
        views.close()
    log.close()


def test_only_the_latest_run_of_each_document_and_extractor_keeps_its_facts(folded):
    _, recorded, stores = folded
    positions, ranges = _surviving(recorded)
    for name, views in stores.items():
        db = views.db
        kept = sorted(p for t in _facts().tables
                      for (p,) in db.execute(f"SELECT fact_id FROM {t.base}"))
        assert kept == positions, name
        runs = {(d, x): (s, e) for d, x, s, e in db.execute("SELECT * FROM fact_runs")}
        assert runs == ranges, name
        # A superseded run's list items went with its facts, and so did its evidence.
        assert db.execute("SELECT COUNT(*) FROM _person_aliases c WHERE NOT EXISTS "
                          "(SELECT 1 FROM fact_person f WHERE f.fact_id = c.fact_id)"
                          ).fetchone() == (0,), name
        assert sorted(p for (p,) in db.execute("SELECT rowid FROM search")) == positions

        def names(doc: str, extractor: str, field: str = "name", db=db) -> list[Any]:
            """One field of the (doc, extractor)'s facts that have it, in log order."""
            return [d[field] for d in _fields(db, doc)
                    if d["extractor"].startswith(extractor + "@") and field in d]

        # A: the re-extraction by people@2 replaced people@1's facts.
        assert names(A, "people") == ["张三", "钱七", "孙八"], name
        assert not [d for d in _fields(db, A) if d["extractor"] == "people@1"]
        # A: the empty tags@2 run removed tags@1's facts; meetings@2 followed a failure.
        assert not [d for d in _fields(db, A) if d["extractor"].startswith("tags@")]
        assert names(A, "meetings") == ["座谈会"], name
        assert names(A, "numbers", "text") == ["120人", "约30%"], name  # untouched
        # B: the failed meetings@2 run removed meetings@1's facts; numbers@3 won its batch.
        assert names(B, "meetings") == [], name
        assert names(B, "numbers", "text") == ["300人", "5%"], name
        assert names(B, "people") == ["王五"] and names(B, "tags", "label") == ["beta"]
        # C lost its path, not its facts (the log and the view keep them, queries hide them).
        assert names(C, "people") == ["赵六"], name

        assert _fields(db, A, "person")[0] == {
            "span": [0, 2], "evidence": "会长张三", "doc_id": A, "extractor": "people@2",
            "name": "张三", "title": "主任", "organization": None, "aliases": ["老张"],
            "confidence": None}
        # The plugin kinds went through their classes: Note's own attributes() is what
        # its record says; its columns hold its declared fields.
        assert _stored(db, kind="note") == [
            ("note", {"span": [1, 2], "evidence": "w", "doc_id": B, "extractor": "tags@1",
                      "body": "WORLD", "chars": 5, "confidence": None})], name
        assert db.execute("SELECT body FROM notes").fetchall() == [("world",)], name
        kinds = [kind for kind, _ in _stored(db, B)]
        assert kinds == ["person", "tag", "note", "statistic", "statistic"], name

        extractions = {(d, x): (v, s, n) for d, x, v, s, n in db.execute(
            "SELECT doc_id, extractor, version, status, facts FROM extractions")}
        assert extractions[(A, "people")] == ("2", "completed", 3)
        assert extractions[(B, "meetings")] == ("2", "failed", 0)
        assert extractions[(B, "numbers")] == ("3", "completed", 2)
        assert extractions[(A, "tags")] == ("2", "completed", 0)
        assert sorted(db.execute("SELECT path, doc_id FROM paths")) == [
            ("a.txt", A), ("b.txt", B)]


def test_a_plugin_fact_kind_is_stored_as_its_class_says(tmp_path):
    log = SegmentLog(tmp_path / "log", _codec(Tag, Note), writable=True)
    log.append([_added(A)])
    log.append(_run(A, "tags", "1", [Note(span=(0, 1), evidence="n", body="hello"),
                                     Tag(span=(0, 1), evidence="t", label="x", weight=2)]))
    fast = ViewStore(tmp_path / "fast.sqlite", _views())
    fast.catch_up(log)
    assert _stored(fast.db) == [
        ("note", {"span": [0, 1], "evidence": "n", "doc_id": A, "extractor": "tags@1",
                  "body": "HELLO", "chars": 5, "confidence": None}),
        ("tag", {"span": [0, 1], "evidence": "t", "doc_id": A, "extractor": "tags@1",
                 "label": "x", "weight": 2, "confidence": None}),
    ]
    # Tag's fields fit its columns (weight given as an int stays one); Note's record is
    # kept whole beside its declared fields.
    assert fast.db.execute("SELECT label, weight, typeof(weight), _record IS NULL "
                           "FROM fact_tag").fetchall() == [("x", 2, "integer", 1)]
    assert fast.db.execute("SELECT body, _record IS NULL FROM fact_note").fetchall() == [
        ("hello", 0)]
    fast.close()
    log.close()


def test_without_the_plugin_its_kinds_are_left_out_the_same_way(tmp_path, folded):
    assert folded  # wrote the log under tmp_path
    # The same log read by a store whose plugin (Tag, Note) is not installed.
    reader = SegmentLog(tmp_path / "log", _codec())
    fast = ViewStore(tmp_path / "fast-noplugin.sqlite", _views())
    assert fast.catch_up(reader) == reader.head
    read = _from_read(tmp_path / "read-noplugin.sqlite", reader)
    assert _dump(fast.db) == _dump(read.db)
    assert {kind for kind, _ in _stored(fast.db)} == {"person", "meeting", "statistic"}
    assert fast.db.execute("SELECT COUNT(*) FROM fact_tag").fetchone() == (0,)
    # The runs are still known, so a later re-run still removes the older facts.
    assert fast.db.execute("SELECT COUNT(*) FROM fact_runs WHERE extractor = 'tags'"
                           ).fetchone() == (2,)
    fast.close()
    read.close()
    reader.close()


# -- 1b: rebuild -----------------------------------------------------------------------------


def test_rebuild_folds_the_same_tables_and_builds_the_indexes(folded):
    log, _, stores = folded
    for name in ("fast", "live"):
        views = stores[name]
        before, schema = _dump(views.db), _schema(views.db)
        assert views.rebuild(log) == log.head
        assert _dump(views.db) == before, name
        assert _schema(views.db) == schema, name
        indexes = {n for (n,) in views.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"fact_person_key", "fact_statistic_key", "_agreement_parties_item",
                "paths_doc", "paths_since", "documents_position"} <= indexes
        plan = " ".join(str(r) for r in views.db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM people WHERE name = '张三'"))
        assert "fact_person_key" in plan

    # After a rebuild, a new run still replaces the old one.
    views = stores["fast"]
    for env in log.append(_run(A, "people", "3", [_person("周九")])):
        views.apply(env)
    views.commit()
    assert [d["name"] for d in _fields(views.db, A, "person")] == ["周九"]


# -- 1c: reading the tables back as export records ---------------------------------------


def test_rows_filtered_by_document_are_exactly_its_current_facts(folded):
    _, _, stores = folded
    view = _facts()
    for name, views in stores.items():
        db = views.db
        every = list(view.rows(db))
        assert {r["doc_id"] for r in every} == {A, B}, name  # C has no path left
        for kind in (None, "person", "meeting", "statistic", "tag"):
            for doc in (A, B):
                mine = [r for r in view.rows(db, kind) if r["doc_id"] == doc]
                for prefix in (doc[:6], doc[:6] + "*", doc):
                    assert list(view.rows(db, kind, {"doc_id": prefix})) == mine, \
                        (name, kind, doc, prefix)
        people = list(view.rows(db, "person", {"doc_id": A[:4]}))
        assert [(r["name"], r["source"], r["extractor"]) for r in people] == [
            ("张三", "a.txt", "people@2"), ("钱七", "a.txt", "people@2"),
            ("孙八", "a.txt", "people@2")]
        assert [r["text"] for r in view.rows(db, "statistic", {"doc_id": B[:4]})] == [
            "300人", "5%"]
        assert list(view.rows(db, "meeting", {"doc_id": B[:4]})) == []
        assert list(view.rows(db, None, {"doc_id": C[:4]})) == []  # removed
        assert list(view.rows(db, None, {"doc_id": "ff"})) == []
        # With other filters too.
        assert [r["name"] for r in view.rows(db, "person", {"doc_id": A[:4], "name": "钱*"})] \
            == ["钱七"]
        assert [r["title"] for r in view.rows(db, "person",
                                              {"doc_id": A[:4], "name": "张三"})] == ["主任"]


def test_a_filter_on_another_field_matches_text_numbers_and_list_items(folded):
    _, _, stores = folded
    view = _facts()
    for name, views in stores.items():
        db = views.db

        def texts(kind: str, filters: dict[str, str], limit: int | None = None,
                  field: str = "text", db=db) -> list[Any]:
            return [r[field] for r in view.rows(db, kind, filters, limit)]

        assert texts("statistic", {"text": "*人"}) == ["120人", "300人"], name
        assert texts("statistic", {"text": "300人"}) == ["300人"], name
        assert texts("statistic", {"text": "300"}) == [], name  # exact unless a glob
        assert texts("statistic", {"value": "300"}) == ["300人"], name  # by its value
        assert texts("statistic", {"value": "3*"}) == ["300人"], name  # a glob on its text
        assert texts("statistic", {"approx": "about"}) == ["约30%"], name
        assert texts("person", {"aliases": "老张"}, field="name") == ["张三"], name  # an item
        assert texts("person", {"aliases": "老*"}, field="name") == ["张三"], name
        assert texts("person", {"title": "主任", "aliases": "老张"}, field="name") \
            == ["张三"], name
        assert texts("person", {"title": "会长"}, field="name") == [], name  # superseded
        # The limit counts matching facts, not the rows read to find them.
        assert texts("statistic", {"text": "*"}, limit=2) == ["120人", "约30%"], name


# -- 2: the store's extraction marks ----------------------------------------------------------

DOC1 = "会长王小明出席大会，共有120人参加。".encode()
DOC2 = "会长李大海讲话。到场300人。".encode()
DOC3 = "会长陈存根表示，50人受益。".encode()
DOC4 = "会长张国华主持，80人到会。".encode()


def _marks(store: Store) -> set[tuple[str, str, int]]:
    return set(store.views.db.execute("SELECT extractor, version, position "
                                      "FROM extracted_through"))


def _outcomes_since(store: Store, position: int) -> list[tuple[str, str, str]]:
    return [(e.payload.doc_id, e.payload.extractor, e.payload.version)
            for e in store.log.read(position)
            if isinstance(e.payload, ExtractionCompleted | ExtractionFailed)]


def _facts_of(store: Store, doc_id: str) -> list[tuple[str, str, str]]:
    return [(r["kind"], r.get("name") or r.get("text"), r["source"]) for r in store.export()
            if r["doc_id"] == doc_id]


def test_a_document_recorded_before_a_crash_is_extracted_by_the_next_process(
        tmp_path, toy_host):
    home = tmp_path / "store"
    with Store(home, plugins=toy_host) as store:
        assert store.ingest_bytes("one.txt", DOC1) == "added"
        assert store.ingest_bytes("two.txt", DOC2) == "added"
        scanned = store.views.position
        assert store.extract_pending() == 2
        assert _marks(store) == {("toy-people", "1", scanned), ("toy-numbers", "1", scanned)}
        first = {r["doc_id"] for r in store.export()}
        assert len(first) == 2
    third_file = tmp_path / "three.txt"
    third_file.write_bytes(DOC3)
    with Store(home, plugins=toy_host) as store:
        assert store.ingest_file(third_file, "three.txt") == "added"
        third = store.doc_at("three.txt")
        # the process dies here, before any extraction
    with Store(home, plugins=toy_host) as store:
        head = store.log.head
        assert store.pending() == {third: ["toy-people", "toy-numbers"]}
        assert store.extract_pending() == 1
        assert sorted(_outcomes_since(store, head)) == [
            (third, "toy-numbers", "1"), (third, "toy-people", "1")]
        assert store.views.db.execute(
            "SELECT extractor, status, facts FROM extractions WHERE doc_id = ? "
            "ORDER BY extractor", (third,)).fetchall() == [
            ("toy-numbers", "completed", 1), ("toy-people", "completed", 1)]
        assert _facts_of(store, third) == [("person", "陈存根", "three.txt"),
                                           ("statistic", "50人", "three.txt")]
        assert {r["doc_id"] for r in store.export()} == first | {third}
        assert _marks(store) == {("toy-people", "1", head), ("toy-numbers", "1", head)}
        head = store.log.head
    with Store(home, plugins=toy_host) as store:
        assert store.extract_pending() == 0
        assert store.log.head == head
        assert _marks(store) == {("toy-people", "1", head), ("toy-numbers", "1", head)}
    # Nothing was appended after that mark: the next document lands exactly on it.
    with Store(home, plugins=toy_host) as store:
        assert store.ingest_bytes("four.txt", DOC4) == "added"
        fourth = store.doc_at("four.txt")
        assert store.views.db.execute("SELECT position FROM document_records WHERE doc_id = ?",
                                      (fourth,)).fetchone() == (head,)
    with Store(home, plugins=toy_host) as store:
        assert store.extract_pending() == 1
        assert _outcomes_since(store, head) == [(fourth, "toy-people", "1"),
                                                (fourth, "toy-numbers", "1")]
    # Every document was extracted once per extractor, over all these processes.
    with Store(home, plugins=toy_host, writable=False) as store:
        done = _outcomes_since(store, 0)
        assert len(done) == len(set(done)) == 8


def test_a_document_linked_again_after_the_mark_is_extracted(tmp_path, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        assert store.ingest_bytes("gone.txt", DOC1) == "added"
        gone = store.doc_at("gone.txt")
        assert store.remove("gone.txt")  # removed before it was ever extracted
        assert store.ingest_bytes("two.txt", DOC2) == "added"
        assert store.extract_pending() == 1  # only the live document
        assert _marks(store)
    with Store(tmp_path, plugins=toy_host) as store:
        assert store.extract_pending() == 0  # nothing appended: the mark is the head
        head = store.log.head
        assert _marks(store) == {("toy-people", "1", head), ("toy-numbers", "1", head)}
    with Store(tmp_path, plugins=toy_host) as store:
        assert store.ingest_bytes("back.txt", DOC1) == "linked"  # added before the mark
        assert store.views.db.execute("SELECT since FROM paths WHERE path = 'back.txt'"
                                      ).fetchone() == (head,)  # linked exactly at the mark
        # the process dies before extracting
    with Store(tmp_path, plugins=toy_host) as store:
        assert store.pending() == {gone: ["toy-people", "toy-numbers"]}
        assert store.extract_pending() == 1
        assert _facts_of(store, gone) == [("person", "王小明", "back.txt"),
                                          ("statistic", "120人", "back.txt")]


def test_the_mark_bounds_the_scan(tmp_path, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        store.ingest_bytes("one.txt", DOC1)
        one = store.doc_at("one.txt")
        store.extract_pending()
    with Store(tmp_path, plugins=toy_host) as store:
        # An outcome lost before the mark is not looked for again: the mark vouches for it.
        store.views.db.execute("DELETE FROM extractions WHERE doc_id = ?", (one,))
        assert store.pending() == {}
        store.views.db.execute("DELETE FROM extracted_through")
        assert store.pending() == {one: ["toy-people", "toy-numbers"]}


def test_extracting_some_extractors_marks_only_those(tmp_path, toy_host):
    # Recorded by a process without extractors: the documents' extraction is left to the next.
    with Store(tmp_path, plugins=PluginHost(load_entrypoints=False)) as store:
        store.ingest_bytes("one.txt", DOC1)
        store.ingest_bytes("two.txt", DOC2)
    with Store(tmp_path, plugins=toy_host) as store:
        first = store.views.position
        assert store.extract_pending(only=["toy-people"]) == 2
        assert _marks(store) == {("toy-people", "1", first)}
        second = store.views.position
        assert store.extract_pending() == 2  # the first full scan: toy-numbers for both
        assert _marks(store) == {("toy-people", "1", second), ("toy-numbers", "1", second)}
        assert store.pending() == {}


def test_a_new_extractor_version_re_extracts_every_live_document(tmp_path):
    with Store(tmp_path, plugins=versioned_host("1", toy=True)) as store:
        for name, data in (("one.txt", DOC1), ("two.txt", DOC2), ("three.txt", DOC3)):
            store.ingest_bytes(name, data)
        live = [store.doc_at("one.txt"), store.doc_at("two.txt")]
        assert store.extract_pending() == 3
        # the mark: where the views stood when extraction began (the runner may have
        # extracted some documents while the others were recorded)
        assert ("v", "1") in {(name, version) for name, version, _ in _marks(store)}
        assert store.remove("three.txt")
    with Store(tmp_path, plugins=versioned_host("2", toy=True)) as store:
        head = store.log.head
        assert store.pending() == {doc: ["v"] for doc in live}
        assert store.extract_pending() == 2
        assert _outcomes_since(store, head) == [(doc, "v", "2") for doc in live]
        assert {p["name"] for p in store.query("people") if p["name"].startswith("v")} \
            == {"v2"}
        assert _marks(store) == {("toy-people", "1", head), ("toy-numbers", "1", head),
                                 ("v", "2", head)}
        head = store.log.head
    with Store(tmp_path, plugins=versioned_host("2", toy=True)) as store:
        assert store.extract_pending() == 0
        assert store.log.head == head
    # Back to version 1: its outcomes were replaced, and its old mark with them.
    with Store(tmp_path, plugins=versioned_host("1", toy=True)) as store:
        assert store.extract_pending() == 2
        assert _outcomes_since(store, head) == [(doc, "v", "1") for doc in live]


def test_a_rebuild_drops_the_marks_and_nothing_is_pending_after_it(tmp_path, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        store.ingest_bytes("one.txt", DOC1)
        store.ingest_bytes("two.txt", DOC2)
        assert store.extract_pending() == 2
        assert _marks(store)
        export = list(store.export())
        head = store.log.head
        assert store.views.rebuild(store.log) == head
        assert _marks(store) == set()
        assert list(store.export()) == export
        assert store.pending() == {}
        assert store.extract_pending() == 0
        assert store.log.head == head
    with Store(tmp_path, plugins=toy_host) as store:
        assert store.pending() == {}
        assert store.extract_pending() == 0  # a full scan: no mark, every outcome there
        assert store.log.head == head
        assert _marks(store) == {("toy-people", "1", head), ("toy-numbers", "1", head)}
        assert list(store.export()) == export


class _PlainLog:
    """A log that keeps no packed batches: it reads envelopes, and gives its batches as
    :class:`EventLog` says such a log does (:func:`packed_batches`)."""

    def __init__(self, log: SegmentLog) -> None:
        self._log = log
        self.codec = log.codec

    @property
    def head(self) -> int:
        return self._log.head

    def read(self, from_position: int = 0):
        return self._log.read(from_position)

    def read_batches(self, from_position: int = 0):
        return packed_batches(self, from_position)


def test_a_log_without_stored_batches_is_folded_from_its_envelopes(
        tmp_path, monkeypatch, folded):
    log, _, stores = folded
    monkeypatch.setattr(projection_module, "CATCH_UP_BATCH", 3)
    with ViewStore(tmp_path / "plain.sqlite", _views()) as views:
        assert views.catch_up(_PlainLog(log)) == log.head
        assert _dump(views.db) == _dump(stores["live"].db)


# -- replay on two cores: chunks prepared in a forked process ---------------------------------


def _in_a_second_process(monkeypatch, backlog: int | None = None) -> list[int]:
    """Make every catch-up prepare its chunks in a forked process; count the forks.

    ``backlog`` pins what the forked process sees of the writer's queue: 0, every chunk is
    handed over unprepared; 1, every chunk is prepared there; None, as it happens."""
    monkeypatch.setattr(projection_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(projection_module, "parallel_fold_available", lambda: True)
    forks: list[int] = []
    real = projection_module.prepared_elsewhere

    def counted(produce):
        forks.append(1)
        if backlog is None:
            return real(produce)
        return real(lambda _: produce(lambda: backlog))

    monkeypatch.setattr(projection_module, "prepared_elsewhere", counted)
    return forks


@pytest.mark.parametrize("backlog", [None, 0, 1], ids=["as-it-happens", "unprepared", "prepared"])
@pytest.mark.parametrize("chunk", [None, 3], ids=["one-chunk", "chunk-3"])
def test_a_replay_prepared_in_a_second_process_folds_the_same_tables(
        tmp_path, monkeypatch, folded, chunk, backlog):
    log, _, stores = folded
    forks = _in_a_second_process(monkeypatch, backlog)
    if chunk is not None:
        monkeypatch.setattr(projection_module, "CATCH_UP_BATCH", chunk)
        monkeypatch.setattr(projection_module, "COMMIT_EVERY", chunk)
    with ViewStore(tmp_path / "parallel.sqlite", _views()) as parallel:
        assert parallel.catch_up(log) == log.head
        assert forks == [1]
        assert _dump(parallel.db) == _dump(stores["live"].db)
        assert _schema(parallel.db) == _schema(stores["live"].db)
        assert parallel.rebuild(log) == log.head
        assert _dump(parallel.db) == _dump(stores["live"].db)
        assert forks == [1, 1]
        assert parallel.catch_up(log, parallel=False) == 0


@pytest.mark.parametrize("backlog", [0, 1], ids=["unprepared", "prepared"])
def test_a_catch_up_in_a_second_process_resumes_inside_a_batch(
        tmp_path, monkeypatch, folded, backlog):
    log, recorded, stores = folded
    _in_a_second_process(monkeypatch, backlog)
    monkeypatch.setattr(projection_module, "CATCH_UP_BATCH", 3)
    inside = len(_batches()[0]) + len(_batches()[1]) + len(_batches()[2]) + 2
    with ViewStore(tmp_path / "resumed.sqlite", _views()) as views:
        for env in recorded[:inside]:  # stops two events into the fourth batch
            views.apply(env)
        views.commit()
        assert views.catch_up(log) == log.head - inside
        assert _dump(views.db) == _dump(stores["live"].db)


def test_a_view_that_does_not_prepare_keeps_the_replay_in_one_process(
        tmp_path, monkeypatch, folded):
    log, _, stores = folded
    forks = _in_a_second_process(monkeypatch)

    class Counting(projection_module.Projection):
        name = "counting"

        def create(self, db):
            db.execute("CREATE TABLE IF NOT EXISTS counted (n INTEGER)")

        def drop(self, db):
            db.execute("DROP TABLE IF EXISTS counted")

        def apply(self, db, env):
            db.execute("INSERT INTO counted VALUES (?)", (env.position,))

    with ViewStore(tmp_path / "mixed.sqlite", [*_views(), Counting()]) as views:
        assert views.catch_up(log) == log.head
        assert forks == []
        assert [n for (n,) in views.db.execute("SELECT n FROM counted")] == list(
            range(log.head))
        got = _dump(views.db)
        for table, rows in _dump(stores["live"].db).items():
            if table != "checkpoints":
                assert got[table] == rows, table


def test_damage_found_by_the_second_process_is_raised_in_the_first(tmp_path, monkeypatch):
    _in_a_second_process(monkeypatch)
    with SegmentLog(tmp_path / "log", _codec(), writable=True, segment_bytes=600) as log:
        for i in range(6):
            log.append([Envelope(DocumentAdded(doc_id=f"doc{i}", path=f"p{i}", text="x" * 200,
                                               encoding="utf-8", size=200))])
        sealed = log.segments()[0]
    data = bytearray(sealed.read_bytes())
    data[40] ^= 0xFF  # inside the first batch's payload: its checksum no longer matches
    sealed.write_bytes(bytes(data))
    reader = SegmentLog(tmp_path / "log", _codec())
    with (ViewStore(tmp_path / "views.sqlite", _views()) as views,
          pytest.raises(LogCorrupt, match="run `factfold log verify`")):
        views.catch_up(reader)


# -- a fold from nothing runs without fsyncs ---------------------------------------------------


def _journal(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA journal_mode").fetchone()[0]


def test_a_fold_from_nothing_is_made_durable_when_the_views_close(
        tmp_path, monkeypatch, folded):
    log, _, stores = folded
    monkeypatch.setattr(projection_module, "COMMIT_EVERY", 2)  # the log counts as long
    path = tmp_path / "views.sqlite"
    marker = tmp_path / "views.sqlite.unsynced"
    views = ViewStore(path, _views())
    assert views.catch_up(log) == log.head
    assert marker.exists()  # folded, not yet synced
    assert _dump(views.db) == _dump(stores["live"].db)
    views.close()
    assert not marker.exists() and _journal(path) == "wal"
    with ViewStore(path, _views()) as again:  # nothing to redo
        assert again.catch_up(log) == 0
        assert _dump(again.db) == _dump(stores["live"].db)


def test_views_left_by_an_unfinished_fold_from_nothing_are_folded_again(
        tmp_path, monkeypatch, folded):
    log, _, stores = folded
    monkeypatch.setattr(projection_module, "COMMIT_EVERY", 2)
    path = tmp_path / "views.sqlite"
    views = ViewStore(path, _views())
    views.catch_up(log)
    views.db.execute("UPDATE fact_person SET name = 'lost on the way to the disk'")  # what a
    views.db.close()  # power cut may leave of pages never synced; no close(): no sync
    assert (tmp_path / "views.sqlite.unsynced").exists()
    with ViewStore(path, _views()) as again:
        assert again.position == 0  # thrown away
        assert again.catch_up(log) == log.head
        assert _dump(again.db) == _dump(stores["live"].db)
    assert not (tmp_path / "views.sqlite.unsynced").exists()


def test_a_fold_that_fails_halfway_keeps_only_whole_chunks(tmp_path, monkeypatch, folded):
    log, _, stores = folded
    monkeypatch.setattr(projection_module, "CATCH_UP_BATCH", 3)
    monkeypatch.setattr(projection_module, "COMMIT_EVERY", 3)
    calls = []
    real = FactsView.write_prepared

    def failing(self, db, prepared):
        calls.append(1)
        if len(calls) == 3:  # the documents view has written this chunk already
            raise RuntimeError("disk gone")
        real(self, db, prepared)

    monkeypatch.setattr(FactsView, "write_prepared", failing)
    path = tmp_path / "views.sqlite"
    with ViewStore(path, _views()) as views:
        with pytest.raises(RuntimeError, match="disk gone"):
            views.catch_up(log)
        kept = views.position
        assert 0 < kept < log.head
        assert len({p for p in views._next.values()}) == 1  # every view at the same point
    monkeypatch.setattr(FactsView, "write_prepared", real)
    with ViewStore(path, _views()) as views:
        assert views.position == kept
        assert views.catch_up(log) == log.head - kept
        assert _dump(views.db) == _dump(stores["live"].db)


def test_export_records_list_a_kinds_fields_as_its_class_declares_them(folded):
    _, _, stores = folded
    view = _facts()
    provenance = ["kind", "source", "doc_id", "extractor", "span", "evidence"]
    for name, views in stores.items():
        first = {r["kind"]: list(r) for r in view.rows(views.db)}
        assert first["statistic"] == [*provenance, "value", "unit", "text", "approx",
                                      "confidence"], name
        assert first["person"] == [*provenance, "name", "title", "organization", "aliases",
                                   "confidence"]
        assert first["note"] == [*provenance, "body", "chars", "confidence"], name


def test_export_records_are_what_the_log_holds(folded):
    """The typed tables give back each current fact's record exactly (numbers as given,
    lists in order, a plugin's attributes() and field order), as the views that kept the
    stored payloads did (tests/exportlog.py computes those from the log)."""
    log, _, stores = folded
    expected = expected_export(log.read())
    assert any('"value": 120,' in line for line in expected)  # an int stays an int
    for name, views in stores.items():
        assert [json.dumps(r, ensure_ascii=False) for r in _facts().rows(views.db)] \
            == expected, name


# -- a rebuild folds beside the views it replaces ---------------------------------------------


def test_a_rebuild_swaps_new_views_in_whole_and_syncs_them_when_they_close(tmp_path, folded):
    log, _, stores = folded
    path = tmp_path / "views.sqlite"
    views = ViewStore(path, _views())
    views.catch_up(log)
    views.db.execute("UPDATE fact_person SET name = 'stale'")  # what only a rebuild puts right
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert views.rebuild(log) == log.head
    assert _dump(views.db) == _dump(stores["live"].db)
    assert not list(tmp_path.glob("views.sqlite.rebuild*"))
    marker = tmp_path / "views.sqlite.unsynced"
    assert marker.exists()  # swapped in, not yet synced: a crash now starts over
    views.close()
    assert not marker.exists()
    reader.close()
    with ViewStore(path, _views()) as again:
        assert again.catch_up(log) == 0
        assert _dump(again.db) == _dump(stores["live"].db)


def test_a_rebuild_that_cannot_read_the_log_leaves_the_views_as_they_were(tmp_path, folded):
    log, _, _ = folded
    path = tmp_path / "views.sqlite"
    with ViewStore(path, _views()) as views:
        views.catch_up(log)
    before = _dump(sqlite3.connect(path))
    segment = log.segments()[0]
    data = bytearray(segment.read_bytes())
    data[40] ^= 0xFF  # the first batch: every later one is whole
    segment.write_bytes(bytes(data))
    with ViewStore(path, _views()) as views:
        with pytest.raises(LogCorrupt, match="damaged"):
            views.rebuild(SegmentLog(tmp_path / "log", log.codec))
        assert _dump(views.db) == before
        assert views.position == log.head  # and they go on from where they were
    assert not list(tmp_path.glob("views.sqlite.rebuild*"))
    assert _dump(sqlite3.connect(path)) == before


def test_what_a_rebuild_cut_short_left_beside_the_views_is_removed_by_the_next_writer(
        tmp_path):
    aside = tmp_path / "views.sqlite.rebuild"
    for suffix in ("", "-wal", ".unsynced"):
        Path(f"{aside}{suffix}").write_bytes(b"half a fold")
    with ViewStore(tmp_path / "views.sqlite", _views(), readonly=False):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["views.sqlite"]
