"""``factfold`` commands that read the views: query, sql, serve, export, eval, plugins (any
number of them alongside a writer; with ``--as-of``, the views as they were)."""

from __future__ import annotations

import csv
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from .asof import AsOf
from .cli import Context, _fail, cli, err, log, out
from .display import json_line, printable
from .projection import Projection
from .sql import SQLError
from .sql import query as sql_query
from .store import Store
from .views import FactKindView


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
    views = [name for name, p in store.views.projections.items()  # not those read with SQL
             if name != "facts" and type(p).query is not Projection.query]
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
@click.argument("statement")
@click.option("--json", "as_json", is_flag=True, help="JSON lines (one object per row).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row.")
@click.pass_obj
def sql(obj: Context, statement: str, as_json: bool, as_csv: bool) -> None:
    """Run one read-only SQL query on the views' typed tables (see docs/views.md), e.g.

    \b
      factfold sql "SELECT name, title, organization FROM people LIMIT 10"

    Works while another process (a watch) writes the store: it reads what that process
    last committed.  A statement that would write is refused.
    """
    if as_json and as_csv:
        raise click.UsageError("--json and --csv are exclusive: pick one")
    with obj.open(write=False) as store:
        try:
            columns, rows = sql_query(store.views.db, statement)
            if as_json:
                for row in rows:
                    out.print(Text(json_line(dict(zip(columns, map(_plain, row), strict=True)))))
            elif as_csv:
                writer = csv.writer(sys.stdout, lineterminator="\n")
                writer.writerow(columns)
                writer.writerows([_plain(v) for v in row] for row in rows)
            else:
                table = Table(show_lines=False)
                for c in columns:
                    table.add_column(Text(printable(c)))
                for row in rows:
                    table.add_row(*(_cell(_plain(v)) for v in row))
                out.print(table)
        except SQLError as exc:
            _fail(f"sql: {exc}", 2)


def _plain(value: Any) -> Any:
    """A column's value as JSON and CSV can hold it: a BLOB as hex."""
    return value.hex() if isinstance(value, bytes) else value


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (another than loopback shows the facts to the network).")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port to listen on; 0 takes a free one (the URL printed says which).")
@click.pass_obj
def serve(obj: Context, host: str, port: int) -> None:
    """Browse the views' tables in Datasette, read-only, until interrupted.

    Works beside a running watch: pages show what it last committed.  Each fact's evidence
    links to its document with the evidence marked.  Needs the serve extra:
    pip install 'factfold[serve]'.
    """
    try:
        from .serve.app import listen, run
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in ("datasette", "uvicorn"):
            raise
        _fail("factfold serve needs Datasette: pip install 'factfold[serve]'", 2)
    with obj.open(write=False) as store:
        try:
            sock = listen(host, port)
        except OSError as exc:
            _fail(f"cannot listen on {host} port {port}: {exc.strerror or exc}", 2)
        with sock:
            run(store, sock, access_log=log.bind().is_enabled_for(logging.DEBUG),
                ready=lambda url: err.print(Text(printable(
                    f"serving the views of {obj.store} at {url} (read-only; Ctrl-C stops)"))))


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
