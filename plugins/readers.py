"""The built-in readers: HTML, Markdown, DOCX and PDF files become documents' text.

Plain text is factfold's own reader; these are a plugin like any other, registered through
the ``factfold`` entry-point group, so a third-party reader can stand beside or above them
(``priority``).  Content decides before the name: a file that starts like a PDF, a Word
document or an HTML page is read as one whatever it is called (a page saved as ``.txt`` is
still a page, and its markup would end up in facts); Markdown has no signature, so only
its suffix claims it.  Each format's library is imported when a file of it is first read:
starting factfold stays quick.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from factfold import Reader, hookimpl

from . import read_docx, read_html, read_markdown, read_pdf

_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]",
    re.IGNORECASE | re.DOTALL)


def looks_like_html(data: bytes) -> bool:
    """An HTML document starts with its doctype or its ``<html>`` tag (after an XML
    declaration or comments); a fragment does not, and is claimed by its suffix only."""
    return _HTML_START.match(data[:4096]) is not None


def looks_like_pdf(data: bytes) -> bool:
    # Readers accept the header anywhere in the first kilobyte (junk before it happens).
    return b"%PDF-" in data[:1024]


def looks_like_docx(data: bytes) -> bool:
    # A zip archive whose (uncompressed) directory names the Word body part.
    return data.startswith(b"PK\x03\x04") and b"word/document.xml" in data


@hookimpl
def factfold_register_readers(register: Callable[[Reader], None]) -> None:
    register(Reader(name="html", version="1", format="html", read=read_html.read,
                    suffixes=(".html", ".htm", ".xhtml"),
                    media_types=("text/html", "application/xhtml+xml"), sniff=looks_like_html))
    register(Reader(name="markdown", version="1", format="markdown", read=read_markdown.read,
                    suffixes=(".md", ".markdown", ".mdown", ".mkd"),
                    media_types=("text/markdown",)))
    register(Reader(name="docx", version="1", format="docx", read=read_docx.read,
                    suffixes=(".docx",), media_types=(
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
                    sniff=looks_like_docx))
    register(Reader(name="pdf", version="1", format="pdf", read=read_pdf.read,
                    suffixes=(".pdf",), media_types=("application/pdf",), sniff=looks_like_pdf))
