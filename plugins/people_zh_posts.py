"""Chinese people: the post grammar -- which title, of which body, a name holds.

A post comes before the name as an apposition chain (``机构职务、职务 + 姓名``), after it with
an election or appointment verb (``当选为副会长``), or right after it as a title word
(``张三教授``).  A post without a body takes the body named last, and a short name of the
subject body (``本会``, ``协会``) is resolved to the full name the document gave before.
"""

from __future__ import annotations

import re

from factfold.plugins import nlp
from factfold.plugins.people_zh_lexicon import (
    CLAUSE_END,
    LIST_JOINERS,
    STOP_VERBS,
    STOP_WORDS,
    Lexicons,
    lexicons,
)

# Verbs that put a post after the name: 当选为副会长, 被聘为顾问, 任主任, 为秘书长.
POST_VERB = re.compile(
    r"(?:共同|一同|分别)?(?:当选为|当选|被选举为|被选为|被推选为|被推举为|被聘为|被聘任为|"
    r"被任命为|被增补为|增补为|担任|出任|兼任|作为|任|为)"
)
# What may stand between a name and the verb that gives its post: the rest of a list
# (甲等17名个人(单位)被增补为理事) or a form of address (某某老师作为顾问).
_NAME_TRAIL = re.compile(
    r"(?:等(?:\d+|[一二两三四五六七八九十百]+)?[名人位]?(?:个人|同志)?)?"
    r"(?:[((][^()()]{0,12}[))])?(?:老师|教授|先生|女士|同志)?"
)
# A new term before the post (当选为新一届会长, 选举某某为新会长): not part of the title.
_NEW_TERM = re.compile(r"(?<=[为任])(?:新一届|新任|新)")
# What may trail a post written after the name (任主任一职).
_POST_TAIL = re.compile(r"(?:一职|职务)?(?=$|[,,。;;!!??、])")


def post_after_name(
    sent: str, end: int, tokens: list[nlp.Token], bodies: list[str]
) -> list[tuple[str, str | None]]:
    """``(title, body)`` of a post named after the name by an election or appointment verb;
    without a body in the phrase, the body the document named last (the election's body)."""
    trail = _NAME_TRAIL.match(sent, end)
    assert trail is not None  # every part of it is optional
    m = POST_VERB.match(sent, trail.end())
    if m is None:
        return []
    m = _NEW_TERM.match(sent, m.end()) or m
    stop = len(sent)
    for i in range(m.end(), len(sent)):
        if sent[i] in CLAUSE_END or sent[i] in "、的":
            stop = i
            break
    phrase = sent[m.end() : stop]
    tail = _POST_TAIL.search(phrase)
    cut = m.end() + (tail.start() if tail else len(phrase))
    parsed = _parse_post(sent, m.end(), cut, tokens)
    if parsed is None or not sent[m.end() : cut].endswith(parsed[0]):
        return []
    org: str | None  # the body: none given, the election's (bodies[-1]) or none known
    title, org, unit = parsed
    if org and any(t.tag == "PER" for t in tokens if m.end() <= t.start < cut):
        return []
    if unit and not org.endswith(lexicons().org_suffixes):
        title, org = org + title, ""  # 法律顾问, 首席专家: a qualifier, not a body
    if not org:
        org = bodies[-1] if bodies else None
    elif unit and not org.endswith("会"):
        org = (bodies[-1] + org) if bodies else org
    else:
        org = _resolve_back_reference(org, bodies)
    return [(title, org)]


def body_before_de(
    sent: str, left: int, tokens: list[nlp.Token], roles: list[tuple[str, str | None]]
) -> list[tuple[str, str | None]]:
    """``来自<机构>的副教授某某``: the body before 的 is the body of a post that has none."""
    if not roles or sent[left - 1 : left] != "的" or all(o for _, o in roles):
        return roles
    a = left - 1
    while a > 0 and sent[a - 1] not in CLAUSE_END and not sent[a - 1].isspace():
        a -= 1
    a = sent.rfind("来自", a, left - 1) + 2 if "来自" in sent[a : left - 1] else a
    if a >= left - 1 or not _is_body(sent, a, left - 1, tokens):
        return roles
    body = sent[a : left - 1]
    return [(t, o or body) for t, o in roles]


# Bodies that make 代表 a post (人大代表, 党代表); elsewhere 代表 describes a group
# member (社工代表, 学生代表), which is no post.
_DELEGATE_BODIES = ("人大", "党", "政协", "党代会")


def is_post(role: tuple[str, str | None], tokens: list[nlp.Token], sent: str) -> bool:
    """False for a 代表 of a group of people (社工代表) rather than of a body."""
    title, org = role
    if not title.endswith("代表"):
        return True
    group = title[:-2].lstrip("原前").removeprefix("首席")
    if group:
        return group.endswith(_DELEGATE_BODIES)
    return org is not None and (
        org.endswith(_DELEGATE_BODIES)
        or org.endswith(lexicons().org_suffixes)
        or any(t.word == org and t.tag == "ORG" for t in tokens)
    )


def _resolve_back_reference(org: str, bodies: list[str]) -> str:
    """A short name of the subject body (协会, 本会, 该会) is the nearest full body name
    ending in that word; with none known it stays as written."""
    word = org[1:] if org[0] in "本该我" and len(org) == 2 else org
    for body in reversed(bodies):
        if body.endswith(word) and body != word:
            return body
    return org


def body_right_before(sent: str, left: int, start: int, tokens: list[nlp.Token]) -> str | None:
    """The body named right before a name (某协会某某秘书长指出), or None."""
    parts = _split_parts(sent, left, start)
    if not parts or parts[-1][1] != start:
        return None
    a, b = parts[-1]
    return sent[a:b] if _is_body(sent, a, b, tokens) else None


def title_after_name(
    sent: str, end: int, tokens: list[nlp.Token], body: str | None
) -> list[tuple[str, str | None]]:
    """A post written after the name (张三教授指出, 某协会张三秘书长表示): the title alone,
    as a separate word, and not itself the start of another apposition (会长张三); its body
    is the one named right before the name, if any."""
    lex = lexicons()
    rest = sent[end : end + 12]
    mod = next((m for m in lex.modifiers if rest.startswith(m)), "")
    title = next((t for t in lex.titles_by_length if rest.startswith(t, len(mod))), None)
    if title is None:
        return []
    stop = end + len(mod) + len(title)
    if not any(t.start == end for t in tokens) or not any(t.end == stop for t in tokens):
        return []
    nxt = next((t for t in tokens if t.start == stop), None)
    if nxt is not None and nxt.tag == "PER":
        return []
    if body is None and title in _FORMS_OF_ADDRESS:
        return []  # 某某教授指出: a rank used to address the person, not a post
    return [(mod + title, body)]


# Ranks that, written after a name with no body, address the person rather than state a
# post (the guidelines' "Professor X"; 某大学教授某某 states one).
_FORMS_OF_ADDRESS = frozenset({"教授", "老师"})


def stop_positions(sent: str, tokens: list[nlp.Token]) -> list[int]:
    """Offsets where an apposition chain may start: after clause punctuation and after
    function words or verbs that open a new phrase."""
    stops = [i + 1 for i, ch in enumerate(sent) if ch in CLAUSE_END]
    for tok in tokens:
        if tok.tag == "TIME" or tok.word in STOP_WORDS or tok.word in STOP_VERBS:
            stops.append(tok.end)
    return sorted(stops)


def chain_roles(
    sent: str,
    left: int,
    right: int,
    tokens: list[nlp.Token],
    carry: str | None,
    bodies: list[str],
) -> tuple[list[tuple[str, str | None]], str | None]:
    """Roles of the chain ``sent[left:right]`` (``机构职务、职务`` before a name).

    A post with no body takes the body named last (``carry``); a bare unit such as 办公室
    is a unit of that body.  The last part must end in a post, else the name is not in
    apposition and gets no role.
    """
    roles: list[tuple[str, str | None]] = []
    org: str | None  # a post's body: the one written, else ``carry``
    opened = max(sent.rfind("(", left, right), sent.rfind("(", left, right))
    if opened >= 0 and not any(c in sent[opened:right] for c in "))"):
        left = opened + 1  # 本报讯(记者 某某): the chain starts inside the bracket
    bounds = _split_parts(sent, left, right)
    for k, (a, b) in enumerate(bounds):
        parsed = _parse_post(sent, a, b, tokens)
        if parsed is None:
            if k == len(bounds) - 1:
                return [], carry
            if _is_body(sent, a, b, tokens):
                carry = sent[a:b]
            continue
        title, org, org_is_unit = parsed
        if not org:
            org = carry
        elif org_is_unit and org.endswith("会"):
            org = _resolve_back_reference(org, [*bodies, *([carry] if carry else [])])
        elif org_is_unit and carry:
            org = carry + org
        roles.append((title, org))
        carry = org or carry
    return roles, carry


def _is_body(sent: str, a: int, b: int, tokens: list[nlp.Token]) -> bool:
    """Does ``sent[a:b]`` end like an organisation name (tagged ORG, or a unit suffix)?"""
    last = next((t for t in tokens if t.end == b and t.start >= a), None)
    return (last is not None and last.tag == "ORG") or sent[a:b].endswith(lexicons().org_suffixes)


def _split_parts(sent: str, left: int, right: int) -> list[tuple[int, int]]:
    """Split a chain at 、 (outside brackets), trimming spaces and position notes."""
    parts: list[tuple[int, int]] = []
    depth = 0
    start = left
    for i in range(left, right):
        ch = sent[i]
        if ch in "((":
            depth += 1
        elif ch in "))":
            depth = max(0, depth - 1)
        elif (ch == "、" or (ch == "兼" and _body_follows_jian(sent, i, right))) and depth == 0:
            parts.append((start, i))
            start = i + 1
    parts.append((start, right))
    out = []
    for k, (a, b) in enumerate(parts):
        while a < b and (sent[a].isspace() or sent[a] in CLAUSE_END):
            a += 1
        if k == 0:
            joiner = next((j for j in LIST_JOINERS[::-1] if sent.startswith(j, a)), "")
            a += len(joiner)
        while b > a and sent[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def _body_follows_jian(sent: str, i: int, right: int) -> bool:
    """``<机构1>副教授兼<机构2>委员``: 兼 after a post and before a new body starts a second
    post of its own; 兼 straight before a title (副会长兼秘书长) joins one post."""
    lex = lexicons()
    before = sent[:i]
    if not any(before.endswith(t) for t in lex.titles):
        return False
    rest = sent[i + 1 : right]
    for mod in lex.modifiers:
        if rest.startswith(mod):
            rest = rest[len(mod) :]
            break
    return not any(rest.startswith(t) for t in lex.titles)


def _parse_post(sent: str, a: int, b: int, tokens: list[nlp.Token]) -> tuple[str, str, bool] | None:
    """``(title, body, body_is_bare_unit)`` of one part ``sent[a:b]``, or None without a post."""
    lex = lexicons()
    part = sent[a:b]
    head = next((t for t in lex.titles_by_length if part.endswith(t)), None)
    if head is None:
        return None
    pos = b - len(head)
    starts = {t.start: t for t in tokens if a <= t.start and t.end <= b}
    ends = {t.end: t for t in tokens if a <= t.start and t.end <= b}
    while pos > a:
        before = sent[a:pos]
        mod = next((m for m in lex.modifiers if before.endswith(m)), None)
        if mod is not None:
            pos -= len(mod)
            continue
        if before.endswith("兼"):
            inner = next((t for t in lex.titles if before[:-1].endswith(t)), None)
            if inner is not None:
                pos -= 1 + len(inner)
                continue
        tok = ends.get(pos)
        if pos in starts and tok is not None and _title_word(tok, lex):
            pos = tok.start
            continue
        break
    org = sent[a:pos].strip()
    title = sent[pos:b]
    if org.startswith(("原", "前")) and pos in starts and a + 1 in starts:
        org, title = org[1:], org[0] + title
    unit = (
        bool(org)
        and len(org) <= 3
        and not any(t.tag in ("ORG", "LOC") for t in tokens if a <= t.start < pos)
    )
    return title, org, unit


def _title_word(tok: nlp.Token, lex: Lexicons) -> bool:
    """A word that can be part of a post title (咨询, 项目, 首席) rather than of the body."""
    if tok.tag in ("ORG", "LOC", "PER", "TIME", "w", "m", "p", "c", "u", "r", "q"):
        return False
    return not tok.word.endswith(lex.org_suffixes) and tok.word not in STOP_VERBS
