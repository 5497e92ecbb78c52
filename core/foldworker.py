"""Replay on two cores: a forked process reads and prepares the chunks, the caller writes.

Folding a stored record is two halves of about the same cost: decoding it into rows
(``Projection.prepare_records``) and writing the rows to SQLite (``write_prepared``).  The
writing must stay in the process that owns the views database and its checkpoints; the
preparing can run beside it.  The child is forked, so it shares the parent's projections,
codec and plugins without pickling them, and hands back prepared chunks in log order
through a bounded queue (memory stays flat).  It reads the log files only, never the
views database, and it leaves if the parent dies.

A prepared chunk is megabytes of encoded rows.  Through a pipe they cost each side about
2 ms a chunk (copies, fresh pages for every buffer, the queue's feeder thread waiting for
the busy child's GIL): a tenth of a replay.  So an item's large buffers (those it wraps in
:class:`pickle.PickleBuffer`) cross through shared memory instead: the child copies them
into a slot of a shared mapping, the parent reads them where they lie.
"""

from __future__ import annotations

import gc
import mmap
import multiprocessing
import os
import pickle
import queue as queue_module
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs

#: prepared chunks in flight between the two processes
DEPTH = 4
#: shared slots: one per item queued, one the parent reads, one the child fills
SLOTS = DEPTH + 2
#: the most an item's shared buffers may hold; larger ones cross through the pipe
SLOT_BYTES = 8 << 20
_DONE = "done"


class FoldWorkerError(RuntimeError):
    """The process preparing a replay's chunks failed or died."""


def parallel_fold_available() -> bool:
    """More than one core to use, and ``fork`` to start the preparing process with."""
    return (len(os.sched_getaffinity(0)) > 1
            and "fork" in multiprocessing.get_all_start_methods())


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run the cycle collector rarely: folding makes millions of short-lived tuples and
    lists and no cycles, and collecting after every 700 of them cost a tenth of a replay."""
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def prepared_elsewhere(produce: Callable[[Callable[[], int]], Iterator[Any]]) -> Iterator[Any]:
    """What ``produce(backlog)`` yields, computed in a forked process, in order.

    ``backlog()`` tells the producer how many of its items the caller has not taken yet:
    none means the caller is about to wait, so the producer may hand over its next item
    unfinished, for the caller to finish, rather than keep it waiting.

    A :class:`pickle.PickleBuffer` in an item arrives as a read-only ``memoryview`` of
    shared memory, valid until the caller asks for the next item: copy what must outlive it.
    """
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=DEPTH)
    slots = _Slots(context)
    child = context.Process(target=_produce, args=(produce, channel, slots, os.getpid()),
                            name="factfold-fold-worker", daemon=True)
    child.start()
    holding = False
    try:
        while True:
            if holding:  # asked for the next item: the last one's slot is free again
                slots.free()
                holding = False
            try:
                item = channel.get(timeout=1.0)
            except queue_module.Empty:
                if not child.is_alive():
                    raise FoldWorkerError(
                        f"the process preparing the replay died (exit code {child.exitcode});"
                        " run the command again") from None
                continue
            if isinstance(item, str) and item == _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exception
            if isinstance(item, _Shared):
                holding = item.slot is not None
                item = slots.load(item)
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        channel.close()


@attrs.frozen
class _Shared:
    """An item pickled with its buffers out of band: in ``slot`` (one after the other, of
    ``sizes``), or (``slot`` None: too large for one) in the pickle itself."""

    pickled: bytes
    slot: int | None
    sizes: tuple[int, ...]


class _Slots:
    """A shared mapping of :data:`SLOTS` slots, filled by the child and read by the parent
    in the same round-robin order; a semaphore counts the free ones."""

    def __init__(self, context: Any) -> None:
        self.memory = mmap.mmap(-1, SLOTS * SLOT_BYTES)  # shared, and inherited by fork
        self.view = memoryview(self.memory)
        self.free_slots = context.Semaphore(SLOTS)
        self.filled = 0  # items the child has put in slots

    def ship(self, item: Any, parent: int) -> Any:
        """In the child: the item as it crosses, its buffers copied into the next slot."""
        buffers: list[pickle.PickleBuffer] = []
        pickled = pickle.dumps(item, protocol=5, buffer_callback=buffers.append)
        if not buffers:
            return item
        raws = [b.raw() for b in buffers]
        sizes = tuple(r.nbytes for r in raws)
        if sum(sizes) > SLOT_BYTES:
            return _Shared(pickle.dumps(item, protocol=5), None, ())
        while not self.free_slots.acquire(timeout=1.0):
            if os.getppid() != parent:
                os._exit(1)  # the parent is gone: nobody will read this
        slot = self.filled % SLOTS
        self.filled += 1
        offset = slot * SLOT_BYTES
        for raw in raws:
            self.view[offset:offset + raw.nbytes] = raw
            offset += raw.nbytes
        return _Shared(pickled, slot, sizes)

    def load(self, shared: _Shared) -> Any:
        """In the parent: the item, its buffers read-only views of its slot."""
        if shared.slot is None:
            return pickle.loads(shared.pickled)
        offset = shared.slot * SLOT_BYTES
        views = []
        for size in shared.sizes:
            views.append(self.view[offset:offset + size].toreadonly())
            offset += size
        return pickle.loads(shared.pickled, buffers=views)

    def free(self) -> None:
        self.free_slots.release()


class _Failure:
    """An exception raised in the child, carried to the parent: itself if it pickles
    (so a ``LogCorrupt`` is a ``LogCorrupt`` there too), else its traceback."""

    def __init__(self, exc: BaseException) -> None:
        try:
            pickle.dumps(exc)
            self.exception: BaseException = exc
        except Exception:
            self.exception = FoldWorkerError(
                "preparing the replay failed:\n" + "".join(traceback.format_exception(exc)))


def _produce(produce: Callable[[Callable[[], int]], Iterator[Any]], channel: Any,
             slots: _Slots, parent: int) -> None:
    gc.freeze()  # what the child inherited: never its garbage, so never walked
    try:
        with rare_collections():
            for item in produce(channel.qsize):
                _put(channel, slots.ship(item, parent), parent)
        _put(channel, _DONE, parent)
    except BaseException as exc:  # every failure goes to the parent
        _put(channel, _Failure(exc), parent)


def _put(channel: Any, item: Any, parent: int) -> None:
    while True:
        try:
            channel.put(item, timeout=1.0)
            return
        except queue_module.Full:
            if os.getppid() != parent:
                os._exit(1)  # the parent is gone: nobody will read this
