"""The drop-folder policy: links, FIFOs, sizes, names and time, through ``ingest`` and ``watch``.

Real files, real FIFOs, real symbolic links, the real CLI in subprocesses.  A file the
policy does not take in is rejected with a reason (``query documents --rejected``), and
what a link points to is never read.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_watch import (
    ENV,
    FACTFOLD,
    Watching,
    assert_exactly_once,
    cli,
    export,
    log_of,
    reader,
    stored_paths,
    text,
    wait_until,
    write,
)

from factfold.display import store_name
from factfold.dropfolder import Limits, Refused, parse_size, read_file
from factfold.events import DocumentAdded

#: a statistic no seed holds, so its presence anywhere means the secret was read
SECRET = "机密通报：共有987654人参加。\n" * 20


@pytest.fixture
def base(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    return tmp_path


def rejected(base: Path) -> dict[str, str]:
    return {r["path"]: r["reason"] for r in map(json.loads, cli(
        "query", "documents", "--rejected", "--json", cwd=base).stdout.splitlines())}


def secret_outside(base: Path) -> Path:
    secret = write(base / "private" / "secret.txt", SECRET)
    os.chmod(secret, 0o600)
    return secret


def assert_secret_never_read(base: Path) -> None:
    assert not [r for r in export(base) if "987654" in json.dumps(r, ensure_ascii=False)]
    tail = cli("log", "tail", "-n", "100000", cwd=base).stdout
    assert "987654" not in tail and "机密" not in tail


def test_a_fifo_in_a_folder_is_rejected_by_ingest_instead_of_blocking_it(base):
    inbox = base / "inbox"
    os.mkfifo(inbox / "pipe")
    write(inbox / "good.txt", text(1))
    started = time.monotonic()
    cli("ingest", "inbox", cwd=base)  # blocked forever on open() before
    assert time.monotonic() - started < 60
    assert "regular file" in rejected(base)["inbox/pipe"]
    assert set(stored_paths(base)) == {"inbox/good.txt"}


def test_links_found_in_a_folder_are_rejected_and_never_read_by_ingest(base):
    inbox = base / "inbox"
    secret = secret_outside(base)
    os.symlink(secret, inbox / "absolute.txt")
    os.symlink("../private/secret.txt", inbox / "relative.txt")
    os.symlink("../private", inbox / "folder")
    os.symlink("..", inbox / "up")  # the store S sits beside the folder
    write(inbox / "good.txt", text(1))
    cli("ingest", "inbox", cwd=base)
    reasons = rejected(base)
    for name in ("absolute.txt", "relative.txt", "folder", "up"):
        assert "symbolic link" in reasons[f"inbox/{name}"], name
    assert set(stored_paths(base)) == {"inbox/good.txt"}
    assert_secret_never_read(base)
    # A path the user names is the user's choice: a link named on the command line is read.
    link = base / "mine.txt"
    os.symlink(secret, link)
    cli("ingest", "mine.txt", cwd=base)
    assert "mine.txt" in stored_paths(base)


def test_the_store_is_never_ingested_whatever_path_leads_to_it(base):
    write(base / "inbox" / "good.txt", text(1))
    cli("ingest", ".", cwd=base)  # the store S is inside "."
    assert not [p for p in stored_paths(base) if p.startswith("S/")]
    segment = sorted((base / "S" / "log").glob("*.seg"))[0]
    cli("ingest", os.path.relpath(segment, base), cwd=base)
    assert "store" in rejected(base)[os.path.relpath(segment, base)]


def test_the_watch_follows_no_link_made_while_it_runs_and_never_reads_its_own_store(base):
    inbox = base / "inbox"
    secret = secret_outside(base)
    w = Watching(base).ready()
    write(inbox / "good.txt", text(1))
    wait_until(lambda: "inbox/good.txt" in stored_paths(base), 30, "the good file")
    write(base / "private" / "notes" / "n.txt", SECRET)
    os.symlink("../private", inbox / "folder")  # a folder link made while watching
    os.symlink("..", inbox / "up")  # watch used to ingest its own segments through this
    os.symlink(secret, inbox / "file.txt")
    wait_until(lambda: {"inbox/folder", "inbox/up", "inbox/file.txt"} <= set(rejected(base)),
               30, "the links to be rejected")
    write(inbox / "after.txt", text(2))
    wait_until(lambda: "inbox/after.txt" in stored_paths(base), 30, "the file after the links")
    time.sleep(1)  # a loop through `up` would keep adding documents
    assert set(stored_paths(base)) == {"inbox/good.txt", "inbox/after.txt"}
    assert len(log_of(base, DocumentAdded)) == 2
    assert all("symbolic link" in r for r in rejected(base).values())
    assert_secret_never_read(base)
    assert w.proc.poll() is None


def test_a_file_swapped_for_a_link_or_a_fifo_while_being_read_never_yields_the_target(tmp_path):
    """The race between looking and opening, run for real: a thread swaps the name between a
    file, a link to a secret and a FIFO while the policy reads it thousands of times."""
    root = tmp_path / "in"
    root.mkdir()
    secret = write(tmp_path / "secret.txt", SECRET)
    target = str(root / "a.txt")
    stop = threading.Event()

    def swap() -> None:
        k = 0
        while not stop.is_set():
            k += 1
            staged = str(root / f".staged{k % 3}")
            if k % 3 == 0:
                Path(staged).write_text("public")
            elif k % 3 == 1:
                os.symlink(secret, staged)
            else:
                os.mkfifo(staged)
            os.rename(staged, target)
            time.sleep(0.0002)  # let each state be seen now and then

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    outcomes: dict[str, int] = {}
    try:
        for _ in range(3000):
            try:
                data = read_file(target, root=str(root), limits=Limits()).data
                outcome = data.decode()
            except Refused as exc:
                outcome = "refused: " + exc.reason.split(";")[0]
            except FileNotFoundError:
                outcome = "gone"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        stop.set()
        swapper.join(10)
    assert SECRET not in outcomes
    assert set(outcomes) <= {"public", "gone", "refused: a symbolic link",
                             "refused: not a regular file (a pipe, socket or device)"}, outcomes
    assert len(outcomes) >= 3, f"the swaps were not seen: {outcomes}"


def test_a_folder_swapped_for_a_link_below_the_folder_is_refused(tmp_path):
    root = tmp_path / "in"
    write(root / "sub" / "x.txt", "public")
    assert read_file(str(root / "sub" / "x.txt"), root=str(root), limits=Limits()).data == \
        b"public"
    write(tmp_path / "elsewhere" / "x.txt", SECRET)
    (root / "sub").rename(tmp_path / "old-sub")
    os.symlink(tmp_path / "elsewhere", root / "sub")
    with pytest.raises(Refused, match="symbolic link"):
        read_file(str(root / "sub" / "x.txt"), root=str(root), limits=Limits())
    with pytest.raises(Refused, match="outside"):
        read_file(str(tmp_path / "elsewhere" / "x.txt"), root=str(root), limits=Limits())


def run_measured(*args: str, cwd: Path, env: dict | None = None) -> tuple[int, float, int]:
    """The CLI in a subprocess: (exit status, seconds, peak RSS in MB) of that process alone."""
    started = time.monotonic()
    proc = subprocess.Popen([*FACTFOLD, "--store", "S", *args], cwd=cwd,
                            env={**ENV, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.monotonic() - started, usage.ru_maxrss // 1024


def test_files_over_the_size_limit_are_rejected_from_their_size_unread(base):
    inbox = base / "inbox"
    with open(inbox / "sparse.txt", "wb") as f:  # 2 GB that take no disk
        f.truncate(2 * 1000**3)
    write(inbox / "report.txt", (text(3) * 400)[: 3 * 1000**2])  # ~3 MB of text
    write(inbox / "good.txt", text(1))
    # What ingest takes anyway (the plugins' models and lexicons), from one small file:
    alone = base / "alone"
    write(alone / "inbox" / "good.txt", text(1))
    status, _, baseline = run_measured("ingest", "inbox", cwd=alone)
    assert status == 0
    status, seconds, rss = run_measured("ingest", "inbox", "--max-size", "1MB", cwd=base)
    assert status == 0
    # the sparse file used to take 3.2 GB: now it costs next to nothing beyond the baseline
    assert seconds < 60 and rss - baseline < 150, (seconds, rss, baseline)
    reasons = rejected(base)
    assert "too large: 2000000000 bytes" in reasons["inbox/sparse.txt"]
    assert "too large" in reasons["inbox/report.txt"]
    assert set(stored_paths(base)) == {"inbox/good.txt"}
    # the limit from the environment; the default (20 MB) takes the 3 MB report
    status, _, _ = run_measured("ingest", "inbox/report.txt", cwd=base,
                                env={"FACTFOLD_MAX_SIZE": "2MiB"})
    assert status == 0 and "inbox/report.txt" not in stored_paths(base)
    cli("ingest", "inbox/report.txt", cwd=base)
    assert "inbox/report.txt" in stored_paths(base)
    bad = cli("ingest", "inbox", "--max-size", "lots", cwd=base, check=False)
    assert bad.returncode == 2 and "not a size" in bad.stderr and "Traceback" not in bad.stderr


def test_a_large_file_does_not_hold_up_the_watch(base):
    inbox = base / "inbox"
    w = Watching(base, "--max-size", "1MB").ready()
    with open(inbox / "huge.txt", "wb") as f:
        f.truncate(2 * 1000**3)
    write(inbox / "good.txt", text(1))
    wait_until(lambda: "inbox/good.txt" in stored_paths(base), 20, "the good file")
    wait_until(lambda: "inbox/huge.txt" in rejected(base), 20, "the huge file's rejection")
    assert "too large" in rejected(base)["inbox/huge.txt"]
    assert w.proc.poll() is None


def test_a_name_that_is_not_utf8_is_stored_escaped_and_ingest_goes_on(base):
    inbox = base / "inbox"
    write(inbox / "a.txt", text(1))
    write(inbox / os.fsdecode(b"caf\xe9 \xff.txt"), text(2))
    write(inbox / "z.txt", text(3))  # after it: never ingested before
    cli("ingest", "inbox", cwd=base)
    assert set(stored_paths(base)) == {"inbox/a.txt", "inbox/caf\\xe9 \\xff.txt", "inbox/z.txt"}
    again = cli("ingest", "inbox", cwd=base)
    assert "3 unchanged" in again.stderr  # the stored name is stable


def test_stored_names_round_trip_to_the_bytes_on_disk():
    from factfold.dropfolder import disk_path

    for raw in (b"caf\xe9.txt", b"\xff\xfe\x80", "名字.txt".encode(), b"plain.txt"):
        name = store_name(os.fsdecode(raw))
        name.encode("utf-8")  # storable
        assert os.fsencode(disk_path(name)) == raw


def test_sizes_are_read_as_people_write_them():
    assert parse_size("20MB") == 20 * 1000**2
    assert parse_size("1.5G") == 1_500_000_000
    assert parse_size("512KiB") == 512 * 1024
    assert parse_size("4096") == 4096
    with pytest.raises(ValueError, match="not a size"):
        parse_size("big")


def test_a_file_that_never_settles_is_rejected_then_taken_once_it_stops(base):
    inbox = base / "inbox"
    w = Watching(base, "--settle-timeout", "1.5").ready()
    growing = inbox / "growing.txt"
    writer = subprocess.Popen([sys.executable, "-c", """
import sys, time
with open(sys.argv[1], "a", encoding="utf-8") as f:
    end = time.monotonic() + 6
    while time.monotonic() < end:
        f.write("第1号通报：共有12人参加。\\n"); f.flush(); time.sleep(0.05)
""", str(growing)])
    try:
        wait_until(lambda: "inbox/growing.txt" in rejected(base), 10, "the never-settling file")
        assert writer.poll() is None, "the writer stopped before the rejection: test is void"
        assert "still changing" in rejected(base)["inbox/growing.txt"]
    finally:
        writer.wait(30)
    wait_until(lambda: "inbox/growing.txt" in stored_paths(base), 20, "the settled file")
    with reader(base) as store:
        assert_exactly_once(store)
        [added] = [a for a in log_of(base, DocumentAdded) if a.path == "inbox/growing.txt"]
        assert added.size == growing.stat().st_size
    assert w.proc.poll() is None


def test_a_read_that_takes_too_long_is_given_up(tmp_path):
    """A read is timed between chunks: with no time at all, a file of several chunks fails."""
    root = tmp_path / "in"
    write(root / "long.txt", "第1号通报：共有12人参加。\n" * 200_000)  # ~6 MB: several chunks
    with pytest.raises(Refused, match="too slow"):
        read_file(str(root / "long.txt"), root=str(root), limits=Limits(read_timeout=0))
    assert len(read_file(str(root / "long.txt"), root=str(root), limits=Limits()).data) > 10**6


def test_a_file_that_waited_its_turn_is_not_taken_for_one_that_never_settles(base):
    """Seen, then the watch is held up (SIGSTOP: a backlog, a full disk) for longer than the
    settle timeout: the file did not change, so it is taken in, not rejected."""
    w = Watching(base, "--settle", "0.5", "--settle-timeout", "1").ready()
    write(base / "inbox" / "waited.txt", text(1))
    time.sleep(0.2)  # seen, and within its settle window
    w.proc.send_signal(signal.SIGSTOP)
    time.sleep(2)
    w.proc.send_signal(signal.SIGCONT)
    wait_until(lambda: "inbox/waited.txt" in stored_paths(base), 20, "the file")
    assert rejected(base) == {}
