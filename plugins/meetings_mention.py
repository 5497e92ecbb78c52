"""A meeting as the meetings extractor's Chinese and English rules both find it: a
:class:`Mention` of a name in the text, and the edition number (:func:`ordinal`) a name states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import words

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
