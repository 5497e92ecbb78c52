"""Points in the log's history, and where each one cuts the log.

``--as-of`` shows the views as they were at a past moment: the log up to that point is
folded into a temporary view set (see :meth:`factfold.store.Store.as_of`).  A point is a
log position or a time; either way the cut falls between two of the log's batches, because
a batch is appended whole (a document with the document it supersedes, an extraction's
facts with their marker): no reader ever saw part of one.

- ``POSITION`` (digits) is inclusive: the state right after the event at that position was
  recorded, so with the rest of its batch.
- ``TIME`` (ISO 8601; without an offset it is UTC; a date alone means the end of that day)
  keeps the log up to the first batch holding an event stamped after it.  An event is
  stamped when it is made, just before it is appended, so everything appended at or before
  the time is kept.  Stamps come from the clock of the process that made the event: if
  they ever go backwards, the cut still falls at the first later one, never past it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any, Protocol

import attrs

from factfold.events import EventCodec

#: where a stored record keeps its time stamp (see :data:`factfold.events.codec.StoredRecord`)
_TIMESTAMP = 4


class BatchLog(Protocol):
    """What finding a cut needs of a log: its head, its codec, and its batches as stored."""

    codec: EventCodec

    @property
    def head(self) -> int: ...

    def read_batches(self, from_position: int = 0) -> Iterator[tuple[int, int, bytes]]: ...


@attrs.frozen
class AsOf:
    """A point in the log's history: a ``position`` (inclusive) or a ``time`` (aware, UTC)."""

    text: str
    position: int | None = None
    time: datetime | None = None

    @classmethod
    def parse(cls, text: str) -> AsOf:
        """``text`` as a point, or :class:`ValueError` saying what is accepted."""
        value = text.strip()
        if re.fullmatch(r"[0-9]+", value):
            return cls(text, position=int(value))
        try:
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                day = date.fromisoformat(value)
                return cls(text, time=datetime.combine(day, time.max, UTC))
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{text!r} is neither a log position (0, 1, ... as `factfold log tail` shows "
                "them) nor an ISO 8601 time such as 2026-12-03T14:00:00Z or 2026-12-03"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return cls(text, time=moment.astimezone(UTC))


@attrs.frozen
class Cut:
    """Where a point cuts the log: the views show the events before ``stop``.

    ``head`` is how many events the log held when the cut was found, ``last`` the time of
    the last event kept (None when none is) and ``first`` the time of the log's first event
    (None when it is empty).
    """

    point: AsOf
    stop: int
    head: int
    last: datetime | None
    first: datetime | None

    def describe(self) -> str:
        """One line for the person asking: which events the answer is folded from."""
        point = self.point.text.strip()
        if self.head == 0:
            return f"as of {point}: the log is empty, so the answer is empty"
        if self.stop == 0:
            return (f"as of {point}: that is before the log's first event "
                    f"({_shown(self.first)}), so the answer is empty")
        last = f"position {self.stop - 1} (recorded {_shown(self.last)})"
        if self.point.position is not None and self.point.position >= self.head:
            return (f"as of {point}: past the log's last event, {last}, so this is the "
                    "current state")
        if self.point.time is not None and self.stop == self.head:
            return (f"as of {point}: nothing was recorded after it; the log's last event is "
                    f"{last}, so this is the current state")
        if self.point.position is not None and self.point.position < self.stop - 1:
            return (f"as of {point}: the log through {last}, the end of the batch holding "
                    f"position {self.point.position}")
        return f"as of {point}: the log through {last}"


def _shown(moment: datetime | None) -> str:
    """A time as ``factfold log tail`` prints it, so it can be given back to ``--as-of``."""
    return moment.isoformat() if moment is not None else "no time"


def _stamp(seconds: Any) -> datetime:
    """An event's time as its envelope gives it (to the microsecond); ``seconds`` is a
    record's timestamp field, a float."""
    return datetime.fromtimestamp(seconds, UTC)


def find_cut(log: BatchLog, point: AsOf) -> Cut:
    """Where ``point`` cuts ``log`` as it is now: the batches of a live writer appended
    after this are not in the answer, however far the point lies in the future."""
    unpack = log.codec.unpack_records
    head = log.head
    first = last = None
    if head:
        _, _, payload = next(log.read_batches(0))
        first = _stamp(unpack(payload)[0][_TIMESTAMP])
    stop = 0
    if point.position is not None:
        if head:  # the batch holding the position, or the last one
            start, count, payload = next(log.read_batches(min(point.position, head - 1)))
            stop, last = start + count, _stamp(unpack(payload)[-1][_TIMESTAMP])
        return Cut(point, stop, head, last, first)
    assert point.time is not None
    for start, count, payload in log.read_batches(0):
        if start >= head:
            break  # appended after the cut was asked for
        stamps = [record[_TIMESTAMP] for record in unpack(payload)]
        if _stamp(max(stamps)) > point.time:
            break
        stop, last = start + count, _stamp(stamps[-1])
    return Cut(point, stop, head, last, first)
