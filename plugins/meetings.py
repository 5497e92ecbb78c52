"""The ``meetings`` extractor: forums, congresses, seminars, board meetings reported as held.

Rules over the shape of news writing rather than a tagger: a meeting name ends with a head
noun (论坛, 研讨会, Forum, Symposium … in ``data/meeting_heads_*.txt``) and reaches left to
the verb, preposition or punctuation that precedes it ("在" / "举办" / "the" / ","); a quoted
name is taken whole.  Every mention is folded into one fact per distinct meeting: shorter
forms ("大会", "this forum", "研讨会") attach to the nearest named meeting with the same head
and a compatible ordinal (第二届 is not 首届).  Date, place and organisers come from the
sentences of a meeting's mentions; an undated main event takes the time of the paragraph
lead that introduces it ("8月26日,…").  Chinese and English are routed by script, since the
two need different rules: ``meetings_zh`` and ``meetings_en`` find the mentions
(``meetings_mention``) and read each sentence's place and hosts, with the text helpers the
agreements extractor uses too (``text``); this module folds the mentions into meetings and
gives each its date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

from factfold import Document, Extractor, Meeting, hookimpl
from factfold.plugins.confidence import calibrated

from . import meetings_en as en
from . import meetings_zh as zh
from . import nlp
from .dates import DateMention, Lead, event_dates, find_dates, lead_at, leads
from .fields import trim
from .lexicons import lexicon
from .meetings_mention import Mention, ordinal
from .text import dedupe, dice, join_wrapped, norm, sentence_of, unwrap, written

VERSION = "1.3.0"


def setup() -> None:
    """Compile the lexicon patterns once per process, before the first document."""
    zh.setup()
    en.setup()


@dataclass
class _Cluster:
    name: str
    start: int
    end: int
    head: str
    mentions: list[Mention] = field(default_factory=list)


# --------------------------------------------------------------------------- folding


def _narrower(head: str, other: str) -> bool:
    """Whether ``head`` is a more specific event type than ``other`` (a press conference is
    not the Conference the article is about)."""
    return len(head) > len(other) and norm(head).endswith(norm(other))


def _bodies(name: str) -> frozenset[str]:
    """The governing bodies a meeting name belongs to (理事会, 监事会, board …)."""
    return frozenset(b for b in lexicon("council_heads_zh.txt") if b in name) | frozenset(
        b for b in ("board", "council", "committee") if b in name.lower())


def _outermost(mentions: list[Mention]) -> list[Mention]:
    """The mentions not inside a longer one: "X Conference" within "X Conference and General
    Meeting of Y", "…年会" within "…年会暨…研讨会", is a part of that name, not a meeting."""
    out: list[Mention] = []
    reach = -1
    for men in sorted(mentions, key=lambda x: (x.start, -x.end)):
        if men.end > reach:
            out.append(men)
            reach = men.end
    return out


_PARTS = re.compile(r"\s+and\s+(?:the\s+)?|暨")


def _has_part(name: str, key: str) -> bool:
    """Whether a joint name ("A Symposium and the B Ceremony", "A会暨B会") has a part ending
    with ``key`` (a generic "the symposium" refers to it)."""
    return any(norm(part).endswith(key) for part in _PARTS.split(name))


def _fold(mentions: list[Mention]) -> list[_Cluster]:
    """One cluster per distinct meeting; generic mentions attach to a named referent."""
    clusters: list[_Cluster] = []
    for men in _outermost(mentions):
        key = norm(men.name)
        num = ordinal(men.name)
        if men.generic:
            target = next((c for c in reversed(clusters)
                           if (key == "会议" or _has_part(c.name, key)
                               or key.endswith(norm(c.head))
                               or norm(c.head).endswith(key))
                           and not _narrower(men.head, c.head)
                           and num in (None, ordinal(c.name))), None)
            bare = norm(zh.strip_edition(men.name)) == norm(men.head) or (
                men.name.islower() and men.name.endswith(men.head))  # "annual press conference"
            # "出席座谈会" reports a meeting only in an article that has reported none before
            if target is None and (men.hosted or (men.cue and not clusters)) and bare \
                    and men.head not in ("会议", "meeting"):
                target = next((c for c in clusters if norm(c.name) == key), None)
                if target is None:
                    clusters.append(_Cluster(men.name, men.start, men.end, men.head))
                    target = clusters[-1]
            if target is not None:
                target.mentions.append(men)
            continue
        best, best_sim = None, 0.0
        for c in clusters:
            ckey = norm(c.name)
            if num is not None and ordinal(c.name) not in (None, num):
                continue
            if _bodies(men.name) != _bodies(c.name):
                continue  # 理事会第一次会议 and 监事会第一次会议 are two meetings
            sim = 1.0 if key in ckey or ckey in key else dice(key, ckey)
            if sim >= 0.75 and sim > best_sim:
                best, best_sim = c, sim
        if best is None:
            best = _Cluster(men.name, men.start, men.end, men.head)
            clusters.append(best)
        elif len(key) > len(norm(best.name)):
            best.name, best.start, best.end = men.name, men.start, men.end
        best.mentions.append(men)
    return [c for c in clusters if c.mentions and not all(x.echo for x in c.mentions)]


_HEADLINE_MAX = 80


def headline(text: str) -> tuple[int, int]:
    """The span of the article's headline: its first line when that line is short and is not
    a sentence of the body ((0, 0) when there is none)."""
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    line = text[start:end].rstrip()
    if not line or len(line) > _HEADLINE_MAX or re.search(r"[。！？!?]|\.\s", line):
        return 0, 0
    return start, start + len(line)


def _fold_headline(clusters: list[_Cluster], title: tuple[int, int]) -> list[_Cluster]:
    """A meeting named only in the headline is the body's report of it in other words ("A
    举行签约暨揭牌仪式" over "A与B合作共建签约仪式在…举行"): fold it into the body's meeting of
    the same kind, else into the first body meeting whose name shares wording with it."""
    def in_title(c: _Cluster) -> bool:
        return all(title[0] <= m.start < title[1] for m in c.mentions)

    body = [c for c in clusters if not in_title(c)]
    out = []
    for c in clusters:
        if c in body or not body:
            out.append(c)
            continue
        target = next((b for b in body if norm(b.head) == norm(c.head)), None) or next(
            (b for b in body if dice(norm(b.name), norm(c.name)) >= 0.2), None)
        if target is None:
            out.append(c)
        else:
            target.mentions.extend(c.mentions)
    return out



# A meeting held on the day of (or during) the one reported before it.
_SAME_DAY = re.compile(r"当天|当日|同日|同天|会前|会后|会议期间|大会期间|随后|随即|"
                       r"(?:仪式|签约|活动|会议)(?:结束)?后|"
                       r"\bthe same day\b|"
                       r"\bon the sidelines\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,，;；。:：!！?？]")


# A quoted title ("a report on “… in 2015”", 《2023年…报告》): its dates label it.
_TITLE = re.compile(r"“[^“”]{1,200}”|《[^《》]{1,100}》|\"[^\"]{1,200}\"")


def _mention_date(text: str, dates: list[DateMention], sent: tuple[int, int], men: Mention,
                  names: list[tuple[int, int]]) -> tuple[int, str] | None:
    """The date a mention's sentence gives the meeting, ranked by how closely it is tied to it.

    3: the date stands right before the name ("2019年首届论坛", "In 2019, the first X");
    2: it is in the mention's own clause or opens the sentence ("12月2日,X在…召开");
    1: it is elsewhere in the sentence (nearest before, else first after).
    A date lacking the month or day is completed from a compatible date of the same clause
    ("2019年首届论坛11月在东莞召开" -> 2019-11).
    """
    titles = [m.span() for m in _TITLE.finditer(text, sent[0], sent[1])]
    inside = [d for d in dates if sent[0] <= d.start and d.end <= sent[1]
              and not any(s <= d.start < e for s, e in names + titles)]
    if not inside:
        return None
    lo = max([m.end() for m in _CLAUSE_END.finditer(text, sent[0], men.start)], default=sent[0])
    hi_m = _CLAUSE_END.search(text, men.end, sent[1])
    hi = hi_m.start() if hi_m else sent[1]
    clause = [d for d in inside if lo <= d.start and d.end <= hi]
    adjacent = [d for d in inside if 0 <= men.start - d.end <= 2
                and not text[d.end:men.start].strip(" ,，")]
    opening = [d for d in inside if not text[sent[0]:d.start].strip().removesuffix("In")
               .removesuffix("On").strip() and text[d.end:d.end + 1] in ",，"]
    before = [d for d in inside if d.end <= men.start]
    if adjacent:
        rank, pick = 3, adjacent[-1]
    elif clause or opening:
        near = [d for d in clause if d.end <= men.start]
        rank, pick = 2, (near[-1] if near else clause[0] if clause else opening[0])
    else:
        rank, pick = 1, (before[-1] if before else inside[0])
    return rank, _complete(pick.iso, [d.iso for d in clause + opening if d is not pick])


def _complete(value: str, others: list[str]) -> str:
    """``value`` with the month/day (or the year) of a compatible, more specific date."""
    year, _, rest = value.partition("-") if not value.startswith("--") else ("", "", value[2:])
    for other in others:
        o_year, _, o_rest = (other.partition("-") if not other.startswith("--")
                             else ("", "", other[2:]))
        if year and not rest and o_rest and o_year in ("", year):
            return f"{year}-{o_rest}"
        if not year and o_year and not o_rest:
            return f"{o_year}-{rest}"
    return value


# The year in a meeting's own name dates it ("2023中国社会工作年会", "Forum 2023"); a year
# of review ("2019年度表彰会") or a term ("2021-2025") does not.
_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?!\s*年\s*度)(?!\s*[-–—/~至到]\s*\d)")


def extract(document: Document) -> Iterator[Meeting]:
    """Meetings held that ``document`` reports, one fact per distinct meeting."""
    is_zh = nlp.script(document.text[:4000]) == "zh"
    sents = join_wrapped(document.text, nlp.sentences(document.text))
    text = unwrap(document.text, sents)
    lang = zh if is_zh else en
    mentions = zh.mentions(text) if is_zh else en.mentions(text, sents)
    if not mentions:
        return
    all_dates = find_dates(text)
    # A date right before a meeting's name ("2019年首届论坛") times that meeting, though it
    # reads as a label of the noun after it.
    starts = {x.start for x in mentions} | {x.start - 1 for x in mentions}
    dates = sorted(set(event_dates(text, all_dates)) | {d for d in all_dates if d.end in starts})
    lead_list: list[Lead] = leads(text, all_dates)
    clusters = _fold_headline(_fold(mentions), headline(text))
    names = [(x.start, x.end) for x in mentions]
    # Which meeting each mentioning sentence is about: its first mention's.
    about: dict[tuple[int, int], _Cluster] = {}
    pairs = sorted(((m, c) for c in clusters for m in c.mentions), key=lambda x: x[0].start)
    for men, owner in pairs:
        about.setdefault(sentence_of(sents, men.start), owner)
    orphans = _orphan_organizers(text, sents, about, lang)
    last_date: str | None = None  # of the meeting before, for "当天", "the same day"
    for c in clusters:
        c.mentions.sort(key=lambda x: x.start)
        date = location = None
        organizers: list[str] = []
        best_rank = 0
        same_day = False
        for men in c.mentions:
            sent = sentence_of(sents, men.start)
            ranked = _mention_date(text, dates, sent, men, names)
            if ranked is not None and ranked[0] > best_rank:
                best_rank, date = ranked
            same_day = same_day or bool(_SAME_DAY.search(text, sent[0], sent[1]))
            place = lang.location(text, sent, men)
            if place and (location is None or zh.place_rank(place) > zh.place_rank(location)):
                location = place
            organizers += lang.organizers(text, sent, men)
        if date is None and same_day:
            date = last_date
        if date is None:
            # where the text names the meeting in full is in its scene; a headline (and a
            # repeat of it) stands before every lead
            lead = lead_at(lead_list, c.start)
            if lead is not None:
                date = lead.date
                location = location or lead.place
        organizers += orphans.get(id(c), [])
        if location and zh.is_relative(location):
            location = zh.resolve_relative(location, organizers)
        # "2023中国社会工作年会", "Forum 2023", in any of the names the text gives it
        year = next(filter(None, (_NAME_YEAR.search(x.name) for x in c.mentions)), None)
        if year and date and date.startswith("--"):
            date = year.group(1) + date[1:]
        last_date = date or last_date
        sent = sentence_of(sents, c.start)
        yield Meeting(name=written(c.name).strip(), date=date,
                      location=written(location) if location else None,
                      organizers=tuple(dedupe(filter(None, (trim(written(o))
                                                            for o in organizers)))),
                      span=(c.start, c.end),
                      evidence=document.text[sent[0]:sent[1]])


def _orphan_organizers(text: str, sents: list[tuple[int, int]],
                       about: dict[tuple[int, int], _Cluster],
                       lang: ModuleType) -> dict[int, list[str]]:
    """Organisers in a sentence with no meeting mention ("It was jointly hosted by …"), keyed
    by ``id`` of the meeting that the previous mentioning sentence is about."""
    out: dict[int, list[str]] = {}
    for i, sent in enumerate(sents):
        if sent in about:
            continue
        found = lang.orphan_hosts(text[sent[0]:sent[1]])
        prev = next((sents[j] for j in range(i - 1, max(-1, i - 3), -1) if sents[j] in about),
                    None) if found else None
        if prev is not None:
            out.setdefault(id(about[prev]), []).extend(found)
    return out


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register the meetings extractor (rules only: no model to load, lexicons compiled once)."""
    register(Extractor(name="meetings", version=VERSION, extract=calibrated(extract),
                       emits=(Meeting,),
                       setup=setup))
