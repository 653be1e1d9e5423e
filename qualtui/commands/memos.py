"""``qualtui memos``: list, show, add and export memos and journal entries.

Importing this module is cheap: the core is imported inside the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualtui.commands.common import (
    coder_option,
    echo_json,
    open_project_for,
    project_option,
    write_output,
)

if TYPE_CHECKING:
    from qualtui.core.memo_tools import MemoContext
    from qualtui.core.models import Memo
    from qualtui.core.project import Project

KIND_CHOICES = ("project", "journal", "document", "code", "segment")


def _filter_options(func):  # type: ignore[no-untyped-def]
    func = click.option("--search", "query", default="",
                        help='Full-text search (all words must occur; "quoted phrase").')(func)
    func = click.option("--code", "code_path", default=None,
                        help="Only memos about this code or its sub-codes (attached, on its"
                             " segments, or linking to it).")(func)
    func = click.option("--author", default=None, help="Only memos by this coder.")(func)
    func = click.option("--kind", "kinds", multiple=True, type=click.Choice(KIND_CHOICES),
                        help="Only memos of this kind (repeatable).")(func)
    return func


def _select(project: Project, kinds: tuple[str, ...], author: str | None,
            code_path: str | None, query: str) -> tuple[MemoContext, list[Memo]]:
    from qualtui.core.errors import NotFound
    from qualtui.core.memo_tools import MemoContext

    ctx = MemoContext(project)
    code_id = None
    if code_path:
        code = project.codebook.find(code_path)
        if code is None:
            raise NotFound(f"no code '{code_path}' in the codebook")
        code_id = code.id
    return ctx, ctx.filter(kinds=kinds, author=author, code_id=code_id, query=query)


def register(main: click.Group) -> None:
    """Add the ``memos`` group to the ``qualtui`` command line."""
    main.add_command(memos)


@click.group()
def memos() -> None:
    """Memos and the research journal: list, show, add, export."""


@memos.command("list")
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with bodies).")
@project_option
@click.pass_context
def memos_list(ctx: click.Context, kinds: tuple[str, ...], author: str | None,
               code_path: str | None, query: str, as_json: bool,
               project_path: Path | None) -> None:
    """List memos, grouped by kind (project, journal, document, code, segment)."""
    from qualtui.core.memo_tools import format_time, parse_query, snippet

    project = open_project_for(ctx, project_path)
    context, selected = _select(project, kinds, author, code_path, query)
    if as_json:
        echo_json([context.memo_json(m) for m in selected])
        return
    terms = parse_query(query)
    for memo in selected:
        target = context.target_label(memo)
        click.echo(f"{memo.id[:8]}  {memo.kind:<8} {format_time(memo.created_at, False)}"
                   f"  {memo.author:<8} {target + ': ' if target else ''}{memo.title}")
        if terms:
            click.echo(f"          {snippet(memo.body, terms, 70)}")
    click.echo(f"{len(selected)} memo{'s' if len(selected) != 1 else ''}", err=True)


@memos.command("show")
@click.argument("memo_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def memos_show(ctx: click.Context, memo_id: str, as_json: bool,
               project_path: Path | None) -> None:
    """Print one memo (id or a unique prefix of 4+ characters) as Markdown."""
    from qualtui.core.errors import NotFound
    from qualtui.core.memo_tools import Link, MemoContext, memo_markdown

    project = open_project_for(ctx, project_path)
    context = MemoContext(project)
    target = context.resolve(Link("memo", memo_id, 0, 0))
    if target is None:
        raise NotFound(f"no memo with id {memo_id} (an id or a unique prefix of 4+"
                       " characters)")
    memo = context.memo_by_id[target.id]
    if as_json:
        echo_json(context.memo_json(memo))
        return
    sys.stdout.write(memo_markdown(context, memo, level=1))


@memos.command("add")
@click.option("--kind", type=click.Choice(KIND_CHOICES), default=None,
              help="Default: from --doc/--code/--segment, else journal.")
@click.option("--title", default=None, help="Default: the body's first line.")
@click.option("--body", default=None, help="The memo text (Markdown).")
@click.option("--file", "body_file", type=click.Path(path_type=Path, allow_dash=True),
              default=None, help="Read the body from this file ('-' for stdin).")
@click.option("--doc", "doc_name", default=None, help="Attach to this document.")
@click.option("--code", "code_path", default=None, help="Attach to this code (path).")
@click.option("--segment", "segment_id", default=None,
              help="Attach to this segment (id or a prefix of 6+ characters).")
@click.option("--json", "as_json", is_flag=True, help="Print the new memo as JSON.")
@project_option
@coder_option
@click.pass_context
def memos_add(ctx: click.Context, kind: str | None, title: str | None, body: str | None,
              body_file: Path | None, doc_name: str | None, code_path: str | None,
              segment_id: str | None, as_json: bool, project_path: Path | None,
              coder: str | None) -> None:
    """Write a memo: a journal entry, a project memo, or one on a document, code or
    segment."""
    from qualtui.core.errors import QualtuiError
    from qualtui.core.memo_tools import MemoContext, derive_title, format_time

    targets = {k: v for k, v in (("document", doc_name), ("code", code_path),
                                 ("segment", segment_id)) if v}
    if len(targets) > 1:
        raise QualtuiError("give at most one of --doc, --code, --segment")
    kind = kind or (next(iter(targets)) if targets else "journal")
    if kind in ("document", "code", "segment") and kind not in targets:
        option = {"document": "--doc", "code": "--code", "segment": "--segment"}[kind]
        raise QualtuiError(f"a {kind} memo needs {option}")
    if kind in ("project", "journal") and targets:
        raise QualtuiError(f"a {kind} memo is not attached to anything:"
                           " drop --doc/--code/--segment")
    if body is not None and body_file is not None:
        raise QualtuiError("give --body or --file, not both")
    if body_file is not None:
        if str(body_file) == "-":
            body = sys.stdin.read()
        else:
            try:
                body = body_file.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise QualtuiError(f"{body_file}: not UTF-8 text") from exc
    body = body or ""
    project = open_project_for(ctx, project_path, coder)
    target_id = None
    if kind == "document":
        target_id = project.documents.by_name(targets["document"]).id
    elif kind == "code":
        target_id = project.codebook.resolve(targets["code"]).id
    elif kind == "segment":
        target_id = project.coding.get(targets["segment"]).id
    context = MemoContext(project)
    if kind == "journal":
        fallback = f"Journal {format_time(_now(), with_time=False)}"
    elif target_id:
        fallback = f"Memo on {context.target_by_id(target_id).label}"  # type: ignore[union-attr]
    else:
        fallback = "Project memo"
    if not (title or "").strip() and not body.strip():
        raise QualtuiError("an empty memo: give --title, --body or --file")
    memo = project.memos.create(kind, target_id, (title or "").strip()
                                or derive_title(body, fallback), body,
                                links=context.link_ids(body))
    if as_json:
        echo_json(MemoContext(project).memo_json(memo))
    else:
        click.echo(f"{memo.id}  {memo.kind}  {memo.title}")


def _now() -> str:
    from qualtui.core.models import now_iso

    return now_iso()


@memos.command("export")
@_filter_options
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Markdown file to write (default: standard output).")
@project_option
@click.pass_context
def memos_export(ctx: click.Context, kinds: tuple[str, ...], author: str | None,
                 code_path: str | None, query: str, output: Path | None,
                 project_path: Path | None) -> None:
    """Export memos to one Markdown file, grouped by kind, with quoted segments."""
    from qualtui.core.memo_tools import export_markdown

    project = open_project_for(ctx, project_path)
    context, selected = _select(project, kinds, author, code_path, query)
    write_output(export_markdown(context, selected, project.settings.title), output)
