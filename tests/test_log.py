"""The segment log: atomic batches, torn-tail repair, one writer, readers, verify."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from factfold.events import BUILTIN_TYPES, DocumentAdded, Envelope, EventCodec, EventRegistry
from factfold.lock import StoreLocked
from factfold.log import LogError
from factfold.segments import HEADER, SegmentLog, _Scan

CODEC = EventCodec(EventRegistry(BUILTIN_TYPES))


def doc(i: int, text: str = "正文") -> Envelope:
    return Envelope(DocumentAdded(doc_id=f"d{i}", path=f"p{i}", text=text * (i % 7 + 1),
                                  encoding="utf-8", size=i))


def write_batches(path: Path, sizes: list[int], **kw) -> list[list[Envelope]]:
    batches, n = [], 0
    with SegmentLog(path, CODEC, writable=True, **kw) as log:
        for size in sizes:
            batches.append(log.append([doc(n + i) for i in range(size)]))
            n += size
    return batches


def ids(log: SegmentLog) -> list[str]:
    return [e.payload.doc_id for e in log.read()]


def test_append_assigns_positions_and_reads_back_in_order(tmp_path):
    batches = write_batches(tmp_path, [1, 3, 2])
    assert [e.position for b in batches for e in b] == list(range(6))
    log = SegmentLog(tmp_path, CODEC)
    assert log.head == 6
    assert ids(log) == [f"d{i}" for i in range(6)]
    assert [e.position for e in log.read(4)] == [4, 5]


def test_segments_roll_and_read_across_them(tmp_path):
    write_batches(tmp_path, [3] * 40, segment_bytes=2048)
    log = SegmentLog(tmp_path, CODEC)
    assert len(log.segments()) > 3
    assert ids(log) == [f"d{i}" for i in range(120)]
    assert [e.position for e in log.read(61)][:2] == [61, 62]
    assert log.verify().ok


def _last_batch_bounds(path: Path) -> tuple[Path, int, int]:
    seg = sorted(path.glob("*.seg"))[-1]
    size = seg.stat().st_size
    starts = [off for off, *_ in _Scan(seg).frames()]
    return seg, starts[-1], size


@pytest.mark.parametrize("mode", ["truncate", "flip"])
def test_damage_anywhere_in_the_last_batch_cuts_exactly_that_batch(tmp_path, mode):
    base = tmp_path / "base"
    write_batches(base, [2, 3, 4])
    seg, start, size = _last_batch_bounds(base)
    original = seg.read_bytes()
    step = 1 if mode == "truncate" else 3
    for offset in range(start, size, step):
        case = tmp_path / f"{mode}-{offset}"
        case.mkdir()
        damaged = bytearray(original)
        if mode == "truncate":
            damaged = damaged[:offset]
        else:
            damaged[offset] ^= 0x5A
        (case / seg.name).write_bytes(bytes(damaged))
        with SegmentLog(case, CODEC, writable=True) as log:
            # every earlier event is there, no event of the damaged batch is
            assert ids(log) == [f"d{i}" for i in range(5)], offset
            assert log.head == 5
            assert log.repairs() or offset == start  # a cut exactly at a boundary is clean
            log.append([doc(99)])  # and the log goes on from there
        assert ids(SegmentLog(case, CODEC)) == [*[f"d{i}" for i in range(5)], "d99"]


def test_repairs_are_recorded_for_verify(tmp_path):
    write_batches(tmp_path, [2, 2])
    seg = sorted(tmp_path.glob("*.seg"))[-1]
    seg.write_bytes(seg.read_bytes()[:-7])
    with SegmentLog(tmp_path, CODEC, writable=True) as log:
        report = log.verify()
    assert report.ok and report.events == 2
    (repair,) = report.repairs
    assert repair.segment == seg.name and repair.bytes_cut > 0 and "torn" in repair.reason


def test_damage_in_a_sealed_segment_is_reported_not_cut(tmp_path):
    write_batches(tmp_path, [3] * 40, segment_bytes=2048)
    first = sorted(tmp_path.glob("*.seg"))[0]
    data = bytearray(first.read_bytes())
    data[len(data) // 2] ^= 0xFF
    first.write_bytes(bytes(data))
    with SegmentLog(tmp_path, CODEC, writable=True) as log:
        report = log.verify()
        assert not report.ok
        assert report.damage[0].segment == first.name
        with pytest.raises(LogError, match="damaged"):
            list(log.read())


def test_a_second_writer_is_refused_with_the_holders_name(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from factfold.events import BUILTIN_TYPES, EventCodec, EventRegistry
            from factfold.segments import HEADER, SegmentLog, _Scan
            log = SegmentLog({str(tmp_path / 'log')!r}, EventCodec(EventRegistry(BUILTIN_TYPES)),
                             writable=True)
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLocked, match=rf"pid {holder.pid}"):
            SegmentLog(tmp_path / "log", CODEC, writable=True)
        # readers are never blocked by the writer
        assert SegmentLog(tmp_path / "log", CODEC).head == 0
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    SegmentLog(tmp_path / "log", CODEC, writable=True).close()  # released when it exits


def test_a_reader_sees_what_the_writer_appends(tmp_path):
    with SegmentLog(tmp_path, CODEC, writable=True) as writer:
        reader = SegmentLog(tmp_path, CODEC)
        writer.append([doc(0), doc(1)])
        assert ids(reader) == ["d0", "d1"]
        writer.append([doc(2)])
        assert [e.payload.doc_id for e in reader.read(2)] == ["d2"]


def test_fsync_policies(tmp_path):
    for policy in ("batch", "never", "interval:0.5"):
        write_batches(tmp_path / policy, [2, 2], fsync=policy)
        assert ids(SegmentLog(tmp_path / policy, CODEC)) == ["d0", "d1", "d2", "d3"]
    with pytest.raises(ValueError, match="unknown fsync policy"):
        SegmentLog(tmp_path / "x", CODEC, writable=True, fsync="sometimes")


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 256 KiB file system (tmpfs), to fill up."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    try:
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                              capture_output=True, text=True)
        failure = made.stderr.strip() if made.returncode != 0 else None
    except OSError as exc:  # no mount command
        failure = str(exc)
    if failure is not None:  # not root, or a container that may not mount
        pytest.skip(f"cannot mount a small tmpfs here: {failure}")
    yield mount
    subprocess.run(["umount", "--lazy", str(mount)], check=True)


def test_a_full_disk_leaves_no_partial_batch_and_loses_nothing(tiny_disk):
    log = SegmentLog(tiny_disk / "log", CODEC, writable=True)
    written = 0
    with pytest.raises(LogError, match=r"nothing of this batch was recorded.*Free disk space"):
        while True:
            log.append([doc(written, text="满" * 3000)])
            written += 1
    assert written >= 3
    log.close()
    survivors = SegmentLog(tiny_disk / "log", CODEC)
    assert ids(survivors) == [f"d{i}" for i in range(written)]
    assert survivors.verify().ok


# -- the writer's zero-filled reserve --------------------------------------------------------

def test_zeros_the_writer_reserved_are_the_end_of_the_log_not_damage(tmp_path):
    log = SegmentLog(tmp_path, CODEC, writable=True)
    log.append([doc(0), doc(1)])
    log.append([doc(2)])
    segment = log.segments()[-1]
    assert segment.stat().st_size > log._segment_size  # the reserve is on disk
    reader = SegmentLog(tmp_path, CODEC)
    assert ids(reader) == ["d0", "d1", "d2"] and reader.head == 3
    report = reader.verify()
    assert report.ok and report.events == 3 and not report.damage
    crashed = tmp_path.parent / "crashed"  # the files as a SIGKILL would leave them
    crashed.mkdir()
    (crashed / segment.name).write_bytes(segment.read_bytes())
    log.append([doc(3)])
    log.close()
    assert segment.stat().st_size == sum(  # closing leaves no reserve behind
        HEADER.size + len(p) for _, _, p in SegmentLog(tmp_path, CODEC).read_batches())
    with SegmentLog(crashed, CODEC, writable=True) as again:
        assert again.repairs() == []  # a reserve is not a torn tail
        again.append([doc(9)])
    assert ids(SegmentLog(crashed, CODEC)) == ["d0", "d1", "d2", "d9"]


def test_a_stray_byte_in_the_reserve_is_damage_and_is_cut(tmp_path):
    with SegmentLog(tmp_path, CODEC, writable=True) as log:
        log.append([doc(0)])
        segment = log.segments()[-1]
    end = segment.stat().st_size
    data = bytearray(segment.read_bytes() + bytes(100_000))
    data[end + 5000] = 7  # neither a batch nor zeros: something wrote where it should not
    segment.write_bytes(bytes(data))
    with SegmentLog(tmp_path, CODEC, writable=True) as log:
        (repair,) = log.repairs()
        assert repair.offset == end and repair.reason == "bad frame marker"
        log.append([doc(1)])
    assert ids(SegmentLog(tmp_path, CODEC)) == ["d0", "d1"]
