"""HTML pages: the main text, as trafilatura finds it, without navigation, footers or scripts.

A news page is mostly not its news: menus, link lists, "most read" boxes and footers full of
numbers (visitor counts, phone numbers, years) that the statistics extractor would take for
facts.  trafilatura keeps the article; its precision mode is used because a fact from a menu
is worse than a sentence missed.  The text is rebuilt from trafilatura's XML, one block
(paragraph, heading, list item, table row) per paragraph, so no list dashes or table pipes
from its text output end up in evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from factfold import Text, Unreadable, decode

#: trafilatura's elements that are one paragraph each
_BLOCKS = frozenset({"p", "head", "quote", "code", "item"})


def _inline(element: Any) -> str:
    """An element's text: line breaks kept, runs of spaces collapsed as a browser would."""
    parts: list[str] = []

    def walk(e: Any) -> None:
        parts.append("\n" if e.tag == "lb" else e.text or "")
        for child in e:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _blocks(element: Any) -> Iterator[str]:
    for child in element:
        if child.tag == "table":
            for row in child.iter("row"):
                yield "\t".join(c for c in (_inline(cell) for cell in row.iter("cell")) if c)
        elif child.tag in _BLOCKS:
            yield _inline(child)
        else:
            yield from _blocks(child)


def read(data: bytes, name: str) -> Text:
    import trafilatura

    decoded = decode(data)
    found = trafilatura.bare_extraction(
        decoded.text, favor_precision=True, include_tables=True, include_comments=False,
        include_formatting=False, include_links=False, include_images=False,
        with_metadata=True)
    body = getattr(found, "body", None)
    text = "\n\n".join(b for b in _blocks(body) if b) if body is not None else ""
    if not text:
        raise Unreadable("no main text found in the HTML page (only navigation, scripts or "
                         "boilerplate)")
    return Text(text=text, title=getattr(found, "title", None) or None,
                encoding=decoded.encoding)
