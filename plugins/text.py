"""Text helpers the meetings and agreements extractors share: layout breaks inside
sentences, comparable names, the sentence around a position and the date that times it,
whether a Chinese phrase names an organisation, and word lists written as one string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from .dates import DateMention
from .lexicons import alternation

QUOTES = {"”": "“", "’": "‘", "」": "「", "』": "『", '"': '"', "》": "《"}
# Stands in for a line break that the page layout put inside a sentence, so that offsets stay
# those of the document while names and places read across the break.
WRAP = "\u2060"
_DROP = re.compile(rf"[\s“”‘’\"'「」『』《》{WRAP}]")
_WRAP_RUN = re.compile(r"[ \t　]*\n[\s　]*")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_WRAPPED_LINE = 30  # a shorter unpunctuated line is a title or caption, not a cut paragraph


def join_wrapped(text: str, sents: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans with the lines of a hard-wrapped Chinese paragraph (PDF text: a single
    line break inside a word, after a long unpunctuated line) joined again."""
    out: list[tuple[int, int]] = []
    for s, e in sents:
        if out:
            ps, pe = out[-1]
            line_start = text.rfind("\n", 0, pe) + 1
            if (text[pe:s].strip(" \t　") == "\n" and pe - line_start >= _WRAPPED_LINE
                    and _CJK_CHAR.match(text, pe - 1) and _CJK_CHAR.match(text, s)):
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    return out


def unwrap(text: str, sents: list[tuple[int, int]]) -> str:
    """``text`` with each line break inside a sentence (``nlp.sentences`` already judged it
    a layout break) and the blanks around it replaced by ``WRAP``, one for one."""
    chars = list(text)
    for s, e in sents:
        for m in _WRAP_RUN.finditer(text, s, e):
            chars[m.start():m.end()] = WRAP * (m.end() - m.start())
    return "".join(chars)


def written(text: str) -> str:
    """A span of the unwrapped text as the document reads it, without layout breaks."""
    return text.replace(WRAP, "")


def norm(name: str) -> str:
    """Comparable form of a name: no spaces or quotes, case-folded."""
    return _DROP.sub("", name).casefold()


def dice(a: str, b: str) -> float:
    """Character-bigram overlap of two normalised names (how alike two wordings are)."""
    ba = [a[i:i + 2] for i in range(len(a) - 1)]
    bb = [b[i:i + 2] for i in range(len(b) - 1)]
    if not ba or not bb:
        return 0.0
    rest = list(bb)
    common = 0
    for g in ba:
        if g in rest:
            rest.remove(g)
            common += 1
    return 2 * common / (len(ba) + len(bb))


def dedupe(names: Iterable[str]) -> list[str]:
    """Names in first-seen order without repeats (a body and its committee are two names)."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(norm(name), name)
    return [v for k, v in seen.items() if k]


def words(text: str) -> tuple[str, ...]:
    """A word list written as one string (easier to read than a long list literal)."""
    return tuple(text.split())


def sentence_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence span containing ``pos`` (binary search over sorted spans)."""
    lo, hi = 0, len(spans) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        s, e = spans[mid]
        if pos < s:
            hi = mid - 1
        elif pos >= e:
            lo = mid + 1
        else:
            return s, e
    return pos, pos


def date_near(dates: list[DateMention], sent: tuple[int, int], pos: int,
              exclude: Sequence[tuple[int, int]] = ()) -> str | None:
    """The date of a sentence that times what is said at ``pos``: the nearest one before it,
    else the first after it; dates inside ``exclude`` spans (names, titles) do not count."""
    inside = [d for d in dates if sent[0] <= d.start and d.end <= sent[1]
              and not any(s <= d.start < e for s, e in exclude)]
    before = [d for d in inside if d.end <= pos]
    if before:
        return before[-1].iso
    return inside[0].iso if inside else None


@cache
def _org_suffix_re() -> re.Pattern[str]:
    return re.compile(f"(?:{alternation('org_suffixes_zh.txt')})$")


def setup() -> None:
    """Compile the lexicon pattern once per process."""
    _org_suffix_re()


def is_org_zh(name: str) -> bool:
    """Whether a Chinese phrase ends like an organisation name (协会, 民政局, 大学 …)."""
    core = re.sub(r"[(（][^()（）]*[)）]$", "", name).strip()
    return 3 <= len(core) <= 40 and bool(_org_suffix_re().search(core))
