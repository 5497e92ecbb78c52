"""English rules of the meetings extractor: names built over capitalised tokens, the
cues that report a meeting held, and the place and hosts a sentence gives it.
"""

from __future__ import annotations

import re
from functools import cache

from .lexicons import alternation, lexicon
from .meetings_mention import Mention, ordinal
from .text import sentence_of, words


@cache
def _en_head_re() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation('meeting_heads_en.txt')})\b(?!-)", re.IGNORECASE)


def setup() -> None:
    """Compile the lexicon patterns once per process."""
    _en_head_re()
    _en_person_words()


# English
_EN_TOKEN = re.compile(r"“[^”]{1,60}”|\"[^\"]{1,60}\"|[A-Za-z0-9][\w'’.&-]*|\S")
_EN_STOP = frozenset(words(
    "the a an this that these those its their our his her my your at in on of for to by with "
    "from into during before after about as is was were be been will would shall which who "
    "whom where when while than then also and or but not it he she they we has have had "
    "same said such all each every other another more most many some any"))
_EN_MONTHS = frozenset(words("january february march april may june july august september "
                              "october november december"))
# "A two-day national conference": a length, not part of the name.
_EN_DURATION = re.compile(r"(?:[\w]+-)+(?:day|days|week|weeks|month|long)")
# Heads that name a standing body as often as a sitting of it (the National Assembly, the
# Congress): a meeting only when numbered or reported as held.
_EN_BODY_HEADS = frozenset(("assembly", "congress", "session"))
_EN_WEEKDAYS = frozenset(words("monday tuesday wednesday thursday friday saturday sunday"))
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


def _en_joint(text: str, mentions: list[Mention]) -> list[Mention]:
    """"The 6th X Symposium and the 4th Y Ceremony was held": two names with a singular verb
    are one event held under both names."""
    out: list[Mention] = []
    for men in mentions:
        prev = out[-1] if out else None
        if prev is not None and not prev.generic and not men.generic \
                and _EN_AND_THE.fullmatch(text, prev.end, men.start) \
                and _EN_SINGULAR.match(text, men.end):
            out[-1] = Mention(prev.start, men.end, text[prev.start:men.end], prev.head, False,
                               True, hosted=True)
        else:
            out.append(men)
    return out


def mentions(text: str, sents: list[tuple[int, int]]) -> list[Mention]:
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
        # "its 12th Annual General Meeting": an edition of a meeting written as a proper noun
        named = named or end > he or (m.group()[0].isupper() and any(map(ordinal, words)))
        if m.group().lower() in _EN_BODY_HEADS and not any(map(ordinal, words)) \
                and not _EN_HELD_AFTER.match(text, end) and not _EN_EDITION_YEAR.match(text, he):
            continue  # "the bill has been in the National Assembly": the body, not a sitting
        held = named or bool(_EN_HELD_BEFORE.search(text, max(0, start - 40), start)
                             or _EN_HELD_AFTER.match(text, end))
        at_the = m.group().lower().endswith(("ceremony", "signing")) and bool(
            _EN_AT_THE.search(text, max(0, start - 12), start))
        out.append(Mention(start, end, name, m.group().lower(), not named, held or at_the,
                            hosted=held))
    return _en_joint(text, out)



# A place: capitalised words and short numbers ("Area 10"), with "of", "for", "and" inside
# ("Centre for Arts and Culture"), then ", Town" parts or "in Town" ("Kempinski Hotel in Accra").
_EN_CAP = r"[A-Z][\w'’-]*(?:\s+(?:(?:of|for|and|de|the)\s+)*(?:[A-Z][\w'’-]*|\d{1,3}\b))*"
_EN_PLACE_NAME = rf"({_EN_CAP}(?:\s*,\s*{_EN_CAP})*(?:\s+in\s+{_EN_CAP})?)"
# "held in X", "ended in X", "was held successfully at the X", "convened a Symposium on
# Tuesday, March 19, at the X", "held here in X": the first place after the verb in its clause.
_EN_PLACE = re.compile(r"\b(?:held|opened|convened|took place|kicked off|hosted|staged|launched|"
                       r"happened|started|began|closed|ended|concluded|commenced)\b"
                       # not across a new clause (", discussed plans for schools in X")
                       r"(?:(?!,\s*[a-z]+ed\b|\b(?:which|who|that|where|while|but)\b)[^.;])"
                       r"{0,120}?\b(?:in|at)\s+(?:the\s+)?" + _EN_PLACE_NAME)
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
_EN_PRONOUNS = frozenset(words("it he she they we this that which who there"))


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



def organizers(text: str, sent: tuple[int, int], mention: Mention) -> list[str]:
    """Hosts the sentence of a mention names ("hosted by A and B", "A convened the …")."""
    s = text[sent[0]:sent[1]]
    found: list[str] = []
    for by in _EN_ORGS_BY.finditer(s):
        found += _en_hosts(by)
    prefix = _EN_ARTICLE_END.sub("", text[sent[0]:mention.start])
    subj = _EN_SUBJ_UNDER.match(prefix) or _EN_ORGS_SUBJ.search(prefix)
    if subj and subj.group(1).split()[0].lower() not in _EN_PRONOUNS:
        # a subject names its body with a capital ("The institutions held …" names none)
        found += [n for n in split_orgs_en(subj.group(1)) if not n.islower()]
    return [name for name in found if is_body_en(name)]


def orphan_hosts(sentence: str) -> list[str]:
    """Hosts a sentence without a meeting mention names ("It was sponsored by A and
    co-organized by B and C"): every "… by" list of it."""
    if not _EN_ORPHAN_BY.search(sentence):
        return []
    return [o for by in _EN_ORGS_BY.finditer(sentence) for o in _en_hosts(by) if is_body_en(o)]


def location(text: str, sent: tuple[int, int], men: Mention) -> str | None:
    """The place the sentence says the meeting was held in or at."""
    found = [*_EN_PLACE.finditer(text, sent[0], sent[1])]
    found += [m] if (m := _EN_IN.match(text, men.end, sent[1])) else []
    for m in found:
        place = _EN_WHEN_WORD.sub("", m.group(1).rstrip(" ,"))
        if place.split()[0].lower() not in _EN_MONTHS | _EN_WEEKDAYS:
            return place
    return None
