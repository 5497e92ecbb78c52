"""Chinese signatories: who signed, as the text names them.

The subject of a Chinese signing verb lists the parties joined by 与/和/、/以及, often with
words that are not parties around them: the scene or time the clause opens with ("会上",
"3月20日"), adverbs ("又与"), a topic ("就人才培养"), a delegate ("甲局负责人"), a person
acting for a body ("某某代表我院与…").  A signer is a body (an organisation, or a relative
body the article speaks as: "我院", "我校"), a person (a surnamed name, the name after a post
or a profession), or a person standing for the body the text puts them in ("分别代表双方").
"双方" stands for two bodies the text pairs elsewhere ("甲与乙签约仪式", "甲向乙捐赠").
"""

from __future__ import annotations

import re
from functools import cache

from . import text
from .lexicons import alternation, lexicon
from .text import is_org_zh

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
def _title_suffix_re() -> re.Pattern[str]:
    return re.compile(alternation("title_suffixes_zh.txt"))


def _person_or_org(piece: str) -> str | None:
    """A signatory as written: an organisation, a bare name, or the name after a post title."""
    piece = _drop_delegate(piece)
    if is_body(piece):
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


def subject_parties(subject: str, text: str) -> list[str]:
    """The signatories named in the subject before a signing verb; people signing on behalf
    of their bodies ("…分别代表双方") stand for the bodies the text puts them in."""
    subject = clean_subject(subject)
    behalf = _ON_BEHALF.search(subject)
    subject = _TRAILING_ADVERBS.sub("", _ON_BEHALF.sub("", subject))
    subject = _SUBJECT_PHRASE.sub("", subject)
    subject = re.sub(r"等(?:单位|机构|部门|组织|多家单位)?$", "", subject)
    if _COLLECTIVE.match(subject):
        return []  # "双方", "三地民政局": who they are is said elsewhere
    gift = _donation(subject)
    if gift:
        return gift
    parts = split_signers(subject) or [subject]
    mixed = len({is_body(_drop_delegate(p)) for p in parts}) > 1  # "甲协会与乙大学副校长某某"
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
    m = _DONATION.match(clean_subject(clause))
    if m is None:
        return None
    sides = [_person_or_org(m.group(1)), _person_or_org(m.group(2))]
    given = [x for x in sides if x]
    return given if len(given) == len(sides) and all(map(is_body, given)) else None


def clean_subject(subject: str) -> str:
    """The subject without the scene or time it opens with ("会上", "3月20日"), without
    adverbs ("又与", "还和") and without a person who signs on behalf of the body after
    代表 ("某某代表我院与…": the body is the party)."""
    subject = _TRAILING_ADVERBS.sub("", subject.strip())
    subject = _CLAUSE_OPENER.sub("", subject)
    subject = _JOINER_ADVERB.sub("", subject)
    agent = _AGENT.match(subject)
    if agent and _person_or_org(agent.group(1)) and not is_body(agent.group(1)):
        subject = subject[agent.end():]
    return subject


def is_body(piece: str) -> bool:
    """An organisation, or a relative body the article speaks as ("我院", "本会", "学院")."""
    piece = piece.strip(" 　“”")
    return is_org_zh(piece) or bool(_RELATIVE_BODY.fullmatch(piece))


def _drop_delegate(piece: str) -> str:
    """"甲局负责人", "乙大学的高校代表": a delegate stands for the body named before."""
    piece = piece.strip(" 　“”")
    body = _DELEGATE.sub("", piece)
    return body if body != piece and is_body(body) else piece


def split_signers(subject: str) -> list[str] | None:
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
        rest = split_signers(subject[m.end():])
        if rest:
            return [left, *rest]
    return [subject] if _valid_signer(subject) else None


def _valid_signer(piece: str) -> bool:
    return bool(piece.strip()) and (is_body(_drop_delegate(piece))
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


def parties_from_title(title: str) -> list[str]:
    """"A B C共同推动…协议", "A与B关于…的协议": the signatories a title starts with."""
    m = re.match(r"(.{4,80}?)(?:共同|关于|联合|合作|战略)", title)
    if not m:
        return []
    parts = [p for p in re.split(r"[\s、和与及]+", m.group(1)) if p]
    return parts if len(parts) > 1 and all(is_org_zh(p) for p in parts) else []


# Where bodies are paired in the text ("甲学院与乙中心就…举行见面会", "甲、乙…签约仪式"):
# the clause opens with the bodies and a verb or the event's topic follows them.
_PAIR_STOP = re.compile(r"就|在|于|签|举行|举办|召开|合作|共建|携手|战略|共同|正式|的|为|开展|"
                        r"达成|建立|结对|见面|“|\"|\d")


def stands_for(parties: list[str], pair: list[str]) -> bool:
    """Whether a pair of bodies named elsewhere can replace the signers found: none were
    found, they are people, or each is a short form of one of the pair ("乙基金会" for
    "丙省乙慈善基金会": its characters in order)."""
    if not parties or not all(map(is_body, parties)):
        return True
    return len(parties) == len(pair) and all(
        any(_short_form(p, full) for full in pair) for p in parties)


def _short_form(short: str, full: str) -> bool:
    chars = iter(full)
    return all(c in chars for c in short)


# A news byline before the first clause: "某报北京5月25日讯(记者 某某)", "…日电".
_BYLINE = re.compile(r"^.{0,30}?\d{1,2}\s*日\s*(?:讯|电)\s*(?:[(（][^()（）]{0,30}[)）])?\s*")


_PAIRING = re.compile(r"[与和及同跟、]|以及|向")


def org_pairs(text: str) -> list[tuple[int, list[str]]]:
    """Every clause that opens with two bodies joined (与/和/、), with its position."""
    out = []
    for m in re.finditer(r"[^,，。;；:：!！?？\n|｜]+", text):
        if not _PAIRING.search(m.group()):
            continue  # most clauses pair no one: skip them before the slower parse
        gift = _donation(_CLAUSE_OPENER.sub("", _BYLINE.sub("", m.group().strip())))
        opening = (gift, "") if gift else opening_bodies(m.group())
        if opening and len(opening[0]) == 2:
            out.append((m.start(), opening[0]))
    return out


def opening_bodies(clause: str) -> tuple[list[str], str] | None:
    """The bodies a clause opens with, joined (与/和/、), and the rest of the clause:
    "甲学院与乙中心就共建基地举行见面会" -> (["甲学院", "乙中心"], "就共建基地举行见面会")."""
    clause = _CLAUSE_OPENER.sub("", _BYLINE.sub("", clause.strip()))
    stop = _PAIR_STOP.search(clause)
    head = clause[:stop.start()] if stop else clause
    if not _ZH_PARTY_JOINERS.search(head):
        return None
    pieces = split_signers(head)
    if not pieces or len(pieces) < 2 or not all(map(is_body, pieces)):
        return None
    return pieces, clause[len(head):]


def setup() -> None:
    """Compile the lexicon patterns once per process."""
    text.setup()
    _title_suffix_re()
    _post_re()
    _post_start_re()
    _surnames()
