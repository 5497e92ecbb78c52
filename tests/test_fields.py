"""Organisation and title fields never start or end with punctuation (plugins/fields.py)."""

from __future__ import annotations

import unicodedata

import pytest

from factfold import Document
from factfold.plugins import agreements, meetings, people
from factfold.plugins.fields import trim


@pytest.mark.parametrize(("raw", "clean"), [
    ("，北京市民政局", "北京市民政局"),
    ("：民政部", "民政部"),
    ("  某某协会。", "某某协会"),
    ("、", None),
    (None, None),
    ("某某市人民政府(某某区)", "某某市人民政府(某某区)"),  # a pair inside the field stays
    ("“社区营造”项目组", "“社区营造”项目组"),
    ("“未闭合协会", "未闭合协会"),
    ("Acme Co., Ltd.", "Acme Co., Ltd."),  # an English abbreviation keeps its full stop
    ("— the Society of Social Workers;", "the Society of Social Workers"),
])
def test_trim_takes_the_loose_marks_off_both_ends(raw, clean):
    assert trim(raw) == clean


def _loose_end(value: str) -> bool:
    return any(unicodedata.category(ch)[0] == "P" and ch not in ")）”’." for ch in value[-1:]) \
        or any(unicodedata.category(ch)[0] == "P" and ch not in "(（“‘" for ch in value[:1])


def test_no_extracted_organisation_or_title_starts_or_ends_with_punctuation():
    text = ("出席会议的有某部副部长张三，某某市民政局局长李四，某某区民政局副局长王五等。"
            "参加会议的领导有：某部部长赵六，某某市民政局局长孙七。"
            "某某市社会工作者协会与某某大学签署了《社会工作合作协议》。"
            "论坛由，某某市社会工作者协会、某某基金会主办。")
    doc = Document(doc_id="d", path="d.txt", text=text)
    found = list(people.extract(doc))
    orgs = {p.name: p.organization for p in found}
    assert orgs["李四"] == "某某市民政局" and orgs["王五"] == "某某区民政局"
    assert orgs["赵六"] == "某部"
    values = [v for p in found for v in (p.organization, p.title) if v]
    for extract, fields in ((meetings.extract, ("organizers",)),
                            (agreements.extract, ("parties",))):
        for fact in extract(doc):
            values += [v for f in fields for v in getattr(fact, f)]
    assert values and not [v for v in values if _loose_end(v)]
