"""The ``factfold`` command line: where the pieces are wired together.

Nothing imports this module; it imports the rest.  Commands that change the store take the
single-writer lock; ``query``, ``export``, ``eval`` and ``log`` commands read a store that
another process is writing without waiting for it.
"""

from __future__ import annotations

import fnmatch
import json
import math
import os
import sqlite3
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from itertools import islice
from pathlib import Path, PurePath
from typing import Any, NoReturn

import click
import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from factfold.events import EventCodec

from . import logconfig
from .asof import AsOf
from .display import json_line, printable
from .dropfolder import DEFAULT_MAX_SIZE, MAX_SIZE_ENV, Limits, parse_size, walk
from .durable import DiskFull
from .lock import StoreLocked
from .log import LogError
from .pluginmanager import PluginError, PluginHost
from .projection import ViewsOutdated, damaged_views
from .segments import FsyncPolicy, SegmentLog
from .store import Store
from .views import FactKindView
from .watcher import DEFAULT_IGNORE
from .wiring import default_store, open_store, require_store
from .workers import default_workers

log = structlog.get_logger("factfold.cli")

def _console(stderr: bool = False) -> Console:
    """Messages never wrap (they get grepped); piped tables get room instead of ellipses
    (200 columns, or as many as ``COLUMNS`` says)."""
    console = Console(stderr=stderr, soft_wrap=True)
    if not console.is_terminal and "COLUMNS" not in os.environ:
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
    def open(self, *, write: bool = True, create: bool = False, workers: int = 1,
             fold_views: bool = True) -> Iterator[Store]:
        """The store: writable (the single writer), or for ``write=False`` read-only, as
        it stands: a reader never changes what it reads, the log or the views.

        Only ``create`` (ingest, watch) makes a store that is not there: a mistyped
        ``--store`` given to any other command is an error, not a new empty store.
        """
        if write and not create:
            require_store(self.store)  # a reader's Store checks this itself
        store = open_store(self.store, plugins=self.plugins, fsync=self.fsync,
                           workers=workers, writable=write, fold_views=fold_views)
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


def _fail(message: str, status: int) -> NoReturn:
    """One line for the person at the terminal, then exit ``status``."""
    err.print(Text.assemble(("error: ", "bold red"), printable(message)))
    sys.exit(status)


class FactfoldGroup(click.Group):
    """Turns every error into one clear line and exit status 2 (the command was used wrong:
    click's usage errors and the store errors below) or 1 (it failed).  A traceback is for
    the unexpected only, and only at ``--log-level debug``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except (StoreLocked, LogError, PluginError, ViewsOutdated, FileNotFoundError) as exc:
            _fail(str(exc), 2)
        except sqlite3.DatabaseError as exc:  # views damaged where opening them could not see
            if not damaged_views(exc):
                log.debug("unexpected error", exc_info=True)
                _fail(f"unexpected {type(exc).__name__}: {exc} (rerun with --log-level debug "
                      "for the traceback)", 1)
            _fail(f"the views in {ctx.obj.store} cannot be read ({exc}); they hold nothing the "
                  "log does not: run `factfold replay` to rebuild them", 2)
        except BrokenPipeError:
            # The reader of stdout went away (``export | head``): as rich does for the
            # commands it prints, stdout goes to /dev/null (so exit can flush) and exit 1.
            out.on_broken_pipe()
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            _fail(f"{exc.strerror or exc}{where}", 1)
        except Exception as exc:
            log.debug("unexpected error", exc_info=True)
            _fail(f"unexpected {type(exc).__name__}: {exc} (rerun with --log-level debug "
                  "for the traceback)", 1)


def _fsync_policy(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        policy = FsyncPolicy(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if policy.interval is not None and not 0 <= policy.interval < math.inf:
        raise click.BadParameter(f"{value!r}: SECONDS must be a number of seconds, 0 or more")
    return value


@click.group(cls=FactfoldGroup)
@click.option("--store", type=click.Path(path_type=Path), default=None,
              help="Store folder [default: $FACTFOLD_STORE or ./.factfold].")
@click.option("--log-format", type=click.Choice(["console", "json"]), default="console",
              show_default=True, help="json for running as a service.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--fsync", default="batch", show_default=True, callback=_fsync_policy,
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


WORKERS = click.IntRange(min=1)


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
@click.option("--workers", type=WORKERS, default=None,
              help="Processes that run the extractors [default: one per core].")
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
    finished = 0  # files recorded
    try:
        with obj.open(create=True, workers=workers or default_workers()) as store, \
                _progress() as bar:
            reading = bar.add_task("reading", total=len(files))
            extracting = bar.add_task("extracting", total=0)
            # The runner extracts each document as it is recorded, while the next files
            # are read; what an earlier run left unextracted (a crash, a plugin's new
            # version) goes first.
            store.runner.progress = lambda n: bar.advance(extracting, n)
            store.runner.catch_up()
            for path, root in files:
                outcome = store.ingest_file(path, root=root, limits=limits)
                counts[outcome] = counts.get(outcome, 0) + 1
                finished += 1
                bar.update(extracting,
                           total=store.runner.backlog + bar.tasks[extracting].completed)
                bar.advance(reading)
            store.extract_pending()
            facts = store.views.db.execute(
                "SELECT kind, COUNT(*) FROM facts GROUP BY kind ORDER BY kind").fetchall()
    except DiskFull:
        # What was recorded stays recorded; a second run takes in the rest, once each.
        err.print(Text(f"disk full: {len(files) - finished} files not ingested; free space "
                       "and run again"))
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
@click.pass_obj
def watch(obj: Context, directory: Path, create: bool, settle: float, scan_interval: float,
          polling: bool, ignore: tuple[str, ...], status: bool | None, print_facts: bool,
          workers: int, max_size: int, settle_timeout: float) -> None:
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
    with obj.open(create=True, workers=workers) as store:
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
    """Rebuild every view from the log."""
    with obj.open(fold_views=False) as store, _progress() as bar:
        task = bar.add_task("replaying", total=store.log.head)
        n = store.replay(progress=lambda k: bar.advance(task, k))
    err.print(f"replayed {n} events into {len(store.views.projections)} views")


def _as_of_point(ctx: click.Context, param: click.Parameter, value: str | None) -> AsOf | None:
    try:
        return None if value is None else AsOf.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


#: ``--as-of`` for a command that reads the views: open them with :func:`_reading`
as_of_option = click.option(
    "--as-of", "as_of", callback=_as_of_point, metavar="POSITION|TIME",
    help="The views as they were then: through log position POSITION (as `log tail` shows "
    "it), or as of TIME (ISO 8601, UTC unless it says; a date is its whole day).")


@contextmanager
def _reading(obj: Context, as_of: AsOf | None) -> Iterator[Store]:
    """The store read-only, its views as they stand or, with ``as_of``, folded from the log
    up to that point into a temporary view set (one line on stderr says which events)."""
    with obj.open(write=False) as store:
        if as_of is None:
            yield store
            return
        with store.as_of(as_of) as past:
            assert past.moment is not None
            err.print(Text(printable(past.moment.describe())))
            yield past


def _filters(pairs: tuple[str, ...]) -> dict[str, str]:
    out_: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r}: use FIELD=VALUE (VALUE may hold * globs)",
                                     param_hint="--filter")
        out_[key] = value
    return out_


def _cell(value: Any) -> Text:
    if value is None:
        return Text("")
    if isinstance(value, list):
        return Text(printable("; ".join(str(v) for v in value)))
    return Text(printable(str(value)))


def _view_names(store: Store) -> dict[str, str]:
    """Every name ``query`` answers to, and the view it names: a view by its name; a fact
    kind by the view that shows it (``person``: ``people``), or by itself (a plugin's
    ``project``: its facts); and a view without its plural ``s`` (``document``), unless
    that is a fact kind."""
    views = [name for name in store.views.projections if name != "facts"]
    names = {name: name for name in views}
    for name in views:
        projection = store.views.projections[name]
        if isinstance(projection, FactKindView):
            names.setdefault(projection.kind, name)
    for kind in sorted(store.fact_kinds()):
        names.setdefault(kind, kind)
    for name in views:
        if name.endswith("s"):
            names.setdefault(name[:-1], name)
    return names


def _known_views(names: dict[str, str]) -> str:
    aliases: dict[str, list[str]] = {}
    for name, view in names.items():
        aliases.setdefault(view, []).extend([] if name == view else [name])
    return ", ".join(f"{view} ({', '.join(a)})" if a else view
                     for view, a in sorted(aliases.items()))


@cli.command()
@click.argument("kind")
@click.option("-f", "--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Keep rows whose FIELD equals VALUE (* and ? glob); a number matches "
              "by value, a list if one of its items does.  Repeat to narrow further.")
@click.option("--rejected", is_flag=True, help="documents: the files that were rejected.")
@click.option("--failed", is_flag=True, help="documents: failed extractions with reasons.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Show at most this many rows [default: all].")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None, metavar="P",
              help="Only facts their extractor gave at least this confidence (0-1).")
@as_of_option
@click.pass_obj
def query(obj: Context, kind: str, filters: tuple[str, ...], rejected: bool, failed: bool,
          as_json: bool, limit: int | None, min_confidence: float | None,
          as_of: AsOf | None) -> None:
    """Query a view.  KIND is people, meetings, agreements, statistics or documents
    (singular works too: person, ...), or a plugin's view or fact kind.

    \b
    The fields -f filters on, per KIND:
      people      name, title, organization, aliases, posts, documents
      meetings    name, date, location, organizers
      agreements  title, parties, date, term
      statistics  value, unit, text, approx
      documents   doc_id, path
      and for every kind of fact: source, doc_id, extractor, evidence
      a plugin's  its own fields: a wrong field is an error that lists them
    """
    wanted = _filters(filters)
    with _reading(obj, as_of) as store:
        names = _view_names(store)
        if kind not in names:
            raise click.BadParameter(f"no view {kind!r}; try one of: {_known_views(names)}",
                                     param_hint="KIND")
        view = store.view(names[kind])
        known = view.filter_fields()
        unknown = sorted(set(wanted) - set(known)) if known is not None else []
        if unknown:
            raise click.BadParameter(
                f"{names[kind]} has no field {', '.join(map(repr, unknown))}; filter on one "
                f"of: {', '.join(known or ())}", param_hint="--filter")
        if (rejected or failed) and view.name != "documents":
            raise click.BadParameter("only documents have rejected and failed files; use "
                                     "`query documents --rejected`", param_hint="--rejected")
        if min_confidence is not None and not isinstance(view, FactKindView):
            raise click.BadParameter(f"{view.name} holds no facts, so no confidence: use "
                                     "it with people, meetings, agreements or statistics",
                                     param_hint="--min-confidence")
        if rejected:
            wanted["rejected"] = "1"
        if failed:
            wanted["failed"] = "1"
        rows = store.query(view.name, wanted, limit, min_confidence)
    if as_json:
        for r in rows:
            out.print(Text(json_line(r)))
        return
    if not rows:
        err.print(Text(f"no {names[kind]} found"))
        return
    columns = list(rows[0]) if rejected or failed or not view.columns else list(view.columns)
    table = Table(show_lines=False)
    for c in columns:
        table.add_column(Text(c))
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in columns))
    out.print(table)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None, metavar="P",
              help="Only facts their extractor gave at least this confidence (0-1).")
@as_of_option
@click.pass_obj
def export(obj: Context, fmt: str, min_confidence: float | None, as_of: AsOf | None) -> None:
    """Every current fact as JSON lines on stdout (with --as-of, every fact current then)."""
    with _reading(obj, as_of) as store:
        write = sys.stdout.write
        for record in store.export(min_confidence):
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
        out.print(Text(json_line(rows, indent=2)))
        return
    table = Table("plugin", "package", "extractors, readers", "hooks", "status")
    for r in rows:
        package = f"{r['package']} {r['version']}" if r["package"] else ""
        # A broken plugin's status holds its error, which may hold anything.
        table.add_row(*map(_cell, (r["name"], package, ", ".join(r["extractors"] + r["readers"]),
                                   ", ".join(h.removeprefix("factfold_") for h in r["hooks"]),
                                   r["status"])))
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
    from .evaluation import GoldError, language_of, load_gold, score, score_by_language

    try:
        truth = load_gold(gold)
    except GoldError as exc:
        raise click.BadParameter(f"{exc}; see tests/gold/ for the format",
                                 param_hint="--gold") from None
    with obj.open(write=False) as store:
        records = list(store.export())
        report = score(truth, records, kinds=kinds or None)
        in_gold = {doc_id: PurePath(path).name for path, doc_id in store.paths().items()
                   if PurePath(path).name in truth["documents"]}
        languages = {in_gold[d.doc_id]: language_of(d.text) for d in store.texts(in_gold)}
    by_language = score_by_language(truth, records, languages, kinds=kinds or None)
    if len(by_language) < 2:
        by_language = {}
    if as_json:
        result = report.to_dict(verbose=verbose)
        result["languages"] = {lang: r.to_dict(verbose=False) for lang, r in by_language.items()}
        out.print(Text(json_line(result, indent=2)))
        return
    # The misses and false alarms quote extracted text.
    lines = report.render(verbose=verbose).splitlines()
    for lang, r in by_language.items():
        documents = len(r.documents)
        lines += ["", f"== {lang} ({documents} document{'s' * (documents != 1)})",
                  *r.render(verbose=False, documents=False).splitlines()]
    out.print(Text("\n".join(map(printable, lines))))


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

    source = obj.read_log()
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
    if last:
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


def main() -> None:
    # Logs go to stderr from the start: plugin loading warns and traces before the options
    # are parsed, and stdout is for data (export, query --json).
    logconfig.configure()
    try:
        host = PluginHost()
        host.hook.factfold_register_commands(cli=cli)
    except PluginError as exc:  # strict mode: a broken plugin stops everything, clearly
        _fail(str(exc), 2)
    try:
        status = cli.main(prog_name="factfold", obj=host, standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # a bare group: its help
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:  # one line, not click's usage block
        where = exc.ctx.command_path if exc.ctx else "factfold"
        _fail(f"{exc.format_message()} (see `{where} --help`)", exc.exit_code)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except click.Abort:  # Ctrl-C outside the watch, which stops on it by itself
        _fail("interrupted", 130)
    sys.exit(status if isinstance(status, int) else 0)
