"""The same paragraphs written as real HTML, Markdown, DOCX and PDF files, for the readers' tests.

A paragraph starting with ``# `` is a heading.  The PDF writer is by hand (no library here
writes text PDFs without a font file): a Type0 font whose character codes are UTF-16 code
units, with a ToUnicode map saying so, is a real text layer for Chinese and English alike;
no glyphs are embedded, so it extracts but would not display.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zlib
from collections.abc import Sequence

import docx


def plain(paragraphs: Sequence[str]) -> str:
    return "\n\n".join(p.removeprefix("# ") for p in paragraphs) + "\n"


def to_html(paragraphs: Sequence[str], title: str) -> bytes:
    """A news page: the article, inside navigation, scripts, a sidebar and a footer whose
    numbers must not become statistics."""
    body = "\n".join(f"<h1>{html.escape(p[2:])}</h1>" if p.startswith("# ")
                     else f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script>var pageViews = 987654; document.title += " 共 4321 次访问";</script>
<style>.nav {{ width: 960px; }}</style></head>
<body>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/news">要闻</a></li>
<li><a href="/n">今日访问 3200 人次</a></li><li><a href="/c">共 58 个栏目</a></li></ul></div>
<nav><a href="/a">社会</a> | <a href="/b">经济</a> | <a href="/c">累计用户 150 万人</a></nav>
<div class="main"><article>
{body}
</article></div>
<aside class="sidebar"><h3>热门排行</h3><ul>
<li><a href="/x1">某地新增就业 12000 人</a></li><li><a href="/x2">年度投资 900 亿元</a></li>
</ul></aside>
<footer>版权所有 © 2022 某报社 · 备案号 12345678 · 联系电话 010-6543210 ·
本站累计访问 4500000 人次 · 员工 320 人</footer>
<script>track({{"page": 77, "count": 66}});</script>
</body></html>""".encode()


def to_markdown(paragraphs: Sequence[str]) -> bytes:
    """Headings, emphasis, links, a list and a quote: everything a reader must strip."""
    out = []
    for i, p in enumerate(paragraphs):
        if p.startswith("# "):
            out.append(p)
        elif i % 4 == 1:
            out.append(f"- {p}")
        elif i % 4 == 2:
            out.append(f"> {p}")
        elif i % 4 == 3 and len(p) > 6:
            out.append(f"**{p[:3]}**{p[3:6]}[{p[6:]}](https://example.org/{i})")
        else:
            out.append(p)
    return ("\n\n".join(out) + "\n").encode()


def to_docx(paragraphs: Sequence[str], title: str) -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    for p in paragraphs:
        if p.startswith("# "):
            document.add_heading(p[2:], level=1)
        else:
            paragraph = document.add_paragraph()
            paragraph.add_run(p[:4]).bold = True  # runs split the text as Word does
            paragraph.add_run(p[4:])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(pages: Sequence[bytes], resources: bytes, extra: Sequence[bytes] = ()) -> bytes:
    """A PDF of ``pages`` content streams sharing ``resources``; ``extra`` objects follow
    the pages' (numbered from 3 + 2 * len(pages))."""
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i, content in enumerate(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources {resources.decode()} /Contents {4 + 2 * i} 0 R >>".encode())
        objects.append(_stream(content))
    objects += extra
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def _stream(data: bytes, extra: str = "") -> bytes:
    packed = zlib.compress(data)
    return (f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n".encode()
            + packed + b"\nendstream")


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _set(paragraph: str, measure: int) -> list[str]:
    """A paragraph set as a typesetter would: Latin words kept whole, Chinese broken
    anywhere, each line filled up to the measure (in half-width columns)."""
    lines, line = [], ""
    for token in re.findall(r"[!-~\u00a0-\u024f]+ ?|.", paragraph):
        if line.strip() and _columns(line + token.rstrip()) > measure:
            lines.append(line.rstrip())
            line = ""
        line += token
    return [*lines, line.rstrip()]


def to_pdf(paragraphs: Sequence[str], measure: int = 60, lines_per_page: int = 45) -> bytes:
    """A text PDF typeset like a Chinese newspaper: paragraphs indented by two ideographic
    spaces and broken into lines of ``measure`` columns, headings on lines of their own,
    running on from page to page."""
    lines = [line for p in paragraphs
             for line in (_set(p[2:], measure) if p.startswith("# ")
                          else _set("\u3000\u3000" + p, measure))]
    pages = []
    for start in range(0, len(lines), lines_per_page):
        ops = [b"BT /F1 10 Tf 16 TL 40 800 Td"]
        ops += [b"<" + line.encode("utf-16-be").hex().encode() + b"> Tj T*"
                for line in lines[start:start + lines_per_page]]
        ops.append(b"ET")
        pages.append(b"\n".join(ops))
    n = 2 + 2 * len(pages)
    ranges = [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>".encode()
              for h in range(256) if not 0xD8 <= h <= 0xDF]  # code units map to themselves
    bfranges = b"".join(f"{len(ranges[i:i + 100])} beginbfrange\n".encode()
                        + b"\n".join(ranges[i:i + 100]) + b"\nendbfrange\n"
                        for i in range(0, len(ranges), 100))  # at most 100 a block
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            + bfranges + b"endcmap CMapName currentdict /CMap defineresource pop end end")
    font, cid_font, to_unicode, descriptor = n + 1, n + 2, n + 3, n + 4
    extra = [
        f"<< /Type /Font /Subtype /Type0 /BaseFont /TextSans /Encoding /Identity-H "
        f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>".encode(),
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TextSans /CIDSystemInfo "
        f"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor {descriptor} 0 R /DW 1000 >>".encode(),
        _stream(cmap),
        b"<< /Type /FontDescriptor /FontName /TextSans /Flags 4 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    return _pdf(pages, f"<< /Font << /F1 {font} 0 R >> >>".encode(), extra)


def scanned_pdf(pages: int = 2) -> bytes:
    """What a scanner makes: each page one image, no text layer."""
    n = 2 + 2 * pages
    image = _stream(bytes(range(256)) * 64, "/Type /XObject /Subtype /Image /Width 128 "
                    "/Height 128 /ColorSpace /DeviceGray /BitsPerComponent 8 ")
    return _pdf([b"q 500 0 0 700 40 80 cm /Im1 Do Q"] * pages,
                f"<< /XObject << /Im1 {n + 1} 0 R >> >>".encode(), [image])
