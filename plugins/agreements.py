"""The ``agreements`` extractor: agreements, memoranda and action plans reported as signed.

News reports a signing with a small set of verbs (签署, 签订, 签定, signed) whose object is the
agreement: a 《》 title when the text gives one, else a noun phrase ending with an agreement
head (协议, 备忘录, agreement, memorandum … in ``data/agreement_heads.txt``).  The subject of
the verb gives the parties: organisations as written, or the people who signed ("机构+职务+
姓名" keeps the name); people who sign for "双方" stand for the two bodies the text pairs
(the ceremony "甲与乙签约仪式"), and a list after "即:" pairs the signatories one agreement
a line.  A count ("九项合作协议") is a statistic, not an agreement, and a short
generic wording ("合作协议") folds into a fuller title of the same document that contains it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from factfold import Agreement, Document, Extractor, hookimpl

from . import meetings, nlp, parties_en
from .dates import DateMention, event_dates, find_dates, lead_at, leads
from .lexicons import alternation, lexicon
from .meetings import date_near, dedupe, is_org_zh, norm, sentence_of

VERSION = "1.3.0"

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
_COLLECTIVE = re.compile(r"^[一二三四五六七八九十两几多]?(?:双方|三方|各方|多方|两地|三地|四地|"
                         r"[两三四五六七八九十]家|[两三四五六七八九十]个)")
_TRAILING_ADVERBS = re.compile(r"(?:还|也|又|均|都|正式|共同|分别|现场|当场|此前|已|已经|将|一起|"
                               r"同时|再次|首次|日前|近日|曾经|曾)+$")
# "A与B分别代表双方签署": the people sign on behalf of the bodies they belong to.
# A bare trailing 代表 is the noun ("乙大学的高校代表"), not the verb.
_ON_BEHALF = re.compile(r"(?:分别代表|代表(?=双方|三方|各方|各自单位|本单位|所在单位|两地))"
                        r"(?:双方|三方|各方|各自单位|本单位|所在单位|两地)?$")
# A topic or place phrase inside the subject ("甲联合会就人才培养与乙学院…", "…在某地…"):
# it ends before the next party or at the verb.
_SUBJECT_PHRASE = re.compile(r"(?:就|围绕|针对|在|于)[^与和同跟、]{0,30}?(?=[与和同跟]|$)")
_ZH_PARTY_JOINERS = re.compile(r"分别与|分别同|以及|[、和与及同跟]")
# What a signing clause may open with before its first party: the scene ("会上", "仪式上",
# "此次活动中", "现场"), the time ("3月20日上午"), a sequence word ("随后").
_CLAUSE_OPENER = re.compile(
    r"^(?:(?:\d{4}\s*年)?\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]|上午|下午|晚上|"
    r"[\u4e00-\u9fff]{0,4}?(?:会|仪式|典礼|论坛|沙龙|活动)(?:上|中|期间|现场)|"
    r"随后|其后|之后|最后|同时|此外|其间|当天|当日|同日|现场)+")
_CONTINUED = re.compile(r"(?:并|并且|且|还|也|又|随后|同时|均)?")
_JOINER_ADVERB = re.compile(r"(?:又|还|也|再次|首次|同时|正式|共同)(?=与|和|同|跟)")
# "某某代表甲学院与乙协会…": the person acts for the body that follows.
_AGENT = re.compile(r"^([^与和同跟、]{2,30}?)代表(?!双方|三方|各方|各自|本单位|所在单位)")
# A body the article speaks as: "我院", "本会", "我校", or the bare kind ("学院").
_RELATIVE_BODY = re.compile(r"(?:我|本|该)(?:院|校|会|局|所|中心|协会|学院|大学|基金会|单位)"
                            r"|学院|大学|中心|协会|基金会")
# A delegate of a body: "甲局负责人", "乙大学的高校代表", "丙协会代表".
_DELEGATE = re.compile(r"的?(?:高校|院校|单位|机构|方面)?(?:代表|负责人|领导)$")
# A profession word right before a name: "艺术家", "律师", "运动员", "作家".
_PROFESSION_NAME = re.compile(r"(?:家|师|员|者|手)([\u4e00-\u9fff]{2,3})$")


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
    _obj_item_re()
    _surnames()
    parties_en.setup()


def _person_or_org(piece: str) -> str | None:
    """A signatory as written: an organisation, a bare name, or the name after a post title."""
    piece = _drop_delegate(piece)
    if _is_body(piece):
        return piece
    if (re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", piece) and not _title_suffix_re().search(piece)
            and (piece[0] in _surnames() or piece[:2] in _surnames())):
        return piece
    trade = _PROFESSION_NAME.search(piece)  # "表演艺术家某某": a profession, then the name
    if trade and piece[trade.start(1)] in _surnames():
        return trade.group(1)
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
    subject = _clean_subject(subject)
    behalf = _ON_BEHALF.search(subject)
    subject = _TRAILING_ADVERBS.sub("", _ON_BEHALF.sub("", subject))
    subject = _SUBJECT_PHRASE.sub("", subject)
    subject = re.sub(r"等(?:单位|机构|部门|组织|多家单位)?$", "", subject)
    if _COLLECTIVE.match(subject):
        return []  # "双方", "三地民政局": who they are is said elsewhere
    gift = _donation(subject)
    if gift:
        return gift
    parts = _split_signers(subject) or [subject]
    mixed = len({_is_body(_drop_delegate(p)) for p in parts}) > 1  # "甲协会与乙大学副校长某某"
    if (behalf or mixed) and parts:
        bodies = [_body_of(p, text) for p in parts]
        if all(bodies):
            return [b for b in bodies if b]
    found = [_person_or_org(p) for p in parts]
    return [f for f in found if f] if all(found) else []


# "甲公司向乙基金会捐赠…": a donor and a recipient, the two sides of a donation agreement.
_DONATION = re.compile(r"([^,，。;；]{2,40}?)向([^,，。;；]{2,40}?)"
                       r"(?:捐赠|捐助|捐款|捐献|捐建|资助)")


def _donation(clause: str) -> list[str] | None:
    m = _DONATION.match(_clean_subject(clause))
    if m is None:
        return None
    sides = [_person_or_org(m.group(1)), _person_or_org(m.group(2))]
    return [x for x in sides if x] if all(sides) and all(map(_is_body, sides)) else None


def _clean_subject(subject: str) -> str:
    """The subject without the scene or time it opens with ("会上", "3月20日"), without
    adverbs ("又与", "还和") and without a person who signs on behalf of the body after
    代表 ("某某代表我院与…": the body is the party)."""
    subject = _TRAILING_ADVERBS.sub("", subject.strip())
    subject = _CLAUSE_OPENER.sub("", subject)
    subject = _JOINER_ADVERB.sub("", subject)
    agent = _AGENT.match(subject)
    if agent and _person_or_org(agent.group(1)) and not _is_body(agent.group(1)):
        subject = subject[agent.end():]
    return subject


def _is_body(piece: str) -> bool:
    """An organisation, or a relative body the article speaks as ("我院", "本会", "学院")."""
    piece = piece.strip(" 　“”")
    return is_org_zh(piece) or bool(_RELATIVE_BODY.fullmatch(piece))


def _drop_delegate(piece: str) -> str:
    """"甲局负责人", "乙大学的高校代表": a delegate stands for the body named before."""
    piece = piece.strip(" 　“”")
    body = _DELEGATE.sub("", piece)
    return body if body != piece and _is_body(body) else piece


def _split_signers(subject: str) -> list[str] | None:
    """Split a subject at joiners (、和与及 …) so that every piece is a signer; a joiner
    inside a name ("人力资源和社会保障部", "敦和基金会") is kept when splitting there
    would leave a piece that is neither a body nor a person."""
    if _valid_signer(subject) and not _ZH_PARTY_JOINERS.search(subject):
        return [subject]
    for m in _ZH_PARTY_JOINERS.finditer(subject):
        left = subject[:m.start()]
        if not _valid_signer(left) or (m.group() == "、" and _post_re().search(left)
                                       and _post_start_re().match(subject, m.end())):
            continue  # "党委常委、副校长某某": one signer with two posts
        rest = _split_signers(subject[m.end():])
        if rest:
            return [left, *rest]
    return [subject] if _valid_signer(subject) else None


def _valid_signer(piece: str) -> bool:
    return bool(piece.strip()) and (_is_body(_drop_delegate(piece))
                                    or _person_or_org(piece) is not None)


@cache
def _surnames() -> frozenset[str]:
    return frozenset(lexicon("people_surnames_zh.txt"))


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
    distinct: bool = False  # one of several of the same wording, each with its own parties
    date: str | None = None
    more: list[tuple[int, int]] = field(default_factory=list)  # other sentences about it


def _zh_found(text: str, sents: list[tuple[int, int]]) -> list[_Found]:
    out = []
    pairs: list[tuple[int, list[str]]] | None = None
    for verb in _ZH_SIGN.finditer(text):
        sent = sentence_of(sents, verb.start())
        clause_start = max(sent[0],
                           *(text.rfind(p, sent[0], verb.start()) + 1 for p in ",，;；:：|｜"))
        subject = text[clause_start:verb.start()]
        if _CONTINUED.fullmatch(_clean_subject(subject)):
            # "双方代表…座谈,并现场签署了…": the sentence's first clause holds the subject
            subject = next((c for c in re.split(r"[,，;；:：]", text[sent[0]:clause_start])
                            if _clean_subject(c)), subject)
        parties = _zh_parties(subject, text)
        if "双方" in subject:
            # "双方签署", "某某与某某代表双方签署": the two bodies the text pairs elsewhere
            if pairs is None:
                pairs = _org_pairs(text)
            paired = [p for pos, p in pairs if pos < verb.start()] or [p for _, p in pairs[:1]]
            if paired and _stands_for(parties, paired[-1]):
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
                f.parties = f.parties or _parties_from_title(f.title)
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
        clause = _CLAUSE_OPENER.sub("", _BYLINE.sub("", text[start:m.start()].strip()))
        stop = _PAIR_STOP.search(clause)
        pieces = _split_signers(clause[:stop.start()]) if stop else None
        if not pieces or len(pieces) < 2 or not all(map(_is_body, pieces)):
            continue
        topic = re.sub(r"^(?:就|举行|举办|的)+", "", clause[stop.start():]).strip()
        if 2 <= len(topic) <= 30 and not re.search(r"举行|举办|召开|[在于]", topic):
            s0 = text.rindex(topic, start, m.start())
            return [_Found(topic, s0, s0 + len(topic), sent, m.start(), pieces, None, True)]
    return []


# What may open an untitled agreement's name: a year label ("2024年度"), a length ("三年").
_OBJ_LEAD = re.compile(r"\s*(?:\d{4}\s*年度?\s*)?(?:为期)?"
                       r"(?:((?:\d{1,2}|[一二两三四五六七八九十])\s*年)(?![度前后来内]))?")
_OBJ_JOINER = re.compile(r"以及|[及和与、]")


@cache
def _obj_item_re() -> re.Pattern[str]:
    heads = alternation("agreement_heads.txt")
    return re.compile(rf"[^\s,，。;；、《》“”:：]{{0,30}}?(?:{heads})"
                      r"(?=以及|[及和与、]|[\s,，。;；:：并后以]|$)", re.IGNORECASE)


def _untitled(text: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
    """Agreements the verb names without 《》: "战略合作协议", "实习基地协议及合作框架协议"
    (two); a length before the name ("三年社会工作合作协议") is the term, as written."""
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


# "…签订了深化合作协议,即:" / "如下:": the pairs that signed follow, one item a line.
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
            pieces = _split_signers(m.group(1)) if m else None
            if not pieces or len(pieces) < 2 or not all(map(_is_body, pieces)):
                break
            out.append(_Found(f.title, f.start, f.end, f.sent, f.verb, pieces, f.term,
                              f.generic, distinct=True))
        pos = end + 1
    return out if len(out) > 1 else []


# Where bodies are paired in the text ("甲学院与乙中心就…举行见面会", "甲、乙…签约仪式"):
# the clause opens with the bodies and a verb or the event's topic follows them.
_PAIR_STOP = re.compile(r"就|在|于|签|举行|举办|召开|合作|共建|携手|战略|共同|正式|的|为|开展|"
                        r"达成|建立|结对|见面|“|\"|\d")


def _stands_for(parties: list[str], pair: list[str]) -> bool:
    """Whether a pair of bodies named elsewhere can replace the signers found: none were
    found, they are people, or each is a short form of one of the pair ("乙基金会" for
    "丙省乙慈善基金会": its characters in order)."""
    if not parties or not all(map(_is_body, parties)):
        return True
    return len(parties) == len(pair) and all(
        any(_short_form(p, full) for full in pair) for p in parties)


def _short_form(short: str, full: str) -> bool:
    chars = iter(full)
    return all(c in chars for c in short)


# A news byline before the first clause: "某报北京5月25日讯(记者 某某)", "…日电".
_BYLINE = re.compile(r"^.{0,30}?\d{1,2}\s*日\s*(?:讯|电)\s*(?:[(（][^()（）]{0,30}[)）])?\s*")


def _org_pairs(text: str) -> list[tuple[int, list[str]]]:
    """Every clause that opens with two bodies joined (与/和/、), with its position."""
    out = []
    for m in re.finditer(r"[^,，。;；:：!！?？\n|｜]+", text):
        clause = _CLAUSE_OPENER.sub("", _BYLINE.sub("", m.group().strip()))
        gift = _donation(clause)
        if gift:
            out.append((m.start(), gift))
            continue
        stop = _PAIR_STOP.search(clause)
        head = clause[:stop.start()] if stop else clause
        if not _ZH_PARTY_JOINERS.search(head):
            continue
        pieces = _split_signers(head)
        if pieces and len(pieces) == 2 and all(map(_is_body, pieces)):
            out.append((m.start(), pieces))
    return out


_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December")
# After an article, or capitalised without one ("signed Memorandum of Understanding").
_EN_TITLE = re.compile(r"\b(?:(?:the|a|an|two|three|new)\s+|(?=(?-i:[A-Z])))"
                       r"((?:[\w“”\"'’-]+\s+){0,10}?(?:"
                       r"agreement|memorandum(?:\s+of\s+understanding)?|MoU|MOU|accord|protocol|"
                       r"action\s+plan|contract|charter)(?:\s+(?:on|of|for)\s+(?:the\s+)?"
                       r"(?!(?:" + _MONTHS + r")\b)(?-i:[A-Z][\w'’-]*"
                       r"(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’-]*)*))?)", re.I)


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
    out = []
    for verb in _EN_SIGN.finditer(text):
        sent = _en_sentence(text, sents, verb.start())
        after = text[verb.end():sent[1]]
        m = _EN_TITLE.search(after)
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
        yield Agreement(title=f.title, parties=tuple(dedupe(f.parties)), date=f.date, term=term,
                        span=(f.start, f.end), evidence=text[f.sent[0]:f.sent[1]])


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register the agreements extractor (rules only; lexicons compiled once in setup)."""
    register(Extractor(name="agreements", version=VERSION, extract=extract,
                       emits=(Agreement,), setup=setup))
