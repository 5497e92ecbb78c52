"""The ``factfold`` command line: where the pieces are wired together.

Nothing imports this module; it imports the rest.  Commands that change the store take the
single-writer lock; ``query``, ``export``, ``eval`` and ``log`` commands read a store that
another process is writing without waiting for it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from factfold.events import EventCodec

from . import logconfig
from .lock import StoreLocked
from .log import LogError
from .pluginmanager import PluginError, PluginHost
from .projection import ViewsOutdated, damaged_views
from .segments import SegmentLog
from .store import Store, default_store, require_store
from .watcher import DEFAULT_IGNORE
from .workers import default_workers

#: extract after this many files, so a large ingest holds only so many texts in memory
INGEST_CHUNK = 256

def _console(stderr: bool = False) -> Console:
    """Messages never wrap (they get grepped); piped tables get room instead of ellipses."""
    console = Console(stderr=stderr, soft_wrap=True)
    if not console.is_terminal:
        console.width = 200
    return console


out = _console()
err = _console(stderr=True)


class Context:
    def __init__(self, store: Path, fsync: str, plugins: PluginHost | None = None) -> None:
        self.store = store
        self.fsync = fsync
        self._plugins = plugins

    @property
    def plugins(self) -> PluginHost:
        if self._plugins is None:
            self._plugins = PluginHost()
        return self._plugins

    @contextmanager
    def open(self, *, write: bool = True, workers: int = 1,
             fold_views: bool = True) -> Iterator[Store]:
        """The store: writable (the single writer), or for ``write=False`` read-only, as
        it stands: a reader never changes what it reads, the log or the views."""
        store = Store(self.store, plugins=self.plugins, fsync=self.fsync, workers=workers,
                      writable=write, fold_views=fold_views)
        try:
            yield store
        finally:
            store.close()

    def read_log(self) -> SegmentLog:
        """The store's log, read-only: the ``log`` commands need neither views nor lock."""
        require_store(self.store)
        return SegmentLog(self.store / "log", EventCodec(self.plugins.event_registry()))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, transient=True,
        disable=not err.is_terminal,
    )


class FactfoldGroup(click.Group):
    """Turns the errors users can act on into one clear line and exit status 1 or 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (StoreLocked, LogError, PluginError, ViewsOutdated, FileNotFoundError) as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False)
            sys.exit(2)
        except sqlite3.DatabaseError as exc:  # views damaged where opening them could not see
            if not damaged_views(exc):
                raise
            err.print(f"[bold red]error:[/] the views in {ctx.obj.store} cannot be read ({exc}); "
                      "they hold nothing the log does not: run `factfold replay` to rebuild "
                      "them", highlight=False)
            sys.exit(2)


@click.group(cls=FactfoldGroup)
@click.option("--store", type=click.Path(path_type=Path), default=None,
              help="Store folder [default: $FACTFOLD_STORE or ./.factfold].")
@click.option("--log-format", type=click.Choice(["console", "json"]), default="console",
              show_default=True, help="json for running as a service.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--fsync", default="batch", show_default=True,
              help="When appends reach the disk: batch, interval:SECONDS or never.")
@click.version_option(package_name="factfold")
@click.pass_context
def cli(ctx: click.Context, store: Path | None, log_format: str, log_level: str,
        fsync: str) -> None:
    """factfold: facts from documents, as an event-sourced log with views."""
    logconfig.configure(log_format, log_level)
    ctx.obj = Context(store or default_store(), fsync,
                      ctx.obj if isinstance(ctx.obj, PluginHost) else None)


def _ignored(name: str) -> bool:
    """Hidden and temporary names, the same ones ``watch`` skips."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in DEFAULT_IGNORE)


def _files(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not _ignored(d))
                files += [Path(root, n) for n in sorted(names) if not _ignored(n)]
        elif p.exists():
            files.append(p)
        else:
            raise click.BadParameter(f"{p} does not exist", param_hint="PATH")
    return files


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", type=int, default=None,
              help="Extraction processes [default: one per core].")
@click.pass_obj
def ingest(obj: Context, paths: tuple[Path, ...], workers: int | None) -> None:
    """Ingest files and folders (recursively) once, extract facts, update views."""
    files = _files(paths)
    counts: dict[str, int] = {}
    with obj.open(workers=workers or default_workers()) as store, _progress() as bar:
        # What an earlier run left unextracted (a crash, a plugin's new version) comes first.
        leftover = store.pending()
        if leftover:
            task = bar.add_task("finishing earlier extraction", total=len(leftover))
            store.extract_pending(progress=lambda n: bar.advance(task, n))
        task = bar.add_task("ingesting", total=len(files))
        for start in range(0, len(files), INGEST_CHUNK):
            for f in files[start:start + INGEST_CHUNK]:
                outcome = store.ingest_file(f)
                counts[outcome] = counts.get(outcome, 0) + 1
            store.extract_pending()
            bar.advance(task, len(files[start:start + INGEST_CHUNK]))
        facts = store.views.db.execute(
            "SELECT kind, COUNT(*) FROM facts GROUP BY kind ORDER BY kind").fetchall()
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    err.print(f"{len(files)} files: {summary or 'nothing to do'}; store {obj.store} holds "
              + (", ".join(f"{n} {k}" for k, n in facts) or "no facts"), highlight=False)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--settle", type=float, default=0.2, show_default=True,
              help="Seconds a file's size and mtime must stay unchanged before it is taken.")
@click.option("--scan-interval", type=float, default=30.0, show_default=True,
              help="Seconds between full reconcile scans of the folder.")
@click.option("--polling", is_flag=True, help="Poll instead of inotify (network file systems).")
@click.option("--ignore", multiple=True,
              help="Extra glob of names to ignore (temp files and hidden names always are).")
@click.option("--status/--no-status", default=None,
              help="Live status panel [default: on when stderr is a terminal].")
@click.option("--print-facts/--no-print-facts", default=True, show_default=True,
              help="Print each document's facts as they are appended.")
@click.option("--workers", type=int, default=1, show_default=True)
@click.pass_obj
def watch(obj: Context, directory: Path, settle: float, scan_interval: float, polling: bool,
          ignore: tuple[str, ...], status: bool | None, print_facts: bool, workers: int) -> None:
    """Watch DIRECTORY and ingest what lands there, until interrupted."""
    from .watcher import WatchConfig, Watcher

    directory.mkdir(parents=True, exist_ok=True)
    config = WatchConfig(settle=settle, scan_interval=scan_interval, polling=polling,
                         ignore=ignore)
    with obj.open(workers=workers) as store:
        Watcher(store, directory, config).run(
            status=err.is_terminal if status is None else status,
            on_facts=_print_facts if print_facts else None,
        )


def _print_facts(path: str, records: list[dict[str, Any]]) -> None:
    for r in records:
        what = {k: v for k, v in r.items()
                if k not in ("kind", "source", "doc_id", "extractor", "span", "evidence")}
        out.print(f"[bold]{r['kind']}[/] {json.dumps(what, ensure_ascii=False)}  "
                  f"[dim]{path}[/]", highlight=False)


@cli.command()
@click.pass_obj
def replay(obj: Context) -> None:
    """Rebuild every view from the log."""
    with obj.open(fold_views=False) as store, _progress() as bar:
        task = bar.add_task("replaying", total=store.log.head)
        n = store.replay(progress=lambda k: bar.advance(task, k))
    err.print(f"replayed {n} events into {len(store.views.projections)} views")


def _filters(pairs: tuple[str, ...]) -> dict[str, str]:
    out_: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r}: use FIELD=VALUE (VALUE may hold * globs)",
                                     param_hint="--filter")
        out_[key] = value
    return out_


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


@cli.command()
@click.argument("kind")
@click.option("-f", "--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Keep rows whose FIELD equals VALUE (* and ? glob); a number matches "
              "by value, a list if one of its items does.")
@click.option("--rejected", is_flag=True, help="documents: the files that were rejected.")
@click.option("--failed", is_flag=True, help="documents: failed extractions with reasons.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.option("--limit", type=int, default=None)
@click.pass_obj
def query(obj: Context, kind: str, filters: tuple[str, ...], rejected: bool, failed: bool,
          as_json: bool, limit: int | None) -> None:
    """Query a view: people, meetings, agreements, statistics, documents, or a plugin's."""
    wanted = _filters(filters)
    if rejected:
        wanted["rejected"] = "1"
    if failed:
        wanted["failed"] = "1"
    with obj.open(write=False) as store:
        try:
            rows = store.query(kind, wanted, limit)
        except KeyError:
            names = sorted(set(store.views.projections) - {"facts"})
            raise click.BadParameter(f"no view {kind!r}; try one of: {', '.join(names)}",
                                     param_hint="KIND") from None
        projection = store.views.projections.get(kind)
        columns = list(projection.columns) if projection and projection.columns else None
    if as_json:
        for r in rows:
            out.print(json.dumps(r, ensure_ascii=False), highlight=False, markup=False)
        return
    if not rows:
        err.print(f"no {kind} found")
        return
    if rejected or failed or not columns:
        columns = list(rows[0])
    table = Table(*columns, show_lines=False)
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in columns))
    out.print(table)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.pass_obj
def export(obj: Context, fmt: str) -> None:
    """Every current fact as JSON lines on stdout."""
    with obj.open(write=False) as store:
        write = sys.stdout.write
        for record in store.export():
            write(json.dumps(record, ensure_ascii=False))
            write("\n")


@cli.command()
@click.option("--plugin", "names", multiple=True, help="Only this extractor (repeatable).")
@click.option("--failed", is_flag=True,
              help="Also retry extractions that failed (an error, a timeout, a crash).")
@click.pass_obj
def reextract(obj: Context, names: tuple[str, ...], failed: bool) -> None:
    """Run extractors over stored documents they have not processed at their current version.

    After a plugin's version changes this re-runs it over every document in the log; the views
    then show only the new version's facts, while the log keeps the old ones.  Interrupted, it
    resumes where it stopped.  A failed extraction is not retried by itself (a document that
    hangs or crashes a plugin would be, at every start); --failed retries it.
    """
    with obj.open(workers=default_workers()) as store, _progress() as bar:
        known = {ex.name for ex in store.plugins.extractors()}
        unknown = set(names) - known
        if unknown:
            raise click.BadParameter(f"no extractor {', '.join(sorted(unknown))}; installed: "
                                     f"{', '.join(sorted(known))}", param_hint="--plugin")
        pending = store.pending(names or None, failed=failed)
        task = bar.add_task("re-extracting", total=len(pending))
        done = store.extract_pending(names or None, progress=lambda n: bar.advance(task, n),
                                     failed=failed)
    err.print(f"re-extracted {done} documents")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def plugins(obj: Context, as_json: bool) -> None:
    """The registered plugins, their packages, versions, extractors and readers."""
    rows = obj.plugins.describe()
    if as_json:
        out.print(json.dumps(rows, ensure_ascii=False, indent=2), highlight=False)
        return
    table = Table("plugin", "package", "extractors, readers", "hooks", "status")
    for r in rows:
        package = f"{r['package']} {r['version']}" if r["package"] else ""
        table.add_row(r["name"], package, ", ".join(r["extractors"] + r["readers"]),
                      ", ".join(h.removeprefix("factfold_") for h in r["hooks"]), r["status"])
    out.print(table)


@cli.command("eval")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Gold annotations (the format of shared/gold/seeds.json).")
@click.option("--kind", "kinds", multiple=True, help="Only these fact kinds.")
@click.option("--verbose", is_flag=True, help="List every miss and false alarm.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def eval_(obj: Context, gold: Path, kinds: tuple[str, ...], verbose: bool, as_json: bool) -> None:
    """Precision, recall and F1 of the current views against a gold file."""
    from .evaluation import language_of, load_gold, score, score_by_language

    gold_data = load_gold(gold)
    with obj.open(write=False) as store:
        records = list(store.export())
        report = score(gold_data, records, kinds=kinds or None)
        in_gold = {doc_id: PurePath(path).name for path, doc_id in store.paths().items()
                   if PurePath(path).name in gold_data["documents"]}
        languages = {in_gold[d.doc_id]: language_of(d.text) for d in store.texts(in_gold)}
    by_language = score_by_language(gold_data, records, languages, kinds=kinds or None)
    if len(by_language) < 2:
        by_language = {}
    if as_json:
        result = report.to_dict(verbose=verbose)
        result["languages"] = {lang: r.to_dict(verbose=False) for lang, r in by_language.items()}
        out.print(json.dumps(result, ensure_ascii=False, indent=2), highlight=False, markup=False)
        return
    out.print(report.render(verbose=verbose), highlight=False, markup=False)
    for lang, r in by_language.items():
        documents = len(r.documents)
        out.print(f"\n== {lang} ({documents} document{'s' * (documents != 1)})",
                  highlight=False, markup=False)
        out.print(r.render(verbose=False, documents=False), highlight=False, markup=False)


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
        err.print(f"[yellow]repaired[/] {r.at}: cut {r.bytes_cut} bytes from {r.segment} at "
                  f"byte {r.offset} ({r.reason}); earlier events were kept", highlight=False)
    for t in report.torn:
        err.print(f"[yellow]torn tail[/] {t.segment} from byte {t.offset} ({t.problem}): {torn}",
                  highlight=False)
    for d in report.damage:
        err.print(f"[bold red]damaged[/] {d.segment} at byte {d.offset}: {d.problem}",
                  highlight=False)
    verdict = "ok" if report.ok else "DAMAGED"
    out.print(f"log {verdict}: {report.segments} segments, {report.batches} batches, "
              f"{report.events} events checked, {len(report.repairs)} repairs on record",
              highlight=False)
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

    source = obj.read_log()
    if dest.exists() and any(dest.iterdir()):
        raise click.BadParameter(f"{dest} is not empty: salvage makes a new store; "
                                 "choose a new folder", param_hint="DEST")
    with SegmentLog(dest / "log", source.codec, writable=True, fsync="never") as new:
        result = copy_readable(source, new)
    for lost in result.lost:
        where = (f"{lost.segment} bytes {lost.offset} to {lost.end - 1}"
                 if lost.end > lost.offset else f"before {lost.segment}")
        out.print(f"lost {lost.events} events (positions {lost.first} to {lost.stop - 1}): "
                  f"{where}: {lost.problem}", highlight=False, markup=False)
        named = [f"{json.dumps(result.paths[d], ensure_ascii=False)} ({d[:12]})"
                 if d in result.paths else f"{d[:12]} (its path was lost too)"
                 for d in lost.documents]
        out.print(f"  documents: {', '.join(named) or 'none named in the unreadable bytes'}",
                  highlight=False, markup=False)
    for t in result.torn:
        out.print(f"not copied: a torn tail in {t.segment} from byte {t.offset} ({t.problem}), "
                  "a last batch never finished, so never acknowledged", highlight=False,
                  markup=False)
    out.print(f"salvaged {result.events} events in {result.batches} batches into {dest}; "
              f"{result.events_lost} events lost", highlight=False, markup=False)
    err.print(f"next: factfold --store {dest} replay; then ingest the documents named above "
              "again (their facts are extracted again at the next ingest or watch)",
              highlight=False, markup=False)


@log_group.command()
@click.option("-n", "count", type=int, default=20, show_default=True)
@click.option("--from", "start", type=int, default=None, help="Start at this position.")
@click.option("--type", "types", multiple=True, help="Only events of this type (glob).")
@click.pass_obj
def tail(obj: Context, count: int, start: int | None, types: tuple[str, ...]) -> None:
    """The raw events at the end of the log, one JSON object per line."""
    import fnmatch

    import attrs

    event_log = obj.read_log()
    head = event_log.head
    begin = start if start is not None else max(0, head - count)
    shown = 0
    for env in event_log.read(begin):
        if types and not any(fnmatch.fnmatch(env.type, t) for t in types):
            continue
        payload = attrs.asdict(env.payload)
        if isinstance(payload.get("text"), str) and len(payload["text"]) > 80:
            payload["text"] = payload["text"][:80] + "…"
        out.print(json.dumps({
            "position": env.position, "type": env.type, "version": env.schema_version,
            "time": env.time.isoformat(), "stream": env.stream, "producer": env.producer,
            "event_id": env.event_id, "causation_id": env.causation_id,
            "correlation_id": env.correlation_id, "payload": payload,
        }, ensure_ascii=False), highlight=False, markup=False)
        shown += 1
        if shown >= count:
            break


def main() -> None:
    # Logs go to stderr from the start: plugin loading warns and traces before the options
    # are parsed, and stdout is for data (export, query --json).
    logconfig.configure()
    try:
        host = PluginHost()
        host.hook.factfold_register_commands(cli=cli)
    except PluginError as exc:  # strict mode: a broken plugin stops everything, clearly
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
    cli(prog_name="factfold", obj=host)
