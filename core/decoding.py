"""Turning a file's bytes into text, or a reason why not.

Byte-order marks decide first (UTF-8, UTF-16 LE/BE); then strict UTF-8; then UTF-16
without a BOM (accepted when it reads as ordinary prose); then charset-normalizer's best
guess among the legacy encodings news arrives in, where GBK and GB2312 are read as their
superset GB18030.  Anything that decodes only to
control characters, or not at all, is rejected with a reason the user can act on.
"""

from __future__ import annotations

import codecs

import charset_normalizer
from attrs import frozen

from .reader import Unreadable

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "ascii": "utf-8"}
#: legacy encodings worth guessing for Chinese and English news
LEGACY = ["big5", "cp1252", "latin_1"]
#: share of ordinary prose characters a guessed decoding must reach
PLAUSIBLE = 0.9
#: share of characters that may be control characters before a text counts as binary
MAX_CONTROL_SHARE = 0.02


@frozen
class Decoded:
    text: str
    encoding: str


class Undecodable(Unreadable):
    """The bytes are not text factfold can read; the message says why and what to do."""


def control_share(text: str) -> float:
    """Share of control characters (and replacement characters) in the first 20k."""
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ch < " " and ch not in "\n\r\t\f\v") or ch == "\ufffd")
    return bad / len(sample)


def _checked(text: str, encoding: str) -> Decoded:
    if control_share(text) > MAX_CONTROL_SHARE:
        raise Undecodable(
            f"looks binary (decoding as {encoding} gives control characters); "
            "only text files can be ingested"
        )
    return Decoded(text, encoding)


def _plausible_share(text: str) -> float:
    """Share of characters that ordinary Chinese or English prose is made of."""
    if not text:
        return 0.0
    sample = text[:20000]
    good = sum(
        1
        for ch in sample
        if " " <= ch <= "~" or ch in "\n\r\t" or "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2000" <= ch <= "\u206f"
        or "\u00a0" <= ch <= "\u024f"
    )
    return good / len(sample)


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 text saved without a byte-order mark, if the bytes read plausibly as one.

    ASCII characters put their zero byte second in little-endian and first in big-endian,
    which settles the byte order; text with no ASCII at all takes the better reading.
    """
    if len(data) % 2:
        return None
    zeros_even, zeros_odd = data[0::2].count(0), data[1::2].count(0)
    if zeros_even or zeros_odd:
        orders = ["utf-16-le"] if zeros_odd > zeros_even else ["utf-16-be"]
    else:
        orders = ["utf-16-le", "utf-16-be"]
    best: Decoded | None = None
    best_share = PLAUSIBLE
    for encoding in orders:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = _plausible_share(text)
        if share >= best_share:
            best, best_share = Decoded(text, encoding), share
    return best


def _legacy(data: bytes) -> Decoded | None:
    """GB18030 first (mainland news), then charset-normalizer's best legacy guess."""
    try:
        text = data.decode("gb18030")
        if _plausible_share(text) >= PLAUSIBLE:
            return Decoded(text, "gb18030")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=LEGACY).best()
    if best is None or not best.encoding:
        return None
    encoding = SUPERSETS.get(best.encoding.lower(), best.encoding.lower())
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return Decoded(text, encoding) if _plausible_share(text) >= PLAUSIBLE else None


def decode(data: bytes) -> Decoded:
    """Decode a file's bytes; raises :class:`Undecodable` with a reason."""
    if not data.strip():
        raise Undecodable("empty file (no text to extract from)")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise Undecodable(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(byte {exc.start}); re-save it as UTF-8"
                ) from None
    if b"\x00" not in data:
        try:
            return _checked(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError as exc:
            utf8_error = exc
    else:
        utf8_error = None
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if utf8_error is None:
        raise Undecodable("looks binary (contains NUL bytes); only text files can be ingested")
    legacy = _legacy(data)
    if legacy is not None:
        return _checked(legacy.text, legacy.encoding)
    raise Undecodable(
        f"undecodable: invalid UTF-8 at byte {utf8_error.start}, and not UTF-16 or a legacy "
        "Chinese or Western encoding (GB18030/GBK, Big5, Windows-1252); convert it to UTF-8"
    )
