"""The store end to end, with a fast toy plugin: idempotency, replay, documents' lives, recovery."""

from __future__ import annotations

import shutil
import sqlite3
from typing import ClassVar

import pytest
from attrs import frozen
from conftest import ToyPlugin, versioned_host
from helpers import run_factfold

from factfold import Extractor, Fact, Person, event_type, hookimpl
from factfold.events import DocumentAdded, Envelope, SubscriberFailed
from factfold.pluginmanager import PluginHost
from factfold.projection import Projection, ViewsOutdated
from factfold.store import Store
from factfold.views import DocumentsView, FactsView
from factfold.viewstore import ViewStore


def ingest_all(store: Store, folder) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in sorted(folder.iterdir()):
        outcome = store.ingest_file(f)
        counts[outcome] = counts.get(outcome, 0) + 1
    store.extract_pending()
    return counts


def test_ingest_twice_adds_nothing_and_replay_gives_the_same_views(tmp_path, seeds, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        assert ingest_all(store, seeds) == {"added": 5}
        head = store.log.head
        export = list(store.export())
        people = store.query("people")
        assert {r["kind"] for r in export} == {"person", "statistic"}
        assert ingest_all(store, seeds) == {"unchanged": 5}
        assert store.log.head == head
        assert store.replay() == head
        assert list(store.export()) == export
        assert store.query("people") == people


def test_replay_on_a_store_without_views_folds_the_log_once(tmp_path, seeds, toy_host,
                                                             monkeypatch):
    with Store(tmp_path, plugins=toy_host) as store:
        ingest_all(store, seeds)
        head = store.log.head
        export = list(store.export())
    for views_file in tmp_path.glob("views.sqlite*"):
        views_file.unlink()
    folded = []
    catch_up = ViewStore.catch_up
    monkeypatch.setattr(ViewStore, "catch_up",
                        lambda self, *a, **k: folded.append(catch_up(self, *a, **k)) or folded[-1])
    with Store(tmp_path, plugins=toy_host, fold_views=False) as store:
        assert store.views.position == 0
        assert store.replay() == head
        assert list(store.export()) == export
    assert folded == [head]
    # Opened so and written to without a replay, the views catch up before the append.
    with Store(tmp_path, plugins=toy_host, fold_views=False) as store:
        store.append([Envelope(DocumentAdded(doc_id="d" * 64, path="new.txt", text="x",
                                             encoding="utf-8", size=1))])
        assert len(store.query("documents")) == len(list(seeds.glob("*.txt"))) + 1
        assert list(store.export()) == export


def test_views_resume_from_their_checkpoint(tmp_path, seeds, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        ingest_all(store, seeds)
        head = store.log.head
    with Store(tmp_path, plugins=toy_host) as store:
        assert store.views.position == head  # nothing replayed on restart
        assert len(store.query("documents")) == 5


def test_documents_live_and_die_by_their_paths(tmp_path, seeds, toy_host):
    src = seeds / "002_3df54ad85824f0b8.txt"
    other = seeds / "003_7be3d2dd4adab9aa.txt"
    with Store(tmp_path / "s", plugins=toy_host) as store:
        assert store.ingest_bytes("a.txt", src.read_bytes()) == "added"
        assert store.ingest_bytes("copy.txt", src.read_bytes()) == "linked"
        store.extract_pending()
        (doc,) = store.query("documents")
        assert doc["paths"] == ["a.txt", "copy.txt"]
        facts = len(list(store.export()))
        assert facts > 0

        assert store.move("copy.txt", "b.txt")
        assert store.query("documents")[0]["paths"] == ["a.txt", "b.txt"]
        store.remove("a.txt")
        assert len(list(store.export())) == facts  # still lives at b.txt
        assert {r["source"] for r in store.export()} == {"b.txt"}

        assert store.ingest_bytes("b.txt", other.read_bytes()) == "superseded"
        store.extract_pending()
        docs = store.query("documents")
        assert [d["paths"] for d in docs] == [["b.txt"]]
        assert {r["doc_id"] for r in store.export()} == {docs[0]["doc_id"]}

        store.remove("b.txt")
        assert store.query("documents") == [] and list(store.export()) == []
        assert store.log.head > 0  # the log keeps everything


def test_bad_files_are_rejected_once_and_the_rest_goes_on(tmp_path, seeds, toy_host):
    folder = tmp_path / "in"
    shutil.copytree(seeds, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with Store(tmp_path / "s", plugins=toy_host) as store:
        counts = ingest_all(store, folder)
        assert counts == {"added": 5, "rejected": 2}
        rejected = {r["path"].rsplit("/", 1)[-1]: r["reason"]
                    for r in store.query("documents", {"rejected": "1"})}
        assert "empty" in rejected["empty.txt"] and "binary" in rejected["image.png"]
        assert ingest_all(store, folder) == {"unchanged": 7}  # not recorded again
        (folder / "empty.txt").write_text("会长王小明出席。", encoding="utf-8")
        assert store.ingest_file(folder / "empty.txt") == "added"  # retried when it changes
        assert len(store.query("documents", {"rejected": "1"})) == 1


def test_documents_without_a_completion_marker_are_extracted_on_the_next_start(
        tmp_path, seeds, toy_host):
    text = (seeds / "001_5c19025aa2c0d03b.txt").read_text(encoding="utf-8")
    with Store(tmp_path, plugins=toy_host) as store:
        # a crash right after the document was recorded, before any extraction
        store.append([Envelope(DocumentAdded(doc_id="abc", path="x.txt", text=text,
                                             encoding="utf-8", size=len(text)))])
    with Store(tmp_path, plugins=toy_host) as store:
        assert store.pending() == {"abc": ["toy-people", "toy-numbers"]}
        assert store.extract_pending() == 1
        assert store.pending() == {}
        assert len(store.query("people")) > 0
        n = len(list(store.export()))
    with Store(tmp_path, plugins=toy_host) as store:
        assert store.extract_pending() == 0
        assert len(list(store.export())) == n  # nothing counted twice


class Raises:
    @hookimpl
    def factfold_register_extractors(self, register):
        def boom(doc):
            raise RuntimeError(f"cannot read {doc.path}")

        register(Extractor(name="raises", version="1", extract=boom, emits=(Person,)))


def test_a_plugin_that_raises_does_not_stop_the_others(tmp_path, seeds, toy_host):
    toy_host.register(Raises(), name="raises")
    with Store(tmp_path, plugins=toy_host) as store:
        ingest_all(store, seeds)
        failed = store.query("documents", {"failed": "1"})
        assert len(failed) == 5
        assert all(f["extractor"] == "raises@1" and "RuntimeError: cannot read" in f["reason"]
                   for f in failed)
        assert len(store.query("people")) > 0


class PersonPositions(Projection):
    """A plugin's view: the positions of the person facts it folded, in a table of its name."""

    name = "person_positions"
    handles = frozenset({Person.__event_type__})

    def create(self, db):
        db.execute(f"CREATE TABLE IF NOT EXISTS {self.name} (position INTEGER PRIMARY KEY)")

    def drop(self, db):
        db.execute(f"DROP TABLE IF EXISTS {self.name}")

    def apply_many(self, db, envelopes):
        db.executemany(f"INSERT INTO {self.name} VALUES (?)", [(e.position,) for e in envelopes])


class PickyView(PersonPositions):
    """Writes its rows, then fails on every third person fact."""

    name = "picky"

    def apply_many(self, db, envelopes):
        super().apply_many(db, envelopes)
        if any(e.position % 3 == 0 for e in envelopes):
            raise ValueError("picky")


class Picky:
    @hookimpl
    def factfold_register_projections(self, register):
        register(PickyView())
        register(PersonPositions())  # after the failing view


def test_a_view_that_raises_is_isolated_event_by_event(tmp_path, seeds, toy_host):
    """A run's facts reach the views as one batch; a view failing on one of them loses
    only that one (none of its half-written rows stay), the failure is recorded at that
    event, the other views (those registered after it too) fold everything, and the store
    opens again without folding the failed events again."""
    with Store(tmp_path / "plain", plugins=toy_host) as store:
        ingest_all(store, seeds)
        people = sorted(p["name"] for p in store.query("people"))
    toy_host.register(Picky(), name="picky")
    with Store(tmp_path / "picky", plugins=toy_host) as store:
        ingest_all(store, seeds)
        assert sorted(p["name"] for p in store.query("people")) == people
        persons = [e.position for e in store.log.read() if isinstance(e.payload, Person)]
        failures = [e.payload for e in store.log.read()
                    if isinstance(e.payload, SubscriberFailed)]
        picked = [n for (n,) in store.views.db.execute("SELECT position FROM picky")]
        folded = [n for (n,) in store.views.db.execute("SELECT position FROM person_positions")]
    assert len(persons) > 3
    assert picked == [p for p in persons if p % 3]
    assert folded == persons
    assert [(f.subscriber, f.position, f.reason) for f in failures] == [
        ("views", p, "picky") for p in persons if p % 3 == 0]
    with Store(tmp_path / "picky", plugins=toy_host) as store:
        assert [n for (n,) in store.views.db.execute("SELECT position FROM picky")] == picked


def test_a_new_extractor_version_replaces_the_old_facts_in_the_views(tmp_path, seeds):
    with Store(tmp_path, plugins=versioned_host("1")) as store:
        ingest_all(store, seeds)
        assert {p["name"] for p in store.query("people")} == {"v1"}
        head = store.log.head
    with Store(tmp_path, plugins=versioned_host("2")) as store:
        assert len(store.pending()) == 5
        store.extract_pending()
        assert {p["name"] for p in store.query("people")} == {"v2"}
        assert store.log.head > head
        old = [e for e in store.log.read() if isinstance(e.payload, Person)
               and e.payload.name == "v1"]
        assert len(old) == 5  # the log keeps the old facts


def test_a_changed_view_version_rebuilds_that_view(tmp_path, seeds, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        ingest_all(store, seeds)
        head = store.log.head

    class DocumentsV2(DocumentsView):
        version: ClassVar[int] = DocumentsView.version + 1

    with Store(tmp_path, plugins=toy_host, writable=False) as store:
        views = ViewStore(tmp_path / "views.sqlite", [DocumentsV2(), FactsView()])
        assert views._next == {"documents": 0, "facts": head}  # only it starts over
        views.catch_up(store.log)
    assert len(views.query("documents", {})) == 5
    views.close()


def test_a_reader_sees_each_unit_of_work_once_it_ends(tmp_path, seeds, toy_host, monkeypatch):
    """The views commit once per interval while appends stream in, and when a unit of work
    ends: a reader in another process then sees all of it."""
    monkeypatch.setattr("factfold.store.VIEWS_COMMIT_INTERVAL", 3600.0)
    files = sorted(seeds.iterdir())
    with Store(tmp_path, plugins=toy_host) as writer:
        for f in files:
            writer.ingest_file(f)
        with Store(tmp_path, plugins=toy_host, writable=False) as reader:
            # the first append commits (nothing was pending); the others wait
            assert len(reader.query("documents")) == 1
            writer.extract_pending()
            assert len(reader.query("documents")) == len(files)
            assert reader.query("people") == writer.query("people") != []
            writer.remove(str(files[0]))
            writer.commit_views()
            assert len(reader.query("documents")) == len(files) - 1


def test_a_reader_refuses_views_built_for_another_version_and_says_what_to_do(
        tmp_path, seeds, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        ingest_all(store, seeds)
        people = store.query("people")
    with Store(tmp_path, plugins=toy_host) as writer:
        # The facts view as an older factfold, still holding the store, would have left it.
        with sqlite3.connect(tmp_path / "views.sqlite") as db:
            db.execute("UPDATE checkpoints SET version = 1 WHERE name = 'facts'")
        with pytest.raises(ViewsOutdated,
                           match=r"facts \(built v1, this version reads v\d+\).*factfold replay"):
            Store(tmp_path, plugins=toy_host, writable=False)
        # The real command line, while the writer holds the store: one line, exit 2.
        proc = run_factfold("query", "people", store=tmp_path, check=False)
        assert proc.returncode == 2, proc.stderr
        assert "cannot read the views" in proc.stderr and "Traceback" not in proc.stderr
        writer.views.rebuild(writer.log)  # as a writer does when it starts
    with Store(tmp_path, plugins=toy_host, writable=False) as store:
        assert store.query("people") == people


def test_reading_a_store_that_does_not_exist_says_what_to_do(tmp_path, toy_host):
    with pytest.raises(FileNotFoundError, match="ingest something first"):
        Store(tmp_path / "nothing", plugins=toy_host, writable=False)


@event_type("test.launched")
@frozen(kw_only=True)
class Launched(Fact):
    kind: ClassVar[str] = "launch"
    name: str


class Launches:
    @hookimpl
    def factfold_register_extractors(self, register):
        def ex(doc):
            yield Launched(span=(0, 2), evidence=doc.text[:2], name=doc.text[:2])

        register(Extractor(name="launches", version="1", extract=ex, emits=(Launched,)))


def test_a_store_stays_readable_after_a_plugin_is_uninstalled(tmp_path, seeds, toy_host):
    with_plugin = PluginHost(load_entrypoints=False)
    with_plugin.register(ToyPlugin(), name="toy")
    with_plugin.register(Launches(), name="launches")
    with Store(tmp_path, plugins=with_plugin) as store:
        ingest_all(store, seeds)
        assert len(store.query("launch")) == 5
        export = [r for r in store.export() if r["kind"] != "launch"]
    with Store(tmp_path, plugins=toy_host) as store:  # the launches plugin is gone
        assert store.log.verify().ok
        store.replay()
        assert list(store.export()) == export
    with Store(tmp_path, plugins=with_plugin) as store:  # and back again
        store.replay()
        assert len(store.query("launch")) == 5


def test_a_rejection_is_recorded_once_and_cleared_when_the_file_goes(tmp_path, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        reason = "unreadable: Permission denied; check the file and its permissions"
        assert store.reject("locked.txt", reason) == "rejected"
        head = store.log.head
        assert store.reject("locked.txt", reason) == "unchanged"  # a restart's rescan
        assert store.log.head == head
        assert store.remove("locked.txt")
        assert store.query("documents", {"rejected": "1"}) == []
        assert not store.remove("locked.txt")


def test_views_ahead_of_a_cut_log_are_rebuilt_and_new_documents_still_counted(
        tmp_path, seeds, toy_host):
    """A machine crash can keep the views but lose the log's tail (fsync never or interval):
    the next start must trust the log, or documents written after the cut go unseen."""
    first, second, third = sorted(seeds.iterdir())[:3]
    with Store(tmp_path, plugins=toy_host) as store:
        store.ingest_file(first)
        store.extract_pending()
    segment = sorted((tmp_path / "log").glob("*.seg"))[-1]
    cut = segment.stat().st_size
    with Store(tmp_path, plugins=toy_host) as store:
        store.ingest_file(second)
        store.extract_pending()
    with open(segment, "r+b") as f:  # the second document's batches never reached the disk
        f.truncate(cut)
    with Store(tmp_path, plugins=toy_host) as store:
        assert [r["paths"] for r in store.query("documents")] == [[str(first)]]
        store.ingest_file(third)
        assert store.extract_pending() == 1
        assert [r["paths"] for r in store.query("documents")] == [[str(first)], [str(third)]]
        completed = store.views.db.execute(
            "SELECT doc_id, COUNT(*) FROM extractions GROUP BY doc_id").fetchall()
        assert [n for _, n in completed] == [2, 2]
