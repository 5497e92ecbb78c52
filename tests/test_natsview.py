"""View nodes on a NATS log: every process with views folds the whole stream, what other
hosts append included, in stream order, each position once (real nats-server processes)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, STARTED, run_factfold
from natsserver import NatsServer
from rich.console import Console

from factfold.status import StatusPanel
from factfold.store import Store
from factfold.watchstats import WatchStats


@pytest.fixture
def server(tmp_path: Path):
    srv = NatsServer(tmp_path / "nats").start()
    yield srv
    srv.stop()


def tables(store: Store) -> dict[str, list[str]]:
    """Every view table's rows, sorted, but the checkpoints and the extraction marks
    (what this store ran itself): what two folds of one log share."""
    db = store.views.db
    names = [n for (n,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT IN ('checkpoints', 'extracted_through')")]
    return {n: sorted(map(repr, db.execute(f'SELECT * FROM "{n}"'))) for n in names}


def test_a_writer_folds_what_others_appended_before_its_own_appends(server, tmp_path, toy_host):
    """Two writers on one stream, their appends interleaved: each one's views fold the
    other's events too, in stream order and once, as a replay of the stream does."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(6):
        (docs / f"d{i}.txt").write_text(f"会长王{'一二三四五六'[i]}明说，{i + 1}00人参加。\n",
                                       encoding="utf-8")
    log = [server.url]
    with Store(tmp_path / "a", plugins=toy_host, log_servers=log) as a, \
            Store(tmp_path / "b", plugins=toy_host, log_servers=log) as b:
        for i in range(6):  # a, b, a, b...: each append finds the other's before it
            writer = (a, b)[i % 2]
            assert writer.ingest_file(docs / f"d{i}.txt") == "added"
            writer.extract_pending()
            # its views hold the whole stream to its last append, the other's events too
            assert writer.views.position == writer.log.head
        assert b.catch_up() == 0 and a.catch_up() == 5  # b's last document, extracted
        head = a.log.head
        for store in (a, b):
            store.commit_views()
            assert store.views.position == head
            assert len(store.paths()) == 6 and len(list(store.export())) == 12
        assert 0 < a.others_folded < head and 0 < b.others_folded < head
        assert a.others_folded + b.others_folded <= head
        with Store(tmp_path / "replayed", plugins=toy_host, log_servers=log,
                   fold_views=False) as replayed:
            replayed.replay()
            assert tables(a) == tables(b) == tables(replayed)


def export(store: Path, env: dict[str, str], *log: str) -> list[str]:
    out = run_factfold(*log, "export", store=store, env=env).stdout
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in out.splitlines())


def start_watch(store: Path, folder: Path, env: dict[str, str], extract: str, *log: str
                ) -> subprocess.Popen[str]:
    """A real ``factfold watch`` on ``folder``, once its views are open."""
    watch = subprocess.Popen(
        [sys.executable, "-m", "factfold", *log, "--store", str(store), "watch", "--create",
         "--no-status", extract, "--settle", "0.1", str(folder)],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    STARTED.append(watch)
    deadline = time.monotonic() + 60
    while not (store / "views.sqlite").exists():
        assert watch.poll() is None, watch.stderr.read() if watch.stderr else ""
        assert time.monotonic() < deadline, "the watch did not open its store"
        time.sleep(0.1)
    return watch


@pytest.mark.parametrize("extract", ["--no-extract", "--extract"])
def test_two_watchers_each_holds_both_folders(server, tmp_path, extract):
    """Two `watch`es on two folders (with `--no-extract`, and a `worker`; else each
    extracting its own documents): each watcher's views hold both folders' documents and
    all their facts, as an embedded-log run of the files."""
    env = {"FACTFOLD_PLUGINS": "statistics"}
    log = ("--log", server.url)
    folders = [tmp_path / "drop-a", tmp_path / "drop-b"]
    watches = [start_watch(tmp_path / f"w{f}", folder, env, extract, *log)
               for f, folder in enumerate(folders)]
    workers = [subprocess.Popen(
        [sys.executable, "-m", "factfold", *log, "worker"], cwd=ROOT,
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(extract == "--no-extract")]
    STARTED.extend(workers)
    for f, folder in enumerate(folders):
        for i in range(5):
            (folder / f"d{i}.txt").write_text(f"会议有{f + 1}{i}0人参加。\n", encoding="utf-8")
    run_factfold("ingest", *map(str, folders), store=tmp_path / "local", env=env)
    expected = export(tmp_path / "local", env)
    assert len(expected) == 10
    deadline = time.monotonic() + 60
    for w, watch in enumerate(watches):
        while (got := export(tmp_path / f"w{w}", env, *log)) != expected:
            assert watch.poll() is None, watch.stderr.read() if watch.stderr else ""
            assert time.monotonic() < deadline, (
                f"watcher {w} lacks {sorted(set(expected) - set(got))}, "
                f"has more: {sorted(set(got) - set(expected))}")
            time.sleep(0.2)
    for watch in watches:
        watch.send_signal(signal.SIGINT)
        _, said = watch.communicate(timeout=20)
        assert watch.returncode == 0, said
        # what the other watcher (and the worker) recorded, folded here: counted, not hidden
        [stopped] = [line for line in said.splitlines() if "stopped watching" in line]
        assert int(stopped.split("others=")[1].split()[0]) > 0, stopped
    for worker in workers:
        worker.send_signal(signal.SIGINT)
        assert worker.wait(20) == 0
    documents = [run_factfold(*log, "query", "documents", "--json", store=tmp_path / f"w{w}",
                              env=env).stdout for w in range(2)]
    assert documents[0] == documents[1] and documents[0].count("\n") == 10


@pytest.mark.parametrize("others", [None, 1234])
def test_the_status_panel_counts_what_other_hosts_recorded(others):
    """A watch on a shared log shows how many of the events it folded others recorded; on
    the embedded log (None: no other host appends) the row is not there."""
    shown = io.StringIO()
    panel = StatusPanel(Console(file=shown, width=100))
    panel.stats = WatchStats(ingested=3, others=others, facts={"person": 7})
    panel.console.print(panel._render())
    text = shown.getvalue()
    assert "3 ingested" in text and "7 person" in text
    assert ("other hosts" in text) == (others is not None)
    if others is not None:
        assert "1234 events they recorded folded here" in text
