"""The ``factfold`` command line: where the pieces are wired together.

Nothing imports this module; it imports the rest.  Commands that change the store take the
single-writer lock; ``query``, ``export``, ``eval`` and ``log`` commands read a store that
another process is writing without waiting for it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import logconfig
from .dropfolder import DEFAULT_MAX_SIZE, MAX_SIZE_ENV, Limits, parse_size, walk
from .durable import DiskFull
from .lock import StoreLocked
from .log import LogError
from .pluginmanager import PluginError, PluginHost
from .projection import ViewsOutdated
from .store import Store, default_store
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
        """The store, writable; or for ``write=False``, writable if free, else read-only."""
        try:
            store = Store(self.store, plugins=self.plugins, fsync=self.fsync, workers=workers,
                          writable=write or (self.store / "log").exists(),
                          fold_views=fold_views)
        except StoreLocked:
            if write:
                raise
            store = Store(self.store, plugins=self.plugins, writable=False)
        try:
            yield store
        finally:
            store.close()


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


def _files(paths: tuple[Path, ...], store: Path) -> list[tuple[str, str | None]]:
    """Each file to ingest, with the folder it was found in (None: named by the user).

    A named path may be a link (the user chose it); inside a folder nothing is followed:
    links, FIFOs and devices found there are listed, for the policy to reject with a reason.
    """
    skip = os.path.abspath(store)
    files: list[tuple[str, str | None]] = []
    for p in paths:
        if p.is_dir():
            root = os.path.normpath(str(p))
            files += sorted((path, root) for path, _ in walk(
                root, lambda q: not _ignored(os.path.basename(q)) and os.path.abspath(q) != skip,
                lambda where, exc: err.print(f"cannot list {where}: {exc.strerror}",
                                             highlight=False, markup=False)))
        elif os.path.lexists(p):
            files.append((os.path.normpath(str(p)), None))
        else:
            raise click.BadParameter(f"{p} does not exist", param_hint="PATH")
    return files


def _max_size(ctx: click.Context, param: click.Parameter, value: str | None) -> int:
    try:
        return parse_size(value) if value is not None else DEFAULT_MAX_SIZE
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


MAX_SIZE = click.option(
    "--max-size", envvar=MAX_SIZE_ENV, callback=_max_size, metavar="SIZE",
    help=f"Larger files are rejected, unread (e.g. 20MB, 1GiB) [env {MAX_SIZE_ENV}; "
         f"default {DEFAULT_MAX_SIZE // 1000**2}MB].")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", type=int, default=None,
              help="Extraction processes [default: one per core].")
@MAX_SIZE
@click.pass_obj
def ingest(obj: Context, paths: tuple[Path, ...], workers: int | None, max_size: int) -> None:
    """Ingest files and folders (recursively) once, extract facts, update views.

    Inside a folder, links, FIFOs, sockets and devices are rejected (with the reason, see
    `query documents --rejected`); a PATH named here may itself be a link.
    """
    files = _files(paths, obj.store)
    limits = Limits(max_size=max_size)
    counts: dict[str, int] = {}
    finished = 0  # files recorded and extracted
    try:
        with obj.open(workers=workers or default_workers()) as store, _progress() as bar:
            # What an earlier run left unextracted (a crash, a plugin's new version) first.
            leftover = store.pending()
            if leftover:
                task = bar.add_task("finishing earlier extraction", total=len(leftover))
                store.extract_pending(progress=lambda n: bar.advance(task, n))
            task = bar.add_task("ingesting", total=len(files))
            for start in range(0, len(files), INGEST_CHUNK):
                for path, root in files[start:start + INGEST_CHUNK]:
                    outcome = store.ingest_file(path, root=root, limits=limits)
                    counts[outcome] = counts.get(outcome, 0) + 1
                store.extract_pending()
                finished = min(start + INGEST_CHUNK, len(files))
                bar.advance(task, len(files[start:start + INGEST_CHUNK]))
            facts = store.views.db.execute(
                "SELECT kind, COUNT(*) FROM facts GROUP BY kind ORDER BY kind").fetchall()
    except DiskFull:
        # What was recorded stays recorded; a second run takes in the rest, once each.
        err.print(f"disk full: {len(files) - finished} files not ingested; free space and run "
                  "again", highlight=False, markup=False)
        sys.exit(1)
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
@MAX_SIZE
@click.option("--settle-timeout", type=float, default=60.0, show_default=True,
              help="Seconds a file may keep changing before it is rejected as never settling "
                   "(it is taken in once it stops).")
@click.pass_obj
def watch(obj: Context, directory: Path, settle: float, scan_interval: float, polling: bool,
          ignore: tuple[str, ...], status: bool | None, print_facts: bool, workers: int,
          max_size: int, settle_timeout: float) -> None:
    """Watch DIRECTORY and ingest what lands there, until interrupted.

    Links, FIFOs, sockets, devices and files over --max-size are rejected with the reason.
    """
    from .watcher import WatchConfig, Watcher

    directory.mkdir(parents=True, exist_ok=True)
    config = WatchConfig(settle=settle, scan_interval=scan_interval, polling=polling,
                         ignore=ignore, limits=Limits(max_size=max_size),
                         settle_timeout=settle_timeout)
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
@click.pass_obj
def reextract(obj: Context, names: tuple[str, ...]) -> None:
    """Run extractors over stored documents they have not processed at their current version.

    After a plugin's version changes this re-runs it over every document in the log; the views
    then show only the new version's facts, while the log keeps the old ones.  Interrupted, it
    resumes where it stopped.
    """
    with obj.open(workers=default_workers()) as store, _progress() as bar:
        known = {ex.name for ex in store.plugins.extractors()}
        unknown = set(names) - known
        if unknown:
            raise click.BadParameter(f"no extractor {', '.join(sorted(unknown))}; installed: "
                                     f"{', '.join(sorted(known))}", param_hint="--plugin")
        pending = store.pending(names or None)
        task = bar.add_task("re-extracting", total=len(pending))
        done = store.extract_pending(names or None, progress=lambda n: bar.advance(task, n))
    err.print(f"re-extracted {done} documents")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def plugins(obj: Context, as_json: bool) -> None:
    """The registered plugins, their packages, versions and extractors."""
    rows = obj.plugins.describe()
    if as_json:
        out.print(json.dumps(rows, ensure_ascii=False, indent=2), highlight=False)
        return
    table = Table("plugin", "package", "extractors", "hooks", "status")
    for r in rows:
        package = f"{r['package']} {r['version']}" if r["package"] else ""
        table.add_row(r["name"], package, ", ".join(r["extractors"]),
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
    from .evaluation import load_gold, score

    with obj.open(write=False) as store:
        report = score(load_gold(gold), store.export(), kinds=kinds or None)
    if as_json:
        out.print(json.dumps(report.to_dict(verbose=verbose), ensure_ascii=False, indent=2),
                  highlight=False, markup=False)
    else:
        out.print(report.render(verbose=verbose), highlight=False, markup=False)


@cli.group("log")
def log_group() -> None:
    """Look at and check the event log."""


@log_group.command()
@click.pass_obj
def verify(obj: Context) -> None:
    """Check every record of the log; exits non-zero on damage."""
    with obj.open(write=False) as store:
        report = store.log.verify()
        mode = "" if store.writable else " (read-only: another process is writing)"
    for r in report.repairs:
        err.print(f"[yellow]repaired[/] {r.at}: cut {r.bytes_cut} bytes from {r.segment} at "
                  f"byte {r.offset} ({r.reason}); earlier events were kept", highlight=False)
    for d in report.damage:
        err.print(f"[bold red]damaged[/] {d.segment} at byte {d.offset}: {d.problem}",
                  highlight=False)
    verdict = "ok" if report.ok else "DAMAGED"
    out.print(f"log {verdict}{mode}: {report.segments} segments, {report.batches} batches, "
              f"{report.events} events checked, {len(report.repairs)} repairs on record",
              highlight=False)
    if not report.ok:
        err.print("the damaged part cannot be read; restore the segment from a backup, "
                  "or move it aside and run `factfold replay`")
        sys.exit(1)


@log_group.command()
@click.option("-n", "count", type=int, default=20, show_default=True)
@click.option("--from", "start", type=int, default=None, help="Start at this position.")
@click.option("--type", "types", multiple=True, help="Only events of this type (glob).")
@click.pass_obj
def tail(obj: Context, count: int, start: int | None, types: tuple[str, ...]) -> None:
    """The raw events at the end of the log, one JSON object per line."""
    import fnmatch

    import attrs

    with obj.open(write=False) as store:
        head = store.log.head
        begin = start if start is not None else max(0, head - count)
        shown = 0
        for env in store.log.read(begin):
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
