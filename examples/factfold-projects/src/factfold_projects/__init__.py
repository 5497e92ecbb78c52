"""factfold-projects: a factfold plugin finding projects and programmes launched.

Everything factfold needs from this package is below: three hook implementations, found
through the ``projects`` entry point in the ``factfold`` group (see pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable

from factfold import Extractor, hookimpl

from .facts import ProjectLaunched
from .rules import find_launches
from .view import EXTRACTOR, ProjectsView

__version__ = "1.0.0"
#: part of every fact's provenance; bump it when the rules change what they find, then
#: `factfold reextract --plugin projects` brings stored documents up to date
EXTRACTOR_VERSION = "1.0.0"

__all__ = ["EXTRACTOR_VERSION", "ProjectLaunched", "ProjectsView", "find_launches"]


@hookimpl
def factfold_register_event_types(register: Callable[..., None]) -> None:
    register(ProjectLaunched)


@hookimpl
def factfold_register_extractors(register: Callable[[Extractor], None]) -> None:
    register(Extractor(name=EXTRACTOR, version=EXTRACTOR_VERSION, extract=find_launches,
                       emits=(ProjectLaunched,), timeout=10.0))


@hookimpl
def factfold_register_projections(register: Callable[..., None]) -> None:
    register(ProjectsView())
