"""English signatories: the bodies a signing sentence names, as the text names them.

News in English names the parties of a signing in a few ways: as the subject ("The Alpha
Association and the Beta Trust signed …"), after the agreement ("… with the Gamma Fund",
"… between the governments of A and B"), or through the people who signed, either with
their body before the post ("Alpha Association President Jane Roe") or after it in an
apposition ("Jane Roe, Director of the Alpha Agency").  The parties are the bodies, not the
people and not the words around them ("recently", "on Friday", "today officially").

Names are cut on commas and on "and" except where "and" joins two fields of work inside
one name ("Department of Health and Human Services", "Education and Research Center":
``data/field_words_en.txt``), and an acronym the text defines ("Full Name (FN)") stands for
its full name.
"""

from __future__ import annotations

import re
from functools import cache

from .lexicons import lexicon

_PRONOUNS = frozenset(["it", "he", "she", "they", "we", "this", "that", "which", "who",
                       "there", "both"])
_FUNCTION = frozenset(["of", "and", "for", "the", "on", "in", "at", "&", "de", "du", "la"])
_PAREN = re.compile(r"\s*\((?![A-Z][A-Za-z&-]{1,9}\))[^()]*\)")  # "(seated, left)", not "(UNDP)"
_ACRONYM = re.compile(r"\s*\(([A-Z][A-Za-z&-]{1,9})\)")
_CLAUSE_CUT = re.compile(r".*(?:[;:]|--|—|–|\s-\s)\s*")
_SUBORDINATE = re.compile(r".*\b(?:as|when|while|after|before|where|which|who|whereby|that|"
                          r"(?:led|headed|represented)\s+by|(?:officials|representatives|delegates|"
                          r"delegations|leaders|heads|members)\s+(?:from|of))\s+", re.I)
_DAYS = ("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
         "April|May|June|July|August|September|October|November|December")
_TIME_TAIL = re.compile(
    rf"(?:\s+(?:(?:on|in|at|this|last|early|late)\s+)?(?:{_DAYS}|\d{{1,2}})"
    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+\d{4})?"
    r"|\s+(?:today|yesterday|recently|officially|formally|jointly|also|"
    r"finally|successfully|have|has|had|was|were|will|would|to|each|all|together|here|"
    r"there|now|then|already|once|again|publicly))+$")
_LEAD_NOISE = re.compile(r"^[^A-Z]*")
# A list of names ends at a clause ("… covering seven areas", "… for the training of …").
_STOP = (r"(?=\s+(?:to|that|which|covering|for|on|in|at|as|aimed|aiming|under|during|with)\s+"
         r"(?:the\s+|a\s+)?[a-z]|[,.;]\s|[.;]?$)")
_BETWEEN = re.compile(r"\bbetween\s+(.{3,200}?)" + _STOP)
_GOVERNMENTS = re.compile(r"^(?:the\s+)?(?:governments?|ministries|people)\s+of\s+(?:the\s+)?",
                          re.I)
_WITH = re.compile(r"^\s*(?:\([^()]*\)\s*)?(?:[\w-]+\s+){0,12}?with\s+(?:the\s+)?(.{2,160}?)"
                   + _STOP)


@cache
def _field_words() -> frozenset[str]:
    return frozenset(lexicon("field_words_en.txt"))


@cache
def _org_words() -> frozenset[str]:
    return frozenset(lexicon("org_words_en.txt"))


@cache
def _title_heads() -> frozenset[str]:
    return frozenset(lexicon("people_title_heads_en.txt"))


@cache
def _title_mods() -> frozenset[str]:
    return frozenset(lexicon("people_title_words_en.txt"))


def setup() -> None:
    """Load the word lists once per process."""
    _field_words()
    _org_words()
    _title_heads()
    _title_mods()


def _words(name: str) -> list[str]:
    return re.findall(r"[\w'’.&-]+", name)


def _key(word: str) -> str:
    return word.lower().strip(".,'’")


def acronyms(text: str) -> dict[str, str]:
    """Acronyms the text defines, each with the full name before it ("Full Name (FN)")."""
    out: dict[str, str] = {}
    for m in _ACRONYM.finditer(text):
        acr = m.group(1)
        if acr in out or not acr[0].isupper():
            continue
        before = re.sub(r"(?:’s|'s)$", "", text[max(0, m.start() - 160):m.start()])
        words = list(re.finditer(r"[\w'’.&-]+", before))
        initials = ""
        target = re.sub(r"[^A-Z]", "", acr)
        for i in range(len(words) - 1, -1, -1):
            w = words[i].group()
            if _key(w) in _FUNCTION or _key(w) in {"inc", "ltd", "llc", "corp", "co"}:
                continue
            if not w[0].isupper():
                break
            initials = w[0] + initials
            if initials == target:
                out[acr] = before[words[i].start():].strip(" ,")
                break
            if not target.endswith(initials):
                break
    return out


def _is_field_join(left: str, right: str) -> bool:
    """"Social Welfare and Development": "and" joins two fields of one name."""
    lw, rw = _words(left), _words(right)
    return bool(lw and rw) and _key(lw[-1]) in _field_words() and _key(rw[0]) in _field_words()


def _is_post_join(left: str, right: str) -> bool:
    """"President and CEO Jane Roe": "and" joins two posts of one person."""
    lw, rw = _words(left), _words(right)
    return bool(lw and rw) and _key(lw[-1]) in _title_heads() and (
        _key(rw[0]) in _title_heads() or _key(rw[0]) in _title_mods())


def _split(phrase: str) -> list[str]:
    """Cut a list of names on commas and "and", keeping "and" between fields of work."""
    out: list[str] = []
    for piece in re.split(r"\s*[,;](?!\s*(?:Inc|Ltd|LLC|Plc|Corp|Co|Jr|Sr)\b)\s*", phrase):
        parts = re.split(r"\s+and\s+", piece)
        current = parts[0]
        for nxt in parts[1:]:
            if _is_field_join(current, nxt) or _is_post_join(current, nxt) or not current.strip():
                current = f"{current} and {nxt}".strip()
            else:
                out.append(current)
                current = nxt
        out.append(current)
    return [p.strip() for p in out if p.strip()]


def _body_before_post(name: str) -> str | None:
    """"Alpha Association President Jane Roe" -> "Alpha Association" (a post between a body
    and a person's name)."""
    words = _words(name)
    for i, w in enumerate(words):
        if i == 0 or _key(w) not in _title_heads() or not w[0].isupper():
            continue
        j = i
        while j > 0 and _key(words[j - 1]) in _title_mods() | _title_heads() | {"and"}:
            j -= 1
        k = i + 1
        while k < len(words) and _key(words[k]) in _title_heads() | _title_mods() | {"and"}:
            k += 1
        if j == 0 or k == len(words) or not words[k][0].isupper() or _key(words[k]) in _FUNCTION:
            return None  # "Minister of Labour" is a post of a body, not "Body Post Name"
        pos = 0
        for _ in range(j):  # the body as written, up to the post's first word
            pos = name.index(words[_], pos) + len(words[_])
        return name[:pos].strip(" ,")
    return None


def _is_post(piece: str) -> bool:
    """An apposition giving a post: "Minister of Rural Affairs", "Kenyan Minister"."""
    words = _words(piece)
    head = next((i for i, w in enumerate(words) if _key(w) in _title_heads()), None)
    return head is not None and head <= 2 and all(
        _key(w) in _title_mods() or w[0].isupper() for w in words[:head])


def _post_body(piece: str) -> str | None:
    """The body in "Director of the Alpha Agency", when it reads as one."""
    m = re.search(r"\b(?:of|at)\s+(?:the\s+)?([A-Z].*)$", piece)
    if m and any(_key(w) in _org_words() for w in _words(m.group(1))):
        return m.group(1)
    return None


def _clean(name: str) -> str:
    name = _LEAD_NOISE.sub("", name.strip())
    name = _TIME_TAIL.sub("", _ACRONYM.sub("", name))
    name = re.sub(r"^(?:the|and)\s+", "", name, flags=re.I)
    return name.strip(" ,")


def _is_name(piece: str) -> bool:
    """Capitalised words, with function words inside and lowercase body nouns ("Adamawa
    government"); not a fragment of the sentence ("Speaking at the")."""
    words = _words(piece)
    return bool(words) and words[0][0].isupper() and _key(words[-1]) not in _FUNCTION and all(
        w[0].isupper() or w[0].isdigit() or _key(w) in _FUNCTION or _key(w) in _org_words()
        for w in words)


def _bodies(pieces: list[str], acr: dict[str, str]) -> list[str]:
    out: list[str] = []
    for raw in pieces:
        piece = _clean(raw)
        if not _is_name(piece) or _key(piece) in _PRONOUNS:
            continue
        if _is_post(piece) and _body_before_post(piece) is None:
            body = _post_body(piece)
            if out and body and not is_body(out[-1]):
                out[-1] = body  # "Jane Roe, Director of the Alpha Agency": the agency signs
            continue
        piece = _body_before_post(piece) or piece
        out.append(acr.get(piece, piece))
    return out


def is_body(name: str) -> bool:
    """A name with a word that heads bodies (Ministry, Agency, government) or an acronym."""
    return any(_key(w) in _org_words() for w in _words(name)) or name.isupper()


def subject_parties(prefix: str, text: str) -> list[str]:
    """The bodies in the subject of a signing verb (``prefix`` is the sentence up to it)."""
    acr = acronyms(text)
    prefix = _PAREN.sub("", prefix)
    prefix = _CLAUSE_CUT.sub("", prefix)
    before, clause = "", prefix
    sub = _SUBORDINATE.match(prefix)
    if sub:
        before, clause = prefix[:sub.end()], prefix[sub.end():]
    clause = _TIME_TAIL.sub("", clause.strip())
    if _key(clause) in _PRONOUNS and before:
        # "… by Alpha Agency Director Jane Roe as she signed": the person the pronoun takes up
        people = [b for b in (_body_before_post(m.group()) for m in re.finditer(
            r"[A-Z][\w'’.&-]*(?:\s+(?:of\s+|and\s+|for\s+|the\s+)?[A-Z][\w'’.&-]*)*",
            before)) if b]
        return [acr.get(people[-1], people[-1])] if people else []
    if "," in clause and not re.search(r",.*\band\b", clause):
        # "In 2019, the two bodies": commas without a closing "and" list no names; the
        # subject is what follows the last one
        clause = clause.rsplit(",", 1)[1]
    return _bodies(_split(clause), acr)


def counterpart_parties(after: str, text: str) -> tuple[list[str], bool]:
    """The bodies named after the agreement: "between A and B" (all the parties: True) or
    "with C" (the other party: False)."""
    acr = acronyms(text)
    between = _BETWEEN.search(after)
    if between:
        names = _bodies(_split(_GOVERNMENTS.sub("", _PAREN.sub("", between.group(1)))), acr)
        if len(names) > 1:
            return names, True
    with_ = _WITH.match(_PAREN.sub("", after))
    if with_:
        return _bodies(_split(with_.group(1)), acr), False
    return [], False
