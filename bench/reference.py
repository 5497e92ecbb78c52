"""The reference: the ``eventsourcing`` library (SQLite, file database) on the same events.

Each factfold envelope becomes one ``eventsourcing`` domain event carrying the same
information (type, schema version, event id, stream, producer, causation and correlation
ids, payload), with one aggregate (originator) per stream, as an event-sourced application
would model a document.  Appending is ``Mapper.to_stored_event`` (the library's encoding)
plus ``ApplicationRecorder.insert_events`` (one transaction per batch); reading is
``select_notifications`` pages plus ``Mapper.to_domain_event`` (decoding to objects).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.sqlite import SQLiteFactory

from factfold.events import Envelope, EventCodec

READ_PAGE = 1000


class Recorded(DomainEvent):
    """One factfold event, as an ``eventsourcing`` domain event."""

    type: str
    schema_version: int
    event_id: str
    stream: str
    producer: str
    causation_id: str | None
    correlation_id: str | None
    data: dict[str, Any]


def _mapper() -> Mapper:
    transcoder = JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    return Mapper(transcoder=transcoder)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def domain_events(codec: EventCodec, envelopes: Iterable[Envelope],
                  versions: dict[str, int] | None = None) -> list[Recorded]:
    """The envelopes as domain events (built before timing, as factfold's envelopes are).

    ``versions`` carries each stream's last version across calls that continue one log.
    """
    versions = {} if versions is None else versions
    out = []
    for env in envelopes:
        name, version, event_id, stream, ts, producer, cause, corr, data = codec.to_record(env)
        n = versions.get(stream, 0) + 1
        versions[stream] = n
        out.append(Recorded(
            originator_id=uuid.uuid5(uuid.NAMESPACE_URL, stream), originator_version=n,
            timestamp=datetime.fromtimestamp(ts, UTC), type=name, schema_version=version,
            event_id=event_id, stream=stream, producer=producer, causation_id=cause,
            correlation_id=corr, data={k: _plain(v) for k, v in data.items()},
        ))
    return out


def recorder(path: Path):
    """An ``eventsourcing`` application recorder on the SQLite file ``path``."""
    factory = SQLiteFactory({"SQLITE_DBNAME": str(path)})
    return factory.application_recorder()


def append(path: Path, events: Sequence[Recorded], batch: int) -> float:
    """Seconds to encode and insert ``events`` in transactions of ``batch`` into a new DB."""
    rec = recorder(path)
    mapper = _mapper()
    start = time.perf_counter()
    for i in range(0, len(events), batch):
        rec.insert_events([mapper.to_stored_event(e) for e in events[i:i + batch]])
    return time.perf_counter() - start


def read_all(path: Path) -> tuple[int, float]:
    """(events, seconds) to read and decode every event in the database at ``path``."""
    rec = recorder(path)
    mapper = _mapper()
    start = time.perf_counter()
    count = 0
    position = 1
    while True:
        page = rec.select_notifications(position, READ_PAGE)
        if not page:
            break
        for notification in page:
            mapper.to_domain_event(notification)
        count += len(page)
        position = page[-1].id + 1
    return count, time.perf_counter() - start
