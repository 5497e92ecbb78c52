"""The ``agreements`` extractor: agreements, memoranda and action plans reported as signed.

News reports a signing with a small set of verbs (签署, 签订, 签定, signed) whose object is the
agreement: a 《》 title when the text gives one, else a noun phrase ending with an agreement
head (协议, 备忘录, agreement, memorandum … in ``data/agreement_heads.txt``).  The subject of
the verb gives the parties: organisations as written, or the people who signed ("机构+职务+
姓名" keeps the name).  A count ("九项合作协议") is a statistic, not an agreement, and a short
generic wording ("合作协议") folds into a fuller title of the same document that contains it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from factfold import Agreement, Document, Extractor, hookimpl

from . import meetings, nlp
from .dates import event_dates, find_dates, lead_at, leads
from .fields import trim
from .lexicons import alternation
from .meetings import date_near, dedupe, is_org_zh, norm, sentence_of, split_orgs_en

VERSION = "1.2.1"

_ZH_SIGN = re.compile(r"(?:正式|共同|分别|联合)?(?:签署|签订|签定|签约|签下|草签)[了过]?")
_EN_SIGN = re.compile(r"\b(?:signed|inked|signing|sign)\b", re.IGNORECASE)
_TITLE = re.compile(r"《([^《》]{2,80})》")
_TERM = re.compile(r"(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})\s*年?")
_TERM_AFTER = re.compile(r"\s*[(（]\s*(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})")
# A validity period stated beside the signing: "计划在2024—2026年间", "valid from 2024 to
# 2026", "2024-2026"; or as a length from the signing year: "为期三年", "for a term of three
# years" (the agreement runs until the same date N years on).
_TERM_ZH = re.compile(r"(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})\s*年")
_TERM_EN = re.compile(r"\b(?:from|between)\s+(\d{4})\s+(?:to|and|through|until|till)\s+(\d{4})\b"
                      r"|\b(\d{4})\s*[-–—]\s*(\d{4})\b")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4,
                 "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_TERM_LENGTH = re.compile(r"(?:为期|有效期(?:为|是)?|期限(?:为|是)?)\s*"
                          r"(\d{1,2}|[一二两三四五六七八九十])\s*年"
                          r"|\b(?:term|period|duration)\s+of\s+(\d{1,2}|one|two|three|four|five|"
                          r"six|seven|eight|nine|ten)\s+years?\b|\bfor\s+(\d{1,2}|two|three|four|"
                          r"five|six|seven|eight|nine|ten)\s+years\b", re.IGNORECASE)
_TERM_CUE = re.compile(r"有效期|期限|为期|计划|valid|term|period|duration|until|through",
                       re.IGNORECASE)
# "会上", "签约仪式上", "at the press conference": the signing took place at a meeting.
_AT_MEETING = re.compile(r"([\u4e00-\u9fff]{0,4}?(?:会|仪式|典礼|论坛|沙龙))(?:上|期间|现场)"
                         r"|当天|当日|同日"
                         r"|\b(?:at|during)\s+the\s+(?:[\w-]+\s+){0,6}?(conference|forum|meeting|"
                         r"summit|ceremony|congress|seminar|symposium|event)\b", re.IGNORECASE)
_YEAR_LABEL = re.compile(r"(\d{4})\s*年度\s*$")
_COUNT = re.compile(r"[\d一二三四五六七八九十百两几多]+\s*[项份个部条类]\S{0,6}$")
_COLLECTIVE = re.compile(r"^[一二三四五六七八九十两几多]?(?:双方|三方|各方|多方|两地|三地|四地|"
                         r"[两三四五六七八九十]家|[两三四五六七八九十]个)")
_TRAILING_ADVERBS = re.compile(r"(?:还|也|又|均|都|正式|共同|分别|现场|当场|此前|已|已经|将|一起|"
                               r"同时|再次|首次|日前|近日|曾经|曾)+$")
# "A与B分别代表双方签署": the people sign on behalf of the bodies they belong to.
_ON_BEHALF = re.compile(r"(?:分别)?代表(?:双方|三方|各方|各自单位|本单位|所在单位|两地)?$")
# A topic or place phrase inside the subject ("甲联合会就人才培养与乙学院…", "…在某地…"):
# it ends before the next party or at the verb.
_SUBJECT_PHRASE = re.compile(r"(?:就|围绕|针对|在|于)[^与和同跟、]{0,30}?(?=[与和同跟]|$)")
_ZH_PARTY_JOINERS = re.compile(r"分别与|分别同|以及|[、和与及同跟]")


@cache
def _head_re() -> re.Pattern[str]:
    heads = alternation("agreement_heads.txt")
    return re.compile(rf"(?:{heads})(?:\s*[(（][^()（）]*[)）])?$", re.IGNORECASE)


@cache
def _title_suffix_re() -> re.Pattern[str]:
    return re.compile(alternation("title_suffixes_zh.txt"))


def setup() -> None:
    """Compile the lexicon patterns once per process."""
    _head_re()
    _title_suffix_re()
    _post_re()
    _post_start_re()


def _person_or_org(piece: str) -> str | None:
    """A signatory as written: an organisation, a bare name, or the name after a post title."""
    piece = piece.strip(" 　“”")
    if is_org_zh(piece):
        return piece
    if re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", piece) and not _title_suffix_re().search(piece):
        return piece
    last = None
    for m in _title_suffix_re().finditer(piece):
        last = m
    if last is not None:
        name = piece[last.end():]
        if re.fullmatch(r"[\u4e00-\u9fff]{2,3}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff·]{1,10}", name):
            return name
    return None


def _zh_parties(subject: str, text: str) -> list[str]:
    """The signatories named in the subject before a signing verb; people signing on behalf
    of their bodies ("…分别代表双方") stand for the bodies the text puts them in."""
    subject = _TRAILING_ADVERBS.sub("", subject.strip())
    behalf = _ON_BEHALF.search(subject)
    subject = _TRAILING_ADVERBS.sub("", _ON_BEHALF.sub("", subject))
    subject = _SUBJECT_PHRASE.sub("", subject)
    subject = re.sub(r"等(?:单位|机构|部门|组织|多家单位)?$", "", subject)
    if _COLLECTIVE.match(subject):
        return []  # "双方", "三地民政局": who they are is said elsewhere
    parts: list[str] = []
    for p in (p for p in _ZH_PARTY_JOINERS.split(subject) if p.strip()):
        if parts and _post_re().search(parts[-1]) and _post_start_re().match(p):
            parts[-1] += "、" + p  # "党委常委、副校长某某": one signer with two posts
        else:
            parts.append(p)
    mixed = len({is_org_zh(p.strip(" 　“”")) for p in parts}) > 1  # "甲协会与乙大学副校长某某"
    if (behalf or mixed) and parts:
        bodies = [_body_of(p, text) for p in parts]
        if all(bodies):
            return [b for b in bodies if b]
    found = [_person_or_org(p) for p in parts]
    if len(parts) > 1 and all(found):
        return [f for f in found if f]
    whole = _person_or_org(subject)
    return [whole] if whole else []


@cache
def _post_re() -> re.Pattern[str]:
    """A post title with its modifiers, standing at the end of a text ("副会长", "秘书长")."""
    mods = alternation("people_title_modifiers_zh.txt")
    return re.compile(rf"(?:{mods})*(?:{alternation('people_titles_zh.txt')})$")


@cache
def _post_start_re() -> re.Pattern[str]:
    """A post title opening a text ("副校长某某")."""
    mods = alternation("people_title_modifiers_zh.txt")
    return re.compile(rf"(?:{mods})*(?:{alternation('people_titles_zh.txt')})")


def _split_post(text: str) -> str | None:
    """The body in "<body><post>" (甲协会副会长 -> 甲协会), if the text ends so."""
    post = _post_re().search(text)
    if post is None:
        return None
    head = text[:post.start()]
    for _ in range(3):  # "甲大学党委常委、副校长": a chain of posts
        head = head.rstrip("、 ")
        more = _post_re().search(head)
        if more is None:
            break
        head = head[:more.start()]
    body = re.split(r"[\s,，。;；:：、“”()（）]", head)[-1]
    while body and not is_org_zh(body):
        body = body[1:]  # a verb or time word before the body: "会见甲协会" -> "甲协会"
        if len(body) < 3:
            return None
    return body or None


def _body_of(piece: str, text: str) -> str | None:
    """The organisation a signer represents: given before the post in the subject
    ("甲协会会长王明"), else where the text introduces the person; else the person."""
    piece = piece.strip(" 　“”")
    if is_org_zh(piece):
        return piece
    name = _person_or_org(piece)
    if name is None:
        return None
    body = _split_post(piece[:len(piece) - len(name)]) if piece != name else None
    pos = text.find(name)
    while body is None and pos >= 0:
        body = _split_post(text[max(0, pos - 40):pos])
        pos = text.find(name, pos + 1)
    return body or name


def _parties_from_title(title: str) -> list[str]:
    """"A B C共同推动…协议", "A与B关于…的协议": the signatories a title starts with."""
    m = re.match(r"(.{4,80}?)(?:共同|关于|联合|合作|战略)", title)
    if not m:
        return []
    parts = [p for p in re.split(r"[\s、和与及]+", m.group(1)) if p]
    return parts if len(parts) > 1 and all(is_org_zh(p) for p in parts) else []


@dataclass
class _Found:
    title: str
    start: int
    end: int
    sent: tuple[int, int]
    verb: int
    parties: list[str] = field(default_factory=list)
    term: str | None = None
    generic: bool = False


def _zh_found(text: str, sents: list[tuple[int, int]]) -> list[_Found]:
    out = []
    for verb in _ZH_SIGN.finditer(text):
        sent = sentence_of(sents, verb.start())
        clause_start = max(sent[0],
                           *(text.rfind(p, sent[0], verb.start()) + 1 for p in ",，;；:："))
        subject = text[clause_start:verb.start()]
        parties = _zh_parties(subject, text)
        rest_end = min([e for e in (text.find(p, verb.end(), sent[1]) for p in "。;；")
                        if e >= 0], default=sent[1])
        titles = [m for m in _TITLE.finditer(text, verb.end(), rest_end)
                  if _head_re().search(m.group(1))]
        # 《…》 titles listed right after the verb belong to it; a later verb owns its own.
        nxt = _ZH_SIGN.search(text, verb.end(), rest_end)
        titles = [m for m in titles if nxt is None or m.start() < nxt.start()]
        if not titles:
            obj = re.match(r"\s*(?:\d{4}\s*年度?\s*)?([^\s,，。;；、《》“”:：]{2,30}?)"
                           r"(?=[\s,，。;；、:：]|$|[并和及，后以])", text[verb.end():rest_end])
            if obj and _head_re().search(obj.group(1)) and not _COUNT.search(obj.group(1)):
                s = verb.end() + obj.start(1)
                out.append(_Found(obj.group(1), s, s + len(obj.group(1)), sent, verb.start(),
                                  parties, None, True))
            continue
        for m in titles:
            between = text[verb.end():m.start()]
            title = m.group(1).strip()
            term = _TERM.search(title)
            label = _YEAR_LABEL.search(between)
            term_text = (f"{term.group(1)}-{term.group(2)}" if term
                         else label.group(1) if label else None)
            who = parties or _parties_from_title(title)
            out.append(_Found(title, m.start(1), m.end(1), sent, verb.start(), who, term_text))
    return out


_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December")
_EN_TITLE = re.compile(r"\b(?:the|a|an|two|three|new)\s+((?:[\w“”\"'’-]+\s+){0,10}?(?:"
                       r"agreement|memorandum(?:\s+of\s+understanding)?|MoU|MOU|accord|protocol|"
                       r"action\s+plan|contract|charter)(?:\s+(?:on|of|for)\s+(?:the\s+)?"
                       r"(?!(?:" + _MONTHS + r")\b)(?-i:[A-Z][\w'’-]*"
                       r"(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’-]*)*))?)", re.I)
_EN_WITH = re.compile(r"\bwith\s+(?:the\s+)?([A-Z][\w'’&.-]*(?:\s+(?:of\s+|and\s+|for\s+|the\s+)?"
                      r"[A-Z][\w'’&.-]*)*)")


def _en_found(text: str, sents: list[tuple[int, int]]) -> list[_Found]:
    out = []
    for verb in _EN_SIGN.finditer(text):
        sent = sentence_of(sents, verb.start())
        after = text[verb.end():sent[1]]
        m = _EN_TITLE.search(after)
        if m is None or m.start() > 60:
            continue
        title = m.group(1).strip()
        start = verb.end() + m.start(1)
        clause = re.split(r"[,;:]", text[sent[0]:verb.start()])[-1]
        clause = re.sub(r"\b(?:have|has|had|was|were|also|jointly|formally|officially)\s*$",
                        "", clause.strip()).strip()
        parties = split_orgs_en(clause)
        with_ = _EN_WITH.search(after)
        if with_:
            parties += split_orgs_en(with_.group(1))
        parties = [p for p in parties if p[:1].isupper()]  # "the two sides" names no one
        # A validity period in the title or in brackets right after it: "(2023-2025)".
        term = _TERM.search(title) or _TERM_AFTER.match(text, start + len(title))
        out.append(_Found(title, start, start + len(title), sent, verb.start(), parties,
                          f"{term.group(1)}-{term.group(2)}" if term else None,
                          title.lower() == title))
    return out


def _term(text: str, sents: list[tuple[int, int]], f: _Found, date: str | None) -> str | None:
    """A validity period the signing's sentence (or the next one, when it speaks of the term)
    states: years as written, or a length counted from the signing year."""
    i = sents.index(f.sent)
    spans = [f.sent, sents[i + 1]] if i + 1 < len(sents) else [f.sent]
    for k, (s0, s1) in enumerate(spans):
        part = text[s0:s1]
        if k and not _TERM_CUE.search(part):
            break
        m = _TERM_ZH.search(part) or _TERM_EN.search(part)
        if m:
            years = [g for g in m.groups() if g]
            if years[0] < years[1]:
                return f"{years[0]}-{years[1]}"
        n = _TERM_LENGTH.search(part)
        if n and date and date[:4].isdigit():
            word = next(g for g in n.groups() if g).lower()
            length = int(word) if word.isdigit() else _NUMBER_WORDS[word]
            return f"{date[:4]}-{int(date[:4]) + length}"
    return None


def _meeting_date(document: Document, f: _Found, cache_: dict[str, list]) -> str | None:
    """The date of the meeting a signing happened at ("会上", "在发布会上", "at the forum"):
    the one of that kind, else the nearest meeting before, else the first dated one."""
    text = document.text
    m = _AT_MEETING.search(text, f.sent[0], f.verb)
    if m is None:
        return None
    if "all" not in cache_:
        cache_["all"] = [x for x in meetings.extract(document) if x.date]
    held = cache_["all"]
    kind = norm(m.group(1) or m.group(2) or "")
    kind = kind.removeprefix("此次").removeprefix("本次")
    same = [x for x in held if len(kind) > 1 and norm(x.name).endswith(kind)]
    before = [x for x in held if x.span[0] < f.start]
    pick = (same or before[-1:] or held or [None])[0]
    return pick.date if pick else None


def extract(document: Document) -> Iterator[Agreement]:
    """Agreements the document reports as signed, one fact per distinct agreement."""
    text = document.text
    sents = nlp.sentences(text)
    zh = nlp.script(text[:4000]) == "zh"
    found = _zh_found(text, sents) if zh else _en_found(text, sents)
    if not found:
        return
    all_dates = find_dates(text)
    dates = event_dates(text, all_dates)
    lead_list = leads(text, all_dates)
    titles = [(f.start, f.end) for f in found]
    kept: list[_Found] = []
    for f in sorted(found, key=lambda x: (x.generic, -len(x.title))):
        key = norm(f.title)
        same = next((k for k in kept if key in norm(k.title)), None)
        if same is not None:
            same.parties = same.parties or f.parties
            continue
        kept.append(f)
    held: dict[str, list] = {}
    for f in sorted(kept, key=lambda x: x.start):
        date = date_near(dates, f.sent, f.verb, titles) or _meeting_date(document, f, held)
        if date is None:
            lead = lead_at(lead_list, f.start)
            date = lead.date if lead else None
        term = f.term or _term(text, sents, f, date)
        yield Agreement(title=f.title, parties=tuple(dedupe(filter(None, map(trim, f.parties)))),
                        date=date, term=term,
                        span=(f.start, f.end), evidence=text[f.sent[0]:f.sent[1]])


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register the agreements extractor (rules only; lexicons compiled once in setup)."""
    register(Extractor(name="agreements", version=VERSION, extract=extract,
                       emits=(Agreement,), setup=setup))
