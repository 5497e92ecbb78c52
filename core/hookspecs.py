"""The hooks factfold calls: the public API for plugins.

A plugin is a module (or object) with functions marked ``@factfold.hookimpl`` whose names
match the specs below, found through the ``factfold`` entry-point group.  An implementation
may take fewer arguments than the spec names, so arguments can be added later without
breaking existing plugins.  Each hook's docstring is its contract; ``docs/plugins.md``
walks through them with examples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from .document import Document
    from .extractor import Extractor
    from .reader import Reader

hookspec = pluggy.HookspecMarker("factfold")
hookimpl = pluggy.HookimplMarker("factfold")


@hookspec
def factfold_register_event_types(register: Callable[..., None]) -> None:
    """Declare event (fact) types this plugin stores, with their upcasters.

    Call ``register(cls)`` for each class decorated with ``@event_type(name, version)``;
    pass ``upcasters={1: fn}`` to read records written at older schema versions, where
    ``fn`` turns a version-1 payload dict into a version-2 one::

        @hookimpl
        def factfold_register_event_types(register):
            register(Project, upcasters={1: lambda d: {**d, "status": None}})
    """


@hookspec
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    """Register extractors: ``register(Extractor(name=..., version=..., extract=fn, emits=(...)))``.

    ``fn(document)`` returns an iterable of facts carrying ``span`` and ``evidence``; the
    runner fills in ``doc_id`` and ``extractor``.  Example::

        @hookimpl
        def factfold_register_extractors(register):
            register(Extractor(name="projects", version="1.0", extract=find_projects,
                               emits=(ProjectLaunched,)))
    """


@hookspec
def factfold_register_readers(register: Callable[[Reader], None]) -> None:
    """Register readers, which turn a file's bytes into a document's text:
    ``register(Reader(name=..., version=..., format=..., read=fn, suffixes=(...)))``.

    ``fn(data, name)`` returns the text (a ``str``, or a ``factfold.Text`` with a title) or
    raises ``factfold.Unreadable`` with the reason the file cannot be read.  Fact spans point
    into that text and the log keeps it.  A reader claims files by content (``sniff``), by
    suffix or media type, or as the ``fallback``.  Example::

        @hookimpl
        def factfold_register_readers(register):
            register(Reader(name="rtf", version="1.0", format="rtf", read=rtf_to_text,
                            suffixes=(".rtf",), sniff=lambda data: data.startswith(b"{\\rtf")))
    """


@hookspec
def factfold_register_projections(register: Callable[[Any], None]) -> None:
    """Register projections (subclasses of ``factfold.projection.Projection``): log → views.

    A projection owns tables in the store's views database; ``apply`` folds one recorded
    event into them and must be a pure function of the events (``replay`` rebuilds it).

    A projection named ``projects`` is queried with ``factfold query projects``::

        @hookimpl
        def factfold_register_projections(register):
            register(ProjectsView())
    """


@hookspec
def factfold_register_commands(cli: click.Group) -> None:
    """Add commands to the ``factfold`` CLI: ``@cli.command()`` on a click function.

    Called once at start-up, before the options are parsed.  Name commands after the plugin
    so they cannot clash with core's or another plugin's::

        @hookimpl
        def factfold_register_commands(cli):
            @cli.command("projects-rules")
            def rules():
                \"\"\"Show the patterns the projects extractor uses.\"\"\"
                click.echo(PATTERN.pattern)
    """


@hookspec
def factfold_document_received(document: Document) -> None:
    """Observer: a new document was recorded in the log and is about to be extracted.

    Observers run in the writing process, after the durable append; they must be quick and
    must not raise (an exception propagates to the command).  Example::

        @hookimpl
        def factfold_document_received(document):
            metrics.counter("documents").inc()
    """


@hookspec
def factfold_facts_appended(document: Document, extractor: str, facts: list[Any]) -> None:
    """Observer: ``extractor`` (``name@version``) appended ``facts`` for ``document``.

    Called once per (document, extractor) after the batch is durable; ``facts`` may be
    empty.  Example::

        @hookimpl
        def factfold_facts_appended(extractor, facts):   # fewer arguments are fine
            print(extractor, len(facts))
    """


@hookspec
def factfold_extraction_failed(document: Document, extractor: str, reason: str) -> None:
    """Observer: ``extractor`` failed on ``document``; ``reason`` says how.

    The failure is already recorded in the log (``factfold query documents --failed``);
    this hook is for alerting.  Example::

        @hookimpl
        def factfold_extraction_failed(document, extractor, reason):
            alert(f"{extractor} failed on {document.path}: {reason}")
    """
