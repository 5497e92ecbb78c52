"""Text from the drop folder, made safe to show a person.

File names and extracted text are hostile: a name can hold bytes that are not UTF-8, a
newline that splits a printed line, or escape sequences that a terminal obeys (set the
window title, move the cursor, rewrite what is on screen; bidi overrides reorder what is
read).  Everything that shows such text on a terminal — logs, printed facts, tables, the
status panel, error lines — passes it through :func:`printable`.  Where rich renders it,
it also goes in as ``Text`` (never a markup string), so ``[`` in a name stays a bracket.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: C0 controls (tab and newline too: a name holding them splits or shifts a line), DEL,
#: C1 controls (8-bit CSI and OSC among them), and the Unicode bidi and line-separator
#: controls, which reorder or break what is displayed
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                       "\u2066-\u2069]")


def store_name(path: str) -> str:
    """The path as the store records it: always text that encodes to UTF-8.

    A file name that is not valid UTF-8 (os gives it with surrogate escapes) is recorded
    with each undecodable byte as ``\\xNN``; :func:`factfold.dropfolder.disk_path` turns
    it back.  A valid name is recorded as it is.
    """
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no undecodable byte made
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` as one line that is safe on a terminal: undecodable bytes and control
    characters shown as ``\\xNN`` / ``\\uNNNN`` escapes, everything else as it is."""
    return _CONTROLS.sub(_escape, store_name(text))


#: what JSON leaves raw that a terminal may obey or that cannot be written as UTF-8
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                       "\ud800-\udfff]")


def json_line(value: Any, indent: int | None = None) -> str:
    """``value`` as JSON for a terminal (one line unless ``indent``): the same value as
    ``json.dumps`` gives, text kept readable, and the characters JSON would leave raw (DEL,
    C1 and bidi controls, lone surrogates) written as ``\\uNNNN`` escapes.  JSON escapes C0
    itself."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}",
                         json.dumps(value, ensure_ascii=False, indent=indent))
