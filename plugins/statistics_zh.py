"""Statistics: the figures of Chinese text, and what only looks like one.

A reported quantity is a numeral followed by a measure word or currency ("3.16万名",
"超过6亿元"); years and dates, ordinals (第二届), session counts, idioms and fixed
expressions (jieba's dictionary), parallel numerals (五位一体) and place names are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from .lexicons import lexicon
from .numbers import ABOUT, AT_LEAST, MORE_THAN, parse_zh


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation trying longer words first, so 人次 wins over 人."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


UNITS_ZH = lexicon("statistics_units_zh.txt")
_SLOGANS_ZH = frozenset(lexicon("statistics_exclusions_zh.txt"))

_ZH_PREFIX = {
    "超过": MORE_THAN, "超": MORE_THAN, "逾": MORE_THAN, "多于": MORE_THAN,
    "约": ABOUT, "大约": ABOUT, "近": ABOUT, "将近": ABOUT, "接近": ABOUT, "大概": ABOUT,
    "至少": AT_LEAST, "不少于": AT_LEAST, "不低于": AT_LEAST,
}  # fmt: skip
_ZH_SUFFIX = {"以上": MORE_THAN, "有余": MORE_THAN, "左右": ABOUT, "上下": ABOUT}

_ZH_NUM_CHARS = "〇零一二两三四五六七八九十百千"
# Verbs that may stand between a qualifier and its number: 约占62%, 超过了, 约有, 近达.
_ZH_PREFIX_LINK = "(?:占比?|达到?|有|了|为|共计?|累计|合计)"
# The lower sections of a compound numeral after 万 or 亿: 一万*四千*, 1万*4千*, 1亿*2000万*,
# 一万*零五*, 十二亿*三千四百万*.  A section must carry its own magnitude (or follow 零), so
# "5万2023年" stops at 万; a vague 多/余 may sit before the section's 万 (一亿二千多万).
_ZH_SECTION = (
    r"(?<=[万亿])(?:零(?:\d+|[一二三四五六七八九][十百]?[一二三四五六七八九]?)"
    r"|(?:\d+[十百千]|[一二两三四五六七八九十][〇零一二两三四五六七八九]*[十百千]"
    r"[〇零一二两三四五六七八九十百千]*)(?:[多余]?[万亿])?"
    r"|\d+(?:\.\d+)?[多余]?[万亿])"
)
# A numeral: Arabic (with optional thousands commas and decimals) or Chinese, possibly led
# by 数/几/上 ("数百万", "上千") and with 多/余/来/几 before or after a 万/亿 magnitude, the
# magnitude taking the compound's lower sections with it (一万四千余人次).  A bare
# 百/千/万 counts only after a qualifier (近千名, 超过万人): alone it is mostly an idiom or
# an anniversary (千家万户, 建党百年).
_ZH_PATTERN = re.compile(
    rf"(?:(?P<pre>{_alternation(list(_ZH_PREFIX))}){_ZH_PREFIX_LINK}?)?"
    r"(?P<num>(?<![\dA-Za-z.])\d+(?:,\d{3})*(?:\.\d+)?(?![\d.,]\d)"
    rf"|(?:[数几上](?=[十百千万])|(?=[一二两三四五六七八九十]))[{_ZH_NUM_CHARS}]+"
    rf"|(?<=[近约超过逾达])(?=[百千万])[{_ZH_NUM_CHARS}]*)"
    r"(?P<q1>[多余来几])?"
    rf"(?P<mag>[百千万亿]+(?:{_ZH_SECTION})*)?"
    r"(?P<q2>[多余])?"
    r"[ \u00a0]?"
    rf"(?P<unit>{_alternation(UNITS_ZH)})?"
    rf"(?P<post>{_alternation(list(_ZH_SUFFIX))})?"
)
_PERCENT_ZH = re.compile(
    rf"(?P<pre>{_alternation(list(_ZH_PREFIX))})?百分之(?P<num>[\d.]+|[{_ZH_NUM_CHARS}点]+)"
)

# After a number these turn a unit into part of another word (2023年度, 90年代, 三年级,
# 天津), make "N年" the name of a plan (三年行动计划, 五年规划), or a point in time (5年前).
_UNIT_BLOCKERS = {
    "年": ("度", "代", "级", "底", "初", "末", "前", "行动", "规划", "计划", "攻坚", "工程"),
    "天": ("津", "前"),
    "个月": ("前",),
    "小时": ("前",),
    # 起来, 起点, 起草, 起诉…: verbs and nouns starting with a measure word (3起 is 3 cases).
    "起": ("来", "点", "步", "草", "飞", "始", "源", "航", "跑", "诉", "义", "床", "身", "码", "止",
          "价", "拍", "算", "效", "见", "因", "到"),
    "宗": ("旨", "教", "族", "亲", "师", "祠", "派", "室"),
    "例": ("如", "外", "子", "会", "行", "证", "题", "句"),
    "轮": ("车", "椅", "船", "胎", "子", "廓", "流", "换", "岗", "值", "休", "训"),
    "笔": ("记", "试", "者", "名", "画", "墨", "直", "迹", "触", "下"),
    "幅": ("度", "员"),
    "届": ("时", "满", "别", "会"),
}  # fmt: skip
# 届 is a count only after a verb of holding or a count adverb (连续四届, 已举办四届,
# 共举办了五届) or at a clause end (已经办了三届。); otherwise it is an ordinal without 第
# (十四届全国人大, 二十届三中全会).
_SESSION_COUNT_BEFORE = re.compile(
    r"(?:连续|举办|举行|召开|开展|办|共|已|累计|历经|先后|总共|了|过)$"
)
_SESSION_COUNT_AFTER = re.compile(r"[，。、；！？,.;!?）)]|了|以来|$")
_NAME_TAGS = frozenset({"ns", "nr", "nt", "nrt", "nrfg", "nz"})
# Single-character measure words that also start common nouns (两部门, 3家庭): when jieba's
# segmentation glues the unit to what follows into a noun, the number has no measure word.
_NOUN_PREFIX_UNITS = frozenset("部家名期场所位类门台间处头条件本队团只支套张份批项座户宗例笔箱袋")
_NOUN_TAGS = frozenset({"n", "nz", "nt", "ns", "vn", "ng", "l", "j"})
PERIOD_UNITS = frozenset({"年", "个月", "天", "小时"})
# Before 近 + a period, verbs of duration make 近 "nearly" (历时近两年); otherwise 近N年
# is "the last N years" (近两年, 近三年来) and no approximation.
_TOOK_BEFORE = re.compile(r"(?:历时|耗时|用时|历经|经过|长达|持续|用了|花了|了)$")
_VAGUE_IN_SECTION = re.compile("[多余]")
# Characters before 约/近 that make it the end of another word (签约, 预约, 附近, 最近).
_PREFIX_SPOILERS = {"约": "签预合公条邀制节婚契违履守特简相", "近": "最附靠亲邻临就贴"}
# A share whose qualifier stands before 占 and its base: 约占全市总人口的18%.
_SHARE_BEFORE = re.compile(
    rf"(?P<pre>{_alternation(list(_ZH_PREFIX))})占[^，。；;,!?！？\d]{{0,12}}的$"
)
_ORDINAL_BEFORE = ("第", "排名", "No.", "no.")
# Before a Chinese numeral only: 初三 (a school grade or lunar date), 周三/星期三 (weekdays).
_CALENDAR_BEFORE = ("初", "周", "星期", "礼拜")
_TWO_DIGIT_YEAR = re.compile(r"年\d{1,2}月")


@cache
def load_jieba() -> tuple[Any, dict[str, str], frozenset[str]]:
    """jieba's POS tagger, its word->tag table, and its numeral idioms (loaded once)."""
    import jieba
    import jieba.posseg as posseg

    jieba.setLogLevel(60)
    posseg.dt.initialize()
    tags: dict[str, str] = posseg.dt.word_tag_tab
    numeral = re.compile(f"[{_ZH_NUM_CHARS}万亿]")
    idioms = frozenset(
        w
        for w, t in tags.items()
        if t in ("i", "l", "nz") and len(w) >= 3 and numeral.search(w) and not _is_quantity(w)
    )
    return posseg, tags, idioms | _SLOGANS_ZH


def _is_quantity(word: str) -> bool:
    """True for dictionary entries that are plain quantities (两万人, 近百家, 这三家), not idioms.

    jieba files some everyday counts under idioms; an entry whose numeral and measure word
    leave fewer than two other characters is such a count (货比三家 leaves 货比: an idiom).
    """
    m = _ZH_PATTERN.search(word)
    return bool(m and m["unit"] and len(word) - len(m.group()) < 2)


def _in_fixed_expression(text: str, start: int, end: int, fixed: frozenset[str]) -> bool:
    """True when an idiom or slogan from ``fixed`` covers any character of [start, end)."""
    for length in range(3, 8):
        for i in range(max(0, start - length + 1), end):
            if text[i : i + length] in fixed:
                return True
    return False


_PARALLEL = re.compile(
    rf"[{_ZH_NUM_CHARS}万][^{_ZH_NUM_CHARS}万][{_ZH_NUM_CHARS}万][^{_ZH_NUM_CHARS}万]"
)


def _parallel_numerals(text: str, start: int) -> bool:
    """True inside the "N x N y" shape of numeral idioms and formulas (三番五次, 千家万户,
    三天两头, 五个一工程), which a dictionary never fully lists -- unless the shape's first
    numeral ends a word of the dictionary (唯一向两家: 唯一 + 向 + 两家, no idiom)."""
    _, tags, _ = load_jieba()
    return any(
        _PARALLEL.fullmatch(text, i, i + 4) and not (i and text[i - 1 : i + 1] in tags)
        for i in (start - 2, start)
        if i >= 0
    )


def _starts_place_name(text: str, start: int, tags: dict[str, str]) -> bool:
    """True when the numeral begins a proper name in jieba's dictionary (七台河, 三门峡)."""
    return any(tags.get(text[start : start + n]) in _NAME_TAGS for n in (3, 4))


# A word the dictionary has seen this rarely is no everyday noun: 4家商协会 is 家 + 商协会,
# though the dictionary lists a rare 家商.
_RARE = 50


def _frequent(word: str) -> bool:
    posseg, _, _ = load_jieba()
    return posseg.dt.tokenizer.FREQ.get(word, 0) >= _RARE


def _noun_unit(text: str, pos: int) -> str | None:
    """The noun phrase right after a number with no measure word (130万社会工作者)."""
    posseg, _, _ = load_jieba()
    tail = re.split(r"[^\u4e00-\u9fff]", text[pos : pos + 12], maxsplit=1)[0]
    words = []
    for token in posseg.cut(tail):
        if token.flag not in _NOUN_TAGS or token.word == "的":
            break
        words.append(token.word)
    noun = "".join(words)
    return noun if len(noun) >= 2 else None


def _approx(*marks: str | None) -> str | None:
    """The first approximation any of the qualifiers implies."""
    for mark in marks:
        if not mark:
            continue
        if mark in _ZH_PREFIX:
            return _ZH_PREFIX[mark]
        if mark in _ZH_SUFFIX:
            return _ZH_SUFFIX[mark]
        if mark in ("多", "余", "几", "数", "上"):
            return MORE_THAN
        if mark == "来":
            return ABOUT
    return None


def _zh_candidate(text: str, m: re.Match[str]) -> tuple[int, int, float, str, str | None] | None:
    """(start, end, value, unit, approx) for one numeral match, or None if not a statistic."""
    num, mag, unit, pre = m["num"], m["mag"] or "", m["unit"], m["pre"]
    if pre and m.start() and text[m.start() - 1] in _PREFIX_SPOILERS.get(pre, ""):
        pre = None  # 签约30个, 附近3个: the qualifier's character ends another word
    if (
        pre == "近"
        and unit in PERIOD_UNITS
        and not _TOOK_BEFORE.search(text[max(0, m.start() - 2) : m.start()])
    ):
        pre = None  # 近5年(来): "the last five years", not "nearly"; but 历时近两年 is nearly
    start = m.start("pre") if pre else m.start("num")
    end = m.end()
    lead = num[0] if num[:1] in ("数", "几", "上") else None
    digits = num[1:] if lead else num
    is_arabic = digits[:1].isdigit()
    before = text[max(0, m.start("num") - 3) : m.start("num")]
    if before.endswith(_ORDINAL_BEFORE) or (not is_arabic and before.endswith(_CALENDAR_BEFORE)):
        return None
    if unit == "次" and before.endswith("届"):
        return None  # 第三届二次理事会: the second session of the third term, an ordinal
    if not is_arabic and digits == "一" and not mag:
        return None  # 一个, 一批, 一系列: articles and idioms, not counts
    if unit is None:
        # A noun straight after the number (130万社会工作者, 近8千志愿者): after 万/亿, or
        # after 百/千 written with digits or a qualifier (bare 千/百 are mostly idioms).
        if not ("万" in mag or "亿" in mag or (mag and (is_arabic or pre))):
            return None
        unit = _noun_unit(text, m.end("q2") if m["q2"] else m.end("mag"))
        if unit is None:
            return None
        end = m.end("mag") + (len(m["q2"]) if m["q2"] else 0) + len(unit)
    else:
        after = text[m.end("unit") : m.end("unit") + 1]
        if text.startswith(_UNIT_BLOCKERS.get(unit, ()), m.end("unit")):
            return None
        if unit == "届" and not (
            _SESSION_COUNT_BEFORE.search(text[max(0, start - 2) : start])
            or _SESSION_COUNT_AFTER.match(text, m.end("unit"))
        ):
            return None
        if unit in _NOUN_PREFIX_UNITS and after and unit + after not in UNITS_ZH:
            posseg, tags, _ = load_jieba()
            word = posseg.dt.tokenizer.lcut(text[m.start("unit") : m.end("unit") + 4], HMM=False)[0]
            if len(word) > len(unit) and tags.get(word) in _NOUN_TAGS and _frequent(word):
                return None  # 两部门, 3家庭: a noun, not a measure word (5名儿童 is 名 + 儿童)
    year_like = digits.isdigit() and len(digits) == 4 and 1000 <= int(digits) <= 2199
    if unit == "年" and year_like and not mag and not m["q1"]:
        return None  # 2022年: a calendar year
    if is_arabic and not mag and _TWO_DIGIT_YEAR.match(text, m.end("num")):
        return None  # 22年3月: a date with a two-digit year
    value = parse_zh(digits + mag)
    if value is None:
        return None
    _, tags, fixed = load_jieba()
    if not is_arabic and _starts_place_name(text, m.start("num"), tags):
        return None
    if not is_arabic and len(digits) == 1 and _parallel_numerals(text, m.start("num")):
        return None
    if not is_arabic and _in_fixed_expression(text, m.start("num"), m.end(), fixed):
        return None
    if _in_fixed_expression(text, m.start("num"), m.end(), _SLOGANS_ZH):
        return None
    inner = _VAGUE_IN_SECTION.search(mag)
    approx = _approx(pre, lead, m["q1"], inner and inner.group(), m["q2"], m["post"])
    if approx is None and unit == "%":
        share = _SHARE_BEFORE.search(text[max(0, start - 16) : start])
        approx = _approx(share and share["pre"])
    return start, end, value, unit, approx


def figures_zh(text: str) -> Iterator[tuple[int, int, float, str, str | None]]:
    for m in _ZH_PATTERN.finditer(text):
        found = _zh_candidate(text, m)
        if found:
            yield found
    for m in _PERCENT_ZH.finditer(text):
        value = parse_zh(m["num"].replace("点", "."))
        if value is None:
            continue
        start = m.start("pre") if m["pre"] else m.start("num") - 3
        yield start, m.end(), value, "%", _approx(m["pre"])
