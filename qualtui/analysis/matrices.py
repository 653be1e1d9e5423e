"""Code matrices (code x document, code x case, code x attribute value) and code frequencies.

Crosstab
--------
Rows are codes at a level (see :func:`qualtui.analysis.data.level_map`), columns are
*groups*: each document, each case, or each value of an attribute (documents without the
attribute form the group ``(none)``). A cell is either

``segments``
    the number of segments of the code in the group's documents, or
``presence``
    the number of *units* in the group with at least one segment of the code, where the
    unit is the document for document columns and the case (respondent) for case and
    attribute columns; for a single document or case that is 0 or 1.

Totals: with ``segments`` a code's total and a group's total are the sums of their cells.
With ``presence`` a code's total is the number of distinct units carrying the code (a unit
in two attribute groups counts once) and a group's total is its *base*, the number of units
in the group. Percentages: ``code`` divides a cell by its code's total, ``group`` by its
group's total (for presence: the share of the group's units with the code), ``total`` by the
grand total (all segments, or all units).

Frequencies
-----------
Per code at a level: segments, documents and cases with at least one segment, and words
coded, which counts the words touched by the union of the code's segments in each document
(text coded twice, e.g. by two coders or by two sub-codes rolled up, counts once).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qualtui.analysis.data import (
    AnalysisData,
    CodeInfo,
    DocInfo,
    Level,
    Seg,
    level_codes,
    level_label,
    level_map,
)
from qualtui.core.errors import QualtuiError

__all__ = [
    "CELLS",
    "FREQUENCY_SORTS",
    "PERCENTS",
    "CodeFrequency",
    "Crosstab",
    "FrequencyTable",
    "Group",
    "Grouping",
    "cell_segments",
    "code_frequencies",
    "crosstab",
    "parse_grouping",
]

CELLS = ("segments", "presence")
PERCENTS = ("none", "code", "group", "total")
FREQUENCY_SORTS = ("code", "segments", "documents", "cases", "words")
NONE_GROUP = "(none)"


@dataclass(frozen=True)
class Grouping:
    """What the columns of a crosstab are: ``documents``, ``cases`` or ``attribute``."""

    kind: str = "documents"
    attribute: str = ""

    def __str__(self) -> str:
        return f"attribute:{self.attribute}" if self.kind == "attribute" else self.kind

    @property
    def unit(self) -> str:
        """What presence counts: documents for document columns, cases otherwise."""
        return "documents" if self.kind == "documents" else "cases"


def parse_grouping(text: str) -> Grouping:
    """``documents``, ``cases`` or ``attribute:NAME`` (a bare attribute name works too)."""
    value = text.strip()
    low = value.lower()
    if low in ("documents", "document", "docs"):
        return Grouping("documents")
    if low in ("cases", "case", "respondents"):
        return Grouping("cases")
    if low.startswith("attribute:") and value[10:].strip():
        return Grouping("attribute", value[10:].strip())
    if value and ":" not in value:
        return Grouping("attribute", value)
    raise QualtuiError(f"bad grouping '{text}': use documents, cases or attribute:NAME")


@dataclass(frozen=True)
class Group:
    """One column: its key (document id, case name or attribute value), label, documents."""

    key: str
    label: str
    documents: tuple[str, ...]
    base: int  # units in the group (documents, or cases)


@dataclass
class Crosstab:
    """Codes x groups; see the module docstring for cells, totals and percentages."""

    codes: list[CodeInfo]
    groups: list[Group]
    cells: list[list[int]]
    grouping: Grouping
    cell_mode: str
    level: Level
    code_totals: list[int]
    group_totals: list[int]
    grand_total: int

    def percent(self, i: int, j: int, of: str) -> float | None:
        """Cell ``(i, j)`` as a percentage of its code's, group's or the grand total."""
        if of not in PERCENTS:
            raise QualtuiError(f"unknown percentage '{of}': use {', '.join(PERCENTS)}")
        if of == "none":
            return None
        base = (self.code_totals[i] if of == "code" else self.group_totals[j]
                if of == "group" else self.grand_total)
        return 100.0 * self.cells[i][j] / base if base else 0.0

    def total_percent(self, index: int, axis: str, of: str) -> float | None:
        """A code's (``axis="code"``) or group's total as a percentage, where meaningful."""
        if of in ("none",) or not self.grand_total:
            return None
        if axis == "code":
            if of == "code":
                return 100.0
            return 100.0 * self.code_totals[index] / self.grand_total
        if of == "group":
            return 100.0
        return 100.0 * self.group_totals[index] / self.grand_total

    def as_json(self) -> dict[str, Any]:
        return {
            "options": {"rows_by": str(self.grouping), "cells": self.cell_mode,
                        "unit": "segments" if self.cell_mode == "segments"
                        else self.grouping.unit, "level": level_label(self.level)},
            "codes": [{"id": c.id, "path": c.path, "total": t}
                      for c, t in zip(self.codes, self.code_totals, strict=True)],
            "groups": [{"key": g.key, "label": g.label, "base": g.base, "total": t}
                       for g, t in zip(self.groups, self.group_totals, strict=True)],
            "cells": self.cells,
            "grand_total": self.grand_total,
        }


def _groups(data: AnalysisData, grouping: Grouping) -> list[Group]:
    if grouping.kind == "documents":
        return [Group(d.id, d.name, (d.id,), 1) for d in data.documents]
    if grouping.kind == "cases":
        members: dict[str, list[str]] = {}
        for doc in data.documents:
            members.setdefault(doc.case_name, []).append(doc.id)
        return [Group(name, name, tuple(ids), 1) for name, ids in members.items()]
    name = grouping.attribute
    if name not in data.attribute_names():
        raise QualtuiError(f"no attribute '{name}' (attributes: "
                           + (", ".join(sorted(data.attribute_names())) or "none") + ")")
    by_value: dict[str, list[DocInfo]] = {}
    raw: dict[str, Any] = {}
    for doc in data.documents:
        value = doc.attributes.get(name)
        key = NONE_GROUP if value is None or value == "" else str(value)
        raw.setdefault(key, value)
        by_value.setdefault(key, []).append(doc)

    def order(key: str) -> tuple[int, Any, str]:
        value = raw[key]
        if key == NONE_GROUP:
            return (2, 0, key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (0, value, key)
        return (1, 0, key.casefold())

    out: list[Group] = []
    for key in sorted(by_value, key=order):
        docs = by_value[key]
        out.append(Group(key, key, tuple(d.id for d in docs),
                         len({d.case_name for d in docs})))
    return out


def crosstab(data: AnalysisData, grouping: Grouping | None = None, cells: str = "segments",
             level: Level = "leaf", *, include_unused: bool = False) -> Crosstab:
    """The code x group matrix of ``data`` (already filtered)."""
    grouping = grouping or Grouping()
    if cells not in CELLS:
        raise QualtuiError(f"unknown cells '{cells}': use {', '.join(CELLS)}")
    mapping = level_map(data.codes, level)
    codes = level_codes(data, mapping, used_only=not include_unused)
    index = {c.id: i for i, c in enumerate(codes)}
    groups = _groups(data, grouping)
    groups_of_doc: dict[str, list[int]] = {}
    for j, group in enumerate(groups):
        for doc_id in group.documents:
            groups_of_doc.setdefault(doc_id, []).append(j)
    unit_of = {d.id: (d.id if grouping.unit == "documents" else d.case_name)
               for d in data.documents}
    n, m = len(codes), len(groups)
    seg_cells = [[0] * m for _ in range(n)]
    present: list[list[set[str]]] = [[set() for _ in range(m)] for _ in range(n)]
    code_units: list[set[str]] = [set() for _ in range(n)]
    for seg in data.segments:
        i = index.get(mapping.get(seg.code_id, ""))
        if i is None or seg.document_id not in unit_of:
            continue
        unit = unit_of[seg.document_id]
        code_units[i].add(unit)
        for j in groups_of_doc.get(seg.document_id, ()):
            seg_cells[i][j] += 1
            present[i][j].add(unit)
    if cells == "segments":
        table = seg_cells
        code_totals = [sum(row) for row in table]
        group_totals = [sum(table[i][j] for i in range(n)) for j in range(m)]
        grand = sum(code_totals)
    else:
        table = [[len(present[i][j]) for j in range(m)] for i in range(n)]
        code_totals = [len(units) for units in code_units]
        group_totals = [g.base for g in groups]
        grand = len(set(unit_of.values()))
    return Crosstab(codes=codes, groups=groups, cells=table, grouping=grouping,
                    cell_mode=cells, level=level, code_totals=code_totals,
                    group_totals=group_totals, grand_total=grand)


def cell_segments(data: AnalysisData, code_id: str, group: Group | None,
                  level: Level = "leaf") -> list[Seg]:
    """The segments behind a crosstab cell (``group=None``: the code's whole row).

    ``code_id`` is the id of the row's code at ``level``; segments come in document order,
    then by position.
    """
    mapping = level_map(data.codes, level)
    docs = set(group.documents) if group is not None else {d.id for d in data.documents}
    order = {d.id: d.position for d in data.documents}
    out = [s for s in data.segments
           if s.document_id in docs and mapping.get(s.code_id) == code_id]
    out.sort(key=lambda s: (order.get(s.document_id, 0), s.start, s.end, s.coder))
    return out


# --------------------------------------------------------------------------- frequencies


@dataclass(frozen=True)
class CodeFrequency:
    """One row of the frequency table."""

    code: CodeInfo
    segments: int
    documents: int
    cases: int
    words: int

    def as_json(self, total_documents: int, total_cases: int) -> dict[str, Any]:
        return {"code": self.code.path, "id": self.code.id, "segments": self.segments,
                "documents": self.documents,
                "documents_pct": _pct(self.documents, total_documents),
                "cases": self.cases, "cases_pct": _pct(self.cases, total_cases),
                "words": self.words}


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass
class FrequencyTable:
    """Code frequencies; ``rows`` in codebook order until :meth:`sorted_by` is used."""

    rows: list[CodeFrequency]
    documents: int
    cases: int
    level: Level
    sort: str = "code"
    totals: dict[str, int] = field(default_factory=dict)

    def sorted_by(self, key: str, reverse: bool | None = None) -> FrequencyTable:
        """Rows by ``code`` (codebook order) or by a count, largest first by default."""
        if key not in FREQUENCY_SORTS:
            raise QualtuiError(f"unknown sort '{key}': use {', '.join(FREQUENCY_SORTS)}")
        position = {id(r): i for i, r in enumerate(self.rows)}
        if key == "code":
            rows = sorted(self.rows, key=lambda r: position[id(r)], reverse=bool(reverse))
        else:
            descending = True if reverse is None else reverse
            rows = sorted(self.rows, key=lambda r: (
                -getattr(r, key) if descending else getattr(r, key), position[id(r)]))
        return FrequencyTable(rows, self.documents, self.cases, self.level, key,
                              dict(self.totals))

    def as_json(self) -> dict[str, Any]:
        return {"options": {"level": level_label(self.level), "sort": self.sort},
                "documents": self.documents, "cases": self.cases, "totals": self.totals,
                "codes": [r.as_json(self.documents, self.cases) for r in self.rows]}


def code_frequencies(data: AnalysisData, level: Level = "leaf", *,
                     include_unused: bool = True) -> FrequencyTable:
    """Segments, documents, cases and words coded per code at ``level``."""
    mapping = level_map(data.codes, level)
    codes = level_codes(data, mapping, used_only=not include_unused)
    index = {c.id: i for i, c in enumerate(codes)}
    docs = data.doc_by_id
    n = len(codes)
    segs = [0] * n
    doc_sets: list[set[str]] = [set() for _ in range(n)]
    case_sets: list[set[str]] = [set() for _ in range(n)]
    spans: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for seg in data.segments:
        i = index.get(mapping.get(seg.code_id, ""))
        doc = docs.get(seg.document_id)
        if i is None or doc is None:
            continue
        segs[i] += 1
        doc_sets[i].add(doc.id)
        case_sets[i].add(doc.case_name)
        spans.setdefault((i, doc.id), []).append((seg.start, seg.end))
    words = [0] * n
    word_cache: dict[str, tuple[list[int], list[int]]] = {}
    for (i, doc_id), ranges in spans.items():
        if doc_id not in word_cache:
            from qualtui.core.text import word_spans

            found = word_spans(docs[doc_id].text)
            word_cache[doc_id] = ([a for a, _ in found], [b for _, b in found])
        starts, ends = word_cache[doc_id]
        for start, end in merge_spans(ranges):
            # words overlapping [start, end): end > start and start < end
            words[i] += max(0, bisect_left(starts, end) - bisect_right(ends, start))
    rows = [CodeFrequency(c, segs[i], len(doc_sets[i]), len(case_sets[i]), words[i])
            for i, c in enumerate(codes)]
    totals = {"segments": len([s for s in data.segments
                               if mapping.get(s.code_id, "") in index]),
              "documents": len(data.documents), "cases": len(data.cases)}
    return FrequencyTable(rows, len(data.documents), len(data.cases), level, "code", totals)


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of half-open spans as sorted, disjoint spans (touching spans join)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
