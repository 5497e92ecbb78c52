"""Finding, loading and asking plugins: factfold's pluggy plugin manager.

Plugins come from the ``factfold`` entry-point group — the built-ins too — so a built-in
has no privilege a third-party package lacks.  Loading is controlled like pytest's:

``FACTFOLD_PLUGINS=a,b``           load only these entry points
``FACTFOLD_DISABLE_PLUGINS=c``     load all but these
``FACTFOLD_STRICT_PLUGINS=1``      a plugin that fails to import is an error, not a warning
``FACTFOLD_TRACE_HOOKS=1``         log every hook call and result (structlog, info level)

A plugin whose registration hook raises, or registers something that is not what the hook
asks for, is skipped like one that fails to import: a warning, and an entry in
``factfold plugins``; strict mode makes it an error.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy
import structlog

from factfold.events import BUILTIN_TYPES, EventRegistry

from . import hookspecs
from .extractor import Extractor
from .projection import Projection
from .reader import Reader
from .reading import PLAIN_TEXT

log = structlog.get_logger("factfold.plugins")

ENTRY_POINT_GROUP = "factfold"


class PluginError(RuntimeError):
    """A plugin could not be loaded or declared something invalid."""


def _names(value: str | None) -> set[str] | None:
    if not value:
        return None
    return {n.strip() for n in value.split(",") if n.strip()}


class PluginHost:
    """A pluggy manager with factfold's hookspecs, plus what the plugins declared."""

    def __init__(
        self,
        *,
        only: Iterable[str] | None = None,
        disable: Iterable[str] | None = None,
        strict: bool | None = None,
        trace: bool | None = None,
        load_entrypoints: bool = True,
    ) -> None:
        env = os.environ
        self.only = set(only) if only is not None else _names(env.get("FACTFOLD_PLUGINS"))
        self.disable = (
            set(disable) if disable is not None else _names(env.get("FACTFOLD_DISABLE_PLUGINS"))
        ) or set()
        self.strict = strict if strict is not None else env.get("FACTFOLD_STRICT_PLUGINS") == "1"
        self.pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.failed: dict[str, str] = {}
        #: per plugin, what it registered that was left out, and why
        self.problems: dict[str, list[str]] = {}
        self._dists: dict[str, tuple[str, str]] = {}
        self._extractors: list[Extractor] | None = None
        self._readers: list[Reader] | None = None
        self._owner: dict[str, str] = {}
        self.tracing = trace if trace is not None else env.get("FACTFOLD_TRACE_HOOKS") == "1"
        if self.tracing:
            self._trace()
        if load_entrypoints:
            self.load_entrypoints()

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def _trace(self) -> None:
        # info, not debug: the environment variable is the switch, one knob is enough
        def before(hook_name: str, impls: Sequence[pluggy.HookImpl],
                   kwargs: Mapping[str, Any]) -> None:
            log.info("hook call", hook=hook_name, plugins=[i.plugin_name for i in impls])

        def after(outcome: pluggy.Result[Any], hook_name: str, impls: Sequence[pluggy.HookImpl],
                  kwargs: Mapping[str, Any]) -> None:
            log.info("hook done", hook=hook_name, error=repr(outcome.exception)
                     if outcome.exception else None)

        self.pm.add_hookcall_monitoring(before, after)

    def load_entrypoints(self) -> None:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if self.only is not None and ep.name not in self.only:
                continue
            if ep.name in self.disable or self.pm.has_plugin(ep.name):
                continue
            self._load(ep)

    def _load(self, ep: EntryPoint) -> None:
        try:
            plugin = ep.load()
            self.pm.register(plugin, name=ep.name)
        except Exception as exc:
            if self.strict:
                raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
            self.failed[ep.name] = f"{type(exc).__name__}: {exc}"
            log.warning(
                "plugin skipped: it failed to load",
                plugin=ep.name,
                target=ep.value,
                error=repr(exc),
                hint="fix or uninstall it, or set FACTFOLD_DISABLE_PLUGINS="
                f"{ep.name}; FACTFOLD_STRICT_PLUGINS=1 makes this an error",
            )
            return
        if ep.dist is not None:
            self._dists[ep.name] = (ep.dist.name, ep.dist.version)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object or module directly (tests, scripts)."""
        self.pm.register(plugin, name=name)
        self._extractors = None
        self._readers = None

    def _skip(self, plugin: str, problem: str) -> None:
        """Leave out something a plugin registered: a warning, or an error in strict mode."""
        if self.strict:
            raise PluginError(f"plugin {plugin!r}: {problem}")
        if problem not in self.problems.setdefault(plugin, []):
            self.problems[plugin].append(problem)
            log.warning("plugin problem; skipping what it concerns", plugin=plugin,
                        problem=problem, hint="fix or update the plugin, or set "
                        f"FACTFOLD_DISABLE_PLUGINS={plugin}; FACTFOLD_STRICT_PLUGINS=1 makes "
                        "this an error")

    def _collect(self, hook_name: str) -> list[tuple[str, tuple, dict]]:
        """Call a ``register``-style hook; returns (plugin name, args, kwargs) per call.

        Each implementation is called on its own, so a registration is known by its plugin
        and one that raises loses only its own registrations.
        """
        calls: list[tuple[str, tuple, dict]] = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            mine: list[tuple[str, tuple, dict]] = []

            def register(*args: Any, _plugin: str = impl.plugin_name,
                         _into: list = mine, **kwargs: Any) -> None:
                _into.append((_plugin, args, kwargs))

            if self.tracing:
                log.info("hook call", hook=hook_name, plugins=[impl.plugin_name])
            try:
                impl.function(**({"register": register} if impl.argnames else {}))
            except Exception as exc:
                self._skip(impl.plugin_name, f"{hook_name} raised {type(exc).__name__}: {exc}")
                continue
            calls += mine
        return calls

    def extractors(self) -> list[Extractor]:
        """Every registered extractor; names must be unique."""
        if self._extractors is None:
            found: dict[str, Extractor] = {}
            for plugin, args, _ in self._collect("factfold_register_extractors"):
                for ex in args:
                    if not isinstance(ex, Extractor):
                        self._skip(plugin, f"registered {ex!r}; register factfold.Extractor "
                                   "objects")
                        continue
                    bad = [c for c in ex.emits if not hasattr(c, "__event_type__")]
                    if bad:
                        self._skip(plugin, f"extractor {ex.name!r} emits {bad!r}, which are not "
                                   "event types: decorate them with @factfold.event_type")
                        continue
                    if ex.name in found:
                        raise PluginError(f"two plugins register an extractor named {ex.name!r}")
                    found[ex.name] = ex
                    self._owner[ex.name] = plugin
            self._extractors = list(found.values())
        return self._extractors

    def readers(self) -> list[Reader]:
        """Core's plain-text reader, then every registered reader; names must be unique."""
        if self._readers is None:
            found: dict[str, Reader] = {PLAIN_TEXT.name: PLAIN_TEXT}
            for plugin, args, _ in self._collect("factfold_register_readers"):
                for reader in args:
                    if not isinstance(reader, Reader):
                        self._skip(plugin, f"registered {reader!r}; register factfold.Reader "
                                   "objects")
                        continue
                    if reader.name in found:
                        first = self._owner.get(f"reader:{reader.name}", "factfold itself")
                        raise PluginError(f"two readers are named {reader.name!r}: plugin "
                                          f"{plugin!r}'s and {first!r}'s")
                    found[reader.name] = reader
                    self._owner[f"reader:{reader.name}"] = plugin
            self._readers = list(found.values())
        return self._readers

    def event_registry(self) -> EventRegistry:
        """Built-in event types plus every type the plugins declare, with upcasters."""
        registry = EventRegistry(BUILTIN_TYPES)
        for plugin, args, kwargs in self._collect("factfold_register_event_types"):
            for cls in args:
                if not hasattr(cls, "__event_type__"):
                    self._skip(plugin, f"registered {cls!r} as an event type; decorate it "
                               "with @factfold.event_type")
                    continue
                registry.add(cls)
                for version, fn in (kwargs.get("upcasters") or {}).items():
                    registry.add_upcaster(cls.__event_type__, version, fn)
        for ex in self.extractors():
            for cls in ex.emits:
                if cls.__event_type__ not in registry:
                    registry.add(cls)
        return registry

    def projections(self) -> list[Projection]:
        out = []
        for plugin, args, _ in self._collect("factfold_register_projections"):
            for p in args:
                if not isinstance(p, Projection):
                    self._skip(plugin, f"registered {p!r}, not a Projection")
                    continue
                out.append(p)
        return out

    def describe(self) -> list[dict[str, Any]]:
        """One entry per plugin: for ``factfold plugins``."""
        by_plugin: dict[str, list[str]] = {}
        for ex in self.extractors():
            by_plugin.setdefault(self._owner[ex.name], []).append(ex.ref)
        readers: dict[str, list[str]] = {}
        for reader in self.readers()[1:]:  # core's plain text belongs to no plugin
            readers.setdefault(self._owner[f"reader:{reader.name}"], []).append(reader.ref)
        out = []
        for name, plugin in self.pm.list_name_plugin():
            dist, version = self._dists.get(name, (None, None))
            hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
            out.append({"name": name, "package": dist, "version": version,
                        "extractors": by_plugin.get(name, []),
                        "readers": readers.get(name, []), "hooks": hooks,
                        "status": "; ".join(["loaded", *self.problems.get(name, [])])})
        for name, error in self.failed.items():
            out.append({"name": name, "package": None, "version": None, "extractors": [],
                        "readers": [], "hooks": [], "status": f"failed: {error}"})
        return out
