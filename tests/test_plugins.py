"""Third-party plugins as users install them: real entry points, the real CLI.

Each test writes plugin modules plus a ``*.dist-info`` (metadata and ``entry_points.txt``)
into a folder put on ``PYTHONPATH``: to ``importlib.metadata`` that is an installed package
like any other, found through the ``factfold`` entry-point group, without touching the venv.
"""

from __future__ import annotations

import inspect
import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from helpers import ROOT, SEEDS, install, run_factfold, site_env

from factfold import Extractor, Person, hookimpl, hookspecs
from factfold.testing import FactRecorder, ingest_texts, temporary_store


def export(store: Path, env: dict[str, str]) -> list[dict]:
    return [json.loads(line) for line in
            run_factfold("export", store=store, env=env).stdout.splitlines()]


def until(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# -- the hookspecs are the documented public API ---------------------------------------------

HOOKSPECS = [f for name, f in inspect.getmembers(hookspecs, inspect.isfunction)
             if name.startswith("factfold_")]


def test_every_hookspec_is_typed_documented_with_an_example_and_in_the_guide():
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert len(HOOKSPECS) >= 7
    for spec in HOOKSPECS:
        doc = inspect.getdoc(spec) or ""
        assert "@hookimpl" in doc and f"def {spec.__name__}" in doc, (
            f"{spec.__name__}: the docstring needs an example implementation")
        params = inspect.signature(spec).parameters
        assert params and all(p.annotation is not inspect.Parameter.empty
                              for p in params.values()), f"{spec.__name__} is not typed"
        assert f"### `{spec.__name__}`" in guide, (
            f"{spec.__name__} has no section in docs/plugins.md")


def test_implementations_may_take_fewer_arguments_than_the_hook_passes(tmp_path):
    """So a new hook argument later does not break existing plugins."""
    seen: list[tuple] = []

    class Terse:
        @hookimpl
        def factfold_register_extractors(self, register):
            register(Extractor(name="terse", version="1", emits=(Person,), extract=lambda d: [
                Person(span=(0, 2), evidence=d.text[:2], name=d.text[:2])]))

        @hookimpl
        def factfold_facts_appended(self, facts):  # no document, no extractor
            seen.append(("facts", len(facts)))

        @hookimpl
        def factfold_document_received(self):  # no arguments at all
            seen.append(("document",))

    recorder = FactRecorder()
    with temporary_store(Terse(), recorder, path=tmp_path / "store") as store:
        assert ingest_texts(store, {"a.txt": "王五到会"}) == 1
    assert seen == [("document",), ("facts", 1)]
    assert [f.name for f in recorder.facts] == ["王五"]


# -- loading controls ---------------------------------------------------------------------------

QUIET = """
from factfold import hookimpl

@hookimpl
def factfold_register_commands(cli):
    @cli.command("quiet-hello")
    def hello():
        print("hello from a plugin command")
"""

BROKEN = """
raise ImportError("libmagic is missing: pip install python-magic")
"""


def plugin_names(env: dict[str, str], *args: str) -> dict[str, dict]:
    listing = json.loads(run_factfold(*args, "plugins", "--json", env=env).stdout)
    return {p["name"]: p for p in listing}


def test_loading_controls_choose_and_trace_plugins(tmp_path):
    site = install(tmp_path / "site", "quiet", QUIET)
    everything = plugin_names(site_env(site))
    assert {"quiet", "people", "meetings", "agreements", "statistics"} <= set(everything)
    assert everything["quiet"]["package"] == "quiet"
    assert run_factfold("quiet-hello", env=site_env(site)).stdout.strip() == (
        "hello from a plugin command")

    only = plugin_names(site_env(site, FACTFOLD_PLUGINS="quiet,meetings"))
    assert set(only) == {"quiet", "meetings"}
    rest = plugin_names(site_env(site, FACTFOLD_DISABLE_PLUGINS="quiet, people"))
    assert set(rest) == set(everything) - {"quiet", "people"}

    traced = run_factfold("--log-format", "json", "plugins", "--json",
                          env=site_env(site, FACTFOLD_TRACE_HOOKS="1"))
    json.loads(traced.stdout)  # traces go to stderr, never into the data on stdout
    calls = [json.loads(line) for line in traced.stderr.splitlines() if line.startswith("{")]
    hooks = {(c["hook"], tuple(c.get("plugins") or ())) for c in calls
             if c["event"] == "hook call"}
    assert ("factfold_register_extractors", ("people",)) in hooks
    # commands are added before the options are parsed, so that trace is in console form
    assert "hook=factfold_register_commands" in traced.stderr


def test_a_plugin_that_fails_to_import_is_skipped_with_a_warning_or_stops_strict_mode(tmp_path):
    site = install(tmp_path / "site", "broken", BROKEN)
    proc = run_factfold("plugins", "--json", env=site_env(site))
    listing = {p["name"]: p for p in json.loads(proc.stdout)}
    assert listing["broken"]["status"].startswith("failed: ImportError: libmagic is missing")
    assert listing["people"]["status"] == "loaded"
    assert "plugin skipped" in proc.stderr and "FACTFOLD_DISABLE_PLUGINS=broken" in proc.stderr

    strict = run_factfold("plugins", env=site_env(site, FACTFOLD_STRICT_PLUGINS="1"),
                          check=False)
    assert strict.returncode == 2
    assert "plugin 'broken'" in strict.stderr and "libmagic is missing" in strict.stderr
    assert "Traceback" not in strict.stderr


# -- isolation: raising, hanging and garbage-returning plugins ---------------------------------

BAD = """
import time
from attrs import frozen
from factfold import Extractor, Fact, Person, Statistic, hookimpl


def raises(doc):
    raise RuntimeError("this plugin always fails")


def hangs(doc):
    time.sleep(3600)


def dicts(doc):
    return [{"name": "not a fact"}]


def number(doc):
    return 42


def undeclared(doc):
    return [Statistic(span=(0, 1), evidence="x", value=1, unit="x", text="1")]


def outside(doc):
    return [Person(span=(0, len(doc.text) + 10), evidence="x", name="Nobody")]


def unstorable(doc):
    return [Person(span=(0, 1), evidence="x", name=object())]


@hookimpl
def factfold_register_extractors(register):
    for name, fn, timeout in [("bad-raises", raises, 30.0), ("bad-hangs", hangs, 0.5),
                              ("bad-dicts", dicts, 30.0), ("bad-number", number, 30.0),
                              ("bad-undeclared", undeclared, 30.0),
                              ("bad-outside", outside, 30.0),
                              ("bad-unstorable", unstorable, 30.0)]:
        register(Extractor(name=name, version="1", extract=fn, emits=(Person,),
                           timeout=timeout))
"""

REASONS = {
    "bad-raises": "RuntimeError: this plugin always fails",
    "bad-hangs": "Timeout: timeout after 0.5 s",
    "bad-dicts": "Garbage: returned dict, which it does not declare in emits (Person)",
    "bad-number": "Garbage: returned int, not an iterable of facts",
    "bad-undeclared": "Garbage: returned Statistic, which it does not declare in emits (Person)",
    "bad-outside": "Garbage: span (0, ",
    "bad-unstorable": "Garbage: facts cannot be stored: ",
}


def test_misbehaving_plugins_leave_the_builtins_facts_whole_and_each_failure_listed(tmp_path):
    site = install(tmp_path / "site", "bad", BAD)
    run_factfold("ingest", "seeds/", store=tmp_path / "clean")
    started = time.monotonic()
    run_factfold("ingest", "seeds/", store=tmp_path / "mixed", env=site_env(site))
    took = time.monotonic() - started
    n_docs = len(list(SEEDS.iterdir()))
    # the hung extractor costs its limit per document, not its hour
    assert took < 60, f"ingest took {took:.1f}s"

    assert export(tmp_path / "mixed", site_env(site)) == export(tmp_path / "clean", {})
    failed = json.loads("[" + ",".join(run_factfold(
        "query", "documents", "--failed", "--json", store=tmp_path / "mixed",
        env=site_env(site)).stdout.splitlines()) + "]")
    by_extractor: dict[str, list[str]] = {}
    for row in failed:
        by_extractor.setdefault(row["extractor"], []).append(row["reason"])
        assert row["path"].startswith("seeds/")
    assert set(by_extractor) == {f"{name}@1" for name in REASONS}
    for name, reason in REASONS.items():
        reasons = by_extractor[f"{name}@1"]
        assert len(reasons) == n_docs and all(r.startswith(reason) for r in reasons), reasons

    # the table form shows the reasons too, for people reading a terminal
    table = run_factfold("query", "documents", "--failed", store=tmp_path / "mixed",
                         env=site_env(site)).stdout
    assert "this plugin always fails" in table


def test_garbage_from_worker_processes_is_recorded_too(tmp_path):
    """With a process pool the checks run in the workers, which have no store codec."""
    site = install(tmp_path / "site", "bad", BAD)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(10):
        (docs / f"d{i}.txt").write_text(f"第{i}份报告:共有{i + 3}人参加。", encoding="utf-8")
    env = site_env(site, FACTFOLD_PLUGINS="bad,statistics")
    run_factfold("ingest", "--workers", "2", str(docs), store=tmp_path / "s", env=env)
    stats = [r for r in export(tmp_path / "s", env) if r["kind"] == "statistic"]
    assert sorted(r["value"] for r in stats) == list(range(3, 13))
    failed = run_factfold("query", "documents", "--failed", "--json", store=tmp_path / "s",
                          env=env).stdout.splitlines()
    reasons = Counter(json.loads(line)["extractor"] for line in failed)
    assert reasons == {f"{name}@1": 10 for name in REASONS}


def test_a_plugin_whose_registration_raises_is_skipped_and_the_rest_run(tmp_path):
    site = install(tmp_path / "site", "fragile", """
        from factfold import hookimpl

        @hookimpl
        def factfold_register_extractors(register):
            raise KeyError("config")
    """)
    env = site_env(site, FACTFOLD_PLUGINS="fragile,meetings")
    listing = plugin_names(env)
    assert listing["fragile"]["status"].startswith(
        "loaded; factfold_register_extractors raised KeyError")
    proc = run_factfold("ingest", "seeds/", store=tmp_path / "s", env=env)
    assert "meeting" in proc.stderr
    strict = run_factfold("ingest", "seeds/", store=tmp_path / "t", check=False,
                          env={**env, "FACTFOLD_STRICT_PLUGINS": "1"})
    assert strict.returncode == 2 and "plugin 'fragile'" in strict.stderr


# -- re-extraction --------------------------------------------------------------------------

FLIP = """
import os
import time
from typing import ClassVar

from attrs import frozen
from factfold import Extractor, Fact, event_type, hookimpl

VERSION = os.environ.get("FLIP_VERSION", "1")


@event_type("flip.mark")
@frozen(kw_only=True)
class Mark(Fact):
    kind: ClassVar[str] = "mark"
    key_field: ClassVar[str] = "word"
    word: str


def extract(doc):
    time.sleep(float(os.environ.get("FLIP_DELAY", "0")))
    return [Mark(span=(0, 1), evidence=doc.text[:1], word="v" + VERSION)]


@hookimpl
def factfold_register_extractors(register):
    register(Extractor(name="flip", version=VERSION, extract=extract, emits=(Mark,)))
"""


def marks(store: Path, env: dict[str, str]) -> Counter:
    rows = run_factfold("query", "mark", "--json", store=store, env=env).stdout.splitlines()
    return Counter(json.loads(r)["word"] for r in rows)


def logged(store: Path, env: dict[str, str], type_: str) -> list[dict]:
    out = run_factfold("log", "tail", "-n", "100000", "--from", "0", "--type", type_,
                       store=store, env=env).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_a_new_plugin_version_is_reextracted_and_the_log_keeps_the_old_facts(tmp_path):
    site = install(tmp_path / "site", "flip", FLIP)
    store = tmp_path / "s"
    v1 = site_env(site, FACTFOLD_PLUGINS="flip")
    v2 = {**v1, "FLIP_VERSION": "2"}
    run_factfold("ingest", "seeds/", store=store, env=v1)
    assert marks(store, v1) == {"v1": 5}

    # a new version installed: nothing changes until asked
    assert marks(store, v2) == {"v1": 5}
    proc = run_factfold("reextract", "--plugin", "flip", store=store, env=v2)
    assert "re-extracted 5 documents" in proc.stderr
    assert marks(store, v2) == {"v2": 5}
    assert Counter(e["payload"]["word"] for e in logged(store, v2, "flip.mark")) == {
        "v1": 5, "v2": 5}
    again = run_factfold("reextract", store=store, env=v2)
    assert "re-extracted 0 documents" in again.stderr

    bad = run_factfold("reextract", "--plugin", "nope", store=store, env=v2, check=False)
    assert bad.returncode == 2 and "installed: flip" in bad.stderr


def test_reextract_shows_progress_and_resumes_after_being_killed(tmp_path):
    site = install(tmp_path / "site", "flip", FLIP)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(20):
        (docs / f"d{i:02}.txt").write_text(f"document {i}\n", encoding="utf-8")
    store = tmp_path / "s"
    v1 = site_env(site, FACTFOLD_PLUGINS="flip")
    run_factfold("ingest", str(docs), store=store, env=v1)
    v2 = {**v1, "FLIP_VERSION": "2"}

    def completed_v2() -> list[str]:
        return [e["payload"]["doc_id"] for e in logged(store, v2, "extraction.completed")
                if e["payload"]["version"] == "2"]

    # On a terminal (a pty) reextract draws a progress bar; kill the whole process group
    # (the command and its extraction workers) once a few documents are done.
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "factfold", "--store", str(store), "reextract"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, cwd=ROOT,
        env={**os.environ, **v2, "FLIP_DELAY": "0.4", "COLUMNS": "120"},
        start_new_session=True)
    os.close(slave)
    screen = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            screen.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        # the bar's own count says when: cheaper and closer than polling the log
        until(lambda: re.search(r"\b([3-9]|1[0-9])/20\b", screen.decode("utf-8", "replace")),
              what="the progress bar to pass three documents")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=5)
        os.close(master)
    assert "re-extracting" in screen.decode("utf-8", "replace")
    interrupted = completed_v2()
    assert 3 <= len(interrupted) < 20, "the run was not interrupted part-way"

    run_factfold("reextract", store=store, env=v2)
    done = Counter(completed_v2())
    assert len(done) == 20 and set(done.values()) == {1}, "each document once at version 2"
    assert marks(store, v2) == {"v2": 20}
    assert Counter(e["payload"]["word"] for e in logged(store, v2, "flip.mark"))["v1"] == 20
    assert "ok" in run_factfold("log", "verify", store=store, env=v2).stdout


def test_a_plugin_kind_without_a_view_is_a_table_of_its_fields(tmp_path):
    site = install(tmp_path / "site", "flip", FLIP)
    env = site_env(site, FACTFOLD_PLUGINS="flip")
    run_factfold("ingest", "seeds/", store=tmp_path / "s", env=env)
    table = run_factfold("query", "mark", store=tmp_path / "s", env=env).stdout
    header = table.splitlines()[1]
    assert "word" in header and "source" in header
    assert not {"span", "doc_id", "extractor", "evidence"} & set(header.replace("┃", " ").split())
    assert table.count("v1") == 5
    wrong = run_factfold("query", "mark", "-f", "wrod=v1", store=tmp_path / "s", env=env,
                         check=False)
    assert wrong.returncode == 2 and "filter on one of: word, source" in wrong.stderr
    assert "mark" in run_factfold("query", "nonsense", store=tmp_path / "s", env=env,
                                  check=False).stderr
