"""PDF files: the text layer, page by page, with pypdf.

A scanned PDF is pictures of pages with no text layer: there is nothing to read without
OCR, and the file is rejected saying so rather than recorded as an empty document.
"""

from __future__ import annotations

import io

from factfold import Text, Unreadable


def read(data: bytes, name: str) -> Text:
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        pdf = pypdf.PdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not pdf.decrypt(""):
            raise Unreadable("an encrypted PDF that needs a password; save an unprotected "
                             "copy to ingest it")
        pages = [(page.extract_text() or "").strip() for page in pdf.pages]
        title = pdf.metadata.title if pdf.metadata else None
    except PyPdfError as exc:
        raise Unreadable(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not any(pages):
        raise Unreadable(f"a scanned PDF: its {len(pages)} page(s) have no text layer, only "
                         "images; run OCR on it and drop the text instead")
    return Text(text="\n\n".join(p for p in pages if p), title=str(title) if title else None)
