"""The contract commands, run as a user runs them: the real CLI with the built-in plugins."""

from __future__ import annotations

import json
import random
import shutil

import pytest
from helpers import SEEDS, run_factfold

CONTRACT = {
    "person": {"name", "title", "organization"},
    "meeting": {"name", "date", "location", "organizers"},
    "agreement": {"title", "parties", "date", "term"},
    "statistic": {"value", "unit", "text", "approx"},
}
COMMON = {"kind", "source", "doc_id", "extractor", "span", "evidence"}


def export(store) -> list[dict]:
    out = run_factfold("export", store=store).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """A store with the seeds ingested once by the real CLI (module-scoped: models load slowly)."""
    store = tmp_path_factory.mktemp("cli") / "store"
    proc = run_factfold("ingest", "seeds/", store=store)
    assert "5 added" in proc.stderr
    return store


def test_export_has_every_kind_with_every_contract_field(ingested):
    records = export(ingested)
    kinds = {r["kind"] for r in records}
    assert kinds == set(CONTRACT)  # the built-ins only: no third-party plugin is installed here
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.iterdir()}
    for r in records:
        assert COMMON | CONTRACT[r["kind"]] <= set(r), r
        assert r["source"].startswith("seeds/") and len(r["doc_id"]) == 64
        assert "@" in r["extractor"]
        start, end = r["span"]
        assert 0 <= start <= end <= len(texts[r["source"].split("/")[-1]])


def test_ingesting_again_changes_nothing_and_replay_keeps_the_export(ingested):
    before = export(ingested)
    head = run_factfold("log", "verify", store=ingested).stdout
    proc = run_factfold("ingest", "seeds/", store=ingested)
    assert "5 unchanged" in proc.stderr
    assert run_factfold("log", "verify", store=ingested).stdout == head
    run_factfold("replay", store=ingested)
    assert export(ingested) == before


def test_query_tables_and_json(ingested):
    table = run_factfold("query", "people", store=ingested).stdout
    assert "name" in table and "posts" in table
    people = [json.loads(line) for line in
              run_factfold("query", "people", "--json", store=ingested).stdout.splitlines()]
    assert people and all({"name", "posts", "documents"} <= set(p) for p in people)
    assert any(p["posts"] for p in people)
    for kind in ("meetings", "agreements", "statistics", "documents"):
        rows = run_factfold("query", kind, "--json", store=ingested).stdout.splitlines()
        assert rows, kind
    units = {json.loads(r)["unit"] for r in run_factfold(
        "query", "statistics", "--json", store=ingested).stdout.splitlines()}
    some_unit = sorted(units)[0]
    filtered = run_factfold("query", "statistics", "--json", "-f", f"unit={some_unit}",
                            store=ingested).stdout.splitlines()
    assert filtered and all(json.loads(r)["unit"] == some_unit for r in filtered)
    bad = run_factfold("query", "nonsense", store=ingested, check=False)
    assert bad.returncode != 0 and "try one of" in bad.stderr


def test_a_torn_log_tail_is_repaired_by_the_next_writer(tmp_path, ingested):
    store = tmp_path / "store"
    shutil.copytree(ingested, store)
    before = export(store)
    segment = sorted((store / "log").glob("*.seg"))[-1]
    data = segment.read_bytes()
    cut = random.Random(7).randrange(len(data) // 2, len(data) - 1)
    segment.write_bytes(data[:cut])

    verify = run_factfold("log", "verify", store=store)  # a reader: names it, cuts nothing
    assert "torn tail" in verify.stderr and "log ok" in verify.stdout
    assert segment.read_bytes() == data[:cut]
    # the views were ahead of the cut log: replay, then ingest re-extracts what was cut
    run_factfold("replay", store=store)
    verify = run_factfold("log", "verify", store=store)
    assert "repaired" in verify.stderr and "earlier events were kept" in verify.stderr
    run_factfold("ingest", "seeds/", store=store)
    assert sorted(map(json.dumps, export(store))) == sorted(map(json.dumps, before))


def test_plugins_lists_the_builtins_with_versions():
    listing = json.loads(run_factfold("plugins", "--json").stdout)
    by_name = {p["name"]: p for p in listing}
    for name in ("people", "meetings", "agreements", "statistics"):
        assert by_name[name]["status"] == "loaded"
        assert by_name[name]["extractors"][0].startswith(f"{name}@")


def test_commands_on_a_missing_store_say_what_to_do(tmp_path):
    proc = run_factfold("query", "people", store=tmp_path / "none", check=False)
    assert proc.returncode == 2 and "ingest something first" in proc.stderr


def test_eval_scores_each_language_apart(ingested):
    report = json.loads(run_factfold("eval", "--gold", "tests/gold/seeds.json", "--json",
                                     store=ingested).stdout)
    languages = report["languages"]
    assert set(languages) == {"en", "zh"}
    # the seeds hold one English document; its people are scored only in the English report
    assert len(languages["en"]["documents"]) == 1
    assert len(languages["zh"]["documents"]) == 4
    people = [languages[lang]["kinds"]["people"] for lang in ("en", "zh")]
    assert sum(p["tp"] for p in people) == report["kinds"]["people"]["tp"]
    text = run_factfold("eval", "--gold", "tests/gold/seeds.json", store=ingested).stdout
    assert "== en (1 document)" in text and "== zh (4 documents)" in text
