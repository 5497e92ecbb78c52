"""The document page: a document's text with a fact's evidence marked, and the links to it.

The text lives in the log, not in views.sqlite, so a Datasette page of its own reads it
(read-only, through :meth:`Store.texts`) and shows it escaped (Datasette's templates
escape every value: a document from the drop folder may hold any markup), with the
characters ``[start, end)`` in ``<mark>``.  Every cell that shows a fact's evidence links
there, in table pages and query results alike: any row with ``doc_id``, ``span_start`` and
``span_end`` beside its ``evidence``.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import structlog
from datasette import hookimpl
from datasette.utils.asgi import BadRequest, NotFound, Request, Response
from markupsafe import Markup, escape

from ..document import Document
from ..store import Store
from ..views.schema import quote as quote_name

log = structlog.get_logger("factfold.serve")

#: a document's id: the sha256 of its bytes, in hex
DOC_ID = re.compile(r"[0-9a-f]{64}")
ROUTE = "-/document"


def document_path(doc_id: str, span: tuple[int, int] | None = None) -> str:
    """The document page's path (under Datasette's base URL), with a span to mark."""
    path = f"{ROUTE}/{quote(doc_id, safe='')}"
    if span is None:
        return path
    return f"{path}?{urlencode({'start': span[0], 'end': span[1]})}#evidence"


def _column(row: Any, name: str) -> Any:
    try:
        return row[name]
    except (IndexError, KeyError):
        return None


def _span(args: Mapping[str, str]) -> tuple[int, int] | None:
    """``start`` and ``end`` as a span, both or neither: :class:`BadRequest` otherwise."""
    start, end = args.get("start"), args.get("end")
    if start is None and end is None:
        return None
    try:
        span = (int(start or ""), int(end or ""))
    except ValueError:
        raise BadRequest("start and end must both be character offsets (whole numbers)") from None
    if not 0 <= span[0] <= span[1]:
        raise BadRequest("the span must have 0 <= start <= end")
    return span


class DocumentPages:
    """A Datasette plugin (registered in-process): the page at ``/-/document/DOC_ID`` and
    the evidence links to it."""

    def __init__(self, store: Store, database: str, fact_tables: list[str]) -> None:
        #: Datasette names a plugin by its module, and serves it the templates/ folder of
        #: that package: factfold_document.html
        self.__name__ = __package__
        self.store = store
        self.database = database
        #: the tables whose facts of a document its page counts and links to
        self.fact_tables = fact_tables
        #: the store's log and views connection serve one reader at a time
        self._lock = threading.Lock()

    def _document(self, doc_id: str) -> Document | None:
        with self._lock:
            return next(iter(self.store.texts([doc_id])), None)

    @hookimpl
    def register_routes(self) -> list[tuple[str, Any]]:
        return [(rf"^/{ROUTE}/(?P<doc_id>[^/]+)$", self.page)]

    async def page(self, request: Request, datasette: Any) -> Response:
        doc_id = request.url_vars["doc_id"]
        if not DOC_ID.fullmatch(doc_id):
            raise NotFound("no such document: a document's id is 64 hexadecimal digits")
        span = _span(request.args)
        db = datasette.get_database(self.database)
        rows = (await db.execute(
            "SELECT path, title FROM documents WHERE doc_id = ? ORDER BY since", [doc_id])).rows
        if not rows:  # the public table holds current documents only
            raise NotFound("no such document among the current ones")
        document = await asyncio.to_thread(self._document, doc_id)
        if document is None:
            raise NotFound("no such document among the current ones")
        text = document.text
        if span is not None and span[1] > len(text):
            raise BadRequest(f"the span ends past the document's {len(text)} characters")
        start, end = span or (0, 0)
        facts = []
        for table in self.fact_tables:
            (count,) = (await db.execute(
                f"SELECT COUNT(*) FROM {quote_name(table)} WHERE doc_id = ?", [doc_id])).first()
            if count:
                facts.append((table, count, datasette.urls.table(self.database, table)
                              + "?" + urlencode({"doc_id": doc_id})))
        context = {
            "facts": facts,
            "doc_id": doc_id, "paths": [r["path"] for r in rows], "title": rows[0]["title"],
            "span": span, "length": len(text), "database": self.database,
            "before": text[:start], "evidence": text[start:end], "after": text[end:],
        }
        return Response.html(await datasette.render_template(
            "factfold_document.html", context, request=request))

    @hookimpl
    def render_cell(self, row: Any, value: Any, column: str, datasette: Any) -> Markup | None:
        """A fact's evidence links to its document with the span marked; a document's id
        to its document."""
        doc_id = _column(row, "doc_id")
        if not isinstance(doc_id, str) or not DOC_ID.fullmatch(doc_id):
            return None
        if column == "evidence" and isinstance(value, str):
            start, end = _column(row, "span_start"), _column(row, "span_end")
            if isinstance(start, int) and isinstance(end, int):
                url = datasette.urls.path(document_path(doc_id, (start, end)))
                return Markup('<a href="{}" title="the evidence in its document">{}</a>').format(
                    url, value)
        if column == "doc_id":
            url = datasette.urls.path(document_path(doc_id))
            return Markup('<a href="{}">{}</a>').format(url, escape(doc_id[:12]) + "…")
        return None
