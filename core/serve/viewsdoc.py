"""What docs/views.md says about the tables: descriptions and example queries, read from it.

docs/views.md is the tables' public contract, written for people; ``factfold serve`` shows
its words beside the tables (Datasette's table and column descriptions) and serves its
example queries as canned queries, so that what a person reads there and what they browse
cannot drift apart.  The page is read by its structure, which the contract keeps:

- a heading that names tables in backticks, ``### `people` — one row per …``, describes the
  one table it names with the words after the dash;
- a paragraph holding a table's signature, `` `meetings(fact_id, …)`: `date` is … ``, or
  starting with a name and a dash, ``**`search`** — the facts' evidence …``, describes
  that table with the words after it;
- in a section that names tables, a sentence opening with column names in backticks,
  `` `title` and `organization` are NULL when … ``, describes those columns of its tables;
- a ``| column | type | meaning |`` table lists columns of the tables its section names; in
  a section that names none (``## Fact tables``) it lists the columns every fact table has;
- a paragraph opening with **bold words** right before an ``sql`` code block is a query,
  titled by the bold words.
"""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path

import attrs
from markdown_it import MarkdownIt
from markdown_it.token import Token

#: where the page is: the source tree's docs/, or where a wheel installs it (data-files)
CANDIDATES = (
    Path(__file__).resolve().parents[2] / "docs" / "views.md",
    Path(sysconfig.get_path("data")) / "share" / "factfold" / "views.md",
)

_CODE = re.compile(r"`([^`]+)`")
_SIGNATURE = re.compile(r"`(\w+)\([^`]*\)`\**:\s+(.+?)(?=\s+\**`\w+\([^`]*\)`\**:|\Z)", re.S)
_SIGNATURE_ONLY = re.compile(r"\**`\w+\([^`]*\)`\**:\s*")
_SENTENCE_END = re.compile(r"(?<=\.)\s+")
_LEADING_NAMES = re.compile(r"^((?:`\w+`(?:,\s*|\s+and\s+)?)+)\s")
_NAMED = re.compile(r"^\**`(\w+)`\**\s+—\s+(.+)", re.S)
_BOLD_TITLE = re.compile(r"^\*\*(.+?)\*\*\s*(.*)$", re.S)


def plain(markdown: str) -> str:
    """Inline markdown as plain text: code and emphasis marks dropped, lines joined."""
    text = _CODE.sub(r"\1", markdown).replace("**", "")
    return " ".join(text.split())


@attrs.frozen
class Query:
    title: str
    description: str
    sql: str


@attrs.define
class ViewsDoc:
    """The descriptions and queries of docs/views.md (empty if the page is not found)."""

    tables: dict[str, str] = attrs.field(factory=dict)
    #: table -> column -> meaning
    columns: dict[str, dict[str, str]] = attrs.field(factory=dict)
    #: column -> meaning, for every fact table
    fact_columns: dict[str, str] = attrs.field(factory=dict)
    queries: list[Query] = attrs.field(factory=list)

    @classmethod
    def load(cls) -> ViewsDoc:
        for path in CANDIDATES:
            if path.is_file():
                return cls.parse(path.read_text(encoding="utf-8"))
        return cls()

    @classmethod
    def parse(cls, markdown: str) -> ViewsDoc:
        doc = cls()
        tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
        named: list[str] = []  # the tables the current section names
        for i, token in enumerate(tokens):
            if token.type == "heading_open" and token.tag in ("h2", "h3"):
                heading = tokens[i + 1].content
                named = _CODE.findall(heading.split(" — ")[0])
                if len(named) == 1 and " — " in heading:
                    doc.tables.setdefault(named[0], plain(heading.split(" — ", 1)[1]))
            elif token.type == "table_open":
                cells = _table(tokens, i)
                if cells and [c.lower() for c in cells[0][:3]] == ["column", "type", "meaning"]:
                    targets = [doc.columns.setdefault(t, {}) for t in named] or [
                        doc.fact_columns]
                    for row in cells[1:]:
                        for column in _CODE.findall(row[0]):
                            for target in targets:
                                target[column] = plain(row[2])
            elif token.type == "inline" and tokens[i - 1].type == "paragraph_open":
                doc._paragraph(token.content, tokens[i + 2] if i + 2 < len(tokens) else None)
                doc._column_sentences(token.content, named)
        return doc

    def _paragraph(self, text: str, after: Token | None) -> None:
        for match in (*_SIGNATURE.finditer(text), *_NAMED.finditer(text)):
            self.tables.setdefault(match.group(1), plain(match.group(2)))
        title = _BOLD_TITLE.match(text)
        if title and after is not None and after.type == "fence" and after.info.strip() == "sql":
            rest = plain(title.group(2)).rstrip(":").strip()
            if rest.startswith("(") and rest.endswith(")"):
                rest = rest[1:-1]
            self.queries.append(Query(plain(title.group(1)), rest, after.content.strip()))


    def _column_sentences(self, text: str, tables: list[str]) -> None:
        for sentence in _SENTENCE_END.split(_SIGNATURE_ONLY.sub("", text)):
            names = _LEADING_NAMES.match(sentence)
            for column in _CODE.findall(names.group(1)) if names else ():
                for table in tables:
                    self.columns.setdefault(table, {}).setdefault(column, plain(sentence))


def _table(tokens: list[Token], start: int) -> list[list[str]]:
    """The rows of the markdown table opening at ``tokens[start]``, each a list of cells'
    inline markdown, the header first."""
    rows: list[list[str]] = []
    for token in tokens[start + 1:]:
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(token.content)
    return rows
