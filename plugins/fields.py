"""The one clean-up every organisation and title field gets before it becomes a fact.

Extractors cut fields out of sentences at token boundaries, and a boundary often falls next
to punctuation: a list of people joined by full-width commas gives an organisation that
starts with "，", a colon before a list gives one that starts with "：".  Whatever rule made
the cut, the field must not begin or end with such a mark, so it is trimmed here, in one
place, rather than in each rule.  A bracket or quote that pairs with one inside the field
("某某协会(筹)", "“某某”项目") belongs to it and is kept, and so does a final "." (Co.,
Ltd., Dr.: in English it ends an abbreviation).
"""

from __future__ import annotations

import unicodedata

#: opening marks and the closing mark each pairs with
_PAIRS = {"(": ")", "（": "）", "[": "]", "【": "】", "〔": "〕", "《": "》", "〈": "〉",
          "“": "”", "‘": "’", "「": "」", "『": "』", '"': '"', "'": "'"}
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}


def _loose(ch: str) -> bool:
    """Punctuation, a symbol of the dash or connector kind, or white space."""
    return unicodedata.category(ch)[0] in "PZ" or ch.isspace()


def trim(text: str | None) -> str | None:
    """``text`` without the punctuation and spaces at its ends (None if nothing is left);
    a bracket or quote whose partner is inside the field stays."""
    if text is None:
        return None
    start, end = 0, len(text)
    while start < end and _loose(text[start]) and not (
            text[start] in _PAIRS and _PAIRS[text[start]] in text[start + 1:end]):
        start += 1
    while end > start and _loose(text[end - 1]) and text[end - 1] != "." and not (
            text[end - 1] in _CLOSERS and _CLOSERS[text[end - 1]] in text[start:end - 1]):
        end -= 1
    return text[start:end] or None
