"""`factfold worker`s sharing the NATS log's work queue, as real processes on a real
nats-server: one SIGKILLed in the middle of a document, every document extracted once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path

from helpers import ROOT, STARTED, install, run_factfold, site_env
from natsserver import NatsServer

from factfold.events import EventCodec, ExtractionCompleted, ExtractionFailed
from factfold.natslog import NatsLog
from factfold.pluginmanager import PluginHost

SLOW = """
import os
import time
from pathlib import Path

from factfold import Extractor, Person, hookimpl


def extract(doc):
    # which worker (the parent of this extracting process) started on which document
    (Path(os.environ["SLOW_MARKS"]) / f"{os.getppid()}-{doc.doc_id[:12]}").touch()
    time.sleep(float(os.environ["SLOW_SECONDS"]))
    return [Person(span=(0, 1), evidence=doc.text[:1], name=doc.text.split()[1])]


@hookimpl
def factfold_register_extractors(register):
    register(Extractor(name="slow", version="1", extract=extract, emits=(Person,)))
"""


def slow_plugin(tmp_path: Path, seconds: float) -> tuple[Path, dict[str, str]]:
    """The slow extractor installed for subprocesses: the folder where each extraction
    leaves a mark (``PID-DOC``), and the environment that loads only it."""
    marks = tmp_path / "marks"
    marks.mkdir()
    return marks, site_env(install(tmp_path / "site", "slow", SLOW), FACTFOLD_PLUGINS="slow",
                           SLOW_MARKS=str(marks), SLOW_SECONDS=str(seconds))


def queue_documents(tmp_path: Path, url: str, count: int, env: dict[str, str]) -> None:
    """Ingest ``count`` small distinct documents into the NATS log at ``url`` without
    extracting them: they wait in the workers' queue."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(count):
        (docs / f"d{i}.txt").write_text(f"document w{i} here\n", encoding="utf-8")
    run_factfold("--log", url, "ingest", "--no-extract", str(docs), store=tmp_path / "a",
                 env=env)


def export(store: Path, env: dict, *log: str) -> list[str]:
    out = run_factfold(*log, "export", store=store, env=env).stdout
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in out.splitlines())


def ack_pending(url: str) -> int:
    """How many documents the workers hold (taken, not yet acknowledged); 0 before the
    first worker made the queue."""
    codec = EventCodec(PluginHost(load_entrypoints=False).event_registry())
    with NatsLog([url], codec) as stream:
        return sum(c.num_ack_pending for c in stream.consumers()
                   if c.name == "factfold-extract")


def outcomes(url: str) -> list[str]:
    """The kinds of the extraction outcomes in the log at ``url``, in order."""
    codec = EventCodec(PluginHost(load_entrypoints=False).event_registry())
    with NatsLog([url], codec) as stream:
        return [type(e.payload).__name__ for e in stream.read()
                if isinstance(e.payload, ExtractionCompleted | ExtractionFailed)]


def extracted(stderr: str) -> dict[str, int]:
    """The documents a worker says it extracted (short id), with their delivery count."""
    found = {}
    for line in stderr.splitlines():
        if re.search(r"\bextracted\b", line) and "worker stopped" not in line:
            found[re.search(r"doc_id=(\w+)", line)[1]] = int(
                re.search(r"delivered=(\d+)", line)[1])
    return found


def test_a_worker_killed_holding_two_documents_has_both_extracted_once_by_others(tmp_path):
    """A worker holds two documents (one extracting, the next waiting behind it); SIGKILLed,
    both go to the other workers after the ack wait, and each is extracted once."""
    server = NatsServer(tmp_path / "nats").start()
    marks, env = slow_plugin(tmp_path, seconds=0.4)
    log = ("--log", server.url)
    worker = partial(subprocess.Popen, [sys.executable, "-m", "factfold", *log, "worker",
                                        "--ack-wait", "2", "--stop-when-idle", "5"],
                     cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE, text=True)
    try:
        queue_documents(tmp_path, server.url, 12, env)
        victim = worker()
        STARTED.append(victim)
        deadline = time.monotonic() + 60
        while not (any(m.name.startswith(f"{victim.pid}-") for m in marks.iterdir())
                   and ack_pending(server.url) == 2):
            assert victim.poll() is None, victim.stderr.read()
            assert time.monotonic() < deadline, "the worker never held two documents"
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)  # in the middle of one, the next in hand
        [lost] = [m.name.split("-")[1] for m in marks.iterdir()
                  if m.name.startswith(f"{victim.pid}-")]
        others = [worker() for _ in range(2)]  # sharing the queue
        STARTED.extend(others)
        said = [w.communicate(timeout=90)[1] for w in others]
        assert [w.returncode for w in others] == [0, 0], said
        # Both documents the killed worker held came back (a second delivery) and were
        # extracted, once, by the others; the one it was extracting among them.
        by_others = [extracted(s) for s in said]
        assert all(by_others) and not set(by_others[0]) & set(by_others[1])
        again = {doc for found in by_others for doc, delivered in found.items()
                 if delivered == 2}
        assert len(again) == 2 and lost in again
        assert sum(map(len, by_others)) == 12
        assert any(m.name.endswith(f"-{lost}") and not m.name.startswith(f"{victim.pid}-")
                   for m in marks.iterdir())
        # A view node built afterwards from the stream: every document, each once.
        run_factfold(*log, "replay", store=tmp_path / "node", env=env)
        run_factfold("ingest", str(tmp_path / "docs"), store=tmp_path / "local", env=env)
        expected = export(tmp_path / "local", env)
        assert len(expected) == 12 and export(tmp_path / "node", env, *log) == expected
        codec = EventCodec(PluginHost(load_entrypoints=False).event_registry())
        with NatsLog([server.url], codec) as stream:
            done = Counter(e.payload.doc_id for e in stream.read()
                           if isinstance(e.payload, ExtractionCompleted))
        assert len(done) == 12 and set(done.values()) == {1}
    finally:
        server.stop()


def test_a_view_node_follows_live_and_status_shows_the_queue(tmp_path):
    """`follow` keeps a view node's views up to date while another host ingests; `status`
    shows the stream and the work queue's lag."""
    server = NatsServer(tmp_path / "nats").start()
    env = {"FACTFOLD_PLUGINS": "statistics"}
    log = ("--log", server.url)
    docs = tmp_path / "docs"
    docs.mkdir()
    try:
        run_factfold(*log, "ingest", str(docs), store=tmp_path / "node", env=env)
        node = subprocess.Popen(
            [sys.executable, "-m", "factfold", *log, "--store", str(tmp_path / "node"),
             "follow", "--interval", "0.1"], cwd=ROOT, env={**os.environ, **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        STARTED.append(node)
        for i in range(3):
            (docs / f"d{i}.txt").write_text(f"会议有{i + 3}00人参加。\n", encoding="utf-8")
        run_factfold(*log, "ingest", str(docs), store=tmp_path / "ingester", env=env)
        expected = export(tmp_path / "ingester", env, *log)
        assert len(expected) == 3
        deadline = time.monotonic() + 30
        while export(tmp_path / "node", env, *log) != expected:
            assert node.poll() is None, node.stderr.read()
            assert time.monotonic() < deadline, "the view node did not follow"
            time.sleep(0.2)
        node.send_signal(signal.SIGINT)
        assert node.wait(10) == 0
        # A worker takes the three documents (already extracted: it only acknowledges).
        run_factfold(*log, "worker", "--stop-when-idle", "0", env=env)
        shown = run_factfold(*log, "status", env=env).stdout
        codec = EventCodec(PluginHost(load_entrypoints=False).event_registry())
        with NatsLog([server.url], codec) as stream:
            assert f"stream FACTFOLD: {stream.head} events" in shown
        [row] = [line for line in shown.splitlines() if "factfold-extract" in line]
        assert [cell.strip() for cell in row.split("│")[2:6]] == ["0", "0", "0", "0"]
        assert "worker seen in the last minute" in shown  # the one that just ran
    finally:
        server.stop()


def test_a_document_no_worker_finishes_is_recorded_as_failed_after_the_attempts(tmp_path):
    server = NatsServer(tmp_path / "nats").start()
    marks, env = slow_plugin(tmp_path, seconds=60)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "d.txt").write_text("document never finished\n", encoding="utf-8")
    log = ("--log", server.url)
    command = [sys.executable, "-m", "factfold", *log, "worker", "--attempts", "1",
               "--ack-wait", "1", "--stop-when-idle", "4"]
    try:
        run_factfold(*log, "ingest", "--no-extract", str(docs), store=tmp_path / "a", env=env)
        first = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        STARTED.append(first)
        deadline = time.monotonic() + 60
        while not any(marks.iterdir()):
            assert time.monotonic() < deadline, "the worker never started the document"
            time.sleep(0.02)
        first.kill()
        first.wait(10)
        second = run_factfold(*command[3:], env=env)  # the same worker command, again
        assert "extracted 1 documents" in second.stderr
        assert len(list(marks.iterdir())) == 1  # it did not run the extractor again
        codec = EventCodec(PluginHost(load_entrypoints=False).event_registry())
        with NatsLog([server.url], codec) as stream:
            [failed] = [e.payload for e in stream.read()
                        if isinstance(e.payload, ExtractionFailed)]
        assert failed.error == "WorkerLost" and failed.extractor == "slow"
    finally:
        server.stop()


def test_watch_on_a_nats_log_extracts_in_process(tmp_path):
    server = NatsServer(tmp_path / "nats").start()
    env = {"FACTFOLD_PLUGINS": "statistics"}
    log = ("--log", server.url)
    inbox = tmp_path / "inbox"
    try:
        watch = subprocess.Popen(
            [sys.executable, "-m", "factfold", *log, "--store", str(tmp_path / "w"), "watch",
             "--create", "--no-status", "--settle", "0.1", str(inbox)],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        STARTED.append(watch)
        deadline = time.monotonic() + 60
        while not (tmp_path / "w" / "views.sqlite").exists():
            assert watch.poll() is None and time.monotonic() < deadline, watch.stderr.read()
            time.sleep(0.1)
        (inbox / "a.txt").write_text("会议有300人参加。\n", encoding="utf-8")
        while not export(tmp_path / "w", env, *log):
            assert watch.poll() is None and time.monotonic() < deadline, watch.stderr.read()
            time.sleep(0.2)
        watch.send_signal(signal.SIGINT)
        out, _ = watch.communicate(timeout=20)
        assert "300" in out  # the facts it printed as they were appended
        [fact] = export(tmp_path / "w", env, *log)
        assert json.loads(fact)["value"] == 300
    finally:
        server.stop()


def test_documents_longer_than_the_ack_wait_stay_with_their_living_worker(tmp_path):
    """Each document takes three ack waits to extract: neither the one being extracted
    nor the one a worker holds behind it is handed to the other worker."""
    server = NatsServer(tmp_path / "nats").start()
    marks, env = slow_plugin(tmp_path, seconds=3)
    log = ("--log", server.url)
    command = [sys.executable, "-m", "factfold", *log, "worker", "--attempts", "1",
               "--ack-wait", "1", "--stop-when-idle", "5"]
    try:
        queue_documents(tmp_path, server.url, 2, env)
        start = partial(subprocess.Popen, command, cwd=ROOT, env={**os.environ, **env},
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        workers = [start()]
        STARTED.extend(workers)
        deadline = time.monotonic() + 60
        while ack_pending(server.url) < 2:  # the first worker holds both
            assert time.monotonic() < deadline, "the worker never held two documents"
            time.sleep(0.02)
        workers.append(start())  # asking for work all along: none comes
        STARTED.append(workers[-1])
        said = [w.communicate(timeout=60)[1] for w in workers]
        assert [sorted(extracted(s).values()) for s in said] == [[1, 1], []], said
        assert len(list(marks.iterdir())) == 2  # each extracted once, by its taker
        assert outcomes(server.url) == ["ExtractionCompleted"] * 2
    finally:
        server.stop()


def test_a_worker_interrupted_gives_the_documents_it_holds_back_at_once(tmp_path):
    """Ctrl-C on a worker holding two documents: the next worker gets both at once, not
    after the (one-minute) ack wait."""
    server = NatsServer(tmp_path / "nats").start()
    _, env = slow_plugin(tmp_path, seconds=1)
    log = ("--log", server.url)
    try:
        queue_documents(tmp_path, server.url, 2, env)
        first = subprocess.Popen([sys.executable, "-m", "factfold", *log, "worker"], cwd=ROOT,
                                 env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
        STARTED.append(first)
        deadline = time.monotonic() + 60
        while ack_pending(server.url) < 2:
            assert first.poll() is None, first.stderr.read()
            assert time.monotonic() < deadline, "the worker never held two documents"
            time.sleep(0.02)
        first.send_signal(signal.SIGINT)
        assert first.wait(20) == 0
        started = time.monotonic()
        second = run_factfold(*log, "worker", "--stop-when-idle", "2", env=env, timeout=50)
        assert time.monotonic() - started < 30  # well before the ack wait (60 s)
        # On a loaded machine the first may record its first document before the signal
        # lands (and be stopped before saying so); whatever it had not recorded, the second
        # takes again: each document has one outcome.
        by_first, by_second = extracted(first.stderr.read()), extracted(second.stderr)
        assert by_second and set(by_second.values()) == {2}  # given back, taken again
        assert not by_first.keys() & by_second.keys()
        assert sorted(outcomes(server.url)) == ["ExtractionCompleted"] * 2
    finally:
        server.stop()


def test_a_worker_keeps_nothing_per_document_once_done(tmp_path):
    """A worker going through a backfill forgets each document's subjects once it is
    acknowledged (else a million documents would be four million entries)."""
    from factfold.natsworker import run_worker

    server = NatsServer(tmp_path / "nats").start()
    env = {"FACTFOLD_PLUGINS": "statistics"}
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(20):
        (docs / f"d{i}.txt").write_text(f"会议有{i + 3}00人参加。\n", encoding="utf-8")
    log = ("--log", server.url)
    try:
        run_factfold(*log, "ingest", "--no-extract", str(docs), store=tmp_path / "a", env=env)
        plugins = PluginHost(only=["statistics"])
        with NatsLog([server.url], EventCodec(plugins.event_registry())) as stream:
            assert run_worker(stream, plugins, stop_when_idle=0) == 20
            assert not [s for s in stream._last_on if s.startswith("factfold.x.")]
            done = Counter(e.payload.doc_id for e in stream.read()
                           if isinstance(e.payload, ExtractionCompleted))
        assert len(done) == 20 and set(done.values()) == {1}
    finally:
        server.stop()
