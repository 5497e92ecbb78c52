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

from . import nlp
from .dates import event_dates, find_dates, lead_at, leads
from .lexicons import alternation
from .meetings import date_near, dedupe, is_org_zh, norm, sentence_of, split_orgs_en

VERSION = "1.0.0"

_ZH_SIGN = re.compile(r"(?:正式|共同|分别|联合)?(?:签署|签订|签定|签约|签下|草签)了?")
_EN_SIGN = re.compile(r"\b(?:signed|inked|signing|sign)\b", re.IGNORECASE)
_TITLE = re.compile(r"《([^《》]{2,80})》")
_TERM = re.compile(r"(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})\s*年?")
_TERM_AFTER = re.compile(r"\s*[(（]\s*(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})")
_YEAR_LABEL = re.compile(r"(\d{4})\s*年度\s*$")
_COUNT = re.compile(r"[\d一二三四五六七八九十百两几多]+\s*[项份个部条类]\S{0,6}$")
_COLLECTIVE = re.compile(r"^[一二三四五六七八九十两几多]?(?:双方|三方|各方|多方|两地|三地|四地|"
                         r"[两三四五六七八九十]家|[两三四五六七八九十]个)")
_TRAILING_ADVERBS = re.compile(r"(?:还|也|又|均|都|正式|共同|分别|现场|当场|此前|已|已经|将|一起|"
                               r"同时|再次|首次|日前|近日)+$")
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


def _zh_parties(subject: str) -> list[str]:
    """The signatories named in the subject before a signing verb."""
    subject = _TRAILING_ADVERBS.sub("", subject.strip())
    subject = re.sub(r"等(?:单位|机构|部门|组织|多家单位)?$", "", subject)
    if _COLLECTIVE.match(subject):
        return []  # "双方", "三地民政局": who they are is said elsewhere
    parts = [p for p in _ZH_PARTY_JOINERS.split(subject) if p.strip()]
    found = [_person_or_org(p) for p in parts]
    if len(parts) > 1 and all(found):
        return [f for f in found if f]
    whole = _person_or_org(subject)
    return [whole] if whole else []


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
        parties = _zh_parties(subject)
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
                       r"(?!(?:" + _MONTHS + r")\b)[A-Z][\w'’-]*"
                       r"(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’-]*)*)?)", re.I)
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
    for f in sorted(kept, key=lambda x: x.start):
        date = date_near(dates, f.sent, f.verb, titles)
        if date is None:
            lead = lead_at(lead_list, f.start)
            date = lead.date if lead else None
        yield Agreement(title=f.title, parties=tuple(dedupe(f.parties)), date=date, term=f.term,
                        span=(f.start, f.end), evidence=text[f.sent[0]:f.sent[1]])


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register the agreements extractor (rules only; lexicons compiled once in setup)."""
    register(Extractor(name="agreements", version=VERSION, extract=extract,
                       emits=(Agreement,), setup=setup))
