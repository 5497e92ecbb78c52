"""English people: later mentions and spellings of one person.

A lone surname or given name with a post or a reporting verb is a later mention of the one
person of the document with that name; two spellings of one name (initials, a suffix, a
last part one edit apart) are folded into one person.
"""

from __future__ import annotations

import re

from factfold.plugins.people_en_posts import of_body, role_before, roles_after
from factfold.plugins.people_en_tokens import SUFFIXES, Sentence
from factfold.plugins.persons import People


def short_mentions(mentions: list[tuple[Sentence, int]], found: People) -> None:
    """A lone surname or given name after an honorific or a post, or before a reporting
    verb or a post, is a later mention of the one person of the document with that name
    (``Kelly said``, ``Daniel is currently Director of ...``): an alias, and its posts."""
    for s, i in mentions:
        word = s.toks[i].text
        owners = [p for p in found.values() if p.name.isascii()
                  and word in (p.name.split()[-1], p.name.split()[0])]
        if len(owners) != 1:
            continue
        role, vouched_before, _ = role_before(s, i)
        roles, vouched_after = roles_after(s, i, i + 1)
        if not (vouched_before or vouched_after):
            continue
        person = owners[0]
        person.add_alias(word)
        if role is not None:
            person.add_role(role[0], role[1] or of_body(s, i + 1))
        for title, org in roles:
            person.add_role(title, org)


def _core(words: list[str]) -> list[str]:
    """A name without its middle initials and generational suffix."""
    kept = [w for n, w in enumerate(words)
            if not (0 < n < len(words) - 1 and len(w.rstrip(".")) == 1)]
    while len(kept) > 2 and kept[-1].lower().rstrip(".") in SUFFIXES:
        kept.pop()
    return kept


def fold_variants(text: str, found: People) -> None:
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
    fewer, more = (x, y) if len(x) < len(y) else (y, x)
    return any(more[:k] + more[k + 1 :] == fewer for k in range(len(more)))
