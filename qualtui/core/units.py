"""Text units — words, sentences, lines, paragraphs, turns — as exact code-point spans.

Used for selection, cursor motions and auto-coding ("code the hit's sentence"). Every span is
``(start, end)`` with ``0 <= start < end <= len(text)``, end exclusive, sorted, non-overlapping,
and trimmed: ``text[start:end] == text[start:end].strip()``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cached_property

import sentencex

from qualtui.core.models import Turn
from qualtui.core.text import detect_turns, word_spans

Span = tuple[int, int]

__all__ = [
    "KINDS",
    "Span",
    "TextUnits",
    "lines",
    "paragraphs",
    "sentences",
    "turn_spans",
    "unit_at",
    "units_overlapping",
    "words",
]

KINDS = ("word", "sentence", "line", "paragraph", "turn")

_BLANK_LINES = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)*\n")
_NON_SPACE = re.compile(r"\S")


def _trim(text: str, start: int, end: int) -> Span | None:
    """``(start, end)`` shrunk to exclude surrounding whitespace; ``None`` if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


# --------------------------------------------------------------------------- simple units


def paragraphs(text: str) -> list[Span]:
    """Blocks separated by one or more blank (empty or whitespace-only) lines, trimmed."""
    spans: list[Span] = []
    pos = 0
    for m in _BLANK_LINES.finditer(text):
        span = _trim(text, pos, m.start())
        if span:
            spans.append(span)
        pos = m.end()
    span = _trim(text, pos, len(text))
    if span:
        spans.append(span)
    return spans


def lines(text: str) -> list[Span]:
    """Each non-blank line, newline excluded and trimmed of surrounding whitespace."""
    spans: list[Span] = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        span = _trim(text, pos, nl)
        if span:
            spans.append(span)
        pos = nl + 1
    return spans


def words(text: str) -> list[Span]:
    """Words: runs of letters/digits (any script) joined by apostrophes or hyphens.

    Each CJK character is a word of its own; see :func:`qualtui.core.text.count_words`.
    """
    return word_spans(text)


def turn_spans(turns: Sequence[Turn], text: str) -> list[Span]:
    """The body of each turn (``body_start..end``), trimmed; turns with no body are left out."""
    spans: list[Span] = []
    n = len(text)
    for turn in turns:
        span = _trim(text, max(0, min(turn.body_start, n)), max(0, min(turn.end, n)))
        if span and (not spans or span[0] >= spans[-1][1]):
            spans.append(span)
    return spans


# --------------------------------------------------------------------------- sentences

# Words after which a full stop never ends a sentence (titles and address parts that are
# followed by a name or number in Malaysian transcripts).
_ALWAYS_JOIN = frozenset(
    "dr. mr. mrs. ms. prof. assoc. sdn. jln. hj. hjh. kg. tkt. lrg. tmn. bt. dtk. "
    "dato' dato’ datuk en. pn. sgt. insp. capt. lt. col. vs. cf.".split()
)
# Words after which a full stop is no sentence end if a number follows ("No. 5", "Tel. 03-").
_JOIN_IF_NUMBER = frozenset("no. tel. ext. fig. ref. approx. p. pp. vol. rm.".split())
# Words after which a full stop ends a sentence only if the next word is capitalised.
_JOIN_IF_LOWER = frozenset("e.g. i.e. etc. bhd. eg. ie. a.m. p.m. am. pm. al. ca.".split())
_OPENERS = "\"'“‘(["


def _last_token(piece: str) -> str:
    parts = piece.rsplit(None, 1)
    return parts[-1].lstrip(_OPENERS).casefold() if parts else ""


def _first_char(piece: str) -> str:
    stripped = piece.lstrip().lstrip(_OPENERS)
    return stripped[:1]


def _should_join(prev: str, nxt: str, touching: bool) -> bool:
    """Is the split between sentence pieces ``prev`` and ``nxt`` a false one?"""
    token = _last_token(prev)
    first = _first_char(nxt)
    if not first:
        return True
    if token in _ALWAYS_JOIN:
        return True
    if token in _JOIN_IF_NUMBER and (first.isdigit() or first in "(+"):
        return True
    if first.islower() and (token in _JOIN_IF_LOWER or re.fullmatch(r"(?:\w\.){2,}", token)):
        return True
    # A split inside a token: "1.5", "www.gov.my", "RM1.5".
    return touching and prev.rstrip()[-1:] in ".:" and first.isalnum()


_FALLBACK_SPLIT = re.compile(r"(?<=[.!?。！？؟])\s+")
_UNICODE_SPACE = re.compile(r"[^\S\x00-\x7f]")


def _segment(language: str, text: str) -> list[str]:
    """Sentence pieces of ``text`` (they concatenate back to it).

    sentencex 1.0 panics on a non-ASCII space before a full stop ("Z\u00a0."), so such spaces
    are swapped for ASCII ones (same length) before segmenting. Unknown language codes fall
    back to sentencex's generic rules. Should the Rust segmenter still fail (a pyo3
    ``PanicException`` is a ``BaseException``), a plain punctuation split is used.
    """
    safe = _UNICODE_SPACE.sub(" ", text)
    try:
        pieces = list(sentencex.segment(language or "en", safe))
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # noqa: BLE001 - PanicException from the Rust extension
        pieces = []
    if "".join(pieces) != safe:
        bounds = [0, *(m.end() for m in _FALLBACK_SPLIT.finditer(safe)), len(safe)]
        pieces = [safe[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    if safe is text:
        return pieces
    out: list[str] = []
    pos = 0
    for piece in pieces:  # map back to the original characters
        out.append(text[pos : pos + len(piece)])
        pos += len(piece)
    return out


def _sentences_in(text: str, start: int, end: int, language: str, out: list[Span]) -> None:
    """Append the sentences of ``text[start:end]`` (a paragraph or turn body) to ``out``."""
    region = text[start:end]
    pieces: list[Span] = []  # spans relative to region, untrimmed
    pos = 0
    for piece in _segment(language, region):
        pieces.append((pos, pos + len(piece)))
        pos += len(piece)
    if not pieces:
        pieces = [(0, len(region))]
    merged: list[Span] = []
    for a, b in pieces:
        if merged:
            pa, pb = merged[-1]
            touching = pb == a and not region[pb - 1 : pb].isspace()
            if _should_join(region[pa:pb], region[a:b], touching):
                merged[-1] = (pa, b)
                continue
        merged.append((a, b))
    for a, b in merged:
        span = _trim(text, start + a, start + b)
        if span:
            out.append(span)


def sentences(text: str, language: str = "en", turns: Sequence[Turn] | None = None) -> list[Span]:
    """Sentence spans found by ``sentencex`` and fixed up for Malaysian transcripts.

    A sentence never crosses a blank line or a turn start, and turns' sentences begin at the
    body (the ``Name:`` label is not part of any sentence). ``turns`` defaults to
    :func:`~qualtui.core.text.detect_turns`. False splits after ``Dr.``, ``Sdn. Bhd.``,
    ``Jln.``, ``No.``, ``Tel.``, ``Dato'``, ``Datuk``, inside numbers (``1.5``), and after
    ``e.g.``/``i.e.``/``etc.``/``Bhd.`` followed by a lower-case word are joined back.
    """
    if turns is None:
        turns = detect_turns(text)
    # Region boundaries: paragraph breaks, plus each turn's label excluded.
    cuts: list[Span] = []  # (cut_from, resume_at): text[cut_from:resume_at] is not sentence text
    for m in _BLANK_LINES.finditer(text):
        cuts.append(m.span())
    for turn in turns:
        if 0 <= turn.start <= turn.body_start <= len(text):
            cuts.append((turn.start, turn.body_start))
    cuts.sort()
    out: list[Span] = []
    pos = 0
    for cut_from, resume in cuts:
        if cut_from > pos:
            span = _trim(text, pos, cut_from)
            if span:
                _sentences_in(text, span[0], span[1], language, out)
        pos = max(pos, resume)
    span = _trim(text, pos, len(text))
    if span:
        _sentences_in(text, span[0], span[1], language, out)
    return out


# --------------------------------------------------------------------------- lookups


def unit_at(units: Sequence[Span], offset: int) -> Span | None:
    """The unit with ``start <= offset < end``, or ``None`` (offset in a gap)."""
    i = bisect_right(units, offset, key=lambda u: u[0]) - 1
    if i >= 0 and units[i][0] <= offset < units[i][1]:
        return units[i]
    return None


def units_overlapping(units: Sequence[Span], start: int, end: int) -> list[Span]:
    """Units sharing at least one character with ``[start, end)``.

    An empty range (``start == end``) gives the unit containing ``start``, if any.
    """
    if end <= start:
        hit = unit_at(units, start)
        return [hit] if hit else []
    i = bisect_right(units, start, key=lambda u: u[1])
    out: list[Span] = []
    while i < len(units) and units[i][0] < end:
        out.append(units[i])
        i += 1
    return out


# --------------------------------------------------------------------------- TextUnits


class TextUnits:
    """All units of one text, computed lazily on first use and cached.

    ``kind`` is one of :data:`KINDS` (``"word"``, ``"sentence"``, ``"line"``, ``"paragraph"``,
    ``"turn"``; a plural ``"words"`` is accepted too). The ``"turn"`` units are turn bodies.
    """

    def __init__(self, text: str, turns: Sequence[Turn] | None = None, language: str = "en"):
        self.text = text
        self.language = language
        self._turns = list(turns) if turns is not None else None
        self._starts: dict[str, list[int]] = {}

    @property
    def turns(self) -> list[Turn]:
        if self._turns is None:
            self._turns = detect_turns(self.text)
        return self._turns

    @cached_property
    def words(self) -> list[Span]:
        return words(self.text)

    @cached_property
    def sentences(self) -> list[Span]:
        return sentences(self.text, self.language, self.turns)

    @cached_property
    def lines(self) -> list[Span]:
        return lines(self.text)

    @cached_property
    def paragraphs(self) -> list[Span]:
        return paragraphs(self.text)

    @cached_property
    def turn_bodies(self) -> list[Span]:
        return turn_spans(self.turns, self.text)

    @staticmethod
    def _kind(kind: str) -> str:
        k = kind.lower()
        if k.endswith("s") and k[:-1] in KINDS:
            k = k[:-1]
        if k not in KINDS:
            raise ValueError(f"unknown text unit {kind!r}; expected one of {', '.join(KINDS)}")
        return k

    def spans(self, kind: str) -> list[Span]:
        """The units of ``kind``."""
        k = self._kind(kind)
        if k == "word":
            return self.words
        if k == "sentence":
            return self.sentences
        if k == "line":
            return self.lines
        if k == "paragraph":
            return self.paragraphs
        return self.turn_bodies

    def _start_list(self, kind: str) -> list[int]:
        k = self._kind(kind)
        if k not in self._starts:
            self._starts[k] = [s for s, _ in self.spans(k)]
        return self._starts[k]

    # -- lookups -------------------------------------------------------------------------

    def at(self, kind: str, offset: int) -> Span | None:
        """The unit of ``kind`` containing ``offset``."""
        return unit_at(self.spans(kind), offset)

    def word_at(self, offset: int) -> Span | None:
        return self.at("word", offset)

    def sentence_at(self, offset: int) -> Span | None:
        return self.at("sentence", offset)

    def line_at(self, offset: int) -> Span | None:
        return self.at("line", offset)

    def paragraph_at(self, offset: int) -> Span | None:
        return self.at("paragraph", offset)

    def turn_at(self, offset: int) -> Turn | None:
        """The turn whose whole span (label included) contains ``offset``."""
        turns = self.turns
        i = bisect_right(turns, offset, key=lambda t: t.start) - 1
        if i >= 0 and turns[i].start <= offset < turns[i].end:
            return turns[i]
        return None

    def overlapping(self, kind: str, start: int, end: int) -> list[Span]:
        return units_overlapping(self.spans(kind), start, end)

    # -- motions -------------------------------------------------------------------------

    def next_start(self, kind: str, offset: int) -> int | None:
        """Start of the first unit starting after ``offset`` (vim ``w``, ``)``, ``}``, ``]]``)."""
        starts = self._start_list(kind)
        i = bisect_right(starts, offset)
        return starts[i] if i < len(starts) else None

    def prev_start(self, kind: str, offset: int) -> int | None:
        """Start of the last unit starting before ``offset`` (vim ``b``, ``(``, ``{``, ``[[``).

        Inside a unit (not at its start) this is the unit's own start, as in vim.
        """
        starts = self._start_list(kind)
        i = bisect_left(starts, offset) - 1
        return starts[i] if i >= 0 else None

    # -- auto-coding ---------------------------------------------------------------------

    def expand(self, kind: str, start: int, end: int) -> Span:
        """Grow ``[start, end)`` to cover the enclosing unit(s) of ``kind``.

        The result is the smallest range holding the hit and every unit it overlaps. For
        ``"turn"`` a hit anywhere in a turn (its label too) gives the turn's body: the label is
        never included. Where no unit overlaps (a hit in whitespace, or in a title outside any
        turn) the range is returned unchanged.
        """
        if self._kind(kind) == "turn":
            turns = self.turns
            i = max(0, bisect_right(turns, start, key=lambda t: t.start) - 1)
            hit: list[Turn] = []
            for t in turns[i:]:
                if t.start >= max(end, start + 1):
                    break
                if t.end > start:
                    hit.append(t)
            if not hit:
                return (start, end)
            return (hit[0].body_start, max(hit[-1].end, end))
        units = self.overlapping(kind, start, end)
        if not units:
            return (start, end)
        return (min(units[0][0], start), max(units[-1][1], end))
