"""Replay on two cores: a forked process reads and prepares the chunks, the caller writes.

Folding a stored record is two halves of about the same cost: decoding it into rows
(``Projection.prepare_records``) and writing the rows to SQLite (``write_prepared``).  The
writing must stay in the process that owns the views database and its checkpoints; the
preparing can run beside it.  The child is forked, so it shares the parent's projections,
codec and plugins without pickling them, and hands back prepared chunks in log order
through a bounded queue (memory stays flat).  It reads the log files only, never the
views database, and it leaves if the parent dies.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue as queue_module
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: prepared chunks in flight between the two processes
DEPTH = 4
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
    """
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=DEPTH)
    child = context.Process(target=_produce, args=(produce, channel, os.getpid()),
                            name="factfold-fold-worker", daemon=True)
    child.start()
    try:
        while True:
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
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        channel.close()


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
             parent: int) -> None:
    gc.freeze()  # what the child inherited: never its garbage, so never walked
    try:
        with rare_collections():
            for item in produce(channel.qsize):
                _put(channel, item, parent)
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
