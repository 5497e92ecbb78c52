"""The scorer's matching rules, on small hand-made gold/prediction pairs, and on the seed gold."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import GOLD

from factfold import Extractor, Person
from factfold.evaluation import GoldError, load_gold, records_of, score

DOC = "doc.txt"
SEED_GOLD = GOLD
ROOT = Path(__file__).resolve().parent.parent


def gold(**kinds: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": 1, "documents": {DOC: kinds}}


def person(name: str, title: str | None = None, org: str | None = None,
           **extra: Any) -> dict[str, Any]:
    return {"kind": "person", "source": f"/drop/{DOC}", "name": name, "title": title,
            "organization": org, "evidence": "", **extra}


def gperson(name: str, *roles: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "aliases": [], "optional": False, "roles": list(roles), **extra}


def meeting(name: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "meeting", "source": DOC, "name": name, "date": None, "location": None,
            "organizers": [], "evidence": "", **extra}


def gmeeting(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "aliases": [], "optional": False, "date": None, "location": None,
            "organizers": [], **extra}


def stat(value: float, unit: str, text: str, approx: str | None = None) -> dict[str, Any]:
    return {"kind": "statistic", "source": DOC, "value": value, "unit": unit, "text": text,
            "approx": approx, "evidence": ""}


def gstat(value: float, unit: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"value": value, "unit": unit, "text": text, "approx": None, "optional": False,
            **extra}


def counts(report: Any, kind: str) -> tuple[int, int, int]:
    c = report.kinds[kind].counts
    return c.tp, c.fp, c.fn


def test_perfect_match_scores_f1_one() -> None:
    g = gold(people=[gperson("陈明", {"title": "会长", "organization": "某市社会工作协会"})],
             statistics=[gstat(19000, "家", "1.9万家")])
    report = score(g, [person("陈明", "会长", "某市社会工作协会"), stat(19000.0, "家", "1.9万家")])
    for kind in ("people", "statistics"):
        assert report.kinds[kind].counts.f1 == 1.0
    assert report.kinds["people"].roles.f1 == 1.0
    assert report.kinds["statistics"].attributes["unit"].accuracy == 1.0


def test_miss_and_false_alarm_are_listed_with_text() -> None:
    g = gold(people=[gperson("陈明"), gperson("Anna Smith")])
    report = score(g, [person("陈明"), person("李华")])
    assert counts(report, "people") == (1, 1, 1)
    assert report.kinds["people"].counts.precision == 0.5
    assert [m.text for m in report.misses] == ["Anna Smith"]
    assert [f.text for f in report.false_alarms] == ["李华"]
    text = report.render(verbose=True)
    assert "Anna Smith" in text and "李华" in text
    assert "Anna Smith" not in report.render()


def test_optional_items_are_neither_hits_nor_misses() -> None:
    g = gold(people=[gperson("陈明"), gperson("周平", optional=True),
                     gperson("刘洋", optional=True)])
    report = score(g, [person("陈明"), person("周平")])
    assert counts(report, "people") == (1, 0, 0)
    g = gold(meetings=[gmeeting("年会"), gmeeting("年会分论坛", optional=True)])
    report = score(g, [meeting("年会"), meeting("年会"), meeting("年会分论坛")])
    assert counts(report, "meetings") == (1, 0, 0)  # the duplicate also matches the optional


def test_alias_case_space_and_honorific_are_ignored() -> None:
    g = gold(people=[gperson("Li Xiaoming", aliases=["Li Xiaomin"]), gperson("Anna Smith")])
    report = score(g, [person("li  xiaomin"), person("Dr. Anna Smith")])
    assert counts(report, "people") == (2, 0, 0)


def test_records_of_one_person_are_grouped_into_one_with_roles() -> None:
    g = gold(people=[gperson("刘强", {"title": "副书记", "organization": "某市委"},
                             {"title": "书记", "organization": "某县委"})])
    report = score(g, [person("刘强", "副书记", "某市委"), person("刘强", "书记", "某县委"),
                       person("刘强", "主任", "某局")])
    assert counts(report, "people") == (1, 0, 0)
    roles = report.kinds["people"].roles
    assert (roles.tp, roles.fp, roles.fn) == (2, 1, 0)


def test_role_titles_and_bodies_match_by_containment() -> None:
    g = gold(people=[
        gperson("王刚", {"title": "副会长兼秘书长", "organization": "中国某某联合会"}),
        gperson("赵敏", {"title": "局长", "organization": "某省民政厅"}),
        gperson("孙立", {"title": "记者", "organization": None}),
    ])
    report = score(g, [
        person("王刚", "秘书长", "某某联合会"),   # both contained in the gold
        person("赵敏", "局长", None),             # gold names a body: one must be given
        person("孙立", "记者", "本报"),           # gold has no body: any body will do
    ])
    roles = report.kinds["people"].roles
    assert (roles.tp, roles.fp, roles.fn) == (2, 1, 1)


def test_role_alt_form_matches_and_counts_once() -> None:
    role = {"title": "记者", "organization": "本报",
            "alt": [{"title": "记者", "organization": None}]}
    g = gold(people=[gperson("吴涛", role)])
    roles = score(g, [person("吴涛", "记者", "新华社")]).kinds["people"].roles
    assert (roles.tp, roles.fp, roles.fn) == (1, 0, 0)


def test_statistic_needs_equal_value_and_compatible_unit() -> None:
    g = gold(statistics=[gstat(1600000, "人", "160多万人", approx="more_than"),
                         gstat(1300000, "社会工作者", "超过130万社会工作者"),
                         gstat(0.3, "%", "0.3%")])
    report = score(g, [stat(1600000.0, "人次", "160多万人次", "more_than"),
                       stat(1300000.0, "社工", "130万社工"),
                       stat(0.1 + 0.2, "%", "0.3%")])
    assert counts(report, "statistics") == (2, 1, 1)
    attrs = report.kinds["statistics"].attributes
    assert (attrs["approx"].correct, attrs["unit"].correct) == (2, 1)


def test_statistic_value_must_be_equal() -> None:
    g = gold(statistics=[gstat(31600, "名", "3.16万名")])
    assert counts(score(g, [stat(3.16, "名", "3.16万名")]), "statistics") == (0, 1, 1)


def test_meeting_names_match_by_containment_or_bigram_dice() -> None:
    g = gold(meetings=[gmeeting("第二次理事会"),
                       gmeeting("全国社会工作发展论坛"),
                       gmeeting("城乡社区治理研讨会")])
    report = score(g, [meeting("理事会"),             # contained
                       meeting("全国社会工作发展大会"),  # Dice 7/9 >= 0.6
                       meeting("城乡治理论坛")])        # Dice 4/13 < 0.6
    assert counts(report, "meetings") == (2, 1, 1)


def test_one_to_one_prefers_the_best_pair() -> None:
    g = gold(meetings=[gmeeting("理事会"), gmeeting("第二次理事会")])
    report = score(g, [meeting("第二次理事会"), meeting("第二次理事会")])
    assert counts(report, "meetings") == (2, 0, 0)
    report = score(g, [meeting("第二次理事会")])
    assert counts(report, "meetings") == (1, 0, 1)
    assert [m.text for m in report.misses] == ["理事会"]


@pytest.mark.parametrize(
    ("gold_date", "predicted", "correct"),
    [("--08-26", "2022-08-26", True), ("--08-26", "--08-26", True),
     ("2022-08-26", "--08-26", False), ("2017-09", "2017-09-01", True),
     ("2017-09", "2017-10", False), ("2015", "2015", True), (None, None, True),
     (None, "--08-26", False), ("--08-26", None, False)],
)
def test_meeting_date_matches_by_every_part_the_gold_gives(
        gold_date: str | None, predicted: str | None, correct: bool) -> None:
    g = gold(meetings=[gmeeting("年会", date=gold_date)])
    ratio = score(g, [meeting("年会", date=predicted)]).kinds["meetings"].attributes["date"]
    assert (ratio.correct, ratio.total) == (int(correct), 1)


def test_meeting_location_and_organizers_accuracy() -> None:
    g = gold(meetings=[gmeeting("年会", location="宁夏回族自治区灵武市",
                                organizers=["甲协会", "乙基金会"])])
    attrs = score(g, [meeting("年会", location="灵武市", organizers=["乙基金会", "甲协会"])]
                  ).kinds["meetings"].attributes
    assert attrs["location"].accuracy == 1.0 and attrs["organizers"].accuracy == 1.0
    attrs = score(g, [meeting("年会", location="银川市", organizers=["甲协会"])]
                  ).kinds["meetings"].attributes
    assert attrs["location"].accuracy == 0.0 and attrs["organizers"].accuracy == 0.0


def test_agreement_matches_by_title_or_by_parties() -> None:
    g = gold(agreements=[{"title": "京津社工合作协议", "aliases": [], "optional": False,
                          "parties": ["北京甲协会", "广东乙联合会"], "date": "--06-11"}])
    by_parties = {"kind": "agreement", "source": DOC, "title": "合作框架",
                  "parties": ["广东乙联合会", "北京甲协会"], "date": "2023-06-11", "term": None}
    report = score(g, [by_parties])
    assert counts(report, "agreements") == (1, 0, 0)
    attrs = report.kinds["agreements"].attributes
    assert (attrs["date"].correct, attrs["parties"].correct, attrs["term"].correct) == (1, 1, 1)
    unrelated = {**by_parties, "parties": ["丙公司"]}
    assert counts(score(g, [unrelated]), "agreements") == (0, 1, 1)


def test_records_for_unknown_documents_are_not_scored() -> None:
    g = gold(people=[gperson("陈明")])
    report = score(g, [{**person("陈明"), "source": "other.txt"}])
    assert counts(report, "people") == (0, 0, 1)
    assert report.unscored_sources == ["other.txt"]


def test_kinds_restricts_scoring_and_report_is_json_ready() -> None:
    g = gold(people=[gperson("陈明")], statistics=[gstat(5, "年", "5年")])
    report = score(g, [person("陈明")], kinds=["person"])
    assert list(report.kinds) == ["people"]
    data = json.loads(json.dumps(report.to_dict()))
    assert data["kinds"]["people"]["f1"] == 1.0
    assert data["documents"][DOC]["people"]["tp"] == 1
    with pytest.raises(ValueError, match="unknown kind"):
        score(g, [], kinds=["projects"])


def test_load_gold_rejects_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "gold.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(GoldError, match="not valid"):
        load_gold(bad)
    bad.write_text(json.dumps(gold(statistics=[{"value": "many", "unit": "人", "text": "x"}])),
                   encoding="utf-8")
    with pytest.raises(GoldError, match=r"statistics\[0\].*number"):
        load_gold(bad)
    with pytest.raises(GoldError, match="cannot read"):
        load_gold(tmp_path / "missing.json")


def test_a_statistic_unit_may_be_null_but_not_missing(tmp_path: Path) -> None:
    path = tmp_path / "gold.json"
    bare = {"value": 122, "unit": None, "text": "122", "approx": None, "optional": False}
    path.write_text(json.dumps(gold(statistics=[bare])), encoding="utf-8")
    g = load_gold(path)
    bare_pred = {"kind": "statistic", "source": DOC, "value": 122, "unit": None,
                 "text": "122", "approx": None, "evidence": ""}
    assert counts(score(g, [bare_pred]), "statistics") == (1, 0, 0)
    assert counts(score(g, [stat(122, "人", "122人")]), "statistics") == (0, 1, 1)
    del bare["unit"]
    path.write_text(json.dumps(gold(statistics=[bare])), encoding="utf-8")
    with pytest.raises(GoldError, match=r"statistics\[0\].*missing 'unit'"):
        load_gold(path)


def test_seed_gold_scored_against_itself_is_perfect() -> None:
    g = load_gold(SEED_GOLD)
    records = records_of(g)
    report = score(g, records)
    for ks in report.kinds.values():
        assert ks.counts.f1 == 1.0 and ks.counts.tp > 0
        assert all(r.accuracy == 1.0 for r in ks.attributes.values())
    assert report.kinds["people"].roles.f1 == 1.0


def test_score_seeds_tool_builds_export_records() -> None:
    spec = importlib.util.spec_from_file_location("score_seeds", ROOT / "tools" / "score_seeds.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)

    def extract(document: Any) -> list[Person]:
        return [Person(name="陈明", title="会长", span=(0, 2), evidence=document.text[:2])]

    ex = Extractor(name="fake", version="0.1", extract=extract, emits=(Person,))
    seed = sorted((ROOT / "seeds").glob("*.txt"))[:1]
    records = list(tool.run([ex], seed))
    assert records[0]["kind"] == "person" and records[0]["extractor"] == "fake@0.1"
    assert records[0]["source"].endswith(seed[0].name) and len(records[0]["doc_id"]) == 64
    assert {"span", "evidence", "name", "title", "organization"} <= set(records[0])


def test_a_documents_language_is_its_dominant_script() -> None:
    from factfold.evaluation import language_of

    assert language_of("中国社会工作联合会会长在北京出席了 IFSW 年会。") == "zh"
    assert language_of("Delegates of the China Association of Social Workers (中国社会工作者协会) "
                       "met their counterparts from twelve countries in Beijing on Monday "
                       "to discuss training standards for community social workers.") == "en"
    assert language_of("2023 — 42 %") == "other"


def test_each_language_is_scored_apart() -> None:
    from factfold.evaluation import score_by_language

    g = gold(people=[{"name": "陈明", "roles": []}])
    g["documents"]["en.txt"] = {"people": [{"name": "Mary Smith", "roles": []}]}
    records = [{"kind": "person", "source": "x/doc.txt", "name": "陈明"},
               {"kind": "person", "source": "en.txt", "name": "John Doe"}]
    reports = score_by_language(g, records, {"doc.txt": "zh", "en.txt": "en"})
    assert set(reports) == {"en", "zh"}
    assert reports["zh"].kinds["people"].counts.f1 == 1.0
    assert reports["en"].kinds["people"].counts.to_dict()["tp"] == 0
    assert reports["en"].kinds["people"].counts.fp == 1
    assert not reports["zh"].unscored_sources and not reports["en"].unscored_sources


def _eval_real_tool() -> Any:
    spec = importlib.util.spec_from_file_location("eval_real", ROOT / "tools" / "eval_real.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_eval_real_scores_the_texts_present_and_says_how_to_get_the_rest(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    data = seed.read_bytes()
    sources = [
        {"file": seed.name, "url": "https://example.org/a", "trimming": "none",
         "sha256": hashlib.sha256(data).hexdigest()},
        {"file": "gone.txt", "url": "https://example.org/gone", "trimming": "none",
         "sha256": "0" * 64},
    ]
    (corpus / "sources.json").write_text(json.dumps(sources), encoding="utf-8")
    full = json.loads(GOLD.read_text(encoding="utf-8"))
    gold_docs = {seed.name: full["documents"][seed.name],
                 "gone.txt": {"people": [gperson("Nobody Here")]}}
    (corpus / "gold.json").write_text(json.dumps({"version": 1, "documents": gold_docs}),
                                      encoding="utf-8")
    tool = _eval_real_tool()

    assert tool.main(["--corpus", str(corpus)]) == 2
    assert "none of the 2 texts" in capfd.readouterr().err

    (corpus / "texts" / seed.name).write_bytes(data)
    assert tool.main(["--corpus", str(corpus), "--json"]) == 0
    captured = capfd.readouterr()
    assert "missing  gone.txt: https://example.org/gone" in captured.err
    report = json.loads(captured.out)
    # the missing text's gold is left out, not counted as misses
    assert list(report["documents"]) == [seed.name]
    assert report["kinds"]["people"]["tp"] > 0


def test_the_reliability_table_counts_right_and_wrong_predictions_by_confidence() -> None:
    g = gold(people=[gperson("陈明"), gperson("李华"), gperson("王芳", optional=True)])
    records = [person("陈明", confidence=0.97), person("李华", confidence=0.6),
               person("张伟", confidence=0.93), person("王芳", confidence=0.2),
               person("赵强")]
    report = score(g, records)
    table = report.kinds["people"].to_dict()["reliability"]
    # the optional match (王芳) is not scored; 赵强 has no confidence
    assert {band: (r["correct"], r["total"]) for band, r in table.items()} == {
        ">= 0.95": (1, 1), "0.9-0.95": (0, 1), "0.5-0.7": (1, 1), "none": (0, 1)}
    assert [(k, r["name"], ok) for k, r, ok in report.judged] == [
        ("people", "陈明", True), ("people", "李华", True), ("people", "张伟", False),
        ("people", "赵强", False)]
    assert "0.9-0.95     0/1" in report.render()
