"""``factfold`` commands that take documents in and extract: ingest, watch, reextract,
replay, search (they hold the store's writer lock)."""

from __future__ import annotations

import fnmatch
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from .cli import Context, cli, err, out, progress_bar
from .display import json_line, printable
from .dropfolder import DEFAULT_MAX_SIZE, MAX_SIZE_ENV, Limits, parse_size, walk
from .durable import DiskFull
from .settings import Settings
from .views import SEARCHES
from .watcher import DEFAULT_IGNORE
from .wiring import require_store
from .workers import default_workers


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


WORKERS = click.IntRange(min=1)


def _max_size(ctx: click.Context, param: click.Parameter, value: str | None) -> int:
    try:
        return parse_size(value) if value is not None else DEFAULT_MAX_SIZE
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


EXTRACT = click.option(
    "--extract/--no-extract", default=True, show_default=True,
    help="Extract here; --no-extract leaves it to `factfold worker`s (with --log).")

MAX_SIZE = click.option(
    "--max-size", envvar=MAX_SIZE_ENV, callback=_max_size, metavar="SIZE",
    help=f"Larger files are rejected, unread (e.g. 20MB, 1GiB) [env {MAX_SIZE_ENV}; "
         f"default {DEFAULT_MAX_SIZE // 1000**2}MB].")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", type=WORKERS, default=None,
              help="Processes that run the extractors [default: one per core].")
@MAX_SIZE
@EXTRACT
@click.pass_obj
def ingest(obj: Context, paths: tuple[Path, ...], workers: int | None, max_size: int,
           extract: bool) -> None:
    """Ingest files and folders (recursively) once, extract facts, update views.

    Inside a folder, links, FIFOs, sockets and devices are rejected (with the reason, see
    `query documents --rejected`); a PATH named here may itself be a link.
    """
    files = _files(paths, obj.store)
    limits = Limits(max_size=max_size)
    counts: dict[str, int] = {}
    recorded = 0  # files read and recorded (as documents, rejections, or unchanged)
    waiting = 0  # documents whose facts are to be extracted
    extracted = 0

    def extracted_one(n: int) -> None:
        nonlocal extracted
        extracted += n
        bar.advance(extracting, n)

    try:
        with obj.open(create=True, workers=workers or default_workers(),
                      extract=extract) as store, progress_bar() as bar:
            reading = bar.add_task("reading", total=len(files))
            extracting = bar.add_task("extracting", total=0)
            # The runner extracts each document as it is recorded, while the next files
            # are read; what an earlier run left unextracted (a crash, a plugin's new
            # version) goes first.
            store.runner.progress = extracted_one
            if extract:
                store.runner.catch_up()
            waiting = store.runner.backlog
            for path, root in files:
                outcome = store.ingest_file(path, root=root, limits=limits)
                counts[outcome] = counts.get(outcome, 0) + 1
                recorded += 1
                waiting += extract and outcome in ("added", "superseded")
                bar.update(extracting, total=store.runner.backlog + extracted)
                bar.advance(reading)
            store.extract_pending()
            if obj.log_servers is not None:
                store.catch_up()  # what other hosts appended meanwhile: the whole stream
            facts = store.facts.counts(store.views.db).items()
    except DiskFull:
        # What was recorded stays recorded; a second run takes in the rest, once each
        # (the files not read, and the documents whose facts are not recorded yet).
        unfinished = min(len(files), len(files) - recorded + max(0, waiting - extracted))
        err.print(Text(f"disk full: {unfinished} files not ingested; free space and run "
                       "again"))
        sys.exit(1)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    err.print(Text(f"{len(files)} files: {summary or 'nothing to do'}; store "
                   f"{printable(str(obj.store))} holds "
                   + (", ".join(f"{n} {k}" for k, n in facts) or "no facts")))


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--create", is_flag=True, help="Create DIRECTORY if it does not exist.")
@click.option("--settle", type=click.FloatRange(min=0), default=0.2, show_default=True,
              help="Seconds a file's size and mtime must stay unchanged before it is taken.")
@click.option("--scan-interval", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True,
              help="Seconds between full reconcile scans of the folder.")
@click.option("--polling", is_flag=True, help="Poll instead of inotify (network file systems).")
@click.option("--ignore", multiple=True,
              help="Extra glob of names to ignore (temp files and hidden names always are).")
@click.option("--status/--no-status", default=None,
              help="Live status panel [default: on when stderr is a terminal].")
@click.option("--print-facts/--no-print-facts", default=True, show_default=True,
              help="Print each document's facts as they are appended.")
@click.option("--workers", type=WORKERS, default=1, show_default=True,
              help="Processes that run the extractors (one keeps a core free for the watch).")
@MAX_SIZE
@click.option("--settle-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True,
              help="Seconds a file may keep changing before it is rejected as never settling "
                   "(it is taken in once it stops).")
@EXTRACT
@click.pass_obj
def watch(obj: Context, directory: Path, create: bool, settle: float, scan_interval: float,
          polling: bool, ignore: tuple[str, ...], status: bool | None, print_facts: bool,
          workers: int, max_size: int, settle_timeout: float, extract: bool) -> None:
    """Watch DIRECTORY and ingest what lands there, until interrupted.

    Links, FIFOs, sockets, devices and files over --max-size are rejected with the reason.
    """
    from .watcher import WatchConfig, Watcher

    if create:
        directory.mkdir(parents=True, exist_ok=True)
    elif not directory.is_dir():
        # A mistyped name must not quietly become an empty folder that is watched forever.
        raise click.BadParameter(f"{printable(str(directory))} is not a folder; check the "
                                 "name, or pass --create to make it", param_hint="DIRECTORY")
    from .status import StatusPanel

    config = WatchConfig(settle=settle, scan_interval=scan_interval, polling=polling,
                         ignore=ignore, limits=Limits(max_size=max_size),
                         settle_timeout=settle_timeout)
    with obj.open(create=True, workers=workers, extract=extract) as store:
        watcher = Watcher(store, directory, config)
        panel = None
        if err.is_terminal if status is None else status:
            # On a terminal the panel and the facts share one console, so that the facts
            # scroll above the panel instead of being painted over by its next redraw.
            panel = StatusPanel(out if out.is_terminal else err)
        watcher.run(status=panel,
                    on_facts=partial(_print_facts, out) if print_facts else None)


def _print_facts(console: Console, path: str, records: list[dict[str, Any]]) -> None:
    for r in records:
        what = {k: v for k, v in r.items()
                if k not in ("kind", "source", "doc_id", "extractor", "span", "evidence")}
        console.print(Text.assemble((printable(r["kind"]), "bold"), " ",
                                json_line(what), "  ",
                                (printable(path), "dim")))


@cli.command()
@click.pass_obj
def replay(obj: Context) -> None:
    """Rebuild every view from the log (with --log, in a new folder too: a view node)."""
    with obj.open(fold_views=False, create=obj.log_servers is not None) as store, \
            progress_bar() as bar:
        task = bar.add_task("replaying", total=store.log.head)
        n = store.replay(progress=lambda k: bar.advance(task, k))
    err.print(f"replayed {n} events into {len(store.views.projections)} views")


@cli.command()
@click.argument("action", type=click.Choice(["on", "off", "status"]), default="status")
@click.argument("what", type=click.Choice([*SEARCHES, "all"]), required=False)
@click.pass_obj
def search(obj: Context, action: str, what: str | None) -> None:
    """Full-text search in the views (docs/views.md): ON builds it from the log and keeps
    it current, OFF drops it.  WHAT is evidence (the facts' evidence: `search`, the
    default for ON), documents (the documents' text: `document_search`, large) or all
    (the default for OFF)."""
    if action == "status":
        if what is not None:
            raise click.UsageError("`search status` takes no WHAT")
        require_store(obj.store, remote_log=obj.log_servers is not None)
        on = Settings.load(obj.store).search
        for name in SEARCHES:
            out.print(f"{name}: {'on' if name in on else 'off'}")
        return
    what = what or ("evidence" if action == "on" else "all")
    chosen = set(SEARCHES) if what == "all" else {what}
    with obj.open() as store, progress_bar() as bar:
        now = store.settings.search
        wanted = now | chosen if action == "on" else now - chosen
        task = bar.add_task("building search", total=store.log.head)
        store.set_search(wanted, progress=lambda k: bar.advance(task, k))
    err.print(Text("full-text search: " + (", ".join(sorted(wanted)) or "off")))


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
    with obj.open(workers=default_workers()) as store, progress_bar() as bar:
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
