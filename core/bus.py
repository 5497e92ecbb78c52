"""The in-process message bus: delivers recorded events, in log order, to subscribers.

Only events that the log has durably recorded (they carry a position) travel on the bus.
A subscriber joins at a position: the bus first replays the log from there (catch-up),
then hands it live events — EventStoreDB's catch-up subscription, in one process.

Delivery is synchronous and ordered.  An event published while another is being
delivered (a subscriber appending facts in reaction to a document, say) is queued and
delivered after it, so every subscriber sees the log's order.  A subscriber that raises is
isolated: the error is logged, recorded as a ``SubscriberFailed`` event, and the others go on.

A subscriber may take events a batch at a time: each appended batch whole (an extraction
run's facts with their marker, say), so that it can write them together, as catch-up does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence

import structlog

from factfold.events import Envelope, SubscriberFailed

from .durable import DiskFull
from .log import EventLog, read_chunks

log = structlog.get_logger("factfold.bus")

Handler = Callable[[Envelope], None]
BatchHandler = Callable[[Sequence[Envelope]], None]

#: how many events a batched subscriber's catch-up hands it at a time
CATCH_UP_BATCH = 5000


class Subscription:
    def __init__(self, name: str, handler: Handler | BatchHandler, position: int,
                 batched: bool) -> None:
        self.name = name
        self.handler = handler
        #: the next position this subscriber expects
        self.position = position
        self.batched = batched


class Bus:
    def __init__(self, event_log: EventLog) -> None:
        self._log = event_log
        self._subscriptions: list[Subscription] = []
        self._queue: deque[list[Envelope]] = deque()
        self._delivering = False

    def subscribe(self, name: str, handler: Handler | BatchHandler,
                  from_position: int | None = None, *, batched: bool = False) -> None:
        """Deliver every event from ``from_position`` (None: only new events) to ``handler``.

        A ``batched`` handler takes a sequence of consecutive events instead of one.  If it
        raises, the bus hands it the same events again one at a time, to record which one
        failed: it must leave no trace of a batch it did not finish, or skip on the second
        delivery the events it did fold.
        """
        start = self._log.head if from_position is None else from_position
        sub = Subscription(name, handler, start, batched)
        if batched:
            for chunk in read_chunks(self._log, start, CATCH_UP_BATCH):
                self._deliver_batch(sub, chunk)
        else:
            for env in self._log.read(start):
                self._deliver(sub, env)
        self._subscriptions.append(sub)

    def publish(self, recorded: Iterable[Envelope]) -> None:
        """Hand a freshly appended batch to every subscriber, in order."""
        batch = list(recorded)
        if batch:
            self._queue.append(batch)
        if self._delivering:
            return
        self._delivering = True
        try:
            while self._queue:
                batch = self._queue.popleft()
                for sub in self._subscriptions:
                    mine = [env for env in batch if env.position >= sub.position]
                    if not mine:
                        continue
                    if sub.batched:
                        self._deliver_batch(sub, mine)
                    else:
                        for env in mine:
                            self._deliver(sub, env)
        finally:
            self._delivering = False

    def resync(self, position: int) -> None:
        """Drop what is queued and have every subscriber go on from ``position``.

        For a store whose subscribers caught up with the log by other means, after a
        delivery stopped half-way (:class:`DiskFull`).
        """
        self._queue.clear()
        for sub in self._subscriptions:
            sub.position = position

    def _deliver_batch(self, sub: Subscription, batch: list[Envelope]) -> None:
        try:
            sub.handler(batch)  # type: ignore[arg-type]
        except DiskFull:
            raise  # not the subscriber's fault, and nothing can be recorded: the caller waits
        except Exception:
            log.debug("batch failed; delivering it one event at a time", subscriber=sub.name,
                      first=batch[0].position, last=batch[-1].position)
            for env in batch:
                self._deliver(sub, env)
            return
        sub.position = batch[-1].position + 1

    def _deliver(self, sub: Subscription, env: Envelope) -> None:
        try:
            sub.handler([env] if sub.batched else env)  # type: ignore[arg-type]
        except DiskFull:
            raise
        except Exception as exc:
            log.error(
                "subscriber failed",
                subscriber=sub.name,
                position=env.position,
                event_type=env.type,
                error=repr(exc),
                exc_info=True,
            )
            if not isinstance(env.payload, SubscriberFailed):
                failure = env.caused(
                    SubscriberFailed(
                        subscriber=sub.name,
                        position=env.position,
                        error=type(exc).__name__,
                        reason=str(exc),
                    ),
                    producer="factfold",
                    stream=f"subscriber:{sub.name}",
                )
                self.publish(self._log.append([failure]))
        sub.position = env.position + 1
