"""The export contract's records computed from the log alone, without the views: what
``factfold export`` printed when the views kept each fact's stored payload (the release
before the typed tables), so a test can pin that the typed tables give back the same."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import attrs
import msgspec

from factfold.events import (
    DocumentAdded,
    DocumentLinked,
    DocumentMoved,
    DocumentRejected,
    DocumentRemoved,
    DocumentSuperseded,
    Envelope,
    ExtractionCompleted,
    ExtractionFailed,
    Fact,
)
from factfold.events.codec import encode_payload

_PROVENANCE = ("doc_id", "extractor", "span", "evidence")


def _fields(fact: Fact) -> dict[str, Any]:
    """The fact's fields after its provenance, as the payload-keeping views printed them:
    the payload (or provenance + attributes() for a class overriding it) through msgpack,
    the class's own fields first in their order, then the rest."""
    cls = type(fact)
    if cls.attributes is Fact.attributes:
        stored = msgspec.msgpack.decode(encode_payload(fact))
    else:
        stored = msgspec.msgpack.decode(encode_payload(
            {**fact.attributes(), "confidence": fact.confidence}))
    own = [f.name for f in attrs.fields(cls) if f.name not in (*_PROVENANCE, "confidence")]
    ordered = {name: stored.pop(name) for name in own if name in stored}
    ordered.update({k: v for k, v in stored.items() if k not in _PROVENANCE})
    return ordered


def expected_export(envelopes: Iterable[Envelope]) -> list[str]:
    """Each current fact's export record, as a JSON line, in log order."""
    paths: dict[str, tuple[str, int]] = {}  # path -> (doc_id, since)
    pending: list[tuple[int, Fact]] = []
    runs: dict[tuple[str, str], list[tuple[int, Fact]]] = {}
    for env in envelopes:
        e, pos = env.payload, env.position
        if isinstance(e, Fact):
            pending.append((pos, e))
        elif isinstance(e, ExtractionCompleted | ExtractionFailed):
            runs[(e.doc_id, e.extractor)] = pending
            pending = []
        elif isinstance(e, DocumentAdded | DocumentLinked):
            paths[e.path] = (e.doc_id, pos)
        elif isinstance(e, DocumentSuperseded):
            paths[e.path] = (e.new_doc_id, pos)
        elif isinstance(e, DocumentMoved):
            paths.pop(e.old_path, None)
            paths[e.new_path] = (e.doc_id, pos)
        elif isinstance(e, DocumentRemoved | DocumentRejected):
            paths.pop(e.path, None)
    first_path: dict[str, tuple[int, str]] = {}
    for path, (doc_id, since) in paths.items():
        if doc_id not in first_path or since < first_path[doc_id][0]:
            first_path[doc_id] = (since, path)
    facts = sorted((p, f) for run in runs.values() for p, f in run
                   if f.doc_id in first_path)
    return [json.dumps({"kind": f.kind, "source": first_path[f.doc_id][1], "doc_id": f.doc_id,
                        "extractor": f.extractor, "span": list(f.span),
                        "evidence": f.evidence, **_fields(f)}, ensure_ascii=False)
            for _, f in facts]
