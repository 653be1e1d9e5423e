"""Code co-occurrence: which codes are applied together, how often, and how strongly.

Proximity
---------
Two segments of one document *co-occur* when, under the chosen :class:`Proximity`:

``overlap``
    they share at least one character (``a.start < b.end and b.start < a.end``);
``turn`` / ``paragraph``
    they touch a common speaker turn (label included) / paragraph. A segment touches every
    unit it shares a character with, so one crossing a boundary touches both. In a document
    without speaker turns each paragraph counts as a turn. A segment lying wholly outside
    every unit (e.g. in a title before the first turn) co-occurs with nothing;
``chars:N``
    they overlap, or the text between them is at most ``N`` characters
    (``later.start - earlier.end <= N``; ``chars:0`` adds adjacent segments to overlap).

Every mode is reduced to interval overlap — units map a segment to the half-open range of
unit indexes it touches, ``chars:N`` widens each segment to ``[start, end + N + 1)`` — and
the overlapping intervals are found per document by one sweep over the sorted boundaries
(:func:`overlapping_pairs`): ``O(n log n + pairs)``, never all pairs of segments.

A segment never co-occurs with itself, and two segments of the same code (e.g. two coders'
codings of one passage, or two sub-codes rolled up to one parent) never count: the
diagonal is undefined (``None``).

Counts and measures
-------------------
For a pair of codes A, B and a *count mode*:

============  ====================================  ============================================
count mode    n_A (frequency of A)                  n_AB (co-occurrence of A and B)
============  ====================================  ============================================
segments      segments of A                         unordered pairs (a, b) of an A segment and
                                                    a B segment that co-occur
documents     documents with >= 1 segment of A      documents holding >= 1 co-occurring pair
cases         cases with >= 1 segment of A          cases holding >= 1 co-occurring pair
============  ====================================  ============================================

``count`` is ``n_AB``. ``c`` is ATLAS.ti's c-coefficient ``n_AB / (n_A + n_B - n_AB)``. With
documents and cases it lies in [0, 1]. With segments one segment may pair with several
segments of the other code (nested codings, or two coders), so ``n_AB`` can exceed
``min(n_A, n_B)`` and the formula leave [0, 1] or divide by zero: such values are capped at
1 and the pair is flagged ``c_out_of_range`` (ATLAS.ti marks these cells too).

``jaccard`` is ``|S_AB| / |S_A ∪ S_B|`` over the units of the count mode, always in [0, 1]:
S_A is the set of units carrying A, S_AB those where A and B co-occur. For documents (and
likewise cases) that is ``n_AB / (documents with A or B)``; it equals ``c`` unless some
documents hold both codes without them co-occurring (possible with a narrow proximity). For
segments S_A and S_B are disjoint, so it is ``(A segments co-occurring with a B segment + B
segments co-occurring with an A segment) / (n_A + n_B)``: the share of the two codes'
segments that meet the other code.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualtui.analysis.data import (
    AnalysisData,
    CodeInfo,
    DocInfo,
    Level,
    Seg,
    Span,
    level_codes,
    level_label,
    level_map,
)
from qualtui.core.errors import QualtuiError

__all__ = [
    "COUNTS",
    "MEASURES",
    "CooccurrenceMatrix",
    "CooccurrenceStats",
    "Passage",
    "PairStat",
    "Proximity",
    "compute_cooccurrence",
    "cooccurring_passages",
    "overlapping_pairs",
    "parse_proximity",
]

COUNTS = ("segments", "documents", "cases")
MEASURES = ("count", "jaccard", "c")


# --------------------------------------------------------------------------- proximity


@dataclass(frozen=True)
class Proximity:
    """How near two segments must be to co-occur: ``overlap``, ``turn``, ``paragraph`` or
    ``chars`` (with ``chars`` the largest gap allowed)."""

    kind: str = "overlap"
    chars: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("overlap", "turn", "paragraph", "chars"):
            raise QualtuiError(f"unknown proximity '{self.kind}'")
        if self.chars < 0:
            raise QualtuiError("chars:N needs N >= 0")

    def __str__(self) -> str:
        return f"chars:{self.chars}" if self.kind == "chars" else self.kind

    def intervals(self, doc: DocInfo, segments: Sequence[Seg]) -> list[Span | None]:
        """Each segment as the half-open interval compared for overlap (``None``: none)."""
        if self.kind == "overlap":
            return [(s.start, s.end) for s in segments]
        if self.kind == "chars":
            extra = self.chars + 1
            return [(s.start, s.end + extra) for s in segments]
        units = unit_spans(doc, self.kind)
        starts = [u[0] for u in units]
        ends = [u[1] for u in units]
        out: list[Span | None] = []
        for s in segments:
            first = bisect_right(ends, s.start)  # first unit ending after the segment starts
            last = bisect_left(starts, s.end) - 1  # last unit starting before it ends
            out.append((first, last + 1) if first <= last else None)
        return out


def parse_proximity(text: str) -> Proximity:
    """``overlap``, ``turn``, ``paragraph`` or ``chars:N``."""
    value = text.strip().lower()
    if value in ("overlap", "turn", "paragraph"):
        return Proximity(value)
    if value in ("turns", "same-turn"):
        return Proximity("turn")
    if value in ("paragraphs", "same-paragraph"):
        return Proximity("paragraph")
    if value.startswith("chars:") and value[6:].isdigit():
        return Proximity("chars", int(value[6:]))
    raise QualtuiError(f"bad proximity '{text}': use overlap, turn, paragraph or chars:N")


def unit_spans(doc: DocInfo, kind: str) -> list[Span]:
    """Sorted, non-overlapping turn (or paragraph) spans of ``doc``."""
    if kind == "turn" and doc.turns:
        spans = sorted(doc.turns)
        out: list[Span] = []
        for start, end in spans:  # defensively drop overlaps
            if end > start and (not out or start >= out[-1][1]):
                out.append((start, end))
        return out
    from qualtui.core.units import paragraphs

    return paragraphs(doc.text)


# --------------------------------------------------------------------------- the sweep


def overlapping_pairs(intervals: Sequence[Span | None]) -> Iterator[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i != j``, whose half-open intervals overlap; each once.

    A sweep over the starts in order, with a heap of the active intervals' ends: when an
    interval starts, every interval still active (end > start) overlaps it. ``None`` and
    empty intervals take part in nothing.
    """
    order = sorted((iv[0], i) for i, iv in enumerate(intervals) if iv and iv[1] > iv[0])
    heap: list[tuple[int, int]] = []
    active: dict[int, None] = {}
    for start, i in order:
        while heap and heap[0][0] <= start:
            del active[heapq.heappop(heap)[1]]
        for j in active:
            yield j, i
        active[i] = None
        heapq.heappush(heap, (intervals[i][1], i))  # type: ignore[index]


# --------------------------------------------------------------------------- statistics


@dataclass
class CooccurrenceStats:
    """Every count for one proximity and level; :meth:`matrix` picks count mode and measure.

    ``codes`` are the codes at the level with at least one segment, in codebook order; all
    tables are indexed like ``codes``. Pair tables are keyed ``i * len(codes) + j`` with
    ``i < j`` (see :meth:`pair`).
    """

    proximity: Proximity
    level: Level
    codes: list[CodeInfo]
    documents: int
    cases: int
    segments: int
    segment_freq: list[int]
    doc_masks: list[int]  # bit d set: document d has the code
    case_masks: list[int]
    seg_pairs: dict[int, int]
    doc_pairs: dict[int, int]
    case_pairs: dict[int, int]
    _data: AnalysisData | None = field(default=None, repr=False)
    _involved: dict[int, int] | None = field(default=None, repr=False)

    def pair(self, count: str, i: int, j: int) -> int:
        """n_AB of codes ``i`` and ``j`` in ``count`` mode (0 on the diagonal)."""
        if i == j:
            return 0
        key = i * len(self.codes) + j if i < j else j * len(self.codes) + i
        return self.pairs_table(count).get(key, 0)

    def frequency(self, count: str) -> list[int]:
        """n_A for every code in ``count`` mode."""
        _check_count(count)
        if count == "segments":
            return list(self.segment_freq)
        masks = self.doc_masks if count == "documents" else self.case_masks
        return [m.bit_count() for m in masks]

    def pairs_table(self, count: str) -> dict[int, int]:
        _check_count(count)
        return {"segments": self.seg_pairs, "documents": self.doc_pairs,
                "cases": self.case_pairs}[count]

    def involved(self) -> dict[int, int]:
        """``i * n + j`` -> segments of code i that co-occur with a segment of code j.

        Only the segment-mode Jaccard needs this, so it is computed (one more sweep) on
        first use.
        """
        if self._involved is None:
            self._involved = _involvement(self) if self._data is not None else {}
        return self._involved

    def matrix(self, count: str = "segments", measure: str = "count") -> CooccurrenceMatrix:
        """The square matrix of ``measure`` in ``count`` mode (see the module docstring)."""
        _check_count(count)
        if measure not in MEASURES:
            raise QualtuiError(f"unknown measure '{measure}': use {', '.join(MEASURES)}")
        n = len(self.codes)
        counts = [[0] * n for _ in range(n)]
        values: list[list[float | None]] = [[0.0] * n for _ in range(n)]
        for i in range(n):
            values[i][i] = None
        for key, n12 in self.pairs_table(count).items():
            i, j = divmod(key, n)
            counts[i][j] = counts[j][i] = n12
        if measure == "count":
            for key, n12 in self.pairs_table(count).items():
                i, j = divmod(key, n)
                values[i][j] = values[j][i] = float(n12)
        else:
            for stat in self.pair_stats(count):
                value = stat.jaccard if measure == "jaccard" else stat.c
                values[stat.i][stat.j] = values[stat.j][stat.i] = value
        return CooccurrenceMatrix(codes=list(self.codes), count=count, measure=measure,
                                  proximity=self.proximity, level=self.level,
                                  frequency=self.frequency(count), counts=counts,
                                  values=values, documents=self.documents, cases=self.cases,
                                  segments=self.segments, _stats=self)

    def pair_stat(self, count: str, code_a: str, code_b: str) -> PairStat:
        """Frequencies, n_AB, Jaccard and c of two codes (ids) in ``count`` mode."""
        index = {c.id: k for k, c in enumerate(self.codes)}
        i, j = index[code_a], index[code_b]
        n = len(self.codes)
        freq = self.frequency(count)
        n12 = self.pair(count, i, j)
        c, out_of_range = _c_coefficient(freq[i], freq[j], n12)
        if count == "segments":
            involved = self.involved() if n12 else {}
            union = freq[i] + freq[j]
            met = involved.get(i * n + j, 0) + involved.get(j * n + i, 0)
        else:
            masks = self.doc_masks if count == "documents" else self.case_masks
            union = (masks[i] | masks[j]).bit_count()
            met = n12
        return PairStat(self.codes[i], self.codes[j], freq[i], freq[j], n12,
                        met / union if union and i != j else 0.0, c, out_of_range, i, j)

    def pair_stats(self, count: str) -> list[PairStat]:
        """Every co-occurring pair (n_AB > 0) in ``count`` mode, in no particular order."""
        n = len(self.codes)
        freq = self.frequency(count)
        table = self.pairs_table(count)
        masks = (self.doc_masks if count == "documents" else self.case_masks
                 if count == "cases" else None)
        involved = self.involved() if masks is None else {}
        codes = self.codes
        out: list[PairStat] = []
        for key, n12 in table.items():
            i, j = divmod(key, n)
            c, out_of_range = _c_coefficient(freq[i], freq[j], n12)
            if masks is None:
                union = freq[i] + freq[j]
                met = involved.get(key, 0) + involved.get(j * n + i, 0)
            else:
                union = (masks[i] | masks[j]).bit_count()
                met = n12
            out.append(PairStat(codes[i], codes[j], freq[i], freq[j], n12,
                                met / union if union else 0.0, c, out_of_range, i, j))
        return out


def _check_count(count: str) -> None:
    if count not in COUNTS:
        raise QualtuiError(f"unknown count '{count}': use {', '.join(COUNTS)}")


def _c_coefficient(n1: int, n2: int, n12: int) -> tuple[float, bool]:
    """``n12 / (n1 + n2 - n12)`` capped to [0, 1]; the flag tells a capped value."""
    if n12 == 0:
        return 0.0, False
    denominator = n1 + n2 - n12
    if denominator <= 0 or n12 > denominator:
        return 1.0, True
    return n12 / denominator, False


@dataclass(slots=True)
class PairStat:
    """One co-occurring pair of codes: frequencies, co-occurrence and both coefficients."""

    a: CodeInfo
    b: CodeInfo
    n1: int
    n2: int
    n12: int
    jaccard: float
    c: float
    c_out_of_range: bool = False
    i: int = 0  # indexes of a and b in the stats' codes
    j: int = 0

    def measure(self, measure: str) -> float:
        return float(self.n12) if measure == "count" else (
            self.jaccard if measure == "jaccard" else self.c)

    def as_json(self) -> dict[str, Any]:
        return {"a": self.a.path, "b": self.b.path, "n1": self.n1, "n2": self.n2,
                "n12": self.n12, "jaccard": round(self.jaccard, 6), "c": round(self.c, 6),
                "c_out_of_range": self.c_out_of_range}


@dataclass
class CooccurrenceMatrix:
    """A square code x code matrix of one measure; ``values[i][i]`` is ``None``."""

    codes: list[CodeInfo]
    count: str
    measure: str
    proximity: Proximity
    level: Level
    frequency: list[int]
    counts: list[list[int]]
    values: list[list[float | None]]
    documents: int = 0
    cases: int = 0
    segments: int = 0
    _stats: CooccurrenceStats | None = field(default=None, repr=False)

    def pairs(self) -> list[PairStat]:
        """The co-occurring pairs, strongest first by this matrix's measure (ties in codebook
        order)."""
        if self._stats is None:
            return []
        stats = self._stats.pair_stats(self.count)
        stats.sort(key=lambda p: (-p.measure(self.measure), -p.n12, p.i, p.j))
        return stats

    def totals(self) -> list[float]:
        """Row sums of the values (the diagonal left out), for sorting by total."""
        return [sum(v for v in row if v is not None) for row in self.values]

    def max_value(self) -> float:
        return max((v for row in self.values for v in row if v is not None), default=0.0)

    def format(self, value: float | None) -> str:
        if value is None:
            return ""
        if self.measure == "count":
            return str(int(value))
        return f"{value:.2f}"

    def reordered(self, order: Sequence[int]) -> CooccurrenceMatrix:
        """The same matrix with rows and columns permuted (``order`` lists old indexes)."""
        return CooccurrenceMatrix(
            codes=[self.codes[i] for i in order], count=self.count, measure=self.measure,
            proximity=self.proximity, level=self.level,
            frequency=[self.frequency[i] for i in order],
            counts=[[self.counts[i][j] for j in order] for i in order],
            values=[[self.values[i][j] for j in order] for i in order],
            documents=self.documents, cases=self.cases, segments=self.segments,
            _stats=self._stats)

    def sorted_by_total(self) -> CooccurrenceMatrix:
        """Rows and columns by decreasing total, ties in codebook order."""
        totals = self.totals()
        order = sorted(range(len(self.codes)), key=lambda i: (-totals[i], i))
        return self.reordered(order)

    def options_json(self) -> dict[str, Any]:
        return {"proximity": str(self.proximity), "count": self.count,
                "measure": self.measure, "level": level_label(self.level)}

    def as_json(self) -> dict[str, Any]:
        return {
            "options": self.options_json(),
            "documents": self.documents,
            "cases": self.cases,
            "segments": self.segments,
            "codes": [{"id": c.id, "path": c.path, "color": c.color, "frequency": f}
                      for c, f in zip(self.codes, self.frequency, strict=True)],
            "matrix": [[None if v is None else (int(v) if self.measure == "count"
                                                else round(v, 6)) for v in row]
                       for row in self.values],
            "counts": self.counts,
            "pairs": [p.as_json() for p in self.pairs()],
        }


def _prepare(data: AnalysisData, level: Level
             ) -> tuple[list[CodeInfo], dict[str, int], dict[str, list[Seg]]]:
    mapping = level_map(data.codes, level)
    codes = level_codes(data, mapping)
    index = {c.id: i for i, c in enumerate(codes)}
    code_index = {cid: index[rep] for cid, rep in mapping.items() if rep in index}
    by_doc: dict[str, list[Seg]] = {}
    for seg in data.segments:
        by_doc.setdefault(seg.document_id, []).append(seg)
    return codes, code_index, by_doc


def compute_cooccurrence(data: AnalysisData, proximity: Proximity | None = None,
                         level: Level = "leaf") -> CooccurrenceStats:
    """All co-occurrence counts of ``data`` (already filtered) for a proximity and level.

    The sweep of :func:`overlapping_pairs`, inlined: per document the intervals are taken in
    start order, a heap expires those that ended, and the new interval pairs with each one
    still active.
    """
    proximity = proximity or Proximity()
    codes, code_index, by_doc = _prepare(data, level)
    case_index = {name: i for i, name in enumerate(data.cases)}
    n = len(codes)
    segment_freq = [0] * n
    doc_masks = [0] * n
    case_masks = [0] * n
    seg_pairs: dict[int, int] = {}
    doc_pairs: dict[int, int] = {}
    case_bits: dict[int, int] = {}
    heappush, heappop = heapq.heappush, heapq.heappop
    for d, doc in enumerate(data.documents):
        segs = by_doc.get(doc.id)
        if not segs:
            continue
        doc_bit, case_bit = 1 << d, 1 << case_index[doc.case_name]
        code_of = [code_index[s.code_id] for s in segs]
        for k in set(code_of):
            doc_masks[k] |= doc_bit
            case_masks[k] |= case_bit
        for k in code_of:
            segment_freq[k] += 1
        intervals = proximity.intervals(doc, segs)
        order = sorted((iv[0], iv[1], code_of[i]) for i, iv in enumerate(intervals)
                       if iv is not None and iv[1] > iv[0])
        seen: dict[int, int] = {}
        heap: list[tuple[int, int]] = []
        active: dict[int, int] = {}  # running number -> code
        for number, (start, end, a) in enumerate(order):
            while heap and heap[0][0] <= start:
                del active[heappop(heap)[1]]
            for b in active.values():
                if b != a:
                    key = a * n + b if a < b else b * n + a
                    seen[key] = seen.get(key, 0) + 1
            active[number] = a
            heappush(heap, (end, number))
        for key, value in seen.items():
            seg_pairs[key] = seg_pairs.get(key, 0) + value
            doc_pairs[key] = doc_pairs.get(key, 0) + 1
            case_bits[key] = case_bits.get(key, 0) | case_bit
    return CooccurrenceStats(
        proximity=proximity, level=level, codes=codes, documents=len(data.documents),
        cases=len(data.cases), segments=sum(segment_freq), segment_freq=segment_freq,
        doc_masks=doc_masks, case_masks=case_masks, seg_pairs=seg_pairs,
        doc_pairs=doc_pairs, case_pairs={k: v.bit_count() for k, v in case_bits.items()},
        _data=data)


def _involvement(stats: CooccurrenceStats) -> dict[int, int]:
    """For :meth:`CooccurrenceStats.involved`: one more sweep, tracking each segment."""
    data = stats._data
    assert data is not None
    codes, code_index, by_doc = _prepare(data, stats.level)
    n = len(codes)
    involved: dict[int, int] = {}
    for doc in data.documents:
        segs = by_doc.get(doc.id)
        if not segs:
            continue
        code_of = [code_index[s.code_id] for s in segs]
        meets: set[int] = set()  # segment * n + other code
        for i, j in overlapping_pairs(stats.proximity.intervals(doc, segs)):
            a, b = code_of[i], code_of[j]
            if a != b:
                meets.add(i * n + b)
                meets.add(j * n + a)
        for item in meets:
            i, other = divmod(item, n)
            key = code_of[i] * n + other
            involved[key] = involved.get(key, 0) + 1
    return involved


# --------------------------------------------------------------------------- drill-down


@dataclass(frozen=True)
class Passage:
    """Where two codes co-occur: the two segments and the span covering both."""

    document: DocInfo
    a: Seg
    b: Seg

    @property
    def start(self) -> int:
        return min(self.a.start, self.b.start)

    @property
    def end(self) -> int:
        return max(self.a.end, self.b.end)

    @property
    def text(self) -> str:
        return self.document.text[self.start:self.end]

    def as_json(self, codes: dict[str, CodeInfo]) -> dict[str, Any]:
        def seg(s: Seg) -> dict[str, Any]:
            code = codes.get(s.code_id)
            return {"id": s.id, "code": code.path if code else s.code_id, "coder": s.coder,
                    "start": s.start, "end": s.end}

        return {"document": self.document.name, "document_id": self.document.id,
                "start": self.start, "end": self.end, "a": seg(self.a), "b": seg(self.b),
                "text": self.text}


def cooccurring_passages(data: AnalysisData, code_a: str, code_b: str,
                         proximity: Proximity | None = None,
                         level: Level = "leaf") -> list[Passage]:
    """The segment pairs where ``code_a`` and ``code_b`` (ids at ``level``) co-occur.

    Sorted by document order, then position; ``Passage.a`` always carries ``code_a``.
    """
    proximity = proximity or Proximity()
    mapping = level_map(data.codes, level)
    out: list[Passage] = []
    if code_a == code_b:
        return out
    wanted = {code_a, code_b}
    by_doc: dict[str, list[Seg]] = {}
    for seg in data.segments:
        if mapping.get(seg.code_id) in wanted:
            by_doc.setdefault(seg.document_id, []).append(seg)
    for doc in data.documents:
        segs = by_doc.get(doc.id)
        if not segs:
            continue
        found: list[Passage] = []
        for i, j in overlapping_pairs(proximity.intervals(doc, segs)):
            si, sj = segs[i], segs[j]
            ci, cj = mapping[si.code_id], mapping[sj.code_id]
            if ci == cj:
                continue
            found.append(Passage(doc, si, sj) if ci == code_a else Passage(doc, sj, si))
        found.sort(key=lambda p: (p.start, p.end, p.a.start, p.b.start))
        out.extend(found)
    return out
