"""PDF files: the text layer, with pypdf, its lines rejoined into paragraphs.

A scanned PDF is pictures of pages with no text layer: there is nothing to read without
OCR, and the file is rejected saying so rather than recorded as an empty document.

A text layer has lines, not paragraphs: a sentence, or a name, runs on from one line to the
next, and extractors would find neither across the break.  A line is taken to run on when
the next line's first word would not have fitted after it in the document's measure (the
width nearly all its full lines have), unless the next line is indented, which starts a
paragraph in Chinese typesetting.  A line that ends short ends its paragraph.
"""

from __future__ import annotations

import io
import re
import unicodedata
from itertools import pairwise

from factfold import Text, Unreadable

#: a run of Latin letters, digits and signs (a word), else one character
_FIRST_WORD = re.compile(r"[!-~\u00a0-\u024f]+|.")
#: the share of lines at least as wide as the measure: headings and last lines are shorter
_MEASURE_QUANTILE = 0.9
_INDENT = ("\u3000", " ", "\t")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _columns(text: str) -> int:
    return sum(2 if _wide(ch) else 1 for ch in text)


def unwrap(lines: list[str]) -> str:
    """Lines of a text layer as paragraphs, separated by a blank line."""
    lines = [line.rstrip() for line in lines if line.strip()]
    if not lines:
        return ""
    # Widths with the indentation: an indented first line is as full as the others.
    widths = sorted(_columns(line) for line in lines)
    measure = widths[int(_MEASURE_QUANTILE * (len(widths) - 1))]
    out = [lines[0].strip()]
    for last, line in pairwise(lines):
        text = line.strip()
        gap = "" if _wide(last[-1]) or _wide(text[0]) or last.endswith("-") else " "
        first = _FIRST_WORD.match(text)[0]  # type: ignore[index]
        if not line.startswith(_INDENT) and _columns(last + gap + first) > measure:
            out[-1] += gap + text
        else:
            out.append(text)
    return "\n\n".join(out)


def read(data: bytes, name: str) -> Text:
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        pdf = pypdf.PdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not pdf.decrypt(""):
            raise Unreadable("an encrypted PDF that needs a password; save an unprotected "
                             "copy to ingest it")
        pages = [page.extract_text() or "" for page in pdf.pages]
        title = pdf.metadata.title if pdf.metadata else None
    except PyPdfError as exc:
        raise Unreadable(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not any(page.strip() for page in pages):
        raise Unreadable(f"a scanned PDF: its {len(pages)} page(s) have no text layer, only "
                         "images; run OCR on it and drop the text instead")
    # Pages flow into each other: a paragraph broken by a page break is one paragraph.
    lines = [line for page in pages for line in page.splitlines()]
    return Text(text=unwrap(lines), title=str(title) if title else None)
