"""The event log interface: what the rest of factfold needs from a log.

The embedded default is :class:`factfold.segments.SegmentLog`; a distributed backend
(NATS JetStream, say) implements the same few methods.

Readers that fold the whole log (replay, catch-up, ``--as-of``) read it as stored batches
(:meth:`EventLog.read_batches`): the msgpack the codec packed, undecoded, so a view decodes
only what it needs.  A log that does not keep its events as packed batches implements
``read_batches`` with :func:`packed_batches`, which packs what :meth:`EventLog.read` gives.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice, takewhile
from pathlib import Path
from typing import Protocol

from attrs import frozen

from factfold.events import Envelope, EventCodec

#: one batch as the log stores it: (first position, event count, msgpack payload)
StoredBatch = tuple[int, int, bytes]


class LogError(RuntimeError):
    """The log cannot do what was asked; the message says what to do next."""


class LogConflict(LogError):
    """Another writer appended to the same stream meanwhile (a log shared by processes on
    several hosts): nothing of the batch was recorded."""


class LogCorrupt(LogError):
    """Damage that cannot be repaired by cutting a torn tail (see docs/log.md)."""


def damaged(directory: object | None, where: str) -> str:
    """What to tell a user whose log (in ``directory``, if known) cannot be read whole."""
    log = "the log" if directory is None else f"the log in {directory}"
    return (f"{log} is damaged: {where}. Nothing was cut, and nothing is written to it until "
            "it is dealt with: run `factfold log verify` to list every damaged place, then "
            "restore the segment from a backup, or run `factfold log salvage DEST` to copy "
            "every readable event into a new store")


@frozen
class Damage:
    """One problem found in the log: at byte ``offset`` of ``segment``, to ``end`` (the
    byte where whole batches resume, or the segment's end) where that is known."""

    segment: str
    offset: int
    problem: str
    end: int | None = None


@frozen
class Repair:
    """A torn or corrupt tail cut off when the log was opened."""

    segment: str
    offset: int
    bytes_cut: int
    reason: str
    at: str


@frozen
class VerifyReport:
    segments: int
    batches: int
    events: int
    damage: tuple[Damage, ...]
    repairs: tuple[Repair, ...]
    #: an unfinished last batch (see docs/log.md): not damage, the next writer cuts it
    torn: tuple[Damage, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.damage


class EventLog(Protocol):
    """An append-only, totally ordered log of envelopes with positions from 0."""

    #: packs and unpacks the stored batches (``read_batches``)
    codec: EventCodec

    # Read-only: a log whose value is narrower (always an int, a Path, or None) satisfies
    # these; a plain attribute would have to be declared ``int | None`` in every log.
    @property
    def max_batch(self) -> int | None:
        """The most events one atomic append may hold (None: no limit); a writer that could
        exceed it splits its work into batches that are each whole on their own."""

    @property
    def directory(self) -> Path | None:
        """Where the log keeps its files on this machine (None: on servers elsewhere)."""

    def append(self, envelopes: Sequence[Envelope]) -> list[Envelope]:
        """Durably append one atomic batch; returns the envelopes with their positions."""

    def read(self, from_position: int = 0) -> Iterator[Envelope]:
        """Recorded envelopes from ``from_position`` to the current end."""

    def read_batches(self, from_position: int = 0) -> Iterator[StoredBatch]:
        """The batches holding ``from_position`` onwards, as stored: (first position,
        count, the payload :meth:`EventCodec.pack_batch` made).  The first batch may begin
        before ``from_position``.  A batch is appended whole, so a batch's first position is
        a point where no reader ever saw part of a batch (see :mod:`factfold.asof`).  A log
        that cannot give them returns :func:`packed_batches`."""

    @property
    def head(self) -> int:
        """The position the next appended event will get (the number of events)."""

    @property
    def writer_active(self) -> bool:
        """Whether some process may be appending now (readers then expect the log to grow)."""

    def verify(self) -> VerifyReport:
        """Check every record."""

    def close(self) -> None: ...


def read_chunks(event_log: EventLog, from_position: int, size: int,
                until: int | None = None) -> Iterator[list[Envelope]]:
    """The log's envelopes from ``from_position`` (to ``until``, if given), ``size`` at a
    time (the last chunk may be shorter): how a catch-up hands a log's events to whoever
    folds them in chunks."""
    events = iter(event_log.read(from_position))
    if until is not None:
        events = takewhile(lambda env: env.position < until, events)
    return iter(lambda: list(islice(events, size)), [])


def packed_batches(event_log: EventLog, from_position: int = 0) -> Iterator[StoredBatch]:
    """``read_batches`` for a log that keeps no packed batches: each envelope it reads,
    packed alone.  Every position is then a batch's start, which is true of such a log
    only if it appends one event at a time; it costs a pack per event (replay decodes the
    payloads again), so a log that stores batches gives its own."""
    pack = event_log.codec.pack_batch
    for env in event_log.read(from_position):
        yield env.position, 1, pack([env])
