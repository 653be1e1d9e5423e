"""Retrieval and codebook commands: ``query``, ``search``, ``autocode``, ``codes``,
``codebook add|edit|rename|move|merge|delete|split|recolor`` and
``attributes export|check|set``.

Importing this module is cheap: the core is imported inside the commands. See
``docs/codebook-and-retrieval.md`` for the query syntax and the JSON shapes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualtui.commands.common import (
    coder_option,
    echo_json,
    open_project_for,
    project_option,
    write_output,
)

if TYPE_CHECKING:
    from qualtui.core.codebook_tools import CodeCounts
    from qualtui.core.models import Code
    from qualtui.core.project import Project
    from qualtui.core.search import ResultRow

__all__ = ["register"]


def register(main: click.Group) -> None:
    """Add the retrieval commands to ``qualtui`` and its ``codebook``/``attributes`` groups."""
    for command in (query, search, autocode, codes):
        main.add_command(command)
    codebook = main.commands.get("codebook")
    if isinstance(codebook, click.Group):
        for command in (codebook_add, codebook_edit, codebook_rename, codebook_move,
                        codebook_merge, codebook_delete, codebook_split, codebook_recolor):
            codebook.add_command(command)
    attributes = main.commands.get("attributes")
    if isinstance(attributes, click.Group):
        for command in (attributes_export, attributes_check, attributes_set):
            attributes.add_command(command)


# --------------------------------------------------------------------------- output helpers


def _output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
                        help="Write to FILE (format from its extension: .csv, .md, .json)."
                        )(func)
    func = click.option("--md", "as_md", is_flag=True,
                        help="Markdown quotes with document and speaker.")(func)
    func = click.option("--csv", "as_csv", is_flag=True, help="CSV, one row per result.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)
    func = click.option("--context", type=click.IntRange(0, 2000), default=40,
                        show_default=True, help="Characters of context either side.")(func)
    return func


def _format(as_json: bool, as_csv: bool, as_md: bool, output: Path | None) -> str:
    chosen = [name for name, flag in (("json", as_json), ("csv", as_csv), ("md", as_md))
              if flag]
    if len(chosen) > 1:
        raise click.UsageError("choose one of --json, --csv, --md")
    if chosen:
        return chosen[0]
    if output is not None:
        return {".csv": "csv", ".md": "md", ".markdown": "md", ".json": "json"}.get(
            output.suffix.lower(), "text")
    return "text"


def _json_text(data: Any) -> str:
    import orjson

    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


def _emit_rows(project: Project, rows: Sequence[ResultRow], fmt: str, output: Path | None,
               title: str, subtitle: str, context: int, payload: dict[str, Any],
               extra: Callable[[ResultRow], dict[str, Any]] | None = None) -> None:
    """Print or write ``rows`` as text, JSON (``payload`` + ``hits``), CSV or Markdown."""
    from qualtui.core.search import kwic, rows_to_csv, rows_to_markdown

    if fmt == "json":
        hits = []
        for row in rows:
            k = kwic(project.documents.text(row.document_id), row.start, row.end, context)
            item = row.as_json() | {"left": k.left, "right": k.right}
            if extra is not None:
                item |= extra(row)
            hits.append(item)
        data = payload | {"count": len(rows), "hits": hits}
        if output is None:
            echo_json(data)
        else:
            write_output(_json_text(data), output)
    elif fmt == "csv":
        write_output(rows_to_csv(project, rows, context), output)
    elif fmt == "md":
        write_output(rows_to_markdown(rows, title, subtitle), output)
    else:
        lines = []
        for row in rows:
            k = kwic(project.documents.text(row.document_id), row.start, row.end, context)
            flags = ("M " if row.memo else "") + "; ".join(row.codes)
            lines.append(f"{row.document:<8} {row.start:>6}-{row.end:<6} {row.speaker[:14]:<14}"
                         f" {flags}".rstrip())
            lines.append(f"    {k.left}[{k.match}]{k.right}")
        write_output("\n".join(lines) + ("\n" if lines else ""), output)
        noun = "passage" if len(rows) == 1 else "passages"
        click.echo(f"{len(rows)} {noun} · {title} · {subtitle}", err=True)


# --------------------------------------------------------------------------- query


@click.command()
@click.argument("expression", nargs=-1, required=True)
@click.option("--doc", "documents", multiple=True, help="Only this document (repeatable).")
@click.option("--case", "cases", multiple=True, help="Only this case (repeatable).")
@click.option("--coder", "coders", multiple=True, help="Only this coder's segments (repeatable).")
@click.option("--where", "where", multiple=True,
              help='Attribute condition, e.g. --where \'role = "records officer"\' (repeatable).')
@click.option("--whole", is_flag=True,
              help="Return whole segments instead of just the selected characters.")
@_output_options
@project_option
@click.pass_context
def query(ctx: click.Context, expression: tuple[str, ...], documents: tuple[str, ...],
          cases: tuple[str, ...], coders: tuple[str, ...], where: tuple[str, ...],
          whole: bool, context: int, as_json: bool, as_csv: bool, as_md: bool,
          output: Path | None, project_path: Path | None) -> None:
    """Coding query: codes with AND, OR, NOT, WITHIN n, SAME TURN, and WHERE filters.

    \b
    Examples:
      qualtui query 'Privacy AND Security'
      qualtui query 'Records management WITHIN 300 Security'
      qualtui query 'Benefits AND NOT Efficiency WHERE role = "records officer"'
      qualtui query Transparency --where 'years >= 10' --json
    """
    from qualtui.core.query import data_from_project, make_filters, run_query
    from qualtui.core.search import RowBuilder

    fmt = _format(as_json, as_csv, as_md, output)
    project = open_project_for(ctx, project_path)
    filters = make_filters(documents, cases, coders, where)
    result = run_query(data_from_project(project), " ".join(expression), filters,
                       extent="segments" if whole else "passage")
    builder = RowBuilder(project)
    rows = builder.from_query(result.hits)

    def segments(row: ResultRow) -> dict[str, Any]:
        out = []
        for seg_id in row.segment_ids:
            seg = builder.segments.get(seg_id)
            if seg is not None:
                out.append({"id": seg_id, "code": builder.paths.get(seg["code_id"], "?"),
                            "coder": seg["coder"], "start": seg["start"], "end": seg["end"]})
        return {"segments": out}

    payload = {"query": str(result.query), "extent": result.extent,
               "filters": result.query.filters.as_json(),
               "documents_in_scope": result.documents, "segments_in_scope": result.segments}
    _emit_rows(project, rows, fmt, output, f"Query: {result.query}",
               f"{result.documents} documents in scope", context, payload, segments)


# --------------------------------------------------------------------------- search


def _search_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--doc", "documents", multiple=True,
                        help="Only this document (repeatable).")(func)
    func = click.option("--word", "whole_word", is_flag=True, help="Whole words only.")(func)
    func = click.option("--case", "case", type=click.Choice(["smart", "sensitive",
                                                              "insensitive"]),
                        default="smart", show_default=True,
                        help="smart: ignore case unless the pattern has capitals.")(func)
    func = click.option("--regex", is_flag=True,
                        help="The pattern is a (Python) regular expression.")(func)
    return func


@click.command()
@click.argument("pattern")
@_search_options
@_output_options
@project_option
@click.pass_context
def search(ctx: click.Context, pattern: str, regex: bool, case: str, whole_word: bool,
           documents: tuple[str, ...], context: int, as_json: bool, as_csv: bool,
           as_md: bool, output: Path | None, project_path: Path | None) -> None:
    """Find text in every document, with context (plain text or --regex)."""
    from qualtui.core.search import RowBuilder, SearchOptions, search_project

    fmt = _format(as_json, as_csv, as_md, output)
    project = open_project_for(ctx, project_path)
    options = SearchOptions(pattern, regex=regex, case=case, whole_word=whole_word)
    hits = search_project(project, options, documents or None)
    rows = RowBuilder(project).from_text_hits(hits)
    payload = {"pattern": pattern, "regex": regex, "case": case, "whole_word": whole_word,
               "documents": len({h.document_id for h in hits})}
    _emit_rows(project, rows, fmt, output, f"Search: {pattern}", options.describe(),
               context, payload)


@click.command()
@click.option("--pattern", required=True, help="Text (or with --regex, a pattern) to find.")
@click.option("--code", "code_path", required=True, help="Code to apply, e.g. 'Risks/Privacy'.")
@click.option("--unit", type=click.Choice(["hit", "sentence", "paragraph", "turn"]),
              default="hit", show_default=True, help="What to code around each hit.")
@_search_options
@click.option("--create", is_flag=True, help="Create the code if it is missing.")
@click.option("--dry-run", is_flag=True, help="Show what would be coded; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@coder_option
@click.pass_context
def autocode(ctx: click.Context, pattern: str, code_path: str, unit: str, regex: bool,
             case: str, whole_word: bool, documents: tuple[str, ...], create: bool,
             dry_run: bool, as_json: bool, project_path: Path | None,
             coder: str | None) -> None:
    """Code every hit of a search (or its sentence, paragraph or turn) in one undoable step."""
    from qualtui.core.codebook_tools import resolve_code
    from qualtui.core.errors import NotFound
    from qualtui.core.search import SearchOptions, plan_autocode, search_project

    project = open_project_for(ctx, project_path, coder)
    options = SearchOptions(pattern, regex=regex, case=case, whole_word=whole_word)
    hits = search_project(project, options, documents or None)
    try:
        code = resolve_code(project, code_path)
    except NotFound:
        if not create:
            raise
        if dry_run:
            code = None
        else:
            code = project.codebook.add(code_path, origin="emergent")
    if code is None:  # dry run of a code that --create would add
        click.echo(f"{len(hits)} hits; the code '{code_path}' would be created")
        return
    plan = plan_autocode(project, hits, unit, code.id)
    added = skipped = 0
    if not dry_run and plan.ranges:
        from qualtui.core.search import apply_autocode

        added, skipped = apply_autocode(project, plan, options.describe())
    names = {d.id: d.name for d in project.documents.all()}
    if as_json:
        ranges = [{"document": names[d], "document_id": d, "start": s, "end": e,
                   "text": project.documents.text(d)[s:e],
                   "already_coded": (d, s, e) in plan.coded} for d, s, e in plan.ranges]
        echo_json({"pattern": pattern, "regex": regex, "case": case, "unit": unit,
                   "code": plan.code_path, "code_id": plan.code_id, "coder": plan.coder,
                   "dry_run": dry_run, "hits": plan.hits, "documents": plan.documents,
                   "ranges": ranges, "already_coded": plan.already, "added": added,
                   "skipped": skipped})
        return
    if dry_run:
        for doc_id, start, end in plan.ranges:
            text = " ".join(project.documents.text(doc_id)[start:end].split())
            text = text if len(text) <= 70 else text[:67] + "..."
            mark = " (already coded)" if (doc_id, start, end) in plan.coded else ""
            click.echo(f"{names[doc_id]:<8} {start:>6}-{end:<6} \"{text}\"{mark}")
        click.echo(f"dry run: {plan.describe()}; nothing changed")
    elif not plan.ranges:
        click.echo(f"no hits for {options.describe()}; nothing coded")
    else:
        click.echo(f"coded {added} {unit}s in {plan.new_documents} documents as"
                   f" {plan.code_path}"
                   + (f" ({skipped} already coded)" if skipped else "")
                   + "; 'qualtui undo' reverts all of it")


# --------------------------------------------------------------------------- codes


def _code_json(project: Project, code: Code, counts: CodeCounts) -> dict[str, Any]:
    return {"id": code.id, "path": project.codebook.path_of(code), "name": code.name,
            "parent_id": code.parent_id, "color": code.color, "codable": code.codable,
            "shortcut": code.shortcut, "origin": code.origin, "definition": code.definition,
            "use_when": code.use_when, "dont_use_when": code.dont_use_when,
            "example": code.example, "counts": counts.as_json()}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def codes(ctx: click.Context, as_json: bool, project_path: Path | None) -> None:
    """The codebook as a tree with segments, documents, cases and coders per code."""
    from qualtui.core.codebook_tools import CodeCounts, code_counts

    project = open_project_for(ctx, project_path)
    counts = code_counts(project)
    all_codes = project.codebook.all()
    if as_json:
        echo_json([_code_json(project, c, counts.get(c.id, CodeCounts())) for c in all_codes])
        return
    if not all_codes:
        click.echo("no codes yet: qualtui codebook add PATH")
        return
    depth: dict[str, int] = {}
    click.echo(f"{'segs':>5} {'docs':>4} {'cases':>5} {'coders':>6}  code")
    for code in all_codes:
        depth[code.id] = depth.get(code.parent_id or "", -1) + 1
        n = counts.get(code.id, CodeCounts())
        numbers = ((n.segments, n.documents, n.cases, n.coders) if code.codable else
                   (n.total_segments, n.total_documents, n.total_cases, n.total_coders))
        shown = (f"{numbers[0]:>5} {numbers[1]:>4} {numbers[2]:>5} {numbers[3]:>6}")
        flags = "".join([" [category: sub-code totals]" if not code.codable else "",
                         f" [key {code.shortcut}]" if code.shortcut else ""])
        click.echo(f"{shown}  {'  ' * depth[code.id]}{code.name}{flags}")


# --------------------------------------------------------------------------- codebook editing

_FIELD_OPTIONS = (
    ("--color", "color", "Colour: #RRGGBB or a palette name (orange, sky blue, ...)."),
    ("--definition", "definition", "What the code means."),
    ("--use-when", "use_when", "When to apply it."),
    ("--dont-use-when", "dont_use_when", "When not to apply it."),
    ("--example", "example", "A typical example."),
    ("--shortcut", "shortcut", "Coding key 1-9 (empty clears)."),
)


def _field_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--category/--codable", "category", default=None,
                        help="Category only (not applied to text) or codable.")(func)
    for flag, name, help_text in reversed(_FIELD_OPTIONS):
        func = click.option(flag, name, default=None, help=help_text)(func)
    return func


def _field_values(values: dict[str, Any]) -> dict[str, Any]:
    from qualtui.core.codebook_tools import normalize_color

    out = {k: v for k, v in values.items() if v is not None and k != "category"}
    if "color" in out:
        out["color"] = normalize_color(out["color"])
    if values.get("category") is not None:
        out["codable"] = not values["category"]
    return out


@click.command("add")
@click.argument("path")
@_field_options
@project_option
@coder_option
@click.pass_context
def codebook_add(ctx: click.Context, path: str, project_path: Path | None,
                 coder: str | None, **values: Any) -> None:
    """Add a code (missing parents are created): codebook add 'Risks/Fake news'."""
    from qualtui.core.codebook_tools import SHORTCUT_KEYS, edit_code
    from qualtui.core.errors import Conflict, QualtuiError

    project = open_project_for(ctx, project_path, coder)
    fields = _field_values(values)
    shortcut = fields.pop("shortcut", None)
    if shortcut:  # checked first so that a bad key adds nothing
        if len(shortcut) != 1 or shortcut not in SHORTCUT_KEYS:
            raise QualtuiError(f"bad shortcut '{shortcut}': use one digit 1-9")
        taken = [c for c in project.codebook.all() if c.shortcut == shortcut]
        if taken:
            raise Conflict(f"key {shortcut} is already the shortcut of"
                           f" {project.codebook.path_of(taken[0])}")
    code = project.codebook.add(path, origin="emergent", **fields)
    if shortcut:
        code = edit_code(project, code.id, shortcut=shortcut)
    click.echo(f"added {project.codebook.path_of(code)} ({code.color})")


@click.command("edit")
@click.argument("path")
@_field_options
@project_option
@coder_option
@click.pass_context
def codebook_edit(ctx: click.Context, path: str, project_path: Path | None,
                  coder: str | None, **values: Any) -> None:
    """Change a code's colour, definition, criteria, example, shortcut or category flag."""
    from qualtui.core.codebook_tools import edit_code, resolve_code

    project = open_project_for(ctx, project_path, coder)
    code = resolve_code(project, path)
    fields = _field_values(values)
    if not fields:
        raise click.UsageError("give at least one field to change (see --help)")
    edit_code(project, code.id, **fields)
    click.echo(f"edited {project.codebook.path_of(code.id)}")


@click.command("rename")
@click.argument("path")
@click.argument("new_name")
@project_option
@coder_option
@click.pass_context
def codebook_rename(ctx: click.Context, path: str, new_name: str, project_path: Path | None,
                    coder: str | None) -> None:
    """Rename a code (its place in the tree stays)."""
    from qualtui.core.codebook_tools import resolve_code

    project = open_project_for(ctx, project_path, coder)
    code = resolve_code(project, path)
    old = project.codebook.path_of(code)
    project.codebook.rename(code.id, new_name.strip())
    click.echo(f"renamed {old} to {project.codebook.path_of(code.id)}")


@click.command("move")
@click.argument("path")
@click.option("--to", "parent", default=None, help="New parent code (path).")
@click.option("--top", is_flag=True, help="Move to the top level.")
@click.option("--position", type=int, default=None,
              help="Place among the new siblings (0 = first; default last).")
@project_option
@coder_option
@click.pass_context
def codebook_move(ctx: click.Context, path: str, parent: str | None, top: bool,
                  position: int | None, project_path: Path | None,
                  coder: str | None) -> None:
    """Reparent and/or reorder a code with its sub-codes."""
    from qualtui.core.codebook_tools import resolve_code

    if parent and top:
        raise click.UsageError("use --to PARENT or --top, not both")
    project = open_project_for(ctx, project_path, coder)
    code = resolve_code(project, path)
    if parent:
        parent_id: str | None = resolve_code(project, parent).id
    elif top:
        parent_id = None
    else:
        if position is None:
            raise click.UsageError("give --to PARENT, --top and/or --position N")
        parent_id = code.parent_id
    project.codebook.move(code.id, parent_id, position)
    siblings = [c.id for c in project.codebook.children(parent_id)]
    click.echo(f"moved to {project.codebook.path_of(code.id)}"
               f" (position {siblings.index(code.id)} of {len(siblings)})")


@click.command("merge")
@click.argument("source")
@click.argument("target")
@click.option("--dry-run", is_flag=True, help="Say what would move; change nothing.")
@project_option
@coder_option
@click.pass_context
def codebook_merge(ctx: click.Context, source: str, target: str, dry_run: bool,
                   project_path: Path | None, coder: str | None) -> None:
    """Merge SOURCE into TARGET: segments, memos and sub-codes move; SOURCE goes."""
    from qualtui.core.codebook_tools import merge_impact, resolve_code

    project = open_project_for(ctx, project_path, coder)
    src, dst = resolve_code(project, source), resolve_code(project, target)
    impact = merge_impact(project, src.id, dst.id)
    if dry_run:
        click.echo(f"dry run: {impact.describe()}")
        return
    project.codebook.merge(src.id, dst.id)
    click.echo(f"{impact.describe()} 'qualtui undo' reverts it.")


@click.command("delete")
@click.argument("path")
@click.option("--dry-run", is_flag=True, help="Say what would go; change nothing.")
@project_option
@coder_option
@click.pass_context
def codebook_delete(ctx: click.Context, path: str, dry_run: bool, project_path: Path | None,
                    coder: str | None) -> None:
    """Delete a code with its sub-codes, segments and memos ('qualtui undo' restores)."""
    from qualtui.core.codebook_tools import delete_impact, resolve_code

    project = open_project_for(ctx, project_path, coder)
    code = resolve_code(project, path)
    impact = delete_impact(project, code.id)
    if dry_run:
        click.echo(f"dry run: would delete {impact.path}: {impact.codes} code(s),"
                   f" {impact.segments} segments, {impact.memos} memos")
        return
    project.codebook.delete(code.id)
    click.echo(f"deleted {impact.path}: {impact.codes} code(s), {impact.segments} segments,"
               f" {impact.memos} memos; 'qualtui undo' brings them back")


@click.command("split")
@click.argument("path")
@click.option("--into", "new_path", required=True,
              help="New code: a name (sibling of PATH) or a full path.")
@click.option("--segment", "segment_ids", multiple=True,
              help="A segment id or unique prefix (repeatable).")
@click.option("--doc", "documents", multiple=True, help="Segments in this document (repeatable).")
@click.option("--coder", "coders", multiple=True, help="Segments by this coder (repeatable).")
@click.option("--matching", default=None,
              help="Segments whose text matches this regular expression (case-insensitive).")
@click.option("--dry-run", is_flag=True, help="List the chosen segments; change nothing.")
@project_option
@click.pass_context
def codebook_split(ctx: click.Context, path: str, new_path: str, segment_ids: tuple[str, ...],
                   documents: tuple[str, ...], coders: tuple[str, ...], matching: str | None,
                   dry_run: bool, project_path: Path | None) -> None:
    """Move chosen segments of a code into a new code (one undoable step).

    Segments are chosen by --segment, --doc, --coder and --matching (all must hold).
    """
    import re

    from qualtui.core.codebook_tools import resolve_code, split_code
    from qualtui.core.errors import QualtuiError

    if not (segment_ids or documents or coders or matching):
        raise click.UsageError("choose segments with --segment, --doc, --coder or --matching")
    project = open_project_for(ctx, project_path)
    code = resolve_code(project, path)
    segs = project.coding.segments(code_ids=[code.id])
    if segment_ids:
        wanted = {project.coding.get(s).id for s in segment_ids}
        foreign = wanted - {s.id for s in segs}
        if foreign:
            raise QualtuiError(f"segment(s) {', '.join(sorted(i[:8] for i in foreign))} are"
                               f" not coded {project.codebook.path_of(code)}")
        segs = [s for s in segs if s.id in wanted]
    if documents:
        doc_ids = {project.documents.by_name(n).id for n in documents}
        segs = [s for s in segs if s.document_id in doc_ids]
    if coders:
        segs = [s for s in segs if s.coder in coders]
    if matching:
        try:
            pattern = re.compile(matching, re.IGNORECASE)
        except re.error as exc:
            raise QualtuiError(f"bad regular expression '{matching}': {exc}") from None
        segs = [s for s in segs if pattern.search(project.coding.text_of(s))]
    if not segs:
        raise QualtuiError("no segment of that code matches the choice; nothing split")
    if dry_run:
        names = {d.id: d.name for d in project.documents.all()}
        for seg in segs:
            text = " ".join(project.coding.text_of(seg).split())
            text = text if len(text) <= 60 else text[:57] + "..."
            click.echo(f"{seg.id[:8]}  {names.get(seg.document_id, '?'):<8}"
                       f" {seg.start:>6}-{seg.end:<6} {seg.coder:<8} \"{text}\"")
        click.echo(f"dry run: {len(segs)} segments would move to {new_path}")
        return
    result = split_code(project, code.id, [s.id for s in segs], new_path)
    made = "new code " if result.created else ""
    dup = f" ({result.duplicates} duplicates dropped)" if result.duplicates else ""
    click.echo(f"moved {result.moved} segments to {made}{result.path}{dup};"
               " 'qualtui undo' reverts it")


@click.command("recolor")
@click.option("--codable-only", is_flag=True, help="Keep the colours of category codes.")
@project_option
@coder_option
@click.pass_context
def codebook_recolor(ctx: click.Context, codable_only: bool, project_path: Path | None,
                     coder: str | None) -> None:
    """Give codes the colour-blind-safe palette (distinct at 256 and 16 colours)."""
    from qualtui.core.codebook_tools import recolor

    project = open_project_for(ctx, project_path, coder)
    changed = recolor(project, only_codable=codable_only)
    click.echo(f"recoloured {changed} codes; 'qualtui undo' restores the old colours")


# --------------------------------------------------------------------------- attributes


@click.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
@click.option("--typed", is_flag=True,
              help="Put the type in each header (years_of_service:number).")
@project_option
@click.pass_context
def attributes_export(ctx: click.Context, output: Path | None, typed: bool,
                      project_path: Path | None) -> None:
    """Write document,case,attribute... as CSV (what 'attributes import' reads)."""
    from qualtui.core.attributes_tools import export_csv

    project = open_project_for(ctx, project_path)
    write_output(export_csv(project, typed=typed), output)


@click.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@project_option
@click.pass_context
def attributes_check(ctx: click.Context, file: Path, as_json: bool,
                     project_path: Path | None) -> None:
    """Validate an attributes CSV without importing it (unknown documents, bad values)."""
    from qualtui.core.attributes_tools import check_table
    from qualtui.io.tables import parse_attribute_csv

    project = open_project_for(ctx, project_path)
    report = check_table(project, parse_attribute_csv(file))
    if as_json:
        echo_json(report.as_json())
    else:
        for line in report.report_lines():
            click.echo(line)
    if not report.ok:
        sys.exit(1)


@click.command("set")
@click.argument("case")
@click.argument("assignments", nargs=-1, required=True)
@project_option
@coder_option
@click.pass_context
def attributes_set(ctx: click.Context, case: str, assignments: tuple[str, ...],
                   project_path: Path | None, coder: str | None) -> None:
    """Set attributes of a case (or a document): attributes set P03 'role=Records officer'."""
    from qualtui.core.attributes_tools import case_rows, format_value, set_values
    from qualtui.core.errors import NotFound, QualtuiError

    project = open_project_for(ctx, project_path, coder)
    rows = case_rows(project)
    row = next((r for r in rows if r.name == case), None) or next(
        (r for r in rows if case in r.documents), None)
    if row is None:
        raise NotFound(f"no case or document named '{case}'")
    raw: dict[str, str] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QualtuiError(f"bad assignment '{item}': use NAME=VALUE (empty VALUE clears)")
        raw[name.strip()] = value
    stored = set_values(project, row, raw)
    for name, value in stored.items():
        click.echo(f"{row.name}: {name} = {format_value(value) or '(empty)'}")
