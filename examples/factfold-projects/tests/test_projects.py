"""Tests of the projects plugin, written the way any factfold plugin's tests can be."""

from __future__ import annotations

import factfold_projects
import pytest
from factfold_projects import ProjectLaunched

from factfold.testing import ExtractorContract

# factfold's fixtures are opt-in: this line enables them for this module.
pytest_plugins = ["factfold.pytest_plugin"]

ZH = "8月26日,在全场嘉宾的共同关注下,“全国流动儿童安全保护项目”正式启动。"
ZH_ORG = "会上,中国青少年发展基金会正式启动了“乡村阅读计划”。"
EN = ("On Monday the Riverside Social Work Association launched the Safe Streets project "
      "with two city districts.")
HISTORY = "自2010年启动实施以来,该基金会累计捐资6.5亿元。"


@pytest.fixture
def factfold_plugins():
    return [factfold_projects]


class TestProjectsContract(ExtractorContract):
    """The rules every extractor keeps: declared types, spans, codec, determinism."""

    plugin = factfold_projects
    documents = (ZH, ZH_ORG, EN, HISTORY)


@pytest.mark.parametrize(("text", "name", "organization"), [
    (ZH, "全国流动儿童安全保护项目", None),
    (ZH_ORG, "乡村阅读计划", "中国青少年发展基金会"),
    (EN, "Safe Streets project", "Riverside Social Work Association"),
])
def test_finds_the_launch_and_who_launched_it(factfold_extract, text, name, organization):
    (fact,) = factfold_extract(text)
    assert isinstance(fact, ProjectLaunched)
    assert (fact.name, fact.organization) == (name, organization)
    assert text[slice(*fact.span)] == name


def test_a_project_history_is_not_a_launch(factfold_extract):
    assert factfold_extract(HISTORY) == []


def test_the_projects_view_gathers_launches_across_documents(factfold_store, factfold_recorder):
    from factfold.testing import ingest_texts

    again = "新闻简报:“全国流动儿童安全保护项目”在京正式启动。"
    assert ingest_texts(factfold_store, {"a.txt": ZH, "b.txt": again, "c.txt": EN}) == 3
    rows = {r["name"]: r for r in factfold_store.query("projects")}
    assert rows["全国流动儿童安全保护项目"]["documents"] == ["a.txt", "b.txt"]
    assert rows["全国流动儿童安全保护项目"]["mentions"] == 2
    assert rows["Safe Streets project"]["organizations"] == ["Riverside Social Work Association"]
    assert len(factfold_recorder.facts) == 3

    # the view follows the documents: a removed file's projects leave it
    factfold_store.remove("a.txt")
    rows = {r["name"]: r for r in factfold_store.query("projects")}
    assert rows["全国流动儿童安全保护项目"]["documents"] == ["b.txt"]

    # and it is a pure fold of the log: a replay rebuilds the same rows
    before = factfold_store.query("projects", {"name": "Safe*"})
    factfold_store.replay()
    assert factfold_store.query("projects", {"name": "Safe*"}) == before
