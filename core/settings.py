"""A store's settings: choices its user makes once, kept in ``settings.json`` beside the log.

Unlike the views, they are not folded from the log, so a replay keeps them; unlike the
log, they are not history: a change replaces them.  Today one setting: which full-text
searches (:mod:`factfold.views.search`) the writer folds, ``factfold search on|off``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import attrs

from .durable import fsync_directory

FILE = "settings.json"


class SettingsError(ValueError):
    """``settings.json`` is not what factfold writes there."""


@attrs.frozen
class Settings:
    #: the full-text searches the views keep (``evidence``, ``documents``)
    search: frozenset[str] = frozenset()

    @classmethod
    def load(cls, store: Path) -> Settings:
        """The store's settings (the defaults if it has none)."""
        path = Path(store) / FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            raise SettingsError(f"{path} cannot be read ({exc}); fix or delete it") from exc
        search = data.get("search", []) if isinstance(data, dict) else None
        if not isinstance(search, list) or not all(isinstance(s, str) for s in search):
            raise SettingsError(f"{path}: 'search' must be a list of names; fix or delete it")
        return cls(frozenset(search))

    def save(self, store: Path) -> None:
        """Replace the store's settings at once: a crash leaves the old or the new file."""
        store = Path(store)
        text = json.dumps({"search": sorted(self.search)}, indent=2) + "\n"
        fd, temporary = tempfile.mkstemp(prefix=".settings-", dir=store)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, store / FILE)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        fsync_directory(store)
