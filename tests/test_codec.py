"""Events survive the codec, and records written at older schema versions are upcast."""

from __future__ import annotations

import msgpack
import pytest
from attrs import frozen

from factfold.events import (
    BUILTIN_TYPES,
    DecodeError,
    DocumentAdded,
    Envelope,
    EventCodec,
    EventRegistry,
    Meeting,
    OpaqueEvent,
    Person,
    UnknownEventType,
    event_type,
)


def test_every_builtin_event_round_trips():
    codec = EventCodec(EventRegistry(BUILTIN_TYPES))
    events = [
        DocumentAdded(doc_id="d", path="a.txt", text="中文 text", encoding="utf-8", size=9),
        Person(span=(1, 3), evidence="会长陈", name="陈", title="会长", organization=None,
               aliases=("Chen",)),
        Meeting(span=(0, 4), evidence="x", name="论坛", date="--08-26", organizers=("甲", "乙")),
    ]
    envs = [Envelope(e, stream="doc:d", producer="p@1") for e in events]
    back = codec.unpack_batch(codec.pack_batch(envs), first_position=7)
    assert [b.payload for b in back] == events
    assert [b.position for b in back] == [7, 8, 9]
    assert [b.event_id for b in back] == [e.event_id for e in envs]
    assert back[1].payload.aliases == ("Chen",)  # tuples come back as tuples


@event_type("test.renamed", version=1)
@frozen
class ProjectV1:
    label: str


@event_type("test.renamed", version=2)
@frozen
class ProjectV2:
    name: str
    status: str | None


def test_a_record_written_at_an_old_schema_version_is_upcast():
    old = EventCodec(EventRegistry([ProjectV1]))
    blob = old.pack_batch([Envelope(ProjectV1(label="乡村振兴"))])

    registry = EventRegistry([ProjectV2])
    registry.add_upcaster("test.renamed", 1, lambda d: {"name": d["label"], "status": None})
    (env,) = EventCodec(registry).unpack_batch(blob, 0)
    assert env.payload == ProjectV2(name="乡村振兴", status=None)


def test_a_missing_upcaster_fails_clearly():
    blob = EventCodec(EventRegistry([ProjectV1])).pack_batch([Envelope(ProjectV1(label="x"))])
    with pytest.raises(UnknownEventType, match="no upcaster"):
        EventCodec(EventRegistry([ProjectV2])).unpack_batch(blob, 0)


def test_a_type_no_plugin_declares_reads_as_an_opaque_event():
    blob = EventCodec(EventRegistry([ProjectV1])).pack_batch([Envelope(ProjectV1(label="x"))])
    (env,) = EventCodec(EventRegistry(BUILTIN_TYPES)).unpack_batch(blob, 0)
    assert env.payload == OpaqueEvent("test.renamed", 1, {"label": "x"})
    assert env.type == "test.renamed"


def test_a_record_from_a_newer_release_is_refused():
    newer = EventCodec(EventRegistry([ProjectV2]))
    blob = newer.pack_batch([Envelope(ProjectV2(name="x", status=None))])
    with pytest.raises(UnknownEventType, match="newer than this release"):
        EventCodec(EventRegistry([ProjectV1])).unpack_batch(blob, 0)


def test_records_are_plain_msgpack():
    codec = EventCodec(EventRegistry(BUILTIN_TYPES))
    blob = codec.pack_batch([Envelope(Person(span=(0, 1), evidence="x", name="x"))])
    (record,) = msgpack.unpackb(blob)
    assert record[0] == "fact.person" and record[1] == 1 and record[-1]["name"] == "x"


def test_batches_written_by_plain_msgpack_read_back():
    """Logs written before factfold used msgspec were packed by msgpack from dicts."""
    codec = EventCodec(EventRegistry(BUILTIN_TYPES))
    envelopes = [Envelope(Person(span=(0, 2), evidence="会长陈", name="陈", aliases=("C",))),
                 Envelope(Meeting(span=(3, 5), evidence="x", name="论坛", organizers=("甲",)))]
    blob = msgpack.packb([codec.to_record(e) for e in envelopes], use_bin_type=True)
    decoded = codec.unpack_batch(blob, 7)
    assert [e.payload for e in decoded] == [e.payload for e in envelopes]
    assert [e.position for e in decoded] == [7, 8]
    assert decoded[0].event_id == envelopes[0].event_id


def test_a_batch_that_is_not_records_is_a_decode_error():
    with pytest.raises(DecodeError, match="not a batch of factfold records"):
        EventCodec(EventRegistry(BUILTIN_TYPES)).unpack_batch(msgpack.packb({"a": 1}), 0)
