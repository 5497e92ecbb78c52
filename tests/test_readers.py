"""Readers: HTML, Markdown, DOCX and PDF files give the facts the same news gives as .txt.

The files are real: written by python-docx, by hand for PDF (``formats.py``), and ingested
through the real CLI.  A reader that raises, hangs or returns garbage has its file rejected
with the reason, and the ingest goes on.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import attrs
import pytest
from formats import plain, scanned_pdf, to_docx, to_html, to_markdown, to_pdf
from helpers import SEEDS, run_factfold

from factfold import Reader, Text, Unreadable, hookimpl
from factfold.events import DocumentAdded, Envelope, EventCodec, EventRegistry, event_type
from factfold.pluginmanager import PluginHost
from factfold.plugins.read_pdf import unwrap
from factfold.reading import PLAIN_TEXT, choose, read_file
from factfold.segments import SegmentLog
from factfold.store import Store

FORMATS = {"txt": "text", "html": "html", "md": "markdown", "docx": "docx", "pdf": "pdf"}
#: what the page around the article says; none of it may reach a fact
PAGE_NOISE = ("3200", "58 个", "150 万", "12000", "900 亿", "热门排行", "备案号", "6543210",
              "4500000", "320 人", "987654", "4321", "pageView")
#: markup of any of the formats, which must not reach a fact
MARKUP = re.compile(r"<[a-zA-Z/!]|&[a-z]+;|\*\*|\]\(|^#|^- |^> |\|", re.MULTILINE)


def seed_paragraphs(seed: Path) -> list[str]:
    """A seed's paragraphs, one per line, spaces as a page shows them (the seeds hold a
    scraped form control: its tag is dropped, so every format carries the same words)."""
    lines = (re.sub(r"<[^>]+>", "", line) for line in seed.read_text("utf-8").splitlines())
    return [" ".join(line.split()) for line in lines if line.strip()]


def write_formats(folder: Path, stem: str, paragraphs: list[str]) -> None:
    title = paragraphs[0]
    folder.mkdir(exist_ok=True)
    (folder / f"{stem}.txt").write_text(plain(paragraphs), encoding="utf-8")
    (folder / f"{stem}.html").write_bytes(to_html(paragraphs, title))
    (folder / f"{stem}.md").write_bytes(to_markdown(paragraphs))
    (folder / f"{stem}.docx").write_bytes(to_docx(paragraphs, title))
    (folder / f"{stem}.pdf").write_bytes(to_pdf(paragraphs))


def json_lines(proc) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines()]


def facts_by_path(store: Path) -> dict[str, Counter]:
    """Each document's facts without where they sit (spans differ with the text around)."""
    paths = {d["doc_id"]: d["paths"][0] for d in
             json_lines(run_factfold("query", "documents", "--json", store=store))}
    out: dict[str, Counter] = {p: Counter() for p in paths.values()}
    for fact in json_lines(run_factfold("export", store=store)):
        kept = {k: v for k, v in fact.items()
                if k not in ("doc_id", "source", "span")}
        out[paths[fact["doc_id"]]][json.dumps(kept, ensure_ascii=False, sort_keys=True)] += 1
    return out


def strings(value) -> list[str]:
    """Every text in a fact: its evidence, names, titles, organisations, list items."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [s for item in value for s in strings(item)] if isinstance(value, list) else []


def test_every_format_gives_the_facts_of_the_same_news_as_text(tmp_path):
    folder = tmp_path / "inbox"
    for seed in sorted(SEEDS.glob("*.txt")):
        write_formats(folder, seed.stem, seed_paragraphs(seed))
    store = tmp_path / "store"
    run_factfold("ingest", str(folder), store=store)

    documents = json_lines(run_factfold("query", "documents", "--json", store=store))
    assert len(documents) == 5 * len(FORMATS)
    for d in documents:
        suffix = d["paths"][0].rsplit(".", 1)[1]
        assert d["format"] == FORMATS[suffix], d
        assert d["reader"] == f"{FORMATS[suffix]}@1"
    table = run_factfold("query", "documents", store=store).stdout
    assert "format" in table and "markdown" in table and "docx" in table

    facts = facts_by_path(store)
    assert sum(map(len, facts.values())) > 100
    for seed in sorted(SEEDS.glob("*.txt")):
        expected = facts[str(folder / f"{seed.stem}.txt")]
        assert expected, f"{seed.name} gives no facts to compare"
        for suffix in ("html", "md", "docx", "pdf"):
            got = facts[str(folder / f"{seed.stem}.{suffix}")]
            assert got == expected, (suffix, seed.name, got - expected, expected - got)
            for fact in got:
                for value in strings(json.loads(fact)):
                    assert not MARKUP.search(value), (suffix, value)
                    assert not any(noise in value for noise in PAGE_NOISE), (suffix, value)


def stored_texts(store: Path) -> dict[str, str]:
    """Each added document's text as the log keeps it, by its first path."""
    return {e["payload"]["path"]: e["payload"]["text"] for e in json_lines(run_factfold(
        "log", "tail", "-n", "1000", "--type", "document.added", store=store))}


def test_the_log_keeps_the_text_a_reader_made_and_a_page_s_furniture_stays_out(tmp_path):
    paragraphs = ["# 某市召开社区服务座谈会",
                  "5月8日,某市民政局召开社区服务座谈会,局长张一鸣出席会议并讲话。",
                  "会上,全市新建社区服务站 36 个,服务居民 2.5 万人次。"]
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "page.html").write_bytes(to_html(paragraphs, "座谈会 - 某报"))
    # content decides before the name: a saved page called .txt is still a page
    (folder / "saved-page.txt").write_bytes(to_html(paragraphs[1:], "另一页"))
    store = tmp_path / "store"
    run_factfold("ingest", str(folder), store=store)

    texts = stored_texts(store)
    assert texts[str(folder / "page.html")] == plain(paragraphs).strip()
    assert texts[str(folder / "saved-page.txt")] == plain(paragraphs[1:]).strip()
    documents = {d["paths"][0]: d for d in
                 json_lines(run_factfold("query", "documents", "--json", store=store))}
    assert documents[str(folder / "page.html")]["title"] == "某市召开社区服务座谈会"
    assert documents[str(folder / "saved-page.txt")]["format"] == "html"

    facts = json_lines(run_factfold("export", store=store))
    assert {f["kind"] for f in facts} == {"meeting", "person", "statistic"}
    for fact in facts:
        start, end = fact["span"]  # into the text the log keeps
        text = texts[fact["source"]]
        assert text[start:end] and text[start:end] in fact["evidence"] in text, fact
        assert not any(noise in fact["evidence"] for noise in PAGE_NOISE), fact
    values = {f["value"] for f in json_lines(run_factfold(
        "query", "statistics", "--json", store=store))}
    assert values and values <= {36, 25000}, values


def test_a_scanned_pdf_is_rejected_with_the_reason_and_the_rest_goes_on(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(scanned_pdf(pages=3))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really\n")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04word/document.xml and nothing else")
    with zipfile.ZipFile(folder / "bomb.docx", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("word/document.xml", b"<w:document>" + b" " * (300 << 20))
    (folder / "note.txt").write_text("会长王小明出席会议。\n", encoding="utf-8")
    store = tmp_path / "store"
    run_factfold("ingest", str(folder), store=store)
    rejected = {Path(r["path"]).name: r["reason"] for r in json_lines(run_factfold(
        "query", "documents", "--rejected", "--json", store=store))}
    assert rejected["scan.pdf"] == ("a scanned PDF: its 3 page(s) have no text layer, only "
                                    "images; run OCR on it and drop the text instead")
    assert rejected["broken.pdf"].startswith("not a readable PDF")
    assert rejected["broken.docx"].startswith("not a readable Word document")
    assert rejected["bomb.docx"].startswith("a Word document that expands to 300 MiB")
    assert set(rejected) == {"scan.pdf", "broken.pdf", "broken.docx", "bomb.docx"}
    table = run_factfold("query", "documents", "--rejected", store=store).stdout
    assert "no text layer" in table
    (doc,) = json_lines(run_factfold("query", "documents", "--json", store=store))
    assert doc["format"] == "text" and doc["facts"] > 0


def test_the_watch_reads_what_lands_and_goes_on_past_a_scan(tmp_path):
    paragraphs = ["# 某市召开社区服务座谈会",
                  "5月8日,某市民政局召开社区服务座谈会,局长张一鸣出席会议并讲话。"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watch = subprocess.Popen([sys.executable, "-m", "factfold", "--store", str(tmp_path / "S"),
                              "watch", str(inbox)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        (inbox / "scan.pdf").write_bytes(scanned_pdf())
        (inbox / "news.docx").write_bytes(to_docx(paragraphs, "t"))
        (inbox / "news.md").write_bytes(to_markdown([*paragraphs, "**会上**,张一鸣表示。"]))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = {d["format"] for d in json_lines(run_factfold(
                "query", "documents", "--json", store=tmp_path / "S", check=False))}
            if seen == {"docx", "markdown"}:
                break
            time.sleep(0.2)
        assert seen == {"docx", "markdown"}
    finally:
        watch.send_signal(signal.SIGINT)
        out, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err
    people = [line for line in out.splitlines() if line.startswith("person")]
    assert len(people) == 2 and all("张一鸣" in line for line in people), out
    assert "*" not in out and "#" not in out
    assert "no text layer" in err  # the rejection is logged, and the watch went on


def test_a_pdf_s_lines_run_on_into_paragraphs():
    lines = ["Mayor Li Wei of the city council met the",
             "delegation on Monday at a well attended co-", "operation forum.", "Contact",
             "\u3000\u3000会议由中国社会工作联合会副会长兼秘书", "长康鹏主持。",
             "\u3000\u3000第二段。"]
    assert unwrap(lines) == (
        "Mayor Li Wei of the city council met the delegation on Monday at a well attended "
        "co-operation forum.\n\nContact\n\n会议由中国社会工作联合会副会长兼秘书长康鹏主持。"
        "\n\n第二段。")


def test_markdown_loses_its_markup_and_keeps_its_words():
    source = """# 标题 **一**

- 第一项 [链接文字](https://example.org)
- 第二项 ![图片说明](x.png) `代码`

> 引用的话 &amp; 其他

| 指标 | 数值 |
|---|---|
| 新增 | 36 个 |

<div><script>var hidden = 1;</script>块内 <b>文字</b></div>

```
保留 的 代码
```
"""
    read = read_file(PluginHost().readers(), source.encode(), "news.md")
    assert read.format == "markdown" and read.title == "标题 一"
    assert read.text == ("标题 一\n\n第一项 链接文字\n\n第二项 图片说明 代码\n\n引用的话 & 其他\n\n"
                         "指标\t数值\n\n新增\t36 个\n\n块内 文字\n\n保留 的 代码")


def test_content_decides_before_the_name_and_plain_text_is_the_fallback():
    readers = PluginHost().readers()
    pdf, docx, page = to_pdf(["一行"]), to_docx(["一段"], "t"), to_html(["一段"], "t")
    assert choose(readers, pdf, "report.bin").name == "pdf"
    assert choose(readers, docx, "letter.dat").name == "docx"
    assert choose(readers, page, "saved.txt").name == "html"
    assert choose(readers, b"<p>a fragment</p>", "part.HTM").name == "html"
    assert choose(readers, b"# a heading", "notes.Markdown").name == "markdown"
    assert choose(readers, b"plain words", "notes.txt") is PLAIN_TEXT
    assert choose(readers, b"plain words", "no-suffix") is PLAIN_TEXT
    assert choose(readers, b"<p>a fragment</p>", "notes.txt") is PLAIN_TEXT


def test_plain_text_reads_as_it_always_did():
    readers = PluginHost().readers()
    read = read_file(readers, "会长王小明。".encode("gb18030"), "old.txt")
    assert (read.text, read.encoding, read.format, read.reader) == (
        "会长王小明。", "gb18030", "text", "text@1")
    with pytest.raises(Unreadable, match="empty file"):
        read_file(readers, b"  \n", "empty.txt")
    with pytest.raises(Unreadable, match="looks binary"):
        read_file(readers, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image.png")


# -- a reader is a plugin: isolated like an extractor -------------------------------------------


def _raises(data, name):
    raise RuntimeError("this reader always fails")


def _hangs(data, name):
    import time

    time.sleep(3600)


class MisbehavingReaders:
    @hookimpl
    def factfold_register_readers(self, register):
        for suffix, fn, timeout in [
            ("raises", _raises, 30.0), ("hangs", _hangs, 0.5),
            ("int", lambda data, name: 42, 30.0),
            ("textless", lambda data, name: Text(text=b"bytes"), 30.0),
            ("control", lambda data, name: "\x00\x01\x02" * 10, 30.0),
            ("empty", lambda data, name: " \n ", 30.0),
            ("unreadable", lambda data, name: _unreadable(), 30.0),
        ]:
            register(Reader(name=f"bad-{suffix}", version="1", format=suffix, read=fn,
                            suffixes=(f".{suffix}",), timeout=timeout))
        register(Reader(name="sniff-raises", version="1", format="x", read=_raises,
                        sniff=lambda data: 1 / 0))


def _unreadable():
    raise Unreadable("password-protected; save an open copy")


REASONS = {
    "raises": "the bad-raises@1 reader failed: RuntimeError: this reader always fails",
    "hangs": "the bad-hangs@1 reader took longer than its limit of 0.5s",
    "int": "the bad-int@1 reader returned garbage: int, not text",
    "textless": "the bad-textless@1 reader returned garbage: bytes, not text",
    "control": "the bad-control@1 reader returned garbage: control characters, not text",
    "empty": "no text: the bad-empty@1 reader found none in it",
    "unreadable": "password-protected; save an open copy",
}


def test_a_reader_that_raises_hangs_or_returns_garbage_has_its_file_rejected(tmp_path):
    host = PluginHost(load_entrypoints=False)
    host.register(MisbehavingReaders(), name="bad")
    folder = tmp_path / "inbox"
    folder.mkdir()
    for suffix in REASONS:
        (folder / f"file.{suffix}").write_text(f"一份{suffix}文件", encoding="utf-8")
    (folder / "note.txt").write_text("会长王小明出席会议。", encoding="utf-8")
    with Store(tmp_path / "store", plugins=host) as store:
        outcomes = {f.name: store.ingest_file(f, f.name) for f in sorted(folder.iterdir())}
        assert outcomes.pop("note.txt") == "added"  # a raising sniff claims nothing
        assert set(outcomes.values()) == {"rejected"}
        rejected = {r["path"]: r["reason"] for r in store.query("documents", {"rejected": "1"})}
    assert rejected == {f"file.{suffix}": reason for suffix, reason in REASONS.items()}


def test_a_reader_from_an_installed_package_is_found_through_the_entry_point_group(tmp_path):
    site = tmp_path / "site"
    info = site / "reverse_reader-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: reverse-reader\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[factfold]\nreverse = reverse_reader\n")
    (site / "reverse_reader.py").write_text(
        "from factfold import Reader, Text, hookimpl\n\n"
        "def read(data, name):\n"
        "    return Text(text=data.decode()[::-1], title='backwards')\n\n"
        "@hookimpl\n"
        "def factfold_register_readers(register):\n"
        "    register(Reader(name='reverse', version='2.0', format='reversed', read=read,\n"
        "                    suffixes=('.rev',)))\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.rev").write_text("。议会席出明小王长会", encoding="utf-8")
    env = {"PYTHONPATH": str(site)}
    plugins = json.loads(run_factfold("plugins", "--json", env=env).stdout)
    assert {p["name"]: p["readers"] for p in plugins}["reverse"] == ["reverse@2.0"]
    run_factfold("ingest", str(tmp_path / "in"), store=tmp_path / "s", env=env)
    (doc,) = json_lines(run_factfold("query", "documents", "--json", store=tmp_path / "s",
                                     env=env))
    assert (doc["format"], doc["reader"], doc["title"]) == ("reversed", "reverse@2.0",
                                                            "backwards")
    people = json_lines(run_factfold("query", "people", "--json", store=tmp_path / "s",
                                     env=env))
    assert [p["name"] for p in people] == ["王小明"]


# -- logs written before readers existed ----------------------------------------------------------


def test_a_log_written_before_readers_replays_its_documents_as_plain_text(tmp_path):
    # document.added as schema version 1 was first written: no format, reader or title
    old = attrs.make_class("DocumentAdded", ["doc_id", "path", "text", "encoding", "size"],
                           frozen=True, kw_only=True)
    old = event_type("document.added")(old)
    log = SegmentLog(tmp_path / "log", EventCodec(EventRegistry([old])), writable=True)
    log.append([Envelope(old(doc_id="d" * 64, path="old.txt", text="会长王小明出席会议。",
                             encoding="utf-8", size=30), stream="doc:d")])
    log.close()
    with Store(tmp_path) as store:
        (added,) = [e.payload for e in store.log.read(0)]
        assert added == DocumentAdded(doc_id="d" * 64, path="old.txt", text="会长王小明出席会议。",
                                      encoding="utf-8", size=30)
        assert added.format == "text" and added.reader is None
        store.extract_pending()
        for rebuild in (False, True):
            if rebuild:
                store.replay()
            (doc,) = store.query("documents")
            assert (doc["format"], doc["reader"], doc["facts"] > 0) == ("text", None, True)
