"""Facts' calibrated confidence: the field, the built-ins' classes, and filtering by it."""

from __future__ import annotations

import pytest

from factfold import Document, Extractor, Person, Statistic, hookimpl
from factfold.pluginmanager import PluginHost
from factfold.plugins import confidence
from factfold.store import Store


def test_a_confidence_outside_0_and_1_is_refused() -> None:
    assert Person(span=(0, 1), evidence="x", name="x", confidence=0.5).confidence == 0.5
    assert Person(span=(0, 1), evidence="x", name="x").confidence is None
    with pytest.raises(ValueError, match="between 0 and 1"):
        Person(span=(0, 1), evidence="x", name="x", confidence=1.5)


def test_the_class_of_a_fact_is_its_kind_language_and_for_people_its_post() -> None:
    assert confidence.class_of("person", "会长李明出席会议。", "会长") == "person:zh:post"
    assert confidence.class_of("person", "Mary Smith attended.", None) == "person:en:name"
    assert confidence.class_of("statistic", "共有300人参加。") == "statistic:zh"


def test_calibrated_facts_get_their_class_share_smoothed(monkeypatch) -> None:
    monkeypatch.setattr(confidence, "CALIBRATION", {"person:en:post": (8, 8),
                                                    "person:en:name": (1, 2)})

    def extract(document: Document):
        yield Person(span=(0, 4), evidence=document.text, name="Mary Smith", title="Chair")
        yield Person(span=(0, 4), evidence=document.text, name="John Doe")
        yield Statistic(span=(0, 4), evidence=document.text, value=3, unit="x", text="3 x")

    run = confidence.calibrated(extract)
    facts = list(run(Document("d", "d.txt", "Mary Smith, Chair, met John Doe and 3 x.")))
    # 8 of 8 right -> (8+1)/(8+2); 1 of 2 -> 2/4; a class never measured has no confidence
    assert [f.confidence for f in facts] == [0.9, 0.5, None]


class _Sure:
    @hookimpl
    def factfold_register_extractors(self, register):
        def extract(document: Document):
            for k, word in enumerate(document.text.split()):
                yield Person(span=(0, 1), evidence=word, name=word, confidence=k / 10)

        register(Extractor(name="sure", version="1", extract=extract, emits=(Person,)))


def test_query_and_export_keep_the_facts_at_or_above_a_confidence(tmp_path) -> None:
    host = PluginHost(load_entrypoints=False)
    host.register(_Sure(), name="sure")
    doc = tmp_path / "doc.txt"
    doc.write_text("甲 乙 丙 丁 戊 己 庚 辛 壬 癸", encoding="utf-8")
    with Store(tmp_path / "store", plugins=host) as store:
        store.ingest_file(doc)
        store.extract_pending()
        store.commit_views()
        assert len(list(store.export())) == 10
        sure = list(store.export(min_confidence=0.7))
        assert [r["name"] for r in sure] == ["辛", "壬", "癸"]
        assert all(r["confidence"] >= 0.7 for r in sure)
        assert [r["name"] for r in store.query("people", min_confidence=0.85)] == ["癸"]
        with pytest.raises(ValueError, match="no confidence"):
            store.query("documents", min_confidence=0.5)
