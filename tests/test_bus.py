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


def test_a_batched_subscriber_gets_each_appended_batch_whole(tmp_path, monkeypatch):
    log, bus = make(tmp_path)
    bus.publish(log.append([removed(i) for i in range(5)]))
    monkeypatch.setattr("factfold.bus.CATCH_UP_BATCH", 2)
    batches: list[list[int]] = []
    bus.subscribe("batched", lambda batch: batches.append([e.position for e in batch]),
                  from_position=0, batched=True)
    assert batches == [[0, 1], [2, 3], [4]]  # catch-up, in chunks
    bus.publish(log.append([removed(5), removed(6), removed(7)]))
    assert batches[3:] == [[5, 6, 7]]


def test_a_failing_batch_is_delivered_again_one_event_at_a_time(tmp_path):
    """The failure is recorded at the event that failed; the batch's other events reach the
    subscriber; a subscriber that is not batched sees every event once."""
    log, bus = make(tmp_path)
    folded: list[int] = []
    plain: list[int] = []

    def fold(batch):
        # all or nothing, as a batched subscriber must be
        if any(e.payload.doc_id == "1" for e in batch if isinstance(e.payload, DocumentRemoved)):
            raise ValueError("cannot fold doc 1")
        folded.extend(e.position for e in batch)

    bus.subscribe("fold", fold, batched=True)
    bus.subscribe("plain", lambda e: plain.append(e.position))
    bus.publish(log.append([removed(0), removed(1), removed(2)]))
    assert folded == [0, 2, 3]  # 3: the failure record
    assert plain == [0, 1, 2, 3]
    failure = log.get(3).payload
    assert isinstance(failure, SubscriberFailed)
    assert (failure.subscriber, failure.position, failure.reason) == ("fold", 1,
                                                                      "cannot fold doc 1")
