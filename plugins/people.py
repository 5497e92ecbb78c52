"""The ``people`` extractor: named persons and the posts the text gives them.

Each sentence goes to the rules of its script: Chinese ones to :mod:`factfold.plugins.people_zh`,
English ones to :mod:`factfold.plugins.people_en`; both languages build people through
:mod:`factfold.plugins.persons`, and every (person, post) becomes one fact here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from factfold import Document, Extractor, Person, hookimpl
from factfold.plugins import nlp, people_en, people_en_lexicon, people_zh, people_zh_lexicon
from factfold.plugins.confidence import calibrated
from factfold.plugins.fields import trim
from factfold.plugins.persons import People

VERSION = "1.3.0"


def setup() -> None:
    """Load the tagger, the dictionary and lexicons once per process, before the first
    document."""
    nlp.load()
    nlp.load_dictionary()
    people_zh_lexicon.lexicons()
    people_en_lexicon.lexicons()


def extract(document: Document) -> Iterator[Person]:
    """Every named person of ``document``, one fact per (person, post)."""
    text = document.text
    found: People = {}
    zh: list[tuple[int, int]] = []
    en: list[tuple[int, int]] = []
    for start, end in nlp.sentences(text):
        (zh if nlp.script(text[start:end]) == "zh" else en).append((start, end))
    people_zh.find(text, zh, found)
    people_en.find(text, en, found)
    for person in found.values():
        roles: Sequence[tuple[str | None, str | None]] = person.roles or [(None, None)]
        for title, org in roles:
            yield Person(
                name=person.name,
                title=trim(title),
                organization=trim(org),
                aliases=tuple(person.aliases),
                span=person.span,
                evidence=person.evidence,
            )


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register the people extractor (the tagger loads once, in ``setup``)."""
    register(
        Extractor(name="people", version=VERSION, extract=calibrated(extract), emits=(Person,),
                  setup=setup)
    )
