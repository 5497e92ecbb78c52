"""Reading a file: choosing its reader, then running it isolated, as extractors are.

Everything in a drop folder is hostile, and a reader is a plugin: one that raises, runs past
its time limit or returns something that is not text (a non-``str``, no text at all, control
characters) has the file rejected with a reason saying so; the ingest or the watch goes on.
Plain text is core's own reader (today's decoding, :mod:`factfold.decoding`), so a host with
no reader plugins (``FACTFOLD_PLUGINS`` leaving them out, a plugin's isolated tests) still
reads text files as factfold always has.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import structlog
from attrs import frozen

from .decoding import MAX_CONTROL_SHARE, control_share, decode
from .reader import Reader, Text, Unreadable

log = structlog.get_logger("factfold.reading")

T = TypeVar("T")

#: the most characters of a document's title that are kept
MAX_TITLE = 300
#: media types from names with Python's own table only, never the machine's mime.types:
#: the same file is read the same way on every machine
_MEDIA_TYPES = mimetypes.MimeTypes()


def _read_text(data: bytes, name: str) -> Text:
    decoded = decode(data)
    return Text(text=decoded.text, encoding=decoded.encoding)


#: the reader for plain text, and for files no other reader claims
PLAIN_TEXT = Reader(name="text", version="1", format="text", read=_read_text,
                    suffixes=(".txt", ".text"), media_types=("text/plain",), fallback=True,
                    priority=-1)


@frozen
class Read:
    """A file's text, as a document records it."""

    text: str
    encoding: str
    format: str
    reader: str
    title: str | None


class _TimedOut(Exception):
    pass


def _bounded(call: Callable[[], T], seconds: float) -> T:
    """``call()``, or :class:`_TimedOut` after ``seconds``.

    The one place readers run.  A thread cannot be killed: a hung reader's daemon thread is
    abandoned and its result ignored (``extraction.py`` does the same for extractors; when
    it moves to killable worker processes, this should follow).
    """
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=run, daemon=True, name="factfold-reader")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise _TimedOut
    if error:
        raise error[0]
    return result[0]


def _sniffs(reader: Reader, data: bytes) -> bool:
    try:
        return bool(reader.sniff(data))  # type: ignore[misc]
    except Exception as exc:
        log.warning("a reader's sniff raised; it does not claim the file", reader=reader.ref,
                    error=repr(exc))
        return False


def _best(readers: list[Reader]) -> Reader | None:
    return min(readers, key=lambda r: (-r.priority, r.name)) if readers else None


def choose(readers: Sequence[Reader], data: bytes, name: str) -> Reader | None:
    """The reader for a file: by its content, then by its name, then the fallback."""
    by_content = _best([r for r in readers if r.sniff is not None and _sniffs(r, data)])
    if by_content is not None:
        return by_content
    lowered = name.lower()
    media_type = _MEDIA_TYPES.guess_type(lowered)[0]
    by_name = _best([r for r in readers if lowered.endswith(r.suffixes)
                     or (media_type is not None and media_type in r.media_types)])
    return by_name or _best([r for r in readers if r.fallback])


def _checked(reader: Reader, out: object) -> Text:
    """The reader's output as a :class:`Text`, or :class:`Unreadable` saying what is wrong."""
    if isinstance(out, str):
        out = Text(text=out)
    if not isinstance(out, Text) or not isinstance(out.text, str):
        what = type(out.text if isinstance(out, Text) else out).__name__
        raise Unreadable(f"the {reader.ref} reader returned garbage: {what}, not text")
    if not all(v is None or isinstance(v, str) for v in (out.title, out.encoding)):
        raise Unreadable(f"the {reader.ref} reader returned garbage: a title or encoding "
                         "that is not text")
    if not out.text.strip():
        raise Unreadable(f"no text: the {reader.ref} reader found none in it")
    if control_share(out.text) > MAX_CONTROL_SHARE:
        raise Unreadable(f"the {reader.ref} reader returned garbage: control characters, "
                         "not text")
    return out


def read_file(readers: Sequence[Reader], data: bytes, name: str) -> Read:
    """The text of the file ``name`` holding ``data``; raises :class:`Unreadable` with the
    reason it cannot be taken in."""
    # Sniffs run inline: a thread per file would cost 15 times what reading a small text
    # file does (a 20,000-file burst), and a sniff is a look at a few bytes.
    reader = choose(readers, data, name)
    if reader is None:
        raise Unreadable("no installed reader claims this file (factfold plugins lists them)")
    try:
        # Core's own plain text is not a plugin: it needs no thread to be isolated in.
        out = (reader.read(data, name) if reader is PLAIN_TEXT
               else _bounded(lambda: reader.read(data, name), reader.timeout))
    except _TimedOut:
        raise Unreadable(f"the {reader.ref} reader took longer than its limit of "
                         f"{reader.timeout:g}s") from None
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable(f"the {reader.ref} reader failed: {type(exc).__name__}: "
                         f"{exc or 'no message'}") from exc
    text = _checked(reader, out)
    # A title is shown on one line, and a hostile page may make it any size.
    title = " ".join((text.title or "").split())[:MAX_TITLE] or None
    return Read(text=text.text, encoding=text.encoding or "", format=reader.format,
                reader=reader.ref, title=title)
