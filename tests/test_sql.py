"""The typed tables (docs/views.md) through ``factfold sql``: the same facts as the export,
only current ones, read-only, and the three questions of issue 14 in one query each."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from attrs import field, frozen
from exportlog import expected_export
from helpers import ROOT, SEEDS, run_factfold, supersede_and_remove

from factfold import Agreement, Extractor, Fact, Meeting, Person, Statistic, event_type, hookimpl
from factfold.pluginmanager import PluginHost
from factfold.sql import SQLError
from factfold.sql import query as sql_query
from factfold.store import Store

# -- a store whose facts the test chooses -----------------------------------------------------


def _parts(value: str) -> tuple[str, ...]:
    return tuple(p for p in value.split(";") if p)


def _ledger(doc: Any) -> Any:
    """One fact per line ``KIND|field|field...`` of the document (a toy extractor whose
    facts the test writes down)."""
    offset = 0
    for line in doc.text.splitlines(keepends=True):
        text = line.rstrip()
        span, offset = (offset, offset + len(text)), offset + len(line)
        kind, *f = text.split("|")
        common = {"span": span, "evidence": text, "confidence": 0.9}
        if kind == "P":
            yield Person(name=f[0], title=f[1] or None, organization=f[2] or None, **common)
        elif kind == "A":
            yield Agreement(title=f[0], date=f[1] or None, parties=_parts(f[2]),
                            term=f[3] or None, **common)
        elif kind == "S":
            yield Statistic(value=float(f[0]), unit=f[1], text=f[2], approx=f[3] or None,
                            **common)
        elif kind == "M":
            yield Meeting(name=f[0], date=f[1] or None, location=f[2] or None,
                          organizers=_parts(f[3]), **common)


class Ledger:
    @hookimpl
    def factfold_register_extractors(self, register):
        register(Extractor(name="ledger", version="1", extract=_ledger,
                           emits=(Person, Agreement, Statistic, Meeting)))


def _host() -> PluginHost:
    host = PluginHost(load_entrypoints=False)
    host.register(Ledger(), name="ledger")
    return host


DOCS = {
    "east.txt": "P|王甲|会长|东城社会工作协会\n"
                "P|李乙|秘书长|东城社会工作协会\n"
                "P|赵丙|理事长|绿野环保基金会\n"
                "A|结对帮扶协议|2023-05-01|东城社会工作协会;绿野环保基金会|2023-2025\n"
                "S|1200000|元|120万元|\n"
                "S|300000|元|30万元|about\n"
                "S|45|人|45人|\n",
    "west.txt": "P|钱丁|副会长|西山社会工作服务中心\n"
                "A|战略合作协议|2022-11-02|西山社会工作服务中心;北岭公司|\n"
                "A|Service Agreement|2023-09-10|Riverside Trust;Hilltop Council|\n"
                "S|5000|dollars|$5,000|more_than\n"
                "M|年度论坛|2023-06-01|西山|西山社会工作服务中心;北岭公司\n",
    "gone.txt": "P|孙戊|会长|南湖社会工作联合会\n"
                "A|Removed Accord|2023-01-01|Gone Party;Other Party|\n"
                "S|999|元|999元|\n",
    "old.txt": "P|周己|主任|旧城社会工作站\n"
               "A|Old Pact|2023-02-02|Old Party;Older Party|\n"
               "S|777|元|777元|\n",
}
#: what old.txt holds after it is rewritten (same path, new bytes)
NEW_OLD = "P|吴庚|主任|新城志愿者协会\nS|88|yuan|88 yuan|\n"


@pytest.fixture(scope="module")
def ledger_store(tmp_path_factory) -> Path:
    """Four documents; then one removed and one superseded by new bytes at its path."""
    base = tmp_path_factory.mktemp("ledger")
    drop = base / "drop"
    drop.mkdir()
    for name, text in DOCS.items():
        (drop / name).write_text(text, encoding="utf-8")
    with Store(base / "store", plugins=_host()) as store:
        for name in DOCS:
            assert store.ingest_file(drop / name, name) == "added"
        store.extract_pending()
        (drop / "old.txt").write_text(NEW_OLD, encoding="utf-8")
        assert store.ingest_file(drop / "old.txt", "old.txt") == "superseded"
        assert store.remove("gone.txt")
        store.extract_pending()
    return base / "store"


def sql_json(store: Path, statement: str) -> list[dict[str, Any]]:
    proc = run_factfold("sql", "--json", statement, store=store)
    return [json.loads(line) for line in proc.stdout.splitlines()]


# -- the three questions ----------------------------------------------------------------------

def _questions() -> list[str]:
    """The three questions' queries exactly as docs/views.md shows them, in its order."""
    text = (ROOT / "docs" / "views.md").read_text(encoding="utf-8")
    section = text[text.index("## Three questions"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


POSTS_IN_SOCIAL_WORK, AGREEMENTS_2023, MONEY_PER_DOCUMENT = _questions()


def test_who_holds_a_post_in_a_body_named_like_social_work(ledger_store):
    rows = sql_json(ledger_store, POSTS_IN_SOCIAL_WORK)
    assert [(r["name"], r["title"], r["organization"], r["source"]) for r in rows] == [
        ("李乙", "秘书长", "东城社会工作协会", "east.txt"),
        ("王甲", "会长", "东城社会工作协会", "east.txt"),
        ("钱丁", "副会长", "西山社会工作服务中心", "west.txt"),
    ]  # not the removed document's 孙戊, nor the superseded one's 周己


def test_which_agreements_were_signed_in_2023_and_by_whom(ledger_store):
    rows = sql_json(ledger_store, AGREEMENTS_2023)
    assert [(r["title"], r["date"], json.loads(r["parties"])) for r in rows] == [
        ("结对帮扶协议", "2023-05-01", ["东城社会工作协会", "绿野环保基金会"]),
        ("Service Agreement", "2023-09-10", ["Riverside Trust", "Hilltop Council"]),
    ]  # not "Removed Accord" (removed) nor "Old Pact" (superseded)


def test_total_money_per_document(ledger_store):
    rows = sql_json(ledger_store, MONEY_PER_DOCUMENT)
    assert [(r["source"], r["currency"], r["total"]) for r in rows] == [
        ("east.txt", "yuan", 1_500_000.0),
        ("old.txt", "yuan", 88.0),
        ("west.txt", "dollars", 5000.0),
    ]


def test_persons_gathers_people_across_documents(ledger_store):
    rows = {r["name"]: r for r in sql_json(ledger_store, "SELECT * FROM persons")}
    assert set(rows) == {"王甲", "李乙", "赵丙", "钱丁", "吴庚"}
    assert rows["王甲"]["documents"] == 1
    assert json.loads(rows["王甲"]["posts"]) == ["东城社会工作协会 会长"]


def test_documents_are_the_current_paths(ledger_store):
    rows = sql_json(ledger_store, "SELECT path, status, size FROM documents ORDER BY path")
    assert [(r["path"], r["status"]) for r in rows] == [
        ("east.txt", "extracted"), ("old.txt", "extracted"), ("west.txt", "extracted")]
    assert next(r for r in rows if r["path"] == "old.txt")["size"] == len(NEW_OLD.encode())


# -- the same facts as the export -------------------------------------------------------------


def _records_from_sql(store: Path) -> list[dict[str, Any]]:
    """Every fact of the typed tables as an export record, read with ``factfold sql`` only:
    each kind's table, its list fields from their child tables."""
    records = []
    kinds = {"person": "people", "meeting": "meetings", "agreement": "agreements",
             "statistic": "statistics"}
    for kind, table in kinds.items():
        columns = [r["name"] for r in sql_json(
            store, f"SELECT name FROM pragma_table_info('{table}')")]
        children = [r["name"] for r in sql_json(
            store, "SELECT name FROM sqlite_master WHERE type = 'view' "
                   f"AND name LIKE '{kind}\\_%' ESCAPE '\\'")]
        lists: dict[str, dict[int, list[Any]]] = {}
        for child in children:
            item = next(c for c in (r["name"] for r in sql_json(
                store, f"SELECT name FROM pragma_table_info('{child}')"))
                if c not in ("fact_id", "ord"))
            field_name = child[len(kind) + 1:]
            got = lists[field_name] = {}
            for r in sql_json(store, f"SELECT fact_id, {item} FROM {child} ORDER BY fact_id, ord"):
                got.setdefault(r["fact_id"], []).append(r[item])
        own = [c for c in columns if c not in (
            "fact_id", "doc_id", "extractor", "span_start", "span_end", "evidence",
            "confidence", "position", "source")]
        for r in sql_json(store, f"SELECT * FROM {table}"):
            record = {"kind": kind, "source": r["source"], "doc_id": r["doc_id"],
                      "extractor": r["extractor"], "span": [r["span_start"], r["span_end"]],
                      "evidence": r["evidence"], **{c: r[c] for c in own},
                      **{f: got.get(r["fact_id"], []) for f, got in lists.items()},
                      "confidence": r["confidence"], "_position": r["position"]}
            records.append(record)
    records.sort(key=lambda r: r.pop("_position"))
    return records


def _exported(store: Path) -> list[dict[str, Any]]:
    out = run_factfold("export", store=store).stdout
    return [json.loads(line) for line in out.splitlines()]


def _assert_same_facts(store: Path) -> list[dict[str, Any]]:
    """``export`` prints each current fact exactly as the log holds it, and ``sql`` reads
    the same facts from the typed tables."""
    exported = _exported(store)
    assert exported
    with Store(store, plugins=_host(), writable=False) as opened:
        expected = expected_export(opened.log.read())
    assert [json.dumps(r, ensure_ascii=False) for r in exported] == expected
    assert _records_from_sql(store) == exported
    return exported


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory) -> Path:
    """The seeds through the real CLI and plugins; then one rewritten (new bytes at its
    path) and one deleted, as a watch records them."""
    base = tmp_path_factory.mktemp("seeds")
    drop = base / "drop"
    shutil.copytree(SEEDS, drop)
    store = base / "store"
    assert "5 added" in run_factfold("ingest", str(drop), store=store).stderr
    return store


def test_export_and_sql_agree_on_the_seeds(seeds_store):
    exported = _assert_same_facts(seeds_store)
    assert {r["kind"] for r in exported} == {"person", "meeting", "agreement", "statistic"}


def test_export_and_sql_agree_after_a_superseding_and_a_removal(seeds_store):
    drop = seeds_store.parent / "drop"
    first, second = sorted(drop.iterdir())[:2]
    before = _exported(seeds_store)
    supersede_and_remove(seeds_store, first, second)
    after = _assert_same_facts(seeds_store)
    assert not any(r["source"] == str(second) for r in after)
    assert len([r for r in after if r["source"] == str(first)]) < len(
        [r for r in before if r["source"] == str(first)])


def test_export_and_sql_agree_on_a_store_with_superseded_and_removed_documents(ledger_store):
    exported = _assert_same_facts(ledger_store)
    assert {r["source"] for r in exported} == {"east.txt", "west.txt", "old.txt"}


# -- read-only, one-line errors, output formats -----------------------------------------------


@pytest.mark.parametrize("statement", [
    "DELETE FROM fact_person",
    "INSERT INTO fact_runs VALUES ('x', 'y', 1, 2)",
    "DROP VIEW people",
    "CREATE TEMP TABLE scratch (x)",
    "ATTACH DATABASE 'elsewhere.sqlite' AS elsewhere",
    "PRAGMA query_only = 0",
    "UPDATE fact_statistic SET value = 0",
])
def test_sql_refuses_to_write(ledger_store, statement, tmp_path):
    views = ledger_store / "views.sqlite"
    before = views.read_bytes()
    proc = run_factfold("sql", statement, store=ledger_store, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: sql: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stdout == ""
    assert views.read_bytes() == before
    assert not (ROOT / "elsewhere.sqlite").exists()
    assert len(sql_json(ledger_store, "SELECT * FROM people")) == 5


@pytest.mark.parametrize(("statement", "said"), [
    ("SELEC name FROM people", 'near "SELEC": syntax error'),
    ("SELECT nope FROM people", "no such column: nope"),
    ("SELECT * FROM nowhere", "no such table: nowhere"),
    ("SELECT 1; SELECT 2", "one statement at a time"),
])
def test_sql_errors_are_one_line_with_sqlites_message(ledger_store, statement, said):
    proc = run_factfold("sql", statement, store=ledger_store, check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and said in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_sql_prints_a_table_json_lines_or_csv(ledger_store):
    statement = "SELECT name, title FROM people WHERE name = '王甲'"
    table = run_factfold("sql", statement, store=ledger_store).stdout
    assert "name" in table and "王甲" in table and "会长" in table
    assert sql_json(ledger_store, statement) == [{"name": "王甲", "title": "会长"}]
    rows = list(csv.reader(io.StringIO(run_factfold("sql", "--csv", statement,
                                                    store=ledger_store).stdout)))
    assert rows == [["name", "title"], ["王甲", "会长"]]
    both = run_factfold("sql", "--json", "--csv", statement, store=ledger_store, check=False)
    assert both.returncode == 2 and both.stderr.count("\n") == 1


def test_sql_reads_a_store_a_watch_is_writing(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    store = tmp_path / "S"
    watch = subprocess.Popen(
        [sys.executable, "-m", "factfold", "--store", str(store), "watch", str(inbox),
         "--no-status", "--no-print-facts", "--settle", "0.2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        (inbox / "a.txt").write_text("中国社会工作联合会会长出席了会议,共有120人参加。",
                                     encoding="utf-8")
        deadline = time.monotonic() + 120
        rows: list[dict[str, Any]] = []
        while time.monotonic() < deadline and watch.poll() is None:
            proc = run_factfold("sql", "--json", "SELECT path, status FROM documents",
                                store=store, check=False)
            if proc.returncode == 0:
                rows = [json.loads(line) for line in proc.stdout.splitlines()]
                if rows and rows[0]["status"] != "pending":
                    break
            time.sleep(0.5)
        assert watch.poll() is None, "the watch stopped"
        assert rows == [{"path": str(inbox / "a.txt"), "status": "extracted"}]
    finally:
        watch.terminate()
        watch.wait(30)


# -- a plugin's own kind ----------------------------------------------------------------------


@event_type("test.sql.badge")
@frozen(kw_only=True)
class Badge(Fact):
    """A plugin's kind: a list field and a mapping field."""

    kind: ClassVar[str] = "badge"

    label: str
    level: int = 0
    holders: tuple[str, ...] = field(default=(), converter=tuple)
    extra: dict = field(factory=dict)


class Badges:
    @hookimpl
    def factfold_register_extractors(self, register):
        def badges(doc):
            yield Badge(span=(0, 1), evidence=doc.text[:1], label="gold", level=2,
                        holders=("A", "B"), extra={"k": 1})

        register(Extractor(name="badges", version="1", extract=badges, emits=(Badge,)))


def test_a_plugins_kind_gets_a_typed_table(tmp_path):
    host = PluginHost(load_entrypoints=False)
    host.register(Badges(), name="badges")
    (tmp_path / "d.txt").write_text("some text", encoding="utf-8")
    with Store(tmp_path / "s", plugins=host) as store:
        store.ingest_file(tmp_path / "d.txt", "d.txt")
        store.extract_pending()
    with Store(tmp_path / "s", plugins=host, writable=False) as store:
        columns, rows = sql_query(store.views.db, "SELECT * FROM badges")
        row = dict(zip(columns, next(rows), strict=True))
        assert row["label"] == "gold" and row["level"] == 2 and row["source"] == "d.txt"
        assert json.loads(row["extra"]) == {"k": 1}
        _, rows = sql_query(store.views.db, "SELECT holder FROM badge_holders ORDER BY ord")
        assert [r[0] for r in rows] == ["A", "B"]
        with pytest.raises(SQLError, match="readonly"):
            sql_query(store.views.db, "DELETE FROM fact_badge")
        _, rows = sql_query(store.views.db, "SELECT COUNT(*) FROM fact_badge")
        assert list(rows) == [(1,)]


def test_views_of_the_release_before_the_typed_tables_are_rebuilt(tmp_path):
    """Until documents view version 3, ``documents`` was a table; now it is the typed
    table (an SQL view).  Until facts view version 7, facts were msgpack bodies in
    ``facts``/``fact_bodies``.  Opening such views for writing rebuilds them, and the
    old tables go."""
    (tmp_path / "d.txt").write_text("P|王甲|会长|东城社会工作协会\n", encoding="utf-8")
    with Store(tmp_path / "s", plugins=_host()) as store:
        store.ingest_file(tmp_path / "d.txt", "d.txt")
        store.extract_pending()
    db = sqlite3.connect(tmp_path / "s" / "views.sqlite")
    db.executescript("DROP VIEW documents; CREATE TABLE documents (doc_id TEXT PRIMARY KEY);"
                     "UPDATE checkpoints SET version = 2 WHERE name = 'documents';"
                     "CREATE TABLE facts (position INTEGER PRIMARY KEY, kind, key, body);"
                     "CREATE TABLE fact_bodies (start INTEGER PRIMARY KEY, data BLOB);"
                     "DELETE FROM fact_person;"
                     "UPDATE checkpoints SET version = 7 WHERE name = 'facts';")
    db.close()
    with Store(tmp_path / "s", plugins=_host()) as store:
        assert store.paths() == {"d.txt": store.doc_at("d.txt")}
        assert [r["name"] for r in store.export()] == ["王甲"]
    rows = sql_json(tmp_path / "s", "SELECT path, status FROM documents")
    assert rows == [{"path": "d.txt", "status": "extracted"}]
    tables = sql_json(tmp_path / "s", "SELECT name FROM sqlite_master WHERE type = 'table'")
    assert not {"facts", "fact_bodies"} & {r["name"] for r in tables}
