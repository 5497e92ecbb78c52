"""The package says which of its modules are API: every module is named there, and every
public name it exports resolves."""

from __future__ import annotations

import importlib
import pkgutil
import re

import factfold
import factfold.plugins


def _named_in(doc: str) -> set[str]:
    return {m.split(".")[-1] for m in re.findall(r"``([\w.]+)``", doc)}


def test_every_core_module_is_declared_public_or_internal() -> None:
    modules = {m.name for m in pkgutil.iter_modules(factfold.__path__)}
    assert modules - _named_in(factfold.__doc__ or "") == set()


def test_every_plugin_module_is_accounted_for() -> None:
    doc = factfold.plugins.__doc__ or ""
    named = _named_in(doc)
    prefixes = {n.rstrip("*_") for n in re.findall(r"``(\w+_\*)``", doc)}
    for module in pkgutil.iter_modules(factfold.plugins.__path__):
        if module.ispkg:
            continue  # the data folder
        assert module.name in named or any(module.name.startswith(p + "_") for p in prefixes), (
            module.name)


def test_public_names_and_modules_import() -> None:
    for name in factfold.__all__:
        assert getattr(factfold, name) is not None, name
    for module in ("events", "hookspecs", "testing", "pytest_plugin", "evaluation"):
        public = importlib.import_module(f"factfold.{module}")
        for name in getattr(public, "__all__", ()):
            assert hasattr(public, name), (module, name)
