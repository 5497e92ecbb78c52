"""The log on NATS JetStream, against real nats-server processes on loopback ports."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
import threading
import time
from pathlib import Path

import pytest
from helpers import SEEDS, run_factfold
from natsserver import NatsServer, cluster

from factfold import Extractor, hookimpl
from factfold.events import (
    DocumentAdded,
    Envelope,
    EventCodec,
    ExtractionCompleted,
    ExtractionFailed,
    Person,
)
from factfold.log import LogError
from factfold.natslog import (
    STREAM,
    LogConflict,
    NatsLog,
    _records,
    parse_log_url,
    subject_of,
)
from factfold.pluginmanager import PluginHost
from factfold.segments import SegmentLog
from factfold.store import Store


@pytest.fixture
def server(tmp_path: Path):
    srv = NatsServer(tmp_path / "nats").start()
    yield srv
    srv.stop()


@pytest.fixture
def codec() -> EventCodec:
    return EventCodec(PluginHost(load_entrypoints=False).event_registry())


def added(n: int, text: str = "some text") -> Envelope:
    doc = f"{n:064x}"
    return Envelope(DocumentAdded(doc_id=doc, path=f"inbox/{n}.txt", text=text,
                                  encoding="utf-8", size=len(text), format="text",
                                  reader="plain", title=None), stream=f"doc:{doc}")


def outcome(cause: Envelope, facts: int) -> list[Envelope]:
    doc = cause.payload.doc_id
    batch = [cause.caused(Person(span=(0, 1), evidence="x", name=f"p{i}", doc_id=doc),
                          producer="toy@1") for i in range(facts)]
    return [*batch, cause.caused(ExtractionCompleted(doc_id=doc, extractor="toy", version="1",
                                                     fact_count=facts), producer="toy@1")]


def export(store: Path, *log: str, as_of: int | None = None) -> list[str]:
    moment = () if as_of is None else ("--as-of", str(as_of))
    out = run_factfold(*log, "export", *moment, store=store).stdout
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in out.splitlines())


def test_log_urls_are_parsed_or_refused_with_the_form_to_use():
    assert parse_log_url("nats://a:4222,b:4223") == ["nats://a:4222", "nats://b:4223"]
    for bad in ("http://a:1", "nats://a", "nats://a:port", "nats://:1", "nats://a:70000"):
        with pytest.raises(ValueError, match="nats://HOST:PORT"):
            parse_log_url(bad)


def test_subjects_are_per_document_and_per_document_and_extractor():
    doc = added(1)
    assert subject_of(doc) == f"factfold.doc.{1:064x}"
    assert subject_of(outcome(doc, 1)[0]) == f"factfold.x.{1:064x}.toy"
    odd = Envelope(doc.payload, stream="path:inbox/a b.*>.txt")
    assert subject_of(odd).startswith("factfold.path.") and " " not in subject_of(odd)


def test_batches_read_back_as_the_embedded_log_stores_them(server, codec, tmp_path):
    """read_batches gives what SegmentLog's gives, from every position: the views' fast
    replay reads either the same way."""
    batches = []
    for n in range(4):
        doc = added(n)
        batches += [[doc], outcome(doc, n * 3)]
    nats = NatsLog([server.url], codec)
    with SegmentLog(tmp_path / "log", codec, writable=True) as local:
        for batch in batches:
            assert ([e.position for e in nats.append(batch)]
                    == [e.position for e in local.append(batch)])
        assert nats.head == local.head == sum(map(len, batches))
        for start in range(local.head + 1):
            assert list(nats.read_batches(start)) == list(local.read_batches(start)), start
        assert [e.event_id for e in nats.read(5)] == [e.event_id for e in local.read(5)]
    report = nats.verify()
    assert report.ok and report.batches == len(batches) and report.events == nats.head
    nats.close()


@pytest.mark.parametrize("facts", [0, 5])  # one event (a plain publish), six (a batch)
def test_a_batch_sent_again_after_a_lost_acknowledgement_is_not_recorded_twice(
        server, codec, facts):
    log = NatsLog([server.url], codec)
    log.append([added(0)])
    batch = outcome(added(1), facts)
    records = [bytes(r) for r in _records(codec.pack_batch(batch))]
    subjects = [subject_of(e) for e in batch]
    # The first sending reaches the stream, but its acknowledgement never reaches the writer.
    ids = [hashlib.sha256(r).hexdigest() for r in records]
    bodies = [log._run(log._body(r, d, i + 1, len(records)))
              for i, (r, d) in enumerate(zip(records, ids, strict=True))]
    ack = log._run(log._send(bodies, subjects, ids, log._run(log._expected(subjects))))
    assert ack["seq"] == 1 + len(batch)
    # The writer sends it again: the stream answers with the first sending's positions.
    again = log.append(batch)
    assert [e.position for e in again] == list(range(1, 1 + len(batch)))
    assert log.head == 1 + len(batch)
    assert [e.event_id for e in log.read(1)] == [e.event_id for e in batch]
    log.close()


def test_another_writer_on_the_same_document_meanwhile_is_a_conflict(server, codec):
    first, second = NatsLog([server.url], codec), NatsLog([server.url], codec)
    doc = added(7)
    first.append([doc])
    first.append(outcome(doc, 1))  # first now knows the (document, extractor) subject
    second.append(outcome(doc, 2))  # e.g. a re-extraction on another host
    head = first.head
    with pytest.raises(LogConflict, match="another writer"):
        first.append(outcome(doc, 3))
    assert first.head == head  # nothing of the batch was recorded
    # Having been told, it knows the subject anew: the next attempt goes through.
    assert first.append(outcome(doc, 3))[0].position == head
    first.close()
    second.close()


def test_a_record_larger_than_a_message_goes_to_the_object_store(server, codec):
    log = NatsLog([server.url], codec)
    text = "0123456789" * 300_000  # 3 MB: three times the server's message limit
    log.append([added(1)])
    log.append([added(2, text)])
    assert [e.payload.text for e in log.read(1)] == [text]
    assert log.verify().ok
    log.close()


def test_more_than_an_atomic_batch_holds_is_refused_whole(server, codec):
    log = NatsLog([server.url], codec)
    with pytest.raises(LogError, match="more than a NATS atomic batch holds"):
        log.append(outcome(added(1), 1000))
    assert log.head == 0
    log.close()


def _count_in_child(log: NatsLog, queue) -> None:
    queue.put(sum(count for _, count, _ in log.read_batches(0)))


def test_a_forked_process_reads_the_log_on_a_connection_of_its_own(server, codec):
    """The views' parallel fold reads the log in a forked process."""
    log = NatsLog([server.url], codec)
    log.append([added(1), added(2)])
    fork = multiprocessing.get_context("fork")
    queue = fork.Queue()
    child = fork.Process(target=_count_in_child, args=(log, queue))
    child.start()
    assert queue.get(timeout=30) == 2
    child.join(30)
    assert log.head == 2  # the parent's connection is untouched
    log.close()


def test_unreachable_server_and_bad_url_are_one_line_each(tmp_path):
    down = run_factfold("--log", "nats://127.0.0.1:1", "ingest", str(SEEDS),
                        store=tmp_path / "s", check=False)
    assert down.returncode == 2
    assert "cannot reach a NATS server at nats://127.0.0.1:1" in down.stderr
    assert "nats-server" in down.stderr and "Traceback" not in down.stderr
    bad = run_factfold("export", store=tmp_path / "s", check=False,
                       env={"FACTFOLD_LOG": "nats://nowhere"})
    assert bad.returncode == 2 and "HOST:PORT" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def halves(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """The seeds in two folders, and the export of an embedded-log store of both."""
    root = tmp_path_factory.mktemp("seeds")
    seeds = sorted(SEEDS.iterdir())
    first, second = root / "first", root / "second"
    for folder, files in ((first, seeds[:2]), (second, seeds[2:])):
        folder.mkdir()
        for f in files:
            shutil.copy(f, folder / f.name)
    run_factfold("ingest", str(first), str(second), store=root / "local")
    return first, second, export(root / "local")


@pytest.mark.parametrize("sync", [None, "always"])
def test_seeds_through_nats_match_the_embedded_log_across_a_server_kill(tmp_path, halves, sync):
    """The seeds ingested through a NATS log, the server SIGKILLed and restarted between
    two ingests (with the server's default fsync interval and with fsync on every write):
    nothing is lost, the export equals the embedded log's, a replay from the stream
    rebuilds the same views, and so does a view node started afterwards."""
    first, second, expected = halves
    server = NatsServer(tmp_path / "nats", sync=sync).start()
    try:
        store, log = tmp_path / "views", ("--log", server.url)
        run_factfold(*log, "ingest", str(first), store=store)
        server.kill()
        server.start()
        run_factfold(*log, "ingest", str(second), store=store)

        assert [p.name for p in store.iterdir() if not p.name.startswith("views.sqlite")] == []
        assert expected and export(store, *log) == expected
        verify = run_factfold(*log, "log", "verify", store=store)
        assert "log ok" in verify.stdout
        run_factfold(*log, "replay", store=store)
        assert export(store, *log) == expected
        with NatsLog([server.url], EventCodec(PluginHost().event_registry())) as stream:
            last = stream.head - 1
        assert export(store, *log, as_of=last) == expected  # --as-of reads the stream too
        assert export(store, *log, as_of=0) == []
        run_factfold(*log, "replay", store=tmp_path / "node2")
        assert export(tmp_path / "node2", *log) == expected
    finally:
        server.stop()


def test_the_stream_is_created_for_a_log_and_guards_it(server, codec):
    log = NatsLog([server.url], codec)
    info = log._run(log.js.stream_info(STREAM))
    assert info.config.allow_atomic and info.config.deny_delete and info.config.deny_purge
    log.close()


@pytest.mark.cluster
def test_a_burst_on_a_three_node_cluster_survives_a_server_sigkill(tmp_path, codec):
    """Stream R3 on three servers; the server this writer is connected to is SIGKILLed in
    the middle of a burst of appends, and restarted later.  Every batch is in the log once,
    in the order appended, and the restarted server catches up."""
    nodes = cluster(tmp_path)
    for node in nodes:
        node.start()
    urls = [n.url for n in nodes]
    try:
        log = NatsLog(urls, codec, connect_timeout=10)
        assert log.replicas == 3
        appended: list[str] = []
        connected = next(n for n in nodes if n.port == log.nc.connected_url.port)

        def crash() -> None:  # from another thread: whatever the writer is doing then
            while len(appended) < 200:
                time.sleep(0.005)
            connected.kill()
            while len(appended) < 600:
                time.sleep(0.01)
            connected.start()

        crasher = threading.Thread(target=crash)
        crasher.start()
        for n in range(200):
            doc = added(n)
            for batch in ([doc], outcome(doc, 3)):
                appended += [e.event_id for e in log.append(batch)]
        crasher.join()
        assert [e.event_id for e in log.read()] == appended
        assert log.verify().ok
        log.close()
        # Each server, the restarted one too, answers with the whole log once it caught up.
        deadline = time.monotonic() + 30
        for node in nodes:
            with NatsLog([node.url], codec) as one:
                while one.head < len(appended) and time.monotonic() < deadline:
                    time.sleep(0.2)
                assert one.head == len(appended)
    finally:
        for node in nodes:
            node.stop()


class Many:
    """Extractors that find many facts: two of 600 (together more than one atomic batch
    holds) and one of 1,200 (more than one holds alone)."""

    @hookimpl
    def factfold_register_extractors(self, register):
        def many(n: int):
            def extract(doc):
                return [Person(span=(0, 1), evidence="x", name=f"p{i}") for i in range(n)]
            return extract

        for name, n in (("six-a", 600), ("six-b", 600), ("twelve", 1200)):
            register(Extractor(name=name, version="1", extract=many(n), emits=(Person,)))


def test_outcomes_larger_than_an_atomic_batch_are_split_by_extractor_or_failed(server, tmp_path):
    host = PluginHost(load_entrypoints=False)
    host.register(Many(), name="many")
    (tmp_path / "d.txt").write_text("a document\n", encoding="utf-8")
    with Store(tmp_path / "views", plugins=host, log_servers=[server.url], workers=1) as store:
        store.ingest_file(tmp_path / "d.txt")
        store.extract_pending()
        statuses = set(store.views.db.execute("SELECT extractor, status FROM extractions"))
        assert statuses == {("six-a", "completed"), ("six-b", "completed"),
                            ("twelve", "failed")}
        assert sum(1 for f in store.export()) == 1200
        failure = [e.payload for e in store.log.read() if isinstance(e.payload, ExtractionFailed)]
        assert [f.error for f in failure] == ["TooManyFacts"]


def test_a_stream_of_that_name_not_laid_out_by_factfold_is_refused_not_misread(server, codec):
    import asyncio

    import nats
    from nats.js.api import StreamConfig

    async def squat() -> None:
        nc = await nats.connect(server.url)
        await nc.jetstream().add_stream(StreamConfig(name=STREAM, subjects=["factfold.>"]))
        await nc.close()

    asyncio.run(squat())
    with pytest.raises(LogError, match="was not written by this factfold"):
        NatsLog([server.url], codec)


@pytest.mark.cluster
def test_one_address_of_a_cluster_is_enough_for_a_stream_of_three_replicas(tmp_path, codec):
    nodes = cluster(tmp_path)
    for node in nodes:
        node.start()
    try:
        with NatsLog([nodes[0].url], codec, connect_timeout=10) as log:
            assert log.replicas == 3  # the servers it was told of by the one it reached
    finally:
        for node in nodes:
            node.stop()
