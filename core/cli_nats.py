"""``factfold`` commands for a log on NATS JetStream (``--log``): worker, follow, status.

A worker takes documents from the stream's shared work queue and extracts them; follow
keeps a view node's views current as other hosts append; status describes the stream, its
consumers and the workers seen lately.
"""

from __future__ import annotations

import signal
import threading
import time

import click
from rich.table import Table
from rich.text import Text

from factfold.events import EventCodec

from .cli import Context, cli, err, log, out
from .display import printable
from .natslog import STREAM, NatsLog


def _nats_only(obj: Context, what: str) -> list[str]:
    if obj.log_servers is None:
        raise click.UsageError(f"{what} a NATS log: give --log nats://HOST:PORT (or set "
                               "FACTFOLD_LOG)")
    return obj.log_servers


@cli.command()
@click.option("--interval", type=click.FloatRange(min=0.05), default=0.5, show_default=True,
              help="Seconds between looks at the log.")
@click.pass_obj
def follow(obj: Context, interval: float) -> None:
    """Keep this store's views up to date as others append to the NATS log (a view node;
    `query` and `export` read them meanwhile).  Runs until interrupted."""
    _nats_only(obj, "a view node follows")
    with obj.open(create=True) as store:  # opening folds what the views lack
        assert isinstance(store.log, NatsLog)  # with --log, as _nats_only made sure
        err.print(Text(f"following {store.log.where} into {printable(str(obj.store))}; "
                       f"the views hold {store.views.position} events"))
        # Ctrl-C or SIGTERM ends the loop between two catch-ups: an interrupt raised in the
        # middle of one would leave the NATS client's request half done, and closing it hang.
        stop = threading.Event()
        handlers = {sig: signal.signal(sig, lambda *_: stop.set())
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not stop.wait(interval):
                folded = store.catch_up()
                if folded:
                    log.info("folded", events=folded, position=store.views.position)
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)


@cli.command()
@click.pass_obj
def status(obj: Context) -> None:
    """The NATS log's stream, its consumers, and how far behind each is (their lag)."""
    servers = _nats_only(obj, "status describes")
    with NatsLog(servers, EventCodec(obj.plugins.event_registry())) as event_log:
        info = event_log.stream_state()
        consumers = event_log.consumers()
        workers = event_log.workers()
    state = info.state
    place = info.cluster
    where = "one server"
    if place is not None and place.leader:
        where = f"leader {place.leader}" + "".join(
            f", replica {r.name} ({'current' if r.current else f'behind by {r.lag}'})"
            for r in place.replicas or [])
    out.print(Text(f"stream {STREAM}: {state.messages} events, {state.bytes:,} bytes, "
                   f"R{info.config.num_replicas or 1}; {where}"))
    table = Table("consumer", "lag (not yet delivered)", "being worked on", "redelivered",
                  "workers waiting")
    for c in consumers:
        table.add_row(printable(c.name), str(c.num_pending), str(c.num_ack_pending),
                      str(c.num_redelivered), str(c.num_waiting))
    out.print(table)
    seen = Table("worker seen in the last minute", "documents extracted", "up (s)",
                 "last seen (s ago)")
    now = time.time()
    for name, said in sorted(workers.items()):
        seen.add_row(printable(name), str(said.get("extracted", "?")),
                     f"{now - said.get('started', now):.0f}", f"{now - said.get('seen', now):.0f}")
    out.print(seen if workers else Text("no worker seen in the last minute"))


@cli.command()
@click.option("--attempts", type=click.IntRange(min=1), default=3, show_default=True,
              help="Workers a document is handed to before it is recorded as failed.")
@click.option("--ack-wait", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds a document may take before it is handed to another worker.")
@click.option("--stop-when-idle", type=click.FloatRange(min=0), default=None,
              help="Stop once no document came for this many seconds [default: never].")
@click.pass_obj
def worker(obj: Context, attempts: int, ack_wait: float, stop_when_idle: float | None) -> None:
    """Extract documents taken from the NATS log's shared work queue (needs --log); any
    number of workers on any number of hosts share it, each document extracted once."""
    from .natsworker import run_worker

    servers = _nats_only(obj, "a worker takes its work from")
    event_log = NatsLog(servers, EventCodec(obj.plugins.event_registry()))
    try:
        n = run_worker(event_log, obj.plugins, attempts=attempts, ack_wait=ack_wait,
                       stop_when_idle=stop_when_idle)
    except KeyboardInterrupt:
        n = None
    finally:
        event_log.close()
    if n is not None:
        err.print(f"worker stopped: extracted {n} documents")
