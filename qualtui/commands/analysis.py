"""Analysis commands: ``cooccur``, ``matrix``, ``frequencies`` and ``saturation``.

Importing this module is cheap: the analysis code is imported inside the commands. Every
command reads the project through :func:`qualtui.analysis.data.from_project`, narrows it
with the shared filter options (``--coder``, ``--doc``, ``--where``, ``--code``) and prints a
table, or ``--json`` / ``--csv`` (co-occurrence also ``--graphml`` / ``--dot``), optionally
into a file with ``-o``. The JSON shapes are documented in ``docs/cli-analysis.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualtui.commands.common import echo_json, open_project_for, project_option, write_output

if TYPE_CHECKING:
    from qualtui.analysis.data import AnalysisData, Seg

SUFFIX_FORMATS = {".json": "json", ".csv": "csv", ".graphml": "graphml", ".dot": "dot",
                  ".gv": "dot"}


# --------------------------------------------------------------------------- shared options


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--coder``, ``--doc``, ``--where``, ``--code`` and ``--level`` (shared by every command)."""
    options = [
        click.option("--coder", "coders", multiple=True,
                     help="Only this coder's segments (repeat for several)."),
        click.option("--doc", "doc_names", multiple=True,
                     help="Only this document (repeat for several)."),
        click.option("--where", "conditions", multiple=True, metavar="COND",
                     help="Only documents whose attribute matches, e.g. role=Webmaster,"
                          " years_of_service>=10, 'mode!=online (Zoom)'; repeat to AND."),
        click.option("--code", "code_paths", multiple=True, metavar="PATH",
                     help="Only this code and its sub-codes (repeat for several)."),
        click.option("--level", default="leaf", show_default=True,
                     help="leaf (codes as applied), top (roll up to top-level codes) or a"
                          " depth N."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def output_options(formats: Sequence[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """One flag per machine format plus ``-o FILE``."""
    helps = {"json": "Print JSON.", "csv": "Print CSV.",
             "graphml": "Print the network as GraphML (Gephi, yEd).",
             "dot": "Print the network as Graphviz DOT."}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
                            help="Write to this file (format from the flag, else the"
                                 " suffix).")(func)
        for name in reversed(formats):
            func = click.option(f"--{name}", f"as_{name}", is_flag=True,
                                help=helps[name])(func)
        return func

    return decorate


def chosen_format(params: dict[str, Any], output: Path | None, formats: Sequence[str]) -> str:
    """``text`` or the one machine format asked for (flag, else the output file's suffix)."""
    from qualtui.core.errors import QualtuiError

    picked = [name for name in formats if params.get(f"as_{name}")]
    if len(picked) > 1:
        raise QualtuiError("choose one of " + ", ".join(f"--{f}" for f in picked))
    if picked:
        return picked[0]
    if output is not None:
        fmt = SUFFIX_FORMATS.get(output.suffix.lower())
        if fmt in formats:
            return fmt
    return "text"


def load(ctx: click.Context, project_path: Path | None, coders: Sequence[str],
         doc_names: Sequence[str], conditions: Sequence[str],
         code_paths: Sequence[str]) -> AnalysisData:
    """The project's analysis data, filtered by the shared options."""
    from qualtui.analysis.data import from_project, select

    project = open_project_for(ctx, project_path)
    data = from_project(project)
    return select(data, coders=coders or None, documents=doc_names or None,
                  where=list(conditions), codes=code_paths or None)


def emit(text: str, output: Path | None) -> None:
    write_output(text if text.endswith("\n") else text + "\n", output)


def emit_json(data: Any, output: Path | None) -> None:
    if output is None:
        echo_json(data)
        return
    import orjson

    emit(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode(), output)


def table(rows: Sequence[Sequence[Any]], header: Sequence[str],
          align: str | None = None) -> str:
    """A plain text table; ``align`` has one ``l``/``r`` per column (default: r but first)."""
    align = align or "l" + "r" * (len(header) - 1)
    cells = [[str(h) for h in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        parts = [cell.ljust(w) if a == "l" else cell.rjust(w)
                 for cell, w, a in zip(row, widths, align, strict=True)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def plural(n: int, word: str) -> str:
    """``"1 document"``, ``"2 documents"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def snippet(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def segment_json(data: AnalysisData, seg: Seg) -> dict[str, Any]:
    doc = data.doc_by_id[seg.document_id]
    code = data.code_by_id.get(seg.code_id)
    return {"id": seg.id, "document": doc.name, "document_id": doc.id,
            "code": code.path if code else seg.code_id, "code_id": seg.code_id,
            "coder": seg.coder, "start": seg.start, "end": seg.end,
            "text": doc.text[seg.start:seg.end]}


def filters_line(coders: Sequence[str], doc_names: Sequence[str], conditions: Sequence[str],
                 code_paths: Sequence[str]) -> str:
    parts = []
    if coders:
        parts.append("coder " + "|".join(coders))
    if doc_names:
        parts.append("documents " + ", ".join(doc_names))
    parts.extend(f"where {c}" for c in conditions)
    if code_paths:
        parts.append("codes " + ", ".join(code_paths))
    return ("; " + "; ".join(parts)) if parts else ""


# --------------------------------------------------------------------------- cooccur


@click.command("cooccur")
@click.option("--proximity", default="overlap", show_default=True,
              help="overlap, turn (same speaker turn), paragraph, or chars:N (within N"
                   " characters).")
@click.option("--count", "count_mode", default="segments", show_default=True,
              type=click.Choice(["segments", "documents", "cases"]),
              help="Count co-occurring segment pairs, documents or cases.")
@click.option("--measure", default="count", show_default=True,
              type=click.Choice(["count", "jaccard", "c"]),
              help="The raw count, the Jaccard index or ATLAS.ti's c-coefficient.")
@click.option("--sort", "sort_by", default="code", show_default=True,
              type=click.Choice(["code", "total"]),
              help="Order of the matrix: codebook order or by total, largest first.")
@click.option("--drill", nargs=2, metavar="CODE_A CODE_B", default=None,
              help="List the passages where these two codes co-occur.")
@filter_options
@output_options(("json", "csv", "graphml", "dot"))
@project_option
@click.pass_context
def cooccur(ctx: click.Context, proximity: str, count_mode: str, measure: str, sort_by: str,
            drill: tuple[str, str] | None, coders: tuple[str, ...], doc_names: tuple[str, ...],
            conditions: tuple[str, ...], code_paths: tuple[str, ...], level: str,
            output: Path | None, project_path: Path | None, **formats: bool) -> None:
    """Code co-occurrence: a code x code matrix, or the passages of one pair (--drill).

    n12 is the number of co-occurring segment pairs, documents or cases (--count); see
    docs/cli-analysis.md for the exact definitions of n1, n2, n12, Jaccard and c.
    """
    from qualtui.analysis.cooccurrence import (
        compute_cooccurrence,
        cooccurring_passages,
        parse_proximity,
    )
    from qualtui.analysis.data import level_map, parse_level
    from qualtui.core.errors import QualtuiError

    fmt = chosen_format(formats, output, ("json", "csv", "graphml", "dot"))
    prox = parse_proximity(proximity)
    lvl = parse_level(level)
    data = load(ctx, project_path, coders, doc_names, conditions, code_paths)
    if drill:
        if fmt in ("csv", "graphml", "dot"):
            raise QualtuiError("--drill prints text or --json")
        mapping = level_map(data.codes, lvl)
        a, b = (mapping[data.find_code(path).id] for path in drill)
        passages = cooccurring_passages(data, a, b, prox, lvl)
        if fmt == "json":
            emit_json([p.as_json(data.code_by_id) for p in passages], output)
            return
        lines = []
        for p in passages:
            lines.append(f"{p.document.name:<8} {p.start:>6}-{p.end:<6} "
                         f"{data.code_by_id[p.a.code_id].path} [{p.a.coder}] x "
                         f"{data.code_by_id[p.b.code_id].path} [{p.b.coder}]\n"
                         f"          \"{snippet(p.text)}\"")
        lines.append(plural(len(passages), "passage"))
        emit("\n".join(lines), output)
        return
    stats = compute_cooccurrence(data, prox, lvl)
    matrix = stats.matrix(count_mode, measure)
    if sort_by == "total":
        matrix = matrix.sorted_by_total()
    if fmt == "json":
        payload = matrix.as_json()
        payload["options"]["filters"] = {"coders": list(coders), "documents": list(doc_names),
                                         "where": list(conditions), "codes": list(code_paths)}
        emit_json(payload, output)
        return
    if fmt in ("csv", "graphml", "dot"):
        from qualtui.analysis import export

        writer = {"csv": export.cooccurrence_csv, "graphml": export.to_graphml,
                  "dot": export.to_dot}[fmt]
        emit(writer(matrix), output)
        return
    head = (f"co-occurrence of {plural(len(matrix.codes), 'code')} in"
            f" {plural(matrix.documents, 'document')} ({plural(matrix.segments, 'segment')}):"
            f" proximity {prox}, count {count_mode},"
            f" measure {measure}, level {level}"
            + filters_line(coders, doc_names, conditions, code_paths))
    rows = [[p.n12, p.n1, p.n2, f"{p.jaccard:.2f}", f"{p.c:.2f}" + ("!" if p.c_out_of_range
                                                                  else ""),
             f"{p.a.path}  x  {p.b.path}"] for p in matrix.pairs()]
    body = table(rows, ["n12", "n1", "n2", "jaccard", "c", "codes"], "rrrrrl") if rows \
        else "no co-occurring codes\n"
    note = ("! c capped at 1: segment pairs outnumber the segments (nested or double coding)\n"
            if any(p.c_out_of_range for p in matrix.pairs()) else "")
    emit(head + "\n" + body + note, output)


# --------------------------------------------------------------------------- matrix


@click.command("matrix")
@click.option("--rows", "rows_by", default="documents", show_default=True,
              help="documents, cases or attribute:NAME (e.g. attribute:role); codes are the"
                   " columns.")
@click.option("--cells", default="segments", show_default=True,
              type=click.Choice(["segments", "presence"]),
              help="Segments per cell, or presence: documents (cases for case/attribute"
                   " rows) with at least one segment.")
@click.option("--percent", default="none", show_default=True,
              type=click.Choice(["none", "row", "column", "total"]),
              help="Show cells as a percentage of the row, column or grand total.")
@click.option("--transpose", is_flag=True, help="Codes as rows instead of columns.")
@click.option("--all-codes", is_flag=True, help="Include codes with no segment.")
@click.option("--drill", nargs=2, metavar="ROW COLUMN", default=None,
              help="List the segments of one cell, e.g. --drill P01 Benefits/Transparency"
                   " (use 'total' for a whole row or column).")
@filter_options
@output_options(("json", "csv"))
@project_option
@click.pass_context
def matrix(ctx: click.Context, rows_by: str, cells: str, percent: str, transpose: bool,
           all_codes: bool, drill: tuple[str, str] | None, coders: tuple[str, ...],
           doc_names: tuple[str, ...], conditions: tuple[str, ...],
           code_paths: tuple[str, ...], level: str, output: Path | None,
           project_path: Path | None, **formats: bool) -> None:
    """Crosstab of codes by document, case or attribute value, with totals."""
    from qualtui.analysis.data import level_map, parse_level
    from qualtui.analysis.matrices import cell_segments, crosstab, parse_grouping
    from qualtui.core.errors import QualtuiError

    fmt = chosen_format(formats, output, ("json", "csv"))
    grouping = parse_grouping(rows_by)
    lvl = parse_level(level)
    data = load(ctx, project_path, coders, doc_names, conditions, code_paths)
    result = crosstab(data, grouping, cells, lvl, include_unused=all_codes)
    # "row"/"column" name the printed layout; the crosstab speaks of code and group
    of = {"none": "none", "total": "total",
          "row": "code" if transpose else "group",
          "column": "group" if transpose else "code"}[percent]
    if drill:
        row, column = drill
        group_name, code_name = (column, row) if transpose else (row, column)
        code = None
        if code_name.lower() != "total":
            code = data.find_code(code_name)
            code = data.code_by_id[level_map(data.codes, lvl)[code.id]]
        group = None
        if group_name.lower() != "total":
            matches = [g for g in result.groups if g.label == group_name] or [
                g for g in result.groups if g.label.casefold() == group_name.casefold()]
            if not matches:
                raise QualtuiError(f"no column or row '{group_name}' (have: "
                                   + ", ".join(g.label for g in result.groups[:12]) + ")")
            group = matches[0]
        if code is None:
            segs = [s for c in result.codes for s in cell_segments(data, c.id, group, lvl)]
        else:
            segs = cell_segments(data, code.id, group, lvl)
        if fmt == "json":
            emit_json([segment_json(data, s) for s in segs], output)
            return
        if fmt == "csv":
            raise QualtuiError("--drill prints text or --json")
        lines = []
        for s in segs:
            item = segment_json(data, s)
            lines.append(f"{item['id'][:8]}  {item['document']:<8} {s.start:>6}-{s.end:<6}"
                         f" {s.coder:<8} {item['code']}\n          \"{snippet(item['text'])}\"")
        lines.append(plural(len(segs), "segment"))
        emit("\n".join(lines), output)
        return
    if fmt == "json":
        payload = result.as_json()
        payload["options"]["filters"] = {"coders": list(coders), "documents": list(doc_names),
                                         "where": list(conditions), "codes": list(code_paths)}
        payload["options"]["transpose"] = transpose
        emit_json(payload, output)
        return
    if fmt == "csv":
        from qualtui.analysis.export import crosstab_csv

        emit(crosstab_csv(result, of, transpose), output)
        return

    def cell(i: int, j: int) -> str:
        pct = result.percent(i, j, of)
        value = result.cells[i][j]
        if pct is None:
            return str(value) if value else "."
        return f"{pct:.0f}%" if value else "."

    unit = "segments" if cells == "segments" else grouping.unit
    head = (f"{len(result.codes)} codes x {len(result.groups)} {grouping} ({unit};"
            f" percent {percent}; level {level})"
            + filters_line(coders, doc_names, conditions, code_paths) + "\n")
    if transpose:
        header = ["code", *(g.label for g in result.groups), "total"]
        rows = [[c.path, *(cell(i, j) for j in range(len(result.groups))),
                 result.code_totals[i]] for i, c in enumerate(result.codes)]
        rows.append(["total", *result.group_totals, result.grand_total])
        emit(head + table(rows, header), output)
        return
    from qualtui.analysis.data import unique_labels

    labels = unique_labels(result.codes, 10)
    header = [str(grouping), *labels, "total"]
    rows = [[g.label, *(cell(i, j) for i in range(len(result.codes))),
             result.group_totals[j]] for j, g in enumerate(result.groups)]
    rows.append(["total", *result.code_totals, result.grand_total])
    key = ""
    if any(label != c.path for label, c in zip(labels, result.codes, strict=True)):
        key = "columns:" + "".join(f"\n  {label:<10} {c.path}"
                                   for label, c in zip(labels, result.codes, strict=True))
    emit(head + table(rows, header) + key, output)


# --------------------------------------------------------------------------- frequencies


@click.command("frequencies")
@click.option("--sort", "sort_by", default="code", show_default=True,
              type=click.Choice(["code", "segments", "documents", "cases", "words"]),
              help="Codebook order, or a count (largest first).")
@click.option("--ascending", is_flag=True, help="Smallest first (or codebook order reversed).")
@click.option("--used-only", is_flag=True, help="Leave out codes with no segment.")
@filter_options
@output_options(("json", "csv"))
@project_option
@click.pass_context
def frequencies(ctx: click.Context, sort_by: str, ascending: bool, used_only: bool,
                coders: tuple[str, ...], doc_names: tuple[str, ...],
                conditions: tuple[str, ...], code_paths: tuple[str, ...], level: str,
                output: Path | None, project_path: Path | None, **formats: bool) -> None:
    """Code frequencies: segments, documents, cases and words coded per code."""
    from qualtui.analysis.data import descendants, parse_level
    from qualtui.analysis.matrices import code_frequencies

    fmt = chosen_format(formats, output, ("json", "csv"))
    data = load(ctx, project_path, coders, doc_names, conditions, code_paths)
    result = code_frequencies(data, parse_level(level), include_unused=not used_only)
    if code_paths:  # the zero rows of unused codes too only within the chosen subtrees
        keep: set[str] = set()
        for path in code_paths:
            root = data.find_code(path)
            keep.update([root.id, *descendants(data.codes, root.id)])
        result.rows = [r for r in result.rows if r.code.id in keep]
    result = result.sorted_by(sort_by, (not ascending) if sort_by != "code" else ascending)
    if fmt == "json":
        emit_json(result.as_json(), output)
        return
    if fmt == "csv":
        from qualtui.analysis.export import frequencies_csv

        emit(frequencies_csv(result), output)
        return
    rows = []
    for r in result.rows:
        item = r.as_json(result.documents, result.cases)
        rows.append([r.code.path, r.segments, f"{r.documents} ({item['documents_pct']:.0f}%)",
                     f"{r.cases} ({item['cases_pct']:.0f}%)", r.words])
    head = (f"{len(result.rows)} codes; {result.documents} documents, {result.cases} cases"
            + filters_line(coders, doc_names, conditions, code_paths) + "\n")
    emit(head + table(rows, ["code", "segments", "documents", "cases", "words"]), output)


# --------------------------------------------------------------------------- saturation


@click.command("saturation")
@click.option("--order", default="import", show_default=True,
              help="Interview order: import, or attribute:NAME (e.g."
                   " attribute:interview_date).")
@click.option("-k", "k", type=click.IntRange(min=1), default=3, show_default=True,
              help="Successive interviews without a new code that mark saturation.")
@filter_options
@output_options(("json", "csv"))
@project_option
@click.pass_context
def saturation(ctx: click.Context, order: str, k: int, coders: tuple[str, ...],
               doc_names: tuple[str, ...], conditions: tuple[str, ...],
               code_paths: tuple[str, ...], level: str, output: Path | None,
               project_path: Path | None, **formats: bool) -> None:
    """New codes per interview, the cumulative curve, and where saturation was reached."""
    from qualtui.analysis.data import parse_level
    from qualtui.analysis.saturation import saturation as compute

    fmt = chosen_format(formats, output, ("json", "csv"))
    data = load(ctx, project_path, coders, doc_names, conditions, code_paths)
    result = compute(data, order, k, parse_level(level))
    if fmt == "json":
        emit_json(result.as_json(), output)
        return
    if fmt == "csv":
        from qualtui.analysis.export import saturation_csv

        emit(saturation_csv(result), output)
        return
    peak = max(result.curve, default=0) or 1
    rows = []
    for s in result.steps:
        bar = "#" * round(20 * s.cumulative / peak)
        mark = "  <- saturation" if s.index == result.point else ""
        names = ", ".join(c.name for c in s.new_codes)
        rows.append([s.index, s.document.name, "" if s.order_value is None else s.order_value,
                     len(s.new_codes), s.cumulative, f"{bar:<20}{mark}", snippet(names, 50)])
    out = table(rows, ["#", "document", result.order.removeprefix("attribute:")
                       if result.order != "import" else "order", "new", "total", "curve",
                       "new codes"], "rlrrrll")
    skipped = (f"not coded yet (left out): {', '.join(d.name for d in result.skipped)}\n"
               if result.skipped else "")
    emit(out + skipped + f"saturation (k={k}): {result.summary()}", output)


def register(main: click.Group) -> None:
    """Add the analysis commands to the ``qualtui`` group."""
    for command in (cooccur, matrix, frequencies, saturation):
        main.add_command(command)
