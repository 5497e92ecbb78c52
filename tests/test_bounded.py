"""Bounded extraction: hostile text costs bounded time and memory, and a plugin that hangs,
spins or crashes is stopped in its worker process, recorded as failed, and not retried
at every start.  Real plugins, a real store, real processes and signals."""

from __future__ import annotations

import ctypes
import faulthandler
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ToyPlugin
from helpers import ROOT, SEEDS, install, run_factfold, site_env

from factfold import Document, Extractor, Person, hookimpl
from factfold.events import ExtractionCompleted, ExtractionFailed
from factfold.extraction import setup_extractors
from factfold.lock import StoreLocked, WriterLock
from factfold.pluginmanager import PluginHost
from factfold.store import Store

# Long runs without sentence punctuation: a CJK run, a line of numerals, a repeated heading.
HOSTILE_LINES = {
    "cjk-run": "会议" * 30_000,
    "numerals": "一二三四五六七八九十" * 6_000,
    "headings": "会议：" * 20_000,
}


def test_long_unpunctuated_lines_cost_linear_time_in_every_builtin_extractor():
    """A regex that scanned the rest of a CJK run from every position in it took minutes on
    a megabyte; each line here (60k characters) took 20-50 s in the people extractor."""
    extractors = setup_extractors(PluginHost().extractors())
    for shape, text in HOSTILE_LINES.items():
        for ex in extractors:
            started = time.monotonic()
            list(ex.extract(Document("x" * 64, "hostile.txt", text)))
            took = time.monotonic() - started
            assert took < 5, f"{ex.name} took {took:.1f}s on {shape}"


MEMORY_PROBE = textwrap.dedent("""
    import resource, sys
    from factfold import Document
    from factfold.plugins import nlp, people

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    people.setup()
    nlp.tag(["一二三四五六七八九十" * 100])  # warm up the tagger at a normal size
    before = peak_mb()
    line = "一二三四五六七八九十" * int(sys.argv[1])
    tokens = nlp.tag([line])[0]
    assert "".join(t.word for t in tokens) == line
    assert all(line[t.start:t.end] == t.word for t in tokens)
    list(people.extract(Document("x" * 64, "numerals.txt", line)))
    print(peak_mb() - before)
""")


def test_tagging_a_long_line_without_punctuation_takes_bounded_memory():
    """The tagger took a few KB per character of one sentence: a 2 MB line of numerals
    took 6.2 GB.  A 600 KB line (200k characters) must now add under 250 MB."""
    proc = subprocess.run([sys.executable, "-c", MEMORY_PROBE, "20000"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    grew = float(proc.stdout.strip())
    assert grew < 250, f"peak memory grew {grew:.0f} MB"


# -- extractors that hang in C code, exit or segfault ----------------------------------------

def spin(doc):
    """Backtracking that holds the GIL for a minute or more (no thread can even time out)."""
    re.match(r"(a+)+$", "a" * 30 + "b")
    return []


def exit_process(doc):
    os._exit(3)


def segfault(doc):
    faulthandler.disable()  # pytest's traceback dump would only clutter the output
    ctypes.string_at(0)


class Misbehaving:
    def __init__(self, **extract) -> None:
        self.extract = extract

    @hookimpl
    def factfold_register_extractors(self, register):
        for name, fn in self.extract.items():
            register(Extractor(name=name, version="1", extract=fn, emits=(Person,), timeout=1.0))


def host_with(**extract) -> PluginHost:
    """The toy plugin, plus extractors ``name=function`` with a one-second limit."""
    host = PluginHost(load_entrypoints=False)
    host.register(ToyPlugin(), name="toy")
    if extract:
        host.register(Misbehaving(**extract), name="misbehaving")
    return host


def ingest(store: Store, files: list[Path]) -> None:
    for f in files:
        store.ingest_file(f)


def toy_facts(path: Path) -> list[dict]:
    with Store(path, writable=False, plugins=host_with()) as store:
        return sorted((r for r in store.export() if r["extractor"].startswith("toy")),
                      key=lambda r: json.dumps(r, sort_keys=True))


def failures(path: Path, plugins: PluginHost) -> list[tuple[str, str, str]]:
    with Store(path, writable=False, plugins=plugins) as store:
        return [(e.payload.extractor, e.payload.error, e.payload.reason)
                for e in store.log.read() if isinstance(e.payload, ExtractionFailed)]


def cpu_seconds() -> float:
    """CPU time of this process and its live children (from /proc: not only reaped ones)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = sum(os.times()[:2])
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def test_an_extractor_stuck_in_c_code_is_stopped_at_its_limit_and_not_retried(tmp_path):
    """Its thread could not even time out: the GIL was held until the regex ended."""
    files = sorted(SEEDS.iterdir())[:2]
    with Store(tmp_path / "clean", plugins=host_with()) as store:
        ingest(store, files)
        store.extract_pending()

    plugins = host_with(spins=spin)
    started = time.monotonic()
    with Store(tmp_path / "s", plugins=plugins) as store:
        ingest(store, files)
        assert store.extract_pending() == 2
        took = time.monotonic() - started
        # nothing left burning a core: no thread here, no worker past its limit
        before = cpu_seconds()
        time.sleep(1.0)
        assert cpu_seconds() - before < 0.3
    assert took < 15, f"extraction took {took:.1f}s for two one-second limits"
    assert failures(tmp_path / "s", plugins) == [("spins", "Timeout", "timeout after 1 s")] * 2
    assert toy_facts(tmp_path / "s") == toy_facts(tmp_path / "clean")

    # A restart (an ingest, a watch start) does not run it again: the failure is an outcome.
    started = time.monotonic()
    with Store(tmp_path / "s", plugins=plugins) as store:
        assert store.pending() == {}
        assert store.extract_pending() == 0
    assert time.monotonic() - started < 5
    assert len(failures(tmp_path / "s", plugins)) == 2


def test_an_extractor_that_kills_its_worker_fails_alone(tmp_path):
    files = sorted(SEEDS.iterdir())
    with Store(tmp_path / "clean", plugins=host_with()) as store:
        ingest(store, files)
        store.extract_pending()

    plugins = host_with(exits=exit_process, segfaults=segfault)
    with Store(tmp_path / "s", plugins=plugins, workers=2) as store:
        ingest(store, files)
        assert store.extract_pending() == len(files)
    assert sorted(failures(tmp_path / "s", plugins)) == sorted(
        [("exits", "Crashed", "its worker process died (exit status 3)")] * len(files)
        + [("segfaults", "Crashed", "its worker process died (killed by signal SIGSEGV)")]
        * len(files))
    assert toy_facts(tmp_path / "s") == toy_facts(tmp_path / "clean")


# -- the real command line -------------------------------------------------------------------

POISON = """
import os
import re

from factfold import Extractor, Person, hookimpl


def extract(doc):
    if os.environ.get("POISON") == "1":
        re.match(r"(a+)+$", "a" * 30 + "b")  # holds the GIL for a minute
    return [Person(span=(0, 1), evidence=doc.text[:1], name="Cured")]


@hookimpl
def factfold_register_extractors(register):
    register(Extractor(name="poison", version="1", extract=extract, emits=(Person,),
                       timeout=1.0))
"""


def test_a_poisoned_document_is_recorded_failed_once_and_retried_only_when_asked(tmp_path):
    site = install(tmp_path / "site", "poison", POISON)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(2):
        (docs / f"d{i}.txt").write_text(f"第{i}份报告。", encoding="utf-8")
    store = tmp_path / "s"
    poisoned = site_env(site, FACTFOLD_PLUGINS="poison", POISON="1")
    run_factfold("ingest", str(docs), store=store, env=poisoned)

    def failed() -> list[dict]:
        out = run_factfold("query", "documents", "--failed", "--json", store=store,
                           env=poisoned).stdout
        return [json.loads(line) for line in out.splitlines()]

    assert [r["reason"] for r in failed()] == ["Timeout: timeout after 1 s"] * 2
    started = time.monotonic()
    again = run_factfold("ingest", str(docs), store=store, env=poisoned)
    assert time.monotonic() - started < 20 and "2 unchanged" in again.stderr
    assert "re-extracted 0 documents" in run_factfold("reextract", store=store,
                                                      env=poisoned).stderr
    cured = {**poisoned, "POISON": "0"}
    proc = run_factfold("reextract", "--failed", store=store, env=cured)
    assert "re-extracted 2 documents" in proc.stderr
    assert failed() == []
    names = run_factfold("query", "people", "--json", store=store, env=cured).stdout
    assert [json.loads(line)["name"] for line in names.splitlines()] == ["Cured"]


SLEEPY = """
import os
import time
from collections import Counter
from pathlib import Path

from factfold import Extractor, Person, hookimpl


def extract(doc):
    (Path(os.environ["SLEEPY_MARKS"]) / str(os.getpid())).touch()
    time.sleep(float(os.environ["SLEEPY_SECONDS"]))
    return [Person(span=(0, 1), evidence=doc.text[:1], name="Sleeper")]


@hookimpl
def factfold_register_extractors(register):
    register(Extractor(name="sleepy", version="1", extract=extract, emits=(Person,),
                       timeout=600))
"""


def alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_after_kill_9_of_ingest_its_workers_exit_and_the_next_command_gets_the_store(tmp_path):
    site = install(tmp_path / "site", "sleepy", SLEEPY)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(10):
        (docs / f"d{i}.txt").write_text(f"document {i}\n", encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    store = tmp_path / "s"
    env = site_env(site, FACTFOLD_PLUGINS="sleepy", SLEEPY_MARKS=str(marks),
                   SLEEPY_SECONDS="60")
    proc = subprocess.Popen(  # the default worker pool: no --workers
        [sys.executable, "-m", "factfold", "--store", str(store), "ingest", str(docs)],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not any(marks.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline, "no worker started"
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait(10)
    workers = [int(p.name) for p in marks.iterdir()]
    assert workers and proc.pid not in workers, "extraction must run in worker processes"

    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "the workers outlived their parent"
        time.sleep(0.05)
    started = time.monotonic()
    run_factfold("ingest", str(docs), store=store, env={**env, "SLEEPY_SECONDS": "0"})
    assert time.monotonic() - started < 30
    people = run_factfold("query", "people", "--json", store=store, env=env).stdout
    assert {json.loads(line)["name"] for line in people.splitlines()} == {"Sleeper"}


def every_character(doc):
    return [Person(span=(i, i + 1), evidence=doc.text[i], name=f"p{i}")
            for i in range(0, len(doc.text), 20)]


def test_large_documents_and_results_flow_through_a_worker_without_deadlock(tmp_path):
    """Documents queued behind a running one must never fill the pipe: the worker would
    block sending its large result while this process blocks sending the next document."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(4):
        (docs / f"d{i}.txt").write_text(f"{i}" + "会长张三说。" * 20_000, encoding="utf-8")
    with Store(tmp_path / "s", plugins=host_with(many=every_character), workers=1) as store:
        ingest(store, sorted(docs.iterdir()))
        assert store.extract_pending() == 4
        counts = store.views.db.execute(
            "SELECT facts FROM extractions WHERE extractor = 'many'").fetchall()
    assert counts == [(6001,)] * 4


class FailsOnce:
    """An observer whose first call raises: the store's extraction stops mid-run."""

    def __init__(self) -> None:
        self.raised = False

    @hookimpl
    def factfold_facts_appended(self, document, extractor, facts):
        if not self.raised:
            self.raised = True
            raise RuntimeError("observer failed")


def test_a_run_stopped_midway_leaves_no_outcome_for_the_next_run_to_mistake(tmp_path):
    """Tasks still out when a run stops are dropped with their workers at once, however
    long the caller keeps the error: their outcomes must never be taken for the next run's
    tasks (wrong facts on the wrong document)."""
    files = sorted(SEEDS.iterdir())
    with Store(tmp_path / "clean", plugins=host_with()) as store:
        ingest(store, files)
        store.extract_pending()
    plugins = host_with(slow=lambda doc: time.sleep(0.1))
    plugins.register(FailsOnce(), name="fails-once")
    with Store(tmp_path / "s", plugins=plugins, workers=1) as store:
        ingest(store, files)
        with pytest.raises(RuntimeError, match="observer failed") as kept:
            store.extract_pending()
        store.extract_pending()  # while the caller still holds the error and its traceback
        assert kept.traceback
        done = Counter((e.payload.doc_id, e.payload.extractor) for e in store.log.read()
                       if isinstance(e.payload, ExtractionCompleted))
    assert len(done) == 3 * len(files) and set(done.values()) == {1}
    assert toy_facts(tmp_path / "s") == toy_facts(tmp_path / "clean")


LOCK_HOLDER = """
import os, sys, time
from pathlib import Path
from factfold.lock import WriterLock

WriterLock(Path(sys.argv[1])).acquire()
if os.fork() == 0:
    print(os.getpid(), flush=True)  # the fork's handlers have run
    time.sleep(60)
    os._exit(0)
time.sleep(60)
"""


def test_a_forked_child_never_holds_the_writer_lock(tmp_path):
    """Whatever forks (an extraction worker, a plugin's own helper), the lock dies with
    the process that took it."""
    path = tmp_path / "log" / "LOCK"
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(path)],
                              stdout=subprocess.PIPE, text=True)
    child = int(holder.stdout.readline())
    try:
        with pytest.raises(StoreLocked):
            WriterLock(path).acquire()
        holder.kill()
        holder.wait(10)
        assert alive(child)
        lock = WriterLock(path)
        lock.acquire()
        lock.release()
    finally:
        holder.kill()
        os.kill(child, signal.SIGKILL)
        holder.stdout.close()
