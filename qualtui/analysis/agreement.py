"""Inter-coder agreement: percent agreement, Cohen's κ and Krippendorff's α (nominal).

Pure functions over plain data (no store, no Textual): each document is its length, the
units to count (``None``: every character, as NVivo counts) and every coding of the compared
coders as ``(coder, code, start, end)``. For each code, every unit is a yes/no decision per
coder: *coded* when any part of the unit lies in one of that coder's segments of the code.

- **Percent agreement** (two coders): the share of units on which both made the same decision
  (both coded, or neither did). For 3+ coders: the mean over all pairs.
- **Cohen's κ** (two coders): ``(p_o - p_e) / (1 - p_e)`` with ``p_e`` from each coder's own
  share of coded units. For 3+ coders: the mean of the pairwise κ (Light's κ, 1971).
  Undefined (``None``) when ``p_e = 1`` (both coders made one and the same decision on every
  unit: nothing to correct for chance).
- **Krippendorff's α** (nominal, any number of coders): ``1 - (n - 1) · D_o / D_e`` from the
  coincidence matrix (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability").
  Undefined when only one value occurs.
- **Overall** figures pool every (code, unit) decision: percent agreement is their mean;
  κ is the pooled κ ``(mean p_o - mean p_e) / (1 - mean p_e)`` (De Vries et al. 2008), which
  codes nobody used do not change; α is computed over all (code, unit) items at once.

*Denominator*: by default every unit of the compared documents counts (all text, as NVivo);
with ``exclude_uncoded`` only units that at least one compared coder coded (with any code)
count, which keeps κ meaningful when most of the text is uncoded (QualCoder #667).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

__all__ = [
    "UNITS",
    "AgreementResult",
    "CodeAgreement",
    "Coding",
    "DocumentAgreement",
    "DocumentData",
    "Figures",
    "PairFigures",
    "Passage",
    "Tally",
    "cohen_kappa",
    "compare",
    "krippendorff_alpha_nominal",
    "merge_spans",
    "passages",
    "passages_by_code",
    "percent_agreement",
    "tally_code",
]

UNITS = ("char", "sentence", "paragraph", "turn")
"""The units agreement can be counted in; ``char`` is NVivo's character level."""

UNIT_NAMES = {"char": "character", "sentence": "sentence", "paragraph": "paragraph",
              "turn": "speaker turn"}

Span = tuple[int, int]


# --------------------------------------------------------------------------- classic formulas


def percent_agreement(table: Sequence[Sequence[float]]) -> float | None:
    """Observed agreement of a square contingency table (rows: coder A, columns: coder B)."""
    total = sum(sum(row) for row in table)
    if total <= 0:
        return None
    return sum(table[i][i] for i in range(len(table))) / total


def cohen_kappa(table: Sequence[Sequence[float]]) -> float | None:
    """Cohen's κ of a square contingency table (rows: coder A's category, columns: B's).

    ``None`` when chance agreement is 1 (both coders used one and the same category only).
    """
    total = sum(sum(row) for row in table)
    if total <= 0:
        return None
    k = len(table)
    p_o = sum(table[i][i] for i in range(k)) / total
    rows = [sum(table[i]) / total for i in range(k)]
    cols = [sum(table[r][i] for r in range(k)) / total for i in range(k)]
    p_e = sum(rows[i] * cols[i] for i in range(k))
    if p_e >= 1.0 - 1e-12:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's α for nominal data.

    ``data`` is the reliability data matrix: one row per coder, one column per unit, ``None``
    where a coder gave no value. Units with fewer than two values are not pairable and are
    left out. ``None`` when fewer than two values occur (no variation: α is undefined).
    """
    if not data:
        return None
    n_units = max(len(row) for row in data)
    coincidence: Counter[tuple[Hashable, Hashable]] = Counter()
    for u in range(n_units):
        values = [row[u] for row in data if u < len(row) and row[u] is not None]
        m_u = len(values)
        if m_u < 2:
            continue
        counts = Counter(values)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                if pairs:
                    coincidence[(c, k)] += pairs / (m_u - 1)
    totals: Counter[Hashable] = Counter()
    for (c, _k), value in coincidence.items():
        totals[c] += value
    n = sum(totals.values())
    expected = n * n - sum(v * v for v in totals.values())  # Σ_{c≠k} n_c n_k
    if n <= 1 or expected <= 0:
        return None
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    return 1.0 - (n - 1) * observed / expected


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Coding:
    """One coder's segment of one code: ``[start, end)`` in code points."""

    coder: str
    code: str
    start: int
    end: int


@dataclass
class DocumentData:
    """One document's reliability data.

    ``units`` are the spans counted (sorted, non-overlapping), or ``None`` to count every
    character of ``[0, length)``. ``codings`` hold every segment of the compared coders (all
    codes: "uncoded" text is text none of them coded with any code).
    """

    id: str
    name: str
    length: int
    codings: list[Coding] = field(default_factory=list)
    units: list[Span] | None = None


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted union of half-open spans (touching spans are joined); empty spans dropped."""
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _clip(spans: list[Span], lo: int, hi: int) -> list[Span]:
    return [(max(s, lo), min(e, hi)) for s, e in spans if min(e, hi) > max(s, lo)]


# --------------------------------------------------------------------------- tallies


@dataclass
class Tally:
    """How the coders decided on ``n`` units for one code.

    ``counts`` maps a bit mask of the coders who coded a unit (bit ``i`` = ``coders[i]``) to
    the number of such units; units nobody coded are ``n - sum(counts.values())``.
    """

    n: int = 0
    counts: dict[int, int] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        self.n += other.n
        for mask, count in other.counts.items():
            self.counts[mask] = self.counts.get(mask, 0) + count

    def none(self) -> int:
        return self.n - sum(self.counts.values())

    def coded_by(self, index: int) -> int:
        bit = 1 << index
        return sum(c for mask, c in self.counts.items() if mask & bit)


def _char_tally(per_coder: list[list[Span]], universe: list[Span]) -> Tally:
    """Sweep the coders' (merged, clipped) spans: characters per mask of coders."""
    events: list[tuple[int, int]] = []
    for index, spans in enumerate(per_coder):
        bit = 1 << index
        for start, end in spans:
            events.append((start, bit))
            events.append((end, -bit))
    events.sort()
    counts: dict[int, int] = {}
    mask = 0
    last = 0
    for pos, delta in events:
        if mask and pos > last:
            counts[mask] = counts.get(mask, 0) + pos - last
        last = pos
        mask += delta  # spans of one coder are disjoint, so +bit/-bit never collide
    return Tally(n=sum(e - s for s, e in universe), counts=counts)


def _overlapping_units(units: list[Span], starts: list[int], ends: list[int],
                       start: int, end: int) -> range:
    """Indices of ``units`` overlapping ``[start, end)``."""
    lo = bisect_right(ends, start)
    hi = bisect_left(starts, end)
    return range(lo, max(lo, hi))


class _Prepared:
    """One document's codings indexed once for tallying many codes."""

    def __init__(self, document: DocumentData, coders: Sequence[str],
                 exclude_uncoded: bool) -> None:
        self.document = document
        self.coders = list(coders)
        self.index = {c: i for i, c in enumerate(coders)}
        mine = [c for c in document.codings if c.coder in self.index]
        self.by_code: dict[str, list[Coding]] = {}
        for coding in mine:
            self.by_code.setdefault(coding.code, []).append(coding)
        units = document.units
        if units is None:
            if exclude_uncoded:
                self.universe = _clip(merge_spans((c.start, c.end) for c in mine), 0,
                                      document.length)
            else:
                self.universe = [(0, document.length)] if document.length > 0 else []
            self.n = sum(e - s for s, e in self.universe)
            return
        self.starts = [s for s, _ in units]
        self.ends = [e for _, e in units]
        if exclude_uncoded:
            touched: set[int] = set()
            for coding in mine:
                touched.update(self.hits(coding))
            self.n = len(touched)
        else:
            self.n = len(units)

    def hits(self, coding: Coding) -> range:
        assert self.document.units is not None
        return _overlapping_units(self.document.units, self.starts, self.ends, coding.start,
                                  coding.end)

    def tally(self, code: str) -> Tally:
        codings = self.by_code.get(code, [])
        if self.document.units is None:
            per_coder: list[list[Span]] = []
            for coder in self.coders:
                spans = merge_spans((c.start, c.end) for c in codings if c.coder == coder)
                per_coder.append(_clip(spans, 0, self.document.length) if self.universe
                                 else [])
            tally = _char_tally(per_coder, self.universe)
            tally.n = self.n
            return tally
        masks: dict[int, int] = {}
        for coding in codings:
            bit = 1 << self.index[coding.coder]
            for u in self.hits(coding):
                masks[u] = masks.get(u, 0) | bit
        counts: dict[int, int] = {}
        for mask in masks.values():
            counts[mask] = counts.get(mask, 0) + 1
        return Tally(n=self.n, counts=counts)


def tally_code(document: DocumentData, coders: Sequence[str], code: str,
               exclude_uncoded: bool = False) -> Tally:
    """The :class:`Tally` of one code in one document."""
    return _Prepared(document, coders, exclude_uncoded).tally(code)


# --------------------------------------------------------------------------- figures


@dataclass
class PairFigures:
    """Two coders on one code (or pooled): the 2×2 table of units and its figures."""

    coder_a: str
    coder_b: str
    both: int
    only_a: int
    only_b: int
    neither: int
    agreement: float | None
    expected: float | None  # chance agreement p_e
    kappa: float | None

    def as_json(self) -> dict[str, Any]:
        return {"coders": [self.coder_a, self.coder_b], "both": self.both,
                "only": {self.coder_a: self.only_a, self.coder_b: self.only_b},
                "neither": self.neither, "agreement": _round(self.agreement),
                "expected": _round(self.expected), "kappa": _round(self.kappa)}


@dataclass
class Figures:
    """Agreement over ``units`` decisions per coder (``items`` when pooled over codes)."""

    units: int
    coded: dict[str, int]
    agreement: float | None
    kappa: float | None
    alpha: float | None
    pairs: list[PairFigures] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"units": self.units, "coded": dict(self.coded),
                "agreement": _round(self.agreement), "kappa": _round(self.kappa),
                "alpha": _round(self.alpha), "pairs": [p.as_json() for p in self.pairs]}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _pair_counts(tally: Tally, i: int, j: int) -> tuple[int, int, int, int]:
    bi, bj = 1 << i, 1 << j
    both = only_i = only_j = 0
    for mask, count in tally.counts.items():
        a, b = bool(mask & bi), bool(mask & bj)
        if a and b:
            both += count
        elif a:
            only_i += count
        elif b:
            only_j += count
    return both, only_i, only_j, tally.n - both - only_i - only_j


def _pair_stats(both: int, only_a: int, only_b: int, neither: int
                ) -> tuple[float | None, float | None, float | None]:
    """(p_o, p_e, κ) of a 2×2 table."""
    n = both + only_a + only_b + neither
    if n <= 0:
        return None, None, None
    p_o = (both + neither) / n
    p_a = (both + only_a) / n
    p_b = (both + only_b) / n
    p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
    kappa = None if p_e >= 1.0 - 1e-12 else (p_o - p_e) / (1.0 - p_e)
    return p_o, p_e, kappa


def _alpha_parts(tally: Tally, m: int) -> tuple[float, float, float]:
    """(o_01, n_0, n_1) of the binary coincidence matrix; every unit has all m values."""
    o01 = 0.0
    n1 = 0.0
    for mask, count in tally.counts.items():
        k = bin(mask).count("1")
        o01 += count * k * (m - k) / (m - 1)
        n1 += count * k
    n0 = tally.n * m - n1
    return o01, n0, n1


def _alpha(o01: float, n0: float, n1: float) -> float | None:
    n = n0 + n1
    if n <= 1 or n0 <= 0 or n1 <= 0:
        return None
    return 1.0 - (n - 1) * o01 / (n0 * n1)


def figures(tally: Tally, coders: Sequence[str]) -> Figures:
    """Percent agreement, κ (Light's mean for 3+ coders) and α of one code's tally."""
    pairs: list[PairFigures] = []
    for i, j in combinations(range(len(coders)), 2):
        both, only_a, only_b, neither = _pair_counts(tally, i, j)
        p_o, p_e, kappa = _pair_stats(both, only_a, only_b, neither)
        pairs.append(PairFigures(coders[i], coders[j], both, only_a, only_b, neither,
                                 p_o, p_e, kappa))
    alpha = _alpha(*_alpha_parts(tally, len(coders))) if len(coders) >= 2 else None
    return Figures(units=tally.n, coded={c: tally.coded_by(i) for i, c in enumerate(coders)},
                   agreement=_mean(p.agreement for p in pairs),
                   kappa=_mean(p.kappa for p in pairs), alpha=alpha, pairs=pairs)


def pooled(tallies: Sequence[Tally], coders: Sequence[str]) -> Figures:
    """Overall figures over every (code, unit) decision of ``tallies`` (one per code)."""
    m = len(coders)
    pairs: list[PairFigures] = []
    for i, j in combinations(range(m), 2):
        sums = [0, 0, 0, 0]
        p_os: list[float] = []
        p_es: list[float] = []
        for tally in tallies:
            counts = _pair_counts(tally, i, j)
            for k in range(4):
                sums[k] += counts[k]
            p_o, p_e, _ = _pair_stats(*counts)
            if p_o is not None and p_e is not None:
                p_os.append(p_o)
                p_es.append(p_e)
        if p_os:
            mean_o, mean_e = sum(p_os) / len(p_os), sum(p_es) / len(p_es)
            kappa = None if mean_e >= 1.0 - 1e-12 else (mean_o - mean_e) / (1.0 - mean_e)
            agreement: float | None = mean_o
            expected: float | None = mean_e
        else:
            agreement = expected = kappa = None
        pairs.append(PairFigures(coders[i], coders[j], *sums, agreement, expected, kappa))
    o01 = n0 = n1 = 0.0
    for tally in tallies:
        a, b, c = _alpha_parts(tally, m)
        o01, n0, n1 = o01 + a, n0 + b, n1 + c
    items = sum(t.n for t in tallies)
    coded = {c: sum(t.coded_by(i) for t in tallies) for i, c in enumerate(coders)}
    return Figures(units=items, coded=coded, agreement=_mean(p.agreement for p in pairs),
                   kappa=_mean(p.kappa for p in pairs), alpha=_alpha(o01, n0, n1), pairs=pairs)


# --------------------------------------------------------------------------- comparison


@dataclass
class CodeAgreement:
    code: str
    label: str
    figures: Figures

    def as_json(self) -> dict[str, Any]:
        return {"code_id": self.code, "code": self.label, **self.figures.as_json()}


@dataclass
class DocumentAgreement:
    id: str
    name: str
    units: int  # units of this document in the denominator (per code)
    figures: Figures  # pooled over the compared codes

    def as_json(self) -> dict[str, Any]:
        data = self.figures.as_json()
        data.pop("units")
        return {"id": self.id, "name": self.name, "units": self.units, "items": self.figures.units,
                **data}


@dataclass
class AgreementResult:
    """Everything one agreement run found, with the unit and denominator stated."""

    unit: str
    exclude_uncoded: bool
    coders: list[str]
    codes: list[CodeAgreement]
    documents: list[DocumentAgreement]
    overall: Figures
    units_per_code: int
    skipped_documents: list[tuple[str, str]] = field(default_factory=list)

    @property
    def unit_name(self) -> str:
        return UNIT_NAMES.get(self.unit, self.unit)

    @property
    def denominator(self) -> str:
        """``"all"`` (every unit counts) or ``"coded"`` (text no coder touched left out)."""
        return "coded" if self.exclude_uncoded else "all"

    def describe(self) -> str:
        """One line naming the unit and the denominator, for every output."""
        unit = self.unit_name
        docs = len(self.documents)
        doc_word = "document" if docs == 1 else "documents"
        if self.exclude_uncoded:
            return (f"unit: {unit}; denominator: the {self.units_per_code} {unit}s of {docs}"
                    f" {doc_word} that at least one of {', '.join(self.coders)} coded"
                    " (uncoded text excluded)")
        return (f"unit: {unit}; denominator: all {self.units_per_code} {unit}s of {docs}"
                f" {doc_word} (every {unit} counts, coded or not)")

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "denominator": self.denominator,
            "description": self.describe(),
            "exclude_uncoded": self.exclude_uncoded,
            "coders": list(self.coders),
            "units_per_code": self.units_per_code,
            "kappa_method": ("Cohen's kappa" if len(self.coders) == 2
                             else "mean of pairwise Cohen's kappa (Light's kappa)"),
            "overall_method": "pooled over codes: mean agreement, pooled kappa"
                              " (De Vries et al. 2008), alpha over all (code, unit) items",
            "overall": self.overall.as_json(),
            "codes": [c.as_json() for c in self.codes],
            "documents": [d.as_json() for d in self.documents],
            "skipped_documents": [{"name": n, "reason": r} for n, r in self.skipped_documents],
        }


def compare(documents: Sequence[DocumentData], coders: Sequence[str], codes: Sequence[str],
            *, unit: str = "char", exclude_uncoded: bool = False,
            labels: dict[str, str] | None = None,
            skipped: Sequence[tuple[str, str]] = ()) -> AgreementResult:
    """Agreement of ``coders`` on each of ``codes`` over ``documents``, and overall.

    ``unit`` only names the unit (each document's ``units`` decide what is counted).
    ``labels`` maps code ids to the paths shown. ``skipped`` lists documents the caller left
    out, with the reason, for the report.
    """
    if len(coders) < 2:
        raise ValueError("agreement needs at least two coders")
    if len(set(coders)) != len(coders):
        raise ValueError("the same coder is named twice")
    labels = labels or {}
    per_code: dict[str, Tally] = {code: Tally() for code in codes}
    doc_results: list[DocumentAgreement] = []
    for document in documents:
        prepared = _Prepared(document, coders, exclude_uncoded)
        tallies = []
        for code in codes:
            tally = prepared.tally(code)
            per_code[code].add(tally)
            tallies.append(tally)
        doc_units = tallies[0].n if tallies else 0
        doc_results.append(DocumentAgreement(document.id, document.name, doc_units,
                                             pooled(tallies, coders)))
    code_results = [CodeAgreement(code, labels.get(code, code), figures(per_code[code], coders))
                    for code in codes]
    units_per_code = per_code[codes[0]].n if codes else 0
    return AgreementResult(unit=unit, exclude_uncoded=exclude_uncoded, coders=list(coders),
                           codes=code_results, documents=doc_results,
                           overall=pooled(list(per_code.values()), coders),
                           units_per_code=units_per_code, skipped_documents=list(skipped))


# --------------------------------------------------------------------------- disagreements


@dataclass
class Passage:
    """A stretch of one document where the coders applied one code differently.

    ``spans[coder]`` are that coder's (merged) spans of the code inside ``[start, end)``.
    """

    document_id: str
    document: str
    code: str
    start: int
    end: int
    spans: dict[str, list[Span]]

    def version(self, coder: str) -> list[Span]:
        return list(self.spans.get(coder, []))

    def union(self) -> list[Span]:
        return merge_spans(s for spans in self.spans.values() for s in spans)


def passages(document: DocumentData, coders: Sequence[str], code: str) -> list[Passage]:
    """Where ``coders`` disagree on ``code`` in ``document``, in text order.

    Overlapping or touching segments of any coder form one passage. A passage is a
    disagreement when the coders' coverage differs: character by character when
    ``document.units`` is ``None``, else by the set of units their spans touch.
    """
    return passages_by_code(document, coders, [code]).get(code, [])


def passages_by_code(document: DocumentData, coders: Sequence[str],
                     codes: Iterable[str] | None = None) -> dict[str, list[Passage]]:
    """:func:`passages` for many codes at once (each document's codings read once)."""
    wanted = set(codes) if codes is not None else None
    grouped: dict[str, dict[str, list[Span]]] = {}
    for coding in document.codings:
        if coding.coder in coders and (wanted is None or coding.code in wanted):
            grouped.setdefault(coding.code, {}).setdefault(coding.coder, []).append(
                (coding.start, coding.end))
    units = document.units
    starts = [s for s, _ in units] if units is not None else []
    ends = [e for _, e in units] if units is not None else []
    out: dict[str, list[Passage]] = {}
    for code, by_coder in grouped.items():
        per_coder = {coder: merge_spans(by_coder.get(coder, [])) for coder in coders}
        regions = merge_spans(s for spans in per_coder.values() for s in spans)
        found: list[Passage] = []
        for start, end in regions:
            inside = {coder: [s for s in spans if s[0] < end and s[1] > start]
                      for coder, spans in per_coder.items()}
            if units is None:
                keys = [tuple(v) for v in inside.values()]
            else:
                keys = [tuple(sorted({u for s in v
                                      for u in _overlapping_units(units, starts, ends, *s)}))
                        for v in inside.values()]
            if len(set(keys)) > 1:
                found.append(Passage(document.id, document.name, code, start, end, inside))
        if found:
            out[code] = found
    return out
