"""factfold's benchmark suite: every figure beside a reference measured in the same run.

    .venv/bin/python bench/run.py            # the full suite (`make bench`)
    .venv/bin/python bench/run.py --quick    # reduced sizes, under a minute (`make bench-quick`)
    .venv/bin/python bench/run.py --ten-million   # also replay (and RSS) at 10M events

Prints one table (medians of several runs, the machine described) and writes the same
figures to ``bench/results.json``.  Generated logs and stores are cached under
``bench/.work`` (``make clean`` removes it), so only the first run pays for building them.
See bench/README.md for what each figure means and how it is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import msgpack  # noqa: E402
import reference  # noqa: E402

from factfold.events import BUILTIN_TYPES, Envelope, EventCodec, EventRegistry  # noqa: E402
from factfold.logconfig import configure as configure_logs  # noqa: E402
from factfold.segments import SegmentLog  # noqa: E402
from factfold.views import builtin_views  # noqa: E402
from factfold.viewstore import ViewStore  # noqa: E402

WORK = HERE / ".work"
RESULTS = HERE / "results.json"
#: bump when the corpus changes, so cached logs and stores are rebuilt
CORPUS_VERSION = 1

SIZES = {
    "full": {"runs": 3, "append_events": 20_000, "single_events": 2_000,
             "replay": [100_000, 1_000_000], "rss": [1_000_000], "es_max": 1_000_000,
             "ingest_store": [1_000, 10_000, 100_000], "ingest_batch": 40,
             "query_facts": 1_000_000, "queries": 400, "nats_events": 100_000, "worker_docs": 200,
             "pipeline_docs": 20_000, "pipeline_runs": 1},
    "quick": {"runs": 3, "append_events": 2_000, "single_events": 300,
              # 100k and up, as in the full suite: a shorter catch-up folds in one process
              "replay": [100_000], "rss": [100_000, 200_000], "es_max": 100_000,
              "ingest_store": [100, 1_000], "ingest_batch": 6,
              "query_facts": 50_000, "queries": 200, "nats_events": 20_000, "worker_docs": 40,
              "pipeline_docs": 300, "pipeline_runs": 3},
}


def codec() -> EventCodec:
    return EventCodec(EventRegistry(BUILTIN_TYPES))


class Table:
    """The figures of one run: printed as a table and written as JSON."""

    def __init__(self) -> None:
        self.figures: list[dict[str, Any]] = []

    def add(self, name: str, value: float, unit: str, *, ref: str | None = None,
            ref_value: float | None = None, target: str | None = None,
            ok: bool | None = None, note: str | None = None) -> None:
        figure = {"name": name, "value": round(value, 3), "unit": unit, "reference": ref,
                  "reference_value": None if ref_value is None else round(ref_value, 3),
                  "ratio": round(value / ref_value, 3) if ref_value else None,
                  "target": target, "meets_target": ok, "note": note}
        self.figures.append(figure)
        ratio = f"{figure['ratio']:.2f}x" if figure["ratio"] else ""
        refs = f"{ref_value:,.0f} ({ref})" if ref_value is not None else ""
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        print(f"  {name:<44} {value:>14,.1f} {unit:<9} {refs:<44} {ratio:>7} {verdict}",
              flush=True)


def median(fn: Callable[[], float], runs: int) -> float:
    """The median of ``runs`` runs, each started with no dirty pages left by the one before:
    otherwise a durable-write figure pays for the writeback of whatever ran before it (a
    run right after the SQLite reference measured 40% slower)."""
    def settled() -> float:
        os.sync()
        return fn()

    return statistics.median(settled() for _ in range(runs))


def machine() -> dict[str, Any]:
    """CPU, cores, RAM, the disk under bench/.work, Python."""
    cpu = platform.processor()
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        ram_kib = int(f.readline().split()[1])
    WORK.mkdir(parents=True, exist_ok=True)
    disk = "unknown"
    try:
        df = subprocess.run(["df", "-T", str(WORK)], capture_output=True, text=True, check=True)
        device, fstype = df.stdout.splitlines()[1].split()[:2]
        name = Path(device).name.rstrip("0123456789")
        rotational = Path(f"/sys/block/{name}/queue/rotational")
        kind = ("rotational" if rotational.read_text().strip() == "1" else "non-rotational"
                ) if rotational.exists() else "unknown kind"
        disk = f"{device} ({fstype}, {kind})"
    except (OSError, subprocess.CalledProcessError, IndexError, ValueError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(ram_kib / 2**20, 1),
            "disk": disk, "python": platform.python_version(),
            "platform": platform.platform()}


# -- appending ------------------------------------------------------------------------------

def sample_events(n: int) -> list[Envelope]:
    events = [e for batch in corpus.event_batches(n, seed=3) for e in batch]
    return events[:n]


def unrecorded(events: list[Envelope]) -> list[Envelope]:
    """New envelopes with the same contents: every timed run appends events the log has
    not recorded yet, as ingest does (built before the clock starts)."""
    return [Envelope(e.payload, e.stream, e.producer, e.causation_id, e.correlation_id,
                     e.event_id, e.timestamp) for e in events]


def bench_append(table: Table, size: dict[str, Any]) -> None:
    """Batched durable append (fsync per batch) against eventsourcing/SQLite."""
    events = sample_events(size["append_events"])
    es_events = reference.domain_events(codec(), events)
    for batch in (100, 1000):
        def ours(batch: int = batch) -> float:
            fresh = unrecorded(events)
            with tempfile.TemporaryDirectory(dir=WORK) as tmp:
                log = SegmentLog(Path(tmp) / "log", codec(), writable=True, fsync="batch")
                start = time.perf_counter()
                for i in range(0, len(fresh), batch):
                    log.append(fresh[i:i + batch])
                elapsed = time.perf_counter() - start
                log.close()
            return len(events) / elapsed

        def theirs(batch: int = batch) -> float:
            with tempfile.TemporaryDirectory(dir=WORK) as tmp:
                return len(es_events) / reference.append(Path(tmp) / "es.db", es_events, batch)

        ref = median(theirs, size["runs"])
        value = median(ours, size["runs"])
        table.add(f"durable append, batches of {batch}", value, "events/s",
                  ref="eventsourcing/SQLite", ref_value=ref, target=">= 5x reference",
                  ok=value >= 5 * ref)


def bench_single(table: Table, size: dict[str, Any]) -> None:
    """One event per append, fsync each, against raw write+fsync of same-size records."""
    events = sample_events(size["single_events"])
    c = codec()
    from factfold.segments import frame

    record_bytes = [frame(i, 1, c.pack_batch([e])) for i, e in enumerate(events)]

    def ours() -> float:
        fresh = unrecorded(events)
        with tempfile.TemporaryDirectory(dir=WORK) as tmp:
            log = SegmentLog(Path(tmp) / "log", c, writable=True, fsync="batch")
            start = time.perf_counter()
            for e in fresh:
                log.append([e])
            elapsed = time.perf_counter() - start
            log.close()
        return len(events) / elapsed

    def raw() -> float:
        with tempfile.TemporaryDirectory(dir=WORK) as tmp:
            fd = os.open(Path(tmp) / "raw", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            start = time.perf_counter()
            for data in record_bytes:
                os.write(fd, data)
                os.fsync(fd)
            elapsed = time.perf_counter() - start
            os.close(fd)
        return len(record_bytes) / elapsed

    ref = median(raw, size["runs"])
    value = median(ours, size["runs"])
    mean = sum(map(len, record_bytes)) / len(record_bytes)
    table.add("single-event durable append", value, "events/s",
              ref=f"os.write+os.fsync, {mean:.0f} B", ref_value=ref,
              target=">= 0.5x reference", ok=value >= 0.5 * ref)


# -- replay ---------------------------------------------------------------------------------

def built_log(events: int) -> Path:
    """A cached log of about ``events`` events (whole documents) in the realistic mix."""
    path = WORK / f"log-v{CORPUS_VERSION}-{events}"
    if (path / "COMPLETE").exists():
        return path
    shutil.rmtree(path, ignore_errors=True)
    start = time.perf_counter()
    log = SegmentLog(path / "log", codec(), writable=True, fsync="never")
    pending: list[Envelope] = []
    for batch in corpus.event_batches(events):
        pending.extend(batch)
        if len(pending) >= 2000:  # fewer, larger frames: building the fixture is not timed
            log.append(pending)
            pending = []
    if pending:
        log.append(pending)
    log.close()
    (path / "COMPLETE").write_text(str(events))
    print(f"    (built a log of {events:,} events in {time.perf_counter() - start:.0f}s)",
          flush=True)
    return path


def es_database(log_dir: Path) -> Path:
    """The same events, in an eventsourcing SQLite database (cached)."""
    path = log_dir / "eventsourcing.sqlite"
    done = log_dir / "ES_COMPLETE"
    if done.exists():
        return path
    path.unlink(missing_ok=True)
    c = codec()
    log = SegmentLog(log_dir / "log", c)
    rec = reference.recorder(path)
    mapper = reference._mapper()
    chunk: list[Envelope] = []
    versions: dict[str, int] = {}
    for env in log.read():
        chunk.append(env)
        if len(chunk) == 10_000:
            rec.insert_events([mapper.to_stored_event(e)
                               for e in reference.domain_events(c, chunk, versions)])
            chunk = []
    if chunk:
        rec.insert_events([mapper.to_stored_event(e)
                           for e in reference.domain_events(c, chunk, versions)])
    done.touch()
    return path


def replay_child(log_dir: Path) -> None:
    """In a fresh process: rebuild every view from the log; print events, seconds, peak RSS."""
    log = SegmentLog(log_dir / "log", codec())
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        views = ViewStore(Path(tmp) / "views.sqlite", builtin_views())
        start = time.perf_counter()
        n = views.rebuild(log)
        elapsed = time.perf_counter() - start
        views.close()
    # The replay may prepare its chunks in a forked child: count its peak too (the sum of
    # both peaks, an upper bound of what the two held at once).
    rss_kib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
               + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"events": n, "seconds": elapsed, "rss_mib": rss_kib / 1024}))


def replay_once(log_dir: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--replay-child", str(log_dir)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def msgpack_stream(log_dir: Path) -> float:
    """The decoding limit: frames read and checked, each payload unpacked to plain lists."""
    log = SegmentLog(log_dir / "log", codec())
    start = time.perf_counter()
    n = 0
    for _first, _count, payload in log.read_batches():
        unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
        unpacker.feed(payload)
        n += sum(len(records) for records in unpacker)
    return n / (time.perf_counter() - start)


def _rate(events: int, seconds: float) -> float:
    return events / seconds


def replay_rounds(events: int, size: dict[str, Any]) -> int:
    """How many times a replay is measured: one of 100k events lasts under half a second,
    so a single slow moment of the machine moves a median of three; one of 10M lasts a
    minute."""
    if events > 1_000_000:
        return 1
    return size["runs"] if events == 1_000_000 else size["runs"] + 2


def bench_replay(table: Table, size: dict[str, Any]) -> dict[int, float]:
    rss: dict[int, float] = {}
    for events in size["replay"]:
        log_dir = built_log(events)
        label = f"{events / 1e6:g}M" if events >= 1_000_000 else f"{events // 1000}k"
        es = es_database(log_dir) if events <= size["es_max"] else None
        if events <= 1_000_000:
            # Untimed: no measured run pays for reading what the page cache lost since.
            msgpack_stream(log_dir)
            if es is not None:
                reference.read_all(es)
        # Ours, the decoding limit and the reference back to back in each round: they are
        # compared with each other, so the machine's slow minutes must fall on all alike.
        runs, bare, theirs = [], [], []
        for _ in range(replay_rounds(events, size)):
            runs.append(replay_once(log_dir))
            bare.append(msgpack_stream(log_dir))
            if es is not None:
                theirs.append(_rate(*reference.read_all(es)))
        n = runs[0]["events"]
        value = statistics.median(r["events"] / r["seconds"] for r in runs)
        rss[events] = max(r["rss_mib"] for r in runs)
        limit = statistics.median(bare)
        note = f"{statistics.median(r['seconds'] for r in runs):.1f}s per replay of {n:,} events"
        table.add(f"replay {label} (decode + fold all views)", value, "events/s",
                  ref="bare msgpack streaming", ref_value=limit, target=">= 0.5x reference",
                  ok=value >= 0.5 * limit, note=note)
        if theirs:
            es_rate = statistics.median(theirs)
            table.add(f"replay {label} vs eventsourcing read+decode", value, "events/s",
                      ref="eventsourcing read+decode", ref_value=es_rate,
                      target=">= 3x reference", ok=value >= 3 * es_rate)
    return rss


def bench_rss(table: Table, size: dict[str, Any], measured: dict[int, float]) -> None:
    sizes = size["rss"]
    for events in sizes:
        if events not in measured:
            measured[events] = replay_once(built_log(events))["rss_mib"]
    small = sizes[0]
    for events in sizes:
        label = f"{events / 1e6:g}M" if events >= 1_000_000 else f"{events // 1000}k"
        if events == small:
            table.add(f"peak RSS, replay {label}", measured[events], "MiB")
        else:
            slabel = f"{small / 1e6:g}M" if small >= 1_000_000 else f"{small // 1000}k"
            table.add(f"peak RSS, replay {label}", measured[events], "MiB",
                      ref=f"peak RSS at {slabel}", ref_value=measured[small],
                      target="<= 1.5x reference", ok=measured[events] <= 1.5 * measured[small])


# -- ingest ---------------------------------------------------------------------------------

def preloaded_store(documents: int) -> Path:
    """A cached store holding ``documents`` documents with their facts and views."""
    from factfold.store import Store

    versions = "-".join(f"{n}{v}" for n, v in corpus.extractors())
    path = WORK / f"store-v{CORPUS_VERSION}-{versions}-{documents}docs"
    if (path / "COMPLETE").exists():
        return _steady(path)
    shutil.rmtree(path, ignore_errors=True)
    start = time.perf_counter()
    rng = random.Random(11)
    log = SegmentLog(path / "log", codec(), writable=True, fsync="never")
    pending: list[Envelope] = []
    for i, data in enumerate(corpus.documents(documents, seed=5)):
        for batch in corpus.document_events(data, f"inbox/{i:08d}.txt", rng):
            pending.extend(batch)
        if len(pending) >= 2000:
            log.append(pending)
            pending = []
    if pending:
        log.append(pending)
    log.close()
    Store(path).close()  # folds the views once
    (path / "COMPLETE").touch()
    print(f"    (preloaded a store of {documents:,} documents in "
          f"{time.perf_counter() - start:.0f}s)", flush=True)
    return _steady(path)


def _steady(path: Path, *, extract: bool = True) -> Path:
    """Bring a cached store to the state a running store is in: views at the current
    schema and, for ``extract``, the extraction marks set by a first ``extract_pending``
    (which finds nothing to do: the preloaded documents carry outcomes for the versions
    installed, which the store's name records).  A query store's log may predate the
    installed versions: queries need no extraction, so it gets none.  Done on every run (a
    store already steady opens in well under a second): a marker file could not tell
    that another checkout had since rebuilt the views at its own versions."""
    from factfold.store import Store

    with Store(path) as store:
        if extract:
            store.extract_pending()
    return path


def bench_ingest(table: Table, size: dict[str, Any]) -> None:
    """Documents/s through the whole ingest path, with the store at several sizes."""
    from factfold.store import Store

    batch = list(corpus.documents(size["ingest_batch"], seed=99))

    def once(template: Path) -> float:
        with tempfile.TemporaryDirectory(dir=WORK) as tmp:
            store_dir = Path(tmp) / "store"
            shutil.copytree(template, store_dir)
            inbox = Path(tmp) / "inbox"
            inbox.mkdir()
            files = []
            for i, data in enumerate(batch):
                files.append(inbox / f"new-{i}.txt")
                files[-1].write_bytes(data)
            with Store(store_dir) as store:
                store.extractors  # noqa: B018 — models load once, outside the timing
                os.sync()  # the copy's writeback is not the ingest's work
                start = time.perf_counter()
                for f in files:
                    store.ingest_file(f)
                store.extract_pending()
                elapsed = time.perf_counter() - start
        return len(files) / elapsed

    # Round-robin over the store sizes, so that a machine's slow minutes fall on every
    # size alike: the figures are compared with each other.
    templates = {documents: preloaded_store(documents) for documents in size["ingest_store"]}
    measured: dict[int, list[float]] = {documents: [] for documents in templates}
    for _ in range(size["runs"]):
        for documents, template in templates.items():
            measured[documents].append(once(template))
    rates = {documents: statistics.median(runs) for documents, runs in measured.items()}
    small = min(rates)
    from factfold.pluginmanager import PluginHost

    names = ", ".join(ex.ref for ex in PluginHost().extractors())
    for documents, rate in rates.items():
        if documents == small:
            table.add(f"ingest, {documents:,} docs in store", rate, "docs/s",
                      note=f"extractors: {names}")
        else:
            table.add(f"ingest, {documents:,} docs in store", rate, "docs/s",
                      ref=f"ingest at {small:,} docs", ref_value=rates[small],
                      target=">= 0.8x reference", ok=rate >= 0.8 * rates[small])


# -- queries --------------------------------------------------------------------------------

#: a query returns a page of rows, as the CLI's --limit and any UI would ask
QUERY_PAGE = 100


#: views.sqlite of the query store (1M facts) with the release before the typed tables
#: (opaque msgpack bodies), measured once with its code on this corpus: see bench/README.md
OPAQUE_VIEWS_BYTES = {1_000_000: 387_547_136, 50_000: 19_677_184}
#: the tables of the full-text searches (opt-in: `factfold search on`)
SEARCH_TABLES = ("search", "document_search", "searched_runs")


def _views_bytes(db: Any, search: bool) -> int:
    """Bytes of the views' pages: of the search tables, or of everything else."""
    test = " OR ".join(f"name LIKE '{t}%' OR name LIKE 'sqlite_autoindex_{t}%'"
                       for t in SEARCH_TABLES)
    return db.execute(f"SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE "
                      f"{'' if search else 'NOT '}({test})").fetchone()[0]


def bench_query(table: Table, size: dict[str, Any]) -> None:
    from factfold.store import Store
    from factfold.views import SEARCHES

    facts = size["query_facts"]
    # ~38 facts per 43 events in the generated mix
    log_dir = built_log(int(facts * 43 / 38) + 1)
    store_dir = WORK / f"query-store-v{CORPUS_VERSION}-{facts}-search"
    if not (store_dir / "COMPLETE").exists():
        shutil.rmtree(store_dir, ignore_errors=True)
        store_dir.mkdir(parents=True)
        shutil.copytree(log_dir / "log", store_dir / "log")
        with Store(store_dir) as store:
            store.set_search(SEARCHES)  # both full-text searches, to query them
        (store_dir / "COMPLETE").touch()
    _steady(store_dir, extract=False)
    # Steady state, as a long-running query server sees it: the views file is in the OS page
    # cache (read once, sequentially); the queries below are a fresh random set.
    with open(store_dir / "views.sqlite", "rb") as f:
        while f.read(1 << 24):
            pass
    with Store(store_dir, writable=False) as store:
        db = store.views.db
        held = sum(store.facts.counts(db).values())
        rng = random.Random(5)
        n = size["queries"]
        names = [k for (k,) in db.execute(
            "SELECT name FROM fact_person ORDER BY random() LIMIT ?", (n,))]
        parties = [k for (k,) in db.execute(
            "SELECT party FROM _agreement_parties ORDER BY random() LIMIT ?", (n,))]
        # Three characters of some fact's evidence: the shortest a trigram index finds.
        evidence = [e for (e,) in db.execute(
            "SELECT evidence FROM fact_person ORDER BY random() LIMIT ?", (n,))]
        terms = []
        for e in evidence:
            start = rng.randrange(max(1, len(e) - 3))
            terms.append('"' + e[start:start + 3].replace('"', '""') + '"')
        cases: dict[str, Any] = {
            "people by name": lambda f: store.query("people", f, limit=QUERY_PAGE),
            "statistics by unit": lambda f: store.query("statistics", f, limit=QUERY_PAGE),
            "agreements by party": lambda f: store.query("agreements", f, limit=QUERY_PAGE),
            "full-text search of evidence": lambda term: db.execute(
                "SELECT rowid, kind, snippet(search, 0, '[', ']', '…', 8) FROM search "
                "WHERE search MATCH ? LIMIT ?", (term, QUERY_PAGE)).fetchall(),
            "full-text search of documents": lambda term: db.execute(
                "SELECT d.path FROM document_search s JOIN documents d ON d.position = s.rowid "
                "WHERE document_search MATCH ? LIMIT ?", (term, QUERY_PAGE)).fetchall(),
        }
        inputs = {
            "people by name": [{"name": name} for name in names],
            "statistics by unit": [{"unit": rng.choice(corpus.UNITS)} for _ in range(n)],
            "agreements by party": [{"parties": party} for party in parties],
            "full-text search of evidence": terms,
            "full-text search of documents": terms,
        }
        for label, run in cases.items():
            times, rows = [], 0
            for given in inputs[label]:
                start = time.perf_counter()
                rows += len(run(given))
                times.append(time.perf_counter() - start)
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
            limit = 50 if label.startswith("full-text") else 10
            table.add(f"query p99, {label}", p99, "ms", target=f"<= {limit} ms",
                      ok=p99 <= limit,
                      note=f"{held:,} facts in store, views file in page cache; median "
                      f"{times[len(times) // 2] * 1000:.2f} ms; pages of {QUERY_PAGE}; "
                      f"{rows / len(times):,.0f} rows per answer")
        views = _views_bytes(db, search=False) / 2**20
        searches = _views_bytes(db, search=True) / 2**20
    before = OPAQUE_VIEWS_BYTES.get(facts)
    table.add(f"views.sqlite at {held:,} facts", views, "MiB",
              ref="the opaque layout's" if before else None,
              ref_value=before / 2**20 if before else None,
              target="<= 2x reference" if before else None,
              ok=views <= 2 * before / 2**20 if before else None,
              note="without full-text search")
    table.add(f"full-text search tables at {held:,} facts", searches, "MiB",
              note="evidence and documents' text (opt-in: factfold search on all)")


# -- the extraction pipeline ---------------------------------------------------------------

def bench_pipeline(table: Table, size: dict[str, Any]) -> None:
    """Documents/s through the bus-driven flow against the extractors alone, same documents,
    same number of workers, measured back to back (alternating, so a slow minute of the
    shared machine falls on both).

    Pipeline: a new store; each document recorded with ``ingest_bytes`` (read, sha256,
    ``document.added`` appended with an fsync, folded into the views, delivered on the bus
    to the extraction runner, which hands it to a worker at once), then ``extract_pending``
    (the runner drains: every outcome appended, views committed).  The extractors alone:
    the same texts (as the readers made them) through an ``ExtractorPool`` of the same size,
    the outcomes dropped.  Extractor setup is outside both clocks.
    """
    from factfold import Document
    from factfold.extraction import setup_extractors
    from factfold.pluginmanager import PluginHost
    from factfold.reading import read_file
    from factfold.store import Store
    from factfold.workers import ExtractorPool, default_workers

    count, workers = size["pipeline_docs"], default_workers()
    data = list(corpus.documents(count, seed=77))
    host = PluginHost()
    texts = [read_file(host.readers(), d, f"inbox/{i:05}.txt") for i, d in enumerate(data)]
    documents = [Document(str(i), f"inbox/{i:05}.txt", t.text, t.encoding)
                 for i, t in enumerate(texts)]
    extractors = setup_extractors(host.extractors())
    names = [ex.name for ex in extractors]

    def alone() -> float:
        pool = ExtractorPool(extractors, EventCodec(host.event_registry()), workers)
        try:
            start = time.perf_counter()
            for _ in pool.run((d, d, names) for d in documents):
                pass
            return count / (time.perf_counter() - start)
        finally:
            pool.close()

    def pipeline() -> float:
        with tempfile.TemporaryDirectory(dir=WORK) as tmp, \
                Store(Path(tmp) / "store", plugins=host, workers=workers) as store:
            store.extractors  # noqa: B018 — set up outside the timing, as for the pool
            os.sync()
            start = time.perf_counter()
            for i, d in enumerate(data):
                store.ingest_bytes(f"inbox/{i:05}.txt", d)
            done = store.extract_pending()
            elapsed = time.perf_counter() - start
        assert done == count, f"{done} of {count} documents extracted"
        return count / elapsed

    rates: dict[str, list[float]] = {"alone": [], "pipeline": []}
    for _ in range(size["pipeline_runs"]):
        rates["alone"].append(alone())
        rates["pipeline"].append(pipeline())
    ours, ref = statistics.median(rates["pipeline"]), statistics.median(rates["alone"])
    table.add(f"extractors alone, {count:,} docs", ref, "docs/s",
              note=f"{workers} workers; {', '.join(ex.ref for ex in extractors)}")
    table.add(f"pipeline, {count:,} docs (ingest → bus → runner → views)", ours, "docs/s",
              ref="extractors alone", ref_value=ref, target=">= 0.8x reference",
              ok=ours >= 0.8 * ref, note=f"{workers} workers, runs {size['pipeline_runs']}; "
              f"alone {[round(r, 1) for r in rates['alone']]}, "
              f"pipeline {[round(r, 1) for r in rates['pipeline']]}")


# -- the watcher's own benchmark --------------------------------------------------------------

def bench_watch(table: Table, quick: bool) -> None:
    """Run bench/bench_watch.py (owned by the watcher) if present, and take in its figures.

    It writes a JSON list of figure objects (name, value, unit, and optionally reference,
    reference_value, target, meets_target, note) to the path in the FACTFOLD_BENCH_OUT
    environment variable; they join the table, below its own report.  Quick mode asks it
    for 20 latency files and no burst.
    """
    script = HERE / "bench_watch.py"
    if not script.exists():
        return
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        out = Path(tmp) / "watch.json"
        cmd = [sys.executable, str(script),
               *(["--latency-files", "20", "--skip-burst"] if quick else [])]
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env={**os.environ, "FACTFOLD_BENCH_OUT": str(out)})
        print("  bench_watch.py:\n    " + proc.stdout.strip().replace("\n", "\n    "))
        if proc.returncode != 0:
            print(f"  bench_watch.py failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        if not out.exists():
            return
        for fig in json.loads(out.read_text()):
            table.add(fig["name"], fig["value"], fig["unit"], ref=fig.get("reference"),
                      ref_value=fig.get("reference_value"), target=fig.get("target"),
                      ok=fig.get("meets_target"), note=fig.get("note"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes, under a minute")
    parser.add_argument("--ten-million", action="store_true",
                        help="also replay a 10M-event log (slow: see bench/README.md)")
    parser.add_argument("--only", nargs="*", help="run only these groups "
                        "(append, single, replay, ingest, query, pipeline, watch, nats)")
    parser.add_argument("--pipeline-docs", type=int, default=None,
                        help="documents in the pipeline figure [default: 20,000; quick: 300]")
    parser.add_argument("--replay-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay_child:
        replay_child(args.replay_child)
        return
    size = dict(SIZES["quick" if args.quick else "full"])
    if args.pipeline_docs:
        size["pipeline_docs"] = args.pipeline_docs
    if args.ten_million:
        size["replay"] = [*size["replay"], 10_000_000]
        size["rss"] = [*size["rss"], 10_000_000]
    WORK.mkdir(parents=True, exist_ok=True)
    # The table is the output: what the measured code logs (a worker's every document)
    # would bury it; warnings still show.
    configure_logs(level="warning")
    info = machine()
    print(f"factfold bench ({'quick' if args.quick else 'full'}) — {info['cpu']}, "
          f"{info['cores']} cores, {info['ram_gib']} GiB RAM, disk {info['disk']}, "
          f"Python {info['python']}; medians of {size['runs']} runs", flush=True)
    table = Table()
    started = time.perf_counter()
    groups = set(args.only or ["append", "single", "replay", "ingest", "query", "pipeline",
                               "watch", "nats"])
    if "append" in groups:
        bench_append(table, size)
    if "single" in groups:
        bench_single(table, size)
    if "replay" in groups:
        bench_rss(table, size, bench_replay(table, size))
    if "ingest" in groups:
        bench_ingest(table, size)
    if "query" in groups:
        bench_query(table, size)
    if "pipeline" in groups:
        bench_pipeline(table, size)
    if "watch" in groups:
        bench_watch(table, args.quick)
    if "nats" in groups:
        from bench_nats import bench_nats, bench_workers

        bench_nats(table, size, codec, unrecorded, WORK)
        bench_workers(table, size, WORK)
    took = time.perf_counter() - started
    figures = table.figures
    if args.only and RESULTS.exists():
        # A partial run updates its figures and keeps the others from the last run.
        fresh = {f["name"] for f in figures}
        kept = [f for f in json.loads(RESULTS.read_text())["figures"] if f["name"] not in fresh]
        figures = kept + figures
    RESULTS.write_text(json.dumps({"machine": info, "mode": "quick" if args.quick else "full",
                                   "seconds": round(took, 1), "figures": figures},
                                  ensure_ascii=False, indent=2) + "\n")
    print(f"done in {took:.0f}s; figures written to {RESULTS}")


if __name__ == "__main__":
    main()
