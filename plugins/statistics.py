"""Statistics extractor: reported quantities in Chinese and English news text.

Why regexes and lexicons rather than a tagger: a reported quantity in Chinese is a numeral
followed by a measure word or currency ("3.16万名", "超过6亿元"), so the numeral grammar
plus a lexicon of measure words finds nearly all of them at regex speed.  The hard part is
what *looks* like a quantity but is not: years and dates, ordinals (第二届), numbers in
names, titles and slogans (《…》, short quoted terms, 五位一体), 一+measure-word articles
and idioms.  Those are filtered by general rules of news writing and by lexicons: jieba's
dictionary of idioms and fixed expressions plus a small list of policy slogans.  jieba's
part-of-speech tagger is used only in the rare case of a 万/亿 number followed directly by
a noun ("130万社会工作者"), where the noun is the unit.

The Chinese grammar and its filters are :mod:`~factfold.plugins.statistics_zh`, the English
one :mod:`~factfold.plugins.statistics_en`; this module keeps titles and quoted terms out,
reports each figure once and gives it its sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from factfold import Document, Extractor, Statistic, hookimpl
from factfold.plugins.confidence import calibrated

from .statistics_en import EN_MEASURES, figures_en
from .statistics_zh import PERIOD_UNITS, UNITS_ZH, figures_zh, load_jieba

VERSION = "1.2.0"

# Full-width digits, decimal point and percent sign, mapped one-to-one so offsets survive
# (not the full-width comma: in Chinese it separates clauses, not thousands).
_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_QUOTED = re.compile(
    r"《[^《》\n]{0,80}》|〈[^〈〉\n]{0,80}〉|“[^“”\n]{0,24}”|「[^「」\n]{0,24}」"
    r"|『[^『』\n]{0,24}』|‘[^‘’\n]{0,24}’|\"[^\"\n]{0,24}\""
)
_CLAUSE_PUNCT = re.compile(r"[，。,;；！？!?]")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s)")


def setup() -> None:
    """Load jieba's tables before the first document (they take about a second)."""
    load_jieba()


_LONG_QUOTE = re.compile(r"“[^“”\n]{25,160}”|\"[^\"\n]{25,160}\"")
_AFTER_TITLE = re.compile(r"\s*[（(][^（）()\n]{1,80}[）)]")


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans of titles (《…》, a quoted English title in capitals) and short quoted terms,
    whose numbers belong to names, and of a bracket right after a title (its translation
    or abbreviation: “the Top 10 Stories” (十大新闻)).

    A quotation with sentence punctuation inside is reported speech and keeps its figures.
    """
    spans = []
    for m in _QUOTED.finditer(text):
        if m.group().startswith(("《", "〈")) or not _CLAUSE_PUNCT.search(m.group()):
            spans.append(m.span())
    spans.extend(m.span() for m in _LONG_QUOTE.finditer(text) if _title_cased(m.group()))
    for _, end in list(spans):
        after = _AFTER_TITLE.match(text, end)
        if after:
            spans.append(after.span())
    return spans


def _title_cased(quote: str) -> bool:
    """Is an English quotation a title: no sentence punctuation, and most of its words of
    four letters or more capitalised?"""
    words = re.findall(r"[A-Za-z]{4,}", quote)
    capitals = sum(w[0].isupper() for w in words)
    return not _CLAUSE_PUNCT.search(quote) and len(words) >= 2 and 2 * capitals > len(words)


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _evidence(text: str, start: int, end: int) -> str:
    """The sentence around a span: back to the previous and on to the next sentence end."""
    left = 0
    for m in _SENTENCE_END.finditer(text, max(0, start - 300), start):
        left = m.end()
    after = _SENTENCE_END.search(text, end)
    right = after.end() if after else len(text)
    return text[left:right].strip()


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SENTENCE_STOP = re.compile(r"[。！？!?\n]|\.(?=\s)")


def _same_figure(text: str, first: tuple[int, int], later: tuple[int, int], unit: str) -> bool:
    """Is a later mention of an equal figure the same fact as the first?

    An article repeats a figure for the same thing (社工站45个 … 45个社工站; the 36 states … the
    36 states of the country), but one sentence never names the same figure twice for one
    thing (甲等17名个人…;乙等17名个人…), and two figures about unrelated words (价值10万元的
    物品 … 助学款10万元) are two facts.  A unit that is itself a noun (states, 社会工作者) names
    the thing counted, and a period (两年) said again is taken for the same one, as the
    annotators do; a measure word leaves it to the words around the figure.
    """
    if not _SENTENCE_STOP.search(text, first[1], later[0]):
        return False
    if unit in PERIOD_UNITS or (unit not in UNITS_ZH and unit not in EN_MEASURES):
        return True  # a noun names the thing; a period said again is the same span
    return bool(_around(text, *first) & _around(text, *later))


def _around(text: str, start: int, end: int) -> set[str]:
    """The words right around a span: bigrams of the Chinese characters within four
    characters, and the English words of four letters or more within twenty."""
    near = text[max(0, start - 4) : start] + " " + text[end : end + 4]
    wide = text[max(0, start - 20) : start] + " " + text[end : end + 20]
    words = _CJK_RUN.findall(near)
    bigrams = {w[i : i + 2] for w in words for i in range(len(w) - 1)}
    return bigrams | {w.lower() for w in re.findall(r"[A-Za-z]{4,}", wide)}


def extract(document: Document) -> Iterator[Statistic]:
    """Every reported quantity, once per figure in the document.

    A figure repeated later in an article for the same thing is the same fact, so only its
    first mention is reported (see :func:`_same_figure`); the same value with another
    qualifier (逾9万人 beside 约9万人) is a different figure and is reported too.
    """
    text = document.text.translate(_WIDTH)
    protected = _protected_spans(text)
    seen: dict[tuple[float, str, str | None], list[tuple[int, int]]] = {}
    # Longest span first at each start, so a figure both grammars read ("over 40%" and its
    # "40%") is kept once, with its qualifier.
    found = sorted([*figures_zh(text), *figures_en(text)], key=lambda f: (f[0], -f[1]))
    covered = 0
    for start, end, value, unit, approx in found:
        if start < covered or _inside(start, protected):
            continue
        covered = end
        earlier = seen.setdefault((value, unit, approx), [])
        if any(_same_figure(text, span, (start, end), unit) for span in earlier):
            continue
        earlier.append((start, end))
        yield Statistic(
            value=value,
            unit=unit,
            text=document.text[start:end],
            approx=approx,
            span=(start, end),
            evidence=_evidence(document.text, start, end),
        )


@hookimpl
def factfold_register_extractors(register: Any) -> None:
    """Register the statistics extractor with factfold."""
    register(
        Extractor(
            name="statistics",
            version=VERSION,
            extract=calibrated(extract),
            emits=(Statistic,),
            setup=setup,
        )
    )
