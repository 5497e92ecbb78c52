"""The envelope: what the log stores around every event."""

from __future__ import annotations

import time as _time
import uuid
from datetime import UTC, datetime
from typing import Any

from attrs import field, frozen

from .schema import type_name


def _new_id() -> str:
    return uuid.uuid4().hex


@frozen
class Envelope:
    """One event as recorded: the payload plus the metadata an event store needs.

    ``position`` is assigned by the log on append (-1 until then).  ``stream`` groups the
    events of one thing, usually ``doc:<document id>``.  ``causation_id`` names the event that
    caused this one and ``correlation_id`` the first event of the chain, so a fact can be traced
    back to the document event that triggered its extraction.  ``producer`` is the plugin
    (``name@version``) or ``factfold`` itself.
    """

    payload: Any
    stream: str = ""
    producer: str = "factfold"
    causation_id: str | None = None
    correlation_id: str | None = None
    event_id: str = field(factory=_new_id)
    timestamp: float = field(factory=_time.time)
    position: int = -1

    @property
    def type(self) -> str:
        return type_name(self.payload)

    @property
    def schema_version(self) -> int:
        return self.payload.__schema_version__

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, UTC)

    def caused(self, payload: Any, *, producer: str, stream: str | None = None) -> Envelope:
        """A new envelope for an event caused by this one (same correlation chain)."""
        return Envelope(
            payload,
            stream=self.stream if stream is None else stream,
            producer=producer,
            causation_id=self.event_id,
            correlation_id=self.correlation_id or self.event_id,
        )
