"""The fact type this plugin adds: a project or programme being launched."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from factfold import Fact, event_type


# The stored name is namespaced by the plugin ("projects.") so it cannot clash with another
# package's types.  Bump the version (and register an upcaster) if a field changes meaning.
@event_type("projects.launched", version=1)
@frozen(kw_only=True)
class ProjectLaunched(Fact):
    """``name`` was launched, by ``organization`` when the sentence says who."""

    kind: ClassVar[str] = "project"  # the export's "kind"; also `factfold query project`
    key_field: ClassVar[str | None] = "name"
    #: its typed table; "projects" is the name of this plugin's own view's table
    table: ClassVar[str | None] = "project_launches"

    name: str
    organization: str | None = None
