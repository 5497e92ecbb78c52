"""Chinese people: the word lists and character classes the name and post rules share.

The lexicons (titles, modifiers, body endings, surnames) load once per process from
``plugins/data``; the small closed sets of function words and punctuation are written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from factfold.plugins.lexicons import alternation, lexicon
from factfold.plugins.text import words


@dataclass(frozen=True)
class Lexicons:
    """The word lists, compiled once per process."""

    titles: frozenset[str]
    titles_by_length: tuple[str, ...]
    title_re: re.Pattern[str]
    modifiers: tuple[str, ...]
    org_suffixes: tuple[str, ...]
    surnames: frozenset[str]


@cache
def lexicons() -> Lexicons:
    """The Chinese people lexicons, loaded and compiled once per process."""
    titles = lexicon("people_titles_zh.txt")
    return Lexicons(
        titles=frozenset(titles),
        titles_by_length=titles,
        title_re=re.compile(f"{alternation('people_titles_zh.txt')}|·"),
        modifiers=lexicon("people_title_modifiers_zh.txt"),
        org_suffixes=lexicon("org_suffixes_zh.txt"),
        surnames=frozenset(lexicon("people_surnames_zh.txt")),
    )


CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,8}(?:·[\u4e00-\u9fff]{1,8})+$")
# Characters that end an apposition chain: clause punctuation and layout marks.
CLAUSE_END = set(",,;;::。!?!?■□●◆▲【】《》|")
# Function words that open a new phrase before a name (由X主持, 与X签署).
STOP_WORDS = frozenset(words(
    """
由 在 对 向 为 据 经 被 将 把 从 于 同 跟 给 以及 并 而 或 了 的 着 过 等 是 有
    """
))
STOP_VERBS = frozenset(words(
    """
邀请 介绍 会见 看望 陪同 出席 参加 主持 表示 指出 强调 认为 宣布 任命 选举 当选 担任
包括 感谢 欢迎 听取 慰问 会同 率领 带领 联合 采访 报道 致辞 讲话 发言
    """
))
# Joiners between two names; 和/与/及 are not chain starts (bodies contain them: 预防和发展处)
# but are cut from the front of a chain that follows a name.
LIST_JOINERS = ("、", "和", "与", "及", "以及")
PARENTHETICAL = re.compile(r"[((][^()()]{0,12}[))]")
CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
