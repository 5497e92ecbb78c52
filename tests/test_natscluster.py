"""The issue's cluster scenario, end to end with real processes and real signals.

Three nats-servers (stream R3); two ``watch --no-extract`` on two drop folders, three
``worker``s and a ``follow`` node; 2,000 short documents (the seeds' sentences with their
names, places and numbers varied, as bench/corpus.py makes them; the real extractors run on
them) dropped in a burst.  The stream's leader is SIGKILLed in the middle of the burst and
restarted later; a worker is SIGKILLed in the middle of an extraction.  Every view node
then equals an embedded-log run over the same files (no document lost, none added or
extracted twice), a view node started after the burst catches up to it, and ``replay``
from the stream gives the same tables.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import ROOT, STARTED, run_factfold
from natsserver import cluster

from factfold.events import (
    DocumentAdded,
    EventCodec,
    ExtractionCompleted,
    ExtractionFailed,
)
from factfold.natslog import NatsLog
from factfold.pluginmanager import PluginHost

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(1500)]

DOCUMENTS = 2000
#: the built-in extractors: each document gets one outcome from each
EXTRACTORS = 4


def short_documents(count: int) -> list[bytes]:
    """``count`` distinct documents of three sentences each, from bench/corpus.py."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from corpus import documents
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return list(documents(count, seed=15, sentences=3))


def wait_for(what: str, done: Callable[[], bool], seconds: float,
             why: Callable[[], str] = lambda: "", *procs: subprocess.Popen[bytes]) -> None:
    """Poll ``done`` until it holds; fail saying ``what`` (and ``why``) after ``seconds``,
    or at once if one of ``procs`` died."""
    deadline = time.monotonic() + seconds
    while not done():
        for p in procs:
            assert p.poll() is None, f"{p.args} exited {p.returncode} while waiting: {what}"
        assert time.monotonic() < deadline, f"no {what} after {seconds:g} s; {why()}"
        time.sleep(0.5)


def checkpoint(store: Path) -> int:
    """How far the views of ``store`` have folded the log, as committed (read-only)."""
    path = store / "views.sqlite"
    if not path.exists():
        return -1
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'checkpoints'").fetchone():
            return -1  # the node has created its views file, not its tables yet
        (position,) = db.execute("SELECT min(position) FROM checkpoints").fetchone()
    return -1 if position is None else position


def rows(store: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{store / 'views.sqlite'}?mode=ro", uri=True) as db:
        return sorted(db.execute(sql))


def tables(store: Path) -> dict[str, list[str]]:
    """Every view table's rows but the checkpoints and the extraction marks: what two
    folds of one log have in common."""
    db = sqlite3.connect(f"file:{store / 'views.sqlite'}?mode=ro", uri=True)
    try:
        names = [n for (n,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
            "'sqlite_%' AND name NOT IN ('checkpoints', 'extracted_through')")]
        return {n: sorted(map(repr, db.execute(f'SELECT * FROM "{n}"'))) for n in names}
    finally:
        db.close()


def export(store: Path, *log: str) -> list[dict]:
    out = run_factfold(*log, "export", store=store, timeout=120).stdout
    return [json.loads(line) for line in out.splitlines()]


def differences(expected: list[dict], got: list[dict]) -> str:
    """Which documents' facts are missing or doubled (by file name), for a failure."""
    def by_document(facts: list[dict]) -> Counter[str]:
        return Counter(Path(f["source"]).name for f in facts)

    want, have = by_document(expected), by_document(got)
    missing = sorted(d for d in want if have[d] < want[d])
    extra = sorted(d for d in have if have[d] > want[d])
    return (f"{len(expected)} facts expected, {len(got)} found; documents lacking facts "
            f"({len(missing)}): {missing[:20]}; with facts added or doubled ({len(extra)}): "
            f"{extra[:20]}")


class Stream:
    """What the stream holds, read incrementally: each document's additions and each
    (document, extractor)'s outcomes, to say what is missing or doubled."""

    def __init__(self, urls: list[str]) -> None:
        codec = EventCodec(PluginHost(load_entrypoints=False).event_registry())
        self.log = NatsLog(urls, codec, connect_timeout=10)
        self.read_to = 0
        self.added: Counter[str] = Counter()
        self.outcomes: Counter[tuple[str, str]] = Counter()
        self.failed: list[ExtractionFailed] = []

    def update(self) -> Stream:
        for env in self.log.read(self.read_to):
            e = env.payload
            if isinstance(e, DocumentAdded):
                self.added[e.doc_id] += 1
            elif isinstance(e, ExtractionCompleted | ExtractionFailed):
                self.outcomes[e.doc_id, e.extractor] += 1
                if isinstance(e, ExtractionFailed):
                    self.failed.append(e)
            self.read_to = env.position + 1
        return self

    @property
    def complete(self) -> bool:
        return (len(self.added) == DOCUMENTS
                and len(self.outcomes) == DOCUMENTS * EXTRACTORS)

    def __str__(self) -> str:
        doubled = [d[:12] for d, n in self.added.items() if n > 1]
        twice = [f"{d[:12]}/{x}" for (d, x), n in self.outcomes.items() if n > 1]
        return (f"the stream holds {len(self.added)} of {DOCUMENTS} documents (added twice: "
                f"{doubled[:10]}), {len(self.outcomes)} of {DOCUMENTS * EXTRACTORS} outcomes "
                f"(twice: {twice[:10]}), {len(self.failed)} failed, {self.read_to} events")


def child_states(pid: int) -> Iterator[str]:
    """The state of each child process of ``pid`` (R: running, S: waiting...)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:
            continue  # gone meanwhile
        if int(parent) == pid:
            yield state


def _json(line: str) -> dict:
    """A JSON log line, or nothing (a line printed otherwise)."""
    try:
        parsed = json.loads(line)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def extracting(worker: subprocess.Popen[bytes], said: Path) -> bool:
    """Whether ``worker`` is likely in the middle of a document: it has extracted some
    already, and its extracting process (which otherwise waits on its pipe) is running.
    (That it was is shown afterwards: another worker extracts a document handed out again.)"""
    if not any(_json(line).get("event") == "extracted"
               for line in said.read_text(errors="replace").splitlines()):
        return False
    return "R" in child_states(worker.pid)


def test_two_watchers_three_workers_a_server_and_a_worker_killed_mid_burst(tmp_path):
    docs = short_documents(DOCUMENTS)
    folders = [tmp_path / "drop-a", tmp_path / "drop-b"]
    for folder in folders:
        folder.mkdir()
    files = [(folders[i % 2] / f"d{i:04d}.txt", data) for i, data in enumerate(docs)]
    nodes = cluster(tmp_path / "cluster")
    for node in nodes:
        node.start()
    urls = [n.url for n in nodes]
    log = ("--log", "nats://" + ",".join(u.removeprefix("nats://") for u in urls))
    logs = tmp_path / "logs"
    logs.mkdir()

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        """A factfold process whose structured logs (JSON lines) go to logs/NAME."""
        with open(logs / name, "wb") as said:  # the child keeps its own copy
            proc = subprocess.Popen(
                [sys.executable, "-m", "factfold", *log, "--log-format", "json", *args],
                cwd=ROOT, env=os.environ,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=said)
        STARTED.append(proc)
        return proc

    def said(name: str) -> str:
        return (logs / name).read_text(errors="replace")

    def logged(name: str, event: str) -> list[dict]:
        return [line for line in map(_json, said(name).splitlines())
                if line.get("event") == event]

    stores = {name: tmp_path / name for name in ("watch-a", "watch-b", "follow", "late")}
    watch = ("watch", "--no-status", "--no-print-facts", "--no-extract", "--settle", "0.2")
    stream: Stream | None = None
    try:
        # The first watcher makes the stream (R3: it is told of three servers) ...
        watchers = [start("watch-a", "--store", str(stores["watch-a"]), *watch, str(folders[0]))]
        wait_for("store opened by the first watcher", lambda: checkpoint(stores["watch-a"]) >= 0,
                 60, lambda: said("watch-a"), *watchers)
        stream = Stream(urls)
        assert stream.log.replicas == 3
        # ... then the other view nodes and the workers join it.
        watchers.append(start("watch-b", "--store", str(stores["watch-b"]), *watch,
                              str(folders[1])))
        follower = start("follow", "--store", str(stores["follow"]), "follow")
        workers = [start(f"worker-{w}", "worker", "--ack-wait", "5") for w in range(3)]
        running = [*watchers, follower, *workers]
        wait_for("store opened by every view node",
                 lambda: all(checkpoint(stores[n]) >= 0 for n in ("watch-b", "follow")), 60,
                 lambda: said("watch-b") + said("follow"), *running)

        # The burst: half the files, the leader killed while they are taken in, the
        # other half, a worker killed mid-document; the server is back later.
        for path, data in files[:DOCUMENTS // 2]:
            path.write_bytes(data)
        wait_for("burst under way", lambda: stream.log.head >= 1500, 300, lambda: str(stream),
                 *running)
        leader = stream.log.stream_state().cluster.leader
        [killed] = [n for n in nodes if n.name == leader]
        killed.kill()
        at_kill = stream.log.head
        for path, data in files[DOCUMENTS // 2:]:
            path.write_bytes(data)
        victim = workers[0]
        wait_for("worker caught mid-document", lambda: extracting(victim, logs / "worker-0"),
                 120, lambda: said("worker-0")[-2000:], *running)
        victim.kill()
        victim.wait(10)
        running.remove(victim)
        wait_for("burst going on without the killed server",
                 lambda: stream.log.head >= at_kill + 3000 or stream.update().complete, 300,
                 lambda: str(stream), *running)
        killed.start()

        wait_for("whole burst in the stream", lambda: stream.update().complete, 900,
                 lambda: str(stream), *running)

        def replicas() -> str:
            place = stream.log.stream_state().cluster
            return f"leader {place.leader}; " + ", ".join(
                f"{r.name}: {'current' if r.current else f'behind by {r.lag}'}"
                for r in place.replicas or [])

        wait_for("restarted server caught up", lambda: "behind" not in replicas()
                 and killed.name in replicas(), 120, replicas, *running)
        assert not stream.failed, stream.failed[:3]
        head = stream.log.head
        view_nodes = ["watch-a", "watch-b", "follow"]
        wait_for("view nodes at the stream's end",
                 lambda: all(checkpoint(stores[n]) == head for n in view_nodes), 120,
                 lambda: str({n: checkpoint(stores[n]) for n in view_nodes}) + f" of {head}",
                 *running)
        # A view node started after the burst catches up.
        late = start("late", "--store", str(stores["late"]), "follow")
        running.append(late)
        wait_for("late view node caught up", lambda: checkpoint(stores["late"]) == head, 300,
                 lambda: f"{checkpoint(stores['late'])} of {head}", late)
        for proc in running:
            proc.send_signal(signal.SIGINT)
        for proc in running:
            assert proc.wait(60) == 0, f"{proc.args} exited {proc.returncode}"

        # Exactly once, in the stream itself.
        stream.update()
        assert set(stream.added.values()) == {1} and set(stream.outcomes.values()) == {1}, \
            str(stream)
        # The killed worker's document went to another worker, which extracted it.
        extracted = logged("worker-1", "extracted") + logged("worker-2", "extracted")
        assert any(r.get("delivered", 1) > 1 for r in extracted), \
            "no document was handed out again after the worker was killed"
        # The watchers lost nothing of the 2,000-file burst, and rejected nothing.
        for name in ("watch-a", "watch-b"):
            [stopped] = logged(name, "stopped watching")
            assert stopped["rejected"] == 0 and stopped["others"] > 0, stopped

        # Every view node equals an embedded-log run over the same files.
        run_factfold("ingest", *map(str, folders), store=tmp_path / "embedded", timeout=600)
        expected = export(tmp_path / "embedded")
        documents = "SELECT doc_id, path, status, facts FROM documents"
        extractions = "SELECT doc_id, extractor, version, status, facts FROM extractions"
        assert len(rows(tmp_path / "embedded", documents)) == DOCUMENTS
        key = lambda f: json.dumps(f, sort_keys=True)  # noqa: E731
        for name, store in stores.items():
            got = export(store, *log)
            assert sorted(map(key, got)) == sorted(map(key, expected)), \
                f"{name}: {differences(expected, got)}"
            assert rows(store, documents) == rows(tmp_path / "embedded", documents), name
            assert rows(store, extractions) == rows(tmp_path / "embedded", extractions), name
        # Each node folded the stream alike; replay from the stream gives the same tables.
        folded = tables(stores["follow"])
        for name in ("watch-a", "watch-b", "late"):
            assert tables(stores[name]) == folded, name
        run_factfold(*log, "replay", store=stores["follow"], timeout=300)
        assert tables(stores["follow"]) == folded
    finally:
        if stream is not None:
            stream.log.close()
        for node in nodes:
            node.stop()

