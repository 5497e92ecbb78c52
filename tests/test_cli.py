"""The contract commands, run as a user runs them: the real CLI with the built-in plugins."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, SEEDS, run_factfold

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


def test_every_command_with_bad_input_says_so_in_one_line(tmp_path, ingested):
    """A user's mistake is one line on stderr and exit 2 (usage) or 1 (failure), never a
    traceback, never a silent empty answer."""
    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"documents": {', encoding="utf-8")
    wrong_shape = tmp_path / "wrong.json"
    wrong_shape.write_text('{"documents": [1, 2]}', encoding="utf-8")
    (tmp_path / "a file").write_text("not a store", encoding="utf-8")
    cases = {
        ("--fsync", "bogus", "query", "people"): "fsync",
        ("--fsync", "interval:abc", "query", "people"): "interval:SECONDS",
        ("--fsync", "interval:-5", "query", "people"): "0 or more",
        ("eval", "--gold", str(malformed)): "not valid UTF-8 JSON",
        ("eval", "--gold", str(wrong_shape)): "'documents' object",
        ("eval", "--gold", "/etc/passwd"): "JSON",
        ("eval", "--gold", str(tmp_path / "missing.json")): "does not exist",
        ("query", "people", "--limit", "-1"): "--limit",
        ("query", "people", "-f", "nosuchfield=1"): "posts",
        ("query", "people", "-f", "name"): "FIELD=VALUE",
        ("query", "documents", "-f", "unit=人"): "doc_id, path",
        ("query", "nonsense"): "people (person)",
        ("query", "people", "--rejected"): "documents",
        ("ingest", str(tmp_path / "missing")): "does not exist",
        ("ingest", "--workers", "0", "seeds/"): "--workers",
        ("watch", str(tmp_path / "mistyped")): "--create",
        ("watch", "--settle", "-1", str(tmp_path)): "--settle",
        ("log", "tail", "-n", "-3"): "-n",
        ("log", "tail", "--from", "x"): "--from",
        ("reextract", "--plugin", "nope"): "installed:",
        ("export", "--format", "csv"): "jsonl",
        ("no-such-command",): "No such command",
    }
    for args, hint in cases.items():
        proc = run_factfold(*args, store=ingested, check=False)
        said = proc.stderr.strip()
        assert proc.returncode == 2, (args, proc.returncode, said)
        assert "Traceback" not in said + proc.stdout, args
        assert said.startswith("error: ") and "\n" not in said and hint in said, (args, said)
    assert not (tmp_path / "mistyped").exists()
    for store in (tmp_path / "nothing here", tmp_path / "a file"):
        for args in (("query", "people"), ("replay",), ("reextract",), ("log", "verify")):
            proc = run_factfold(*args, store=store, check=False)
            assert proc.returncode == 2 and "ingest something first" in proc.stderr, args
    assert not (tmp_path / "nothing here").exists()  # a mistyped --store makes no store


def test_an_unexpected_error_is_one_line_and_its_traceback_is_at_debug_level(ingested):
    """A bug (here a fault injected into the views' query) is one line naming the error and
    how to see more; the traceback is logged at debug level."""
    inject = ("import sys, factfold.cli as cli, factfold.store as store; "
              "store.Store.view = lambda *a, **k: 1 / 0; sys.argv[0] = 'factfold'; cli.main()")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", inject, "--store", str(ingested), *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    proc = run("query", "people")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: unexpected ZeroDivisionError")
    assert "--log-level debug" in proc.stderr
    debug = run("--log-level", "debug", "query", "people")
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_filters_on_every_shown_field_and_singular_kinds(ingested):
    def rows(*args: str) -> list[dict]:
        out = run_factfold("query", *args, "--json", store=ingested).stdout
        return [json.loads(line) for line in out.splitlines()]

    heads = rows("people", "-f", "posts=*会长*")
    assert heads and all(any("会长" in post for post in p["posts"]) for p in heads)
    assert len(heads) < len(rows("people"))
    assert rows("person") == rows("people") and rows("statistic") == rows("statistics")
    assert rows("document") == rows("documents")
    some = rows("meetings")[0]["source"]
    assert {m["source"] for m in rows("meetings", "-f", f"source={some}")} == {some}
    assert [d["paths"] for d in rows("documents", "-f", "path=*001_*")] == [
        [p for d in rows("documents") for p in d["paths"] if "001_" in p]]


def test_query_help_names_every_filter_field_the_views_take(ingested):
    """The help's list of filter fields is the one the views check against."""
    from factfold.store import Store

    helptext = run_factfold("query", "--help").stdout
    with Store(ingested, writable=False) as store:
        for kind in ("people", "meetings", "agreements", "statistics", "documents"):
            (line,) = [ln for ln in helptext.splitlines() if re.match(rf"\s+{kind}\s\s", ln)]
            fields = store.view(kind).filter_fields()
            common = ("source", "doc_id", "extractor", "evidence")
            own = [f for f in fields if f not in common] if kind != "documents" else fields
            assert [f.strip() for f in line.split(None, 1)[1].split(",")] == list(own), kind
    assert "source, doc_id, extractor, evidence" in helptext


def test_log_tail_filters_before_it_takes_the_last_n(ingested):
    def positions(*args: str) -> list[int]:
        out = run_factfold("log", "tail", *args, store=ingested).stdout
        return [json.loads(line)["position"] for line in out.splitlines()]

    every = positions("-n", "100000", "--from", "0", "--type", "document.added")
    assert len(every) == 5
    assert positions("-n", "2", "--type", "document.added") == every[-2:]
    assert positions("-n", "2", "--from", "0", "--type", "document.*") == every[:2]
    head = positions("-n", "1")
    assert head and head[0] > every[-1]


@pytest.mark.parametrize("args", [("export",), ("log", "tail", "-n", "100000", "--from", "0")])
def test_a_reader_that_stops_early_is_not_an_error(ingested, args):
    """``factfold export | head``: the output is larger than a pipe holds, and the reader
    closes the pipe after one line."""
    proc = subprocess.Popen([sys.executable, "-m", "factfold", "--store", str(ingested), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"{")
    proc.stdout.close()
    said = proc.stderr.read().decode()
    assert proc.wait(60) == 1 and said == "", said


def test_export_and_query_take_a_minimum_confidence(ingested):
    every = export(ingested)
    assert every and all(0 <= r["confidence"] <= 1 for r in every)
    out = run_factfold("export", "--min-confidence", "0.95", store=ingested).stdout
    sure = [json.loads(line) for line in out.splitlines()]
    assert sure and len(sure) < len(every)
    assert all(r["confidence"] >= 0.95 for r in sure)
    assert [r for r in every if r["confidence"] >= 0.95] == sure
    rows = run_factfold("query", "statistics", "--json", "--min-confidence", "0.95",
                        store=ingested).stdout.splitlines()
    assert len(rows) == sum(r["kind"] == "statistic" for r in sure)
    bad = run_factfold("query", "documents", "--min-confidence", "0.5", store=ingested,
                       check=False)
    assert bad.returncode == 2 and "no confidence" in bad.stderr
    bad = run_factfold("export", "--min-confidence", "2", store=ingested, check=False)
    assert bad.returncode == 2 and "--min-confidence" in bad.stderr
