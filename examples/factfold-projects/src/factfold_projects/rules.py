"""Finding launches: a few regular expressions over Chinese and English news sentences.

Chinese reports name the project, usually in quotes, right before 正式启动 ("…项目”正式启动"),
or after the launching body ("基金会启动了“…计划”").  English ones say "X launched the …
project/programme".  Anything less explicit ("自2010年启动实施以来") is left alone: a
launch is an event of the day being reported, not a project's history.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from factfold import Document

from .facts import ProjectLaunched

_HEAD_ZH = r"(?:项目|计划|工程|行动|活动)"
_ORG_ZH = r"[\u4e00-\u9fff]{2,24}?(?:协会|联合会|基金会|委员会|中心|政府|民政厅|民政局|大学|研究院)"

# “全国流动和留守儿童安全保护项目”正式启动 / 暖心工程正式启动
_NAME_FIRST = re.compile(
    rf"(?:[“\"「](?P<q>[^”\"」\n]{{2,40}}{_HEAD_ZH})[”\"」]"
    rf"|(?<![\u4e00-\u9fff])(?P<u>[\u4e00-\u9fff]{{2,20}}{_HEAD_ZH}))"
    r"(?:在[^，,。]{1,12})?(?:正式|宣布|隆重)?(?:启动|启航)")
# 中国社会工作联合会正式启动了“…项目”
_ORG_FIRST = re.compile(
    rf"(?P<org>{_ORG_ZH})(?:正式|共同|联合|宣布)?(?:启动|发起)了?"
    rf"[“\"「](?P<q>[^”\"」\n]{{2,40}}{_HEAD_ZH})[”\"」]")

_HEAD_EN = r"(?:[Pp]roject|[Pp]rogramme|[Pp]rogram|[Ii]nitiative|[Cc]ampaign)"
_CAP = r"(?:[A-Z0-9][\w'’&-]*|of|and|for|the|on|in)"
_ORG_WORD = r"(?:[A-Z][\w&-]*|of|and|for)"  # no "the"/"on": "On Monday the X launched"
# The China Association of Social Workers launched the Safe Childhood project
_EN = re.compile(
    rf"(?:(?P<org>(?:[Tt]he\s+)?[A-Z][\w&-]*(?:\s+{_ORG_WORD}){{0,8}}?)\s+)?"
    rf"(?:officially\s+|formally\s+|jointly\s+)?launched\s+(?:the|a|an|its)\s+"
    rf"(?P<name>(?:[“\"][^”\"]{{2,60}}[”\"]\s+)?(?:[A-Z0-9][\w'’&-]*\s+(?:{_CAP}\s+){{0,8}})?"
    rf"{_HEAD_EN})\b")

_PRONOUNS = frozenset({"It", "They", "We", "He", "She", "This", "That"})


def find_launches(document: Document) -> Iterator[ProjectLaunched]:
    """Every launch in ``document``; spans cover the name, evidence is the matched phrase."""
    text = document.text
    seen: set[tuple[int, int]] = set()
    for m in _ORG_FIRST.finditer(text):
        seen.add(m.span("q"))
        yield ProjectLaunched(span=m.span("q"), evidence=m.group(0), name=m.group("q"),
                              organization=m.group("org"))
    for m in _NAME_FIRST.finditer(text):
        group = "q" if m.group("q") else "u"
        if m.span(group) in seen:
            continue
        yield ProjectLaunched(span=m.span(group), evidence=m.group(0), name=m.group(group))
    for m in _EN.finditer(text):
        org = m.group("org")
        if org:
            org = org.removeprefix("The ").removeprefix("the ")
            org = None if org in _PRONOUNS else org
        yield ProjectLaunched(span=m.span("name"), evidence=m.group(0),
                              name=m.group("name").strip(), organization=org or None)
