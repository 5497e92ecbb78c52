"""The built-in extractors' word lists (``plugins/data/*.txt``), loaded once per process.

One entry per line, spaces inside an entry allowed ("memorandum of understanding");
``#`` starts a comment.  Entries come back longest first, so a regex alternation built
from them prefers 人次 over 人 and 副秘书长 over 秘书长.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def lexicon(name: str) -> tuple[str, ...]:
    """The entries of ``data/<name>``, de-duplicated, longest first."""
    raw = resources.files("factfold.plugins").joinpath("data", name).read_text("utf-8")
    entries = {line.split("#", 1)[0].strip() for line in raw.splitlines()}
    return tuple(sorted((e for e in entries if e), key=lambda e: (-len(e), e)))


def alternation(name: str) -> str:
    """A regex alternation of the entries, longest first; a space matches any white space."""
    return "|".join(re.escape(e).replace(r"\ ", r"\s+") for e in lexicon(name))
