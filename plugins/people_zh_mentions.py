"""Chinese people: later mentions folded into the people named in full.

News names a person in full once, then by surname and post (王主任), by the given name
alone, or with a form of address (王先生); the tagger may also cut a name short.  Such
mentions become aliases of the person they refer to, and a body's declared abbreviation
(简称“…”) is no person at all.
"""

from __future__ import annotations

import re

from factfold.plugins.people_zh_lexicon import CJK_CHAR, CJK_NAME, Lexicons, lexicons
from factfold.plugins.persons import Found, People

# An abbreviation the text declares for a body (简称“某某金融”): the tagger may read a
# brand-like short form as a person, but the text has said what it is.
_ABBREVIATION = re.compile(r"(?:简称|下称)[::]?\s*[“\"「『]([^”\"」』\n]{2,16})[”\"」』]")


def drop_abbreviated_bodies(text: str, found: People) -> None:
    """Forget "people" whose name the text declares as the short name of a body."""
    for m in _ABBREVIATION.finditer(text):
        short = m.group(1)
        for name in [n for n in found if n in short and CJK_CHAR.match(n)]:
            del found[name]


def fold_short_mentions(text: str, found: People) -> None:
    """Later short mentions of a person named in full are that person, not new people.

    News names a person in full once, then by surname and post (王主任, 李书记), by the
    given name alone (建国主任指出), or the tagger cuts a name short where the next word
    starts with its last character (某某学会长: 某某学 + 会长).  A surname-and-post form
    with nobody of that surname named in full is no name at all and is dropped.
    """
    lex = lexicons()
    full = [p for p in found.values() if _full_name(p.name, lex)]
    for name, short in list(found.items()):
        if not CJK_CHAR.match(name):
            continue
        target = _cut_from(text, short, full)
        if target is None and short in full:
            continue
        if target is None:
            target = _given_name_of(short, full, lex)
        alias = target is not None and not text.startswith(target.name, short.span[0])
        if target is None:
            surname, title = _surname_and_post(name, lex)
            if title:
                target = _holder(surname, title, short, full)
            else:
                surname = _addressed_surname(name, lex)
                target = _holder(surname, "", short, full) if surname else None
                if target is None:
                    continue  # 王先生 with no 王 named in full: kept as the text gives it
            alias = True
        del found[name]
        if short in full:
            full.remove(short)
        if target is not None:
            if alias:
                target.add_alias(name)
            for title, org in short.roles:
                # 建国主任 repeats a post already known (执行主任): no second post
                if org is not None or not any(t.endswith(title) for t, _ in target.roles):
                    target.add_role(title, org)


def drop_repeated_posts(found: People) -> None:
    """A post with no body that ends a post the person holds (某某秘书长 after 常务副会长兼
    秘书长某某) is that post named again, not another one."""
    for person in found.values():
        held = [t for t, _ in person.roles]
        person.roles = [
            (t, o)
            for t, o in person.roles
            if o is not None or not any(h != t and h.endswith(t) for h in held)
        ]


def _full_name(name: str, lex: Lexicons) -> bool:
    """A surname and a given name (the forms short mentions refer back to)."""
    return (
        CJK_NAME.match(name) is not None
        and (name[0] in lex.surnames or name[:2] in lex.surnames)
        and not _surname_and_post(name, lex)[1]
        and not _addressed_surname(name, lex)
        and (len(name) >= 3 or name not in lex.titles)
    )


def _surname_and_post(name: str, lex: Lexicons) -> tuple[str, str]:
    """(surname, post) of a 王主任-shaped mention, else ('', '')."""
    for n in (2, 1):
        surname, rest = name[:n], name[n:]
        if surname in lex.surnames and rest:
            for mod in ("", *lex.modifiers):
                if rest.startswith(mod) and rest[len(mod) :] in lex.titles:
                    return surname, rest
    return "", ""


_ADDRESS_AFTER = ("先生", "女士", "同志", "大爷", "大妈", "阿姨", "奶奶", "爷爷", "老")
_ADDRESS_BEFORE = ("小", "老")


def _addressed_surname(name: str, lex: Lexicons) -> str:
    """The surname of a 王先生/张老/小刘-shaped mention (a surname with a form of address),
    else ''."""
    for form in _ADDRESS_AFTER:
        surname = name.removesuffix(form)
        if surname != name and surname in lex.surnames:
            return surname
    if name[:1] in _ADDRESS_BEFORE and name[1:] in lex.surnames:
        return name[1:]
    return ""


def _cut_from(text: str, short: Found, full: list[Found]) -> Found | None:
    """The full name this mention is a cut-short reading of (the full name is written
    right there in the text)."""
    at = short.span[0]
    for person in full:
        if len(person.name) > len(short.name) and text.startswith(person.name, at):
            return person
    return None


def _given_name_of(short: Found, full: list[Found], lex: Lexicons) -> Found | None:
    """The one person named in full whose given name this two-character mention is."""
    name = short.name
    if len(name) != 2 or name[0] in lex.surnames:
        return None
    owners = [p for p in full if len(p.name) > 2 and p.name.endswith(name)]
    return owners[0] if len(owners) == 1 else None


def _holder(surname: str, title: str, short: Found, full: list[Found]) -> Found | None:
    """Who 王主任 is: of the people named in full with that surname, the one holding that
    post, else the only one, else the one named last before the mention."""
    kin = [p for p in full if p.name.startswith(surname) and len(p.name) > len(surname)]
    holding = [p for p in kin if any(t.endswith(title) for t, _ in p.roles)]
    for group in (holding, kin):
        if len(group) == 1:
            return group[0]
        before = [p for p in group if p.span[0] < short.span[0]]
        if before:
            return max(before, key=lambda p: p.span[0])
    return None
