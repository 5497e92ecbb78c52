"""The forked process that prepares a long replay's chunks: order, failures, death."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time

import pytest

from factfold import foldworker
from factfold.foldworker import FoldWorkerError, prepared_elsewhere


def test_items_arrive_in_order_and_the_child_is_gone_after():
    assert list(prepared_elsewhere(lambda backlog: iter(range(200)))) == list(range(200))
    assert multiprocessing.active_children() == []


def test_an_exception_in_the_child_is_raised_in_the_parent_as_itself():
    def produce(backlog):
        yield 1
        raise ValueError("record 7 is not a record")

    items = prepared_elsewhere(produce)
    assert next(items) == 1
    with pytest.raises(ValueError, match="record 7 is not a record"):
        next(items)


def test_an_exception_that_does_not_pickle_arrives_as_its_traceback():
    class Local(Exception):  # a local class cannot be pickled
        pass

    def produce(backlog):
        raise Local("only in the child")
        yield

    with pytest.raises(FoldWorkerError, match="only in the child"):
        list(prepared_elsewhere(produce))


def test_a_child_that_dies_is_reported_not_waited_for():
    def produce(backlog):
        yield "first"
        os._exit(3)

    received = []
    with pytest.raises(FoldWorkerError, match="exit code 3"):
        received.extend(prepared_elsewhere(produce))
    assert received in ([], ["first"])  # "first" may die with the child, still unsent


def test_a_parent_that_stops_reading_stops_the_child():
    def produce(backlog):
        n = 0
        while True:  # more than the queue holds: the child blocks on a full queue
            n += 1
            yield n

    items = prepared_elsewhere(produce)
    assert next(items) == 1
    items.close()
    assert multiprocessing.active_children() == []


def test_large_buffers_cross_through_shared_slots_reused_in_turn(monkeypatch):
    monkeypatch.setattr(foldworker, "SLOT_BYTES", 1 << 16)

    def produce(backlog):
        for n in range(3 * foldworker.SLOTS):
            data = bytes([n]) * (1000 + n)
            yield n, pickle.PickleBuffer(data), [pickle.PickleBuffer(data[:10])]
        yield "large", pickle.PickleBuffer(b"x" * (1 << 17)), []  # more than a slot holds

    received = []
    for n, data, parts in prepared_elsewhere(produce):
        # each item's views are read before the next is asked for, as the contract says
        received.append((n, bytes(data), [bytes(p) for p in parts]))
    assert received[:-1] == [(n, bytes([n]) * (1000 + n), [bytes([n]) * 10])
                             for n in range(3 * foldworker.SLOTS)]
    assert received[-1] == ("large", b"x" * (1 << 17), [])


def test_the_producer_sees_how_many_items_wait_for_the_reader():
    def produce(backlog):
        for _ in range(2 * foldworker.DEPTH):
            yield backlog()

    items = prepared_elsewhere(produce)
    assert next(items) == 0  # nothing was queued when the first item was made
    time.sleep(0.5)  # the reader is busy: the queue fills up
    assert max(items) == foldworker.DEPTH
