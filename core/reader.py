"""What a plugin registers to turn a file's bytes into text: a named, versioned function.

A reader says which files it claims — by their content (``sniff``), by their name (``suffixes``,
``media_types``), or as the ``fallback`` for files nothing else claims — and ``read`` turns
the bytes into the text extractors see and fact spans point into.  The store keeps that text
in the log, so re-extracting never needs the file or the reader again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from attrs import field, frozen


class Unreadable(ValueError):
    """A reader cannot make text of a file; the message says why and what to do.

    Raise it from ``read`` for a file that is damaged, encrypted or has no text (a scanned
    PDF): the file is rejected with the message as its reason.  Any other exception is
    recorded as the reader failing.
    """


@frozen(kw_only=True)
class Text:
    """What a reader made of a file, when it has more to say than the text itself.

    ``encoding`` is the character encoding the bytes were decoded from, where that means
    something (plain text, HTML); ``title`` the document's own title, if it states one.
    """

    text: str
    title: str | None = None
    encoding: str | None = None


def _suffixes(values: Iterable[str]) -> tuple[str, ...]:
    # Compared with a lowercased name: "report.PDF" is a PDF too.
    return tuple(v.lower() if v.startswith(".") else f".{v.lower()}" for v in values)


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@frozen(kw_only=True)
class Reader:
    """A reader: ``read(data, name)`` returns the text of a file (a ``str`` or a :class:`Text`).

    ``format`` is what the store records for documents it read (``html``, ``pdf``, ...).
    Which reader reads a file: first the readers whose ``sniff(data)`` is true (content
    decides: a ``.txt`` that holds an HTML page is read as HTML), then those claiming its
    suffix or its media type (guessed from the name), then the ``fallback``; among several,
    the highest ``priority``, then the first name.  A ``sniff`` runs on every file, with no
    time limit: it must look only at the first bytes it needs.  ``timeout`` is the most
    seconds ``read`` may take over one file.
    """

    name: str
    version: str
    format: str
    read: Callable[[bytes, str], str | Text]
    suffixes: tuple[str, ...] = field(default=(), converter=_suffixes)
    media_types: tuple[str, ...] = field(default=(), converter=_strings)
    sniff: Callable[[bytes], bool] | None = None
    fallback: bool = False
    priority: int = 0
    timeout: float = 30.0

    @property
    def ref(self) -> str:
        """``name@version``, as recorded with every document it read."""
        return f"{self.name}@{self.version}"
