"""msgpack encoding of envelopes, with schema versions and upcasting on read.

A record is a msgpack array::

    [type, schema_version, event_id, stream, timestamp, producer, causation_id,
     correlation_id, payload]

where ``payload`` is a map of field name to value.  Positions are not stored per record:
the log knows them from where the record sits.  Maps (not arrays) for payloads cost a little
space but let an upcaster rename or drop fields by name.

Batches are written and read with msgspec (plain msgpack: any msgpack library reads them).
Reading can leave each payload encoded (:class:`msgspec.Raw`) until someone needs it:
replay folds most events from a typed decoding of the fields a view stores.
"""

from __future__ import annotations

from typing import Any

import attrs
import msgspec

from .envelope import Envelope
from .schema import EventRegistry, OpaqueEvent, type_name


class EncodeError(ValueError):
    """An event holds a value msgpack cannot store."""


class DecodeError(ValueError):
    """A stored batch (whole, its checksum right) does not hold factfold records."""


#: a stored record with its payload left encoded: (type, schema version, event id, stream,
#: timestamp, producer, causation id, correlation id, payload)
StoredRecord = tuple[str, int, Any, Any, Any, Any, Any, Any, msgspec.Raw]
_read_batch = msgspec.msgpack.Decoder(list[StoredRecord]).decode
decode_payload = msgspec.msgpack.decode
#: a payload (attrs instance or map) as a stored record holds it
encode_payload = msgspec.msgpack.Encoder().encode
_write_batch = encode_payload


class EventCodec:
    """Turns envelopes into msgpack-ready records and back, through a registry."""

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry
        self._field_names: dict[type, tuple[str, ...]] = {}

    def _names(self, cls: type) -> tuple[str, ...]:
        names = self._field_names.get(cls)
        if names is None:
            names = tuple(f.name for f in attrs.fields(cls))
            self._field_names[cls] = names
        return names

    def to_record(self, env: Envelope) -> list[Any]:
        payload = env.payload
        cls = type(payload)
        data = {name: getattr(payload, name) for name in self._names(cls)}
        return [
            type_name(cls),
            cls.__schema_version__,
            env.event_id,
            env.stream,
            env.timestamp,
            env.producer,
            env.causation_id,
            env.correlation_id,
            data,
        ]

    def pack_batch(self, envelopes: list[Envelope]) -> bytes:
        """One msgpack array holding every record of a batch.

        msgspec encodes each attrs payload as the map :meth:`to_record` would build (its
        fields, tuples as arrays), without building the map in Python: a third of a batched
        append's CPU went to that.
        """
        try:
            return _write_batch([
                (type_name(p), p.__schema_version__, e.event_id, e.stream, e.timestamp,
                 e.producer, e.causation_id, e.correlation_id, p)
                for e in envelopes for p in (e.payload,)
            ])
        except (TypeError, ValueError, OverflowError, msgspec.MsgspecError) as exc:
            raise EncodeError(f"an event cannot be stored: {exc}") from exc

    def from_record(self, record: StoredRecord, position: int) -> Envelope:
        name, version, event_id, stream, ts, producer, causation, correlation, raw = record
        data = decode_payload(raw)
        if name in self.registry:
            cls = self.registry.get(name)
            if version != cls.__schema_version__:
                data = self.registry.upcast(name, version, data)
            payload = cls(**data)
        else:
            payload = OpaqueEvent(name, version, data)
        # Positional (Envelope's field order): keyword arguments cost measurably per event.
        return Envelope(payload, stream, producer, causation, correlation, event_id, ts,
                        position)

    def unpack_records(self, blob: bytes) -> list[StoredRecord]:
        """A batch's stored records, each payload still encoded: :meth:`from_record` turns
        one into an envelope, :func:`decode_payload` gives its payload map."""
        try:
            return _read_batch(blob)
        except msgspec.MsgspecError as exc:
            raise DecodeError(f"not a batch of factfold records: {exc}") from exc

    def unpack_batch(self, blob: bytes, first_position: int) -> list[Envelope]:
        records = self.unpack_records(blob)
        return [self.from_record(r, first_position + i) for i, r in enumerate(records)]
