"""The ``factfold`` command line: the group, its options, how errors reach the user.

Nothing outside the CLI imports it.  The commands live beside it by what they do:
:mod:`factfold.cli_ingest` (ingest, watch, reextract, replay, search: they take the
single-writer lock), :mod:`factfold.cli_query` (query, sql, serve, export, eval, plugins),
:mod:`factfold.cli_log` (the ``log`` commands) and :mod:`factfold.cli_nats` (worker,
follow, status: a log on NATS JetStream); the read commands read a store that another
process is writing without waiting for it.  Stores are opened through
:func:`factfold.wiring.open_store`.
"""

from __future__ import annotations

import math
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from factfold.events import EventCodec

from . import logconfig
from .display import printable
from .lock import StoreLocked
from .log import LogError
from .natslog import NatsLog, parse_log_url
from .pluginmanager import PluginError, PluginHost
from .projection import ViewsOutdated
from .segments import FsyncPolicy, SegmentLog
from .store import Store
from .viewstore import damaged_views
from .wiring import default_store, open_store, require_store

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
    def __init__(self, store: Path, fsync: str, plugins: PluginHost | None = None,
                 log_servers: list[str] | None = None) -> None:
        self.store = store
        self.fsync = fsync
        self._plugins = plugins
        #: the NATS servers holding the log (--log), or None for the embedded log
        self.log_servers = log_servers

    @property
    def plugins(self) -> PluginHost:
        if self._plugins is None:
            self._plugins = PluginHost()
        return self._plugins

    @contextmanager
    def open(self, *, write: bool = True, create: bool = False, workers: int = 1,
             fold_views: bool = True, extract: bool = True) -> Iterator[Store]:
        """The store: writable (the single writer), or for ``write=False`` read-only, as
        it stands: a reader never changes what it reads, the log or the views.

        Only ``create`` (ingest, watch) makes a store that is not there: a mistyped
        ``--store`` given to any other command is an error, not a new empty store.
        """
        if write and not create:
            # a reader's Store checks this itself
            require_store(self.store, remote_log=self.log_servers is not None)
        store = open_store(self.store, plugins=self.plugins, fsync=self.fsync,
                           workers=workers, writable=write, fold_views=fold_views,
                           log_servers=self.log_servers, extract=extract)
        try:
            yield store
        finally:
            store.close()

    def read_log(self) -> SegmentLog | NatsLog:
        """The store's log, read-only: the ``log`` commands need neither views nor lock."""
        codec = EventCodec(self.plugins.event_registry())
        if self.log_servers is not None:
            return NatsLog(self.log_servers, codec)
        require_store(self.store)
        return SegmentLog(self.store / "log", codec)


def progress_bar() -> Progress:
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


def _log_servers(ctx: click.Context, param: click.Parameter, value: str | None
                 ) -> list[str] | None:
    try:
        return None if not value else parse_log_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


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
@click.option("--log", "log_servers", envvar="FACTFOLD_LOG", callback=_log_servers,
              metavar="nats://HOST:PORT[,HOST:PORT...]",
              help="Keep the log on a NATS JetStream server or cluster; the store folder "
                   "then holds the views only [default: $FACTFOLD_LOG, or the embedded log].")
@click.version_option(package_name="factfold")
@click.pass_context
def cli(ctx: click.Context, store: Path | None, log_format: str, log_level: str,
        fsync: str, log_servers: list[str] | None) -> None:
    """factfold: facts from documents, as an event-sourced log with views."""
    logconfig.configure(log_format, log_level)
    ctx.obj = Context(store or default_store(), fsync,
                      ctx.obj if isinstance(ctx.obj, PluginHost) else None, log_servers)


# Each command module adds its commands to ``cli`` as it is imported.
from . import cli_ingest, cli_log, cli_nats, cli_query  # noqa: E402, F401


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
