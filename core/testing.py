"""Helpers for testing factfold plugins: ``from factfold.testing import ...``.

Plain functions and classes, usable from any test runner or a REPL:

- :func:`isolated_host` — a plugin manager holding only the plugins you give it (no entry
  points, so the installed built-ins and other packages stay out of your tests);
- :func:`extract` — run one extractor on a text, a file or a :class:`~factfold.Document`
  with the same checks the real runner makes, without a store or a log;
- :class:`FactRecorder` — an observer plugin that captures what the store appends and
  which extractions failed;
- :func:`temporary_store` and :func:`ingest_texts` — a real store in a temporary folder;
- :class:`ExtractorContract` — a test suite a plugin's own tests inherit, checking the
  rules every extractor must keep.

The opt-in pytest plugin ``factfold.pytest_plugin`` wraps these as fixtures.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

import attrs

from factfold.events import Envelope, EventCodec, Fact, type_name

from .document import Document
from .extraction import run_extractor
from .extractor import Extractor
from .hookspecs import hookimpl
from .pluginmanager import ENTRY_POINT_GROUP, PluginError, PluginHost
from .reader import Reader
from .reading import read_file
from .store import Store

__all__ = [
    "ExtractorContract",
    "FactRecorder",
    "extract",
    "find_extractor",
    "ingest_texts",
    "isolated_host",
    "load_document",
    "load_plugin",
    "make_document",
    "round_trip",
    "temporary_store",
]


def make_document(text: str, path: str = "test.txt") -> Document:
    """A document as the runner hands it to extractors; its id is the hash of its bytes."""
    return Document(hashlib.sha256(text.encode("utf-8")).hexdigest(), path, text)


@cache
def _installed_readers() -> list[Reader]:
    return PluginHost().readers()


def load_document(file: Path | str, host: PluginHost | None = None) -> Document:
    """A file read exactly as ``factfold ingest`` would (GBK, BOMs, HTML, PDF, ...), with
    the readers of ``host`` (default: the installed plugins')."""
    data = Path(file).read_bytes()
    readers = host.readers() if host is not None else _installed_readers()
    read = read_file(readers, data, str(file))
    return Document(hashlib.sha256(data).hexdigest(), str(file), read.text, read.encoding)


def load_plugin(name: str) -> object:
    """The plugin an installed package registers under ``name`` in the ``factfold`` group."""
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=name):
        return ep.load()
    installed = sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    raise PluginError(f"no installed plugin {name!r} in the {ENTRY_POINT_GROUP!r} entry-point "
                      f"group; installed: {', '.join(installed) or 'none'}")


def isolated_host(*plugins: object | str) -> PluginHost:
    """A plugin manager with only ``plugins`` (objects or modules; a string names an installed
    entry point).  Nothing else is loaded, whatever is installed."""
    host = PluginHost(load_entrypoints=False)
    for plugin in plugins:
        if isinstance(plugin, str):
            host.register(load_plugin(plugin), name=plugin)
        else:
            host.register(plugin)
    return host


def find_extractor(host: PluginHost, name: str | None = None) -> Extractor:
    """The extractor called ``name``, or the only one the host's plugins register."""
    found = {ex.name: ex for ex in host.extractors()}
    if name is not None:
        if name not in found:
            raise LookupError(f"no extractor {name!r}; registered: {', '.join(found) or 'none'}")
        return found[name]
    if len(found) != 1:
        raise LookupError(f"the plugins register {len(found)} extractors "
                          f"({', '.join(found) or 'none'}); name the one you mean")
    return next(iter(found.values()))


_set_up: set[int] = set()


def _ready(extractor: Extractor) -> Extractor:
    """Run ``setup`` once per extractor per process, as the runner does."""
    if extractor.setup is not None and id(extractor.setup) not in _set_up:
        extractor.setup()
        _set_up.add(id(extractor.setup))
    return extractor


def _document(source: str | Path | Document) -> Document:
    if isinstance(source, Document):
        return source
    if isinstance(source, Path):
        return load_document(source)
    return make_document(source)


def extract(
    plugin: object | Extractor | PluginHost,
    source: str | Path | Document,
    *,
    name: str | None = None,
) -> list[Fact]:
    """The facts one extractor finds in ``source`` (a text, a file ``Path`` or a document).

    Runs through the real runner's checks (declared types, spans, storable values, time
    limit), so a misbehaving extractor raises :class:`factfold.extraction.ExtractionError`
    here just as it would be recorded as failed in a store.  It runs in this process, so
    the time limit is measured, not enforced (a store's worker processes enforce it).
    Facts come back stamped with ``doc_id`` and ``extractor`` like stored ones.
    """
    if isinstance(plugin, Extractor):
        extractor, codec = plugin, None  # the runner then checks against its own `emits`
    else:
        host = plugin if isinstance(plugin, PluginHost) else isolated_host(plugin)
        extractor, codec = find_extractor(host, name), EventCodec(host.event_registry())
    return run_extractor(_ready(extractor), _document(source), codec)


def round_trip(fact: Fact, codec: EventCodec) -> Fact:
    """``fact`` written to log bytes and read back, as a replay would see it."""
    (env,) = codec.unpack_batch(codec.pack_batch([Envelope(fact)]), 0)
    return env.payload


class FactRecorder:
    """An observer plugin: register it on a host to capture what happens during extraction.

    ``appended`` holds ``(document, extractor ref, facts)`` per successful extraction,
    ``failures`` holds ``(document, extractor ref, reason)``, ``documents`` every document
    received.
    """

    def __init__(self) -> None:
        self.documents: list[Document] = []
        self.appended: list[tuple[Document, str, list[Fact]]] = []
        self.failures: list[tuple[Document, str, str]] = []

    @property
    def facts(self) -> list[Fact]:
        """Every fact appended so far, in order."""
        return [f for _, _, facts in self.appended for f in facts]

    @hookimpl
    def factfold_document_received(self, document: Document) -> None:
        self.documents.append(document)

    @hookimpl
    def factfold_facts_appended(self, document: Document, extractor: str,
                                facts: list[Fact]) -> None:
        self.appended.append((document, extractor, list(facts)))

    @hookimpl
    def factfold_extraction_failed(self, document: Document, extractor: str,
                                   reason: str) -> None:
        self.failures.append((document, extractor, reason))


@contextmanager
def temporary_store(*plugins: object | str, path: Path | None = None) -> Iterator[Store]:
    """A real store (log, views, runner) in a temporary folder, holding only ``plugins``.

    Pass ``path`` to keep the store (a pytest ``tmp_path``, say) for looking at afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="factfold-test-") as tmp:
        store = Store(path if path is not None else Path(tmp) / "store",
                      plugins=isolated_host(*plugins), workers=1)
        try:
            yield store
        finally:
            store.close()


def ingest_texts(store: Store, texts: Mapping[str, str]) -> int:
    """Record each ``{path: text}`` in ``store`` and extract; returns documents extracted."""
    for path, text in texts.items():
        store.ingest_bytes(path, text.encode("utf-8"))
    return store.extract_pending()


def _expand(sources: Sequence[str | Path]) -> list[Document]:
    docs: list[Document] = []
    for source in sources:
        if isinstance(source, Path) and source.is_dir():
            docs += [load_document(f) for f in sorted(source.iterdir())
                     if f.is_file() and not f.name.startswith(".")]
        else:
            docs.append(_document(source))
    return docs


@attrs.define
class _Run:
    host: PluginHost
    extractor: Extractor
    documents: list[Document]
    outputs: list[list[Any]]


class ExtractorContract:
    """The rules every extractor keeps, as a test suite to inherit.

    Subclass it in a test module under a ``Test...`` name and say what to check::

        class TestProjectsContract(ExtractorContract):
            plugin = factfold_projects          # module/object with hookimpls, or entry-point name
            extractor = "projects"              # optional when the plugin registers one
            documents = [Path("tests/corpus"), "项目正式启动。"]  # folders, files or texts

    Each extractor runs once over the documents (twice for the determinism check) by calling
    ``extract`` directly, so a broken rule fails with the offending fact in the message
    rather than as a recorded failure.
    """

    plugin: ClassVar[object | str]
    extractor: ClassVar[str | None] = None
    documents: ClassVar[Sequence[str | Path]] = ()
    #: the documents are chosen to show the extractor working: it must find something
    expect_facts: ClassVar[bool] = True

    _runs: ClassVar[dict[type, _Run]] = {}

    @classmethod
    def _run(cls) -> _Run:
        if cls not in ExtractorContract._runs:
            if not hasattr(cls, "plugin"):
                raise TypeError(f"{cls.__name__}: set `plugin` to the plugin under test")
            if not cls.documents:
                raise TypeError(f"{cls.__name__}: set `documents` to texts, files or folders")
            host = isolated_host(cls.plugin)
            extractor = _ready(find_extractor(host, cls.extractor))
            docs = _expand(cls.documents)
            outputs = [cls._call(extractor, d) for d in docs]
            ExtractorContract._runs[cls] = _Run(host, extractor, docs, outputs)
        return ExtractorContract._runs[cls]

    @staticmethod
    def _call(extractor: Extractor, document: Document) -> list[Any]:
        if not extractor.accepts(document):
            return []
        out = extractor.extract(document)
        assert out is None or not isinstance(out, str | bytes | Fact), (
            f"{extractor.ref} returned {type(out).__name__}; return an iterable of facts")
        return list(out or ())

    def _facts(self) -> Iterator[tuple[Document, Any]]:
        run = self._run()
        for doc, facts in zip(run.documents, run.outputs, strict=True):
            for fact in facts:
                yield doc, fact

    def test_declares_storable_fact_types(self) -> None:
        run = self._run()
        assert run.extractor.emits, f"{run.extractor.ref} declares no fact types in `emits`"
        registry = run.host.event_registry()
        for cls in run.extractor.emits:
            assert isinstance(cls, type) and issubclass(cls, Fact), (
                f"{cls!r} in emits is not a factfold.Fact subclass")
            assert type_name(cls) in registry, f"{cls.__name__} is not in the event registry"
            assert cls.kind != Fact.kind, f"{cls.__name__} must set its own `kind`"

    def test_emits_only_declared_types(self) -> None:
        declared = self._run().extractor.emits
        for doc, fact in self._facts():
            assert isinstance(fact, declared), (
                f"{type(fact).__name__} from {doc.path} is not among the declared "
                f"{[c.__name__ for c in declared]}: {fact!r}")

    def test_spans_lie_inside_the_document(self) -> None:
        for doc, fact in self._facts():
            start, end = fact.span
            assert 0 <= start <= end <= len(doc.text), (
                f"span {fact.span} outside {doc.path} (length {len(doc.text)}): {fact!r}")
            assert isinstance(fact.evidence, str) and fact.evidence.strip(), (
                f"fact without evidence text in {doc.path}: {fact!r}")

    def test_facts_round_trip_through_the_codec(self) -> None:
        run = self._run()
        codec = EventCodec(run.host.event_registry())
        for doc, fact in self._facts():
            stored = attrs.evolve(fact, doc_id=doc.doc_id, extractor=run.extractor.ref)
            assert round_trip(stored, codec) == stored, (
                f"{fact!r} reads back differently from the log: use str, int, float, bool, "
                "None, or lists/tuples of them, and converters for tuples")

    def test_output_is_deterministic(self) -> None:
        run = self._run()
        for doc, first in zip(run.documents, run.outputs, strict=True):
            again = self._call(run.extractor, doc)
            assert again == first, (
                f"{run.extractor.ref} gave different facts on a second run over {doc.path}; "
                "replays and re-extraction rely on the same input giving the same facts")

    def test_finds_facts_in_the_documents(self) -> None:
        if self.expect_facts:
            run = self._run()
            assert any(run.outputs), (
                f"{run.extractor.ref} found nothing in {len(run.documents)} documents; "
                "choose documents that show it working or set expect_facts = False")
