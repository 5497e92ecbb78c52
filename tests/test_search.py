"""Full-text search is a view the user turns on (`factfold search on`): built from the log
then, kept current by live folds and replays, dropped by `search off`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_factfold
from test_sql import DOCS, NEW_OLD, _host

from factfold.store import Store

FACTS_MATCH = """
    SELECT p.name FROM search s JOIN people p ON p.fact_id = s.rowid
    WHERE search MATCH '社会工作' ORDER BY p.name"""
DOCUMENTS_MATCH = """
    SELECT d.path FROM document_search s JOIN documents d ON d.position = s.rowid
    WHERE document_search MATCH '"Service Agreement"'"""


def _sql(store: Path, statement: str, check: bool = True) -> list[dict]:
    proc = run_factfold("sql", "--json", statement, store=store, check=check)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _names(store: Path) -> list[str]:
    return [r["name"] for r in _sql(store, FACTS_MATCH)]


@pytest.fixture
def store(tmp_path) -> Path:
    drop = tmp_path / "drop"
    drop.mkdir()
    for name, text in DOCS.items():
        (drop / name).write_text(text, encoding="utf-8")
    with Store(tmp_path / "store", plugins=_host()) as s:
        for name in DOCS:
            s.ingest_file(drop / name, name)
        s.extract_pending()
    return tmp_path / "store"


def test_search_is_off_until_turned_on(store):
    assert run_factfold("search", store=store).stdout.split("\n")[:2] == [
        "evidence: off", "documents: off"]
    proc = run_factfold("sql", FACTS_MATCH, store=store, check=False)
    assert (proc.returncode, proc.stderr) == (2, "error: sql: no such table: search\n")

    assert "full-text search: evidence" in run_factfold("search", "on", store=store).stderr
    assert _names(store) == sorted(["王甲", "李乙", "钱丁", "孙戊", "周己"])
    proc = run_factfold("sql", DOCUMENTS_MATCH, store=store, check=False)
    assert proc.returncode == 2 and "no such table: document_search" in proc.stderr
    run_factfold("search", "on", "documents", store=store)
    assert [r["path"] for r in _sql(store, DOCUMENTS_MATCH)] == ["west.txt"]
    assert run_factfold("search", store=store).stdout.split("\n")[:2] == [
        "evidence: on", "documents: on"]


def test_live_folds_and_replays_keep_search_current(store, tmp_path):
    run_factfold("search", "on", "all", store=store)
    drop = tmp_path / "drop"
    with Store(store, plugins=_host()) as s:  # as a watch records a rewrite and a deletion
        (drop / "old.txt").write_text(NEW_OLD, encoding="utf-8")
        assert s.ingest_file(drop / "old.txt", "old.txt") == "superseded"
        assert s.remove("gone.txt")
        (drop / "new.txt").write_text("P|郑辛|干事|北湖社会工作站\n", encoding="utf-8")
        assert s.ingest_file(drop / "new.txt", "new.txt") == "added"
        s.extract_pending()
    live = _names(store)
    assert sorted(live) == sorted(["李乙", "王甲", "钱丁", "郑辛"])  # current facts only
    run_factfold("replay", store=store)
    assert _names(store) == live
    assert [r["path"] for r in _sql(store, DOCUMENTS_MATCH)] == ["west.txt"]

    run_factfold("search", "off", "documents", store=store)
    assert _names(store) == live
    assert "no such table" in run_factfold("sql", DOCUMENTS_MATCH, store=store,
                                           check=False).stderr
    run_factfold("search", "off", store=store)
    assert "no such table: search" in run_factfold("sql", FACTS_MATCH, store=store,
                                                   check=False).stderr
    run_factfold("replay", store=store)  # the setting outlives a replay, off as on
    assert "no such table: search" in run_factfold("sql", FACTS_MATCH, store=store,
                                                   check=False).stderr


def test_search_on_a_store_that_is_not_there_is_one_line(tmp_path):
    proc = run_factfold("search", "on", store=tmp_path / "nowhere", check=False)
    assert proc.returncode != 0 and proc.stderr.count("\n") == 1, proc.stderr
    assert not (tmp_path / "nowhere").exists()


def test_only_the_searches_there_are_can_be_turned_on(store):
    with Store(store, plugins=_host()) as opened, pytest.raises(
            ValueError, match="no full-text search pictures; there are evidence, documents"):
        opened.set_search({"evidence", "pictures"})
    assert run_factfold("search", store=store).stdout.startswith("evidence: off")
