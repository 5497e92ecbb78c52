"""SIGKILL at every step of the ingest path, then a restart: every document exactly once.

The real ``factfold ingest`` runs in a subprocess that kills itself with SIGKILL the Nth
time it reaches one step (the hook is installed by the test's launcher, not by product
code): half of a log frame written, a whole frame written but not yet fsynced, recorded
events not yet committed to the views, and an extraction under way.  A second, clean
``ingest`` must then leave the store exactly as an uninterrupted run does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from helpers import ROOT, SEEDS, run_factfold

from factfold.events import DocumentAdded, ExtractionCompleted
from factfold.store import Store

ENV = {"FACTFOLD_PLUGINS": "statistics,meetings"}

LAUNCHER = textwrap.dedent("""
    import os, signal, sys
    step, nth = sys.argv[1], int(sys.argv[2])
    calls = 0

    def crash_on(owner, name, before=None, when=lambda *args: True):
        original = getattr(owner, name)
        def wrapper(*args, **kwargs):
            global calls
            if not when(*args):
                return original(*args, **kwargs)
            calls += 1
            if calls == nth:
                if before:
                    before(*args, **kwargs)
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)
        setattr(owner, name, wrapper)

    import factfold.segments as segments, factfold.viewstore as viewstore
    import factfold.runner as runner
    if step == "torn-frame":        # half a batch reaches the file, then the process dies
        real_pwrite = os.pwrite
        crash_on(segments.os, "pwrite",
                 before=lambda fd, data, at: real_pwrite(fd, data[: len(data) // 2], at),
                 when=lambda fd, data, at: data[:4] == segments.HEADER.pack(
                     segments.MAGIC, 0, 0, 0, 0)[:4])
    elif step == "before-fsync":     # the whole frame is written, never synced
        crash_on(segments.os, "fdatasync")
    elif step == "before-view-commit":  # folded into the views, not yet committed
        crash_on(viewstore.ViewStore, "commit", when=lambda views: views._in_tx)
    elif step == "mid-extraction":
        crash_on(runner, "outcome_batch")  # extracted, not yet appended
    sys.argv = ["factfold", *sys.argv[3:]]
    from factfold.cli import main
    main()
""")


def ingest_with_crash(store, step: str, nth: int) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, step, str(nth), "--store", str(store), "ingest",
         "seeds/"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **ENV}, timeout=300)
    return proc.returncode


def export(store) -> list[str]:
    return sorted(run_factfold("export", store=store, env=ENV).stdout.splitlines())


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    store = tmp_path_factory.mktemp("clean") / "store"
    run_factfold("ingest", "seeds/", store=store, env=ENV)
    return export(store)


# An ingest of the seeds writes at least six frames, each synced: one per document, and
# the outcomes of documents that finish together share one (how many do is up to timing).
@pytest.mark.parametrize("step, nth", [
    ("torn-frame", 1), ("torn-frame", 4), ("torn-frame", 6),
    ("before-fsync", 2), ("before-fsync", 6),
    ("before-view-commit", 1), ("before-view-commit", 2),
    ("mid-extraction", 1), ("mid-extraction", 4),
])
def test_a_kill_at_any_step_then_a_restart_counts_every_document_once(
        tmp_path, clean, step, nth):
    store = tmp_path / "store"
    assert ingest_with_crash(store, step, nth) == -signal.SIGKILL
    run_factfold("ingest", "seeds/", store=store, env=ENV)

    assert export(store) == clean
    with Store(store, writable=False) as s:
        events = [e.payload for e in s.log.read()]
    added = [e.doc_id for e in events if isinstance(e, DocumentAdded)]
    assert sorted(added) == sorted(set(added)) and len(added) == len(list(SEEDS.iterdir()))
    done = [(e.doc_id, e.extractor) for e in events if isinstance(e, ExtractionCompleted)]
    assert sorted(done) == sorted(set(done)) and len(done) == 2 * len(added)
    verify = run_factfold("log", "verify", store=store, env=ENV)
    assert "log ok" in verify.stdout
