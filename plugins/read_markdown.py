"""Markdown: the text a reader sees, without the markup that writes it.

markdown-it-py parses (CommonMark, plus tables and strikethrough); the text is rebuilt from
its token stream, one block per paragraph: headings without ``#``, list items without
``-``, links as their text, images as their alt text, emphasis and inline HTML dropped,
table rows as tab-separated cells.  Raw HTML blocks keep their text, not their tags.

CommonMark decides whether ``**`` opens or closes by the characters around it, rules made for
spaced scripts: ``**目前,**定西`` does not close (punctuation before, a letter after), and
the parser leaves both runs as text.  Runs of ``**``, ``__`` or ``~~`` it left beside a CJK
character are dropped: in Chinese prose they are only ever markup.
"""

from __future__ import annotations

import re
from typing import Any

from factfold import Text, decode

_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_STRAY_DELIMITERS = re.compile(rf"(?<=[{_CJK}])(?:\*\*|__|~~)|(?:\*\*|__|~~)(?=[{_CJK}])")


def _inline(tokens: list[Any]) -> str:
    out = []
    for t in tokens:
        if t.type == "text":
            out.append(_STRAY_DELIMITERS.sub("", t.content))
        elif t.type == "code_inline":
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif t.type == "image":
            out.append(_inline(t.children or []))
    return "".join(out).strip()


def _html_text(html: str) -> str:
    import lxml.html

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for node in root.xpath("//script|//style"):
        node.drop_tree()
    return " ".join(root.text_content().split())


def read(data: bytes, name: str) -> Text:
    from markdown_it import MarkdownIt

    decoded = decode(data)
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(decoded.text)
    blocks: list[str] = []
    title = None
    row: list[str] | None = None
    for i, t in enumerate(tokens):
        if t.type == "tr_open":
            row = []
        elif t.type == "tr_close" and row is not None:
            blocks.append("\t".join(c for c in row if c))
            row = None
        elif t.type == "inline":
            text = _inline(t.children or [])
            if row is not None:
                row.append(text)
                continue
            blocks.append(text)
            if title is None and tokens[i - 1].tag == "h1":
                title = text
        elif t.type in ("fence", "code_block"):
            blocks.append(t.content.strip("\n"))
        elif t.type == "html_block":
            blocks.append(_html_text(t.content))
    return Text(text="\n\n".join(b for b in blocks if b.strip()), title=title,
                encoding=decoded.encoding)
