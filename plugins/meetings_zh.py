"""Chinese rules of the meetings extractor: where a meeting's name starts and ends, which
mentions report a meeting held, and the place and hosts a sentence gives it.

A name ends with a head noun (论坛, 研讨会 … in ``data/meeting_heads_zh.txt``) and reaches left
to the verb, preposition or punctuation that precedes it; a quoted name is taken whole.
"""

from __future__ import annotations

import re
from functools import cache

from . import text
from .lexicons import alternation, lexicon
from .meetings_mention import Mention
from .text import QUOTES, WRAP, is_org_zh


@cache
def _zh_head_re() -> re.Pattern[str]:
    return re.compile(f"{alternation('meeting_heads_zh.txt')}|{alternation('event_heads_zh.txt')}")


@cache
def _zh_head_end_re() -> re.Pattern[str]:
    return re.compile(f"(?:{alternation('meeting_heads_zh.txt')})$")


_ZH_LIST_JOINER = re.compile(r"以及|[和与及、]")


def setup() -> None:
    """Compile the lexicon patterns once per process."""
    _zh_head_re()
    _zh_head_end_re()
    text.setup()


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
        if ch in QUOTES:
            j = text.rfind(QUOTES[ch], max(floor, i - 40), i - 1)
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


def _joint_hosts(text: str, start: int, head_start: int) -> int:
    """Reach left over "甲协会、" before a name: a meeting two bodies hold together is named
    after both ("甲协会、乙协会第三届二次理事会议")."""
    while start > 0 and text[start - 1] == "、":
        left = _cut_stop(text, _zh_left(text, start - 1), start - 1)
        leading = _ZH_LEADING.match(text, left, start - 1)
        assert leading is not None  # every part of it is optional
        left = leading.end()
        if left >= start - 1 or not is_org_zh(text[left:start - 1]) or not any(
                is_org_zh(text[start:k]) for k in range(start + 3, head_start + 1)):
            break  # "例会、年会": no body before the 、 and opening the name after it
        start = left
    return start


def mentions(text: str) -> list[Mention]:
    out = []
    for m in _zh_head_re().finditer(text):
        hs, he = m.span()
        after = text[he:he + 4]
        if not _ZH_NEXT.match(after) or _ZH_NEXT_DENY.match(after):
            continue
        # A name quoted whole: “…研讨会” is taken as written, stop words and all.
        if he < len(text) and text[he] in QUOTES and text[he] != "》":
            opener = text.rfind(QUOTES[text[he]], max(0, hs - 60), hs)
            if opener >= 0 and text[opener + 1:hs].count(text[he]) == 0:
                start = _zh_left(text, hs)
                if start <= opener + 1:
                    out.append(Mention(opener + 1, he, text[opener + 1:he], m.group(), False,
                                        _zh_cue(text, opener, he + 1)))
                    continue
        start = _cut_stop(text, _zh_left(text, hs), hs)
        start = _joint_hosts(text, start, hs)
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
        cited = text.startswith("精神", he) or bool(
            _ZH_PLAN.search(text, max(0, start - 20), start))
        out.append(Mention(start, he, name, m.group(), generic, _zh_cue(text, start, he), cited,
                           _zh_hosted(text, start, he)))
    return out


# "将于明年举办…", "计划召开…": a meeting planned, not reported as held.
_ZH_PLAN = re.compile(r"(?:将|拟|计划|准备|预计)[于在]?[^,，。;；]{0,12}?(?:举办|召开|举行)\s*$")
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
_ZH_ADMIN_AREA = re.compile(r"(?![我本该全各])[\u4e00-\u9fff]{1,8}[省市县区]")
# Who "holds" a signing or an unveiling are its parties or the unit unveiled, not its hosts.
_ZH_PARTY_EVENT = re.compile(r"签约|签字|签署|揭牌|授牌|挂牌|结对")


# A place named from where the writer stands ("在我院召开", "本会"): it stands for a body the
# article names in full elsewhere, and is no place on its own.
_RELATIVE = re.compile(r"^[我本该](?:院|校|会|市|县|区|镇|局|厅|委|所|站|中心|单位|街道|社区)$")


def place_rank(place: str) -> tuple[bool, int]:
    """How good a place is: a named one over a relative one, then the longer."""
    return not _RELATIVE.match(place), len(place)


def resolve_relative(place: str, bodies: list[str]) -> str | None:
    """The body a relative place ("我院") stands for: the one of ``bodies`` (the meeting's
    hosts) that ends with its noun (…医院), or None when the article does not say."""
    return next((b for b in bodies if b.endswith(place[1:])), None)



def organizers(text: str, sent: tuple[int, int], mention: Mention) -> list[str]:
    """Hosts the sentence of a mention names: "由A主办、B承办", "A在某地举办了…"."""
    s = text[sent[0]:sent[1]]
    found: list[str] = []
    for m in _ZH_ORGS_BY.finditer(s):
        found += split_orgs_zh(_zh_host_list(m.group(1)))
    if _ZH_PARTY_EVENT.search(mention.name):
        return found
    clauses = re.split(r"[,，;；]", text[sent[0]:mention.start])
    subj = _ZH_ORGS_SUBJ.search(clauses[-1]) if mention.start > sent[0] else None
    if subj:
        hosts = _zh_host_list(subj.group(1)).strip()
        # "海宁市在…举行了…": a city or county holding an event is its government
        found += [hosts] if _ZH_ADMIN_AREA.fullmatch(hosts) else split_orgs_zh(hosts)
    elif len(clauses) > 1 and _ZH_BARE_VERB.fullmatch(clauses[-1]) and (
            manner := _ZH_SUBJ_BEFORE_MANNER.match(clauses[-2])):
        found += split_orgs_zh(manner.group(1))
    return found


def orphan_hosts(sentence: str) -> list[str]:
    """Hosts a sentence without a meeting mention names ("会议由A主办、B承办。")."""
    if "由" not in sentence:
        return []
    return [o for m in _ZH_ORGS_BY.finditer(sentence)
            for o in split_orgs_zh(_zh_host_list(m.group(1)))]


# "将于明年举办", "于近日召开": a time after 于, not a place.
_WHEN = re.compile(r"(?:明年|今年|去年|年内|年底|年初|近日|日前|近期|月底|月初|上午|下午|晚上|"
                   r"当天|当日|同日|次日|本月|下月|上月|本周|下周|[一二三四五六七八九十\d]+\s*[年月日号])")


def location(text: str, sent: tuple[int, int], men: Mention) -> str | None:
    """The place a mention's clause says the meeting was held in ("在某地举行")."""
    lo = max(sent[0], *(text.rfind(p, sent[0], men.start) + 1 for p in ",，;；"))
    his = [text.find(p, men.end, sent[1]) for p in ",，;；。"]
    hi = min([h for h in his if h >= 0], default=sent[1])
    best = None
    for m in _ZH_PLACE.finditer(text, lo, hi):
        if m.start() >= men.end or m.end() <= men.start:
            place = m.group(1)
            if not place.endswith(("上", "中", "内", "后", "前")) and not _WHEN.match(place):
                best = place if best is None or len(place) > len(best) else best
    return best


def is_relative(place: str) -> bool:
    """Whether a place is named from where the writer stands (我院, 本会)."""
    return bool(_RELATIVE.match(place))


def strip_edition(name: str) -> str:
    """A name without its edition or scope prefix (第三届, 首次, 全体 …)."""
    return _ZH_GENERIC.sub("", name)
