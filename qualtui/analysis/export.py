"""Text exports of analysis results: CSV tables, and GraphML/DOT co-occurrence networks.

The networks have one node per code (id = code id; label = code path; ``frequency`` = n_A in
the count mode; ``color`` = the code's colour, also as ``r``/``g``/``b`` integers, which
Gephi reads) and one undirected edge per co-occurring pair. In GraphML ``weight`` is the
chosen measure and ``count`` is n_AB; in DOT ``weight`` is n_AB (Graphviz's ``dot`` wants an
integer), ``value`` the measure, and ``penwidth`` grows with the measure. Pairs that never
co-occur get no edge.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import Any

from qualtui.analysis.cooccurrence import CooccurrenceMatrix
from qualtui.analysis.matrices import Crosstab, FrequencyTable
from qualtui.analysis.saturation import SaturationResult

__all__ = [
    "cooccurrence_csv",
    "crosstab_csv",
    "frequencies_csv",
    "saturation_csv",
    "to_dot",
    "to_graphml",
]

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


def _csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _number(value: float | None, measure: str) -> str:
    if value is None:
        return ""
    return str(int(value)) if measure == "count" else f"{value:.6g}"


def cooccurrence_csv(matrix: CooccurrenceMatrix) -> str:
    """The square matrix: a header of code paths, one row per code; the diagonal is empty."""
    header = ["code", *(c.path for c in matrix.codes)]
    rows = ([code.path, *(_number(v, matrix.measure) for v in row)]
            for code, row in zip(matrix.codes, matrix.values, strict=True))
    return _csv(rows, header)


def crosstab_csv(table: Crosstab, percent: str = "none", transpose: bool = False) -> str:
    """Groups as rows and codes as columns (``transpose``: codes as rows), with totals.

    With a percentage the cells hold percentages (one decimal) and the totals stay counts.
    """
    def cell(i: int, j: int) -> str:
        pct = table.percent(i, j, percent)
        return str(table.cells[i][j]) if pct is None else f"{pct:.1f}"

    if transpose:
        header = ["code", *(g.label for g in table.groups), "total"]
        rows: list[list[str]] = [
            [code.path, *(cell(i, j) for j in range(len(table.groups))),
             str(table.code_totals[i])] for i, code in enumerate(table.codes)]
        rows.append(["total", *(str(t) for t in table.group_totals), str(table.grand_total)])
        return _csv(rows, header)
    label = "document" if table.grouping.kind == "documents" else (
        "case" if table.grouping.kind == "cases" else table.grouping.attribute)
    header = [label, *(c.path for c in table.codes), "total"]
    rows = [[group.label, *(cell(i, j) for i in range(len(table.codes))),
             str(table.group_totals[j])] for j, group in enumerate(table.groups)]
    rows.append(["total", *(str(t) for t in table.code_totals), str(table.grand_total)])
    return _csv(rows, header)


def frequencies_csv(table: FrequencyTable) -> str:
    header = ["code", "segments", "documents", "documents_pct", "cases", "cases_pct", "words"]
    rows = []
    for r in table.rows:
        data = r.as_json(table.documents, table.cases)
        rows.append([data[h] for h in header])
    return _csv(rows, header)


def saturation_csv(result: SaturationResult) -> str:
    header = ["index", "document", "order_value", "codes_used", "new", "cumulative",
              "new_codes", "saturation_point"]
    rows = [[s.index, s.document.name, "" if s.order_value is None else s.order_value,
             s.codes_used, len(s.new_codes), s.cumulative,
             "; ".join(c.path for c in s.new_codes), "yes" if s.index == result.point else ""]
            for s in result.steps]
    return _csv(rows, header)


def _rgb(color: str) -> tuple[int, int, int] | None:
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) != 6:
        return None
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return None


def to_graphml(matrix: CooccurrenceMatrix) -> str:
    """The co-occurrence network as GraphML (Gephi, yEd, networkx, igraph)."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    keys = [("label", "node", "string"), ("path", "node", "string"),
            ("frequency", "node", "int"), ("color", "node", "string"),
            ("r", "node", "int"), ("g", "node", "int"), ("b", "node", "int"),
            ("weight", "edge", "double"), ("count", "edge", "int")]
    for name, kind, kind_type in keys:
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {
            "id": f"{kind[0]}_{name}", "for": kind, "attr.name": name,
            "attr.type": kind_type})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {
        "id": "cooccurrence", "edgedefault": "undirected"})

    def data(parent: ET.Element, key: str, value: Any) -> None:
        ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", {"key": key}).text = str(value)

    for code, freq in zip(matrix.codes, matrix.frequency, strict=True):
        node = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": code.id})
        data(node, "n_label", code.name)
        data(node, "n_path", code.path)
        data(node, "n_frequency", freq)
        if code.color:
            data(node, "n_color", code.color)
            rgb = _rgb(code.color)
            if rgb:
                for name, value in zip("rgb", rgb, strict=True):
                    data(node, f"n_{name}", value)
    n = len(matrix.codes)
    for i in range(n):
        for j in range(i + 1, n):
            count = matrix.counts[i][j]
            if not count:
                continue
            edge = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {
                "id": f"e{i}_{j}", "source": matrix.codes[i].id, "target": matrix.codes[j].id})
            value = matrix.values[i][j] or 0.0
            data(edge, "e_weight", _number(value, matrix.measure))
            data(edge, "e_count", count)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(matrix: CooccurrenceMatrix) -> str:
    """The co-occurrence network as Graphviz DOT (``neato -Tsvg``, ``fdp``, Gephi)."""
    lines = [
        "graph cooccurrence {",
        f"  // proximity {matrix.proximity}, count {matrix.count}, measure {matrix.measure}",
        "  graph [overlap=false, splines=true];",
        "  node [shape=ellipse, style=filled, fontname=\"Helvetica\"];",
    ]
    for code, freq in zip(matrix.codes, matrix.frequency, strict=True):
        attrs = [f"label={_dot_string(code.name)}", f"tooltip={_dot_string(code.path)}",
                 f"frequency={freq}"]
        if _rgb(code.color):
            attrs.append(f"fillcolor={_dot_string(code.color)}")
        lines.append(f"  {_dot_string(code.id)} [{', '.join(attrs)}];")
    peak = matrix.max_value() or 1.0
    n = len(matrix.codes)
    for i in range(n):
        for j in range(i + 1, n):
            count = matrix.counts[i][j]
            if not count:
                continue
            value = matrix.values[i][j] or 0.0
            width = 1.0 + 4.0 * value / peak
            lines.append(
                f"  {_dot_string(matrix.codes[i].id)} -- {_dot_string(matrix.codes[j].id)}"
                f" [weight={count}, count={count}, value={_number(value, matrix.measure)},"
                f" penwidth={width:.2f}, label={_dot_string(matrix.format(value))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
