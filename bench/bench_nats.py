"""The log on NATS JetStream beside the embedded log, in one run (``make bench``, group
``nats``): append in batches of 100 and replay (decode + fold all views), on one nats-server
and on a three-node cluster (stream R3), the servers started here on loopback ports.

Issue 15's goal: replay from NATS at >= 50k events/s on one node.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import corpus

from factfold.events import Envelope, EventCodec
from factfold.natslog import NatsLog
from factfold.segments import SegmentLog
from factfold.views import builtin_views
from factfold.viewstore import ViewStore

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from natsserver import NatsServer, cluster

#: events per append, as the issue asks
BATCH = 100


@contextmanager
def servers(folder: Path, size: int) -> Iterator[list[str]]:
    nodes = [NatsServer(folder / "n1")] if size == 1 else cluster(folder, size)
    for node in nodes:
        node.start()
    try:
        yield [n.url for n in nodes]
    finally:
        for node in nodes:
            node.stop()


def _chunks(events: list[Envelope]) -> list[list[Envelope]]:
    return [events[i:i + BATCH] for i in range(0, len(events), BATCH)]


def _append_rate(log: Any, batches: list[list[Envelope]]) -> float:
    start = time.perf_counter()
    for batch in batches:
        log.append(batch)
    return sum(map(len, batches)) / (time.perf_counter() - start)


def _replay_rate(log: Any, folder: Path) -> float:
    views = ViewStore(folder / "views.sqlite", builtin_views())
    start = time.perf_counter()
    n = views.rebuild(log)
    elapsed = time.perf_counter() - start
    views.close()
    (folder / "views.sqlite").unlink()
    return n / elapsed


def bench_nats(table: Any, size: dict[str, Any], codec: Callable[[], EventCodec],
               fresh: Callable[[list[Envelope]], list[Envelope]], work: Path) -> None:
    events = [e for b in corpus.event_batches(size["nats_events"], seed=5) for e in b]
    events = events[:size["nats_events"]]
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        folder = Path(tmp)
        local = SegmentLog(folder / "log", codec(), writable=True, fsync="batch")
        local_append = _append_rate(local, _chunks(fresh(events)))
        local_replay = statistics.median(_replay_rate(local, folder) for _ in range(3))
        local.close()
        table.add("embedded log: append, batches of 100", local_append, "events/s")
        table.add("embedded log: replay (decode + fold all views)", local_replay, "events/s")
        for nodes, label in ((1, "NATS 1 node"), (3, "NATS 3 nodes R3")):
            with servers(folder / f"nats{nodes}", nodes) as urls:
                log = NatsLog(urls, codec(), connect_timeout=10)
                append = _append_rate(log, _chunks(fresh(events)))
                replay = statistics.median(_replay_rate(log, folder) for _ in range(3))
                log.close()
            table.add(f"{label}: append, batches of 100", append, "events/s",
                      ref="embedded log", ref_value=local_append)
            goal = nodes == 1
            table.add(f"{label}: replay (decode + fold all views)", replay, "events/s",
                      ref="embedded log", ref_value=local_replay,
                      target=">= 50k events/s" if goal else None,
                      ok=replay >= 50_000 if goal else None,
                      note=f"{len(events):,} events")


def _worker_child(urls: list[str], started: float, results: Any) -> None:
    """One forked worker: take documents until the queue has been empty half a second;
    report when it recorded its last outcome."""
    from factfold.natsworker import run_worker
    from factfold.pluginmanager import PluginHost

    plugins = PluginHost()
    last = [started]
    with NatsLog(urls, EventCodec(plugins.event_registry())) as log:
        run_worker(log, plugins, stop_when_idle=0.5,
                   done=lambda _doc: last.__setitem__(0, time.perf_counter()))
    results.put(last[0])


def _embedded_rate(files: list[Path], folder: Path) -> float:
    """Docs/s through the embedded path: ``ingest_file`` each, then ``extract_pending``
    (one extraction process); models loaded before the clock."""
    from factfold.store import Store

    with Store(folder, workers=1) as store:
        store.extractors  # noqa: B018 — models load outside the timing
        start = time.perf_counter()
        for f in files:
            store.ingest_file(f)
        store.extract_pending()
        return len(files) / (time.perf_counter() - start)


def _workers_rate(files: list[Path], folder: Path, workers: int) -> float:
    """Docs/s through a NATS log on a fresh nats-server: ingest without extraction, then
    ``workers`` forked `run_worker`s, until the last outcome is recorded."""
    import multiprocessing

    from factfold.store import Store

    fork = multiprocessing.get_context("fork")
    with servers(folder / "nats", 1) as urls, Store(folder / "views", log_servers=urls,
                                                    extract=False) as store:
        store.extractors  # noqa: B018 — loaded here, inherited by the forks
        start = time.perf_counter()
        for f in files:
            store.ingest_file(f)
        results = fork.Queue()
        children = [fork.Process(target=_worker_child, args=(urls, start, results))
                    for _ in range(workers)]
        for child in children:
            child.start()
        end = max(results.get(timeout=600) for _ in children)
        for child in children:
            child.join()
    return len(files) / (end - start)


def bench_workers(table: Any, size: dict[str, Any], work: Path) -> None:
    """Extraction docs/s: the embedded path (one extraction process) against `factfold
    worker`s on one nats-server, 1, 2 and 4 of them.  The embedded path and one worker,
    whose ratio is the goal, alternate ``runs`` times (medians): on a shared machine two
    single runs a minute apart differ by more than the 10% the goal allows."""
    docs = list(corpus.documents(size["worker_docs"], seed=41))
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        folder = Path(tmp)
        inbox = folder / "inbox"
        inbox.mkdir()
        files = []
        for i, data in enumerate(docs):
            files.append(inbox / f"doc-{i}.txt")
            files[-1].write_bytes(data)
        rates: dict[str, list[float]] = {"local": [], "single": []}
        for run in range(size["runs"]):
            rates["local"].append(_embedded_rate(files, folder / f"local-{run}"))
            rates["single"].append(_workers_rate(files, folder / f"single-{run}", 1))
        local, single = (statistics.median(rates[k]) for k in ("local", "single"))
        table.add("embedded: ingest + extract, 1 process", local, "docs/s",
                  note=f"median of {size['runs']}")
        table.add("NATS: ingest + 1 worker", single, "docs/s", ref="embedded",
                  ref_value=local, target="per-document overhead <= 10%",
                  ok=single >= local / 1.1,
                  note=f"overhead {local / single - 1:+.0%} per document; median of "
                       f"{size['runs']}, alternating with the embedded path")
        for workers in (2, 4):
            table.add(f"NATS: ingest + {workers} workers",
                      _workers_rate(files, folder / f"workers-{workers}", workers), "docs/s",
                      ref="1 worker", ref_value=single)
