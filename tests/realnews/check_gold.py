"""Check a real-news gold file: its shape, and that every copied string occurs in its text.

The guidelines (tests/gold/GUIDELINES.md) ask that names, titles, bodies and statistic spans be
copied from the document, so a string the text does not contain is either a typo in the gold
or a deliberate exception (a name broken by the page's hard line wrap, a normalised form); this
script lists them so an adjudicator can see each one. The texts are other people's writing and
are not in git: point --texts at the folder that holds them.

    python tests/realnews/check_gold.py            # the adjudicated gold.json and sources.json
    python tests/realnews/check_gold.py tests/realnews/parts/zh-a.gold.json \
        --texts tests/realnews/texts --sources tests/realnews/parts/zh.sources.json

Exit status: 0 shape valid (span exceptions are listed, not fatal unless --strict),
1 shape errors or (with --strict) span exceptions or checksum mismatches, 2 usage errors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

KINDS = ("people", "meetings", "agreements", "statistics")
APPROX = (None, "more_than", "about", "at_least")
# ISO 8601 as the guidelines use it: full date, year-month, year, --MM-DD or --MM.
HERE = Path(__file__).resolve().parent
DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}(-\d{2})?)$")


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _check_role(where: str, role: object) -> Iterator[str]:
    if not isinstance(role, dict):
        yield f"{where}: a role must be an object"
        return
    if not isinstance(role.get("title"), str) or not role["title"]:
        yield f"{where}: role title must be a non-empty string"
    if role.get("organization") is not None and not isinstance(role["organization"], str):
        yield f"{where}: role organization must be a string or null"
    extra = set(role) - {"title", "organization", "alt"}
    if extra:
        yield f"{where}: unknown role keys {sorted(extra)}"
    for i, alt in enumerate(role.get("alt", [])):
        if "alt" in alt:
            yield f"{where}.alt[{i}]: an alt form cannot have its own alt"
        yield from _check_role(f"{where}.alt[{i}]", alt)


def _check_item(where: str, kind: str, item: dict) -> Iterator[str]:
    if not isinstance(item.get("optional"), bool):
        yield f"{where}: optional must be true or false"
    if kind != "statistics" and not _is_str_list(item.get("aliases")):
        yield f"{where}: aliases must be a list of non-empty strings"
    if kind == "people":
        if not isinstance(item.get("name"), str) or not item["name"]:
            yield f"{where}: name must be a non-empty string"
        roles = item.get("roles")
        if not isinstance(roles, list):
            yield f"{where}: roles must be a list"
        else:
            for i, role in enumerate(roles):
                yield from _check_role(f"{where}.roles[{i}]", role)
    elif kind in ("meetings", "agreements"):
        key = "name" if kind == "meetings" else "title"
        if not isinstance(item.get(key), str) or not item[key]:
            yield f"{where}: {key} must be a non-empty string"
        date = item.get("date")
        if date is not None and not (isinstance(date, str) and DATE.match(date)):
            yield f"{where}: date {date!r} is not ISO 8601 as the guidelines use it"
        if kind == "meetings":
            if item.get("location") is not None and not isinstance(item["location"], str):
                yield f"{where}: location must be a string or null"
            if not _is_str_list(item.get("organizers")):
                yield f"{where}: organizers must be a list of non-empty strings"
        else:
            if not _is_str_list(item.get("parties")):
                yield f"{where}: parties must be a list of non-empty strings"
            if "term" in item and not isinstance(item["term"], str):
                yield f"{where}: term must be a string"
    else:
        if isinstance(item.get("value"), bool) or not isinstance(item.get("value"), int | float):
            yield f"{where}: value must be a number"
        # The key is required; null says the text gives the number bare ("of which 122").
        if "unit" not in item or not (item["unit"] is None or (isinstance(item["unit"], str)
                                      and item["unit"])):
            yield f"{where}: unit must be a non-empty string or null"
        if not isinstance(item.get("text"), str) or not item["text"]:
            yield f"{where}: text must be a non-empty string"
        if item.get("approx") not in APPROX:
            yield f"{where}: approx must be one of {APPROX}"


def shape_errors(gold: object) -> list[str]:
    """Every way the gold departs from the format of tests/gold/seeds.json."""
    if not isinstance(gold, dict) or gold.get("version") != 1:
        return ["top level must be an object with version 1"]
    documents = gold.get("documents")
    if not isinstance(documents, dict):
        return ["documents must be an object keyed by file name"]
    errors: list[str] = []
    for name, doc in documents.items():
        if not isinstance(doc, dict) or set(doc) != set(KINDS):
            errors.append(f"{name}: must have exactly the keys {KINDS}")
            continue
        for kind in KINDS:
            if not isinstance(doc[kind], list):
                errors.append(f"{name}.{kind}: must be a list")
                continue
            for i, item in enumerate(doc[kind]):
                where = f"{name}.{kind}[{i}]"
                if not isinstance(item, dict):
                    errors.append(f"{where}: must be an object")
                    continue
                errors.extend(_check_item(where, kind, item))
    return errors


def _role_strings(where: str, role: dict) -> Iterator[tuple[str, str]]:
    yield f"{where}.title", role["title"]
    if role.get("organization"):
        yield f"{where}.organization", role["organization"]
    for i, alt in enumerate(role.get("alt", [])):
        yield from _role_strings(f"{where}.alt[{i}]", alt)


def copied_strings(doc: dict) -> Iterator[tuple[str, str]]:
    """(where, string) for every string the guidelines say is copied from the text."""
    for i, person in enumerate(doc["people"]):
        where = f"people[{i}] {person['name']}"
        yield f"{where}.name", person["name"]
        for alias in person["aliases"]:
            yield f"{where}.alias", alias
        for j, role in enumerate(person["roles"]):
            yield from _role_strings(f"{where}.roles[{j}]", role)
    for i, meeting in enumerate(doc["meetings"]):
        where = f"meetings[{i}]"
        yield f"{where}.name", meeting["name"]
        for alias in meeting["aliases"]:
            yield f"{where}.alias", alias
        if meeting.get("location"):
            yield f"{where}.location", meeting["location"]
        for org in meeting["organizers"]:
            yield f"{where}.organizer", org
    for i, agreement in enumerate(doc["agreements"]):
        where = f"agreements[{i}]"
        yield f"{where}.title", agreement["title"]
        for alias in agreement["aliases"]:
            yield f"{where}.alias", alias
        for party in agreement["parties"]:
            yield f"{where}.party", party
    for i, stat in enumerate(doc["statistics"]):
        yield f"statistics[{i}].text", stat["text"]


def span_exceptions(doc: dict, text: str) -> Iterator[str]:
    """Copied strings not found verbatim in text, saying whether a line break explains it."""
    unwrapped = re.sub(r"\s*\n\s*", "", text)
    for where, value in copied_strings(doc):
        if value in text:
            continue
        if value in unwrapped:
            yield f"{where}: {value!r} occurs only across a line break"
        else:
            yield f"{where}: {value!r} not in the text"


def _load_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SystemExit(f"error: cannot read {path}: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, nargs="*", default=[HERE / "gold.json"],
                        help="gold JSON file(s) (default: the adjudicated gold.json)")
    parser.add_argument("--texts", type=Path, default=HERE / "texts",
                        help="folder holding the document texts (not in git)")
    parser.add_argument("--sources", type=Path, default=HERE / "sources.json",
                        help="sources JSON (a list) whose sha256 to verify "
                             "(default: the merged sources.json)")
    parser.add_argument("--strict", action="store_true", help="span exceptions fail the check")
    args = parser.parse_args(argv)
    if not args.texts.is_dir():
        print(f"error: no texts folder {args.texts}; see tests/realnews sources for the urls",
              file=sys.stderr)
        return 2
    try:
        golds = [(path, _load_json(path)) for path in args.gold]
        sources = _load_json(args.sources) if args.sources.exists() else []
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2

    failed = False
    for path, gold in golds:
        errors = shape_errors(gold)
        for error in errors:
            print(f"{path}: SHAPE {error}")
        failed |= bool(errors)
        if errors:
            continue
        counts = dict.fromkeys(KINDS, 0)
        exceptions = 0
        for name, doc in gold["documents"].items():
            for kind in KINDS:
                counts[kind] += len(doc[kind])
            text_path = args.texts / name
            if not text_path.is_file():
                print(f"{path}: MISSING text {text_path}")
                failed = True
                continue
            text = text_path.read_text(encoding="utf-8")
            for exception in span_exceptions(doc, text):
                print(f"{name}: SPAN {exception}")
                exceptions += 1
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        print(f"{path}: {len(gold['documents'])} documents, {summary}; "
              f"{exceptions} span exception(s)")
        failed |= args.strict and exceptions > 0
    sourced = {source.get("file") for source in sources if isinstance(source, dict)}
    if sources and (not isinstance(sources, list) or len(sourced) != len(sources)):
        print(f"{args.sources}: SOURCES must be a list of objects with distinct 'file'")
        failed = True
    for path, gold in golds:
        for name in sorted(set(gold.get("documents", {})) - sourced if sources else ()):
            print(f"{path}: {name} has no entry in {args.sources}")
            failed = True
    for source in sources:
        text_path = args.texts / source["file"]
        if not text_path.is_file():
            continue
        data = text_path.read_bytes()
        if hashlib.sha256(data).hexdigest() != source["sha256"]:
            print(f"{source['file']}: CHECKSUM differs from the sources file (edited copy?)")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
