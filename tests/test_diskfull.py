"""A full disk, for real: a small tmpfs under the store, or under the views file alone.

What must hold: one clear line instead of tracebacks, the watch alive and retrying the files
that failed once space returns, and the log never holding anything twice (an append that
failed leaves the log as it was; the views' transaction rolls back whole and is folded again
from the log).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from test_watch import (
    Watching,
    assert_exactly_once,
    cli,
    in_step,
    reader,
    stored_paths,
    text,
    wait_until,
    write,
)

#: enough text to fill a 2 MB file system several times over
FILES = 120


class Tmpfs:
    """A real tmpfs of a few MB at ``where``, grown on request (space freed)."""

    def __init__(self, where: Path, size: str = "2m") -> None:
        self.where = where
        where.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(where)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): "
                        f"{proc.stderr.strip()}")

    def grow(self, size: str = "256m") -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.where)], check=True)

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.where)], check=False)


@pytest.fixture(params=["store", "views"])
def full(request, tmp_path: Path):
    """The base folder of a store whose disk (the whole store, or the views file) is 2 MB."""
    base = tmp_path
    (base / "inbox").mkdir()
    if request.param == "store":
        fs = Tmpfs(base / "S")
    else:
        fs = Tmpfs(base / "small")
        (base / "S").mkdir()
        os.symlink(base / "small" / "views.sqlite", base / "S" / "views.sqlite")
    yield base, fs
    fs.unmount()


def drop(base: Path, count: int = FILES) -> None:
    for i in range(count):
        # ~40 KB each, unique: the views and the log both grow with every one
        write(base / "inbox" / f"doc{i:03}.txt", text(i) * 8 + f"第{i}号附件。\n" * 400)


def test_ingest_on_a_full_disk_ends_in_one_line_and_a_rerun_doubles_nothing(full):
    base, fs = full
    drop(base)
    proc = cli("ingest", "inbox", cwd=base, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "OperationalError" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("disk full: ") and last.endswith(
        " files not ingested; free space and run again"), proc.stderr
    assert 0 < int(last.split()[2]) <= FILES
    fs.grow()
    assert cli("log", "verify", cwd=base).returncode == 0
    cli("ingest", "inbox", cwd=base)
    assert len(stored_paths(base)) == FILES
    with reader(base) as store:
        assert_exactly_once(store)


def test_the_watch_waits_out_a_full_disk_and_catches_up_exactly_once(full):
    base, fs = full
    w = Watching(base).ready()
    drop(base)
    wait_until(lambda: w.logged("disk full: nothing more is recorded until space is freed; "
                                "the files waiting are retried then"), 60, "the disk to fill")
    full_at = len(stored_paths(base))
    assert full_at < FILES, "the disk never filled: test is void"
    time.sleep(4)  # several retries while the disk stays full
    assert w.proc.poll() is None
    assert len([e for e in w.events if e.get("event", "").startswith("disk full")]) == 1
    assert not [e for e in w.events if e.get("exception") or "Traceback" in e.get("event", "")]
    assert not [e for e in w.events if "no transaction is active" in str(e)]
    fs.grow()
    in_step(base, timeout=120)  # every file, each added and extracted exactly once
    assert w.logged("disk space is back; retrying the files that failed")
    assert w.stop() == 0
