"""Date mentions in Chinese and English news text, normalised to ISO 8601.

Shared by the meetings and agreements extractors, which both report *when* something
happened.  Why a module of its own: the rules for a year that is only implied are subtle and
must be the same for every fact kind.  A month-day date ("8月26日", "November 16th") keeps
no year (``--08-26``) unless the text states the year for it: in the same date expression,
earlier in the same paragraph in a full date ("2022年8月1日 ... 8月26日"), in a paragraph
that opens with a year ("2015年,..."), or in the document's dateline ("...2022年8月26日电").

Outputs: ``2022-08-26`` (full), ``--08-26`` (no year), ``2017-09`` (year and month),
``2015`` (year alone, also "in 2015"), ``--11`` (a month that times an event, no year).
"日前", "近日" and other vague times are not dates at all.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON = (r"(?P<mon>January|February|March|April|May|June|July|August|September|October|"
        r"November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|"
        r"Oct\.?|Nov\.?|Dec\.?)")
_NUM = r"[0-9０-９]|[〇零一二两三四五六七八九十]"

# Chinese: the year part may be followed by spaces (PDF extraction puts "2022 年").  A range of
# days ("27至28日", "22日—23日") starts on its first day.  A year
# followed by 度 ("2023年度") or by a range ("2023年-2027年") is a label or term, not a date.
_ZH = re.compile(
    rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?:(?P<m>(?:{_NUM}){{1,2}})\s*月\s*"
    rf"(?:(?P<d>(?:{_NUM}){{1,3}})\s*(?:[至到~～—–-]\s*(?:{_NUM}){{1,3}}\s*)?[日号]"
    rf"(?:\s*[至到~～—–-]\s*(?:{_NUM}){{1,2}}\s*[日号])?)?)"
    rf"|(?<![-—–~至到])(?P<yo>\d{{4}})\s*年(?!\s*度)(?!\s*[-—–~至到]\s*\d)"
)
_EN = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}(?:,?\s+(?P<y1>\d{{4}}))?\b"
    rf"|\b{_MON.replace('mon>', 'mon2>')}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*%)"
    rf"(?:\s*(?:-|–|—|to|and)\s*\d{{1,2}}(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|\b{_MON.replace('mon>', 'mon3>')},?\s+(?P<y3>\d{{4}})\b"
    r"|(?<=\b[Ii]n\s)(?P<y4>(?:19|20)\d{2})\b(?!\s*[-–—/]\s*\d)"
)
# "20111229日": year, month and day run together, as some publishing systems write them.
_ZH_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})\s*日")
# A month with neither year nor day ("11月在东莞召开", "12月上旬,") is a date only where it
# times an event: followed by a part of the month, a pause or the event's verb; elsewhere a
# bare "8月" is too vague (and often part of a count or a label).
_MONTH_TAIL = re.compile(r"(?:上旬|中旬|下旬|初|中|底|末|份)?(?=\s*(?:[,，、;；]|在|于|举行|召开|"
                         r"举办|开幕|启动|签|期间|至|到))")
_EN_RANGE_START = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|–|—|to|and)\s*$")
_DATELINE_ZH = re.compile(r"(\d{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*电")
_DATELINE_EN = re.compile(
    rf"^[A-Z][A-Z .'-]+,\s+{_MON}\s+\d{{1,2}},?\s+(?P<y>\d{{4}})", re.MULTILINE)
# A newspaper page header: a short line near the top that gives the full date of the issue
# ("2023年12月5日 星期二"); it states the year of the articles on that page.
_PAGE_HEADER = re.compile(r"^[^\n，,。;；]{0,20}?(\d{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
                          r"(?:\s*[(（]?(?:星期|周)[一二三四五六日天][)）]?|[ \t　])"
                          r"[^\n，,。;；]{0,20}$"
                          r"|^\s*(\d{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$", re.MULTILINE)
_PARA_YEAR = re.compile(r"^\s*(\d{4})\s*年\s*[,，]", re.MULTILINE)


class DateMention(NamedTuple):
    """A date found in a text: character span, ISO value, and whether the text gave a year."""

    start: int
    end: int
    iso: str
    has_year: bool


def _cn_int(text: str) -> int:
    """Arabic, full-width or Chinese numerals (up to 三十一) as an int."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS.get(text, 0)


def iso(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    """The ISO 8601 form of a possibly partial date; None when it is not a valid date."""
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    if year is None:
        if month is None:
            return None
        return f"--{month:02d}-{day:02d}" if day is not None else f"--{month:02d}"
    if month is None:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")


def _raw_dates(text: str) -> list[tuple[int, int, int | None, int | None, int | None]]:
    """Every date expression as (start, end, year, month, day), Chinese and English."""
    out: list[tuple[int, int, int | None, int | None, int | None]] = []
    for m in _ZH.finditer(text):
        if m.group("yo"):
            out.append((m.start(), m.end(), int(m.group("yo")), None, None))
            continue
        year = int(m.group("y")) if m.group("y") else None
        day = _cn_int(m.group("d")) if m.group("d") else None
        end = m.end()
        if year is None and day is None:
            tail = _MONTH_TAIL.match(text, end)
            if tail is None:
                continue
            end = tail.end()
        out.append((m.start(), end, year, _cn_int(m.group("m")), day))
    for m in _ZH_COMPACT.finditer(text):
        out.append((m.start(), m.end(), int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _EN.finditer(text):
        if m.group("y4"):  # "in 2019": the year alone
            out.append((m.start(), m.end(), int(m.group("y4")), None, None))
            continue
        mon = m.group("mon") or m.group("mon2") or m.group("mon3")
        month = _MONTHS[mon.rstrip(".").lower()]
        day_text = m.group("d1") or m.group("d2")
        year_text = m.group("y1") or m.group("y2") or m.group("y3")
        if mon.rstrip(".") == "May" and day_text is None and year_text is None:
            continue
        start = m.start()
        first = _EN_RANGE_START.search(text, max(0, start - 16), start) if m.group("d1") else None
        if first:  # "from 4 to 7 July", "4-7 July": the event starts on the first day
            start, day_text = first.start(1), first.group(1)
        out.append((start, m.end(), int(year_text) if year_text else None, month,
                    int(day_text) if day_text else None))
    out.sort()
    return out


def find_dates(text: str) -> list[DateMention]:
    """All dates in ``text``, with years carried from the same paragraph or the dateline.

    Paragraphs are separated by line breaks (news pages put one paragraph per line).
    """
    dateline = (_DATELINE_ZH.search(text[:300]) or _DATELINE_EN.search(text[:300])
                or _PAGE_HEADER.search(text[:300]))
    doc_year = int(dateline.group("y") if dateline.re is _DATELINE_EN
                   else dateline.group(1) or dateline.group(2)) if dateline else None
    para_year = {m.start(): int(m.group(1)) for m in _PARA_YEAR.finditer(text)}
    out: list[DateMention] = []
    year = doc_year
    para_start = -1
    for start, end, y, mo, d in _raw_dates(text):
        line_start = text.rfind("\n", 0, start) + 1
        if line_start != para_start:
            para_start = line_start
            year = para_year.get(line_start, doc_year)
        if y is not None and mo is not None:
            year = y
        value = iso(y if y is not None else (year if mo is not None else None), mo, d)
        if value is not None:
            out.append(DateMention(start, end, value, y is not None))
    return out


# After a Chinese date that times an event comes a pause, a place, a time of day or the verb;
# a date followed by a noun ("2023年“推进…”活动", "2010年的") labels that noun instead.
_EVENT_NEXT = re.compile(r"\s*(?:[,，、;；。:：)）(（\n]|$|[在于起至到签上下晚早中举召开正当前后])")
_SINCE = re.compile(r"[^,，。；;]{0,30}?以来")
_VAGUE_LEAD = re.compile(r"^\s*(?:日前|近日|近期|最近|目前|前不久|不久前|近来|recently|lately)",
                         re.IGNORECASE)
_LEAD_PLACE = re.compile(r"^[,，]\s*([^\s,，。;；!?！？]{2,25})[。.]")
_CJK_DATE = re.compile(r"[年月日号]")
# A wire dateline opening a paragraph: "某网拉萨9月5日电 (记者 某某)", "某报北京5月25日讯".
_DATELINE_AT = re.compile(r"^[^\s,，。;；:：]{0,16}?(?=\d{1,2}\s*月\s*\d{1,2}\s*日\s*[电讯])")
# An English dateline: "Chandigarh, May 27" on a line of its own, or "LAGOS, May 27 –" before
# the first sentence.
_DATELINE_LINE_EN = re.compile(rf"^[A-Z][\w .'’-]{{1,30}},\s+(?={_MON}\s+\d{{1,2}}\b)")
_DATELINE_END_EN = re.compile(r"\s*(?:$|[-–—:]\s)")
# "为推动…发展,3月20日,…": a purpose clause may stand before the time of the event.
_PURPOSE = re.compile(r"(?:为了|为)[^。;；!?！？]{2,80}?[,，]\s*(?=\d{1,4}\s*[年月])")
_DATELINE_REST = re.compile(r"\s*[电讯]\s*(?:[(（][^()（）]{0,30}[)）])?\s*")


def event_dates(text: str, mentions: list[DateMention] | None = None) -> list[DateMention]:
    """The dates that can time an event: not noun labels, not "自…以来" starting points."""
    out = []
    for d in find_dates(text) if mentions is None else mentions:
        after = text[d.end:d.end + 40]
        if _CJK_DATE.search(text, d.start, d.end):  # English dates carry their own context
            if not _EVENT_NEXT.match(after):
                continue
            if text[max(0, d.start - 1):d.start] == "自" and _SINCE.match(after):
                continue
        out.append(d)
    return out


class Lead(NamedTuple):
    """What a paragraph's opening sets for the events it reports: date and scene (or None)."""

    start: int
    date: str | None
    place: str | None


def leads(text: str, dates: list[DateMention]) -> list[Lead]:
    """Paragraph openings that time the article's events, in text order.

    News paragraphs open with the time of the event ("8月26日,…", "In November 16th, …"),
    perhaps after a purpose clause ("为推动…,3月20日,…"), or with a vague time ("日前,…",
    "近日,…"), which resets it; a bare "date, place." opening sets the scene as well.  A wire
    dateline ("…5月25日电 (记者 …)", "Chandigarh, May 27") dates the paragraph it opens unless
    a vague time follows it ("…电 日前,…").  Later undated mentions of the reported event
    inherit the last lead.
    """
    by_start = {d.start: d for d in dates}
    out = []
    pos = 0
    for line in text.split("\n"):
        stripped = len(line) - len(line.lstrip())
        start = pos + stripped
        pos += len(line) + 1
        head = line.lstrip()
        if _VAGUE_LEAD.match(head):
            out.append(Lead(start, None, None))
            continue
        line_end = start + len(head)
        wire = _DATELINE_LINE_EN.match(head)
        d = by_start.get(start + wire.end()) if wire else None
        if d is not None and _DATELINE_END_EN.match(text[d.end:line_end]):
            out.append(Lead(start, d.iso, None))
            continue
        wire = _DATELINE_AT.match(head)
        d = by_start.get(start + wire.end()) if wire else None
        if d is not None:
            rest = _DATELINE_REST.match(text, d.end)
            if rest is not None:
                vague = _VAGUE_LEAD.match(text[rest.end():pos])
                out.append(Lead(start, None if vague else d.iso, None))
                continue
        purpose = _PURPOSE.match(head)
        for lead_word in (purpose.group() if purpose else "", "In ", "On ", "in ", "on "):
            d = by_start.get(start + len(lead_word)) if head.startswith(lead_word) else None
            if d is not None and _EVENT_NEXT.match(text[d.end:d.end + 2]):
                place = None if purpose else _LEAD_PLACE.match(text[d.end:pos - 1])
                out.append(Lead(start, d.iso, place.group(1) if place else None))
                break
    return out


def lead_at(leads_: list[Lead], position: int) -> Lead | None:
    """The last lead that opens at or before ``position``."""
    found = None
    for lead in leads_:
        if lead.start > position:
            break
        found = lead
    return found
