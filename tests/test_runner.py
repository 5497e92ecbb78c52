"""The extraction runner: documents extracted as the bus delivers them, each once, marked
after a catch-up, and the plugins told."""

from __future__ import annotations

import time
from collections import Counter

from conftest import ToyPlugin

from factfold import Extractor, Person, hookimpl
from factfold.events import DocumentAdded, ExtractionCompleted
from factfold.pluginmanager import PluginHost
from factfold.store import Store
from factfold.wiring import open_store

DOC1 = "会长王小明出席大会，共有120人参加。".encode()
DOC2 = "会长李大海讲话。到场300人。".encode()


def completions(store: Store) -> Counter[tuple[str, str]]:
    return Counter((e.payload.doc_id, e.payload.extractor) for e in store.log.read()
                   if isinstance(e.payload, ExtractionCompleted))


class Slow:
    """One extractor that takes a while, so that documents queue up behind each other."""

    @hookimpl
    def factfold_register_extractors(self, register):
        def slow(doc):
            time.sleep(0.2)
            yield Person(span=(0, 1), evidence=doc.text[:1], name="p")

        register(Extractor(name="slow", version="1", extract=slow, emits=(Person,)))


def test_documents_are_extracted_while_the_next_ones_are_recorded(tmp_path):
    host = PluginHost(load_entrypoints=False)
    host.register(Slow(), name="slow")
    with open_store(tmp_path, plugins=host, workers=2) as store:
        for i in range(6):
            store.ingest_bytes(f"d{i}.txt", f"第{i}号文件。".encode())
            time.sleep(0.15)
        # No drain yet: the bus handed each document to a worker as it was recorded, and
        # the outcomes of the first ones were appended while the later ones arrived.
        early = completions(store)
        assert 0 < len(early) < 6
        assert store.extract_pending() == 6
        assert sorted(completions(store).values()) == [1] * 6


def test_the_same_content_at_two_paths_while_it_is_extracted_is_extracted_once(
        tmp_path, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        assert store.ingest_bytes("a.txt", DOC1) == "added"
        assert store.ingest_bytes("b.txt", DOC1) == "linked"
        assert store.extract_pending() == 1
        assert list(completions(store).values()) == [1, 1]
        assert [sorted(r["paths"]) for r in store.query("documents")] == [["a.txt", "b.txt"]]


def test_a_document_gone_before_its_outcome_is_extracted_when_it_comes_back(
        tmp_path, toy_host):
    with Store(tmp_path, plugins=toy_host) as store:
        store.ingest_bytes("a.txt", DOC1)
        doc = store.doc_at("a.txt")
        assert store.remove("a.txt")
        assert store.extract_pending() == 0  # its outcome came back to no path: dropped
        assert completions(store) == Counter()
        assert store.ingest_bytes("b.txt", DOC1) == "linked"  # known content, no outcome
        assert store.extract_pending() == 1
        assert completions(store) == Counter({(doc, "toy-people"): 1, (doc, "toy-numbers"): 1})
        assert {r["source"] for r in store.export()} == {"b.txt"}


def test_a_catch_up_started_before_an_ingest_marks_the_extractors_when_drained(tmp_path,
                                                                                toy_host):
    # Recorded by a process without extractors: extraction is left to the next one.
    with Store(tmp_path, plugins=PluginHost(load_entrypoints=False)) as store:
        store.ingest_bytes("one.txt", DOC1)
    with Store(tmp_path, plugins=toy_host) as store:
        scanned = store.views.position
        store.runner.catch_up()  # what `factfold ingest` does first
        store.ingest_bytes("two.txt", DOC2)
        assert store.extract_pending() == 2
        marks = set(store.views.db.execute(
            "SELECT extractor, version, position FROM extracted_through"))
        assert marks == {("toy-people", "1", scanned), ("toy-numbers", "1", scanned)}


class Observer:
    def __init__(self) -> None:
        self.received: list[str] = []
        self.appended: list[tuple[str, str, int]] = []

    @hookimpl
    def factfold_document_received(self, document):
        self.received.append(document.path)

    @hookimpl
    def factfold_facts_appended(self, document, extractor, facts):
        self.appended.append((document.path, extractor, len(facts)))


def test_the_plugins_hear_of_each_document_and_of_its_facts(tmp_path):
    host = PluginHost(load_entrypoints=False)
    host.register(ToyPlugin(), name="toy")
    observer = Observer()
    host.register(observer, name="observer")
    with Store(tmp_path, plugins=host) as store:
        store.ingest_bytes("one.txt", DOC1)
        store.ingest_bytes("two.txt", DOC2)
        store.extract_pending()
        added = [e.payload.path for e in store.log.read()
                 if isinstance(e.payload, DocumentAdded)]
    assert observer.received == added == ["one.txt", "two.txt"]
    assert sorted(observer.appended) == [("one.txt", "toy-numbers@1", 1),
                                         ("one.txt", "toy-people@1", 1),
                                         ("two.txt", "toy-numbers@1", 1),
                                         ("two.txt", "toy-people@1", 1)]
