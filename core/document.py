"""The document a plugin is handed: decoded text plus where it came from."""

from __future__ import annotations

from attrs import frozen


@frozen
class Document:
    """One document's content, as extractors see it.

    ``doc_id`` is the sha256 of the file's bytes, so the same content is the same document
    whatever its name.  ``text`` is the decoded text; fact spans index into it.
    """

    doc_id: str
    path: str
    text: str
    encoding: str = "utf-8"

    @property
    def language(self) -> str:
        """``zh`` when CJK characters make up a fair share of the letters, else ``en``."""
        cjk = latin = 0
        for ch in self.text[:4000]:
            if "\u4e00" <= ch <= "\u9fff":
                cjk += 1
            elif ch.isascii() and ch.isalpha():
                latin += 1
        return "zh" if cjk * 3 >= latin else "en"
