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

The parts: :mod:`~factfold.plugins.people_en_tokens` (words and their kinds),
:mod:`~factfold.plugins.people_en_names` (which capitalised runs are names),
:mod:`~factfold.plugins.people_en_posts` (the posts around a name),
:mod:`~factfold.plugins.people_en_mentions` (later mentions and spelling variants) and
:mod:`~factfold.plugins.people_en_lexicon`; this module reads a document's sentences and
bylines with them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from factfold.plugins.people_en_lexicon import lexicons
from factfold.plugins.people_en_mentions import fold_variants, short_mentions
from factfold.plugins.people_en_names import (
    inside_proper_noun,
    name_runs,
    plausible,
    vouched_by_lexicon,
    with_suffix,
)
from factfold.plugins.people_en_posts import of_body, resolve_body, role_before, roles_after
from factfold.plugins.people_en_tokens import NOT_BEFORE_NAMES, Sentence, kind_of
from factfold.plugins.persons import People, remember


def find(text: str, spans: Sequence[tuple[int, int]], found: People) -> None:
    """Add the people of the English sentences ``spans`` of ``text`` to ``found``, then
    those of English bylines, and fold spelling variants of one name together."""
    _sentences(text, spans, found)
    _bylines(text, found)
    fold_variants(text, found)


def _sentences(text: str, spans: Sequence[tuple[int, int]], found: People) -> None:
    surname_mentions: list[tuple[Sentence, int]] = []
    for start, end in spans:
        s = Sentence(text, start, end)
        for i, j in name_runs(s.toks, text):
            name_toks = s.toks[i:j]
            if not plausible(name_toks):
                if j - i == 1:
                    surname_mentions.append((s, i))
                continue
            role, vouched_before, _ = role_before(s, i)
            roles, vouched_after = roles_after(s, i, j)
            if not (vouched_before or vouched_after or (
                    vouched_by_lexicon(name_toks) and not inside_proper_noun(s, i, j)
                    and not (i > 0 and s.toks[i - 1].text.lower() in NOT_BEFORE_NAMES))):
                continue
            j_name = with_suffix(s, j)
            name = s.phrase(i, j_name)
            person = remember(found, name, (s.toks[i].start, s.toks[j_name - 1].end),
                              text[start:end])
            if role is None and i > 0 and s.toks[i - 1].text.lower() in lexicons().heads:
                # "Professor Linda Park of Oxford University": a rank with its body is a
                # post; "Professor Park" alone is a form of address
                body = of_body(s, j)
                role = (s.toks[i - 1].text, body) if body else None
            if role is not None:
                title, org = role
                person.add_role(title, org or of_body(s, j))
            for title, org in roles:
                person.add_role(title, resolve_body(org, text, start))
    short_mentions(surname_mentions, found)


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
        if any(kind_of(w) not in ("cap", "init") for w in name.split()):
            continue
        person = remember(found, name, (m.start("n" + k), m.end("n" + k)), m.group())
        if word.lower().rstrip("s") in ("reporter", "correspondent", "staff reporter"):
            person.add_role(word.rstrip("s") if word.endswith("s") else word, None)
