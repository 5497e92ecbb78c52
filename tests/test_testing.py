"""factfold.testing and its pytest plugin: the helpers work, and the contract catches breakage."""

from __future__ import annotations

import re
from typing import ClassVar

import pytest
from attrs import frozen
from helpers import SEEDS

from factfold import Extractor, Fact, Person, Statistic, event_type, hookimpl
from factfold.extraction import ExtractionError
from factfold.testing import (
    ExtractorContract,
    FactRecorder,
    extract,
    find_extractor,
    ingest_texts,
    isolated_host,
    load_document,
    make_document,
    temporary_store,
)

pytest_plugins = ["pytester"]


def names(doc):
    for m in re.finditer(r"会长([\u4e00-\u9fff]{2,3})", doc.text):
        yield Person(span=m.span(1), evidence=m.group(0), name=m.group(1))


class Plugin:
    def __init__(self, fn=names, emits=(Person,), name="names"):
        self.extractor = Extractor(name=name, version="1", extract=fn, emits=emits)

    @hookimpl
    def factfold_register_extractors(self, register):
        register(self.extractor)


TEXT = "大会由会长王小明主持。"


def test_extract_runs_the_runners_checks_on_texts_files_and_documents(tmp_path):
    (fact,) = extract(Plugin(), TEXT)
    assert (fact.name, fact.extractor, fact.doc_id) == ("王小明", "names@1",
                                                        make_document(TEXT).doc_id)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(TEXT.encode("gbk"))
    assert [f.name for f in extract(Plugin(), gbk)] == ["王小明"]
    assert load_document(gbk).encoding.lower().startswith("gb")
    assert extract(Plugin().extractor, make_document(TEXT))[0].name == "王小明"

    with pytest.raises(ExtractionError, match=r"span .* lies outside"):
        extract(Plugin(lambda d: [Person(span=(0, 99), evidence="x", name="x")]), "短")


def test_find_extractor_says_which_ones_exist():
    host = isolated_host(Plugin(name="a"), Plugin(name="b"))
    assert find_extractor(host, "b").name == "b"
    with pytest.raises(LookupError, match=r"2 extractors \(a, b\); name the one"):
        find_extractor(host)
    with pytest.raises(LookupError, match="no extractor 'c'; registered: a, b"):
        find_extractor(host, "c")


def test_an_isolated_host_holds_only_what_it_is_given():
    assert [e.name for e in isolated_host(Plugin()).extractors()] == ["names"]
    assert {e.name for e in isolated_host("meetings").extractors()} == {"meetings"}


def test_a_temporary_store_and_the_recorder_see_what_is_appended():
    recorder = FactRecorder()
    boom = Plugin(lambda d: 1 / 0, name="boom")
    with temporary_store(Plugin(), boom, recorder) as store:
        assert ingest_texts(store, {"a.txt": TEXT, "b.txt": "无人"}) == 2
        assert [r["name"] for r in store.query("people")] == ["王小明"]
        path = store.path
    assert not path.exists()
    assert [d.path for d in recorder.documents] == ["a.txt", "b.txt"]
    assert [f.name for f in recorder.facts] == ["王小明"]
    assert [(d.path, x) for d, x, _ in recorder.failures] == [("a.txt", "boom@1"),
                                                             ("b.txt", "boom@1")]
    assert "ZeroDivisionError" in recorder.failures[0][2]


# -- the contract suite fails for the reasons it names ------------------------------------


@event_type("test.loose")
@frozen(kw_only=True)
class Loose(Fact):
    kind: ClassVar[str] = "loose"
    value: object  # no converter: a list goes in, a list comes back, the tuple is lost


def contract(fn, emits=(Person,), documents=(TEXT,)) -> type[ExtractorContract]:
    return type("Contract", (ExtractorContract,), {
        "plugin": Plugin(fn, emits), "documents": documents})


def failures(cls: type[ExtractorContract]) -> dict[str, str]:
    out = {}
    for name in dir(cls):
        if name.startswith("test_"):
            try:
                getattr(cls(), name)()
            except AssertionError as exc:
                out[name] = str(exc)
    return out


def test_a_good_extractor_passes_every_contract_test():
    assert failures(contract(names)) == {}


def test_the_contract_catches_each_kind_of_breakage():
    undeclared = contract(lambda d: [Statistic(span=(0, 1), evidence="x", value=1, unit="人",
                                               text="1")])
    assert set(failures(undeclared)) == {"test_emits_only_declared_types"}

    outside = contract(lambda d: [Person(span=(5, 500), evidence="x", name="x")])
    assert set(failures(outside)) == {"test_spans_lie_inside_the_document"}

    tuples = contract(lambda d: [Loose(span=(0, 1), evidence="x", value=(1, 2))], (Loose,))
    assert "reads back differently" in failures(tuples)["test_facts_round_trip_through_the_codec"]

    count = iter(range(1000))
    moody = contract(lambda d: [Person(span=(0, 1), evidence="x", name=str(next(count)))])
    assert set(failures(moody)) == {"test_output_is_deterministic"}

    silent = contract(lambda d: [])
    assert set(failures(silent)) == {"test_finds_facts_in_the_documents"}


class TestContractOverAFolder(ExtractorContract):
    """The suite collected by pytest as a plugin author uses it (a folder of documents)."""

    plugin = Plugin(lambda d: [Person(span=m.span(), evidence=m.group(), name=m.group())
                               for m in [re.search(r"\S\S", d.text)]])
    documents = (SEEDS,)


# -- the pytest plugin is opt-in ----------------------------------------------------------

PLUGIN_TEST = '''
import pytest
from factfold import Extractor, Person, hookimpl
from factfold.testing import ingest_texts


class Plugin:
    @hookimpl
    def factfold_register_extractors(self, register):
        register(Extractor(name="two", version="1", emits=(Person,), extract=lambda d: [
            Person(span=(0, 2), evidence=d.text[:2], name=d.text[:2])]))


@pytest.fixture
def factfold_plugins():
    return [Plugin()]


def test_fixtures(factfold_extract, factfold_store, factfold_recorder, factfold_host):
    assert [f.name for f in factfold_extract("张三来了")] == ["张三"]
    assert ingest_texts(factfold_store, {"a.txt": "李四来了"}) == 1
    assert [f.name for f in factfold_recorder.facts] == ["李四"]
    assert [e.name for e in factfold_host.extractors()] == ["two"]
'''


def test_the_pytest_fixtures_load_only_when_asked(pytester):
    pytester.makepyfile(test_plugin=PLUGIN_TEST)
    without = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert "fixture 'factfold_extract' not found" in without.stdout.str()
    with_ = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "factfold.pytest_plugin")
    with_.assert_outcomes(passed=1)
