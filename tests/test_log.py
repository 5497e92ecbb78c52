"""The segment log: atomic batches, torn-tail repair, one writer, readers, verify."""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from factfold.events import (
    BUILTIN_TYPES,
    DocumentAdded,
    DocumentLinked,
    Envelope,
    EventCodec,
    EventRegistry,
)
from factfold.lock import StoreLocked
from factfold.log import LogCorrupt, LogError
from factfold.salvage import Lost, salvage
from factfold.segments import HEADER, MAGIC, SegmentLog, _Scan, frame

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


# -- damage is not a torn tail (docs/log.md) -----------------------------------------------------

def _frames(segment: Path) -> list[tuple[int, int, int]]:
    """(offset, first position, count) of each whole frame of ``segment``."""
    return [(off, first, count) for off, first, count, _ in _Scan(segment).frames()]


def _files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def _flip(segment: Path, offset: int, mask: int = 0x5A) -> None:
    data = bytearray(segment.read_bytes())
    data[offset] ^= mask
    segment.write_bytes(bytes(data))


@pytest.mark.parametrize("where", ["payload", "length", "marker"])
def test_damage_inside_the_active_segment_is_reported_and_never_cut(tmp_path, where):
    write_batches(tmp_path, [2, 3, 4, 2, 3])
    (segment,) = sorted(tmp_path.glob("*.seg"))
    frames = _frames(segment)
    offset, first, count = frames[1]  # the second of five batches
    at = {"payload": offset + HEADER.size + 7, "length": offset + 5, "marker": offset}[where]
    _flip(segment, at, 0x40 if where == "length" else 0x5A)
    before = _files(tmp_path)

    with pytest.raises(LogCorrupt, match=rf"at byte {offset}: .*not a torn tail.*log salvage"):
        SegmentLog(tmp_path, CODEC, writable=True)
    reader = SegmentLog(tmp_path, CODEC)
    seen = []
    with pytest.raises(LogCorrupt, match="damaged"):
        for env in reader.read():
            seen.append(env.payload.doc_id)
    assert seen == ["d0", "d1"]  # what precedes the damage, never a silent end
    report = reader.verify()
    assert not report.ok and report.events == 14 - count and report.batches == 4
    (damage,) = report.damage
    assert (damage.offset, damage.end) == (offset, frames[2][0])
    assert f"events {first} to {first + count - 1} ({count}) are missing" in damage.problem
    assert _files(tmp_path) == before  # nothing cut, nothing written, no lock file taken


def test_a_hole_of_zeros_before_whole_batches_is_damage_not_the_end(tmp_path):
    """What a machine crash under --fsync never can leave: a later batch reached the disk,
    an earlier one did not."""
    write_batches(tmp_path, [2, 2, 2])
    (segment,) = sorted(tmp_path.glob("*.seg"))
    offset, _, _ = _frames(segment)[1]
    end, _, _ = _frames(segment)[2]
    data = bytearray(segment.read_bytes())
    data[offset:end] = bytes(end - offset)
    segment.write_bytes(bytes(data))
    with pytest.raises(LogCorrupt, match="bad frame marker"):
        SegmentLog(tmp_path, CODEC, writable=True)
    (damage,) = SegmentLog(tmp_path, CODEC).verify().damage
    assert (damage.offset, damage.end) == (offset, end) and "events 2 to 3" in damage.problem


def test_a_torn_tail_is_left_to_the_writer_and_verify_names_it(tmp_path):
    write_batches(tmp_path, [2, 2])
    (segment,) = sorted(tmp_path.glob("*.seg"))
    segment.write_bytes(segment.read_bytes()[:-9])
    before = _files(tmp_path)
    report = SegmentLog(tmp_path, CODEC).verify()
    assert report.ok and report.events == 2 and not report.repairs
    (torn,) = report.torn
    assert torn.offset == _frames(segment)[-1][0] + HEADER.size + len(
        list(SegmentLog(tmp_path, CODEC).read_batches())[-1][2])
    assert _files(tmp_path) == before  # a reader does not cut
    with SegmentLog(tmp_path, CODEC, writable=True) as log:
        assert log.verify().torn == () and len(log.repairs()) == 1


def _segmented(path: Path) -> list[Path]:
    write_batches(path, [3] * 40, segment_bytes=2048)
    segments = sorted(path.glob("*.seg"))
    assert len(segments) > 4
    return segments


@pytest.mark.parametrize("which", [0, 2])
def test_verify_finds_a_segment_moved_aside(tmp_path, which):
    segments = _segmented(tmp_path)
    gone = segments[which]
    start, stop = int(gone.stem), int(segments[which + 1].stem)
    gone.rename(tmp_path / "aside")
    report = SegmentLog(tmp_path, CODEC).verify()
    assert not report.ok and report.events == 120 - (stop - start)
    (damage,) = report.damage
    assert damage.problem.endswith(f"events {start} to {stop - 1} ({stop - start}) are missing")
    with pytest.raises(LogCorrupt, match="missing"):
        list(SegmentLog(tmp_path, CODEC).read())
    if which == 0:  # a writer would otherwise go on at the head as if all were there
        with pytest.raises(LogCorrupt, match="segments before it are missing"):
            SegmentLog(tmp_path, CODEC, writable=True)


def test_a_reader_racing_the_writer_never_sees_damage(tmp_path):
    """A reader meets the writer's batch half-written, and whole ones after it a moment
    later: that batch is read again, never called damage."""
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from factfold.events import BUILTIN_TYPES, DocumentAdded, Envelope, EventCodec
        from factfold.events import EventRegistry
        from factfold.segments import SegmentLog
        log = SegmentLog({str(tmp_path)!r}, EventCodec(EventRegistry(BUILTIN_TYPES)),
                         writable=True, fsync="never")
        for i in range(1500):
            log.append([Envelope(DocumentAdded(doc_id=f"d{{i}}", path="p", text="字" * 9000,
                                               encoding="utf-8", size=i))])
        log.close()
    """)])
    position = reads = 0
    try:
        while writer.poll() is None:
            for first, count, _ in SegmentLog(tmp_path, CODEC).read_batches(position):
                assert first == position
                position += count
            reads += 1
    finally:
        writer.wait(timeout=60)
    assert writer.returncode == 0 and reads > 3
    assert SegmentLog(tmp_path, CODEC).verify().ok


# -- salvage ----------------------------------------------------------------------------------

def _doc_batch(i: int) -> list[Envelope]:
    doc_id = f"{i:064x}"
    return [Envelope(DocumentAdded(doc_id=doc_id, path=f"in/{i}.txt", text="文" * 40,
                                   encoding="utf-8", size=120), stream=f"doc:{doc_id}"),
            *[Envelope(DocumentLinked(doc_id=doc_id, path=f"in/{i}-{k}.txt"),
                       stream=f"doc:{doc_id}") for k in range(2)]]


def test_salvage_copies_every_readable_batch_and_says_exactly_what_was_lost(tmp_path):
    source = tmp_path / "source"
    with SegmentLog(source, CODEC, writable=True, segment_bytes=4096) as log:
        batches = 0
        while batches < 40 or len(_frames(log.segments()[-1])) != 3:
            log.append(_doc_batch(batches))
            batches += 1
    total = 3 * batches
    segments = sorted(source.glob("*.seg"))
    assert len(segments) >= 5
    sealed, gone, active = segments[1], segments[3], segments[-1]
    sealed_frames, active_frames = _frames(sealed), _frames(active)
    assert len(active_frames) >= 3
    _flip(sealed, sealed_frames[1][0] + HEADER.size + 30)  # the second batch's payload
    _flip(active, active_frames[0][0] + HEADER.size + 30)   # whole batches follow it
    gone.rename(tmp_path / "aside")
    active.write_bytes(active.read_bytes()[:-5])  # and a torn tail
    before = _files(source)

    dest = SegmentLog(tmp_path / "dest", CODEC, writable=True, fsync="never")
    result = salvage(SegmentLog(source, CODEC), dest)
    dest.close()

    def lost_batch(segment, frames, k):
        offset, first, count = frames[k]
        return Lost(segment.name, offset, frames[k + 1][0], "checksum mismatch", first,
                    first + count, (f"{first // 3:064x}",))

    start, stop = int(gone.stem), int(segments[4].stem)
    assert result.lost == (
        lost_batch(sealed, sealed_frames, 1),
        Lost(segments[4].name, 0, 0, f"no segment holds positions {start} to {stop - 1}",
             start, stop, ()),
        lost_batch(active, active_frames, 0),
    )
    (torn,) = result.torn
    assert (torn.segment, torn.offset) == (active.name, active_frames[-1][0])
    lost = {p for x in result.lost for p in range(x.first, x.stop)}
    lost.update(range(active_frames[-1][1], total))  # the torn tail's, never acknowledged
    assert result.events == total - len(lost) == result.batches * 3
    assert result.events_lost == len(lost) - 3

    copied = SegmentLog(tmp_path / "dest", CODEC)
    assert copied.verify().ok
    kept = [e.payload.doc_id for e in copied.read() if isinstance(e.payload, DocumentAdded)]
    assert kept == [f"{p // 3:064x}" for p in range(0, total, 3) if p not in lost]
    assert [e.position for e in copied.read()] == list(range(result.events))
    assert result.paths[f"{0:064x}"] == "in/0.txt"
    assert _files(source) == before  # the damaged log is only read


def test_a_document_cannot_carry_a_frame_that_resync_would_take_for_a_batch(tmp_path):
    """Past a bad frame the scan looks for whole frames; texts come from hostile files."""
    forged = frame(7, 1, CODEC.pack_batch([doc(7)]))
    texts = [forged.decode("latin-1"), forged.decode("utf-8", "replace"), "\x1d\xf0\xc7\xfa"]
    with SegmentLog(tmp_path, CODEC, writable=True) as log:
        for text in texts:
            log.append([doc(0, text=text)])
    (segment,) = sorted(tmp_path.glob("*.seg"))
    data = segment.read_bytes()
    assert data.count(struct.pack("<I", MAGIC)) == len(texts)  # the real frames' only


def test_salvage_skips_a_whole_batch_that_does_not_decode(tmp_path):
    with SegmentLog(tmp_path / "source", CODEC, writable=True) as log:
        log.append(_doc_batch(0))
        log.append_stored(2, b"\xc1 not msgpack doc:" + f"{1:064x}".encode())  # crc and all
        log.append(_doc_batch(2))
    source = SegmentLog(tmp_path / "source", CODEC)
    (damage,) = source.verify().damage
    assert damage.problem.startswith("undecodable batch")
    with SegmentLog(tmp_path / "dest", CODEC, writable=True) as dest:
        result = salvage(source, dest)
    (lost,) = result.lost
    assert (lost.first, lost.stop, lost.documents) == (3, 5, (f"{1:064x}",))
    assert lost.problem.startswith("undecodable batch")
    copied = SegmentLog(tmp_path / "dest", CODEC)
    assert [e.payload.doc_id for e in copied.read() if isinstance(e.payload, DocumentAdded)] \
        == [f"{0:064x}", f"{2:064x}"]
    assert copied.verify().ok
