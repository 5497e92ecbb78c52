"""Copying every readable batch of a damaged log into a new one (``factfold log salvage``).

A damaged log is never changed (see docs/log.md): a writer refuses to append after damage,
and ``replay`` refuses to build views from a log it cannot read whole.  Salvage reads the
damaged log as ``verify`` does, past each damaged stretch, and appends every whole,
decodable batch to a new log, in order.  It says exactly what it could not copy: where
(segment and bytes), which positions (how many events), and, as far as the unreadable
bytes still name them, which documents.  Positions in the new log run on from 0 without a
gap, so every event after a loss sits that many positions earlier than it did.
"""

from __future__ import annotations

import re
from pathlib import Path

from attrs import frozen

from factfold.events import DocumentAdded, DocumentLinked

from .log import Damage
from .segments import HEADER, SegmentLog, _Scan

#: how an event of a document names its stream, readable in raw bytes a batch left behind
_DOC_STREAM = re.compile(rb"doc:([0-9a-f]{64})")


@frozen
class Lost:
    """Events that could not be copied: positions ``first`` to ``stop - 1`` of the damaged
    log, once held by bytes ``offset`` to ``end - 1`` of ``segment`` (``end == offset``
    when no bytes hold them: a missing segment)."""

    segment: str
    offset: int
    end: int
    problem: str
    first: int
    stop: int
    #: the documents the unreadable bytes name (sha256 ids), in order of appearance
    documents: tuple[str, ...]

    @property
    def events(self) -> int:
        return self.stop - self.first


@frozen
class Salvage:
    batches: int
    events: int
    lost: tuple[Lost, ...]
    #: an unfinished last batch, never acknowledged to anyone: not copied, not lost
    torn: tuple[Damage, ...]
    #: every document path the copied events name, by document id
    paths: dict[str, str]

    @property
    def events_lost(self) -> int:
        return sum(x.events for x in self.lost)


def _documents(segment: Path, offset: int, end: int) -> tuple[str, ...]:
    with open(segment, "rb") as f:
        f.seek(offset)
        data = f.read(end - offset)
    return tuple(dict.fromkeys(m.decode() for m in _DOC_STREAM.findall(data)))


def salvage(source: SegmentLog, dest: SegmentLog) -> Salvage:
    """Append every whole, decodable batch of ``source`` to ``dest``; ``source`` is only
    read."""
    lost: list[Lost] = []
    torn: list[Damage] = []
    paths: dict[str, str] = {}
    batches = events = 0
    expected = 0
    #: unreadable bytes at the end of a sealed segment: (segment, offset, end, problem),
    #: whose events end where the next segment begins
    unfinished: tuple[Path, int, int, str] | None = None

    def lose(segment: Path, offset: int, end: int, problem: str, upto: int) -> None:
        if upto > expected or end > offset:
            lost.append(Lost(segment.name, offset, end, problem, expected, max(upto, expected),
                             _documents(segment, offset, end) if end > offset else ()))

    segments = source.segments()
    for i, seg in enumerate(segments):
        start = source._first_of(seg)
        if unfinished is not None:
            lose(*unfinished, upto=start)
            unfinished = None
        elif start > expected:
            lose(seg, 0, 0, f"no segment holds positions {expected} to {start - 1}", start)
        expected = max(expected, start)
        scan = _Scan(seg)
        noted = 0
        for offset, first, count, payload in scan.frames(past_damage=True):
            if len(scan.damage) > noted:  # whole frames resume here, after damage
                bad, resume, reason = scan.damage[noted]
                noted += 1
                lose(seg, bad, resume, reason, first)
            elif first > expected:
                lose(seg, offset, offset, f"a batch at position {first} where {expected} "
                     "was expected", first)
            if first < expected:
                continue  # positions copied already: a batch recorded twice
            try:
                recorded = source.codec.unpack_batch(payload, first)
            except Exception as exc:
                lose(seg, offset, offset + HEADER.size + len(payload), f"undecodable batch: {exc}",
                     first + count)
                expected = first + count
                continue
            for env in recorded:
                if isinstance(env.payload, DocumentAdded | DocumentLinked):
                    paths.setdefault(env.payload.doc_id, env.payload.path)
            dest.append_stored(count, payload)
            batches += 1
            events += count
            expected = first + count
        if scan.stop is not None:
            offset, reason = scan.stop
            size = seg.stat().st_size
            if i == len(segments) - 1:
                torn.append(Damage(seg.name, offset, reason, end=size))
            else:
                unfinished = (seg, offset, size, reason)
    dest.flush()
    return Salvage(batches, events, tuple(lost), tuple(torn), paths)
