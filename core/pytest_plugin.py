"""Opt-in pytest fixtures for plugin authors.

Not loaded automatically (installing factfold must not change every project's pytest run);
enable it with ``pytest -p factfold.pytest_plugin`` or, in a test module::

    pytest_plugins = ["factfold.pytest_plugin"]

then say which plugins your tests are about by overriding one fixture::

    @pytest.fixture
    def factfold_plugins():
        return [my_plugin_module]

Fixtures:

``factfold_plugins``   the plugins under test (default: none); override it
``factfold_host``      an isolated plugin manager holding just those plugins
``factfold_recorder``  a :class:`~factfold.testing.FactRecorder` registered on that host
``factfold_extract``   ``factfold_extract(text_or_path, name=None)`` → facts, no store
``factfold_store``     a real store in ``tmp_path`` with that host, closed afterwards
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from . import testing
from .document import Document
from .pluginmanager import PluginHost
from .store import Store


@pytest.fixture
def factfold_plugins() -> Sequence[object | str]:
    """The plugins under test: override to return your plugin modules or entry-point names."""
    return ()


@pytest.fixture
def factfold_host(factfold_plugins: Sequence[object | str]) -> PluginHost:
    return testing.isolated_host(*factfold_plugins)


@pytest.fixture
def factfold_recorder(factfold_host: PluginHost) -> testing.FactRecorder:
    recorder = testing.FactRecorder()
    factfold_host.register(recorder, name="factfold-recorder")
    return recorder


@pytest.fixture
def factfold_extract(factfold_host: PluginHost) -> Callable[..., list]:
    def run(source: str | Path | Document, name: str | None = None) -> list:
        return testing.extract(factfold_host, source, name=name)

    return run


@pytest.fixture
def factfold_store(factfold_host: PluginHost, tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "factfold-store", plugins=factfold_host, workers=1)
    try:
        yield store
    finally:
        store.close()
