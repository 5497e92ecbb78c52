"""``factfold serve`` for real: the CLI starts Datasette on a free loopback port; its JSON
API holds the facts ``factfold export`` prints, and a headless Chromium (Debian's
``chromium``, installed by ``make browser``) shows a person the tables, a fact's document
with its span marked, and the canned queries."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, SEEDS, STARTED, run_factfold, supersede_and_remove

from factfold import Agreement, Meeting, Person, Statistic
from factfold.views.schema import PROVENANCE_COLUMNS, kind_tables

#: the typed tables of factfold's fact kinds, as the schema names them
KINDS = kind_tables([Person, Meeting, Agreement, Statistic])
#: a document whose text tries to run script in the page that shows it
HOSTILE = ('A note <script>document.body.setAttribute("data-x", "own" + "ed")</script> and '
           '<img src=x onerror="document.body.setAttribute(\'data-y\', \'own\' + \'ed\')"> '
           "ends here.\n")


# -- a real server, a real browser ------------------------------------------------------------


class Server:
    """``factfold serve --port 0`` as a subprocess, and the URL it says it serves."""

    def __init__(self, store: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "factfold", "--store", str(store), "serve", "--port", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        # Not in helpers.STARTED, whose processes die at the end of each test: a module's
        # server serves several; whoever starts one stops it.
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()  # the first line says where, once it listens
        found = re.search(r"at (http://127\.0\.0\.1:\d+)/ ", line)
        if not found:
            self.proc.kill()
            pytest.fail(f"serve did not start: {line}{self.proc.stderr.read()}")
        self.url = found.group(1)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def json(self, path: str) -> Any:
        status, body = self.get(path)
        assert status == 200, body
        return json.loads(body)

    def rows(self, table: str, **filters: str) -> list[dict[str, Any]]:
        """Every row of ``table``, page after page."""
        query = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in filters.items())
        page = self.json(f"/views/{table}.json?_shape=objects&_size=max&{query}")
        rows = page["rows"]
        while page.get("next_url"):
            page = self.json(page["next_url"].removeprefix(self.url))
            rows += page["rows"]
        return rows

    def stop(self) -> None:
        self.proc.terminate()
        assert self.proc.wait(30) == 0
        assert self.proc.stderr is not None
        rest = self.proc.stderr.read()
        assert "Traceback" not in rest, rest
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def browser() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("Debian's chromium is not installed: `make browser` installs it (as root)")
    return found


def dom(browser: str, url: str, profile: Path) -> str:
    """The page at ``url`` as headless Chromium renders it (its DOM after loading)."""
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# -- the facts: export == Datasette's JSON API ------------------------------------------------


def exported(store: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in run_factfold("export", store=store).stdout.splitlines()]


def served_records(server: Server) -> list[dict[str, Any]]:
    """Every fact of the typed tables as an export record, read from the JSON API only."""
    records = []
    for t in KINDS:
        lists = {}
        for f in t.lists:
            items: dict[int, list[Any]] = {}
            for r in sorted(server.rows(t.child(f)), key=lambda r: (r["fact_id"], r["ord"])):
                items.setdefault(r["fact_id"], []).append(r[f.item])
            lists[f.name] = items
        for r in server.rows(t.name):
            own = {c: r[c] for c in r if c not in ("fact_id", "doc_id", *PROVENANCE_COLUMNS)}
            records.append({
                "kind": t.kind, "source": r["source"], "doc_id": r["doc_id"],
                "extractor": r["extractor"], "span": [r["span_start"], r["span_end"]],
                "evidence": r["evidence"], **own,
                **{f: items.get(r["fact_id"], []) for f, items in lists.items()},
                "confidence": r["confidence"], "_position": r["position"]})
    records.sort(key=lambda r: r.pop("_position"))
    return records


@pytest.fixture(scope="module")
def seeds_served(tmp_path_factory) -> Iterator[tuple[Path, Server]]:
    """The seeds and a hostile document ingested by the real CLI, and serve running on them."""
    base = tmp_path_factory.mktemp("serve")
    drop = base / "drop"
    shutil.copytree(SEEDS, drop)
    (drop / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    store = base / "store"
    run_factfold("ingest", str(drop), store=store)
    server = Server(store)
    try:
        yield store, server
    finally:
        server.stop()


def test_the_json_api_holds_the_facts_export_prints(seeds_served):
    store, server = seeds_served
    facts = exported(store)
    assert {r["kind"] for r in facts} == {"person", "meeting", "agreement", "statistic"}
    assert served_records(server) == facts


def test_metadata_describes_facets_and_hides_storage(seeds_served):
    _, server = seeds_served
    database = server.json("/views.json")
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    assert {"checkpoints", "document_records", "paths", f"fact_{KINDS[0].kind}"} <= hidden
    shown = {v["name"] for v in database["views"]}
    assert {t.name for t in KINDS} | {"documents", "persons"} <= shown
    queries = {q["name"]: q for q in database["queries"]}
    assert {"people-by-organisation", "agreements-with-their-parties",
            "total-money-per-document"} <= set(queries)
    statistics = server.json("/views/statistics.json?_size=1")
    assert {"unit", "approx"} <= set(statistics["facet_results"])
    assert statistics["facet_results"]["unit"]["results"]
    people = server.json("/views/people.json?_size=1")
    assert "organization" in people["facet_results"]
    # the descriptions are docs/views.md's words
    _, page = server.get("/views/statistics")
    views_md = " ".join((ROOT / "docs" / "views.md").read_text(encoding="utf-8").split())
    described = re.findall(r"<dd>(.*?)</dd>", page, re.S)
    assert len(described) >= len(PROVENANCE_COLUMNS)
    for text in described:
        assert unescape(text).split(" (")[0].replace("`", "") in views_md.replace("`", "")


def test_a_person_sees_the_people_and_follows_a_fact_to_its_marked_evidence(
        seeds_served, browser, tmp_path):
    _, server = seeds_served
    people = server.json("/views/people.json?_shape=objects&_size=20")["rows"]
    page = dom(browser, server.url + "/views/people", tmp_path)
    cells = [unescape(c) for c in re.findall(r'<td class="col-name[^"]*"[^>]*>(.*?)</td>',
                                            page, re.S)]
    assert cells[:20] == [p["name"] for p in people]
    # the first row's evidence cell links to its document, with the span in the link
    link = re.search(r'<td class="col-evidence[^"]*"[^>]*><a href="([^"]+)"', page)
    assert link, "no evidence link on the people page"
    href = unescape(link.group(1))
    first = people[0]
    assert href == (f"/-/document/{first['doc_id']}?start={first['span_start']}"
                    f"&end={first['span_end']}#evidence")
    document = dom(browser, server.url + href, tmp_path)
    marked = re.findall(r'<mark id="evidence">(.*?)</mark>', document, re.S)
    assert len(marked) == 1
    assert marked[0] and unescape(marked[0]) in first["evidence"]
    # and links to the document's facts, counted
    in_document = len(server.rows("people", doc_id=first["doc_id"]))
    assert re.search(rf'href="/views/people\?doc_id={first["doc_id"]}">{in_document} people</a>',
                     document)
    text = server.get(f"/-/document/{first['doc_id']}")[1]
    assert "<mark" not in text  # no span asked, nothing marked


def test_a_canned_query_shows_its_results(seeds_served, browser, tmp_path):
    _, server = seeds_served
    agreements = server.rows("agreements")
    assert agreements
    page = dom(browser, server.url + "/views/agreements-with-their-parties", tmp_path)
    titles = [unescape(c) for c in re.findall(r'<td class="col-title[^"]*"[^>]*>(.*?)</td>',
                                             page, re.S)]
    assert sorted(titles) == sorted(a["title"] for a in agreements)
    assert page.count('href="/-/document/') >= len(agreements)  # evidence links here too
    page = dom(browser, server.url + "/views/people-by-organisation", tmp_path)
    organizations = {r["organization"] for r in server.rows("people") if r["organization"]}
    shown = {unescape(c) for c in re.findall(
        r'<td class="col-organization[^"]*"[^>]*>(.*?)</td>', page, re.S)}
    assert shown == organizations


def test_the_document_page_shows_hostile_text_as_text(seeds_served, browser, tmp_path):
    _, server = seeds_served
    doc_id = hashlib.sha256(HOSTILE.encode()).hexdigest()
    start = HOSTILE.index("<script>")
    end = HOSTILE.index("ends")
    page = dom(browser, f"{server.url}/-/document/{doc_id}?start={start}&end={end}", tmp_path)
    assert "owned" not in page  # neither script ran
    marked = re.findall(r'<mark id="evidence">(.*?)</mark>', page, re.S)
    assert [unescape(m) for m in marked] == [HOSTILE[start:end]]
    assert "<script>document" not in page and "<img src" not in page


@pytest.mark.parametrize(("path", "status"), [
    ("/-/document/" + "0" * 64, 404),  # well formed, not in the store
    ("/-/document/nope", 404),
    ("/-/document/%3Cscript%3E", 404),
    ("/-/document/{doc}?start=x&end=3", 400),
    ("/-/document/{doc}?start=5&end=2", 400),
    ("/-/document/{doc}?start=-1&end=2", 400),
    ("/-/document/{doc}?start=0", 400),
    ("/-/document/{doc}?start=0&end=100000", 400),  # past the end of the text
])
def test_bad_document_requests_get_an_error_page_not_a_traceback(seeds_served, path, status):
    _, server = seeds_served
    doc_id = hashlib.sha256(HOSTILE.encode()).hexdigest()
    got, body = server.get(path.format(doc=doc_id))
    assert got == status, body
    assert "Traceback" not in body
    assert "<script>document" not in body and "%3Cscript" not in body  # nothing echoed


@pytest.mark.parametrize("statement", [
    "WITH x AS (SELECT 1) DELETE FROM fact_person",
    "WITH x AS (SELECT 1) INSERT INTO checkpoints VALUES ('x', 1, 1)",
    "DELETE FROM fact_person",
])
def test_the_sql_box_cannot_write(seeds_served, statement):
    store, server = seeds_served
    before = (store / "views.sqlite").read_bytes()
    people = len(server.rows("people"))
    status, body = server.get("/views.json?sql=" + urllib.request.quote(statement))
    assert status == 400, body
    error = json.loads(body)["error"]
    assert "readonly database" in error or "must be a SELECT" in error, error
    assert (store / "views.sqlite").read_bytes() == before
    assert len(server.rows("people")) == people


def test_serve_keeps_up_with_a_superseding_and_a_removal(seeds_served):
    """No restart: the same server shows the store's new state (last: it changes it)."""
    store, server = seeds_served
    drop = store.parent / "drop"
    first, second = sorted(p for p in drop.iterdir() if p.name != "hostile.txt")[:2]
    supersede_and_remove(store, first, second)
    facts = exported(store)
    assert not any(r["source"] == str(second) for r in facts)
    assert served_records(server) == facts
    paths = {r["path"] for r in server.rows("documents")}
    assert str(second) not in paths and str(first) in paths


# -- serve beside a running watch -------------------------------------------------------------


def test_serve_shows_what_a_running_watch_adds(tmp_path, browser):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    store = tmp_path / "store"
    watch = subprocess.Popen(
        [sys.executable, "-m", "factfold", "--store", str(store), "watch", str(inbox),
         "--no-status", "--no-print-facts", "--settle", "0.2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    STARTED.append(watch)
    deadline = time.monotonic() + 120
    while not (store / "views.sqlite").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    server = Server(store)
    try:
        assert server.rows("statistics") == []
        text = "东城社会工作协会举办年度论坛,共有120人参加,筹集善款30万元。"
        (inbox / "forum.txt").write_text(text, encoding="utf-8")
        rows: list[dict[str, Any]] = []
        while not rows and time.monotonic() < deadline and watch.poll() is None:
            time.sleep(0.3)
            rows = server.rows("statistics")
        assert watch.poll() is None, "the watch stopped"
        assert {(r["value"], r["unit"]) for r in rows} >= {(120.0, "人")}
        assert {r["source"] for r in rows} == {str(inbox / "forum.txt")}
        fact = next(r for r in rows if r["unit"] == "人")
        page = dom(browser, f"{server.url}/-/document/{fact['doc_id']}"
                   f"?start={fact['span_start']}&end={fact['span_end']}", tmp_path / "profile")
        marked = re.findall(r'<mark id="evidence">(.*?)</mark>', page, re.S)
        assert [unescape(m) for m in marked] == [text[fact["span_start"]:fact["span_end"]]]
        assert "120人" in marked[0]
    finally:
        server.stop()
        watch.terminate()
        watch.wait(30)


# -- mistakes: one line, exit 2 ---------------------------------------------------------------


def test_without_datasette_serve_says_how_to_install_it(seeds_served):
    store, _ = seeds_served
    blocked = ("import sys; sys.modules['datasette'] = None; sys.argv[0] = 'factfold'; "
               "from factfold.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", blocked, "--store", str(store), "serve"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ})
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "pip install 'factfold[serve]'" in proc.stderr


def test_a_taken_port_or_a_missing_store_is_one_line(seeds_served, tmp_path):
    store, _ = seeds_served
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_factfold("serve", "--port", str(port), store=store, check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and f"port {port}" in proc.stderr, proc.stderr
    proc = run_factfold("serve", store=tmp_path / "nothing", check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
