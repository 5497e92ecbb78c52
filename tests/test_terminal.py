"""What a person at a real terminal sees: ``factfold watch`` in a pseudo-terminal, read back
through a terminal emulator (pyte), scrollback included.

The status panel redraws itself in place; anything written past it is painted over at the
next redraw.  These tests count what is left on the screen, as a user would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyte
from helpers import SEEDS, run_factfold

COLUMNS, ROWS = 200, 30
FACT_LINE = re.compile(r"(person|meeting|agreement|statistic) \{")


class Terminal:
    """A command running in a pty, its output fed to an emulated screen with scrollback."""

    def __init__(self, *args: str, cwd: Path, **env: str) -> None:
        self.screen = pyte.HistoryScreen(COLUMNS, ROWS, history=5000)
        self.stream = pyte.ByteStream(self.screen)
        #: every byte written, for what no screen keeps (a transient progress bar)
        self.raw = bytearray()
        # The pty's size is the terminal's size (conftest keeps COLUMNS and LINES out).
        self.child = pexpect.spawn(sys.executable, ["-m", "factfold", *args], cwd=str(cwd),
                                   dimensions=(ROWS, COLUMNS),
                                   env={**os.environ, "TERM": "xterm-256color", **env})

    def _pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.child.isalive():
            try:
                data = self.child.read_nonblocking(1 << 16, timeout=0.1)
                self.raw += data
                self.stream.feed(data)
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                return

    def lines(self) -> list[str]:
        """Every row a person can see or scroll back to, top to bottom."""
        rows = [*self.screen.history.top, *(self.screen.buffer[y] for y in range(ROWS))]
        return ["".join(row[x].data for x in range(COLUMNS)).rstrip() for row in rows]

    def wait_for(self, condition: Callable[[list[str]], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._pump(0.2)
            if condition(self.lines()):
                return True
        return False

    def stop(self) -> int:
        """SIGINT, as Ctrl-C sends it; the exit status."""
        self.child.kill(signal.SIGINT)
        self.wait_for(lambda _: not self.child.isalive(), 30)
        self._pump(0.5)
        self.child.close()
        return self.child.exitstatus


#: file names that try to change what a terminal shows: markup (``d[/]x`` is the folder
#: ``d[`` and the file ``]x...``), an OSC title sequence, a newline, a bidi override, a
#: C1 CSI
NAMES = [b"d[/]x[bold].txt", b"t\x1b]0;pwned\x07.txt", b"two\nlines.txt",
         b"rtl\xe2\x80\xaeevil.txt", b"c1\xc2\x9b31m.txt"]


def drop_hostile(folder: Path, names: list[bytes]) -> None:
    """A small document with a person and a statistic under each name."""
    for k, name in enumerate(names):
        path = os.path.join(os.fsencode(folder), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(f"本会会长刘一{k}出席会议。共有{120 + k}人参加。".encode())


def fact_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if FACT_LINE.match(line)]


def test_watch_in_a_terminal_shows_every_fact_of_a_dropped_document(tmp_path):
    seed = next(SEEDS.glob("004_*.txt"))
    # What the built-in plugins find in it, counted by one-shot ingest.
    run_factfold("ingest", str(seed), store=tmp_path / "reference")
    expected = Counter(json.loads(r)["kind"] for r in run_factfold(
        "export", store=tmp_path / "reference").stdout.splitlines())
    assert sum(expected.values()) >= 20

    (tmp_path / "inbox").mkdir()
    term = Terminal("--store", "S", "watch", "inbox", cwd=tmp_path)
    try:
        assert term.wait_for(lambda ls: any("watching" in line for line in ls), 60)
        shutil.copy(seed, tmp_path / "inbox")
        term.wait_for(lambda ls: len(fact_lines(ls)) >= sum(expected.values()), 60)
        term.wait_for(lambda _: False, 1.5)  # more redraws: nothing may be painted over
    finally:
        status = term.stop()
    seen = fact_lines(term.lines())
    assert Counter(line.split(" ", 1)[0] for line in seen) == expected, "\n".join(term.lines())
    assert all(seed.name in line for line in seen)
    # The panel was there, and its last frame is on screen under the facts.
    assert any(re.match(r"documents\s+1 seen, 1 ingested", line) for line in term.lines())
    assert status == 0


def test_hostile_names_in_the_watch_are_shown_escaped_and_change_nothing(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    term = Terminal("--store", "S", "watch", "inbox", cwd=tmp_path)
    try:
        assert term.wait_for(lambda ls: any("watching" in line for line in ls), 60)
        drop_hostile(inbox, [*NAMES[:3], b"bad\xff\xfe.txt", NAMES[3]])
        term.wait_for(lambda ls: any(re.match(r"documents\s+5 seen", line) for line in ls)
                      and len(fact_lines(ls)) >= 4, 60)
        term.wait_for(lambda _: False, 1)
    finally:
        status = term.stop()
    screen = "\n".join(term.lines())
    assert status == 0, screen
    assert term.screen.title == "", "an OSC sequence in a name set the window title"
    for shown in ("d[/]x[bold].txt", r"t\x1b]0;pwned\x07.txt", r"two\x0alines.txt",
                  r"rtl\u202eevil.txt"):
        assert shown in screen, shown
    assert r"bad\xff\xfe.txt" in screen  # rejected (not UTF-8), and named in the panel
    assert "\u202e" not in screen
    assert "Traceback" not in screen and "MarkupError" not in screen


def test_hostile_names_through_ingest_and_query_reach_no_terminal_raw(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    drop_hostile(drop, NAMES)
    store = tmp_path / "store [" / "]red"  # markup in the store's path: "store [/]red"
    outputs = [run_factfold("ingest", str(drop), store=store)]
    for args in (("query", "documents"), ("query", "statistics"), ("query", "people"),
                 ("query", "documents", "-f", "path=*pwned*"), ("log", "tail", "-n", "30"),
                 ("log", "verify"), ("query", "people", "--json")):
        # wide enough that rich does not wrap a long path inside its cell
        outputs.append(run_factfold(*args, store=store, env={"COLUMNS": "400"}))
    text = "".join(p.stdout + p.stderr for p in outputs)
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "\u202e" not in text
    assert "Traceback" not in text
    assert "5 added" in outputs[0].stderr and "store [/]red" in outputs[0].stderr
    documents = outputs[1].stdout
    for shown in ("d[/]x[bold].txt", r"t\x1b]0;pwned\x07.txt", r"two\x0alines.txt"):
        assert shown in documents, documents
    assert "pwned" in outputs[4].stdout and "lines.txt" not in outputs[4].stdout


def test_the_structured_logs_escape_names_too(tmp_path):
    bad = tmp_path / "x\x1b[2J.txt"
    bad.write_bytes(b"\x00\x01binary")
    proc = run_factfold("--log-level", "debug", "ingest", str(bad), store=tmp_path / "S")
    assert "\x1b" not in proc.stderr and r"x\x1b[2J.txt" in proc.stderr


def test_the_ingest_progress_bar_moves_file_by_file(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    for i in range(300):  # more than one chunk of 256 files
        (drop / f"n{i:03}.txt").write_text(f"第{i}号通报：共有{i + 10}人参加。\n" * 20,
                                          encoding="utf-8")
    term = Terminal("--store", "S", "ingest", "drop", cwd=tmp_path,
                    FACTFOLD_PLUGINS="statistics")
    assert term.wait_for(lambda _: not term.child.isalive(), 240)
    shown = term.raw.decode("utf-8", "replace")
    counts = {int(n) for n in re.findall(r"(?:reading|extracting)[^/\n]*?(\d+)/\d+", shown)}
    # Redrawn ten times a second while files are read and extracted: many counts, not only
    # the chunks' ends (0, 256 and 300).
    assert len(counts - {0, 256, 300}) >= 3, sorted(counts)
    assert "300 files: 300 added" in "\n".join(term.lines())


def test_a_logged_traceback_escapes_what_the_exception_quotes(capsys):
    import structlog

    from factfold import logconfig

    before = structlog.get_config()
    logconfig.configure("console", "debug")  # onto capsys's stderr, closed after the test
    try:
        raise ValueError("cannot read t\x1b]0;pwned\x07.txt")
    except ValueError:
        structlog.get_logger("test").exception("failed", path="t\x1b]0;pwned\x07.txt")
    finally:
        structlog.configure(**before)
    logged = capsys.readouterr().err
    assert "Traceback" in logged and "\x1b" not in logged and "\x07" not in logged
    assert r"path=t\x1b]0;pwned\x07.txt" in logged
    assert r"ValueError: cannot read t\x1b]0;pwned\x07.txt" in logged
