"""Chinese people: reporter, correspondent and photographer credits.

A credit word (记者, 通讯员, 摄影) licenses the names after it and doubles as their post; a
dateline's bracket, a sign-off or a caption's ``摄`` licenses only a word shaped like a name.
"""

from __future__ import annotations

import re

from factfold.plugins import nlp
from factfold.plugins.people_zh_lexicon import lexicons
from factfold.plugins.persons import People, remember

# Byline credits: the credit word licenses the names after it, even a name that is also a
# common word (高山, 江河).  Credit words double as the title, except 文/图 (not a post).
_BYLINE_WORDS = (
    "特约记者|见习记者|实习记者|首席记者|摄影记者|全媒体记者|融媒体记者|记者|特约通讯员|"
    "通讯员|实习生|摄影|摄像|责任编辑|责编|编辑|编审|审核|审校|校对|撰稿|"
    "文[/／]图|图[/／]文|(?:文|图)(?=\\s*[::])"
)
_BYLINE_ZH = re.compile(
    r"(?:^|(?<=[\n((【\[■●◆▲|\s]))(?P<org>本报|本刊|本台|本网)?(?P<kw>" + _BYLINE_WORDS + r")"
    r"[ \t\u3000]*[::|｜]?[ \t\u3000]*"
    r"(?P<names>[\u4e00-\u9fff]{2,4}(?:[ \t\u3000、]+[\u4e00-\u9fff]{2,4})*)"
    r"(?=[ \t\u3000]*(?:报道|摄|发自|整理|[))】\]\n,,。]|$|[ \t\u3000](?:" + _BYLINE_WORDS + r")))",
    re.M,
)


# Credits without a credit word: the author in brackets after a dateline (某地某日电(某某)),
# an author signing off at the end of the article (。某某 / (某某)), a photographer after
# a caption (某某 摄).  These places license only a word shaped like a name.
_CREDIT_ZH = re.compile(
    r"(?:电|讯)[ \t\u3000]*[((][ \t\u3000]*(?P<dateline>[\u4e00-\u9fff]{2,4})[ \t\u3000]*[))]"
    r"|(?:^|(?<=[。!?!?”\s]))[((]?[ \t\u3000]*(?P<signed>[\u4e00-\u9fff]{2,4})"
    r"[ \t\u3000]*[))]?\s*\Z"
    r"|(?:^|(?<=[。!?!?\s]))(?P<photo>[\u4e00-\u9fff]{2,4})[ \t\u3000]+摄[ \t\u3000]*$",
    re.M,
)


def chinese_bylines(text: str, found: People) -> None:
    """Reporter, correspondent and photographer credits (通讯员 某某, 记者 甲 乙 报道)."""
    for m in _BYLINE_ZH.finditer(text):
        kw = m.group("kw")
        title = None if kw[0] in "文图" else kw
        org = m.group("org") if title else None
        pos = m.start("names")
        for name in re.split(r"[ \t\u3000、]+", m.group("names")):
            at = text.index(name, pos)
            pos = at + len(name)
            if not _credited_name(name):
                break
            person = remember(found, name, (at, pos), text[m.start() : m.end()])
            if title:
                person.add_role(title, org)
    for m in _CREDIT_ZH.finditer(text):
        name = m.group(m.lastgroup or 0)
        if _credited_name(name) and _not_a_word(name):
            remember(found, name, m.span(m.lastgroup or 0), m.group().strip())


def _credited_name(name: str) -> bool:
    """Has a credit's word a name's shape: a known surname, not a post, not an everyday word?"""
    lex = lexicons()
    return (
        (name[0] in lex.surnames or name[:2] in lex.surnames)
        and name not in lex.titles
        and not nlp.everyday_word(name)
    )


def _not_a_word(name: str) -> bool:
    """Is a credit's word (no credit word vouches for it) a name rather than a word?  A
    surname and a given name of one or two characters (a two-character surname and one or
    two), and no word of the dictionary other than a name (任重道远, 王府井 are words)."""
    compound = name[:2] in lexicons().surnames
    return len(name) - (2 if compound else 1) in (1, 2) and (
        nlp.known_name(name) or not nlp.everyday_word(name, 1)
    )
