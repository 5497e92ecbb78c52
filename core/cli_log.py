"""``factfold log``: look at and check the event log itself (verify, salvage, tail)."""

from __future__ import annotations

import fnmatch
import json
import sys
from collections import deque
from itertools import islice
from pathlib import Path

import click
from rich.text import Text

from .cli import Context, cli, err, out
from .display import json_line, printable
from .segments import SegmentLog


@cli.group("log")
def log_group() -> None:
    """Look at and check the event log."""


@log_group.command()
@click.pass_obj
def verify(obj: Context) -> None:
    """Check every record of the log; exits non-zero on damage.  Changes nothing."""
    event_log = obj.read_log()
    report = event_log.verify()
    # A writer cuts a torn tail when it opens the log: with one at work, it is its batch.
    torn = ("the batch a writer is appending right now" if event_log.writer_active else
            "a last batch never finished, so never acknowledged; the next writer cuts it")
    for r in report.repairs:
        err.print(Text.assemble(("repaired", "yellow"), printable(
            f" {r.at}: cut {r.bytes_cut} bytes from {r.segment} at byte {r.offset} "
            f"({r.reason}); earlier events were kept")))
    for t in report.torn:
        err.print(Text.assemble(("torn tail", "yellow"), printable(
            f" {t.segment} from byte {t.offset} ({t.problem}): {torn}")))
    for d in report.damage:
        err.print(Text.assemble(("damaged", "bold red"), printable(
            f" {d.segment} at byte {d.offset}: {d.problem}")))
    verdict = "ok" if report.ok else "DAMAGED"
    out.print(Text(f"log {verdict}: {report.segments} segments, {report.batches} batches, "
                   f"{report.events} events checked, {len(report.repairs)} repairs on record"))
    if not report.ok:
        err.print("the damaged part cannot be read, and nothing is written to the log until "
                  "it is dealt with: restore the segment from a backup, or run `factfold log "
                  "salvage DEST` to copy every readable event into a new store at DEST "
                  "(see docs/log.md)", highlight=False)
        sys.exit(1)


@log_group.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def salvage(obj: Context, dest: Path) -> None:
    """Copy every readable batch of the log into a new store at DEST, saying what was lost.

    The store itself is only read.  Then build DEST's views: factfold --store DEST replay.
    """
    from .salvage import salvage as copy_readable

    if obj.log_servers is not None:
        raise click.UsageError("salvage copies an embedded log; a NATS stream is kept whole "
                               "by its servers (back it up with `nats stream backup`)")
    source = obj.read_log()
    assert isinstance(source, SegmentLog)  # without --log, refused above, the log is embedded
    if dest.exists() and any(dest.iterdir()):
        raise click.BadParameter(f"{dest} is not empty: salvage makes a new store; "
                                 "choose a new folder", param_hint="DEST")
    with SegmentLog(dest / "log", source.codec, writable=True, fsync="never") as new:
        result = copy_readable(source, new)
    for lost in result.lost:
        where = (f"{lost.segment} bytes {lost.offset} to {lost.end - 1}"
                 if lost.end > lost.offset else f"before {lost.segment}")
        out.print(Text(printable(f"lost {lost.events} events (positions {lost.first} to "
                                 f"{lost.stop - 1}): {where}: {lost.problem}")))
        named = [f"{json.dumps(result.paths[d], ensure_ascii=False)} ({d[:12]})"
                 if d in result.paths else f"{d[:12]} (its path was lost too)"
                 for d in lost.documents]
        out.print(Text(printable(
            f"  documents: {', '.join(named) or 'none named in the unreadable bytes'}")))
    for t in result.torn:
        out.print(Text(printable(
            f"not copied: a torn tail in {t.segment} from byte {t.offset} ({t.problem}), "
            "a last batch never finished, so never acknowledged")))
    out.print(Text(printable(f"salvaged {result.events} events in {result.batches} batches "
                             f"into {dest}; {result.events_lost} events lost")))
    err.print(Text(printable(
        f"next: factfold --store {dest} replay; then ingest the documents named above "
        "again (their facts are extracted again at the next ingest or watch)")))


@log_group.command()
@click.option("-n", "count", type=click.IntRange(min=0), default=20, show_default=True,
              help="How many events.")
@click.option("--from", "start", type=click.IntRange(min=0), default=None,
              help="The first N events from this position on, instead of the last N.")
@click.option("--type", "types", multiple=True,
              help="Only events of this type (glob, repeatable): the last N of those.")
@click.pass_obj
def tail(obj: Context, count: int, start: int | None, types: tuple[str, ...]) -> None:
    """The raw events at the end of the log, one JSON object per line, each with its
    position and time (UTC): the points `query` and `export` take with --as-of."""
    import attrs

    event_log = obj.read_log()
    last = start is None
    if start is None:
        # Filtered, the last N of those types may lie anywhere: read it all, keep N.
        start = 0 if types else max(0, event_log.head - count)
    matching = (env for env in event_log.read(start)
                if not types or any(fnmatch.fnmatch(env.type, t) for t in types))
    shown = deque(matching, maxlen=count) if last else islice(matching, count)
    for env in shown:
        payload = attrs.asdict(env.payload)
        if isinstance(payload.get("text"), str) and len(payload["text"]) > 80:
            payload["text"] = payload["text"][:80] + "…"
        out.print(Text(json_line({
            "position": env.position, "type": env.type, "version": env.schema_version,
            "time": env.time.isoformat(), "stream": env.stream, "producer": env.producer,
            "event_id": env.event_id, "causation_id": env.causation_id,
            "correlation_id": env.correlation_id, "payload": payload,
        })))
