"""Numeral parsing for the statistics extractor: Chinese, Arabic and English numbers.

Why a module of its own: reported figures mix three notations ("3.16万", "一百六十",
"1,200", "1.2 million"), and ``cn2an`` only covers the first two and rejects vague
quantifiers ("多", "余", "数").  The helpers here take the numeral as the extractor
matched it, strip the vague parts (the caller records them as the approximation) and
return a plain number.
"""

from __future__ import annotations

import re
from functools import lru_cache

import cn2an

# The approximation a qualifier gives a figure: a Statistic's ``approx`` vocabulary.
MORE_THAN = "more_than"
ABOUT = "about"
AT_LEAST = "at_least"

# Characters that make a Chinese quantity vague rather than change its value.
VAGUE_ZH = "多余来几数上"
_VAGUE_RE = re.compile(f"[{VAGUE_ZH}]")
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_ZH_DIGITS_ONLY = re.compile(r"[〇零一二三四五六七八九]{2,}")

_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
# lakh and crore: the South Asian English magnitudes (one lakh = 100,000).
EN_MAGNITUDES = {
    "dozen": 12, "hundred": 100, "thousand": 1_000, "lakh": 100_000, "million": 1_000_000,
    "crore": 10_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000,
}  # fmt: skip
EN_NUMBER_WORDS = frozenset(_EN_UNITS) | frozenset(EN_MAGNITUDES)


def _tidy(value: float) -> float | int:
    """Whole numbers as ``int`` so exports read ``600000000`` rather than ``6e8``."""
    return int(value) if float(value).is_integer() else float(value)


@lru_cache(maxsize=4096)
def parse_zh(numeral: str) -> float | int | None:
    """Value of a Chinese/Arabic numeral such as ``3.16万``, ``160多万``, ``数百万``, ``十三``.

    Vague characters are dropped first (``cn2an`` raises on them); a numeral left starting
    with 百/千/万 ("数百万" -> "百万") gets an implicit 一.  Returns ``None`` when the
    string is not a count: not a number at all, or Chinese digits read one by one (a year
    such as 二〇二三, or 三五 "three or five", which ``cn2an`` would read as 35).
    """
    core = _VAGUE_RE.sub("", numeral.replace(",", "").replace("，", ""))
    if not core:
        return None
    if core[0] in "百千万亿":
        core = "一" + core
    if _ARABIC.fullmatch(core):
        return _tidy(float(core))
    if _ZH_DIGITS_ONLY.fullmatch(core):
        return None  # 二〇二三 is a year, 三五 "three or five": never a count
    try:
        return _tidy(cn2an.cn2an(core, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def parse_en(numeral: str) -> float | int | None:
    """Value of an English numeral: ``3,000``, ``1.2 million``, ``forty-five``, ``two hundred``.

    Digits and number words may mix ("1.2 million"); returns ``None`` on anything else.
    """
    total = 0.0
    current = 0.0
    seen = False
    for word in re.split(r"[\s-]+", numeral.lower().replace(",", "")):
        if not word or word == "and":
            continue
        if _ARABIC.fullmatch(word):
            current += float(word)
        elif word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in EN_MAGNITUDES:
            scale = EN_MAGNITUDES[word]
            if scale == 100:
                current = (current or 1) * scale
            else:
                total += (current or 1) * scale
                current = 0.0
        else:
            return None
        seen = True
    return _tidy(total + current) if seen else None
