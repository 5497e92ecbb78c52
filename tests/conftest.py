"""Shared fixtures: the seed corpus, the gold file, a fast toy plugin, the CLI as a subprocess."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import GOLD, SEEDS, STARTED

from factfold import Extractor, Person, Statistic, hookimpl
from factfold.pluginmanager import PluginHost


class ToyPlugin:
    """A fast, deterministic extractor, so store tests do not wait for NLP models."""

    @hookimpl
    def factfold_register_extractors(self, register):
        def people(doc):
            for m in re.finditer(r"会长([\u4e00-\u9fff]{2,3})", doc.text):
                yield Person(span=m.span(1), evidence=m.group(0), name=m.group(1), title="会长")

        def numbers(doc):
            for m in re.finditer(r"(\d+)人", doc.text):
                yield Statistic(span=m.span(), evidence=m.group(0), value=int(m.group(1)),
                                unit="人", text=m.group(0))

        register(Extractor(name="toy-people", version="1", extract=people, emits=(Person,)))
        register(Extractor(name="toy-numbers", version="1", extract=numbers, emits=(Statistic,)))


def pytest_configure(config: pytest.Config) -> None:
    """Every factfold a test starts sizes its output by its own stdout, as a user's would.

    The terminal size in COLUMNS and LINES belongs to no terminal here: readline, which
    pytest's capture imports, writes 80x24 into the process's C environment (subprocesses
    inherit it, though ``os.environ`` does not show it), and pytest-xdist's workers start
    with it in ``os.environ``.  Left in place, it narrows the CLI's piped tables to 80 columns (the
    CLI honours COLUMNS) and overrides a test terminal's real size.
    """
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
        os.unsetenv(name)  # also when only the C environment has it


@pytest.fixture(autouse=True)
def no_stray_watchers():
    """Kill whatever watcher a test started and left running."""
    yield
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.fixture
def seeds() -> Path:
    return SEEDS


@pytest.fixture
def gold() -> Path:
    return GOLD


@pytest.fixture
def toy_host() -> PluginHost:
    host = PluginHost(load_entrypoints=False)
    host.register(ToyPlugin(), name="toy")
    return host


def versioned_host(version: str, *, toy: bool = False) -> PluginHost:
    """A host whose extractor ``v`` (at ``version``) finds one person named ``v<version>``
    in every document; with ``toy``, the toy plugin's extractors too."""

    class Versioned:
        @hookimpl
        def factfold_register_extractors(self, register):
            def ex(doc):
                yield Person(span=(0, 1), evidence=doc.text[:1], name=f"v{version}")

            register(Extractor(name="v", version=version, extract=ex, emits=(Person,)))

    host = PluginHost(load_entrypoints=False)
    if toy:
        host.register(ToyPlugin(), name="toy")
    host.register(Versioned(), name="v")
    return host
