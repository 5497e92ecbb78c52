"""Document events: what happened to the files in the drop folder.

A document's identity is the sha256 of its bytes (``doc_id``); a path is only where it was
seen.  The same bytes under two names are one document with two paths.
"""

from __future__ import annotations

from attrs import frozen

from .schema import event_type


@event_type("document.added")
@frozen(kw_only=True)
class DocumentAdded:
    """New content arrived at ``path``; ``text`` is kept so the log alone can re-extract it.

    ``text`` is what the reader made of the bytes (an HTML page's main text, a PDF's text
    layer): fact spans point into it.  ``format`` and ``reader`` (``name@version``) say how
    it was read, ``title`` is the document's own title if it states one.  They came after
    schema version 1 was first written, as fields with defaults: a record without them was
    decoded as plain text, which is what the defaults say, so the schema version stays 1.
    """

    doc_id: str
    path: str
    text: str
    encoding: str
    size: int
    format: str = "text"
    reader: str | None = None
    title: str | None = None


@event_type("document.linked")
@frozen(kw_only=True)
class DocumentLinked:
    """Content already in the store appeared at another ``path`` (a copy or a hard link)."""

    doc_id: str
    path: str


@event_type("document.moved")
@frozen(kw_only=True)
class DocumentMoved:
    """The document at ``old_path`` is now at ``new_path`` (a rename or a move)."""

    doc_id: str
    old_path: str
    new_path: str


@event_type("document.superseded")
@frozen(kw_only=True)
class DocumentSuperseded:
    """``path`` now holds ``new_doc_id``; the old content no longer lives there."""

    path: str
    old_doc_id: str
    new_doc_id: str


@event_type("document.removed")
@frozen(kw_only=True)
class DocumentRemoved:
    """``path`` was deleted; once a document has no path its facts leave the views.

    ``doc_id`` is None when the path held no document, only a rejected file.
    """

    doc_id: str | None
    path: str


@event_type("document.rejected")
@frozen(kw_only=True)
class DocumentRejected:
    """A file could not be taken in; ``reason`` says why and what to do about it."""

    path: str
    reason: str
    sha256: str | None = None
    size: int | None = None
