"""A damaged store, as a user meets it: real files, real flipped bytes, the real command line.

The damage model is docs/log.md: a reader never changes what it reads; a torn tail is
cut by a writer only; damage is reported, never cut, and nothing is written after it;
``replay`` never throws views away for a log it cannot read; ``log salvage`` copies what
can be read and says what could not be; damaged views are rebuilt by a writer.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from helpers import ROOT, run_factfold

from factfold.events import BUILTIN_TYPES, EventCodec, EventRegistry
from factfold.segments import HEADER, SegmentLog, _Scan

ENV = {"FACTFOLD_PLUGINS": "statistics,meetings"}
CODEC = EventCodec(EventRegistry(BUILTIN_TYPES))


def factfold(store: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    return run_factfold(*args, store=store, env=ENV, check=check)


def export(store: Path) -> list[str]:
    return sorted(factfold(store, "export", check=True).stdout.splitlines())


def files(store: Path) -> dict[str, bytes]:
    """Every file of the store a command could change, by its path in the store: all but
    the lock (a writer names itself there before it reads a byte) and SQLite's -shm/-wal."""
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*"))
            if p.is_file() and p.name != "LOCK" and not p.name.endswith(("-shm", "-wal"))}


def frames(segment: Path) -> list[tuple[int, int, int]]:
    return [(offset, first, count) for offset, first, count, _ in _Scan(segment).frames()]


def flip(segment: Path, offset: int) -> None:
    data = bytearray(segment.read_bytes())
    data[offset] ^= 0xFF
    segment.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> tuple[Path, list[str]]:
    store = tmp_path_factory.mktemp("damage") / "store"
    factfold(store, "ingest", "seeds/", check=True)
    return store, export(store)


@pytest.fixture
def store(tmp_path, ingested) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(ingested[0], copy)
    return copy


def no_traceback(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def salvage_and_recover(store: Path, dest: Path, clean: list[str]) -> str:
    """``log salvage``, then what its last line says to do: the facts come back."""
    proc = no_traceback(factfold(store, "log", "salvage", str(dest)))
    assert proc.returncode == 0, proc.stderr
    assert f"factfold --store {dest} replay" in proc.stderr
    factfold(dest, "replay", check=True)
    factfold(dest, "ingest", "seeds/", check=True)  # re-extracts, or re-adds, what was lost
    assert export(dest) == clean
    assert "log ok" in factfold(dest, "log", "verify", check=True).stdout
    return proc.stdout


def test_damage_inside_the_active_segment_is_reported_and_no_command_cuts_it(
        store, ingested, tmp_path):
    (segment,) = (store / "log").glob("*.seg")
    # A batch of facts (more than a document's one event: its document is named in several
    # events' streams, so one flipped byte leaves it nameable), mid-log.
    found = [frame for frame in frames(segment) if frame[2] > 1]
    offset, first, count = found[len(found) // 2]
    flip(segment, offset + HEADER.size + 100)  # one byte, mid-log: whole batches follow
    before = files(store)

    # Readers read the views as they are, and leave everything as it was.
    assert export(store) == ingested[1]
    assert factfold(store, "query", "meetings", "--json", check=True).stdout
    verify = no_traceback(factfold(store, "log", "verify"))
    assert verify.returncode == 1 and "log DAMAGED" in verify.stdout
    assert (f"damaged {segment.name} at byte {offset}: checksum mismatch" in verify.stderr
            and f"events {first} to {first + count - 1} ({count}) are missing" in verify.stderr)
    # Writers refuse, saying what to do, and cut nothing.
    for command in (["ingest", "seeds/"], ["replay"]):
        proc = no_traceback(factfold(store, *command))
        assert proc.returncode != 0 and "not a torn tail" in proc.stderr, proc.stderr
        assert "log salvage DEST" in proc.stderr and "log verify" in proc.stderr
    assert files(store) == before and not (store / "log" / "repairs.jsonl").exists()

    report = salvage_and_recover(store, tmp_path / "salvaged", ingested[1])
    assert f"lost {count} events (positions {first} to {first + count - 1})" in report
    assert "seeds/" in report.split("documents:")[1]  # the document it belonged to
    assert files(store) == before


def resegmented(store: Path, segment_bytes: int) -> list[Path]:
    """The store's log copied into segments of ``segment_bytes``, as a long-lived store's
    log is kept (64 MiB each), with views built from it."""
    source = SegmentLog(store / "log", CODEC)
    batches = list(source.read_batches())
    shutil.rmtree(store / "log")
    with SegmentLog(store / "log", CODEC, writable=True, segment_bytes=segment_bytes) as log:
        for _, count, payload in batches:
            log.append_stored(count, payload)
    factfold(store, "replay", check=True)
    segments = sorted((store / "log").glob("*.seg"))
    assert len(segments) >= 3
    return segments


def test_replay_of_a_damaged_sealed_segment_keeps_the_views_and_loses_nothing(
        store, ingested, tmp_path):
    segments = resegmented(store, 40_000)
    sealed = segments[1]
    flip(sealed, frames(sealed)[0][0] + HEADER.size + 50)
    views = (store / "views.sqlite").read_bytes()

    replay = no_traceback(factfold(store, "replay"))
    assert replay.returncode == 2 and f"{sealed.name} at byte 0: checksum mismatch" in replay.stderr
    assert "log salvage" in replay.stderr
    assert (store / "views.sqlite").read_bytes() == views  # not dropped, not touched
    assert not list(store.glob("views.sqlite.rebuild*"))
    assert export(store) == ingested[1]  # and every command still works
    assert factfold(store, "log", "verify").returncode == 1

    # The advice of old, a segment moved aside, no longer hides its events.
    sealed.rename(tmp_path / "aside.seg")
    start, stop = int(sealed.stem), int(segments[2].stem)
    verify = no_traceback(factfold(store, "log", "verify"))
    assert verify.returncode == 1
    assert f"events {start} to {stop - 1} ({stop - start}) are missing" in verify.stderr
    replay = no_traceback(factfold(store, "replay"))
    assert replay.returncode == 2 and "missing" in replay.stderr
    assert export(store) == ingested[1]

    (tmp_path / "aside.seg").rename(sealed)
    report = salvage_and_recover(store, tmp_path / "salvaged", ingested[1])
    assert f"{sealed.name} bytes 0 to" in report


def test_a_torn_tail_is_cut_by_the_next_writer_not_by_a_reader(store, ingested):
    (segment,) = (store / "log").glob("*.seg")
    last = frames(segment)[-1][0]
    segment.write_bytes(segment.read_bytes()[:-30])
    before = files(store)
    verify = no_traceback(factfold(store, "log", "verify", check=True))
    assert "log ok" in verify.stdout and "0 repairs" in verify.stdout
    assert f"torn tail {segment.name} from byte {last}" in verify.stderr
    export(store)
    assert files(store) == before
    factfold(store, "ingest", "seeds/", check=True)  # a writer: cuts it, re-extracts
    verify = factfold(store, "log", "verify", check=True)
    assert "1 repairs" in verify.stdout and "cut 0 bytes" not in verify.stderr
    assert export(store) == ingested[1]


# -- the views file ---------------------------------------------------------------------------

def garbage(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize("damage", [garbage, truncate])
@pytest.mark.parametrize("writer", [["replay"], ["ingest", "seeds/"]])
def test_damaged_views_are_named_by_a_reader_and_rebuilt_by_a_writer(
        store, ingested, damage, writer):
    views = store / "views.sqlite"
    damage(views)
    broken = views.read_bytes()
    for command in (["query", "people"], ["export"]):
        proc = no_traceback(factfold(store, *command))
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
        assert "cannot be read" in proc.stderr and "factfold replay" in proc.stderr
    assert views.read_bytes() == broken

    proc = no_traceback(factfold(store, *writer, check=True))
    assert "set aside" in proc.stderr
    (kept,) = store.glob("views.sqlite.broken-*[0-9Z]")
    assert kept.read_bytes() == broken  # kept for a look
    assert export(store) == ingested[1]


# -- readers need no write access -----------------------------------------------------------

def as_reader(store: Path, *args: str) -> subprocess.CompletedProcess:
    """``factfold`` as a user who may read the store and nothing more: root is switched to
    nobody (root's writes are never refused); any other user reads a store made read-only."""
    cmd = [sys.executable, "-m", "factfold", "--store", str(store), *args]
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, **ENV, "HOME": "/nonexistent"})


def read_everything(store: Path, clean: list[str]) -> None:
    for command, expected in ((["query", "meetings", "--json"], '"kind": "meeting"'),
                              (["log", "verify"], "log ok"),
                              (["log", "tail", "-n", "2"], '"position"')):
        proc = no_traceback(as_reader(store, *command))
        assert proc.returncode == 0 and expected in proc.stdout, (command, proc.stderr)
    proc = no_traceback(as_reader(store, "export"))
    assert sorted(proc.stdout.splitlines()) == clean, proc.stderr


def test_a_user_who_may_only_read_the_store_reads_it(ingested):
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot switch to an unprivileged user")
    # In the system's temporary folder itself: pytest's own folders are private to their
    # user.  A folder of this test's own, since another run may be at this test too.
    home = Path(tempfile.mkdtemp(prefix="factfold-readable-"))
    home.chmod(0o755)
    store = home / "store"
    shutil.copytree(ingested[0], store)
    factfold(store, "ingest", "seeds/", check=True)  # a writer was the last to close it
    if os.geteuid() != 0:
        for p in [store, *store.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
    try:
        probe = as_reader(store, "--help")
        if probe.returncode != 0:
            pytest.skip(f"the interpreter cannot run as an unprivileged user: {probe.stderr}")
        before = files(store)
        read_everything(store, ingested[1])
        assert files(store) == before
        if os.geteuid() != 0:
            return  # a writer beside it would need the write access this user lacks
        # And while a writer holds the store: the views' -shm and -wal are root's own.
        watch = subprocess.Popen(
            [sys.executable, "-m", "factfold", "--store", str(store), "watch",
             str(home / "inbox"), "--create", "--no-status"],
            cwd=ROOT, env={**os.environ, **ENV}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not Path(f"{store}/views.sqlite-shm").exists():
                assert watch.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
            read_everything(store, ingested[1])
        finally:
            watch.send_signal(signal.SIGINT)
            watch.wait(timeout=60)
    finally:
        for p in [store, *store.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)
        shutil.rmtree(home)


def test_salvage_refuses_a_folder_that_is_not_empty(store, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    proc = no_traceback(factfold(store, "log", "salvage", str(tmp_path / "full")))
    assert proc.returncode == 2 and "not empty" in proc.stderr


def test_a_reader_says_when_the_views_lag_behind_a_log_no_one_writes(tmp_path):
    store = tmp_path / "store"
    seeds = sorted(Path(ROOT, "seeds").iterdir())
    # A writer dies after recording two documents, before it committed the second to the
    # views (they commit at the first append, then once a second or at the end of a unit).
    subprocess.run([sys.executable, "-c", f"""
import os
from pathlib import Path
import factfold.store as store
from factfold.pluginmanager import PluginHost
store.VIEWS_COMMIT_INTERVAL = 3600.0
s = store.Store({str(store)!r}, plugins=PluginHost(load_entrypoints=False))
for f in {[str(p) for p in seeds[:2]]!r}:
    s.ingest_file(Path(f))
os._exit(0)
"""], check=True, cwd=ROOT)
    before = files(store)
    proc = no_traceback(factfold(store, "query", "documents", "--json", check=True))
    assert len(proc.stdout.splitlines()) == 1  # the views as they are
    assert "the views are behind the log" in proc.stderr and "events=1" in proc.stderr
    assert files(store) == before
    factfold(store, "replay", check=True)
    proc = factfold(store, "query", "documents", "--json", check=True)
    assert len(proc.stdout.splitlines()) == 2 and "behind" not in proc.stderr


def test_views_damaged_deep_inside_are_named_in_one_line_and_replay_rebuilds_them(
        store, ingested):
    """Pages overwritten behind an intact header: SQLite finds them only when a query
    reaches them, reader or writer alike; replay never reads the old views."""
    views = store / "views.sqlite"
    data = bytearray(views.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(3 * page, len(data) - page, 2 * page):
        data[offset + 100:offset + page - 100] = os.urandom(page - 200)
    views.write_bytes(bytes(data))
    for command in (["export"], ["ingest", "seeds/"]):
        proc = no_traceback(factfold(store, *command))
        assert proc.returncode == 2 and "database disk image is malformed" in proc.stderr
        assert "run `factfold replay`" in proc.stderr
    factfold(store, "replay", check=True)
    assert export(store) == ingested[1]


def test_a_whole_batch_that_does_not_decode_stops_replay_in_one_line(store, ingested):
    with SegmentLog(store / "log", CODEC, writable=True) as log:
        head = log.head
        log.append_stored(2, b"\xc1 right checksum, wrong contents")
    views = (store / "views.sqlite").read_bytes()
    for command in (["replay"], ["log", "tail"]):
        proc = no_traceback(factfold(store, *command))
        assert proc.returncode == 2, proc.stderr
        assert f"the batch of events {head} to {head + 1} does not decode" in proc.stderr
    assert (store / "views.sqlite").read_bytes() == views
    assert export(store) == ingested[1]
    verify = factfold(store, "log", "verify")
    assert verify.returncode == 1 and "undecodable batch" in verify.stderr
