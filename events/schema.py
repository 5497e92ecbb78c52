"""Event type names, schema versions and upcasters.

An event class is plain attrs data; :func:`event_type` only stamps it with the name and
schema version it is stored under.  The :class:`EventRegistry` maps names back to classes
when a log is read, and runs upcasters so that a record written by an older release (an
older schema version) is read as the current class.  The registry is an object, not a
module global, so a store can hold exactly the types its plugins declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from attrs import frozen

T = TypeVar("T", bound=type)

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def event_type(name: str, version: int = 1) -> Callable[[T], T]:
    """Class decorator: store instances under ``name`` at schema ``version``.

    Bump ``version`` whenever a field is renamed, removed or changes meaning, and register
    an upcaster from the previous version (see :meth:`EventRegistry.add_upcaster`).
    """
    if version < 1:
        raise ValueError("schema versions start at 1")

    def stamp(cls: T) -> T:
        cls.__event_type__ = name  # type: ignore[attr-defined]
        cls.__schema_version__ = version  # type: ignore[attr-defined]
        return cls

    return stamp


def type_name(cls_or_obj: Any) -> str:
    """The stored name of an event class or instance."""
    try:
        return cls_or_obj.__event_type__
    except AttributeError:
        raise TypeError(
            f"{cls_or_obj!r} is not an event type: decorate its class with @event_type"
        ) from None


def schema_version(cls: Any) -> int:
    """The schema version an event class is stored at: :func:`event_type` stamps it on the
    class at run time, so a type checker cannot see it there."""
    return cls.__schema_version__


class UnknownEventType(LookupError):
    """A record names an event type no registered plugin declares."""


@frozen
class OpaqueEvent:
    """A stored event whose type no loaded plugin declares (its plugin was uninstalled).

    The log stays readable: views skip it, and once the plugin is installed again a
    ``replay`` reads it as its real class.
    """

    type: str
    version: int
    data: dict[str, Any]

    @property
    def __event_type__(self) -> str:
        return self.type


class EventRegistry:
    """Names to classes, plus the upcaster chains between schema versions."""

    def __init__(self, types: Iterable[type] = ()) -> None:
        self._types: dict[str, type[Any]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for cls in types:
            self.add(cls)

    def add(self, cls: type) -> None:
        name = type_name(cls)
        known = self._types.get(name)
        if known is not None and known is not cls:
            raise ValueError(f"event type {name!r} is declared twice: {known!r} and {cls!r}")
        self._types[name] = cls

    def add_upcaster(self, name: str, from_version: int, upcaster: Upcaster) -> None:
        """Register ``upcaster``: it turns a ``from_version`` payload into the next version."""
        self._upcasters[(name, from_version)] = upcaster

    def __contains__(self, name: str) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[type[Any]]:
        return iter(self._types.values())

    def get(self, name: str) -> type[Any]:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownEventType(
                f"the log holds events of type {name!r}, which no loaded plugin declares; "
                "install or enable the plugin that wrote them"
            ) from None

    def upcast(self, name: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
        """Bring a stored payload from ``version`` up to the class's current version."""
        current = self.get(name).__schema_version__
        while version < current:
            step = self._upcasters.get((name, version))
            if step is None:
                raise UnknownEventType(
                    f"no upcaster for {name!r} from schema version {version} to {version + 1}"
                )
            payload = step(payload)
            version += 1
        if version > current:
            raise UnknownEventType(
                f"{name!r} was written at schema version {version}, newer than this release "
                f"reads ({current}); upgrade factfold or the plugin that declares it"
            )
        return payload
