"""Coding-session logic shared by the terminal UI, with no UI imports.

Everything here is a pure function (or works on a :class:`~qualtui.core.project.Project`
through its public services): the coverage sweep that tells which codes cover which text,
the quick-code slots behind keys 1-9, recent-code ordering, in-vivo code names, document
search, segment navigation, and the one-line summaries of other coders' changes shown by the
live team view.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualtui.core.models import LogEntry, Memo, Segment
    from qualtui.core.project import Project

__all__ = [
    "CodingAt",
    "Run",
    "SLOTS",
    "codes_at",
    "counts_by_document",
    "coverage_runs",
    "covering",
    "describe_changes",
    "document_counts",
    "find_all",
    "invivo_name",
    "next_start",
    "prev_start",
    "push_recent",
    "quick_slots",
    "trim_range",
]

SLOTS = range(1, 10)
"""The quick-code keys: 1 to 9."""

INVIVO_PARENT = "In vivo"
"""Codes made with the in-vivo key are created under this top-level code."""


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Run:
    """A stretch of text ``[start, end)`` covered by exactly the codes in ``codes``."""

    start: int
    end: int
    codes: frozenset[str]


def coverage_runs(spans: Iterable[tuple[int, int, str]]) -> list[Run]:
    """Sweep ``(start, end, code_id)`` spans into non-overlapping runs of constant coverage.

    The runs are sorted and only cover coded text (gaps are left out). Two segments of the
    same code that overlap count once. One pass over the sorted boundaries: O(n log n).
    """
    events: list[tuple[int, int, str]] = []
    for start, end, code in spans:
        if end > start:
            events.append((start, 1, code))
            events.append((end, -1, code))
    if not events:
        return []
    events.sort(key=lambda e: (e[0], e[1]))
    active: Counter[str] = Counter()
    runs: list[Run] = []
    current: frozenset[str] = frozenset()
    pos = events[0][0]
    i = 0
    n = len(events)
    while i < n:
        at = events[i][0]
        if at > pos and current:
            if runs and runs[-1].end == pos and runs[-1].codes == current:
                runs[-1] = Run(runs[-1].start, at, current)
            else:
                runs.append(Run(pos, at, current))
        while i < n and events[i][0] == at:
            _, delta, code = events[i]
            active[code] += delta
            if active[code] <= 0:
                del active[code]
            i += 1
        current = frozenset(active)
        pos = at
    return runs


# --------------------------------------------------------------------------- quick codes


def push_recent(recent: Sequence[str], code_id: str, limit: int = 9) -> list[str]:
    """``recent`` with ``code_id`` moved to the front, at most ``limit`` long."""
    out = [code_id, *(c for c in recent if c != code_id)]
    return out[:limit]


def quick_slots(pinned: Mapping[int, str], recent: Sequence[str], valid: Container[str],
                shortcuts: Mapping[str, str] | None = None) -> dict[int, str]:
    """The code behind each key 1-9.

    A code pinned to a key by this user wins; then a code whose codebook ``shortcut`` is that
    digit; the keys left over take the most recently used codes, newest first. Codes that no
    longer exist (not in ``valid``) are skipped, and no code appears on two keys.
    """
    slots: dict[int, str] = {}
    used: set[str] = set()
    for key in SLOTS:
        code = pinned.get(key)
        if code and code in valid and code not in used:
            slots[key] = code
            used.add(code)
    for code, digit in (shortcuts or {}).items():
        if digit.isdigit() and int(digit) in SLOTS and int(digit) not in slots:
            if code in valid and code not in used:
                slots[int(digit)] = code
                used.add(code)
    free = [k for k in SLOTS if k not in slots]
    for code in recent:
        if not free:
            break
        if code in valid and code not in used:
            slots[free.pop(0)] = code
            used.add(code)
    return dict(sorted(slots.items()))


# --------------------------------------------------------------------------- ranges and names


def trim_range(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` shrunk to exclude surrounding whitespace (unchanged if all blank)."""
    a, b = max(0, start), min(len(text), end)
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else (start, end)


_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = "\"'“”‘’.,;:!?()[]{}-–—…"


def invivo_name(text: str, max_chars: int = 40) -> str:
    """A code name made from the participant's own words.

    Whitespace is collapsed, surrounding quotes and punctuation are dropped, ``/`` (the path
    separator) becomes ``-``, and text longer than ``max_chars`` is cut at a word boundary
    and ends with ``...``. Returns ``""`` when nothing usable is left.
    """
    name = _SPACES.sub(" ", text).strip().strip(_EDGE_PUNCT).strip().replace("/", "-")
    if len(name) <= max_chars:
        return name
    cut = name.rfind(" ", 0, max_chars - 2)
    head = name[: cut if cut > max_chars // 2 else max_chars - 3].rstrip(_EDGE_PUNCT + " ")
    return head + "..."


# --------------------------------------------------------------------------- search


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """Every non-overlapping occurrence of ``query`` in ``text`` as ``(start, end)``.

    Smart case: a query in lower case matches any case; with an upper-case letter it matches
    exactly. Case folding keeps offsets exact (it is done per character, never by a
    length-changing ``casefold``).
    """
    if not query:
        return []
    if query != query.lower():
        hay, needle = text, query
    else:
        hay, needle = text.lower(), query.lower()
        if len(hay) != len(text):  # a rare lower() that changes length: match exactly
            hay, needle = text, query
    out: list[tuple[int, int]] = []
    pos = hay.find(needle)
    step = len(needle)
    while pos >= 0:
        out.append((pos, pos + step))
        pos = hay.find(needle, pos + step)
    return out


def next_start(starts: Sequence[int], offset: int, wrap: bool = False) -> int | None:
    """The first of the sorted ``starts`` after ``offset`` (the first one when ``wrap``)."""
    i = bisect_right(starts, offset)
    if i < len(starts):
        return starts[i]
    return starts[0] if wrap and starts else None


def prev_start(starts: Sequence[int], offset: int, wrap: bool = False) -> int | None:
    """The last of the sorted ``starts`` before ``offset`` (the last one when ``wrap``)."""
    i = bisect_left(starts, offset) - 1
    if i >= 0:
        return starts[i]
    return starts[-1] if wrap and starts else None


# --------------------------------------------------------------------------- project reads


@dataclass
class CodingAt:
    """A segment covering an offset, with what the inspector shows about it."""

    segment: Segment
    path: str
    memo: Memo | None = None


def codes_at(project: Project, document_id: str, offset: int) -> list[CodingAt]:
    """The segments covering ``offset`` with their code paths and memos, by code path."""
    segments = project.coding.at(document_id, offset)
    if not segments:
        return []
    ids = {s.id for s in segments}
    memos = {m.target_id: m for m in project.memos.all(kind="segment") if m.target_id in ids}
    out = [CodingAt(s, project.codebook.path_of(s.code_id), memos.get(s.id)) for s in segments]
    out.sort(key=lambda c: (c.path.lower(), c.segment.start, c.segment.coder))
    return out


def counts_by_document(project: Project) -> Counter[str]:
    """Segments per document id in the whole project, counted without building Segment
    objects (the services have no such count yet; ``codebook.segment_counts`` is per code)."""
    return Counter(row["document_id"] for row in project.repo.iter("segments"))


def covering(segments: Sequence[Segment], starts: Sequence[int], longest: int,
             offset: int) -> list[Segment]:
    """The segments covering ``offset``, found without a full scan.

    ``segments`` are sorted by start, ``starts`` are their starts and ``longest`` the length
    of the longest one: only segments starting in ``(offset - longest, offset]`` can cover
    ``offset``.
    """
    out: list[Segment] = []
    j = bisect_right(starts, offset) - 1
    while j >= 0 and starts[j] > offset - longest:
        if segments[j].end > offset:
            out.append(segments[j])
        j -= 1
    out.reverse()
    return out


def document_counts(segments: Iterable[Segment], document_id: str | None = None) -> Counter[str]:
    """Segments per code id (in ``document_id`` only, when given)."""
    return Counter(s.code_id for s in segments
                   if document_id is None or s.document_id == document_id)


# --------------------------------------------------------------------------- team changes


@dataclass
class _CoderChanges:
    coded: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    other: list[str] = field(default_factory=list)


def _per_document(counts: Counter[str], noun: str, names: Mapping[str, str]) -> str:
    parts = []
    for i, (doc_id, n) in enumerate(sorted(counts.items(), key=lambda kv: names.get(kv[0],
                                                                                   kv[0]))):
        name = names.get(doc_id, "a deleted document")
        if i == 0:
            parts.append(f"{n} {noun}{'s' if n != 1 else ''} in {name}")
        else:
            parts.append(f"{n} in {name}")
    return ", ".join(parts)


def _segment_changes(entry: LogEntry) -> tuple[Counter[str], Counter[str]]:
    coded: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    for change in entry.changes:
        if change.get("table") != "segments":
            continue
        before: dict[str, Any] | None = change.get("before")
        after: dict[str, Any] | None = change.get("after")
        if before is None and after is not None:
            coded[after.get("document_id", "")] += 1
        elif after is None and before is not None:
            removed[before.get("document_id", "")] += 1
    return coded, removed


def describe_changes(entries: Iterable[LogEntry], me: str | None,
                     document_names: Mapping[str, str], limit: int = 3) -> list[str]:
    """One line per other coder saying what they changed, e.g. "coder2 coded 3 segments in P04".

    Entries by ``me`` are left out. Codings and removals are counted per document; other
    operations are listed by their log summary (at most ``limit``, then "and N more").
    """
    by_coder: dict[str, _CoderChanges] = {}
    for entry in entries:
        if me is not None and entry.coder == me:
            continue
        bucket = by_coder.setdefault(entry.coder, _CoderChanges())
        coded, removed = _segment_changes(entry)
        if entry.op.startswith("segment.") and (coded or removed):
            bucket.coded.update(coded)
            bucket.removed.update(removed)
        else:
            bucket.other.append(entry.summary)
    lines: list[str] = []
    for coder, ch in by_coder.items():
        parts: list[str] = []
        if ch.coded:
            parts.append("coded " + _per_document(ch.coded, "segment", document_names))
        if ch.removed:
            parts.append("removed " + _per_document(ch.removed, "coding", document_names))
        shown = ch.other[:limit]
        parts.extend(shown)
        if len(ch.other) > limit:
            parts.append(f"and {len(ch.other) - limit} more changes")
        if parts:
            lines.append(f"{coder} " + "; ".join(parts))
    return lines
