"""English people: which runs of capitalised words are names.

A run is a candidate name when its parts have a name's shape; the lexicon vouches for it
when its first part is a known given name or it is a Chinese name in pinyin.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from factfold.plugins.people_en_lexicon import lexicons, pinyin_word, unaccented
from factfold.plugins.people_en_tokens import SUFFIXES, Sentence, Tok


def name_runs(toks: Sequence[Tok], text: str) -> Iterator[tuple[int, int]]:
    """(first, stop) token indexes of each maximal run of name parts joined by one space."""
    i = 0
    while i < len(toks):
        if toks[i].kind not in ("cap", "init"):
            i += 1
            continue
        j = i + 1
        while (j < len(toks) and toks[j].kind in ("cap", "init", "particle")
               and not toks[j - 1].possessive
               and text[toks[j - 1].end : toks[j].start] in (" ", ". ")):
            j += 1
        while j > i and toks[j - 1].kind != "cap":
            j -= 1  # a name ends with a name part, not an initial or a particle
        if j > i:
            yield i, j
        i = max(j, i + 1)


def plausible(toks: Sequence[Tok]) -> bool:
    parts = [t for t in toks if t.kind == "cap"]
    return len(parts) + sum(t.kind == "init" for t in toks) >= 2 and 1 <= len(parts) <= 4


def inside_proper_noun(s: Sentence, i: int, j: int) -> bool:
    """The run ``i:j`` touches another capitalised word (``Kwame Mensah University``,
    ``ACSW Asia Pacific``, ``Grace Hill Road``): part of a larger name, not a person's."""
    toks = s.toks
    before = i > 0 and toks[i - 1].kind in ("acr", "org", "place", "cap", "stop") and (
        s.text[toks[i - 1].end : toks[i].start] == " " and i - 1 > 0)
    after = j < len(toks) and toks[j].kind in ("acr", "org", "place", "cap", "stop",
                                               "title") and (
        toks[j].text[:1].isupper()
        and s.text[toks[j - 1].end : toks[j].start] in (" ", "'s ", "’s "))
    return before or after


def vouched_by_lexicon(toks: Sequence[Tok]) -> bool:
    lex = lexicons()
    first = toks[0]
    if " ".join(t.text for t in toks) in lex.places:
        return False
    if first.kind == "cap" and unaccented(first.text) in lex.given and len(toks) > 1:
        return True
    parts = [t.text for t in toks]
    return (2 <= len(parts) <= 3 and parts[0] in lex.pinyin_surnames
            and all(pinyin_word(p) for p in parts[1:]))


def with_suffix(s: Sentence, j: int) -> int:
    """The end of a name with its generational suffix: ``Robert Owusu-Ansah, Jr.``."""
    toks = s.toks
    k = j + 1 if j < len(toks) and toks[j].text == "," else j
    if k < len(toks) and toks[k].text.lower().rstrip(".") in SUFFIXES and (
            toks[k].text[0].isupper()):
        return k + 1
    return j
