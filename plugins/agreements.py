"""The ``agreements`` extractor: agreements, memoranda and action plans reported as signed.

News reports a signing with a small set of verbs (签署, 签订, 签定, signed) whose object is the
agreement: a 《》 title when the text gives one, else a noun phrase ending with an agreement
head (协议, 备忘录, agreement, memorandum … in ``data/agreement_heads.txt``); several joined
by 及/和 are several agreements, and a signing reported only by its ceremony ("甲、乙“…”合作
签约仪式") is titled by what was agreed.  The parties are who signed (``parties_zh``,
``parties_en``); "分别" pairs one party with each counterpart, and a list after "即:" gives
one agreement per pair.  A count ("九项合作协议") is a statistic, not an agreement, and a
short generic wording ("合作协议") folds into a fuller title of the same document that
contains it, keeping the date and the fuller parties any of its mentions gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from factfold import Agreement, Document, Extractor, hookimpl
from factfold.plugins.confidence import calibrated

from . import meetings, nlp, parties_en, parties_zh
from .dates import DateMention, event_dates, find_dates, lead_at, leads
from .fields import trim
from .lexicons import alternation
from .text import date_near, dedupe, norm, sentence_of

VERSION = "1.3.0"

# "…座谈,并现场签署了…": a clause that continues the sentence's subject.
_CONTINUED = re.compile(r"(?:并|并且|且|还|也|又|随后|同时|均)?")
_ZH_SIGN = re.compile(r"(?:正式|共同|分别|联合)?(?:签署|签订|签定|签约|签下|草签)[了过]?")
_EN_SIGN = re.compile(r"\b(?:signed|inked|signing|sign)\b", re.IGNORECASE)
# A signing still to come ("将签署", "拟签订", "will sign", "plans to sign") is not reported.
_ZH_NOT_YET = re.compile(r"(?:将|拟|计划|准备|有望|即将|将要|尚未|未能|没有|待)\s*$")
_EN_NOT_YET = re.compile(r"\b(?:will|would|shall|should|could|may|might|not|never|(?:plans?|"
                         r"planned|planning|expected|hopes?|hoping|intends?|due|set|yet|is|are)"
                         r"\s+to)"
                         r"\s+(?:\w+ly\s+)?(?:be\s+)?$", re.IGNORECASE)
_TITLE = re.compile(r"《([^《》]{2,80})》")
_TERM = re.compile(r"(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})\s*年?")
_TERM_AFTER = re.compile(r"\s*[(（]\s*(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})")
# A validity period stated beside the signing: "计划在2024—2026年间", "valid from 2024 to
# 2026", "2024-2026"; or as a length: "为期三年", "for a term of three years".
_TERM_ZH = re.compile(r"(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})\s*年")
_TERM_EN = re.compile(r"\b(?:from|between)\s+(\d{4})\s+(?:to|and|through|until|till)\s+(\d{4})\b"
                      r"|\b(\d{4})\s*[-–—]\s*(\d{4})\b")
# A term given as a length is copied as written ("三年", "three years"), the guidelines' rule.
_TERM_LENGTH = re.compile(r"(?:为期|有效期(?:为|是)?|期限(?:为|是)?)\s*"
                          r"((?:\d{1,2}|[一二两三四五六七八九十])\s*年)"
                          r"|\b(?:term|period|duration)\s+of\s+((?:\d{1,2}|one|two|three|four|five|"
                          r"six|seven|eight|nine|ten)\s+years?)\b|\bfor\s+((?:\d{1,2}|two|three|four|"
                          r"five|six|seven|eight|nine|ten)\s+years)\b", re.IGNORECASE)
_TERM_CUE = re.compile(r"有效期|期限|为期|计划|valid|term|period|duration|until|through",
                       re.IGNORECASE)
# "会上", "签约仪式上", "at the press conference": the signing took place at a meeting.
_AT_MEETING = re.compile(r"([\u4e00-\u9fff]{0,4}?(?:会|仪式|典礼|论坛|沙龙|活动))"
                         r"(?:上|中|期间|现场)"
                         r"|当天|当日|同日"
                         r"|\b(?:at|during)\s+the\s+(?:[\w-]+\s+){0,6}?(conference|forum|meeting|"
                         r"summit|ceremony|congress|seminar|symposium|event)\b", re.IGNORECASE)
_YEAR_LABEL = re.compile(r"(\d{4})\s*年度\s*$")
_COUNT = re.compile(r"[\d一二三四五六七八九十百两几多]+\s*[项份个部条类]\S{0,6}$")
@cache
def _head_re() -> re.Pattern[str]:
    heads = alternation("agreement_heads.txt")
    return re.compile(rf"(?:{heads})(?:\s*[(（][^()（）]*[)）])?$", re.IGNORECASE)


def setup() -> None:
    """Compile the lexicon patterns once per process."""
    _head_re()
    _obj_item_re()
    parties_zh.setup()
    parties_en.setup()


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
    distinct: bool = False  # one of several of the same wording, each with its own parties
    date: str | None = None
    more: list[tuple[int, int]] = field(default_factory=list)  # other sentences about it


def _zh_found(text: str, sents: list[tuple[int, int]]) -> list[_Found]:
    out = []
    pairs: list[tuple[int, list[str]]] | None = None
    for verb in _ZH_SIGN.finditer(text):
        if _ZH_NOT_YET.search(text, max(0, verb.start() - 4), verb.start()):
            continue
        sent = sentence_of(sents, verb.start())
        clause_start = max(sent[0],
                           *(text.rfind(p, sent[0], verb.start()) + 1 for p in ",，;；:：|｜"))
        subject = text[clause_start:verb.start()]
        if _CONTINUED.fullmatch(parties_zh.clean_subject(subject)):
            # "双方代表…座谈,并现场签署了…": the sentence's first clause holds the subject
            subject = next((c for c in re.split(r"[,，;；:：]", text[sent[0]:clause_start])
                            if parties_zh.clean_subject(c)), subject)
        parties = parties_zh.subject_parties(subject, text)
        if "双方" in subject:
            # "双方签署", "某某与某某代表双方签署": the two bodies the text pairs elsewhere
            if pairs is None:
                pairs = parties_zh.org_pairs(text)
            paired = [p for pos, p in pairs if pos < verb.start()] or [p for _, p in pairs[:1]]
            if paired and parties_zh.stands_for(parties, paired[-1]):
                parties = paired[-1]
        respective = bool(re.search(r"分别\s*$", subject)) or verb.group().startswith("分别")
        rest_end = min([e for e in (text.find(p, verb.end(), sent[1]) for p in "。;；")
                        if e >= 0], default=sent[1])
        titles = [m for m in _TITLE.finditer(text, verb.end(), rest_end)
                  if _head_re().search(m.group(1))]
        # 《…》 titles listed right after the verb belong to it; a later verb owns its own.
        nxt = _ZH_SIGN.search(text, verb.end(), rest_end)
        titles = [m for m in titles if nxt is None or m.start() < nxt.start()]
        items: list[tuple[int, int, str | None]] = []
        if titles:
            for m in titles:
                title = m.group(1).strip()
                term = _TERM.search(title)
                label = _YEAR_LABEL.search(text[verb.end():m.start()])
                items.append((m.start(1), m.start(1) + len(title),
                              f"{term.group(1)}-{term.group(2)}" if term
                              else label.group(1) if label else None))
        else:
            items = _untitled(text, verb.end(), rest_end)
        # "甲与乙、丙分别签订了X及Y": the first signs each agreement with one of the others.
        split = respective and len(items) > 1 and len(parties) == len(items) + 1
        found = [_Found(text[s0:s1], s0, s1, sent, verb.start(),
                        [parties[0], parties[i + 1]] if split else list(parties), term,
                        not titles, distinct=split)
                 for i, (s0, s1, term) in enumerate(items)]
        if titles:
            for f in found:
                f.parties = f.parties or parties_zh.parties_from_title(f.title)
        if len(found) == 1 and not found[0].parties:
            found = _listed(text, found[0]) or found
        out += found
    return out or _ceremony_found(text, sents)


# "甲基金会、乙公司“关爱基金”2023-2027合作签约仪式": a signing the text reports only by its
# ceremony; the words between the bodies and 签约 say what was agreed.
_CEREMONY = re.compile(r"签约(?:仪式|典礼)")


def _ceremony_found(text: str, sents: list[tuple[int, int]]) -> list[_Found]:
    for m in _CEREMONY.finditer(text):
        sent = sentence_of(sents, m.start())
        start = max(sent[0], *(text.rfind(p, sent[0], m.start()) + 1 for p in ",，;；:：|｜"))
        opening = parties_zh.opening_bodies(text[start:m.start()])
        if opening is None:
            continue
        pieces, rest = opening
        topic = re.sub(r"^(?:就|举行|举办|的)+", "", rest).strip()
        if 2 <= len(topic) <= 30 and not re.search(r"举行|举办|召开|[在于]", topic):
            s0 = text.rindex(topic, start, m.start())
            return [_Found(topic, s0, s0 + len(topic), sent, m.start(), pieces, None, True)]
    return []


# What may open an untitled agreement's name: a year label ("2024年度"), a length ("三年").
_OBJ_LEAD = re.compile(r"\s*(?:\d{4}\s*年度?\s*)?(?:为期)?"
                       r"(?:((?:\d{1,2}|[一二两三四五六七八九十])\s*年)(?![度前后来内])的?)?")
_OBJ_JOINER = re.compile(r"以及|[及和与、]")


@cache
def _obj_item_re() -> re.Pattern[str]:
    heads = alternation("agreement_heads.txt")
    return re.compile(rf"[^\s,，。;；、《》“”:：]{{0,30}}?(?:{heads})"
                      r"(?=以及|[及和与、]|[\s,，。;；:：并后以]|$)", re.IGNORECASE)


def _untitled(text: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
    """Agreements the verb names without 《》: "战略合作协议", "实习基地协议及合作框架协议"
    (two); a length before the name ("三年社会工作合作协议") is the term, as written."""
    if text.startswith("的", start):
        return []  # "与乙签订的协议": an agreement signed before, not reported here
    lead = _OBJ_LEAD.match(text, start, end)
    assert lead is not None  # every part is optional
    term = re.sub(r"\s+", "", lead.group(1)) if lead.group(1) else None
    out: list[tuple[int, int, str | None]] = []
    pos = lead.end()
    while (item := _obj_item_re().match(text, pos, end)) is not None:
        name = item.group()
        if len(name) < 2 or _COUNT.search(name):
            break
        out.append((item.start(), item.end(), term))
        joiner = _OBJ_JOINER.match(text, item.end(), end)
        if joiner is None:
            break
        pos = joiner.end()
    return out


# "…签订了共建协议,即:" / "如下:": the pairs that signed follow, one item a line.
_LIST_CUE = re.compile(r"[^。\n]{0,12}?(?:即|如下|分别是|分别为|包括)?\s*[:：]\s*$")
_LIST_PAIR = re.compile(r"\s*(?:\d{1,2}\s*[.、．]|[一二三四五六七八九十]+、|[-•·●])?\s*"
                        r"([^,，。;；:：]{6,80}?)(?=合作|签|共建|结对|携手|的|就|[,，。;；:：]|$)")


def _listed(text: str, f: _Found) -> list[_Found]:
    """Agreements of one wording that a list after the signing pairs up ("即:" then
    "甲基金会与乙民政局合作的…;" per line): one agreement per pair of bodies."""
    line_end = text.find("\n", f.end)
    line_end = len(text) if line_end < 0 else line_end
    if not _LIST_CUE.match(text, f.end, line_end):
        return []
    out = []
    pos = line_end + 1
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if line.strip():
            m = _LIST_PAIR.match(line)
            pieces = parties_zh.split_signers(m.group(1)) if m else None
            if not pieces or len(pieces) < 2 or not all(map(parties_zh.is_body, pieces)):
                break
            out.append(_Found(f.title, f.start, f.end, f.sent, f.verb, pieces, f.term,
                              f.generic, distinct=True))
        pos = end + 1
    return out if len(out) > 1 else []


_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December")
# After an article, or capitalised without one ("signed Memorandum of Understanding"); the
# words before the head name it, so a preposition there means the head belongs to another
# phrase ("a petition calling for the agreement").
_EN_TITLE = re.compile(r"\b(?:(?:the|a|an|two|three|new)\s+|(?=(?-i:[A-Z])))"
                       r"((?:(?!(?:for|to|that|which|who|of|on|in|at|by|with|from|about|"
                       r"against|calling|asking|urging)\s)[\w“”\"'’-]+\s+){0,10}?(?:"
                       r"agreement|memorandum(?:\s+of\s+understanding)?|MoU|MOU|accord|protocol|"
                       r"action\s+plan|contract|charter)(?:\s+(?:on|of|for)\s+(?:the\s+)?"
                       r"(?!(?:" + _MONTHS + r")\b)(?-i:[A-Z][\w'’-]*"
                       r"(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’-]*)*))?)", re.I)


_EN_OTHER_OBJECT = re.compile(r"\b(?:a|an|the)\s+(?-i:[a-z])", re.IGNORECASE)
# A full stop after an abbreviation ("Inc.", "Sept.", "N.") does not end an English sentence.
_EN_ABBREVIATION = re.compile(r"(?:\b(?:Inc|Ltd|Co|Corp|Jr|Sr|Dr|Mr|Mrs|Ms|Prof|St|No|Gov|Gen|"
                              r"Hon|Rep|Sen|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
                              r"|\b[A-Z])\.$")


# A later sentence about the signing already reported ("The MoU was signed by … at …").
_EN_REFERENCE = re.compile(r"\b(?:the|this|that)\s+(?:MoU|MOU|agreement|memorandum|accord|deal)"
                           r"\s+(?:was|were|has\s+been|had\s+been)\s+(?:\w+ly\s+)?$",
                           re.IGNORECASE)
_EN_SIGNED_FOR = re.compile(r"\s+(?:for|on\s+behalf\s+of)\s")


def _en_sentence(text: str, sents: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence around ``pos``, joined back across full stops of abbreviations."""
    sent = sentence_of(sents, pos)
    i = sents.index(sent) if sent in sents else 0
    start = sent[0]
    while i > 0 and _EN_ABBREVIATION.search(text, 0, sents[i - 1][1]) \
            and "\n" not in text[sents[i - 1][1]:start]:
        i -= 1
        start = sents[i][0]
    return start, sent[1]


def _en_found(text: str, sents: list[tuple[int, int]]) -> list[_Found]:
    out: list[_Found] = []
    for verb in _EN_SIGN.finditer(text):
        if _EN_NOT_YET.search(text, max(0, verb.start() - 30), verb.start()):
            continue
        sent = _en_sentence(text, sents, verb.start())
        after = text[verb.end():sent[1]]
        m = _EN_TITLE.search(after)
        if m is not None and _EN_OTHER_OBJECT.search(after, 0, m.start()):
            m = None  # "signed a petition calling for the agreement": another object first
        if m is None or m.start() > 60:
            if out and _EN_REFERENCE.search(text, sent[0], verb.start()):
                out[-1].more.append(sent)  # "The MoU was signed … on 20 October": when
            elif out and _EN_SIGNED_FOR.match(text, verb.end()):
                # "the Alpha Agency and the Beta College signed for the state": co-signers
                out[-1].parties += [p for p in parties_en.subject_parties(
                    text[sent[0]:verb.start()], text) if parties_en.is_body(p)]
            continue
        title = m.group(1).strip()
        # "a ceremonial Memorandum of Understanding": the name is the capitalised part
        named = re.search(r"(?<![\w-])(?-i:[A-Z])[\w-]*\s+\S", title)
        if named and named.start() and title[:named.start()].islower():
            title = title[named.start():]
        start = verb.end() + m.end(1) - len(title)
        others, complete = parties_en.counterpart_parties(text[start + len(title):sent[1]], text)
        parties = others if complete else (
            parties_en.subject_parties(text[sent[0]:verb.start()], text) + others)
        # A validity period in the title or in brackets right after it: "(2023-2025)".
        term = _TERM.search(title) or _TERM_AFTER.match(text, start + len(title))
        out.append(_Found(title, start, start + len(title), sent, verb.start(), parties,
                          f"{term.group(1)}-{term.group(2)}" if term else None,
                          title.lower() == title))
    return out


def _term(text: str, sents: list[tuple[int, int]], f: _Found) -> str | None:
    """A validity period the signing's sentence (or the next one, when it speaks of the term)
    states: years ("2024-2026"), or a length as written ("三年", "three years")."""
    last = sentence_of(sents, f.verb)
    i = sents.index(last) if last in sents else len(sents)
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
        if n:
            length = next(g for g in n.groups() if g)
            return re.sub(r"\s+", "" if n.group(1) else " ", length)
    return None


# "…2023-2027合作签约仪式": a year range in the name of the signing ceremony is the term.
_CEREMONY_TERM = re.compile(r"(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})\s*年?[^,，。;；\n]{0,20}?"
                            r"签约(?:仪式|典礼)")


def _ceremony_term(text: str) -> str | None:
    m = _CEREMONY_TERM.search(text)
    return f"{m.group(1)}-{m.group(2)}" if m and m.group(1) < m.group(2) else None


# "…签约仪式今日在京举行": the signing ceremony held; "今日" is the dateline's day
# ("北京5月25日讯", "…日电").
_CEREMONY_HELD = re.compile(r"签约(?:仪式|典礼)[^。；;\n]{0,20}?(?:举行|举办|召开)")
_TODAY = re.compile(r"今日|今天")


def _ceremony_date(text: str, sents: list[tuple[int, int]], dates: list[DateMention],
                   all_dates: list[DateMention]) -> str | None:
    """The day the text says its signing ceremony was held, for a signing not dated itself."""
    for m in _CEREMONY_HELD.finditer(text):
        sent = sentence_of(sents, m.start())
        date = date_near(dates, sent, m.start())
        if date is None and _TODAY.search(text, sent[0], m.end()):
            dateline = next((d for d in all_dates if text[d.end:d.end + 1] in ("讯", "电")
                             and d.start < sent[1]), None)
            date = dateline.iso if dateline else None
        if date:
            return date
    return None


def _meeting_date(document: Document, f: _Found, cache_: dict[str, list],
                  dates: list[DateMention]) -> str | None:
    """The date of the meeting a signing happened at ("会上", "此次活动中", "at the forum"):
    the one of that kind, else the nearest meeting before, else the first dated one; when
    no meeting is found, the first date that times an event before the signing (the
    article's main event, which "此次活动" points back to)."""
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
    if pick is not None:
        return pick.date
    first = next((d for d in dates if d.start < f.sent[0] and "-" in d.iso), None)
    return first.iso if first else None


def _fuller(names: list[str], than: list[str]) -> bool:
    """The same signatories written out more fully ("Alpha Way Worldwide" for "Alpha Way"),
    or with more of them (co-signers a later sentence adds)."""
    return len(names) >= len(than) and names != than and all(
        any(norm(b) in norm(a) for a in names) for b in than)


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
    held: dict[str, list] = {}
    last_date = None
    for f in found:  # each mention dated in its own sentence before wordings fold together
        f.date = (date_near(dates, f.sent, f.verb, titles)
                  or _meeting_date(document, f, held, dates))
        for sp in f.more:
            f.date = f.date or date_near(dates, sp, sp[1], titles)
        if f.date is None:
            lead = lead_at(lead_list, f.start)
            f.date = lead.date if lead else None
        # A later sentence about the same signing ("某某代表我院分别签订了…") keeps its date.
        f.date = f.date or last_date or _ceremony_date(text, sents, dates, all_dates)
        last_date = f.date
    kept: list[_Found] = []
    for f in sorted(found, key=lambda x: (x.generic, -len(x.title))):
        key = norm(f.title)
        same = next((k for k in kept if key in norm(k.title)
                     and not (k.distinct and f.distinct and k.parties != f.parties)), None)
        if same is not None:
            if not same.parties or _fuller(f.parties, same.parties):
                same.parties = f.parties
            same.date = same.date or f.date
            same.term = same.term or f.term
            continue
        kept.append(f)
    single = len(kept) == 1
    for f in sorted(kept, key=lambda x: x.start):
        term = f.term or _term(text, sents, f) or (_ceremony_term(text) if single else None)
        yield Agreement(title=f.title, parties=tuple(dedupe(filter(None, map(trim, f.parties)))),
                        date=f.date, term=term,
                        span=(f.start, f.end), evidence=text[f.sent[0]:f.sent[1]])


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register the agreements extractor (rules only; lexicons compiled once in setup)."""
    register(Extractor(name="agreements", version=VERSION, extract=calibrated(extract),
                       emits=(Agreement,), setup=setup))
