"""The ``meetings`` extractor: forums, congresses, seminars, board meetings reported as held.

Rules over the shape of news writing rather than a tagger: a meeting name ends with a head
noun (论坛, 研讨会, Forum, Symposium … in ``data/meeting_heads_*.txt``) and reaches left to
the verb, preposition or punctuation that precedes it ("在" / "举办" / "the" / ","); a quoted
name is taken whole.  Every mention is folded into one fact per distinct meeting: shorter
forms ("大会", "this forum", "研讨会") attach to the nearest named meeting with the same head
and a compatible ordinal (第二届 is not 首届).  Date, place and organisers come from the
sentences of a meeting's mentions; an undated main event takes the time of the paragraph
lead that introduces it ("8月26日,…").  Chinese and English are routed by script, since the
two need different rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from factfold import Document, Extractor, Meeting, hookimpl

from . import nlp
from .dates import DateMention, Lead, event_dates, find_dates, lead_at, leads
from .lexicons import alternation, lexicon

VERSION = "1.3.0"


# --------------------------------------------------------------------------- lexicons


@cache
def _zh_head_re() -> re.Pattern[str]:
    return re.compile(f"{alternation('meeting_heads_zh.txt')}|{alternation('event_heads_zh.txt')}")


@cache
def _en_head_re() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation('meeting_heads_en.txt')})\b(?!-)", re.IGNORECASE)


@cache
def _org_suffix_re() -> re.Pattern[str]:
    return re.compile(f"(?:{alternation('org_suffixes_zh.txt')})$")


@cache
def _zh_head_end_re() -> re.Pattern[str]:
    return re.compile(f"(?:{alternation('meeting_heads_zh.txt')})$")


_ZH_LIST_JOINER = re.compile(r"以及|[和与及、]")


def setup() -> None:
    """Compile the lexicon patterns once per process, before the first document."""
    _zh_head_re()
    _zh_head_end_re()
    _en_head_re()
    _org_suffix_re()
    _en_person_words()


# --------------------------------------------------------------------------- shared helpers

_QUOTES = {"”": "“", "’": "‘", "」": "「", "』": "『", '"': '"', "》": "《"}
# Stands in for a line break that the page layout put inside a sentence, so that offsets stay
# those of the document while names and places read across the break.
WRAP = "\u2060"
_DROP = re.compile(rf"[\s“”‘’\"'「」『』《》{WRAP}]")
_WRAP_RUN = re.compile(r"[ \t　]*\n[\s　]*")


_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_WRAPPED_LINE = 30  # a shorter unpunctuated line is a title or caption, not a cut paragraph


def join_wrapped(text: str, sents: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans with the lines of a hard-wrapped Chinese paragraph (PDF text: a single
    line break inside a word, after a long unpunctuated line) joined again."""
    out: list[tuple[int, int]] = []
    for s, e in sents:
        if out:
            ps, pe = out[-1]
            line_start = text.rfind("\n", 0, pe) + 1
            if (text[pe:s].strip(" \t　") == "\n" and pe - line_start >= _WRAPPED_LINE
                    and _CJK_CHAR.match(text, pe - 1) and _CJK_CHAR.match(text, s)):
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    return out


def unwrap(text: str, sents: list[tuple[int, int]]) -> str:
    """``text`` with each line break inside a sentence (``nlp.sentences`` already judged it
    a layout break) and the blanks around it replaced by ``WRAP``, one for one."""
    chars = list(text)
    for s, e in sents:
        for m in _WRAP_RUN.finditer(text, s, e):
            chars[m.start():m.end()] = WRAP * (m.end() - m.start())
    return "".join(chars)


def written(text: str) -> str:
    """A span of the unwrapped text as the document reads it, without layout breaks."""
    return text.replace(WRAP, "")


def norm(name: str) -> str:
    """Comparable form of a name: no spaces or quotes, case-folded."""
    return _DROP.sub("", name).casefold()


def dice(a: str, b: str) -> float:
    """Character-bigram overlap of two normalised names (how alike two wordings are)."""
    ba = [a[i:i + 2] for i in range(len(a) - 1)]
    bb = [b[i:i + 2] for i in range(len(b) - 1)]
    if not ba or not bb:
        return 0.0
    rest = list(bb)
    common = 0
    for g in ba:
        if g in rest:
            rest.remove(g)
            common += 1
    return 2 * common / (len(ba) + len(bb))


def is_org_zh(name: str) -> bool:
    """Whether a Chinese phrase ends like an organisation name (协会, 民政局, 大学 …)."""
    core = re.sub(r"[(（][^()（）]*[)）]$", "", name).strip()
    return 3 <= len(core) <= 40 and bool(_org_suffix_re().search(core))


_ZH_ALIAS_NOTE = re.compile(r"[(（](?:以下)?简称[^()（）]*[)）]")  # "(简称“某某”)"
_ZH_JOINERS = re.compile(r"分别与|分别同|以及|联合|携手|会同|[和与及同跟]")


def split_orgs_zh(text: str) -> list[str]:
    """Split a Chinese list of organisations ("A、B和C") into names that look like orgs.

    和/与/及 also occur inside names (人力资源和社会保障部), so a piece is split on them only
    when every part is itself an organisation.
    """
    text = _ZH_ALIAS_NOTE.sub("", text).strip()
    text = re.sub(r"等(?:单位|机构|部门|组织|方面|多家单位)?$", "", text)
    out = []
    for piece in re.split(r"[、,，;；]", text):
        piece = piece.strip(" 　")
        if not piece:
            continue
        parts = [p.strip() for p in _ZH_JOINERS.split(piece)]
        if len(parts) > 1 and all(is_org_zh(p) for p in parts):
            out.extend(parts)
        elif is_org_zh(piece):
            out.append(piece)
    return out


def dedupe(names: Iterable[str]) -> list[str]:
    """Names in first-seen order without repeats (a body and its committee are two names)."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(norm(name), name)
    return [v for k, v in seen.items() if k]


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string (easier to read than a long list literal)."""
    return tuple(text.split())


_EN_ORDINALS = {w: i for i, w in enumerate(_words(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"))}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "twentieth": 20,
            "thirtieth": 30, "fortieth": 40, "fiftieth": 50}
_ZH_ORD = re.compile(r"第\s*([一二三四五六七八九十百〇零两\d]+)\s*[届次期]|(首)[届次期]")
_EN_ORD = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b|\b((?:twenty|thirty|forty|fifty)-)?"
                     r"(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
                     r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|"
                     r"eighteenth|nineteenth|twentieth|thirtieth|fortieth|fiftieth)\b", re.I)


def _zh_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    digits = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
    total, unit = 0, 0
    for ch in text:
        if ch == "十":
            total += (unit or 1) * 10
            unit = 0
        elif ch == "百":
            total += (unit or 1) * 100
            unit = 0
        else:
            unit = digits.get(ch, 0)
    return total + unit


def ordinal(name: str) -> int | None:
    """The edition number a meeting name states (第二届, 2nd, twenty-fourth), if any."""
    m = _ZH_ORD.search(name)
    if m:
        return 1 if m.group(2) else _zh_number(m.group(1))
    m = _EN_ORD.search(name)
    if not m:
        return None
    if m.group(1):
        return int(m.group(1))
    word = m.group(3).lower()
    base = _EN_TENS[m.group(2)[:-1].lower()] if m.group(2) else 0
    return base + _EN_ORDINALS.get(word, _EN_TENS.get(word, 0))


def sentence_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence span containing ``pos`` (binary search over sorted spans)."""
    lo, hi = 0, len(spans) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        s, e = spans[mid]
        if pos < s:
            hi = mid - 1
        elif pos >= e:
            lo = mid + 1
        else:
            return s, e
    return pos, pos


def date_near(dates: list[DateMention], sent: tuple[int, int], pos: int,
              exclude: list[tuple[int, int]] = ()) -> str | None:
    """The date of a sentence that times what is said at ``pos``: the nearest one before it,
    else the first after it; dates inside ``exclude`` spans (names, titles) do not count."""
    inside = [d for d in dates if sent[0] <= d.start and d.end <= sent[1]
              and not any(s <= d.start < e for s, e in exclude)]
    before = [d for d in inside if d.end <= pos]
    if before:
        return before[-1].iso
    return inside[0].iso if inside else None


# --------------------------------------------------------------------------- mentions


@dataclass
class _Mention:
    start: int
    end: int
    name: str
    head: str
    generic: bool  # "大会", "this forum", "第三次会议": needs a named referent or a held cue
    cue: bool = False  # reported as held right here ("在研讨会上", "召开…会议")
    echo: bool = False  # "贯彻…会议精神": cites a meeting's line, does not report it held
    # the text says it was held (召开, 举行, was held), not only that people were at it
    # ("出席了座谈会", "在仪式上"), which refers back to an event already reported
    hosted: bool = False


@dataclass
class _Cluster:
    name: str
    start: int
    end: int
    head: str
    mentions: list[_Mention] = field(default_factory=list)


# Chinese: what may follow a head for the head to end a meeting name (not 大会堂, 会议室,
# 大会华侨委员会), and what must not.
_ZH_NEXT = re.compile(r"(?:[\s,，。、;；:：!！?？”’\"'」』》)）(（\]]|$"
                      r"|\d{1,2}\s*月|\d{4}\s*年|[在于上由举召开闭将的是以中后前结圆隆正现为对进主精暨并和与及顺落当成"
                      r"已还也共邀吸期作发致讲再又今昨日近同旨围紧聚重特取着等审选听表])")
_ZH_NEXT_DENY = re.compile(r"(?:主席|主任|委员|秘书|代表|常务|办公|组委|中心|会员|成员|筹备|理事)")
# Verbs and prepositions that end the text before a name; not 组织/参与/开展, which are as
# often part of a name ("社会组织参与社会治理论坛").
_ZH_STOP = re.compile(r"(?:举办|举行|召开|参加|出席|列席|围绕|主持|承办|主办|协办|领会|筹办|办好|"
                      r"开好|莅临|参会|亮相|迎来|见证|随着|作为|依托|借助|自从|自(?![治主愿然我身贸])|"
                      r"图为|开设|在|于|了|的|由|将|是|向|对|把|从|到|即|等|及|以来|以|届时|期间|此次|这次|本次|"
                      r"本届|上届|该次|通过|贯彻|落实|学习|传达)")
_ZH_LEADING = re.compile(r"(?:\d{4}\s*年\s*(?!度))?(?:\d{1,2}\s*月)?(?:\d{1,2}\s*[日号])?"
                         r"(?:上旬|中旬|下旬|上午|下午|晚上|晚|日前|近日|近期|今天|昨天|当天|当日|"
                         r"今年以来|今年|去年|前年|明年|每年|年初|年中|年底|年末|上半年|下半年|月初|"
                         r"月底|此前|随后|目前|同期|同日|次日|其间|其中|本次|此次|这次|本届|上届|该|"
                         r"此|这|那|各|该次)*")
# A count before the head ("三个平行分论坛", "多场沙龙", "一次重要会议") lists sessions or
# rates one, it names none; "第三次", "三届二次" number a session instead.
_ZH_COUNTED = re.compile(r"(?<![第届])(?:[一二三四五六七八九十百两几\d]+|多|若干)\s*[个场次]")
_ZH_GENERIC = re.compile(r"^(?:第\s*[一二三四五六七八九十百〇零两\d]+\s*[届次期]|首届|首次|全体|"
                         r"年度|专题)?")
_ZH_CUE_BEFORE = re.compile(r"(?:召开|举行|举办|出席|列席|参加|参与|主持|组织)了?\s*$")
_ZH_CUE_AFTER = re.compile(r"^\s*(?:上|期间|现场|召开|举行|举办|开幕|闭幕|于"
                           r"|在\S{0,20}?(?:召开|举行|举办|开幕))")
_ZH_CUE_AROUND = re.compile(r"在\s*$")


def _name_char(text: str, i: int) -> bool:
    """CJK, letters, digits, name dots, layout breaks; a space only beside a digit
    ("2022 年度") or 暨."""
    ch = text[i]
    if "\u4e00" <= ch <= "\u9fff" or ch.isalnum() or ch in "·-—" + WRAP:
        return True
    # "A暨 B": a space after 暨 still joins the two parts of one meeting's name
    return ch == " " and 0 < i < len(text) - 1 and (
        text[i - 1].isdigit() or text[i + 1].isdigit() or "暨" in (text[i - 1], text[i + 1]))


# Council heads (data/council_heads_zh.txt) name a body or a course as often as a meeting: one
# when numbered as a session (第二次…) or reported as convened.
_ZH_SESSION = re.compile(r"第\s*[一二三四五六七八九十百〇零两\d]+\s*次"
                         r"|[一二三四五六七八九十百〇零两\d]+\s*届\s*[一二三四五六七八九十百〇零两\d]+\s*次")
_ZH_HELD_AFTER = re.compile(r"\s*(?:在\S{0,20}?)?(?:召开|举行|举办|开幕|闭幕|开班|开营)")


_ZH_NAME_PAREN = re.compile(r"[(（][\u4e00-\u9fff、]{1,8}[)）]$")


def _zh_left(text: str, head_start: int) -> int:
    """How far left a Chinese meeting name can reach: CJK, digits, quoted segments."""
    i = head_start
    floor = max(0, head_start - 60)
    while i > floor:
        ch = text[i - 1]
        if ch in _QUOTES:
            j = text.rfind(_QUOTES[ch], max(floor, i - 40), i - 1)
            if j < 0 or text[j + 1:i - 1].endswith(lexicon("meeting_heads_zh.txt")):
                break  # no opener, or a separate quoted meeting name in a list
            i = j
        elif _name_char(text, i - 1):
            i -= 1
        elif ch in ")）" and (paren := _ZH_NAME_PAREN.search(text, max(floor, i - 10), i)):
            i = paren.start()  # "乡镇(街道)": a short gloss inside the name
        else:
            break
    return i


def _cut_stop(text: str, start: int, end: int) -> int:
    """Move ``start`` past the last stop word (verb, preposition) outside quotes."""
    depth = 0
    cut = start
    i = start
    while i < end:
        ch = text[i]
        if ch in "“‘「『《":
            depth += 1
        elif ch in "”’」』》":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = _ZH_STOP.match(text, i, end)
            if m and m.end() <= end:
                cut = m.end()
                i = m.end()
                continue
        i += 1
    return cut


def _joint_hosts(text: str, start: int) -> int:
    """Reach left over "甲协会、" before a name: a meeting two bodies hold together is named
    after both ("甲协会、乙协会第三届二次理事会议")."""
    while start > 0 and text[start - 1] == "、":
        left = _cut_stop(text, _zh_left(text, start - 1), start - 1)
        left = _ZH_LEADING.match(text, left, start - 1).end()
        if left >= start - 1 or not is_org_zh(text[left:start - 1]) or not any(
                is_org_zh(text[start:k]) for k in range(start + 3, min(len(text), start + 40))):
            break  # "例会、年会": no body before or after the 、
        start = left
    return start


def _zh_mentions(text: str) -> list[_Mention]:
    out = []
    for m in _zh_head_re().finditer(text):
        hs, he = m.span()
        after = text[he:he + 4]
        if not _ZH_NEXT.match(after) or _ZH_NEXT_DENY.match(after):
            continue
        # A name quoted whole: “…研讨会” is taken as written, stop words and all.
        if he < len(text) and text[he] in _QUOTES and text[he] != "》":
            opener = text.rfind(_QUOTES[text[he]], max(0, hs - 60), hs)
            if opener >= 0 and text[opener + 1:hs].count(text[he]) == 0:
                start = _zh_left(text, hs)
                if start <= opener + 1:
                    out.append(_Mention(opener + 1, he, text[opener + 1:he], m.group(), False,
                                        _zh_cue(text, opener, he + 1)))
                    continue
        start = _cut_stop(text, _zh_left(text, hs), hs)
        start = _joint_hosts(text, start)
        for joiner in _ZH_LIST_JOINER.finditer(text, start, hs):
            if _zh_head_end_re().search(text, start, joiner.start()):
                start = joiner.end()  # "A会议和B会议": two meetings, this one is B
        lead = _ZH_LEADING.match(text, start, hs)
        start = lead.end() if lead else start
        name = text[start:he].strip()
        if _ZH_COUNTED.search(name):
            continue
        rest = _ZH_GENERIC.sub("", name)
        generic = rest == m.group() or len(name) < 5
        if m.group() in lexicon("event_heads_zh.txt") and (generic or not (
                _ZH_HELD_AT_AFTER.match(text, he)
                or _ZH_HELD_AT_BEFORE.search(text, max(0, start - 40), start))):
            continue  # "开展…活动": a campaign; "…活动在某地举行": an event held there
        if m.group().endswith(lexicon("council_heads_zh.txt")) and not _ZH_SESSION.search(name) \
                and not _ZH_HELD_AFTER.match(text, he) \
                and not _ZH_CUE_BEFORE.search(text, max(0, start - 6), start):
            continue  # "选举产生新一届…": the council itself, not a meeting of it
        out.append(_Mention(start, he, name, m.group(), generic, _zh_cue(text, start, he),
                            text.startswith("精神", he), _zh_hosted(text, start, he)))
    return out


_ZH_HOSTED_BEFORE = re.compile(r"(?:召开|举行|举办)了?\s*$")
_ZH_HOSTED_AFTER = re.compile(r"\s*(?:[于在]\S{0,20}?)?(?:隆重|顺利|成功|正式|圆满)?"
                              r"(?:召开|举行|举办|开幕|闭幕)|由[^,，。;；]{1,20}?主持")


_ZH_AT = r"在[^,，。;；、“”\"]{1,25}?(?:隆重|顺利|成功|正式|圆满)?"
_ZH_HELD_AT_AFTER = re.compile(rf"\s*(?:于[^,，。;；]{{0,12}}?)?{_ZH_AT}(?:举行|举办|开幕|启动)")
_ZH_HELD_AT_BEFORE = re.compile(rf"{_ZH_AT}(?:举行|举办)了?\s*$")


def _zh_hosted(text: str, start: int, end: int) -> bool:
    return bool(_ZH_HOSTED_BEFORE.search(text, max(0, start - 6), start)
                or _ZH_HOSTED_AFTER.match(text, end))


def _zh_cue(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 6):start]
    return bool(_ZH_CUE_BEFORE.search(before) or (_ZH_CUE_AFTER.match(text[end:end + 30])
                and (_ZH_CUE_AROUND.search(before) or text[end:end + 1] != "上")))


# English
_EN_TOKEN = re.compile(r"“[^”]{1,60}”|\"[^\"]{1,60}\"|[A-Za-z0-9][\w'’.&-]*|\S")
_EN_STOP = frozenset(_words(
    "the a an this that these those its their our his her my your at in on of for to by with "
    "from into during before after about as is was were be been will would shall which who "
    "whom where when while than then also and or but not it he she they we has have had "
    "same said such all each every other another more most many some any"))
_EN_MONTHS = frozenset(_words("january february march april may june july august september "
                              "october november december"))
# "A two-day national conference": a length, not part of the name.
_EN_DURATION = re.compile(r"(?:[\w]+-)+(?:day|days|week|weeks|month|long)")
# Heads that name a standing body as often as a sitting of it (the National Assembly, the
# Congress): a meeting only when numbered or reported as held.
_EN_BODY_HEADS = frozenset(("assembly", "congress", "session"))
_EN_WEEKDAYS = frozenset(_words("monday tuesday wednesday thursday friday saturday sunday"))
_EN_NEXT_DENY = re.compile(r"\s+(?:room|hall|centre|center|venue|secretariat|standing|committee|"
                           r"members?|delegates?|deput(?:y|ies)|staff|office|building|series)\b",
                           re.IGNORECASE)
_EN_EDITION_YEAR = re.compile(r"\s+(?:19|20)\d{2}\b(?!\s*[-–—/]?\s*\d)")  # "Forum 2023"
# A lower-case event reported as held: "held a press conference", "the board meeting was held".
# "At a press conference, …" introduces an event; "at the forum" refers back to one.
_EN_HELD_BEFORE = re.compile(r"\b(?:(?:held|hosted|organi[sz]ed|convened|staged|co-hosted|"
                             r"co-organi[sz]ed|ran|chaired|attended)\s+(?:a|an|the|its|their|"
                             r"his|her)|(?:at|during)\s+(?:a|an))\s+(?:[\w'’-]+\s+){0,2}$",
                             re.IGNORECASE)
_EN_HELD_AFTER = re.compile(r"(?:\s+(?:on|about)\s+(?:the\s+(?:theme|topic)\s*,?\s*)?"
                            r"(?:“[^”]{1,200}”|\"[^\"]{1,200}\"|[^,.;]{1,50}?))?\s*,?\s+"
                            r"(?:held\s+(?:here\s+)?(?:on|in|at)\b|(?:was|were)\s+(?:\w+ly\s+)?"
                            r"(?:held|convened|hosted|organi[sz]ed|attended)|took\s+place|opened|"
                            r"kicked\s+off|commenced|began|started|ended|concluded|closed)\b")
# The title a name goes on with: "a conference titled “…”", "on the theme, “…”", "on “…”".
_EN_TITLED = re.compile(r"\s+(?:titled|entitled|themed|called|on\s+the\s+(?:theme|topic)\s*,?|on)"
                        r"\s*“[^”]{3,200}”")
# "Speaking at the signing ceremony": a ceremony is an event wherever it is spoken of, so "at the
# ceremony" reports one held when the article reports no other ("at the forum" may be a
# platform or a website).
_EN_AT_THE = re.compile(r"\b(?:at|during)\s+the\s+$", re.IGNORECASE)
_EN_RIGHT = re.compile(r"\s+(?:of|on|for)\s+(?:the\s+)?((?:[A-Z][\w'’&-]*)(?:\s+(?:and|of|for|"
                       r"the|&)?\s*[A-Z][\w'’&-]*)*)")


_EN_AND_THE = re.compile(r"\s+and\s+(?:the\s+)?")
_EN_SINGULAR = re.compile(r"\s+(?:was|is|has\s+been)\b")


def _en_joint(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """"The 6th X Symposium and the 4th Y Ceremony was held": two names with a singular verb
    are one event held under both names."""
    out: list[_Mention] = []
    for men in mentions:
        prev = out[-1] if out else None
        if prev is not None and not prev.generic and not men.generic \
                and _EN_AND_THE.fullmatch(text, prev.end, men.start) \
                and _EN_SINGULAR.match(text, men.end):
            out[-1] = _Mention(prev.start, men.end, text[prev.start:men.end], prev.head, False,
                               True, hosted=True)
        else:
            out.append(men)
    return out


def _en_mentions(text: str, sents: list[tuple[int, int]]) -> list[_Mention]:
    out = []
    for m in _en_head_re().finditer(text):
        hs, he = m.span()
        if text.startswith(("'s", "’s"), he) or _EN_NEXT_DENY.match(text, he):
            continue  # "the X Forum's meeting", "Congress Standing Committee": a body or a room
        s0, _ = sentence_of(sents, hs)
        tokens = list(_EN_TOKEN.finditer(text, s0, hs))
        start = hs
        k = len(tokens) - 1
        while k >= 0:
            tok = tokens[k].group()
            low = tok.lower()
            if tok[0] in "“\"":
                start = tokens[k].start()
            elif not tok[0].isalnum():
                break
            elif low in ("and", "&"):
                left = tokens[k - 1].group() if k else ""
                if not left or not (left[0].isupper() or left[0] in "“\""):
                    break
                start = tokens[k].start()
            elif low in _EN_STOP or tok.endswith(("'s", "’s")) or (
                    tok.islower() and low.endswith(("ed", "ing")) and len(low) > 4) \
                    or _EN_DURATION.fullmatch(low):
                break
            else:
                start = tokens[k].start()
            k -= 1
        end = he
        right = _EN_RIGHT.match(text, he)
        if right and right.group(1).split()[0].lower() not in _EN_MONTHS | _EN_WEEKDAYS:
            end = right.end()
        edition = _EN_EDITION_YEAR.match(text, end)
        end = edition.end() if edition else end
        titled = _EN_TITLED.match(text, end)
        end = titled.end() if titled else end
        name = text[start:end]
        words = [w for w in _EN_TOKEN.findall(text[start:hs])]
        named = any(w[0] in "“\"" or (w[0].isupper() and ordinal(w) is None) for w in words)
        # "its 37th Annual General Meeting": an edition of a meeting written as a proper noun
        named = named or end > he or (m.group()[0].isupper() and any(map(ordinal, words)))
        if m.group().lower() in _EN_BODY_HEADS and not any(map(ordinal, words)) \
                and not _EN_HELD_AFTER.match(text, end) and not _EN_EDITION_YEAR.match(text, he):
            continue  # "the bill has been in the National Assembly": the body, not a sitting
        held = named or bool(_EN_HELD_BEFORE.search(text, max(0, start - 40), start)
                             or _EN_HELD_AFTER.match(text, end))
        at_the = m.group().lower().endswith(("ceremony", "signing")) and bool(
            _EN_AT_THE.search(text, max(0, start - 12), start))
        out.append(_Mention(start, end, name, m.group().lower(), not named, held or at_the,
                            hosted=held))
    return _en_joint(text, out)


# --------------------------------------------------------------------------- folding


def _narrower(head: str, other: str) -> bool:
    """Whether ``head`` is a more specific event type than ``other`` (a press conference is
    not the Conference the article is about)."""
    return len(head) > len(other) and norm(head).endswith(norm(other))


def _bodies(name: str) -> frozenset[str]:
    """The governing bodies a meeting name belongs to (理事会, 监事会, board …)."""
    return frozenset(b for b in lexicon("council_heads_zh.txt") if b in name) | frozenset(
        b for b in ("board", "council", "committee") if b in name.lower())


def _outermost(mentions: list[_Mention]) -> list[_Mention]:
    """The mentions not inside a longer one: "X Conference" within "X Conference and General
    Meeting of Y", "…年会" within "…年会暨…研讨会", is a part of that name, not a meeting."""
    out: list[_Mention] = []
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


def _fold(mentions: list[_Mention]) -> list[_Cluster]:
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
            bare = norm(_ZH_GENERIC.sub("", men.name)) == norm(men.head) or (
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


# --------------------------------------------------------------------------- attributes

_ZH_PLACE = re.compile(r"[在于]\s*([^\s,，。;；、“”\"在于\d]{1,25}?)\s*"
                       r"(?:[(（][^()（）]{1,20}[)）])?\s*"  # "(以下简称“某院”)"
                       r"(?:隆重|顺利|成功|正式|圆满|组织|联合|共同)?"
                       r"(?:举行|召开|举办|开幕|闭幕|落幕|启动|开班|揭幕)")
_ZH_ORGS_BY = re.compile(r"(?:由|^|[,，;；、])\s*([^,，。;；由]{3,120}?)\s*(?:联合|共同)?"
                         r"(?:主办|承办|协办|联办|举办)")
_ZH_PREP = re.compile(r"^(?:在|于|经|是|为|与|和)")  # "在甲协会主办的…": 在 opens the phrase
# A dateline and byline before the first sentence: "本报北京12月4日电 (记者 某某)".
_ZH_BYLINE = re.compile(r"^.*(?:\d+\s*日\s*电|[(（][^()（）]*(?:记者|通讯员)[^()（）]*[)）])\s*")
_ZH_AT_PLACE = re.compile(r"[在于].*$")


def _zh_host_list(text: str) -> str:
    """The hosts in the text before 主办/承办/举办: no dateline, no leading preposition, and
    no "在<place>" (in "论坛在会展中心举办" the place is not a host)."""
    return _ZH_AT_PLACE.sub("", _ZH_PREP.sub("", _ZH_BYLINE.sub("", text)))
_ZH_ORGS_SUBJ = re.compile(r"([^,，。;；]{3,80}?)"
                           r"(?:于?\d{1,2}\s*月\s*\d{1,2}\s*[日号](?:上午|下午)?)?"
                           r"(?:[在于][^,，。;；]{1,25}?)?(?:就[^,，。;；]{1,30}?)?"
                           r"(?:联合|共同|组织)?(?:举办|主办|召开|举行)了?\s*$")
# "甲协会以视频会议的方式,召开了…": the hosts open the clause before a bare verb.
_ZH_BARE_VERB = re.compile(r"\s*(?:联合|共同)?(?:举办|主办|召开|举行)了?\s*")
_ZH_SUBJ_BEFORE_MANNER = re.compile(r"(.{3,40}?)(?:以|通过|采用|借助|利用)")
_ZH_ADMIN_AREA = re.compile(r"(?![我本该])[\u4e00-\u9fff]{1,8}[省市县区]")
# Who "holds" a signing or an unveiling are its parties or the unit unveiled, not its hosts.
_ZH_PARTY_EVENT = re.compile(r"签约|签字|签署|揭牌|授牌|挂牌|结对")
# A place: capitalised words and short numbers ("Area 10"), with "of", "for", "and" inside
# ("Centre for Arts and Culture"), then ", Town" parts or "in Town" ("Kempinski Hotel in Accra").
_EN_CAP = r"[A-Z][\w'’-]*(?:\s+(?:(?:of|for|and|de|the)\s+)*(?:[A-Z][\w'’-]*|\d{1,3}\b))*"
_EN_PLACE_NAME = rf"({_EN_CAP}(?:\s*,\s*{_EN_CAP})*(?:\s+in\s+{_EN_CAP})?)"
# "held in X", "ended in X", "was held successfully at the X", "convened a Symposium on
# Tuesday, March 19, at the X", "held here in X": the first place after the verb in its clause.
_EN_PLACE = re.compile(r"\b(?:held|opened|convened|took place|kicked off|hosted|staged|launched|"
                       r"happened|started|began|closed|ended|concluded|commenced)\b"
                       r"[^.;]{0,120}?\b(?:in|at)\s+(?:the\s+)?" + _EN_PLACE_NAME)
_EN_WHEN_WORD = re.compile(r"\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
                           r"Today|Yesterday)$")
# "attended the X Conference in Bangkok", "a workshop on case management in Oslo"
_EN_IN = re.compile(r"(?:\s+(?:on|about)\s+[a-z][^,.;]{0,40}?)?\s+in\s+" + _EN_PLACE_NAME)
_EN_BY_VERB = r"(?:jointly\s+|co-?)?(?:hosted|organi[sz]ed|sponsored|chaired|convened|held)\s+by"
# A list ends at the sentence end or where the next "… by" list starts.
_EN_ORGS_BY = re.compile(rf"\b{_EN_BY_VERB}\s+(.+?)(?=[.;]\s|[.;]?\s*$|,?\s+(?:and\s+)?"
                         rf"{_EN_BY_VERB}\b)")
# A sentence of its own naming who hosted the meeting before it; "It was chaired by Dr. X"
# names the person moderating a session, not an organiser.
_EN_ORPHAN_BY = re.compile(r"\b(?:jointly\s+|co-?)?(?:hosted|organi[sz]ed|sponsored|convened|"
                           r"held)\s+by\s+(.+?)(?:[.;]\s*$|[.;]\s|$)")
# Where a list of hosts ends: names may be lower case ("the social work committee of …"),
# but a new clause starts with a verb, a relative word or a time/place phrase.
_EN_LIST_END = re.compile(r"(?:,\s*|\s+)(?:and\s+)?(?:(?:brought|gathered|attracted|drew|"
                          r"was|were|is|are|has|have|had|will|which|who|where|with|featuring|"
                          r"under|while|bringing|attended|focused|focusing)\b|[a-z-]+ed\s+by\b|"
                          r"(?:also\s+|then\s+|later\s+)[a-z]+\b|"
                          r"(?:in|on|from)\s+(?:\d|(?:" + "|".join(
                              m.capitalize() for m in _EN_MONTHS) + r")\b))"
                          r"|,\s*(?:and\s+)?[a-z]+ed\b")  # ", and elected …": a new clause


# A body's name has a word like these; "chaired by Wang Lihua" names the chair, not a host.
_EN_ORG_WORD = re.compile(r"\b(?:Association|Foundation|Universit|Ministry|Department|Council|"
                          r"Committee|Society|Federation|Institute|Cent(?:re|er)|Bureau|Office|"
                          r"Commission|Agency|Group|Company|Ltd|Union|Network|Alliance|Fund|"
                          r"Government|School|College|Academy|Organi[sz]ation|Board|Club)|"
                          r"^[A-Z]{2,}$")


def _en_hosts(match: re.Match[str]) -> list[str]:
    """The hosts a "… by" list names; a "chaired by" list keeps bodies only."""
    names = split_orgs_en(_en_host_list(match.group(1)))
    if "chaired" in match.group(0)[:20].lower():
        names = [n for n in names if _EN_ORG_WORD.search(n)]
    return names


def _en_host_list(text: str) -> str:
    """The host list that opens ``text`` (after "hosted by"), cut where a new clause begins."""
    end = _EN_LIST_END.search(text)
    return text[:end.start()] if end else text


_EN_ORGS_SUBJ = re.compile(r"(?:^|[,;:]\s*)((?:the\s+)?[A-Z][^,;:]{2,120}?)\s+(?:jointly\s+)?"
                           r"(?:chaired|hosted|organi[sz]ed|launched|convened|sponsored|held|"
                           r"co-hosted|co-organi[sz]ed)\s*$")
# "The Department of X under the Ministry of A, B, and C convened …": the unit under the
# ministry is the host (its parent's name may hold commas the plain pattern stops at).
_EN_SUBJ_UNDER = re.compile(r"^\s*((?:[Tt]he\s+)?[A-Z][^,;:]{2,80}?)\s+under\s+the\s+"
                            r"[^;:]{3,150}?\s+"
                            r"(?:jointly\s+)?(?:chaired|hosted|organi[sz]ed|launched|convened|"
                            r"sponsored|held|co-hosted|co-organi[sz]ed)\s*$")


def is_body_en(name: str) -> bool:
    """Whether an English host name names a body: not a person ("Professor Wang"), not a post
    ("vice director of the Committee", "president of the Association")."""
    post = name.split(" of ")[0].lower().split()
    return bool(post) and post[0].rstrip(".") not in _en_person_words() and not any(
        w in _en_person_words() for w in post[1:4])


@cache
def _en_person_words() -> frozenset[str]:
    return frozenset(lexicon("people_honorifics_en.txt") + lexicon("people_title_heads_en.txt"))


_EN_ARTICLE_END = re.compile(r"\s*\b(?:the|a|an|its|their)?\s*$", re.IGNORECASE)
_EN_PRONOUNS = frozenset(_words("it he she they we this that which who there"))


# "Center for Rural Development and Social Security": a body's remit, whose "and" joins
# topics ("Social Security in …"), unless what follows is a body ("… and Peking University").
_EN_REMIT = re.compile("(?:" + _EN_ORG_WORD.pattern + r")\w*\s+(?:for|on)\s+"
                       r"(?!.*\b(?:for|on|of)\b)", re.IGNORECASE)


def split_orgs_en(text: str) -> list[str]:
    """Split "A, the B and C" into names; "arts and crafts council" and "the Center for Rural
    Development and Social Security" stay whole."""
    out = []
    text = re.sub(r"\s*\([^()]*\)", "", text)  # "(CASW, its Chinese name)": an alias
    for piece in re.split(r"\s*[,;]\s*", text.strip().rstrip(".")):
        piece = re.sub(r"^including\s+(?:its|their|the)\s+", "", piece)  # a unit of a host
        parts = re.split(r"\s+and\s+", piece)
        current = parts[0]
        for nxt in parts[1:]:
            if (" " not in current.strip() and current.islower()) or (
                    _EN_REMIT.search(current) and not nxt.startswith(("the ", "The "))
                    and not _EN_ORG_WORD.search(re.split(r"\s+(?:of|in|for|at)\s+", nxt)[0])):
                current = f"{current} and {nxt}"
            else:
                out.append(current)
                current = nxt
        out.append(current)
    names = [re.sub(r"^(?:(?:the|and)\s+)+", "", p.strip(), flags=re.I).strip() for p in out]
    return [n for n in names if n and n.lower() not in _EN_PRONOUNS]


def _organizers(text: str, sent: tuple[int, int], mention: _Mention, zh: bool) -> list[str]:
    """Organisers the sentence of a mention names (主办/承办, hosted by, X chaired the …)."""
    s = text[sent[0]:sent[1]]
    found: list[str] = []
    if zh:
        for m in _ZH_ORGS_BY.finditer(s):
            found += split_orgs_zh(_zh_host_list(m.group(1)))
        if _ZH_PARTY_EVENT.search(mention.name):
            return found
        clauses = re.split(r"[,，;；]", text[sent[0]:mention.start])
        subj = _ZH_ORGS_SUBJ.search(clauses[-1]) if mention.start > sent[0] else None
        if subj:
            hosts = subj.group(1).strip()
            # "海宁市在…举行了…": a city or county holding an event is its government
            found += [hosts] if _ZH_ADMIN_AREA.fullmatch(hosts) else split_orgs_zh(hosts)
        elif len(clauses) > 1 and _ZH_BARE_VERB.fullmatch(clauses[-1]) and (
                manner := _ZH_SUBJ_BEFORE_MANNER.match(clauses[-2])):
            found += split_orgs_zh(manner.group(1))
    else:
        for by in _EN_ORGS_BY.finditer(s):
            found += _en_hosts(by)
        prefix = _EN_ARTICLE_END.sub("", text[sent[0]:mention.start])
        subj = _EN_SUBJ_UNDER.match(prefix) or _EN_ORGS_SUBJ.search(prefix)
        if subj and subj.group(1).split()[0].lower() not in _EN_PRONOUNS:
            # a subject names its body with a capital ("The institutions held …" names none)
            found += [n for n in split_orgs_en(subj.group(1)) if not n.islower()]
        found = [name for name in found if is_body_en(name)]
    return found


def _location(text: str, sent: tuple[int, int], men: _Mention, zh: bool) -> str | None:
    """The place a mention's clause says the meeting was held in."""
    if zh:
        lo = max(sent[0], *(text.rfind(p, sent[0], men.start) + 1 for p in ",，;；"))
        his = [text.find(p, men.end, sent[1]) for p in ",，;；。"]
        hi = min([h for h in his if h >= 0], default=sent[1])
        best = None
        for m in _ZH_PLACE.finditer(text, lo, hi):
            if m.start() >= men.end or m.end() <= men.start:
                place = m.group(1)
                if not place.endswith(("上", "中", "内", "后", "前")):
                    best = place if best is None or len(place) > len(best) else best
        return best
    found = [*_EN_PLACE.finditer(text, sent[0], sent[1])]
    found += [m] if (m := _EN_IN.match(text, men.end, sent[1])) else []
    for m in found:
        place = _EN_WHEN_WORD.sub("", m.group(1).rstrip(" ,"))
        if place.split()[0].lower() not in _EN_MONTHS | _EN_WEEKDAYS:
            return place
    return None


# A place named from where the writer stands ("在我院召开", "本会"): it stands for a body the
# article names in full elsewhere, and is no place on its own.
_ZH_RELATIVE = re.compile(r"^[我本该](?:院|校|会|市|县|区|镇|局|厅|委|所|站|中心|单位|街道|社区)$")


def _place_rank(place: str) -> tuple[bool, int]:
    """How good a place is: a named one over a relative one, then the longer."""
    return not _ZH_RELATIVE.match(place), len(place)


def _resolve_relative(place: str, bodies: list[str]) -> str | None:
    """The body a relative place ("我院") stands for: the one of ``bodies`` (the meeting's
    hosts) that ends with its noun (…医院), or None when the article does not say."""
    return next((b for b in bodies if b.endswith(place[1:])), None)


# A meeting held on the day of (or during) the one reported before it.
_SAME_DAY = re.compile(r"当天|当日|同日|同天|会前|会后|会议期间|大会期间|随后|随即|"
                       r"(?:仪式|签约|活动|会议)(?:结束)?后|"
                       r"\bthe same day\b|"
                       r"\bon the sidelines\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,，;；。:：!！?？]")


def _mention_date(text: str, dates: list[DateMention], sent: tuple[int, int], men: _Mention,
                  names: list[tuple[int, int]]) -> tuple[int, str] | None:
    """The date a mention's sentence gives the meeting, ranked by how closely it is tied to it.

    3: the date stands right before the name ("2019年首届论坛", "In 2019, the first X");
    2: it is in the mention's own clause or opens the sentence ("12月2日,X在…召开");
    1: it is elsewhere in the sentence (nearest before, else first after).
    A date lacking the month or day is completed from a compatible date of the same clause
    ("2019年首届论坛11月在东莞召开" -> 2019-11).
    """
    inside = [d for d in dates if sent[0] <= d.start and d.end <= sent[1]
              and not any(s <= d.start < e for s, e in names)]
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
# of review ("2022年度总结会") or a term ("2021-2025") does not.
_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?!\s*年\s*度)(?!\s*[-–—/~至到]\s*\d)")


def extract(document: Document) -> Iterator[Meeting]:
    """Meetings held that ``document`` reports, one fact per distinct meeting."""
    zh = nlp.script(document.text[:4000]) == "zh"
    sents = join_wrapped(document.text, nlp.sentences(document.text))
    text = unwrap(document.text, sents)
    mentions = _zh_mentions(text) if zh else _en_mentions(text, sents)
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
    orphans = _orphan_organizers(text, sents, about, zh)
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
            place = _location(text, sent, men, zh)
            if place and (location is None or _place_rank(place) > _place_rank(location)):
                location = place
            organizers += _organizers(text, sent, men, zh)
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
        if location and _ZH_RELATIVE.match(location):
            location = _resolve_relative(location, organizers)
        year = _NAME_YEAR.search(c.name)
        if year and date and date.startswith("--"):  # "2023中国社会工作年会", "Forum 2023"
            date = year.group(1) + date[1:]
        last_date = date or last_date
        sent = sentence_of(sents, c.start)
        yield Meeting(name=written(c.name).strip(), date=date,
                      location=written(location) if location else None,
                      organizers=tuple(dedupe(map(written, organizers))), span=(c.start, c.end),
                      evidence=document.text[sent[0]:sent[1]])


def _orphan_organizers(text: str, sents: list[tuple[int, int]],
                       about: dict[tuple[int, int], _Cluster], zh: bool) -> dict[int, list[str]]:
    """Organisers in a sentence with no meeting mention ("It was jointly hosted by …"), keyed
    by ``id`` of the meeting that the previous mentioning sentence is about."""
    out: dict[int, list[str]] = {}
    pattern = _ZH_ORGS_BY if zh else _EN_ORPHAN_BY
    for i, sent in enumerate(sents):
        if sent in about:
            continue
        s = text[sent[0]:sent[1]]
        if (zh and "由" not in s) or not pattern.search(s):
            continue
        prev = next((sents[j] for j in range(i - 1, max(-1, i - 3), -1) if sents[j] in about),
                    None)
        if prev is None:
            continue
        # every "… by" list of the sentence: "sponsored by A and co-organized by B and C"
        found = ([o for m in _ZH_ORGS_BY.finditer(s)
                  for o in split_orgs_zh(_zh_host_list(m.group(1)))] if zh
                 else [o for by in _EN_ORGS_BY.finditer(s) for o in _en_hosts(by)
                       if is_body_en(o)])
        out.setdefault(id(about[prev]), []).extend(found)
    return out


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register the meetings extractor (rules only: no model to load, lexicons compiled once)."""
    register(Extractor(name="meetings", version=VERSION, extract=extract, emits=(Meeting,),
                       setup=setup))
