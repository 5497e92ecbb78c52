"""Views as of a past moment: ``query``/``export --as-of POSITION|TIME`` against stores built
from only the events up to that moment, on a real store with a superseded and a removed
document, and while a writer appends."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import ROOT, run_factfold

from factfold.asof import AsOf
from factfold.events import DocumentAdded, EventCodec
from factfold.log import packed_batches
from factfold.pluginmanager import PluginHost
from factfold.segments import SegmentLog
from factfold.store import Store
from factfold.views import builtin_views
from factfold.viewstore import ViewStore

# Made-up texts that the built-in extractors find facts in.
A = ("Northwind Cooperative reported 1,200 new members in 2025. Its chairman Tomas Ferrell "
     "said revenue rose by about 30 percent.\n")
A2 = ("Northwind Cooperative reported 1,450 new members in 2026. Its chairman Tomas Ferrell "
      "said revenue rose by about 12 percent.\n")
B = ("The harbour council signed an agreement with the port authority on 3 March 2024. "
     "About 450 workers attended.\n")

VIEWS = ("people", "statistics", "agreements", "meetings", "documents")


def _codec() -> EventCodec:
    return EventCodec(PluginHost().event_registry())


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """A store where A is ingested, then B, then A changes (superseding it) and B is
    removed; and how many events the log held after each of those moments."""
    folder = tmp_path_factory.mktemp("asof")
    store_path = folder / "store"
    a, b = folder / "a.txt", folder / "b.txt"
    a.write_text(A, encoding="utf-8")
    b.write_text(B, encoding="utf-8")
    moments: dict[str, int] = {}
    with Store(store_path) as store:
        for name, step in (("A", lambda: store.ingest_file(a, "a.txt")),
                           ("B", lambda: store.ingest_file(b, "b.txt")),
                           ("A changed", lambda: (a.write_text(A2, encoding="utf-8"),
                                                  store.ingest_file(a, "a.txt"))),
                           ("B removed", lambda: store.remove("b.txt"))):
            step()
            store.extract_pending()
            moments[name] = store.log.head
            time.sleep(0.01)  # the moments' times apart, as a person's would be
    return store_path, moments


def prefix_store(source: Path, stop: int, dest: Path) -> Path:
    """A store built from only the first ``stop`` events of ``source``'s log."""
    codec = _codec()
    with SegmentLog(source / "log", codec) as log, \
            SegmentLog(dest / "log", codec, writable=True, fsync="never") as new:
        for first, count, payload in log.read_batches(0):
            if first >= stop:
                break
            assert first + count <= stop, "a cut in the middle of a batch"
            new.append_stored(count, payload)
    Store(dest).close()  # a writer folds its views
    return dest


def batch_ends(store: Path) -> list[int]:
    """Where each batch of the log ends (the position after its last event)."""
    with SegmentLog(store / "log", _codec()) as log:
        return [first + count for first, count, _ in log.read_batches(0)]


def answers(store: Store) -> dict[str, list]:
    return {"export": list(store.export()),
            **{view: store.query(view) for view in VIEWS}}


def tail(store: Path) -> list[dict]:
    return [json.loads(line) for line in
            run_factfold("log", "tail", "-n", "1000", store=store).stdout.splitlines()]


def test_every_position_shows_what_a_store_of_the_events_up_to_it_shows(history, tmp_path):
    store_path, _ = history
    ends = batch_ends(store_path)
    with Store(store_path, writable=False) as store:
        head = store.log.head
        assert ends[-1] == head
        for position in range(head):
            stop = next(end for end in ends if end > position)  # with its whole batch
            with Store(prefix_store(store_path, stop, tmp_path / str(position)),
                       writable=False) as prefix:
                expected = answers(prefix)
            with store.as_of(AsOf.parse(str(position))) as past:
                assert past.moment is not None and past.moment.stop == stop
                assert answers(past) == expected, position


def test_the_moments_by_position_and_by_time_through_the_cli(history, tmp_path):
    store_path, moments = history
    events = tail(store_path)
    assert [e["position"] for e in events] == list(range(len(events)))
    sources = {}
    for name, stop in moments.items():
        expected = run_factfold("export", store=prefix_store(store_path, stop,
                                                             tmp_path / name)).stdout
        # the last event of the moment, and its time as `log tail` prints it
        last = events[stop - 1]
        through = f"position {stop - 1} (recorded {last['time']})"
        for point, note in (
            (str(stop - 1), f"the log through {through}"),
            (last["time"], f"nothing was recorded after it; the log's last event is "
                           f"{through}, so this is the current state"
             if stop == len(events) else f"the log through {through}"),
        ):
            proc = run_factfold("export", "--as-of", point, store=store_path)
            assert proc.stdout == expected, (name, point)
            assert proc.stderr == f"as of {point}: {note}\n"
        sources[name] = {(r["source"], r["doc_id"]) for r in map(json.loads,
                                                                  expected.splitlines())}
        # halfway to the next event is still this moment
        if stop < len(events):
            between = (datetime.fromisoformat(last["time"])
                       + (datetime.fromisoformat(events[stop]["time"])
                          - datetime.fromisoformat(last["time"])) / 2)
            proc = run_factfold("query", "statistics", "--json", "--as-of",
                                between.isoformat(), store=store_path)
            assert proc.stdout == run_factfold("query", "statistics", "--json",
                                               store=tmp_path / name).stdout
    # what each moment holds: A; A and B; A's new version and B; A's new version only
    docs = {name: {source: doc for source, doc in pairs} for name, pairs in sources.items()}
    a, b, a2 = docs["A"]["a.txt"], docs["B"]["b.txt"], docs["A changed"]["a.txt"]
    assert a != a2
    assert sources == {"A": {("a.txt", a)}, "B": {("a.txt", a), ("b.txt", b)},
                       "A changed": {("a.txt", a2), ("b.txt", b)},
                       "B removed": {("a.txt", a2)}}


def test_past_the_end_is_the_current_state_and_before_the_start_is_empty(history, tmp_path):
    store_path, _ = history
    events = tail(store_path)
    first = datetime.fromisoformat(events[0]["time"])
    last = datetime.fromisoformat(events[-1]["time"])
    current = run_factfold("export", store=store_path).stdout
    for point in ("1000000", (last + timedelta(seconds=1)).isoformat(),
                  (last + timedelta(days=1)).date().isoformat()):
        proc = run_factfold("export", "--as-of", point, store=store_path)
        assert proc.stdout == current
        assert len(proc.stderr.splitlines()) == 1 and "current state" in proc.stderr
    for point in ((first - timedelta(microseconds=1)).isoformat().replace("+00:00", "Z"),
                  (first - timedelta(days=1)).date().isoformat()):
        for args in (["export"], ["query", "people", "--json"]):
            proc = run_factfold(*args, "--as-of", point, store=store_path)
            assert proc.stdout == ""
            assert proc.stderr.splitlines()[0] == (
                f"as of {point}: that is before the log's first event ({events[0]['time']}), "
                "so the answer is empty")
    # the temporary views are gone afterwards, and the store is as it was
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    before = snapshot(store_path)
    run_factfold("query", "statistics", "--as-of", "3", store=store_path,
                 env={"TMPDIR": str(scratch)})
    assert list(scratch.iterdir()) == []
    assert snapshot(store_path) == before


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file's size and time, but SQLite's shared-memory index, which every reader of
    the live views maps (as a plain ``query`` does)."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if not p.name.endswith("-shm")}


@pytest.mark.parametrize("value", ["x", "-3", "", "2026-02-30", "12:00", "3.5",
                                   "2026-12-03T25:00", "now"])
def test_a_malformed_point_is_one_line_and_exit_2(history, value):
    store_path, _ = history
    for args in (["export"], ["query", "people"]):
        proc = run_factfold(*args, "--as-of", value, store=store_path, check=False)
        assert proc.returncode == 2
        assert proc.stdout == ""
        assert len(proc.stderr.splitlines()) == 1, proc.stderr
        assert proc.stderr.startswith("error: ") and "--as-of" in proc.stderr
        assert "ISO 8601" in proc.stderr


def test_a_date_is_its_whole_day_and_a_time_without_an_offset_is_utc():
    assert AsOf.parse("2026-12-03").time == datetime(2026, 12, 3, 23, 59, 59, 999999, UTC)
    assert AsOf.parse("2026-12-03T14:00").time == datetime(2026, 12, 3, 14, tzinfo=UTC)
    assert AsOf.parse("2026-12-03T16:00+02:00").time == datetime(2026, 12, 3, 14, tzinfo=UTC)
    assert AsOf.parse(" 42 ").position == 42


#: appends a small document every few milliseconds until it is stopped
WRITER = """
import sys, time
from factfold.pluginmanager import PluginHost
from factfold.store import Store
from factfold.views import builtin_views
# documents only: with no extractor, nothing but documents reaches the log
with Store(sys.argv[1], plugins=PluginHost(load_entrypoints=False)) as store:
    i = 0
    while True:
        store.ingest_bytes(f"live/{i}.txt", f"Document number {i} of the live writer.".encode())
        i += 1
        time.sleep(0.002)
"""


def test_a_reader_during_a_live_writer_gets_one_consistent_moment(tmp_path):
    store_path = tmp_path / "store"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store_path)], cwd=ROOT,
                              stderr=subprocess.PIPE)
    try:
        codec = _codec()
        deadline = time.monotonic() + 60
        while not (store_path / "log").exists() or \
                SegmentLog(store_path / "log", codec).head < 50:
            assert writer.poll() is None, writer.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        heads = []
        for point in ("25", "1000000000", (datetime.now(UTC) + timedelta(days=1)).isoformat()):
            heads.append(SegmentLog(store_path / "log", codec).head)
            proc = run_factfold("query", "documents", "--json", "--as-of", point,
                                store=store_path)
            through = int(re.search(r"position (\d+) \(recorded", proc.stderr).group(1))
            if point == "25":
                assert through == 25  # one document per batch
            else:
                assert through + 1 >= heads[-1]  # at least what the log held when asked
            # exactly the documents the log held through that position, none half-folded
            with SegmentLog(store_path / "log", codec) as log:
                added = [env.payload.path for env in log.read()
                         if env.position <= through and isinstance(env.payload, DocumentAdded)]
            shown = [p for line in proc.stdout.splitlines() for p in json.loads(line)["paths"]]
            assert sorted(shown) == sorted(added) and len(added) == through + 1
        assert writer.poll() is None  # the writer was appending throughout
        assert SegmentLog(store_path / "log", codec).head > heads[0]
    finally:
        writer.terminate()
        writer.wait(timeout=30)


def test_log_tail_gives_every_event_its_position_and_time(history):
    store_path, moments = history
    events = tail(store_path)
    assert len(events) == moments["B removed"]
    times = [datetime.fromisoformat(e["time"]) for e in events]
    assert all(t.utcoffset() == timedelta(0) for t in times)
    assert times == sorted(times)  # one process made them, one after the other


class EnvelopesOnly:
    """A log that reads envelopes only, as a log without stored batches would: its batches
    are the ones :func:`packed_batches` makes."""

    def __init__(self, log: SegmentLog) -> None:
        self._log = log
        self.head = log.head
        self.codec = log.codec

    def read(self, from_position: int = 0):
        return self._log.read(from_position)

    def read_batches(self, from_position: int = 0):
        return packed_batches(self, from_position)


def test_a_log_without_batches_folds_to_the_same_cut(history, tmp_path):
    store_path, moments = history
    with Store(store_path, writable=False) as store:
        for stop in moments.values():
            views = tmp_path / f"{stop}.sqlite"
            with ViewStore(views, [*builtin_views(), *store.plugins.projections()]) as fold:
                fold.catch_up(EnvelopesOnly(store.log), until=stop)
            with Store(store_path, writable=False, views=views) as folded, \
                    store.as_of(AsOf.parse(str(stop - 1))) as past:
                assert answers(folded) == answers(past)
