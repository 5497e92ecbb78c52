"""The bus: catch-up then live, log order under re-entrant publishing, failure isolation."""

from __future__ import annotations

from factfold.bus import Bus
from factfold.events import (
    BUILTIN_TYPES,
    DocumentRemoved,
    Envelope,
    EventCodec,
    EventRegistry,
    SubscriberFailed,
)
from factfold.segments import SegmentLog


def removed(i: int) -> Envelope:
    return Envelope(DocumentRemoved(doc_id=str(i), path=f"p{i}"))


def make(tmp_path) -> tuple[SegmentLog, Bus]:
    log = SegmentLog(tmp_path, EventCodec(EventRegistry(BUILTIN_TYPES)), writable=True)
    return log, Bus(log)


def test_a_late_subscriber_catches_up_then_follows_live(tmp_path):
    log, bus = make(tmp_path)
    bus.publish(log.append([removed(0), removed(1)]))
    seen: list[int] = []
    bus.subscribe("late", lambda e: seen.append(e.position), from_position=1)
    assert seen == [1]
    bus.publish(log.append([removed(2)]))
    assert seen == [1, 2]


def test_events_published_during_delivery_keep_log_order(tmp_path):
    log, bus = make(tmp_path)
    order: dict[str, list[int]] = {"reactor": [], "view": []}

    def reactor(env):
        order["reactor"].append(env.position)
        if env.payload.doc_id == "0":  # react to the first event by appending another
            bus.publish(log.append([removed(10)]))

    bus.subscribe("reactor", reactor)
    bus.subscribe("view", lambda e: order["view"].append(e.position))
    bus.publish(log.append([removed(0), removed(1)]))
    assert order["view"] == [0, 1, 2] and order["reactor"] == [0, 1, 2]


def test_a_failing_subscriber_is_recorded_and_does_not_stop_others(tmp_path):
    log, bus = make(tmp_path)
    good: list[int] = []

    def bad(env):
        if isinstance(env.payload, DocumentRemoved):
            raise ValueError("cannot fold this")

    bus.subscribe("bad", bad)
    bus.subscribe("good", lambda e: good.append(e.position))
    bus.publish(log.append([removed(0)]))
    assert good == [0, 1]  # the event, then the failure record
    failure = log.get(1).payload
    assert isinstance(failure, SubscriberFailed)
    assert (failure.subscriber, failure.position, failure.error) == ("bad", 0, "ValueError")
