"""Hostile drop-folder fuzzing through a real ``factfold watch``: the reliability suite's fuzz.

A seeded generator writes good and bad files under hostile names into a folder a real
``factfold watch`` subprocess is watching: text in several encodings (each with a statistic
no other file has), random bytes, mixed encodings, empty files, huge sparse files, links
into and out of the folder and to folders, FIFOs, sockets; names with rich markup, terminal
escapes, newlines and bytes that are not UTF-8, in hostile subfolders.  Then it checks,
from the store itself, that the watch is alive, every good file's facts are present exactly
once, every bad file is rejected with a reason, nothing is lost, nothing counted twice, and
nothing behind a link was read.

``make test`` runs a short round (tests/test_fuzz.py); ``make soak`` a long one::

    python tests/fuzz.py --files 10000 [--seed N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from factfold.events import DocumentAdded, ExtractionCompleted
from factfold.pluginmanager import PluginHost
from factfold.store import Store

ROOT = Path(__file__).resolve().parent.parent
FACTFOLD = [sys.executable, "-m", "factfold"]  # the interpreter running this, whatever its venv
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
ENV = {**os.environ, "FACTFOLD_PLUGINS": "statistics"}
#: the statistic in the file outside the folder: found anywhere, a link was followed
SECRET_COUNT = 987654321
#: files larger than this are "huge" (sparse, so they take no disk)
MAX_SIZE = 20 * 1000 * 1000

#: pieces of hostile names: markup, terminal escapes, line breaks, shell and format syntax
NAME_PIECES = [
    "[bold red]x[/]", "[/]", "[link=file:///etc/passwd]a[/link]", "\x1b[31mred\x1b[0m",
    "\x1b]0;pwned\x07", "\x1b[2J", "a\nb", "c\rd", "tab\there", "$(reboot)", "%s%n",
    "{0}", "'\"", "\\back\\slash", "社会工作协会 年度报告", "ñandú", "🙂", "  spaced  ",
    "\u202eevil", "\u200bzero", "-dash", "x" * 120,
]
#: names that are not UTF-8 (Latin-1, GBK, broken sequences)
BAD_NAME_BYTES = [b"caf\xe9", b"\xff\xfe", b"\xc3(", "报告".encode("gbk"), b"\xed\xa0\x80",
                  b"\x80\x81"]
#: what the generator makes, and how often
KINDS = {"good": 55, "binary": 8, "mixed": 6, "empty": 5, "huge": 2, "link-in": 4,
         "link-out": 4, "link-dir": 3, "link-up": 2, "dangling": 2, "fifo": 5, "socket": 2,
         "control": 2}
GOOD_ENCODINGS = [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                  ("utf-16-be", codecs.BOM_UTF16_BE), ("gb18030", b"")]


@dataclass
class Entry:
    """One thing put into the folder, and what must become of it."""

    rel: bytes  # path below the folder
    kind: str  # what was made (good, binary, empty, huge, link, fifo, ...)
    #: "good": its fact must be present once; "bad": rejected, with ``word`` in the
    #: reason if given; "either": ingested once or rejected, never lost
    expect: str
    word: str = ""
    sha: str = ""
    marker: int = 0
    hostile_name: bool = False


@dataclass
class Figures:
    files: int = 0
    faults: Counter = field(default_factory=Counter)
    lost: list = field(default_factory=list)
    doubled: list = field(default_factory=list)
    misjudged: list = field(default_factory=list)
    leaked: int = 0
    rejected: Counter = field(default_factory=Counter)
    ingested: int = 0
    alive: bool = False
    exit_status: int | None = None
    tracebacks: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.alive and self.exit_status == 0 and not self.lost and not self.doubled
                and not self.misjudged and not self.leaked and not self.tracebacks)

    def report(self) -> str:
        lines = [
            f"files: {self.files}  (ingested {self.ingested}, rejected "
            f"{sum(self.rejected.values())}) in {self.seconds:.0f} s",
            f"faults injected: {sum(self.faults.values())}  "
            + ", ".join(f"{k} {n}" for k, n in sorted(self.faults.items()) if n),
            f"lost: {len(self.lost)}  doubled: {len(self.doubled)}  misjudged: "
            f"{len(self.misjudged)}  leaked through links: {self.leaked}  "
            f"tracebacks: {self.tracebacks}",
            f"watch alive at the end: {self.alive}; exit status after SIGTERM: "
            f"{self.exit_status}",
            "rejected by reason:",
            *(f"  {n:6d}  {reason}" for reason, n in self.rejected.most_common()),
        ]
        for what in ("lost", "doubled", "misjudged"):
            for item in getattr(self, what)[:10]:
                lines.append(f"  {what}: {item!r}")
        return "\n".join(lines)


def store_name(path: bytes) -> str:
    """How the store names a path (see factfold.dropfolder.store_name)."""
    return path.decode("utf-8", "backslashreplace")


class Generator:
    """Hostile entries, reproducible from the seed."""

    def __init__(self, folder: Path, outside: Path, seed: int) -> None:
        self.folder = folder
        self.outside = outside
        self.rng = random.Random(seed)
        self.count = 0
        self.dirs: list[bytes] = [b""]
        outside.mkdir(parents=True, exist_ok=True)
        secret = f"机密通报：共有{SECRET_COUNT}人参加。\n" * 50
        self.secret = outside / "secret.txt"
        self.secret.write_text(secret, encoding="utf-8")
        os.chmod(self.secret, 0o600)
        (outside / "dir").mkdir(exist_ok=True)
        (outside / "dir" / "inner.txt").write_text(secret, encoding="utf-8")

    def name(self, entry_kind: str) -> tuple[bytes, bool]:
        """A unique, hostile (most of the time) name, never one the watch ignores."""
        self.count += 1
        tag = f"-{self.count}-{entry_kind}".encode()
        roll = self.rng.random()
        if roll < 0.35:
            return b"plain" + tag + b".txt", False
        if roll < 0.75:
            piece = self.rng.choice(NAME_PIECES).encode()
        elif roll < 0.95:
            piece = self.rng.choice(BAD_NAME_BYTES) + self.rng.choice(NAME_PIECES[:6]).encode()
        else:
            piece = bytes(self.rng.choice(range(1, 256)) for _ in range(12))
        piece = piece.replace(b"/", b"_").replace(b"\0", b"_").lstrip(b".") or b"_"
        name = (piece + tag)[-200:] + b".txt"
        # never a literal \xNN escape: that would be the stored form of another name
        return name.replace(b"\\x", b"\\_"), True

    def place(self, name: bytes) -> bytes:
        """Somewhere in the folder: the top, or a (hostile) subfolder."""
        if self.rng.random() < 0.1 and len(self.dirs) < 200:
            sub, _ = self.name("dir")
            # at most three deep: hostile names are long, and a path has its limit
            parent = self.rng.choice([d for d in self.dirs if d.count(b"/") < 2])
            rel = (parent + b"/" if parent else b"") + sub[:-4]
            os.makedirs(os.path.join(os.fsencode(self.folder), rel), exist_ok=True)
            self.dirs.append(rel)
        parent = self.rng.choice(self.dirs)
        return (parent + b"/" if parent else b"") + name

    def path(self, rel: bytes) -> bytes:
        return os.path.join(os.fsencode(self.folder), rel)

    def make(self) -> Entry:
        [kind] = self.rng.choices(list(KINDS), weights=list(KINDS.values()))
        name, hostile = self.name(kind)
        rel = self.place(name)
        entry = getattr(self, f"_{kind.replace('-', '_')}")(rel)
        entry.hostile_name = hostile
        return entry

    def _write(self, rel: bytes, data: bytes) -> str:
        with open(self.path(rel), "wb") as f:
            f.write(data)
        return hashlib.sha256(data).hexdigest()

    def _good(self, rel: bytes) -> Entry:
        marker = 1_000_000 + self.count
        body = (f"{self.rng.choice(SEED_TEXTS)}\n第{self.count}号通报：共有{marker}人参加。\n")
        encoding, bom = self.rng.choice(GOOD_ENCODINGS)
        sha = self._write(rel, bom + body.encode(encoding))
        return Entry(rel, "good", "good", sha=sha, marker=marker)

    def _binary(self, rel: bytes) -> Entry:
        data = bytearray(self.rng.randbytes(self.rng.randint(64, 20000)))
        for i in range(0, len(data), 7):
            data[i] = 0  # never plausible text
        self._write(rel, bytes(data))
        return Entry(rel, "binary", "bad")

    def _mixed(self, rel: bytes) -> Entry:
        text = self.rng.choice(SEED_TEXTS)[:600]
        parts = [text.encode(self.rng.choice(["utf-8", "gb18030", "utf-16-le"]))
                 for _ in range(3)]
        parts.insert(1, "Ñandú café".encode("latin-1"))
        self._write(rel, b"".join(parts))
        return Entry(rel, "mixed", "either")

    def _control(self, rel: bytes) -> Entry:
        self._write(rel, b"\x1b]0;title\x07\x1b[2J\x00\x01\x02" * 200)
        return Entry(rel, "control", "bad")

    def _empty(self, rel: bytes) -> Entry:
        self._write(rel, b"")
        return Entry(rel, "empty", "bad", word="empty")

    def _huge(self, rel: bytes) -> Entry:
        with open(self.path(rel), "wb") as f:
            f.truncate(self.rng.randint(MAX_SIZE + 1, 3 * 1000**3))
        return Entry(rel, "huge", "bad", word="too large")

    def _link(self, rel: bytes, target: bytes | Path) -> Entry:
        os.symlink(target, self.path(rel))
        return Entry(rel, "link", "bad", word="symbolic link")

    def _link_in(self, rel: bytes) -> Entry:
        return self._link(rel, (self.folder / SEED_NAME).absolute())

    def _link_out(self, rel: bytes) -> Entry:
        return self._link(rel, self.secret)

    def _link_dir(self, rel: bytes) -> Entry:
        return self._link(rel, self.outside / "dir")

    def _link_up(self, rel: bytes) -> Entry:
        return self._link(rel, b"..")  # out of the folder, towards the store

    def _dangling(self, rel: bytes) -> Entry:
        return self._link(rel, b"nowhere/at/all")

    def _fifo(self, rel: bytes) -> Entry:
        os.mkfifo(self.path(rel))
        return Entry(rel, "fifo", "bad", word="regular file")

    def _socket(self, rel: bytes) -> Entry:
        path = self.path(rel)
        if len(path) >= 100:  # a socket's path must fit sun_path: make a FIFO instead
            return self._fifo(rel)
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(path)
        return Entry(rel, "socket", "bad", word="regular file")


#: a plain good file at the top, that link-in entries point to
SEED_NAME = "target.txt"


class Watch:
    """``factfold watch inbox`` as a subprocess, its JSON log lines collected."""

    def __init__(self, base: Path) -> None:
        self.events: list[dict] = []
        #: every line the watch logged, kept beside the store for a look afterwards
        self.log = open(base / f"watch-{time.time():.3f}.log", "w", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*FACTFOLD, "--store", "S", "--log-format", "json", "watch", "inbox",
             "--no-status", "--no-print-facts", "--settle", "0.2", "--scan-interval", "20"],
            cwd=base, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            errors="replace")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.write(line)
            self.log.flush()
            try:
                self.events.append(json.loads(line))
            except ValueError:
                self.events.append({"event": line.rstrip()})

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("event") == "watching" for e in self.events):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the watch did not start: {self.events[-5:]}")
            time.sleep(0.05)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait(10)
        self._reader.join(5)
        self.log.close()
        return rc


class SmallDisk:
    """The store on a real tmpfs that fills up, and is grown whenever the watch has been
    waiting for space for a while (an operator who reads its log and frees space)."""

    def __init__(self, where: Path, size_mb: int, grow_mb: int,
                 watches: list[Watch]) -> None:
        self.where, self.size, self.grow_mb = where, size_mb, grow_mb
        where.mkdir(parents=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(where)],
                       check=True, capture_output=True)
        self.filled = 0
        self.watches = watches
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._free_space_when_full, daemon=True)
        self._thread.start()

    def _full(self) -> bool:
        """Whether the latest watch said the disk is full, and not yet that it is back."""
        for e in reversed(list(self.watches[-1].events) if self.watches else []):
            said = str(e.get("event"))
            if "disk space is back" in said:
                return False
            if "disk full" in said or " is full" in said:
                return True
        return False

    def _free_space_when_full(self) -> None:
        full_since = None
        while not self._stop.wait(0.25):
            if not self._full():
                full_since = None
            elif full_since is None:
                full_since = time.monotonic()
            elif time.monotonic() - full_since > 2.0:  # the watch waits on a full disk
                self.size += self.grow_mb
                subprocess.run(["mount", "-o", f"remount,size={self.size}m", str(self.where)],
                               check=True)
                self.filled += 1
                full_since = None

    def unmount(self) -> None:
        self._stop.set()
        self._thread.join(10)
        subprocess.run(["umount", "-l", str(self.where)], check=False)


def _views(base: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{base / 'S' / 'views.sqlite'}?mode=ro", uri=True, timeout=30)


def _settled(base: Path, names: set[str]) -> bool:
    """Whether every entry has an outcome and every live document an extraction."""
    path = base / "S" / "views.sqlite"
    if not path.exists():
        return False
    with _views(base) as db:
        known = {p for (p,) in db.execute("SELECT path FROM paths")}
        known |= {p for (p,) in db.execute("SELECT path FROM rejections")}
        waiting = db.execute("SELECT COUNT(*) FROM paths p WHERE NOT EXISTS (SELECT 1 FROM "
                             "extractions e WHERE e.doc_id = p.doc_id)").fetchone()[0]
    return names <= known and not waiting


def _start(base: Path, watches: list[Watch], disk: SmallDisk | None) -> Watch:
    """A new watch; on a full disk it may refuse to start until space is freed."""
    for _ in range(20):
        watch = Watch(base)
        watches.append(watch)
        try:
            watch.wait_ready(timeout=300)
            return watch
        except RuntimeError:
            if disk is None or not any(" is full" in str(e.get("event")) for e in watch.events):
                raise
            time.sleep(3)  # space is being freed
    raise RuntimeError("the watch never started")


def run(base: Path, files: int, seed: int = 0, batch: int = 250, kill_every: int = 0,
        disk_mb: int = 0, timeout: float = 3600.0, progress: bool = False) -> Figures:
    """Generate ``files`` hostile entries into ``base/inbox`` while a watch runs; check.

    With ``kill_every`` the watch is killed (SIGKILL, mid-work) and started again after
    every that many bursts: what it had not committed must be found again, once.  With
    ``disk_mb`` the store lives on a tmpfs of that many MB that fills up and is grown
    (by as much again) each time the watch reports it full.
    """
    started = time.monotonic()
    inbox = base / "inbox"
    inbox.mkdir(parents=True)
    (inbox / SEED_NAME).write_text(SEED_TEXTS[0] + "\n第0号通报：共有999999人参加。\n",
                                   encoding="utf-8")
    figures = Figures()
    watches: list[Watch] = []
    disk = SmallDisk(base / "S", disk_mb, disk_mb, watches) if disk_mb else None
    try:
        watch = _start(base, watches, disk)
        gen = Generator(inbox, base / "outside", seed)
        entries = [Entry(SEED_NAME.encode(), "good", "good", marker=999999,
                         sha=hashlib.sha256((inbox / SEED_NAME).read_bytes()).hexdigest())]
        bursts = 0
        while len(entries) < files:
            for _ in range(min(batch, files - len(entries))):
                entries.append(gen.make())
            time.sleep(0.2)  # arrivals in bursts, as downloads and copies do
            bursts += 1
            if kill_every and bursts % kill_every == 0:
                watch.proc.kill()
                watch.stop()
                figures.faults["watch killed"] += 1
                watch = _start(base, watches, disk)
            if progress:
                print(f"{len(entries)} entries written", file=sys.stderr, flush=True)
        names = {store_name(b"inbox/" + e.rel) for e in entries}
        deadline = time.monotonic() + timeout
        while not _settled(base, names):
            if watch.proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(1)
        figures.alive = watch.proc.poll() is None
        check(base, entries, figures)
    finally:
        figures.exit_status = watches[-1].stop() if watches else None
        figures.tracebacks = sum(1 for w in watches for e in w.events
                                 if e.get("exception") or "Traceback" in str(e.get("event")))
        if disk is not None:
            figures.faults["disk full"] = disk.filled
            disk.unmount()
        figures.seconds = time.monotonic() - started
        if progress:
            print(file=sys.stderr)
    return figures


def check(base: Path, entries: list[Entry], figures: Figures) -> None:
    """Compare what the store holds with what was put into the folder."""
    figures.files = len(entries)
    for e in entries:
        figures.faults[e.kind] += e.expect != "good"
        figures.faults["hostile name"] += e.hostile_name
    with _views(base) as db:
        paths = dict(db.execute("SELECT path, doc_id FROM paths"))
        rejections = dict(db.execute("SELECT path, reason FROM rejections"))
    export = subprocess.run([*FACTFOLD, "--store", "S", "export"], cwd=base, env=ENV,
                            capture_output=True, text=True, check=True).stdout
    facts: Counter = Counter()
    for line in filter(None, export.split("\n")):  # not splitlines: names hold \x85, \u2028
        record = json.loads(line)
        if record["kind"] == "statistic":
            facts[record["doc_id"], record["text"]] += 1
        figures.leaked += str(SECRET_COUNT) in line
    added: Counter = Counter()
    extracted: Counter = Counter()
    with Store(base / "S", plugins=PluginHost(load_entrypoints=False), writable=False) as store:
        for env in store.log.read(0):
            if isinstance(env.payload, DocumentAdded):
                added[env.payload.doc_id] += 1
            elif isinstance(env.payload, ExtractionCompleted):
                extracted[env.payload.doc_id, env.payload.extractor] += 1
    figures.doubled += [("added", d) for d, n in added.items() if n > 1]
    figures.doubled += [("extracted", d) for d, n in extracted.items() if n > 1]
    for e in entries:
        name = store_name(b"inbox/" + e.rel)
        stored, reason = paths.get(name), rejections.get(name)
        if stored is None and reason is None:
            figures.lost.append((e.kind, name))
            continue
        if reason is not None:
            figures.rejected[reason.split(":")[0].split(";")[0]] += 1
        else:
            figures.ingested += 1
        if e.expect == "good":
            if stored != e.sha:
                figures.misjudged.append((e.kind, name, reason))
            elif facts[e.sha, f"{e.marker}人"] != 1:
                (figures.doubled if facts[e.sha, f"{e.marker}人"] > 1 else figures.lost).append(
                    ("fact", e.kind, name, facts[e.sha, f"{e.marker}人"]))
        elif e.expect == "bad" and (reason is None or e.word not in reason):
            figures.misjudged.append((e.kind, name, reason or f"ingested as {stored}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--timeout", type=float, default=4 * 3600)
    parser.add_argument("--disk-mb", type=int, default=16,
                        help="Keep the store on a tmpfs of this many MB that fills up and is "
                             "grown by as much each time (needs root; 0: no tmpfs).")
    parser.add_argument("--kill-every", type=int, default=5,
                        help="SIGKILL the watch and start it again after every N bursts "
                             "(0: never).")
    parser.add_argument("--keep", type=Path, default=None,
                        help="Run in this (new) folder and keep it, to look at afterwards.")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="factfold-soak-"))
    print(f"soak: {args.files} hostile files, seed {args.seed}, in {base}", flush=True)
    figures = run(base, args.files, args.seed, kill_every=args.kill_every,
                  disk_mb=args.disk_mb, timeout=args.timeout, progress=True)
    print(figures.report(), flush=True)
    if args.keep is None:
        subprocess.run(["rm", "-rf", str(base)], check=False)
    sys.exit(0 if figures.ok else 1)


if __name__ == "__main__":
    main()
