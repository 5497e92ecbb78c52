"""``factfold watch`` under load: latency beyond the settle window, and a 20,000-file burst.

    .venv/bin/python bench/bench_watch.py                 # both, full sizes
    .venv/bin/python bench/bench_watch.py --files 2000    # a smaller burst
    FACTFOLD_PLUGINS=statistics .venv/bin/python bench/bench_watch.py   # fewer extractors

**Latency** (issue 4: p50 <= 50 ms, p99 <= 250 ms over 200 seed-sized files): a Watcher runs
in this process with every installed extractor; a writer thread closes one seed-sized file at
a time and the time from its close to the watcher's ``on_facts`` callback (called after the
facts are committed, so queryable) is taken, minus the settle window.

**Burst** (issue 4: 20,000 seed-sized files, none lost or doubled, memory bounded): the real
``factfold watch`` runs in a subprocess, is stopped with SIGSTOP while the files are written
(far more events than the inotify queue holds, so the kernel drops events and the watcher
must rescan), then continued.  Throughput is documents per second from SIGCONT until every
file is a live document; peak memory is the watcher's VmHWM, with its RSS sampled along the
way to show it does not grow per file beyond the document index.  The store is then checked:
every file one document, each added to the log once and extracted once per extractor.

Everything is written under bench/.work/watch (removed at the start of each run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from factfold import logconfig
from factfold.events import DocumentAdded, ExtractionCompleted
from factfold.pluginmanager import PluginHost
from factfold.store import Store
from factfold.watcher import WatchConfig, Watcher

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work" / "watch"
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def text(i: int) -> str:
    """A seed-sized document, distinct per ``i`` (identical ones would only be linked)."""
    return f"{SEEDS[i % len(SEEDS)]}\n第{i}号通报：共有{i % 9000 + 10}人参加。\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def latency(count: int, settle: float) -> dict:
    base = WORK / "latency"
    inbox = base / "inbox"
    inbox.mkdir(parents=True)
    closed: dict[str, float] = {}
    taken: dict[str, float] = {}
    arrived = threading.Condition()

    def on_facts(path: str, records: list) -> None:
        with arrived:
            taken[path] = time.perf_counter()
            arrived.notify_all()

    with Store(base / "store", plugins=PluginHost()) as store:
        names = [ex.ref for ex in store.extractors]  # loads models before the clock starts
        watcher = Watcher(store, inbox, WatchConfig(settle=settle))

        def writer() -> None:
            time.sleep(0.5)
            for i in range(count):
                path = os.path.normpath(str(inbox / f"doc{i:04}.txt"))
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text(i))
                closed[path] = time.perf_counter()
                with arrived:
                    arrived.wait_for(lambda p=path: p in taken, timeout=10)
            watcher.stop()

        thread = threading.Thread(target=writer)
        thread.start()
        watcher.run(on_facts=on_facts)
        thread.join()
    beyond = [(taken[p] - closed[p] - settle) * 1000 for p in closed if p in taken]
    return {"extractors": names, "files": count, "measured": len(beyond), "settle_s": settle,
            "p50_ms": percentile(beyond, 50), "p99_ms": percentile(beyond, 99),
            "max_ms": max(beyond), "mean_ms": statistics.fmean(beyond)}


def vm(pid: int, field: str) -> int:
    """A /proc/PID/status memory figure, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def burst(count: int, workers: int) -> dict:
    base = WORK / "burst"
    inbox = base / "inbox"
    inbox.mkdir(parents=True)
    cmd = [str(ROOT / ".venv" / "bin" / "factfold"), "--store", "store", "--log-format", "json",
           "watch", "inbox", "--no-status", "--no-print-facts", "--scan-interval", "3600",
           "--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    documents = 0
    overflows = 0
    ready = threading.Event()

    def read_logs() -> None:
        nonlocal documents, overflows
        assert proc.stderr is not None
        for line in proc.stderr:
            try:
                event = json.loads(line).get("event", "")
            except ValueError:
                print(line, end="", file=sys.stderr)
                continue
            if event == "watching":
                ready.set()
            elif event == "document":
                documents += 1
            elif "events were lost" in event:
                overflows += 1

    reader = threading.Thread(target=read_logs, daemon=True)
    reader.start()
    if not ready.wait(120):
        proc.kill()
        raise SystemExit("the watcher did not start")
    idle_rss = vm(proc.pid, "VmRSS")
    proc.send_signal(signal.SIGSTOP)
    started = time.perf_counter()
    for i in range(count):
        (inbox / f"b{i:05}.txt").write_text(text(i), encoding="utf-8")
    written = time.perf_counter() - started
    proc.send_signal(signal.SIGCONT)
    resumed = time.perf_counter()
    samples: list[tuple[int, int]] = []
    deadline = resumed + 3600
    while documents < count and proc.poll() is None and time.perf_counter() < deadline:
        samples.append((documents, vm(proc.pid, "VmRSS")))
        time.sleep(1)
    elapsed = time.perf_counter() - resumed
    peak = vm(proc.pid, "VmHWM")
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    reader.join(10)

    with Store(base / "store", plugins=PluginHost(load_entrypoints=False),
               writable=False) as store:
        paths = store.paths()
        added: Counter[str] = Counter()
        extracted: Counter[tuple[str, str]] = Counter()
        for env in store.log.read(0):
            if isinstance(env.payload, DocumentAdded):
                added[env.payload.doc_id] += 1
            elif isinstance(env.payload, ExtractionCompleted):
                extracted[env.payload.doc_id, env.payload.extractor] += 1
    expected = {os.path.join("inbox", p.name): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in inbox.iterdir()}
    quarter = [s for k, s in enumerate(samples) if k % max(1, len(samples) // 4) == 0]
    return {
        "files": count, "workers": workers, "write_s": round(written, 1),
        "ingest_s": round(elapsed, 1), "docs_per_s": round(documents / elapsed, 1),
        "overflows": overflows, "idle_rss_mib": idle_rss, "peak_rss_mib": peak,
        "rss_along_the_way": [f"{d} docs: {r} MiB" for d, r in quarter],
        "lost": len(set(expected.items()) - set(paths.items())),
        "extra": len(set(paths.items()) - set(expected.items())),
        "added_twice": sum(1 for n in added.values() if n > 1),
        "extracted_twice": sum(1 for n in extracted.values() if n > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-files", type=int, default=200)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--settle", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--skip-burst", action="store_true")
    args = parser.parse_args()
    logconfig.configure("console", "warning")
    shutil.rmtree(WORK, ignore_errors=True)
    lat = latency(args.latency_files, args.settle)
    print(f"latency beyond the {lat['settle_s']}s settle window, {lat['measured']}/"
          f"{lat['files']} files, extractors {', '.join(lat['extractors'])}:")
    print(f"  p50 {lat['p50_ms']:.1f} ms (target <= 50)   p99 {lat['p99_ms']:.1f} ms "
          f"(target <= 250)   mean {lat['mean_ms']:.1f} ms   max {lat['max_ms']:.1f} ms")
    # The targets are set over 200 files; fewer (bench-quick) are a smoke test.
    judged = lat["files"] >= 200
    figures = [
        {"name": "watch latency p50 beyond the settle window", "value": lat["p50_ms"],
         "unit": "ms", "target": "<= 50 ms", "note": f"{lat['measured']}/{lat['files']} files",
         "meets_target": lat["p50_ms"] <= 50 if judged else None},
        {"name": "watch latency p99 beyond the settle window", "value": lat["p99_ms"],
         "unit": "ms", "target": "<= 250 ms",
         "meets_target": lat["p99_ms"] <= 250 if judged else None},
    ]
    if args.skip_burst:
        _report(figures)
        return
    b = burst(args.files, args.workers)
    ok = not (b["lost"] or b["extra"] or b["added_twice"] or b["extracted_twice"])
    figures += [
        {"name": f"watch burst of {b['files']:,} files", "value": b["docs_per_s"],
         "unit": "docs/s", "target": "none lost or doubled", "meets_target": ok,
         "note": f"{b['lost']} lost, {b['added_twice']} added twice, "
                 f"{b['extracted_twice']} extracted twice; workers {b['workers']}"},
        {"name": "watch burst peak RSS", "value": b["peak_rss_mib"], "unit": "MiB",
         "note": "; ".join(b["rss_along_the_way"])},
    ]
    _report(figures)
    print(f"burst of {b['files']} files (written in {b['write_s']} s while the watcher was "
          f"stopped; {b['overflows']} inotify overflows reported):")
    print(f"  {b['docs_per_s']} documents/s ({b['ingest_s']} s), workers {b['workers']}; "
          f"RSS idle {b['idle_rss_mib']} MiB, peak {b['peak_rss_mib']} MiB; "
          + "; ".join(b["rss_along_the_way"]))
    print(f"  {'OK' if ok else 'FAILED'}: {b['lost']} lost, {b['extra']} unexpected, "
          f"{b['added_twice']} added twice, {b['extracted_twice']} extracted twice")
    if not ok:
        sys.exit(1)


def _report(figures: list[dict]) -> None:
    """Hand the figures to bench/run.py's table, if it asked for them."""
    out = os.environ.get("FACTFOLD_BENCH_OUT")
    if out:
        Path(out).write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
