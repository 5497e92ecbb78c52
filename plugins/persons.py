"""A person of a document as the people extractor collects it, in either language.

A person is named once and seen many times: a caption and the body text often give the same
post in two wordings, and a later mention may add the body an earlier one left out.  The
merging rules live here so that the Chinese and the English rules build people the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Found:
    """One person of a document: every surface form, role and mention seen."""

    name: str
    span: tuple[int, int]
    evidence: str
    roles: list[tuple[str, str | None]] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    def add_role(self, title: str, org: str | None) -> None:
        """Add a post unless it is another wording of one already held (a caption and the
        body text often name the same post twice); a body fills in a post that lacked one."""
        for k, (t, o) in enumerate(self.roles):
            if same_title(t, title) and (o is None or org is None or same_body(o, org)):
                if o is None and org is not None:
                    self.roles[k] = (t, org)
                return
        self.roles.append((title, org))

    def add_alias(self, alias: str) -> None:
        if alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)


People = dict[str, Found]


def remember(found: People, name: str, span: tuple[int, int], evidence: str) -> Found:
    """The person named ``name``, created at its first mention."""
    person = found.get(name)
    if person is None:
        person = found[name] = Found(name=name, span=span, evidence=evidence)
    return person


def _title_key(title: str) -> frozenset[str] | str:
    if title.isascii():
        return frozenset(w for w in re.split(r"[\s&/-]+", title.lower()) if w and w != "and")
    return title


def same_title(a: str, b: str) -> bool:
    return _title_key(a) == _title_key(b)


def same_body(a: str, b: str) -> bool:
    """Two wordings of one body: one contains the other, or (English) the same content words
    in any order, or (Chinese) character bigrams overlapping by Dice >= 0.7 (人大/人民代表大会)."""
    if a in b or b in a:
        return True
    if a.isascii() and b.isascii():
        return (_content_words(a) == _content_words(b)
                or _initials(a) == b.replace(".", "") or _initials(b) == a.replace(".", ""))
    x = [a[i : i + 2] for i in range(len(a) - 1)]
    y = [b[i : i + 2] for i in range(len(b) - 1)]
    common = sum(min(x.count(g), y.count(g)) for g in set(x))
    return bool(x and y) and 2 * common / (len(x) + len(y)) >= 0.7


def _initials(body: str) -> str:
    """``Harbor Relief Foundation, Inc.`` -> ``HRF``: what an acronym of
    the body would be."""
    words = re.findall(r"[A-Z][\w'-]*", body)
    return "".join(w[0] for w in words if w.lower() not in _COMPANY_FORMS)


#: the legal form after a company's name, which its acronym leaves out
_COMPANY_FORMS = frozenset({"inc", "ltd", "co", "corp", "llc", "plc", "gmbh"})


def _content_words(body: str) -> frozenset[str]:
    """Content words cut to four letters, so Workers/Work and Social/Society compare equal."""
    words = re.findall(r"[a-z]+", body.lower())
    return frozenset(w[:4] for w in words if w not in ("of", "the", "and", "for"))
