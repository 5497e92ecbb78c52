"""English people: the posts a sentence gives a name, and what vouches for it.

A title before the name (``President Tan Weiming of the Council``), an apposition after it
(``Joan Hart, Director, Westfield Care Trust``), a relative or copular clause (``who serves
as``, ``was elected``); each also tells whether its context vouches for a person at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from factfold.plugins.people_en_lexicon import Lexicons, lexicons, unaccented
from factfold.plugins.people_en_tokens import (
    APPOINTING,
    APPOINTMENTS,
    ARTICLES,
    COPULA,
    COPULA_VERB,
    ORG_JOINERS,
    PREPOSITIONS,
    Sentence,
    Tok,
)


def _title_span(toks: Sequence[Tok], i: int, j: int) -> tuple[int, int] | None:
    """The post phrase ending at token ``j`` (exclusive), read backwards from ``j``: title
    words joined by ``and``/``&``, the last one a head.  (start, j) or None."""
    lex = lexicons()
    if j <= i or toks[j - 1].kind != "title" or toks[j - 1].text.lower() not in lex.heads:
        return None
    k = j - 1
    if toks[k].text[0].isupper():
        # "Chief Protection Officer", "ACSW Resident Representative": up to two capitalised
        # words of the post's field stand right before its head
        inner = k
        while inner > i and k - inner < 2 and _field_word(toks[inner - 1], lex):
            inner -= 1
        if inner < k and (inner == i or (toks[inner - 1].kind != "cap"
                                          and toks[inner - 1].text not in ORG_JOINERS
                                          and toks[inner - 1].text != "at")):
            k = inner
    while k > i and (toks[k - 1].kind == "title" or (
            toks[k - 1].text.lower() in ("and", "&") and k - 2 >= i
            and toks[k - 2].kind == "title")):
        k -= 1
    while k < j and toks[k].text.lower() in ("and", "&"):
        k += 1
    return k, j


def _field_word(tok: Tok, lex: Lexicons) -> bool:
    """A capitalised word naming a post's field (``Protection`` in Child Protection
    Specialist), not a given name that would start a person's name."""
    return tok.kind == "cap" and unaccented(tok.text) not in lex.given


def _title_ahead(toks: Sequence[Tok], i: int, stop: int) -> int:
    """The end of a post phrase opening at ``i`` (title words and and/&, up to two
    capitalised field words right before a capitalised head, ending with a head), or ``i``
    when none opens there."""
    lex = lexicons()
    end, k = i, i
    while k < stop:
        t = toks[k]
        field = k
        while field < stop and field - k < 2 and _field_word(toks[field], lex):
            field += 1
        if (field > k and field < stop and toks[field].kind == "title"
                and toks[field].text[0].isupper() and toks[field].text.lower() in lex.heads):
            k = field + 1
            end = k
        elif t.kind == "title" or (t.kind == "hon" and k > i and t.text.lower() in lex.heads):
            k += 1
            if t.text.lower() in lex.heads:
                end = k
        elif t.text.lower() in ("and", "&") and k + 1 < stop and toks[k + 1].kind == "title":
            k += 1
        else:
            break
    return end


def _org_behind(toks: Sequence[Tok], i: int) -> int | None:
    """The start of a body's name that ends right before token ``i``: capitalised words,
    acronyms and organisation words, joined by of/for/and/the; None when the run before is
    not a body (it must hold an acronym or organisation word, or end in a possessive)."""
    if i > 0 and toks[i - 1].possessive and toks[i - 1].kind in ("low", "org"):
        return i - 1  # "the foundation's director": a back-reference, resolved later
    k = i
    while k > 0 and (toks[k - 1].kind in ("cap", "acr", "org", "place", "title")
                     or ((toks[k - 1].text in ORG_JOINERS or toks[k - 1].text == "at")
                         and k - 1 > 0 and toks[k - 2].kind in ("acr", "org", "place"))):
        k -= 1  # a joiner only inside a body's name: "Health and Human Services"
    while k < i and toks[k].text.lower() in ORG_JOINERS:
        k += 1
    if k == i:
        return None
    run = toks[k:i]
    if run[-1].possessive or any(t.kind in ("acr", "org") for t in run):
        return k
    return None


def _org_ahead(toks: Sequence[Tok], i: int, stop: int) -> int:
    """The end of a body's name opening at ``i`` (capitalised words, acronyms, organisation
    words and of/for/and/the/& between them), or ``i`` when none opens there."""
    k, end = i, i
    while k < stop:
        t = toks[k]
        if t.kind in ("cap", "acr", "org", "place", "title", "init", "particle", "stop") and (
                t.text[:1].isupper() or t.kind in ("acr",)):
            k += 1
            end = k
            if t.possessive and not (k < stop and toks[k].kind in ("cap", "acr", "org")):
                break  # "Valle Children's Trust" goes on; "the trust's staff" does not
        elif (t.text.lower() in ORG_JOINERS or t.text == "at") and end > i:
            if t.text.lower() in ("and", "&") and _names_someone(toks, k + 1, min(k + 3, stop)):
                break  # "of the Federation and Ruth Okafor": a person joins, not a body
            if t.text.lower() in ("and", "&") and _title_ahead(toks, k + 1, stop) > k + 1:
                break  # "of ACSW & Chairman of X": a second post, not part of the body
            k += 1
        else:
            break
    return end


def _lowercase_body(toks: Sequence[Tok], i: int, stop: int) -> int:
    """``social work college of the Open University of China``: a body written in lower
    case up to its organisation word, then ``of`` a named body.  Its end, or ``i``."""
    k = i
    org_words = lexicons().org_words
    while k < stop and k - i < 5 and toks[k].kind in ("low", "title", "org"):
        if toks[k].text.lower() in org_words and k + 1 < stop and toks[k + 1].text == "of":
            o = k + 2
            while o < stop and toks[o].text.lower() == "the":
                o += 1
            end = _org_ahead(toks, o, stop)
            return end if end > o else i
        k += 1
    return i


def _app_roles(s: Sentence, i: int, stop: int) -> tuple[list[tuple[str, str | None]], bool]:
    """The posts an apposition ``toks[i:stop]`` gives, and whether it describes a person
    at all (``a social worker from ...``)."""
    toks = s.toks
    lex = lexicons()
    while i < stop and toks[i].text.lower() in ARTICLES:
        i += 1
    if i >= stop:
        return [], False
    roles: list[tuple[str, str | None]] = []
    k = i
    while k < stop:
        end = _title_ahead(toks, k, stop)
        if end == k:
            break
        title = s.phrase(k, end)
        org: str | None = None
        k = end
        if k < stop and toks[k].text.lower() in PREPOSITIONS - {"to"}:
            preposition = toks[k].text.lower()
            o = k + 1
            while o < stop and toks[o].text.lower() == "the":
                o += 1
            org_end = _org_ahead(toks, o, stop) if o < stop else o
            if org_end == o:
                org_end = _lowercase_body(toks, o, stop)
            if (org_end == o and o > k + 1 and o < stop
                    and toks[o].text.lower() in lex.org_words):
                org_end = o + 1  # "of the foundation": a back-reference, resolved later
            if preposition in ("from", "in") and not any(
                    t.kind in ("acr", "org") for t in toks[o:org_end]):
                org_end = o  # "a social worker from Dingxi": a place, not a body
            org = s.phrase(o, org_end) or None
            k = org_end
        roles.append((title, org))
        if k < stop and toks[k].text.lower() in ("and", "&"):
            k += 1
            continue
        break
    if roles:
        return roles, True
    # "ACSW president", "the foundation's executive director", "ACSW Resident
    # Representative in China": a body, then its post
    head = next((h + 1 for h in range(i, stop) if _title_span(toks, i, h + 1) is not None
                 and (h + 1 == stop or toks[h + 1].text.lower() in PREPOSITIONS)
                 and not _names_someone(toks, h + 1, stop)), stop)
    span = _title_span(toks, i, head)
    if span is not None and span[0] > i:
        org_start = _org_behind(toks, span[0])
        if org_start is not None and org_start <= i + 1:
            return [(s.phrase(*span), s.phrase(org_start, span[0]))], True
    if span is not None and span[0] == i:
        return [(s.phrase(*span), None)], True
    described = any(t.text.lower() in lex.person_nouns or t.text.lower() in lex.heads
                    for t in toks[i:stop])
    return [], described and toks[i - 1].text.lower() in ("a", "an")


def _segments(s: Sentence, k: int) -> Iterator[tuple[int, int]]:
    """The comma-separated segments after a name's end ``k``: (start, stop) pairs."""
    toks = s.toks
    while k < len(toks) and toks[k].text in (",", "("):
        start = k + 1
        stop = s.segment_end(start)
        yield start, stop
        if stop < len(toks) and toks[stop].text == ")":
            return
        k = stop


def _names_someone(toks: Sequence[Tok], i: int, stop: int) -> bool:
    """``toks[i:stop]`` holds a given name followed by another name part: ``AFP Chief of
    Staff General Daniel Mensah`` after ``Name,`` is the next person of a list with
    his own post, not the apposition of the name before."""
    given = lexicons().given
    return any(toks[k].kind == "cap" and toks[k + 1].kind in ("cap", "init")
               and unaccented(toks[k].text) in given for k in range(i, stop - 1))


def _degrees(s: Sentence, i: int, stop: int) -> bool:
    lex = lexicons()
    return stop > i and all(t.text.lower() in lex.degrees and not t.text.islower()
                            for t in s.toks[i:stop])


def roles_after(s: Sentence, first: int, k: int) -> tuple[list[tuple[str, str | None]], bool]:
    """Posts given after a name ``first:k``, and whether the context vouches for a person
    (an apposition with a post, a reporting verb, a copula with a post, ``elected Name as
    Title``)."""
    toks = s.toks
    if k < len(toks) and toks[k].text.lower() in lexicons().reporting:
        return [], True
    if k < len(toks) and toks[k].text == "(":
        closing = s.segment_end(k + 1)
        if closing < len(toks) and toks[closing].text == ")" and closing - k <= 4:
            k_as = closing + 1  # "Rosa Jimenez (Peru) as President"
        else:
            k_as = k
    else:
        k_as = k
    if k_as + 1 < len(toks) and toks[k_as].text == "as" and _appointed(toks, first):
        roles, _ = _app_roles(s, k_as + 1, s.segment_end(k_as + 1))
        if roles:
            return roles, True
    rest = s.text[toks[k].start if k < len(toks) else s.end : s.end]
    cop = COPULA.match(rest)
    if cop is not None and COPULA_VERB.search(cop.group()):
        at = toks[k].start + cop.end()
        c = next((n for n in range(k, len(toks)) if toks[n].start >= at), len(toks))
        roles, _ = _app_roles(s, c, s.segment_end(c))
        if roles:
            return roles, True
    segments = list(_segments(s, k))
    for n, (start, stop) in enumerate(segments):
        if _degrees(s, start, stop):
            continue
        roles, described = _app_roles(s, start, stop)
        if roles and roles[-1][1] is None and n + 1 < len(segments):
            # "Name, Title, Body": the next segment, when it is a body's name, is the body
            o_start, o_stop = segments[n + 1]
            o_end = _org_ahead(toks, o_start, o_stop)
            if o_end > o_start and (o_end == o_stop or toks[o_end].kind == "low") and any(
                    t.kind in ("acr", "org") for t in toks[o_start:o_end]):
                roles[-1] = (roles[-1][0], s.phrase(o_start, o_end))
        return roles, bool(roles) or described
    return [], False


def _appointed(toks: Sequence[Tok], first: int) -> bool:
    """The name at ``first`` is the object of an appointment: ``elected Name``, ``the
    election of Name``."""
    if first > 0 and toks[first - 1].text.lower() in APPOINTING:
        return True
    return (first > 1 and toks[first - 1].text == "of"
            and toks[first - 2].text.lower() in APPOINTMENTS)


def role_before(s: Sentence, i: int) -> tuple[tuple[str, str | None] | None, bool, int]:
    """A post written before the name starting at token ``i`` (``ACSW CEO Dr. Name``,
    ``former President Name``), whether the context vouches for a person, and the index
    where that context starts."""
    toks = s.toks
    k = i
    vouched = False
    while k > 0 and toks[k - 1].kind == "hon":
        k -= 1
        vouched = True
    if (k > 0 and toks[k - 1].kind == "title" and toks[k - 1].text[0].isupper()
            and toks[k - 1].text.lower() not in lexicons().heads):
        k -= 1  # a rank used as a form of address: "Chief of Staff General Name"; it
        # vouches for no one ("Executive Order No.", "Social Work Practice")
    span = _title_span(toks, 0, k)
    if span is None:
        if k > 0 and toks[k - 1].text == ",":
            role = _post_before_comma(s, k - 1)
            if role is not None:
                return role, True, k
        return None, vouched, k
    t0, t1 = span
    if t0 > 1 and toks[t0 - 1].text == "," and toks[t0 - 2].kind == "cap":
        # "Janet Cole, President Willem Botha": the post is the apposition of
        # the name before the comma, in a list that runs names and posts together
        return None, True, t0
    title = s.phrase(t0, t1)
    org = None
    org_start = _org_behind(toks, t0)
    if org_start is not None:
        org = s.phrase(org_start, t0)
    elif t0 > 0 and toks[t0 - 1].text.lower() in ("former", "then"):
        title = s.phrase(t0 - 1, t1)
    return (title, org), True, t0


#: the most tokens a post written before ", Name" may span
_POST_BEFORE_COMMA = 12


def _post_before_comma(s: Sentence, comma: int) -> tuple[str, str | None] | None:
    """``the National Chairman of the society, Alhaji Name``, ``The ACSW chairman,
    Name``: a post phrase that ends at the comma right before a name."""
    toks = s.toks
    start = comma
    while start > 0 and comma - start < _POST_BEFORE_COMMA and toks[start - 1].text not in (
            ",", ";", ":", "(", ")", "—", "–"):
        start -= 1
    if (start > 1 and toks[start - 1].text == "," and toks[start - 2].kind == "cap"
            and (toks[start].kind != "low" or toks[start].text.lower() in ARTICLES)):
        return None  # "A, the director of X, B, ...": the post is A's apposition (but not
        # in "A, representing the director of X, B": a clause, then B's post)
    segment = s.phrase(start, comma)
    for pos in range(start, comma):
        roles, _ = _app_roles(s, pos, comma)
        if roles and (segment.endswith(roles[-1][0])
                      or (roles[-1][1] and segment.endswith(roles[-1][1]))):
            return roles[-1]
    return None


def of_body(s: Sentence, k: int) -> str | None:
    """``of the China Association of Social Workers`` right after a name."""
    toks = s.toks
    if k < len(toks) and toks[k].text == "of":
        o = k + 1
        while o < len(toks) and toks[o].text.lower() == "the":
            o += 1
        end = _org_ahead(toks, o, len(toks))
        if end > o:
            return s.phrase(o, end)
    return None


def resolve_body(org: str | None, text: str, at: int) -> str | None:
    """``of the foundation``: a lower-case back-reference to a body named earlier resolves
    to the nearest full name before it ending in that word; else it stays as written."""
    if not org or not org.islower() or " " in org:
        return org
    names = re.findall(
        rf"(?:[A-Z][\w&'’-]*\s+(?:(?:of|for|and|the)\s+)*)+{org.title()}\b", text[:at]
    )
    if not names:
        return org
    words = names[-1].split()
    lex = lexicons()
    while words and (words[0].lower() in lex.heads or words[0].lower() in lex.modifiers
                     or words[0].lower() in ORG_JOINERS):
        words.pop(0)  # "Chair of the Valle Trust": the post before the body is not the body
    return " ".join(words) or org
