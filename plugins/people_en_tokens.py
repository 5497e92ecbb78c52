"""English people: a sentence's words, each with its kind.

A token keeps its text as written (without a possessive ``'s`` or a sentence's final
period), its offsets into the document, and a kind (capitalised word, initial, lower-case
word, number, punctuation) that the name and post rules read instead of the text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from factfold.plugins.people_en_lexicon import Lexicons, lexicons, pinyin_word, unaccented


class Tok(NamedTuple):
    text: str  # as written, without a possessive 's or a sentence's final period
    kind: str  # see kind_of
    start: int
    end: int
    possessive: bool


_TOKEN = re.compile(r"[^\W\d_](?:[\w'’.-]*[^\W_])?\.?|\d[\d,.]*\d|\d|[^\w\s]")
_POSSESSIVE = re.compile(r"['’]s?$")
ARTICLES = frozenset({"the", "a", "an"})
#: words that stand before things and places, not people: "the Rose Garden Agenda", "in
#: Santa Rosa" (a post or an honorific between them and a name vouches for it first)
NOT_BEFORE_NAMES = ARTICLES | frozenset({"in", "at", "across", "throughout", "near", "via",
                                           "inside", "outside"})
APPOINTMENTS = frozenset({"election", "re-election", "appointment", "nomination",
                           "selection"})
APPOINTING = frozenset({"elected", "re-elected", "appointed", "named", "nominated", "chose",
                         "selected", "elect", "appoint", "name"})
PREPOSITIONS = frozenset({"of", "at", "for", "with", "from", "in", "to", "on"})
ORG_JOINERS = frozenset({"of", "for", "and", "the", "&", "on", "in"})
COPULA = re.compile(
    r"^(?:,\s*)?(?:who\s+)?"
    r"(?:(?:is|was|are|were|has|had|have)\s+)?"
    r"(?:(?:previously|currently|also|now|recently|formerly|then|still)\s+)?"
    r"(?:(?:been|was|is|were)\s+)?"
    r"(?:(?:re-?)?(?:elected|appointed|named|nominated|chosen|selected|sworn\s+in)(?:\s+as)?\s+"
    r"|(?:serves|served|serving|works|worked|acts|acted|acting)\s+as\s+"
    r"|(?:became|becomes)\s+)?"
)
#: a copula match must hold one of these to make a post of what follows
COPULA_VERB = re.compile(
    r"\b(?:is|was|were|been|became|becomes|serves|served|serving|works|worked|acts|acted|"
    r"acting|elected|appointed|named|nominated|chosen|selected|sworn)\b"
)


def _tokens(sent: str, offset: int) -> list[Tok]:
    lex = lexicons()
    out: list[Tok] = []
    for m in _TOKEN.finditer(sent):
        raw = m.group()
        text, end = raw, m.end()
        possessive = False
        if len(text) > 1 and text.endswith(".") and not _abbreviation(text, lex):
            text, end = text[:-1], end - 1
        if len(text) > 2 and _POSSESSIVE.search(text) and text[-1] in "s'’":
            text = _POSSESSIVE.sub("", text)
            possessive = True
        out.append(Tok(text, kind_of(text), offset + m.start(),
                        offset + m.start() + len(text), possessive))
    for n in range(len(out) - 1):
        # "He Lihua", "Ma Li": a pinyin surname that is also an English word, before a
        # pinyin given name, is a name part
        tok, nxt = out[n], out[n + 1]
        if (tok.kind == "stop" and tok.text in lex.pinyin_surnames and nxt.kind == "cap"
                and pinyin_word(nxt.text)):
            out[n] = tok._replace(kind="cap")
    for n, tok in enumerate(out):
        if tok.kind == "acr" and _capitalised_surname(out, n, lex):
            out[n] = tok._replace(kind="cap")
    return out


def _capitalised_surname(toks: list[Tok], n: int, lex: Lexicons) -> bool:
    """``ZHANG Lihua``, ``Ruth OKAFOR``: a surname written in capitals beside a
    name part, as many academic pages write them (an acronym is not a surname)."""
    word = toks[n].text
    if not word.isalpha() or len(word) > 12:
        return False
    prev = toks[n - 1] if n > 0 else None
    nxt = toks[n + 1] if n + 1 < len(toks) else None
    if nxt is not None and nxt.kind == "cap" and word.capitalize() in lex.pinyin_surnames:
        return nxt.start - toks[n].end == 1
    return (prev is not None and prev.kind == "cap" and toks[n].start - prev.end == 1
            and unaccented(prev.text) in lex.given)


def _abbreviation(word: str, lex: Lexicons) -> bool:
    """A period that belongs to the word: an initial (``J.``), ``U.S.``, an honorific."""
    bare = word[:-1]
    return ((len(bare) == 1 and bare.isupper()) or "." in bare
            or bare.lower() in lex.honorifics or bare.lower() in SUFFIXES)


@lru_cache(maxsize=1 << 16)
def kind_of(word: str) -> str:
    """``punct``, ``num``, ``hon`` (Mr., Dr.), ``title`` (a post word, any case), ``init``
    (J.), ``particle`` (de, van, bin), ``acr`` (ACSW), ``org`` (Foundation), ``place``
    (Province, Asia), ``stop`` (a
    capitalised function word, month, ...), ``cap`` (a possible name part), ``low``.
    Cached: news repeats its words, and this is most of the tokenising."""
    lex = lexicons()
    if not word[0].isalpha():
        return "num" if word[0].isdigit() else "punct"
    lower = word.lower()
    bare = lower.rstrip(".")
    if word[0].isupper() and bare in lex.honorifics:
        return "hon"
    if bare in lex.heads or bare in lex.modifiers or bare.rpartition("-")[2] in lex.heads:
        return "title"
    if len(word) == 2 and word[1] == "." and word[0].isupper():
        return "init"
    if word[0].islower():
        if lower in lex.particles:
            return "particle"
        head, _, rest = word.partition("-")
        if rest[:1].isupper() and head in lex.particles:
            return "cap"  # al-Hassan
        return "low"
    if (word.isupper() and len(word) > 1) or "." in word:
        return "acr"
    if lower in lex.org_words:
        return "org"
    if lower in lex.place_words:
        return "place"
    if lower in lex.not_name:
        return "stop"
    return "cap"


class Sentence:
    """One sentence's tokens, with the document text their offsets point into."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.toks = _tokens(text[start:end], start)

    def phrase(self, i: int, j: int) -> str:
        return self.text[self.toks[i].start : self.toks[j - 1].end] if j > i else ""

    def segment_end(self, i: int) -> int:
        """The token index where an apposition opening at ``i`` ends (, ; ) or the end)."""
        k = i
        while k < len(self.toks) and self.toks[k].text not in (",", ";", ")", "(", ":", "—"):
            k += 1
        return k


SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
