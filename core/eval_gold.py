"""The gold format of ``factfold eval``: reading and checking a gold file, and a gold
file's items as export records (to score one annotator's gold against another's).

The format and the annotation guidelines are described in ``GUIDELINES.md`` next to the
seed gold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: record ``kind`` -> the gold file's key for that kind.
KINDS: dict[str, str] = {
    "person": "people",
    "meeting": "meetings",
    "agreement": "agreements",
    "statistic": "statistics",
}

_REQUIRED_FIELDS = {
    "people": ("name",),
    "meetings": ("name",),
    "agreements": ("title",),
    "statistics": ("value", "unit", "text"),
}
_NULLABLE_FIELDS = frozenset({"unit"})


class GoldError(ValueError):
    """The gold file is missing, is not JSON, or does not follow the gold format."""


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read and check a gold file, so a typo in hand-written gold fails loudly, not as 0 F1.

    Returns the parsed dict unchanged (``{"version": 1, "documents": {...}}``).
    """
    path = Path(path)
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GoldError(f"{path}: cannot read gold file: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: not valid UTF-8 JSON: {exc}") from exc
    documents = gold.get("documents") if isinstance(gold, dict) else None
    if not isinstance(documents, dict):
        raise GoldError(f"{path}: expected an object with a 'documents' object")
    for doc, kinds in documents.items():
        if not isinstance(kinds, dict):
            raise GoldError(f"{path}: documents[{doc!r}] must be an object")
        for kind, items in kinds.items():
            where = f"{path}: documents[{doc!r}].{kind}"
            if kind not in _REQUIRED_FIELDS:
                raise GoldError(f"{where}: unknown kind (expected {', '.join(_REQUIRED_FIELDS)})")
            if not isinstance(items, list):
                raise GoldError(f"{where}: must be a list")
            for i, item in enumerate(items):
                _check_item(f"{where}[{i}]", kind, item)
    return gold


def _check_item(where: str, kind: str, item: Any) -> None:
    if not isinstance(item, dict):
        raise GoldError(f"{where}: must be an object")
    for name in _REQUIRED_FIELDS[kind]:
        # A statistic's unit is required as a key but may be null: a bare number has none.
        if name not in item or (item[name] is None and name not in _NULLABLE_FIELDS):
            raise GoldError(f"{where}: missing {name!r}")
    if kind == "statistics" and not isinstance(item["value"], int | float):
        raise GoldError(f"{where}: 'value' must be a number")
    for role in item.get("roles", ()):
        if not isinstance(role, dict) or not role.get("title"):
            raise GoldError(f"{where}: every role needs a 'title'")


def records_of(gold: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A gold file's items as export records (one per person and role), so one annotator's
    gold can be scored against another's: inter-annotator agreement is :func:`score` of
    the one with the other's records."""
    records: list[dict[str, Any]] = []
    for doc, kinds in gold["documents"].items():
        for p in kinds.get("people", []):
            for r in p.get("roles") or [{"title": None, "organization": None}]:
                records.append({"kind": "person", "source": doc, "name": p["name"],
                                "aliases": p.get("aliases", []), "title": r["title"],
                                "organization": r.get("organization")})
        records += [{"kind": "meeting", "source": doc, **m} for m in kinds.get("meetings", [])]
        records += [{"kind": "agreement", "source": doc, **a}
                    for a in kinds.get("agreements", [])]
        records += [{"kind": "statistic", "source": doc, **s}
                    for s in kinds.get("statistics", [])]
    return records
