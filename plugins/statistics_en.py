"""Statistics: the figures of English text.

A number (digits or words, with a magnitude: "1.2 million") with a currency before it or a
unit word after it; years, ages and points in time ("5 years ago") are not figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .lexicons import lexicon
from .numbers import ABOUT, AT_LEAST, EN_MAGNITUDES, EN_NUMBER_WORDS, MORE_THAN, parse_en

_EN_NUM_WORD = "|".join(sorted(EN_NUMBER_WORDS - {"one", "zero"}, key=len, reverse=True))
_EN_MAG = "|".join(EN_MAGNITUDES)
# Qualifiers before an English number, verbs of exceeding included ("spending exceeded
# 150 billion yuan" reports more than 150 billion).
_EN_PREFIX = {
    "more than": MORE_THAN, "over": MORE_THAN, "in excess of": MORE_THAN, "upwards of": MORE_THAN,
    "well over": MORE_THAN, "just over": MORE_THAN, "above": MORE_THAN, "exceeding": MORE_THAN,
    "exceeded": MORE_THAN, "exceeds": MORE_THAN, "exceed": MORE_THAN, "surpassed": MORE_THAN,
    "surpassing": MORE_THAN, "topped": MORE_THAN, "topping": MORE_THAN,
    "about": ABOUT, "around": ABOUT, "approximately": ABOUT, "approx.": ABOUT, "roughly": ABOUT,
    "nearly": ABOUT, "almost": ABOUT, "some": ABOUT, "close to": ABOUT, "an estimated": ABOUT,
    "estimated": ABOUT, "at least": AT_LEAST, "no fewer than": AT_LEAST,
    "no less than": AT_LEAST, "a minimum of": AT_LEAST,
}  # fmt: skip
_EN_CURRENCY_BEFORE = ("US$", "$", "¥", "RMB", "€", "£", "Rs.", "Rs", "₹", "₦", "₱")
# Letters that stand for a currency only before a large sum (N50 million naira, P2,000 pesos);
# before a small bare number they are labels (N95, P3).
_EN_LETTER_CURRENCY = (
    r"[NP](?=\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?\s+(?:million|billion|trillion)\b)"
)
# Nouns of a count or a length that an English number joins with a hyphen into an adjective
# ("a nine-member committee", "a three-year programme", "a 500-bed hospital"); "-year-old"
# is an age and "-thirds" a fraction, so the noun must end the compound.
_EN_COMPOUND = (
    r"(?:member|person|man|woman|strong|seat|bed|room|storey|story|day|week|month|year|hour)"
    r"\b(?!-)"
)
_EN_PATTERN = re.compile(
    rf"(?:\b(?P<pre>{'|'.join(re.escape(p) for p in sorted(_EN_PREFIX, key=len, reverse=True))})"
    r"\s+)?"
    rf"(?<![\w.,-])(?P<cur>(?:{'|'.join(re.escape(c) for c in _EN_CURRENCY_BEFORE)})\s?"
    rf"|{_EN_LETTER_CURRENCY})?"
    r"(?P<num>(?<![.,-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"(?!\w|[.,]\d|-(?!\s?" + _EN_COMPOUND + r"))"
    rf"(?:\s+(?:{_EN_MAG})\b)?"
    rf"|\b(?:one\s+(?=(?:{_EN_MAG})\b))?(?:{_EN_NUM_WORD})(?:[\s-]+(?:{_EN_NUM_WORD}))*\b"
    r"(?!-(?!\s?" + _EN_COMPOUND + r")))"
    r"(?P<plus>\+)?"
    r"(?:-\s?(?P<compound>" + _EN_COMPOUND + r"))?",
    re.IGNORECASE,
)
_EN_UNIT_WORDS = {
    "percent": "%", "per cent": "%", "%": "%", "yuan": "yuan", "rmb": "yuan", "dollars": "dollars",
    "us dollars": "dollars", "euros": "euros", "pounds": "pounds",
}  # fmt: skip
# English units that are measures (currencies, %), not nouns naming what is counted.
EN_MEASURES = frozenset({*_EN_UNIT_WORDS.values(), *_EN_CURRENCY_BEFORE})
_EN_UNIT_RE = re.compile(
    r"\s*(?P<unit>%|(?:per cent|percent|(?:US )?dollars|yuan|RMB|euros|pounds)\b)", re.I
)
_EN_IRREGULAR_PLURALS = frozenset(
    {"people", "children", "staff", "personnel", "yuan", "youth", "elderly", "police", "women",
     "men", "cattle", "sheep"}
)  # fmt: skip
_EN_STOP = frozenset(lexicon("statistics_stopwords_en.txt"))
_EN_AGO = re.compile(r"\s+(?:ago|old|earlier|later)\b", re.I)
# Labels and dates before a number: "No. 5", "page 3", "Room 305", "June 5", "Sept. 16".
_EN_NOT_COUNT_BEFORE = re.compile(
    r"\b(?:no\.|number|page|room|article|chapter|section|tel|phone|floor|grade|class|level|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|"
    r"june|july|august|september|october|november|december)\.?\s*$"
)


def _en_unit(text: str, pos: int) -> tuple[str, int] | None:
    """(unit, end) of what follows an English number: %, a currency, or a plural noun phrase."""
    rest = text[pos : pos + 60]
    m = _EN_UNIT_RE.match(rest)
    if m:
        return _EN_UNIT_WORDS[m["unit"].lower()], pos + m.end()
    words: list[str] = []
    offset = 0
    for wm in re.finditer(r"\s+([A-Za-z][A-Za-z'-]*)", rest):
        if wm.start() != offset:
            break
        word = wm.group(1)
        low = word.lower()
        if low in _EN_STOP or low in EN_NUMBER_WORDS or len(words) == 3:
            break
        words.append(word)
        offset = wm.end()
        if low in _EN_IRREGULAR_PLURALS or (low.endswith("s") and not low.endswith("ss")):
            return " ".join(words), pos + offset
    return None


def figures_en(text: str) -> Iterator[tuple[int, int, float, str, str | None]]:
    for m in _EN_PATTERN.finditer(text):
        num = m["num"]
        if re.fullmatch(r"(?:19|20)\d\d", num) and not m["cur"]:
            continue  # a year
        before = text[max(0, m.start("num") - 12) : m.start("num")].lower()
        if _EN_NOT_COUNT_BEFORE.search(before):
            continue
        value = parse_en(num)
        if value is None:
            continue
        if m["cur"]:
            unit, end = m["cur"].strip(), m.end()  # the currency as written: $, US$, RMB
        elif m["compound"]:
            unit, end = m["compound"], m.end()
        else:
            found = _en_unit(text, m.end())
            if found is None:
                continue
            unit, end = found
            if _EN_AGO.match(text, end):
                continue  # "5 years ago", "8 years old": a point in time or an age
        approx = _EN_PREFIX[m["pre"].lower()] if m["pre"] else None
        if m["plus"] and approx is None:
            approx = MORE_THAN
        start = m.start("pre") if m["pre"] else m.start()
        yield start, end, value, unit, approx
