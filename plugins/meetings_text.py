"""Text helpers the meetings extractor shares between its Chinese and English rules (and
the agreements extractor uses too): comparable names, layout breaks, editions, sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .dates import DateMention

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


_EN_ORDINALS = {w: i for i, w in enumerate(words(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"))}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "twentieth": 20,
            "thirtieth": 30, "fortieth": 40, "fiftieth": 50}
_ZH_ORD = re.compile(r"第\s*([一二三四五六七八九十百〇零两\d]+)\s*[届次期]|(首)[届次期]")
_EN_ORD = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b|\b((?:twenty|thirty|forty|fifty)-)?"
                     r"(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
                     r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|"
                     r"eighteenth|nineteenth|twentieth|thirtieth|fortieth|fiftieth)\b", re.I)


def _zh_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    digits = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
    total, unit = 0, 0
    for ch in text:
        if ch == "十":
            total += (unit or 1) * 10
            unit = 0
        elif ch == "百":
            total += (unit or 1) * 100
            unit = 0
        else:
            unit = digits.get(ch, 0)
    return total + unit


def ordinal(name: str) -> int | None:
    """The edition number a meeting name states (第二届, 2nd, twenty-fourth), if any."""
    m = _ZH_ORD.search(name)
    if m:
        return 1 if m.group(2) else _zh_number(m.group(1))
    m = _EN_ORD.search(name)
    if not m:
        return None
    if m.group(1):
        return int(m.group(1))
    word = m.group(3).lower()
    base = _EN_TENS[m.group(2)[:-1].lower()] if m.group(2) else 0
    return base + _EN_ORDINALS.get(word, _EN_TENS.get(word, 0))


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
              exclude: list[tuple[int, int]] = ()) -> str | None:
    """The date of a sentence that times what is said at ``pos``: the nearest one before it,
    else the first after it; dates inside ``exclude`` spans (names, titles) do not count."""
    inside = [d for d in dates if sent[0] <= d.start and d.end <= sent[1]
              and not any(s <= d.start < e for s, e in exclude)]
    before = [d for d in inside if d.end <= pos]
    if before:
        return before[-1].iso
    return inside[0].iso if inside else None


@dataclass
class Mention:
    """A meeting named or referred to at ``start:end`` of the (unwrapped) text."""

    start: int
    end: int
    name: str
    head: str
    generic: bool  # "大会", "this forum", "第三次会议": needs a named referent or a held cue
    cue: bool = False  # reported as held right here ("在研讨会上", "召开…会议")
    # "贯彻…会议精神", "将于明年举办…": cites or plans a meeting, does not report it held
    echo: bool = False
    # the text says it was held (召开, 举行, was held), not only that people were at it
    # ("出席了座谈会", "在仪式上"), which refers back to an event already reported
    hosted: bool = False

