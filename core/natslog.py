"""The log on a NATS JetStream stream: :class:`factfold.log.EventLog` for many hosts.

One stream (``FACTFOLD``, file storage, replicated up to three times in a cluster) holds one
message per event; the stream sequence is the position (position = sequence - 1).  A batch
of several events is one JetStream *atomic batch* (``allow_atomic``, nats-server 2.12+):
its messages are stored together or not at all, at consecutive sequences; a batch of one is
a plain publish.  Each body starts with its place in its batch (index, count), which is how
a reader finds the batches again without reading headers.

Subjects say what a message is about, so the server can check each document's consistency:

    factfold.doc.<doc_id>             a document's own events (added, linked, moved, ...)
    factfold.x.<doc_id>.<extractor>   one extractor's outcome for one document
    factfold.path.<hash of the path>  events about a path only (a rejection, a removal)

The first message of a batch on each subject carries ``Nats-Expected-Last-Subject-Sequence``:
the last sequence this writer knows on that subject (0 for a new document), so an append
fails, whole, if another writer wrote to the same document or (document, extractor) in
between.  Every message carries ``Nats-Msg-Id``, the hash of its record (which holds the
event's random id): a batch sent again after a lost acknowledgement is refused as a
duplicate, and the log answers with the positions the first one got.

A record larger than the server's message limit (a long document's text) goes to the
JetStream object store ``FACTFOLD_OBJECTS`` under its sha256; its message carries only that
hash (its frame says so).

nats-py is asyncio; factfold is not.  The log runs one event loop in a thread of its own and
its methods wait for that loop: the rest of factfold sees a synchronous log.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import json
import os
import re
import struct
import threading
import time
import uuid
from collections.abc import (
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
import structlog

from factfold.events import DecodeError, Envelope, EventCodec

from .log import Damage, LogConflict, LogCorrupt, LogError, VerifyReport, damaged
from .segments import _positioned

if TYPE_CHECKING:
    from nats.js.api import RawStreamMsg

log = structlog.get_logger("factfold.natslog")

T = TypeVar("T")

STREAM = "FACTFOLD"
PREFIX = "factfold"
OBJECTS = "FACTFOLD_OBJECTS"
#: how this module lays events out in a stream, kept in the stream's metadata: a reader
#: refuses a stream laid out otherwise rather than misread it
FORMAT = "1"
#: the key-value bucket where workers say they are alive, and for how long it remembers
WORKERS = "FACTFOLD_WORKERS"
SEEN_FOR = 60.0
#: a message's body: its place in its batch (index from 1, count), whether the record
#: follows or the sha256 of a record in the object store, then that
FRAME = struct.Struct("<HH?")
#: the server's limit on one atomic batch (ADR-50; nats-server's default)
MAX_BATCH = 1000
#: messages, and bytes, asked for per batched direct get while reading
PAGE = 4096
PAGE_BYTES = 8 << 20
#: seconds one request may take before it is sent again (the server may be failing over)
REQUEST_TIMEOUT = 5.0
#: seconds a request is asked again while the servers cannot answer
PATIENCE = 60.0
#: seconds a start waits for JetStream to be ready (a cluster electing its leaders)
JETSTREAM_PATIENCE = 20.0
#: how far from the message limit a record goes to the object store instead (headers)
HEADROOM = 4096

_ERR_WRONG_LAST_SEQUENCE = 10071
_ERR_DUPLICATE_MSG_ID = 10201
_records = msgspec.msgpack.Decoder(list[msgspec.Raw]).decode
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _transient() -> tuple[type[Exception], ...]:
    """What the client raises while the servers cannot answer for a moment."""
    from nats.errors import (
        ConnectionClosedError,
        ConnectionReconnectingError,
        NoRespondersError,
        StaleConnectionError,
    )
    from nats.js.errors import NoStreamResponseError, ServiceUnavailableError

    return (TimeoutError, NoRespondersError, ConnectionClosedError,
            ConnectionReconnectingError, StaleConnectionError, ServiceUnavailableError,
            NoStreamResponseError)


def parse_log_url(spec: str) -> list[str]:
    """The server URLs in ``nats://HOST:PORT[,HOST:PORT...]``, or ValueError saying why not."""
    if not spec.startswith("nats://"):
        raise ValueError(f"bad --log {spec!r}: use nats://HOST:PORT[,HOST:PORT...]")
    servers = []
    for part in spec[len("nats://"):].split(","):
        host, sep, port = part.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"bad --log {spec!r}: {part!r} is not HOST:PORT "
                             "(use nats://HOST:PORT[,HOST:PORT...])")
        servers.append(f"nats://{host}:{int(port)}")
    return servers


def _token(text: str) -> str:
    """``text`` as one subject token: itself if it is plainly one, else its hash."""
    return text if _TOKEN.fullmatch(text) else hashlib.sha256(text.encode()).hexdigest()[:40]


def subject_of(env: Envelope) -> str:
    """The subject of ``env``'s message: per document, or per (document, extractor)."""
    kind, _, key = env.stream.partition(":")
    if kind == "doc" and key:
        extractor, at, _version = env.producer.partition("@")  # an extractor is name@version
        if at:
            return outcome_subject(key, extractor)
        return f"{PREFIX}.doc.{_token(key)}"
    if kind == "path":
        return f"{PREFIX}.path.{_token(hashlib.sha256(key.encode()).hexdigest())}"
    return f"{PREFIX}.other.{_token(env.stream)}"


def outcome_subject(doc_id: str, extractor: str) -> str:
    """The subject of ``extractor``'s outcomes (facts and marker, or failure) on a document."""
    return f"{PREFIX}.x.{_token(doc_id)}.{_token(extractor)}"


#: the subjects of documents' own events (the work queue's)
DOCUMENTS = f"{PREFIX}.doc.*"


def _sequence(msg: RawStreamMsg) -> int:
    """The stream sequence of a message the server returned: nats-py types it optional
    (a message being built has none), but the server sets it on every message it sends."""
    if msg.seq is None:
        raise LogError(f"NATS returned a message without its stream sequence ({msg.subject})")
    return msg.seq


def _array_header(count: int) -> bytes:
    """The msgpack array header of ``count`` items: a batch's payload is this followed by
    its records, exactly as :meth:`EventCodec.pack_batch` writes it."""
    if count < 16:
        return bytes((0x90 | count,))
    if count < 1 << 16:
        return b"\xdc" + struct.pack(">H", count)
    return b"\xdd" + struct.pack(">I", count)


class Work:
    """One event taken from a work queue (:meth:`WorkQueue.take`), to acknowledge once done.

    From the moment it reached this process until then, the queue is told every
    ``keep_alive`` seconds that it is still being worked on (a document's extractors, one
    after another, may take longer than the ack wait; and a worker may hold it while it
    finishes the document before): it is handed to another worker only if this process
    stops telling, that is if it died.
    """

    def __init__(self, log: NatsLog, msg: Any, envelope: Envelope, delivered: int,
                 alive: asyncio.Task[None]) -> None:
        self._log = log
        self._msg = msg
        self._alive = alive
        self.envelope = envelope
        #: how many times it has been handed out, this time included
        self.delivered = delivered

    def ack(self) -> None:
        """Done: the queue does not hand it out again.  If the acknowledgement is lost it
        is handed out again, and its next taker finds it done."""
        async def ack() -> None:
            self._alive.cancel()
            await self._msg.ack_sync()

        try:
            self._log._run(ack())
        except _transient() as exc:
            log.warning("acknowledgement lost; the work comes again and is found done",
                        error=repr(exc))

    def release(self) -> None:
        """Not done, and this process stops: the queue hands it out again at once rather
        than after the ack wait."""
        async def release() -> None:
            self._alive.cancel()
            await _release(self._log.nc, [self._msg])

        self._log._run(release())


async def _release(nc: Any, msgs: list[Any]) -> None:
    """Tell the queue that these messages are given back (a negative acknowledgement);
    one lost only means the queue waits for the ack wait."""
    with contextlib.suppress(*_transient()):
        for msg in msgs:
            if not msg.is_acked:  # done after all (stopped between its ack and its removal)
                await msg.nak()
        await nc.flush(REQUEST_TIMEOUT)


class WorkQueue:
    """The events on some subjects, each taken by one of the processes sharing a durable
    pull consumer (:meth:`NatsLog.work_queue`), one at a time with :meth:`take`.

    Every event that reaches this process is kept alive from that moment (see
    :class:`Work`), also one that arrives after :meth:`take` stopped waiting for it: it
    waits for the next :meth:`take`, never unattended long enough to be handed out twice.
    """

    def __init__(self, log: NatsLog, consumer: str, subjects: str, *, ack_wait: float,
                 max_deliver: int) -> None:
        from nats.js.api import AckPolicy, ConsumerConfig

        self._log = log
        self._keep_alive = ack_wait / 3
        self._pull = f"$JS.API.CONSUMER.MSG.NEXT.{STREAM}.{consumer}"
        config = ConsumerConfig(durable_name=consumer, ack_policy=AckPolicy.EXPLICIT,
                                ack_wait=ack_wait, max_deliver=max_deliver,
                                filter_subject=subjects, max_ack_pending=-1)
        log._run(log._patiently(lambda: self._create(config), "the work queue"))
        log._run(self._subscribe())

    async def _create(self, config: Any) -> None:
        """The consumer, made unless it is there (as the first worker left it)."""
        from nats.js.errors import NotFoundError

        try:
            await self._log.js.consumer_info(STREAM, config.durable_name)
        except NotFoundError:
            await self._log.js.add_consumer(STREAM, config)

    async def _subscribe(self) -> None:
        # a message taken, with its keep-alive; None for a status (no message now)
        self._arrived: asyncio.Queue[tuple[Any, asyncio.Task[None]] | None] = asyncio.Queue()
        self._inbox = self._log.nc.new_inbox()
        self._sub = await self._log.nc.subscribe(self._inbox, cb=self._arrive)

    async def _arrive(self, msg: Any) -> None:
        if not msg.data:  # a status (no message, request expired, ...): every body is framed
            self._arrived.put_nowait(None)
            return

        async def still_working() -> None:
            while True:
                await asyncio.sleep(self._keep_alive)
                with contextlib.suppress(*_transient()):
                    await msg.in_progress()

        self._arrived.put_nowait((msg, asyncio.create_task(still_working())))

    def take(self, wait: float) -> Work | None:
        """The next event for this process, waiting up to ``wait`` seconds for one to
        come (0: only if one is there now, one round trip); None if none came."""
        got = self._log._run(self._take(wait))
        if got is None:
            return None
        msg, alive = got
        meta = msg.metadata
        return Work(self._log, msg, self._log._envelope(meta.sequence.stream, msg.data),
                    meta.num_delivered, alive)

    async def _take(self, wait: float) -> tuple[Any, asyncio.Task[None]] | None:
        if self._arrived.empty():
            # Without expires the server answers at once (a message, or 404); with it, by
            # then (a message, or 408): either way one answer per request.
            ask = {"batch": 1, "no_wait": True} if wait <= 0 else {
                "batch": 1, "expires": int(wait * 1e9)}
            try:
                await self._log.nc.publish(self._pull, json.dumps(ask).encode(),
                                           reply=self._inbox)
                return await asyncio.wait_for(self._arrived.get(), wait + REQUEST_TIMEOUT)
            except _transient():  # nothing came (the servers are away): ask again later
                await asyncio.sleep(min(wait, 0.5))
                return None
        return self._arrived.get_nowait()

    def close(self) -> None:
        """Stop taking; what arrived and was not taken goes back to the queue."""
        async def close() -> None:
            with contextlib.suppress(*_transient()):
                await self._sub.unsubscribe()
            left = []
            while not self._arrived.empty():
                got = self._arrived.get_nowait()
                if got is not None:
                    got[1].cancel()
                    left.append(got[0])
            await _release(self._log.nc, left)

        self._log._run(close())


class _Loop:
    """An asyncio event loop in a daemon thread, and a way to wait for what runs in it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="factfold-nats",
                                       daemon=True)
        self.thread.start()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.submit(coro).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


class NatsLog:
    """The event log as a JetStream stream on the servers ``servers`` (see the module)."""

    #: no folder of its own: the store's folder holds only the views
    directory = None
    #: any number of processes may append at any time
    writer_active = True
    #: the most events one append may hold (the server's atomic batch limit)
    max_batch = MAX_BATCH

    def __init__(self, servers: Sequence[str], codec: EventCodec, *,
                 connect_timeout: float = 2.0) -> None:
        self.servers = list(servers)
        self.codec = codec
        #: the last sequence this writer knows on each subject
        self._last_on: dict[str, int] = {}
        self._connect_timeout = connect_timeout
        self._pid = os.getpid()
        self._loop = _Loop()
        try:
            self._loop.run(self._connect(connect_timeout))
        except BaseException:
            self._loop.stop()
            raise

    def __repr__(self) -> str:
        return f"NatsLog({','.join(self.servers)})"

    @property
    def where(self) -> str:
        """The log, as a message names it."""
        return f"stream {STREAM} at {','.join(self.servers)}"

    # -- connection -------------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._submit(coro).result()

    def _submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coro`` on this process's loop.  A forked child (the views' parallel fold
        reads the log in one) has the loop but not its thread: it connects anew."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._loop = _Loop()
            self._loop.run(self._connect(self._connect_timeout))
        return self._loop.submit(coro)

    async def _connect(self, timeout: float) -> None:
        try:
            import nats
        except ImportError:
            raise LogError("the NATS log needs the NATS client: pip install 'factfold[nats]'"
                           ) from None
        from nats.errors import NoServersError
        from nats.js.api import StorageType, StreamConfig
        from nats.js.errors import NotFoundError

        async def error(exc: Exception) -> None:  # nats-py would print a traceback
            log.debug("nats connection", error=str(exc) or type(exc).__name__)

        where = ",".join(self.servers)
        try:
            # Reconnects go on for as long as it takes, but the first connection is given
            # up after a few attempts on each server: a mistyped address is an error.
            self.nc = await asyncio.wait_for(nats.connect(
                self.servers, connect_timeout=timeout, max_reconnect_attempts=-1,
                reconnect_time_wait=0.5, allow_reconnect=True, name="factfold",
                error_cb=error), timeout * len(self.servers) + 1)
        except (TimeoutError, NoServersError, OSError) as exc:
            why = f" ({exc})" if str(exc) else ""
            raise LogError(f"cannot reach a NATS server at {where}{why}: start "
                           "nats-server with JetStream (nats-server -js), check the address, "
                           "or leave out --log to use the embedded log") from None
        self.js = self.nc.jetstream(timeout=REQUEST_TIMEOUT)
        try:
            info = await self._stream_info()
        except NotFoundError:
            replicas = min(3, len(self.nc.servers))
            info = await self.js.add_stream(StreamConfig(
                name=STREAM, subjects=[f"{PREFIX}.>"], storage=StorageType.FILE,
                num_replicas=replicas, allow_atomic=True, allow_direct=True,
                deny_delete=True, deny_purge=True, duplicate_window=120.0,
                metadata={"factfold_format": FORMAT},
                description="factfold's event log: one message per event, sequence = "
                            "position + 1"))
            log.info("created the log's stream", stream=STREAM, replicas=replicas, at=where)
        except Exception as exc:
            await self.nc.close()
            raise LogError(f"the NATS server at {where} has no JetStream ({exc}): start it "
                           "with -js (or jetstream {} in its config)") from None
        found = (info.config.metadata or {}).get("factfold_format")
        if found != FORMAT:
            await self.nc.close()
            raise LogError(f"stream {STREAM} at {where} was not written by this factfold "
                           f"(its format is {found or 'not stated'}, this one reads "
                           f"{FORMAT}); use another NATS account or server for this log")
        if not info.config.allow_atomic:
            await self.nc.close()
            raise LogError(f"stream {STREAM} at {where} does not allow atomic batches: "
                           f"set allow_atomic on it (nats stream edit {STREAM})")
        self.replicas = info.config.num_replicas or 1

    async def _patiently(self, ask: Callable[[], Awaitable[T]], what: str,
                         patience: float = PATIENCE) -> T:
        """``ask()``, asked again while the servers cannot answer (a restart, a leader
        election, a reconnection), for up to ``patience`` seconds."""
        deadline = time.monotonic() + patience
        while True:
            try:
                return await ask()
            except _transient() as exc:
                if time.monotonic() > deadline:
                    raise LogError(f"the NATS servers at {','.join(self.servers)} did not "
                                   f"answer for {patience:g} s ({what}: {exc!r}); check that "
                                   "they run and JetStream is ready, then run the command "
                                   "again") from None
                log.warning("NATS did not answer; asking again", what=what, error=repr(exc))
                await asyncio.sleep(0.5)

    async def _stream_info(self) -> Any:
        """The stream's info, waiting while JetStream is not ready (a cluster electing its
        leader answers with a timeout or 503 for a few seconds)."""
        return await self._patiently(lambda: self.js.stream_info(STREAM), "stream info",
                                     JETSTREAM_PATIENCE)

    # -- writing ----------------------------------------------------------------------------

    def append(self, envelopes: Sequence[Envelope]) -> list[Envelope]:
        if not envelopes:
            return []
        if len(envelopes) > MAX_BATCH:
            raise LogError(f"a batch of {len(envelopes)} events is more than a NATS atomic "
                           f"batch holds ({MAX_BATCH}); nothing was recorded")
        records = [bytes(r) for r in _records(self.codec.pack_batch(list(envelopes)))]
        first = self._run(self._append(records, [subject_of(e) for e in envelopes]))
        return [_positioned(env, first + i) for i, env in enumerate(envelopes)]

    async def _append(self, records: list[bytes], subjects: list[str]) -> int:
        """Publish one atomic batch; returns the position of its first event.  Sent again
        while unacknowledged: a sending that was recorded after all is not recorded twice."""
        ids = [hashlib.sha256(r).hexdigest() for r in records]
        n = len(records)
        bodies = [await self._body(r, digest, i + 1, n)
                  for i, (r, digest) in enumerate(zip(records, ids, strict=True))]
        expected = await self._patiently(lambda: self._expected(subjects), "subject lookup")
        ack = await self._patiently(lambda: self._send(bodies, subjects, ids, expected),
                                    "an append (it is not recorded twice if sent again)")
        error = ack.get("error")
        last: int | None
        if error is None:
            last = int(ack["seq"])
            if ack.get("duplicate"):  # one event, sent again: its first sending's place
                log.info("event was already recorded (sent again after a lost "
                         "acknowledgement)", position=last - 1)
        else:
            last = await self._patiently(
                lambda: self._already_recorded(subjects[-1], ids[-1]), "duplicate lookup")
            if last is None:
                for s in set(subjects):  # what this writer knew is out of date
                    self._last_on.pop(s, None)
                if error.get("err_code") == _ERR_WRONG_LAST_SEQUENCE:
                    raise LogConflict(
                        f"another writer appended to the same document meanwhile "
                        f"({error.get('description')}); nothing of this batch was recorded: "
                        "run the command again")
                raise LogError(f"NATS refused the batch: {error.get('description')} "
                               f"(error {error.get('err_code')}); nothing was recorded")
            log.info("batch was already recorded (sent again after a lost acknowledgement)",
                     position=last - len(bodies))
        first = last - len(bodies) + 1
        for offset, s in enumerate(subjects):
            self._last_on[s] = first + offset
        return first - 1

    async def _body(self, record: bytes, digest: str, index: int, count: int) -> bytes:
        """What a message carries for ``record``, the ``index``-th of ``count`` in its batch:
        the record, or (too large for one message) its hash (``digest``), the record going
        to the object store under it."""
        if len(record) + HEADROOM <= self.nc.max_payload:
            return FRAME.pack(index, count, False) + record
        store = await self._objects()
        await store.put(digest, record)
        return FRAME.pack(index, count, True) + digest.encode()

    def _record(self, body: bytes) -> bytes:
        """The record a message's ``body`` holds (fetched from the object store if there)."""
        if body[FRAME.size - 1]:
            return self._fetch(body[FRAME.size:].decode())
        return body[FRAME.size:]

    async def _objects(self) -> Any:
        from nats.js.api import ObjectStoreConfig, StorageType
        from nats.js.errors import BucketNotFoundError

        try:
            return await self.js.object_store(OBJECTS)
        except BucketNotFoundError:
            return await self.js.create_object_store(OBJECTS, ObjectStoreConfig(
                storage=StorageType.FILE, replicas=self.replicas))

    async def _expected(self, subjects: list[str]) -> dict[str, int]:
        """The last sequence on each subject, as this writer knows it (asked once)."""
        unknown = sorted(set(subjects) - self._last_on.keys())
        if unknown:
            found = await asyncio.gather(*(self._last_sequence(s) for s in unknown))
            self._last_on.update(zip(unknown, found, strict=True))
        return {s: self._last_on[s] for s in subjects}

    async def _last_sequence(self, subject: str) -> int:
        from nats.js.errors import NotFoundError

        try:
            return _sequence(await self.js.get_msg(STREAM, subject=subject, direct=True))
        except NotFoundError:
            return 0

    async def _already_recorded(self, subject: str, msg_id: str) -> int | None:
        """The sequence of the message ``msg_id`` if it is the last on ``subject``: a batch
        sent again after its first sending was recorded (the batch is atomic, so its last
        message stands for all of it)."""
        from nats.js.errors import NotFoundError

        try:
            last = await self.js.get_msg(STREAM, subject=subject, direct=True)
        except NotFoundError:
            return None
        return last.seq if (last.headers or {}).get("Nats-Msg-Id") == msg_id else None

    async def _send(self, bodies: list[bytes], subjects: list[str], ids: list[str],
                    expected: dict[str, int]) -> dict[str, Any]:
        """One atomic batch (ADR-50): the first message and the commit are requests, the
        rest plain publishes; returns the commit's acknowledgement (or the first error).

        A batch of one event is one plain publish, atomic by itself: nats-server commits
        an atomic batch on one server in ~14 ms (measured), a publish in ~0.2 ms, and most
        batches (a document added, linked, moved) are one event."""
        n = len(bodies)
        if n == 1:
            return json.loads((await self.nc.request(subjects[0], bodies[0], headers={
                "Nats-Msg-Id": ids[0],
                "Nats-Expected-Last-Subject-Sequence": str(expected[subjects[0]]),
            }, timeout=REQUEST_TIMEOUT)).data)
        batch = uuid.uuid4().hex
        checked: set[str] = set()
        for i, (body, subject, msg_id) in enumerate(zip(bodies, subjects, ids, strict=True)):
            headers = {"Nats-Batch-Id": batch, "Nats-Batch-Sequence": str(i + 1),
                       "Nats-Msg-Id": msg_id}
            if subject not in checked:
                checked.add(subject)
                headers["Nats-Expected-Last-Subject-Sequence"] = str(expected[subject])
            if i == n - 1:
                headers["Nats-Batch-Commit"] = "1"
            if i == 0 or i == n - 1:
                reply = await self.nc.request(subject, body, headers=headers,
                                              timeout=REQUEST_TIMEOUT)
                if reply.data or i == n - 1:
                    return json.loads(reply.data)
            else:
                await self.nc.publish(subject, body, headers=headers)
        raise AssertionError("unreachable: the last message returns")

    # -- reading ----------------------------------------------------------------------------

    @property
    def head(self) -> int:
        return self._run(self._head())

    async def _head(self) -> int:
        return (await self._stream_info()).state.last_seq

    def read_batches(self, from_position: int = 0) -> Iterator[tuple[int, int, bytes]]:
        """The batches (first position, event count, msgpack payload as
        :meth:`EventCodec.pack_batch` writes it) holding ``from_position`` onwards, to the
        end of the stream as it is now.

        Raises :class:`LogCorrupt` where events are missing (deleted from the stream) or a
        batch is not whole.  The messages are read without their headers (parsing them was
        most of a replay's time): the stream has no gaps (checked first: nothing was
        deleted), so the n-th message read holds the n-th position, and each body says its
        place in its batch.
        """
        state = self._run(self._stream_info()).state
        end = state.last_seq
        if end and (state.first_seq != 1 or state.num_deleted):
            raise LogCorrupt(damaged(self.where, f"the stream starts at sequence "
                                     f"{state.first_seq} and lacks {state.num_deleted or 0} "
                                     "messages after it: events were deleted"))
        if from_position >= end:
            return
        seq = from_position + 1
        page = self._run(self._page_patiently(seq, end))
        if page and FRAME.unpack_from(page[0])[0] > 1:  # inside a batch: start at its first
            seq -= FRAME.unpack_from(page[0])[0] - 1
            if seq < 1:
                raise LogCorrupt(damaged(self.where, f"position {from_position} says its "
                                         "batch began before the stream did"))
            page = self._run(self._page_patiently(seq, end))
        batch: list[bytes] = []
        start = seq
        unframe = FRAME.unpack_from
        while page:
            following = seq + len(page)
            ahead = (self._submit(self._page_patiently(following, end)) if following <= end
                     else None)
            for body in page:
                index, count, elsewhere = unframe(body)
                if index != len(batch) + 1:
                    raise LogCorrupt(damaged(self.where, f"the batch from position {start - 1} "
                                             f"is not whole at position {seq - 1}"))
                if not batch:
                    start = seq
                batch.append(self._record(body) if elsewhere else body[FRAME.size:])
                seq += 1
                if index == count:
                    yield start - 1, count, _array_header(count) + b"".join(batch)
                    batch = []
            page = ahead.result() if ahead is not None else []
        if batch:
            raise LogCorrupt(damaged(self.where, f"the batch from position {start - 1} ends "
                                     "before its last event"))

    async def _page_patiently(self, seq: int, end: int) -> list[bytes]:
        """The page from ``seq`` (see :meth:`_page`), asked again until it is whole.

        Any replica of the stream answers a direct get, and a follower may lag the leader,
        whose info gave ``end``: its page stops short of messages the stream holds (a view
        node that folded its own append at position p would then skip what another host
        appended just before p, for good), or would skip some.  A page is whole when it is
        contiguous and holds ``seq`` if ``seq <= end``; another asking, a moment later, gets
        one from a replica caught up."""
        deadline = time.monotonic() + PATIENCE
        while True:
            page, last = await self._patiently(lambda: self._page(seq),
                                               f"reading from position {seq - 1}")
            if (page and last in (None, seq + len(page) - 1)) or (not page and seq > end):
                return page
            if time.monotonic() > deadline:
                raise LogError(f"the NATS servers at {','.join(self.servers)} did not give "
                               f"position {seq - 1} of the stream, which holds {end} events, "
                               f"for {PATIENCE:g} s; check that the stream's replicas are "
                               "current (factfold status), then run the command again")
            log.debug("a replica is behind the stream; asking again", position=seq - 1,
                      end=end, got=len(page), last=last)
            await asyncio.sleep(0.02)

    async def _page(self, seq: int) -> tuple[list[bytes], int | None]:
        """The bodies of up to :data:`PAGE` messages from ``seq``, by one batched direct
        get without headers, and the sequence of the last of them as the server says it
        (None when it does not)."""
        got: list[bytes] = []
        end = await self._direct_get({"seq": seq, "batch": PAGE, "max_bytes": PAGE_BYTES,
                                      "no_hdr": True}, lambda msg: got.append(msg.data))
        last = end.get("Nats-Last-Sequence")
        return got, int(last) if last else None

    async def _direct_get(self, request: dict[str, Any],
                          each: Callable[[Any], None]) -> dict[str, str]:
        """One batched direct get: ``each`` of the messages it returns, until the server
        says that the batch ended (status 204) or that it found none (404); returns the
        headers of that last word (the end of a batch says its last sequence)."""
        done: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

        async def take(msg: Any) -> None:
            if msg.data:
                each(msg)
            elif not done.done():
                done.set_result(dict(msg.headers or {}))

        inbox = self.nc.new_inbox()
        sub = await self.nc.subscribe(inbox, cb=take, pending_msgs_limit=-1,
                                      pending_bytes_limit=-1)
        try:
            await self.nc.publish(f"$JS.API.DIRECT.GET.{STREAM}",
                                  json.dumps(request).encode(), reply=inbox)
            return await asyncio.wait_for(done, REQUEST_TIMEOUT)
        finally:
            await sub.unsubscribe()

    def _fetch(self, digest: str) -> bytes:
        async def get() -> bytes:
            return (await (await self._objects()).get(digest)).data

        data = self._run(get())
        if hashlib.sha256(data).hexdigest() != digest:
            raise LogCorrupt(damaged(self.where, f"object {digest} does not match its hash"))
        return data

    def read(self, from_position: int = 0) -> Iterator[Envelope]:
        for first, count, payload in self.read_batches(from_position):
            try:
                recorded = self.codec.unpack_batch(payload, first)
            except DecodeError as exc:
                raise LogCorrupt(damaged(self.where, f"the batch of events {first} to "
                                         f"{first + count - 1} does not decode ({exc})")) from exc
            for env in recorded:
                if env.position >= from_position:
                    yield env

    def recorded(self, doc_id: str, versions: Mapping[str, str]) -> set[str]:
        """The extractors among ``versions`` (name: version) that have an outcome for their
        version on the document: the last event on each one's subject is its marker or its
        failure (a batch ends with either).  One request for all of them (the last message
        on each subject ``factfold.x.<doc_id>.*``).  This writer's next append on those
        subjects expects them as found here: whoever extracts the document meanwhile, only
        one of the two is recorded."""
        from factfold.events import ExtractionCompleted, ExtractionFailed

        subjects = {outcome_subject(doc_id, name): name for name in versions}
        last = self._run(self._patiently(
            lambda: self._last_messages(f"{PREFIX}.x.{_token(doc_id)}.*"),
            f"the outcomes of {doc_id[:12]}"))
        done = set()
        for subject, name in subjects.items():
            seq, body = last.get(subject, (0, b""))
            self._last_on[subject] = seq
            if seq:
                event = self._envelope(seq, body).payload
                if (isinstance(event, ExtractionCompleted | ExtractionFailed)
                        and event.version == versions[name]):
                    done.add(name)
        return done

    def forget(self, doc_id: str, extractors: Iterable[str]) -> None:
        """Drop what this writer knows of these extractors' subjects on the document: it
        will look them up (:meth:`recorded`) before it appends there again.  A worker going
        through a million documents would otherwise keep four entries a document."""
        for name in extractors:
            self._last_on.pop(outcome_subject(doc_id, name), None)

    async def _last_messages(self, subjects: str) -> dict[str, tuple[int, bytes]]:
        """The sequence and body of the last message on each subject matching the filter
        ``subjects``, by one batched direct get."""
        got: dict[str, tuple[int, bytes]] = {}

        def take(msg: Any) -> None:
            got[msg.headers["Nats-Subject"]] = (int(msg.headers["Nats-Sequence"]), msg.data)

        await self._direct_get({"multi_last": [subjects], "batch": PAGE}, take)
        return got

    def has_outcome(self, doc_id: str, extractor: str, version: str) -> bool:
        """Whether ``extractor`` at ``version`` has an outcome for the document (see
        :meth:`recorded`)."""
        return bool(self.recorded(doc_id, {extractor: version}))

    def _envelope(self, seq: int, body: bytes) -> Envelope:
        return self.codec.unpack_batch(_array_header(1) + self._record(body), seq - 1)[0]

    # -- the work queue ---------------------------------------------------------------------

    def work_queue(self, consumer: str, subjects: str, *, ack_wait: float,
                   max_deliver: int) -> WorkQueue:
        """The events on ``subjects`` (a filter such as ``factfold.doc.*``) from the durable
        pull consumer ``consumer``, shared by every process that takes from it: each event
        goes to one of them, and comes again (to any) if it is not acknowledged within
        ``ack_wait`` seconds while its taker is gone, up to ``max_deliver`` times."""
        return WorkQueue(self, consumer, subjects, ack_wait=ack_wait, max_deliver=max_deliver)

    def heartbeat(self, worker: str, state: dict[str, Any]) -> None:
        """Say that ``worker`` is alive, and how it is doing (for ``status``): an entry in
        the key-value bucket :data:`WORKERS`, which forgets it after :data:`SEEN_FOR`."""
        async def put() -> None:
            await (await self._workers()).put(worker, json.dumps(state).encode())

        try:
            self._run(put())
        except _transient() as exc:  # only a report: never worth stopping work for
            log.debug("heartbeat not sent", error=repr(exc))

    def workers(self) -> dict[str, dict[str, Any]]:
        """The workers seen in the last :data:`SEEN_FOR` seconds, by name, as they said."""
        async def seen() -> dict[str, dict[str, Any]]:
            from nats.js.errors import NoKeysError

            kv = await self._workers()
            try:
                names = await kv.keys()
            except NoKeysError:
                return {}
            return {n: json.loads((await kv.get(n)).value or b"{}") for n in names}

        return self._run(seen())

    async def _workers(self) -> Any:
        from nats.js.api import KeyValueConfig, StorageType
        from nats.js.errors import BucketNotFoundError

        try:
            return await self.js.key_value(WORKERS)
        except BucketNotFoundError:
            return await self.js.create_key_value(KeyValueConfig(
                bucket=WORKERS, ttl=SEEN_FOR, storage=StorageType.MEMORY,
                replicas=self.replicas))

    def consumers(self) -> list[Any]:
        """Every consumer of the stream, as the server describes it (for ``status``)."""
        return self._run(self.js.consumers_info(STREAM))

    def stream_state(self) -> Any:
        return self._run(self.js.stream_info(STREAM))

    # -- checking ---------------------------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Read every batch from the stream and decode it: positions must run on from 0
        without a gap, and every batch be whole."""
        where = f"stream {STREAM}"
        damage: list[Damage] = []
        batches = events = 0
        try:
            for first, count, payload in self.read_batches(0):
                try:
                    self.codec.unpack_batch(payload, first)
                except Exception as exc:
                    damage.append(Damage(where, first, f"undecodable batch: {exc}"))
                batches += 1
                events += count
        except LogCorrupt as exc:
            damage.append(Damage(where, events, str(exc)))
        return VerifyReport(segments=1, batches=batches, events=events,
                            damage=tuple(damage), repairs=())

    def close(self) -> None:
        if self._loop.thread.is_alive():
            try:
                self._loop.run(self.nc.close())
            finally:
                self._loop.stop()

    def __enter__(self) -> NatsLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
