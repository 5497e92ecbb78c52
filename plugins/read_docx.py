"""Word documents (.docx): the body's paragraphs and tables, in order, with python-docx.

Headers and footers are left out: they are page furniture (page numbers, dates, the
letterhead) repeated on every page, not the document's text.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from factfold import Text, Unreadable

#: the most bytes a document's parts may expand to: a small zip can hold gigabytes of XML
MAX_EXPANDED = 256 << 20


def _row(row: Any) -> str:  # a python-docx table row
    cells, seen = [], set()
    for cell in row.cells:
        # A merged cell is returned once per grid column it spans: read it once.
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        text = " ".join(cell.text.split())
        if text:
            cells.append(text)
    return "\t".join(cells)


def read(data: bytes, name: str) -> Text:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        # zipfile reads no more of a member than its declared size: the sum is a bound
        expanded = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
        document = None if expanded > MAX_EXPANDED else docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Unreadable(f"not a readable Word document ({type(exc).__name__}: {exc}); "
                         "open it in Word and save it again as .docx") from None
    if document is None:
        raise Unreadable(f"a Word document that expands to {expanded >> 20} MiB (more than "
                         f"{MAX_EXPANDED >> 20}); split it or save it as text")
    blocks = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            blocks += [_row(row) for row in block.rows]
        else:
            blocks.append(block.text.strip())
    return Text(text="\n\n".join(b for b in blocks if b),
                title=document.core_properties.title or None)
