"""The committed real-news gold and sources: well-formed and one source per gold document.

The texts are not in git, so these checks are the ones that can run anywhere; the span and
checksum checks of ``tests/realnews/check_gold.py`` need the texts (see tests/realnews/README.md).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from factfold.evaluation import load_gold, records_of, score

CORPUS = Path(__file__).resolve().parent / "realnews"
SOURCE_FIELDS = {"id", "file", "language", "url", "query", "title", "source_kind", "trimming",
                 "chars", "sha256"}


def _check_gold() -> Any:
    spec = importlib.util.spec_from_file_location("check_gold", CORPUS / "check_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gold_has_the_guidelines_shape_and_loads_for_eval() -> None:
    gold = json.loads((CORPUS / "gold.json").read_text(encoding="utf-8"))
    assert _check_gold().shape_errors(gold) == []
    loaded = load_gold(CORPUS / "gold.json")
    report = score(loaded, records_of(loaded))
    assert all(kind.counts.fn == 0 and kind.counts.fp == 0 for kind in report.kinds.values())


def test_every_gold_document_has_one_source_with_every_field() -> None:
    gold = json.loads((CORPUS / "gold.json").read_text(encoding="utf-8"))["documents"]
    sources = json.loads((CORPUS / "sources.json").read_text(encoding="utf-8"))
    assert isinstance(sources, list)
    files = [source["file"] for source in sources]
    assert sorted(files) == sorted(gold) and len(set(files)) == len(files)
    for source in sources:
        assert set(source) >= SOURCE_FIELDS, source["file"]
        assert source["language"] == source["file"][:2]
        assert len(source["sha256"]) == 64


def test_merged_sources_keep_every_field_of_both_halves() -> None:
    merged = {s["file"]: s for s in json.loads((CORPUS / "sources.json").read_text("utf-8"))}
    for half in ("zh.sources.json", "en.sources.json"):
        for source in json.loads((CORPUS / "parts" / half).read_text(encoding="utf-8")):
            assert merged[source["file"]] == source


def test_check_gold_flags_a_null_unit_key_missing_and_a_document_without_source(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check = _check_gold()
    stat = {"value": 3, "text": "3", "approx": None, "optional": False}
    doc = {"people": [], "meetings": [], "agreements": [], "statistics": [stat]}
    assert check.shape_errors({"version": 1, "documents": {"a.txt": doc}}) == [
        "a.txt.statistics[0]: unit must be a non-empty string or null"]
    stat["unit"] = None
    assert check.shape_errors({"version": 1, "documents": {"a.txt": doc}}) == []

    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("3", encoding="utf-8")
    gold_path, sources_path = tmp_path / "gold.json", tmp_path / "sources.json"
    gold_path.write_text(json.dumps({"version": 1, "documents": {"a.txt": doc}}), "utf-8")
    sources_path.write_text(json.dumps([{"file": "b.txt", "sha256": "0" * 64}]), "utf-8")
    assert check.main([str(gold_path), "--texts", str(texts),
                       "--sources", str(sources_path)]) == 1
    assert "a.txt has no entry" in capsys.readouterr().out
