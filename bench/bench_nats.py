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
from factfold.projection import ViewStore
from factfold.segments import SegmentLog
from factfold.views import builtin_views

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
