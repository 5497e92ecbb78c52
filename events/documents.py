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
    """New content arrived at ``path``; ``text`` is kept so the log alone can re-extract it."""

    doc_id: str
    path: str
    text: str
    encoding: str
    size: int


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
