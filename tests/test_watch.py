"""``factfold watch`` end to end: the real CLI in a subprocess, real files, real watchdog.

Every test drops real files into a real folder and waits (with a deadline) for the store to
agree with the folder: each file's content is one live document at exactly that path, each
document was added to the log once and extracted once per extractor.  Only the statistics
extractor is loaded, to keep the suite fast.
"""

from __future__ import annotations

import codecs
import ctypes
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import STARTED

from factfold.events import DocumentAdded, DocumentMoved, ExtractionCompleted
from factfold.pluginmanager import PluginHost
from factfold.store import Store
from factfold.watcher import DEFAULT_IGNORE, WatchConfig, Watcher
from factfold.watchhints import Candidates, Hints

ROOT = Path(__file__).resolve().parent.parent
#: the command line as the running interpreter has it (not a venv path: tests run from any)
FACTFOLD = [sys.executable, "-m", "factfold"]
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
ENV = {**os.environ, "FACTFOLD_PLUGINS": "statistics"}


def text(i: int) -> str:
    """A seed-like document, unique per ``i``, with at least one statistic in it."""
    return f"{SEED_TEXTS[i % len(SEED_TEXTS)]}\n第{i}号通报：共有{i + 10}人参加。\n"


def wait_until(condition: Callable[[], object], timeout: float = 30, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.05)


def cli(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([*FACTFOLD, "--store", "S", *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"factfold {args} exited {proc.returncode}: {proc.stderr}")
    return proc


def drop_capabilities() -> None:
    """Lose root's power to read any file, so permissions mean what they say (in the child)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


class Watching:
    """``factfold --store S watch inbox`` running in ``base``, its JSON logs collected."""

    def __init__(self, base: Path, *extra: str, settle: float = 0.2,
                 as_user: bool = False) -> None:
        self.base = base
        self.events: list[dict] = []
        self.proc = subprocess.Popen(
            [*FACTFOLD, "--store", "S", "--log-format", "json", "watch", "inbox",
             "--no-status", "--no-print-facts", "--settle", str(settle),
             "--scan-interval", "3600", *extra],
            cwd=base, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            preexec_fn=drop_capabilities if as_user and os.geteuid() == 0 else None)
        STARTED.append(self.proc)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            try:
                self.events.append(json.loads(line))
            except ValueError:
                self.events.append({"event": line.rstrip()})

    def logged(self, event: str) -> list[dict]:
        return [e for e in self.events if e.get("event") == event]

    def ready(self, timeout: float = 60) -> Watching:
        wait_until(lambda: self.logged("watching") or self.proc.poll() is not None, timeout,
                   "the watcher to start")
        assert self.proc.poll() is None, f"watch exited: {self.events}"
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout)
        self._reader.join(5)
        return rc

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self._reader.join(5)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    return tmp_path


@pytest.fixture
def watch(base: Path) -> Callable[..., Watching]:
    """Start a watcher on ``base`` and wait until it has made its first scan."""
    return lambda *extra, **kw: Watching(base, *extra, **kw).ready()


def reader(base: Path) -> Store:
    return Store(base / "S", plugins=PluginHost(load_entrypoints=False), writable=False)


def stored_paths(base: Path) -> dict[str, str]:
    if not (base / "S" / "log").exists():
        return {}
    with reader(base) as store:
        return store.paths()


def on_disk(base: Path, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """What the store should hold: every accepted file below inbox/ and its sha256."""
    import fnmatch

    expected = {}
    for root, dirs, names in os.walk(base / "inbox"):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if any(fnmatch.fnmatchcase(name, p) for p in DEFAULT_IGNORE + ignore):
                continue
            full = Path(root, name)
            rel = os.path.relpath(full, base)
            expected[rel] = hashlib.sha256(full.read_bytes()).hexdigest()
    return expected


def in_step(base: Path, timeout: float = 30, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """Wait until the store's live paths are exactly the folder's files, then check the log."""
    wait_until(lambda: stored_paths(base) == on_disk(base, ignore), timeout,
               "the store to match the folder")
    wait_until(lambda: not unextracted(base), timeout, "extraction to finish")
    with reader(base) as store:
        assert_exactly_once(store)
    return on_disk(base, ignore)


def unextracted(base: Path) -> list:
    """Live documents with no extraction outcome yet."""
    with reader(base) as store:
        return store.views.db.execute(
            "SELECT doc_id FROM paths p WHERE NOT EXISTS (SELECT 1 FROM extractions e "
            "WHERE e.doc_id = p.doc_id)").fetchall()


def documents(base: Path) -> list[dict]:
    return [json.loads(line) for line in cli("query", "documents", "--json",
                                              cwd=base).stdout.splitlines()]


def assert_exactly_once(store: Store) -> None:
    added: Counter[str] = Counter()
    extracted: Counter[tuple[str, str]] = Counter()
    for env in store.log.read(0):
        e = env.payload
        if isinstance(e, DocumentAdded):
            added[e.doc_id] += 1
        elif isinstance(e, ExtractionCompleted):
            extracted[e.doc_id, e.extractor] += 1
    assert [d for d, n in added.items() if n > 1] == [], "a document was added twice"
    assert [k for k, n in extracted.items() if n > 1] == [], "a document was extracted twice"


def log_of(base: Path, kind: type) -> list:
    with reader(base) as store:
        return [env.payload for env in store.log.read(0) if isinstance(env.payload, kind)]


def export(base: Path) -> list[dict]:
    return [json.loads(line) for line in cli("export", cwd=base).stdout.splitlines()]


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


# -- the tests ------------------------------------------------------------------------------


def test_drop_files_and_their_facts_become_queryable_ignored_names_do_not(base, watch):
    watch("--ignore", "*.bak", "--ignore", "drafts/*")
    inbox = base / "inbox"
    for i in range(3):
        write(inbox / f"report{i}.txt", text(i))
    for name in [".hidden.txt", "notes.txt.swp", "notes.txt~", "big.iso.part", "x.tmp",
                 "film.crdownload", "old.bak", "drafts/d.txt", ".git/config"]:
        write(inbox / name, text(99))
    for k in range(20):  # files that vanish before they settle leave no trace
        write(inbox / f"flash{k}.txt", text(50 + k)).unlink()
    expected = in_step(base, ignore=("*.bak", "d.txt"))
    assert cli("query", "documents", "--rejected", "--json", cwd=base).stdout == ""
    assert sorted(expected) == [f"inbox/report{i}.txt" for i in range(3)]
    records = export(base)
    assert {r["source"] for r in records} == set(expected)
    assert any(r["kind"] == "statistic" and r["text"] == "12人" for r in records)


def test_slow_writer_and_writer_killed_half_way(base, watch):
    w = watch("--settle", "0.4")
    slow = base / "inbox" / "slow.txt"
    data = text(1).encode()
    with open(slow, "wb") as f:
        for k in range(0, len(data), len(data) // 10):
            f.write(data[k:k + len(data) // 10])
            f.flush()
            time.sleep(0.1)
    # A writer that dies half-way leaves half a file: that is what the folder holds.
    half = base / "inbox" / "half.txt"
    subprocess.run([sys.executable, "-c",
                    "import os, sys; f = open(sys.argv[1], 'wb'); f.write(sys.argv[2].encode()); "
                    "f.flush(); os.kill(os.getpid(), 9)", str(half), text(2)[:2000]])
    in_step(base)
    added = log_of(base, DocumentAdded)
    assert [a.size for a in added if a.path == "inbox/slow.txt"] == [len(data)]
    assert [a.path for a in added].count("inbox/half.txt") == 1
    assert w.proc.poll() is None


def test_renames_links_and_moves_into_the_folder(base, watch):
    watch()
    inbox, outside = base / "inbox", base / "outside"
    # temp file + rename in place: the temp name is never taken
    write(inbox / "a.txt.part", text(1)).rename(inbox / "a.txt")
    # rename in from outside, hard link in, cross-device move
    write(outside / "b.txt", text(2)).rename(inbox / "b.txt")
    os.link(write(outside / "c.txt", text(3)), inbox / "c.txt")
    shm = Path("/dev/shm") / f"factfold-{os.getpid()}-d.txt"
    write(shm, text(4))
    assert os.stat(shm).st_dev != os.stat(inbox).st_dev
    shutil.move(shm, inbox / "d.txt")
    # a new subfolder written into at once, several times over (the race is in the kernel)
    for k in range(8):
        write(inbox / f"new{k}" / "deeper" / "e.txt", text(10 + k))
    # a whole tree moved in from outside
    for k in range(5):
        write(outside / "tree" / f"level{k % 2}" / f"f{k}.txt", text(20 + k))
    (outside / "tree").rename(inbox / "tree")
    expected = in_step(base)
    assert len(expected) == 4 + 8 + 5
    assert not any("part" in a.path for a in log_of(base, DocumentAdded))


def test_moves_inside_the_folder_are_moves_not_new_documents(base, watch):
    watch()
    inbox = base / "inbox"
    write(inbox / "one.txt", text(1))
    for k in range(3):
        write(inbox / "tree" / f"t{k}.txt", text(2 + k))
    in_step(base)
    (inbox / "one.txt").rename(inbox / "renamed.txt")
    (inbox / "tree").rename(inbox / "moved-tree")
    in_step(base)
    moved = {(m.old_path, m.new_path) for m in log_of(base, DocumentMoved)}
    assert ("inbox/one.txt", "inbox/renamed.txt") in moved
    assert {m[1] for m in moved} >= {f"inbox/moved-tree/t{k}.txt" for k in range(3)}
    assert len(log_of(base, DocumentAdded)) == 4


def test_overwrite_delete_duplicates_inode_reuse_and_old_mtimes(base, watch):
    watch()
    inbox = base / "inbox"
    write(inbox / "a.txt", text(1))
    write(inbox / "b.txt", text(2))
    write(inbox / "b-copy.txt", text(2))
    in_step(base)
    assert len({r["doc_id"] for r in export(base)}) == 2
    [doc_b] = [d for d in documents(base) if "inbox/b.txt" in d["paths"]]
    assert sorted(doc_b["paths"]) == ["inbox/b-copy.txt", "inbox/b.txt"]

    old = {r["doc_id"] for r in export(base) if r["source"] == "inbox/a.txt"}
    write(inbox / "a.txt", text(3))  # overwrite in place: supersedes
    os.remove(inbox / "b-copy.txt")
    os.remove(inbox / "b.txt")  # both names gone: the facts leave the views
    # inode reuse: a new file at a fresh name, likely on the inode just freed, with an old mtime
    write(inbox / "c.txt", text(4))
    os.utime(inbox / "c.txt", (978307200, 978307200))
    in_step(base)
    records = export(base)
    assert not old & {r["doc_id"] for r in records}
    assert {r["source"] for r in records} == {"inbox/a.txt", "inbox/c.txt"}
    # same size, old mtime restored after an overwrite: ctime still gives the change away
    data = text(4).replace("14人", "41人").encode()
    st = os.stat(inbox / "c.txt")
    write(inbox / "c.txt", data)
    os.utime(inbox / "c.txt", ns=(st.st_atime_ns, st.st_mtime_ns))
    expected = in_step(base)
    assert expected["inbox/c.txt"] == hashlib.sha256(data).hexdigest()


def test_restart_catches_up_with_changes_made_while_down(base, watch):
    inbox = base / "inbox"
    for i in range(4):
        write(inbox / f"f{i}.txt", text(i))
    cli("ingest", "inbox/", cwd=base)  # `ingest inbox/` and `watch inbox` name paths alike
    before = len(log_of(base, DocumentAdded))
    w = watch()
    in_step(base)
    assert w.stop() == 0
    assert len(log_of(base, DocumentAdded)) == before == 4
    write(inbox / "new.txt", text(10))
    write(inbox / "f0.txt", text(11))
    os.remove(inbox / "f1.txt")
    (inbox / "f2.txt").rename(inbox / "f2-renamed.txt")
    watch()
    in_step(base)
    assert ("inbox/f2.txt", "inbox/f2-renamed.txt") in {
        (m.old_path, m.new_path) for m in log_of(base, DocumentMoved)}


def test_sigkill_during_ingest_then_torn_tail_then_restart_loses_and_doubles_nothing(base):
    inbox = base / "inbox"
    for i in range(150):
        write(inbox / f"doc{i:03}.txt", text(i))
    stored_after_kill = []
    for delay in (0.05, 0.2, 0.4, 0.7):
        w = Watching(base, settle=0.05).ready()
        time.sleep(delay)
        w.kill()
        stored_after_kill.append(len(stored_paths(base)))
    assert any(0 < n < 150 for n in stored_after_kill), f"no kill mid-way: {stored_after_kill}"
    segments = sorted((base / "S" / "log").glob("*.seg"))
    with open(segments[-1], "ab") as f:
        f.write(b"\x13\x00\x00\x00torn half-written frame")
    w = Watching(base).ready()
    in_step(base, timeout=60)
    assert w.stop() == 0
    assert cli("log", "verify", cwd=base).returncode == 0


def test_bad_files_are_rejected_with_reasons_and_retried_when_they_change(base, watch):
    inbox = base / "inbox"
    w = watch(as_user=True)
    write(inbox / "binary.dat", bytes(range(256)) * 8)
    write(inbox / "empty.txt", b"")
    write(inbox / "garbage.txt", bytes([0x80, 0x81, 0xFD, 0xFE, 0xFF]) * 400)
    write(inbox / "secret.txt", text(1))
    os.chmod(inbox / "secret.txt", 0)
    os.mkfifo(inbox / "pipe")
    os.symlink("nowhere.txt", inbox / "dangling.txt")
    write(inbox / os.fsdecode(b"caf\xe9.txt"), text(2))
    write(inbox / "good.txt", text(3))

    def rejected() -> dict[str, str]:
        return {r["path"]: r["reason"] for r in map(json.loads, cli(
            "query", "documents", "--rejected", "--json", cwd=base).stdout.splitlines())}

    wait_until(lambda: len(rejected()) == 6, 30, "six rejections")
    reasons = rejected()
    assert "binary" in reasons["inbox/binary.dat"]
    assert "empty" in reasons["inbox/empty.txt"]
    assert "undecodable" in reasons["inbox/garbage.txt"]
    assert "unreadable" in reasons["inbox/secret.txt"]
    assert "regular file" in reasons["inbox/pipe"]
    assert "symbolic link" in reasons["inbox/dangling.txt"]
    # a name that is not UTF-8 is stored with its undecodable bytes escaped
    wait_until(lambda: {"inbox/good.txt", "inbox/caf\\xe9.txt"} <= set(stored_paths(base)))
    # fixed files are taken in: permission restored, content written, name made valid
    os.chmod(inbox / "secret.txt", 0o644)
    write(inbox / "empty.txt", text(4))
    (inbox / os.fsdecode(b"caf\xe9.txt")).rename(inbox / "café.txt")
    wait_until(lambda: {"inbox/secret.txt", "inbox/empty.txt", "inbox/café.txt"}
               <= set(stored_paths(base)), 30, "the fixed files")
    assert w.proc.poll() is None


ENCODINGS = {
    "utf8.txt": ("utf-8", b""),
    "utf8-bom.txt": ("utf-8", codecs.BOM_UTF8),
    "gb18030.txt": ("gb18030", b""),
    "utf16le.txt": ("utf-16-le", b""),
    "utf16le-bom.txt": ("utf-16-le", codecs.BOM_UTF16_LE),
    "utf16be.txt": ("utf-16-be", b""),
    "utf16be-bom.txt": ("utf-16-be", codecs.BOM_UTF16_BE),
}


def test_every_encoding_and_awkward_names(base, watch):
    watch()
    inbox = base / "inbox"
    for k, (name, (encoding, bom)) in enumerate(ENCODINGS.items()):
        write(inbox / name, bom + text(k).encode(encoding))
    names = ["社会工作协会 年度报告.txt", "with  spaces .txt", "长" * 80 + ".txt"]
    for k, name in enumerate(names):
        write(inbox / "名字" / name, text(20 + k))
    in_step(base)
    by_source: dict[str, set[str]] = {}
    for r in export(base):
        by_source.setdefault(r["source"], set()).add(r["text"])
    for k, name in enumerate(ENCODINGS):
        assert f"{k + 10}人" in by_source[f"inbox/{name}"], name
    for k, name in enumerate(names):
        assert f"{k + 30}人" in by_source[f"inbox/名字/{name}"], name


def test_sigterm_with_a_backlog_stops_promptly_and_the_next_start_finishes(base):
    inbox = base / "inbox"
    for i in range(300):
        write(inbox / f"b{i:03}.txt", text(i))
    w = Watching(base, settle=0.05)
    wait_until(lambda: w.logged("document"), 60, "the first document")
    started = time.monotonic()
    assert w.stop(signal.SIGTERM) == 0
    assert time.monotonic() - started < 10
    assert w.logged("stopped watching")
    assert len(stored_paths(base)) < 300, "the backlog was done before SIGTERM: test is void"
    w = Watching(base).ready()
    in_step(base, timeout=120)
    assert w.stop(signal.SIGINT) == 0


def test_a_second_watcher_on_the_same_store_is_refused(base, watch):
    first = watch()
    second = cli("watch", "inbox", "--no-status", cwd=base, check=False)
    assert second.returncode == 2
    assert "already open for writing" in second.stderr
    assert f"pid {first.proc.pid}" in second.stderr


def test_overflowed_event_queue_is_recovered_by_a_rescan(base, watch):
    """Fill the kernel queue while the watcher is stopped; files written then give no event."""
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    inbox = base / "inbox"
    noise = [write(inbox / f"noise{i:03}.txt", text(i)) for i in range(200)]
    w = watch()
    in_step(base, timeout=60)
    w.proc.send_signal(signal.SIGSTOP)
    try:
        for _ in range(limit // len(noise) + 10):
            for p in noise:
                os.utime(p)  # one IN_ATTRIB each; interleaved, so the kernel merges none
        for i in range(300):
            write(inbox / f"late{i:03}.txt", text(1000 + i))  # these events are dropped
    finally:
        w.proc.send_signal(signal.SIGCONT)
    expected = in_step(base, timeout=120)
    assert len(expected) == 500
    assert any("lost" in e.get("event", "") for e in w.events), "no overflow was provoked"


def test_polling_mode_and_status_panel(base, watch):
    w = watch("--polling", "--status")
    write(base / "inbox" / "p.txt", text(1))
    in_step(base)
    assert w.stop(signal.SIGINT) == 0
    panel = " ".join(e.get("event", "") for e in w.events)
    assert "documents" in panel and "1 ingested" in panel


def test_a_failing_event_handler_asks_for_a_rescan_instead_of_dying(tmp_path):
    candidates = Candidates()
    hints = Hints(candidates, lambda path: True)

    class Broken:
        src_path = None  # what a confused emitter might hand over
        event_type = "created"
        is_directory = False

    hints.dispatch(Broken())  # type: ignore[arg-type]
    assert candidates.take(0) == ([], [], True)


def test_watcher_runs_in_process_and_stops_on_request(tmp_path, toy_host):
    (tmp_path / "in").mkdir()
    write(tmp_path / "in" / "x.txt", text(1))
    got: list[tuple[str, list]] = []
    with Store(tmp_path / "S", plugins=toy_host) as store:
        watcher = Watcher(store, tmp_path / "in", WatchConfig(settle=0.05))

        def on_facts(path: str, records: list) -> None:
            got.append((path, records))
            watcher.stop()

        stats = watcher.run(on_facts=on_facts)
    assert stats.ingested == 1
    assert got[0][0] == os.path.normpath(str(tmp_path / "in" / "x.txt"))
    assert "statistic" in {r["kind"] for r in got[0][1]}


def test_the_timer_scan_finds_files_no_event_announced(tmp_path, toy_host):
    """With a poller that never polls, only the reconcile timer can find the file."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    got: list[str] = []
    with Store(tmp_path / "S", plugins=toy_host) as store:
        watcher = Watcher(store, inbox, WatchConfig(settle=0.05, scan_interval=0.5,
                                                    polling=True, poll_interval=3600))

        def drop() -> None:
            wait_until(lambda: watcher.stats.scans >= 1)
            write(inbox / "quiet.txt", text(1))

        def on_facts(path: str, records: list) -> None:
            got.append(path)
            watcher.stop()

        threading.Thread(target=drop, daemon=True).start()
        deadline = threading.Timer(30, watcher.stop)
        deadline.start()
        stats = watcher.run(on_facts=on_facts)
        deadline.cancel()
    assert got == [os.path.normpath(str(inbox / "quiet.txt"))]
    assert stats.scans >= 2


def test_a_copy_of_a_known_document_shows_its_facts_without_counting_them_twice(
        tmp_path, toy_host):
    inbox = tmp_path / "in"
    inbox.mkdir()
    got: list[tuple[str, list]] = []
    with Store(tmp_path / "S", plugins=toy_host) as store:
        store.ingest_bytes("elsewhere/x.txt", text(1).encode())
        store.extract_pending()
        known = len(list(store.export()))
        write(inbox / "copy.txt", text(1))
        watcher = Watcher(store, inbox, WatchConfig(settle=0.05))

        def on_facts(path: str, records: list) -> None:
            got.append((path, records))
            watcher.stop()

        stats = watcher.run(on_facts=on_facts)
        assert len(got[0][1]) == known > 0  # the document's facts are shown for the copy
        assert sum(stats.facts.values()) == known  # and counted once
        assert len(list(store.export())) == known
