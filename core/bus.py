"""The in-process message bus: delivers recorded events, in log order, to subscribers.

Only events that the log has durably recorded (they carry a position) travel on the bus.
A subscriber joins at a position: the bus first replays the log from there (catch-up),
then hands it live events — EventStoreDB's catch-up subscription, in one process.

Delivery is synchronous and ordered.  An event published while another is being
delivered (a subscriber appending facts in reaction to a document, say) is queued and
delivered after it, so every subscriber sees the log's order.  A subscriber that raises is
isolated: the error is logged, recorded as a ``SubscriberFailed`` event, and the others go on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

import structlog

from factfold.events import Envelope, SubscriberFailed

from .log import EventLog

log = structlog.get_logger("factfold.bus")

Handler = Callable[[Envelope], None]


class Subscription:
    def __init__(self, name: str, handler: Handler, position: int) -> None:
        self.name = name
        self.handler = handler
        #: the next position this subscriber expects
        self.position = position


class Bus:
    def __init__(self, event_log: EventLog) -> None:
        self._log = event_log
        self._subscriptions: list[Subscription] = []
        self._queue: deque[Envelope] = deque()
        self._delivering = False

    def subscribe(self, name: str, handler: Handler, from_position: int | None = None) -> None:
        """Deliver every event from ``from_position`` (None: only new events) to ``handler``."""
        start = self._log.head if from_position is None else from_position
        sub = Subscription(name, handler, start)
        for env in self._log.read(sub.position):
            self._deliver(sub, env)
        self._subscriptions.append(sub)

    def publish(self, recorded: Iterable[Envelope]) -> None:
        """Hand freshly appended events to every subscriber, in order."""
        self._queue.extend(recorded)
        if self._delivering:
            return
        self._delivering = True
        try:
            while self._queue:
                env = self._queue.popleft()
                for sub in self._subscriptions:
                    if env.position >= sub.position:
                        self._deliver(sub, env)
        finally:
            self._delivering = False

    def _deliver(self, sub: Subscription, env: Envelope) -> None:
        try:
            sub.handler(env)
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
