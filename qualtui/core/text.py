"""Pure text helpers: normalisation, speaker-turn detection and word counting.

Everything here works on a document's *normalised* text (no BOM, LF line ends) and reports
offsets as Unicode code points, end exclusive, exactly as :mod:`qualtui.core.models` expects.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qualtui.core.models import Turn

__all__ = [
    "Label",
    "build_turns",
    "count_words",
    "detect_turns",
    "find_labels",
    "normalise",
    "word_spans",
    "WORD_RE",
]

# --------------------------------------------------------------------------- normalisation


def normalise(text: str) -> str:
    """Strip one leading BOM (U+FEFF) and turn CRLF and lone CR into LF; nothing else changes."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# --------------------------------------------------------------------------- words


class LazyPattern:
    """A regular expression compiled on first use. The patterns below have large Unicode
    classes and take several milliseconds to compile, which every start-up would pay."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.pattern, self.flags)
        return getattr(compiled, name)


# Combining marks that Python's ``\w`` does not cover (Latin diacritics, Hebrew and Arabic
# vowel points, Indic vowel signs, Thai marks, variation selectors, ZWNJ/ZWJ).
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u0981-\u0983\u09bc-\u09d7"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u200c\u200d\u20d0-\u20ff\ufe00-\ufe0f"
)
_W = rf"(?:[^\W_]|[{_MARKS}])"
# A word: letters/digits (any script), joined inside by apostrophes or hyphens, and digit
# groups joined by . , : ("1.5", "10:30", "1,000").
WORD_RE = LazyPattern(rf"{_W}+(?:(?:['’\-]|(?<=\d)[.,:](?=\d)){_W}+)*")

# Scripts written without spaces between words: every character counts as one word.
_CJK_CLASS = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u31f0-\u31ff"
    "\U00020000-\U0002fa1f"
)
_CJK_RE = LazyPattern(f"[{_CJK_CLASS}]")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Spans of words in ``text`` (see :func:`count_words` for the rule)."""
    spans = [m.span() for m in WORD_RE.finditer(text)]
    if not _CJK_RE.search(text):
        return spans
    out: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if not _CJK_RE.search(piece):
            out.append((start, end))
            continue
        pos = 0
        for m in _CJK_RE.finditer(piece):
            if m.start() > pos:
                out.extend(
                    (start + w.start() + pos, start + w.end() + pos)
                    for w in WORD_RE.finditer(piece[pos : m.start()])
                )
            out.append((start + m.start(), start + m.end()))
            pos = m.end()
        if pos < len(piece):
            out.extend(
                (start + w.start() + pos, start + w.end() + pos)
                for w in WORD_RE.finditer(piece[pos:])
            )
    return out


def count_words(text: str) -> int:
    """Number of words in ``text``.

    A word is a run of letters, digits and combining marks in any script, which may contain
    apostrophes or hyphens (``Dato'``'s apostrophe at the end is not part of it, ``don't`` and
    ``e-mel`` are one word) and digit groups such as ``1.5`` or ``10:30``. Each Chinese
    character, kana or other CJK ideograph counts as one word, since those scripts do not
    separate words with spaces. Punctuation, symbols and emoji are not words.
    """
    if not _CJK_RE.search(text):
        return sum(1 for _ in WORD_RE.finditer(text))
    return len(word_spans(text))


# --------------------------------------------------------------------------- speaker labels

_SP = "[ \t\u00a0\u202f]"  # spaces allowed around a colon (French uses NBSP / NNBSP)
_TIME = r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?"
_TS = (
    rf"(?:[\[(][ \t]*{_TIME}[ \t]*[\])][ \t]*|{_TIME}[ \t]+)"
    r"(?:[-–—][ \t]+)?"
)
_LWORD = rf"[^\W_](?:[^\W_]|[{_MARKS}.'’\-])*"
_LABEL = rf"{_LWORD}(?:[ \t]{_LWORD}){{0,3}}"
_COLON_IN_BOLD = rf"{_SP}*[:：]"
_COLON = rf"{_SP}*(?::(?={_SP}|$)|：)"
_LABEL_RE = LazyPattern(
    rf"^[ \t]*(?P<ts>{_TS})?"
    rf"(?:\*\*(?P<b1>{_LABEL}){_COLON_IN_BOLD}\*\*"
    rf"|\*\*(?P<b2>{_LABEL})\*\*{_COLON}"
    rf"|(?P<p>{_LABEL}){_COLON})"
    rf"{_SP}*",
    re.MULTILINE,
)
MAX_LABEL_CHARS = 40

# Keys of "Key: value" lines that are document metadata, not speakers (English and Malay).
_NOT_SPEAKERS = frozenset(
    """
    abstract address age agency agenda alamat attendees audio bahasa catatan category caution
    code codes comment comments date department duration e-mail email emel example fax file
    filename format gender hint id important interview jabatan jantina jawatan keywords language
    length location lokasi masa memo minutes nama name nb nota note notes organisation
    organization page participants peserta phone place position project ps re ref reference
    remark remarks role rujukan session source status study subject summary tags tajuk tarikh
    tel tempat tempoh time tip title todo topic transcriber transcript transcription type umur
    url venue version warning website
    """.split()
)
# Lower-case particles allowed inside a personal name ("Siti binti Ali", "van Dijk").
_NAME_PARTICLES = frozenset("al bin binti bt bte da de del der di el la le van von".split())


@dataclass(frozen=True)
class Label:
    """A line that starts with a speaker label (a candidate turn start)."""

    start: int  # first non-blank character of the line (timestamp or ``**`` included)
    body_start: int  # after the label, colon and spaces
    speaker: str
    style: str  # "plain" | "bold-in" (``**Name:**``) | "bold-out" (``**Name**:``), "+ts" suffix

    @property
    def key(self) -> str:
        """The speaker as compared for recurrence (case and spacing insensitive)."""
        return " ".join(self.speaker.casefold().split())


def find_labels(text: str) -> list[Label]:
    """Every line that *looks* like it starts with a speaker label, unfiltered."""
    labels: list[Label] = []
    for m in _LABEL_RE.finditer(text):
        kind = "bold-in" if m.group("b1") else "bold-out" if m.group("b2") else "plain"
        speaker = (m.group("b1") or m.group("b2") or m.group("p") or "").strip()
        if not speaker or len(speaker) > MAX_LABEL_CHARS:
            continue
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip(" \t")))
        if m.group("ts"):
            kind += "+ts"
        labels.append(Label(start, m.end(), speaker, kind))
    return labels


def _looks_like_name(speaker: str) -> bool:
    words = speaker.split()
    for i, word in enumerate(words):
        if word[0].islower() and not (i > 0 and word.casefold() in _NAME_PARTICLES):
            return False
    return True


def _accept_labels(labels: list[Label]) -> list[Label]:
    """Keep the labels that are speaker turns (see :func:`detect_turns` for the rule)."""
    labels = [lab for lab in labels if lab.key not in _NOT_SPEAKERS]
    counts = Counter(lab.key for lab in labels)
    recurring = {key for key, n in counts.items() if n >= 2}
    if not recurring:
        return []
    families = {lab.style.split("+")[0].split("-")[0] for lab in labels if lab.key in recurring}
    stamped = any(lab.style.endswith("+ts") for lab in labels if lab.key in recurring)

    def same_style(lab: Label) -> bool:
        family = lab.style.split("+")[0].split("-")[0]  # "plain" or "bold"
        return family in families or (stamped and lab.style.endswith("+ts"))

    return [
        lab
        for lab in labels
        if lab.key in recurring or (same_style(lab) and _looks_like_name(lab.speaker))
    ]


def build_turns(text: str, labels: Iterable[tuple[int, int, str]]) -> list[Turn]:
    """Turns from ``(start, body_start, speaker)`` label positions.

    Each turn runs to the next label (or the end of the text), minus trailing whitespace;
    ``body_start`` is moved past any whitespace (a label alone on its line) but never past
    ``end``. Duplicate starts keep the first label.
    """
    marks = sorted({s: (s, b, sp) for s, b, sp in reversed(list(labels))}.values())
    turns: list[Turn] = []
    for i, (start, body_start, speaker) in enumerate(marks):
        limit = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        end = start + len(text[start:limit].rstrip())
        body = body_start
        while body < end and text[body].isspace():
            body += 1
        turns.append(Turn(start=start, end=end, speaker=speaker, body_start=min(body, end)))
    return turns


def detect_turns(text: str) -> list[Turn]:
    """Speaker turns in ``text`` with exact code-point offsets.

    A turn starts at a line that begins with a speaker label: ``Name: text``, ``NAME:``,
    ``Dr. Lee: text``, ``Name : text`` (space or NBSP before the colon), ``**Name:** text``,
    ``**Name**: text``, ``P01: ``, a fullwidth colon ``主持人：``, optionally after a timestamp
    such as ``[00:01:02]`` or ``00:01:02 -``. A label is 1–4 words of letters, digits and
    ``. ' -``, at most 40 characters, starting with a letter or digit; a plain colon must be
    followed by a space or the end of the line (so URLs and times like ``10:30`` never match).

    False positives are filtered with this rule:

    * metadata keys (``Note``, ``Date``, ``Location``, ``Tarikh``, ...) never label a turn;
    * the document must have at least one *recurring* speaker (a label seen on ≥ 2 lines,
      compared case-insensitively) — otherwise there are no turns at all;
    * a label of a recurring speaker always starts a turn;
    * a one-off label starts a turn only if it is written in the same style as a recurring
      speaker's labels (plain or bold; or it has a timestamp and so do the recurring ones)
      and looks like a name (no word starts
      with a lower-case letter, bar particles like ``bin``/``binti``/``van``), so that
      ``The reason: ...`` or ``He said: ...`` inside a turn do not split it.

    A turn runs until the next turn's line; label-less lines and paragraphs continue it.
    Text before the first turn (a title) belongs to no turn.
    """
    accepted = _accept_labels(find_labels(text))
    return build_turns(text, ((lab.start, lab.body_start, lab.speaker) for lab in accepted))
