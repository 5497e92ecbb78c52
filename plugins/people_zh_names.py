"""Chinese people: where the names are in a tagged sentence.

The tagger's PER words (joined over ``·``, trimmed where a function word was glued on,
extended where it cut a name short), names read right after a post title, transliterated
names joined by dots, and words listed with a name; plus the cheap checks, before tagging,
of whether a name can stand next to a title at all.
"""

from __future__ import annotations

import re

from factfold.plugins import nlp
from factfold.plugins.people_zh_lexicon import (
    CJK_CHAR,
    CJK_NAME,
    CLAUSE_END,
    STOP_VERBS,
    Lexicons,
    lexicons,
)
from factfold.plugins.people_zh_posts import POST_VERB
from factfold.plugins.text import words

# Single-character words that may follow a name without being part of it.
_AFTER_NAME = set("说称讲等是在和与向对为将也都又曾把被从到于及并的了所")
# Words that open the predicate after a subject name (主持, 介绍, 为, 在...).
_PREDICATE_OPENERS = STOP_VERBS | frozenset(words(
    """
为 在 对 以 向 与 和 等 分享 阐述 作 做 说 称 也 还 就 代表 致 提出 谈 回答 说明 通报
作了 进行
    """
))


def name_may_precede(raw: str, start: int) -> bool:
    """Can a name stand right before this title or person noun (某机构某某秘书长在…,
    某某某老人)?  Two or three Chinese characters from a known surname, with no function
    word among them, that the dictionary does not know as another word (师生代表)."""
    lex = lexicons()
    for n in (2, 3):
        head = raw[max(0, start - n) : start]
        if (
            len(head) == n
            and head[0] in lex.surnames
            and all(CJK_CHAR.match(c) and c not in _AFTER_NAME for c in head)
            and not nlp.everyday_word(head, 1)
        ):
            return True
    return False


def may_name(raw: str, end: int) -> bool:
    """Can a name follow this title match?  Title words inside body names and phrases
    (理事会, 代表大会, 专家学者) are followed by a character that goes on with the word, and a
    sentence with no other title needs no tagging."""
    after = raw[end : end + 8].lstrip()
    if raw[end - 1] == "·":
        return True
    return bool(after) and CJK_CHAR.match(after) is not None and after[0] not in _WORD_GOES_ON


# Characters that, right after a title word, continue a longer word rather than start a name.
_WORD_GOES_ON = frozenset("会团处组室部队班级制职工单办们及和与等的是在为大学人")


def chinese_names(sent: str, tokens: list[nlp.Token]) -> list[tuple[int, int]]:
    """Name spans: tagger PER words (joined over ``·``) and names read right after a title."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.tag == "PER":
            start, end = tok.start, tok.end
            while (
                i + 2 < len(tokens)
                and tokens[i + 1].word in "··•"
                and tokens[i + 2].tag in ("PER", "nz", "n")
            ):
                end = tokens[i + 2].end
                i += 2
            while (
                i + 1 < len(tokens)
                and tokens[i + 1].tag == "PER"
                and not _han_surname(sent[start : start + 2])
                and not _han_surname(tokens[i + 1].word[:2])
            ):
                end = tokens[i + 1].end  # 扎西/PER 多吉/PER: one name in two parts
                i += 1
            end = _extend_name(sent, start, end, tokens, i)
            end = _trim_name(sent, start, end)
            if (
                CJK_NAME.match(sent[start:end]) or _transliterated(sent[start:end])
            ) and not _dotted_brand(sent, start, end):
                spans.append((start, end))
        i += 1
    lex = lexicons()
    by_start = {t.start: k for k, t in enumerate(tokens)}
    for m in lex.title_re.finditer(sent):
        if m.group() == "·" or any(s <= m.end() < e for s, e in spans):
            continue
        end = _name_after_title(sent, m.end(), tokens, by_start, lex)
        if end:
            spans.append((m.end(), end))
    spans.extend(_dotted_names(sent, tokens, lex))
    spans.extend(_listed_names(sent, tokens, spans, lex))
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept = [s for k, s in enumerate(spans) if k == 0 or s[0] >= spans[k - 1][1]]
    # a piece of a dotted run that is no name (某某·某某超市) is no name either
    return [s for s in kept if not _DOT_AT.match(sent, s[1]) and not _DOT_AT.match(sent, s[0] - 1)]


def _han_surname(word: str) -> bool:
    """Does ``word`` start with a Han surname (one or two characters)?"""
    lex = lexicons()
    return word[:1] in lex.surnames or word[:2] in lex.surnames


_LONG_NAME = re.compile(r"^[\u4e00-\u9fff]{5,8}$")


def _transliterated(name: str) -> bool:
    """A tagged name of five to eight characters without ``·``: a name of a minority
    language or a foreign one written without the dot (Uyghur, Kazakh and Tibetan names
    often are) -- unless it reads as a name run on into the next words (a function word
    inside, an everyday word, a body or a post at its end)."""
    lex = lexicons()
    return (
        _LONG_NAME.match(name) is not None
        and not any(c in _NAME_BREAK for c in name)
        and not nlp.everyday_word(name[-2:])
        and not name.endswith(lex.org_suffixes)
        and not any(name.endswith(t) for t in lex.titles)
    )


_DOT = "··•・"
# A run of CJK words joined by dots.  The lookbehind starts a match only where a CJK run
# starts: without it, every position inside a long undotted run scans the rest of the run
# before failing, which is quadratic (and the regex engine holds the GIL throughout).
_DOTTED_RUN = re.compile(f"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]+(?:[{_DOT}][\u4e00-\u9fff]+)+")
_DOT_AT = re.compile(f"[{_DOT}]")


def _dotted_names(sent: str, tokens: list[nlp.Token], lex: Lexicons) -> list[tuple[int, int]]:
    """Transliterated names joined by ``·`` (艾力·买买提), which the tagger cuts at odd
    places: from the first PER word (or the run start after a title) before the first dot
    to the word before the predicate after the last one."""
    out: list[tuple[int, int]] = []
    for m in _DOTTED_RUN.finditer(sent):
        a, b = m.start(), m.end()
        first_dot = next(i for i in range(a, b) if sent[i] in _DOT)
        head = sent[a:first_dot]
        cut = max((head.rfind(t) + len(t) for t in lex.titles if t in head), default=0)
        a += cut
        per = [t.start for t in tokens if t.tag == "PER" and a <= t.start < first_dot]
        if per:
            a = per[0]
        last_dot = max(i for i in range(a, b) if sent[i] in _DOT)
        b = next((t.end for t in tokens if t.start <= last_dot + 1 < t.end), last_dot + 1)
        parts = re.split(f"[{_DOT}]", sent[a:b])
        tagged = any(t.tag == "PER" and t.start < b and t.end > a for t in tokens)
        if (
            tagged
            and all(1 <= len(x) <= 6 for x in parts)
            and CJK_NAME.match(sent[a:b])
            and not _dotted_brand(sent, a, b)
        ):
            out.append((a, b))
    return out


# Words that, right after a dotted name, make it the name of a business or a place
# (某某·某某超市, 某某·某某公司) -- beside the general endings of bodies.
_BUSINESS_WORDS = ("公司", "集团", "超市", "商场", "商城", "酒店", "门店", "品牌", "广场")
# A part of a dotted name that the dictionary has seen this often is a word, not a sound
# transliterated (家具, 体育).
_WORD_PART = 300


def _dotted_brand(sent: str, a: int, b: int) -> bool:
    """Is the dotted name ``sent[a:b]`` a brand or a body (某氏·家具, 某某·体育公司,
    某某·某某超市) rather than a person?  A part that is a common word of the dictionary (not
    a name: 马克思 and 安娜 are common too) is no transliterated name, and a body's ending in
    it or a business word right after it makes it a body."""
    name = sent[a:b]
    if not any(c in _DOT for c in name):
        return False
    lex = lexicons()
    parts = [p for p in re.split(f"[{_DOT}]", name) if p]
    after = sent[b : b + 2]
    return (
        any(len(p) >= 2 and nlp.everyday_word(p, _WORD_PART) for p in parts)
        or name.endswith(lex.org_suffixes + _BUSINESS_WORDS)
        or after in _BUSINESS_WORDS
    )


def _listed_names(
    sent: str, tokens: list[nlp.Token], spans: list[tuple[int, int]], lex: Lexicons
) -> list[tuple[int, int]]:
    """A word listed with a name (林海、高峰共同担任组长) is a name too when it has a name's
    shape (surname + one or two characters, whole words) -- the list licenses a name that
    is also a common word."""
    out: list[tuple[int, int]] = []
    by_start = {t.start: k for k, t in enumerate(tokens)}
    ends = sorted(e for _, e in spans)
    for e in ends:
        if sent[e : e + 1] != "、" or e + 1 not in by_start:
            continue
        tok = tokens[by_start[e + 1]]
        word = tok.word
        after = sent[tok.end : tok.end + 1]
        if (
            2 <= len(word) <= 3
            and (word[0] in lex.surnames or word[:2] in lex.surnames)
            and tok.tag not in ("LOC", "ORG", "TIME", "m", "q", "w", "v")
            and word not in lex.titles
            and (after in CLAUSE_END or after in "、等" or POST_VERB.match(sent, tok.end))
        ):
            out.append((tok.start, tok.end))
    return out


# Tags of words that are no part of a name the tagger missed: function words, numbers,
# places and bodies, and -- for words of two or more characters that the dictionary does
# not know as names -- verbs, adverbs and pronouns (主任应邀出席: 应邀 is a verb, not 应 +
# a name; but 高峰/n is a name the dictionary knows, and in 成/v 立新 the single character
# is a surname the tagger read as a verb).
_NOT_NAME_CHAR_TAGS = frozenset({"w", "d", "a", "c", "p", "u", "m", "q", "TIME", "ORG", "LOC"})
_NOT_NAME_TAGS = _NOT_NAME_CHAR_TAGS | {"r", "f", "s", "v", "vd", "vn", "ad", "an", "xc"}


def _name_after_title(
    sent: str, start: int, tokens: list[nlp.Token], by_start: dict[int, int], lex: Lexicons
) -> int:
    """End of a name the tagger missed right after a post title, or 0 (``副局长高峰介绍``:
    高峰 is also a common noun, so the tagger may not call it a name).

    The name is one or two whole words, two or three characters from a known surname, and
    what follows must end the name: a clause end, or a word that opens the predicate.
    """
    k = by_start.get(start)
    if k is None:
        return 0
    end = start
    for j in range(k, min(k + 2, len(tokens))):
        tok = tokens[j]
        if tok.tag in _NOT_NAME_CHAR_TAGS or (
            tok.tag in _NOT_NAME_TAGS and len(tok.word) > 1 and not nlp.known_name(tok.word)
        ):
            return 0
        end = tok.end
        name = sent[start:end]
        if len(name) > 3:
            return 0
        if len(name) < 2 or not (name[0] in lex.surnames or name[:2] in lex.surnames):
            continue
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        if name in lex.titles or not CJK_NAME.match(name):
            return 0
        if nxt is None or nxt.tag == "w" or nxt.word in _PREDICATE_OPENERS:
            return 0 if nlp.everyday_word(name) else end
    return 0


# Function words a tagger glues onto a name where they open the next phrase.
_NAME_BREAK = frozenset("就和与及同跟在对向为把被从于等说")


def _trim_name(sent: str, start: int, end: int) -> int:
    """A tagged name run on into the next words (某某某就社会工作问题指出, 某某和某基金会)
    ends before the function word that opens the next phrase: at two or three characters
    after a one-character surname, three or four after a two-character one."""
    if end - start < 4 or any(c in _DOT for c in sent[start:end]):
        return end
    lex = lexicons()
    lengths = (4, 3) if sent[start : start + 2] in lex.surnames else (3, 2)
    if sent[start] not in lex.surnames and lengths == (3, 2):
        return end
    for n in lengths:
        if start + n < end and sent[start + n] in _NAME_BREAK:
            return start + n
    return end


def _extend_name(sent: str, start: int, end: int, tokens: list[nlp.Token], i: int) -> int:
    """A two-character PER followed by one more character and then a clause end is a
    three-character name the tagger cut short (``王克/PER 让/v ,``)."""
    if end - start != 2 or i + 1 >= len(tokens):
        return end
    nxt = tokens[i + 1]
    if nxt.end - nxt.start != 1 or nxt.word in _AFTER_NAME or not "\u4e00" <= nxt.word <= "\u9fff":
        return end
    after = sent[nxt.end : nxt.end + 1]
    return nxt.end if (not after or after in CLAUSE_END or after in "、等") else end
