"""Guideline commands: ``qualtui guidelines ...`` and ``qualtui report``.

Importing this module is cheap: the guideline service and the report writers are imported
inside the commands. Guidelines are named by their number (``3.2``), id or a unique id prefix;
sections by number (``3``), title or id. Every change is one logged, undoable operation
(``qualtui undo``). The JSON shapes are documented in ``docs/guidelines.md``.
"""

from __future__ import annotations

import sys
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
    from qualtui.core.guidelines import EvidenceIndex, Guideline, GuidelineService
    from qualtui.core.project import Project

PRIORITY_CHOICE = click.Choice(["high", "medium", "low"])
STATUS_CHOICE = click.Choice(["draft", "reviewed", "final"])


def _service(project: Project) -> GuidelineService:
    from qualtui.core.guidelines import GuidelineService

    return GuidelineService(project)


def _text_arg(value: str | None) -> str | None:
    """``-`` reads the text from stdin (for multi-line Markdown)."""
    if value == "-":
        return sys.stdin.read()
    return value


def _code_id(project: Project, path: str) -> str:
    return project.codebook.resolve(path).id


def _guideline_json(service: GuidelineService, index: EvidenceIndex, g: Guideline,
                    section_titles: dict[str, str], full: bool = True) -> dict[str, Any]:
    support = index.support(g)
    out: dict[str, Any] = {
        "id": g.id, "number": g.number, "section": section_titles.get(g.section_id, ""),
        "title": g.title, "priority": g.priority, "status": g.status, "author": g.author,
        "support": support.as_json(),
        "codes": [index.paths[c] for c in g.code_ids if c in index.paths],
    }
    if not full:
        out["evidence"] = len(g.supporting)
        out["counter_evidence"] = len(g.contradicting)
        return out
    out.update({
        "statement": g.statement, "rationale": g.rationale,
        "addresses": [{"kind": a.kind, "text": a.text,
                       "code": index.paths.get(a.code_id or "", None)} for a in g.addresses],
        "evidence": [_evidence_json(index, e.segment_id, e.counter, e.quote, e.note)
                     for e in g.evidence],
        "created_at": g.created_at, "modified_at": g.modified_at,
        "history": [{"at": h.at, "coder": h.coder, "change": h.change} for h in g.history],
    })
    return out


def _evidence_json(index: EvidenceIndex, segment_id: str, counter: bool, quote: bool,
                   note: str = "") -> dict[str, Any]:
    segment = index.segments.get(segment_id)
    if segment is None:
        return {"segment_id": segment_id, "missing": True, "counter": counter, "quote": quote}
    respondent = index.respondent(segment)
    return {"segment_id": segment_id, "document": index.doc_names[segment.document_id],
            "start": segment.start, "end": segment.end, "respondent": respondent,
            "role": index.roles.get(respondent, ""),
            "code": index.paths.get(segment.code_id, ""), "coder": segment.coder,
            "text": index.text(segment), "counter": counter, "quote": quote, "note": note}


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


# --------------------------------------------------------------------------- report
@click.command("report")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The report file (.md, .html or .docx).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "docx"]), default=None,
              help="Default: from the output's extension.")
@click.option("--pseudonymize", is_flag=True,
              help="Apply the project's pseudonyms and redactions to every text.")
@project_option
@click.pass_context
def report(ctx: click.Context, output: Path, fmt: str | None, pseudonymize: bool,
           project_path: Path | None) -> None:
    """Write the evidence-backed guidelines report (Markdown, HTML or Word)."""
    from qualtui.analysis.report import format_for, write_report

    kind = format_for(output, fmt)  # a bad suffix fails before the project is read
    project = open_project_for(ctx, project_path)
    result = write_report(project, output, kind, pseudonymize=pseudonymize)
    click.echo(f"wrote {output} ({kind}): {len(result.guidelines)} guidelines in"
               f" {len(result.sections)} sections"
               + (", pseudonymised" if pseudonymize else ""))


# --------------------------------------------------------------------------- guidelines
@click.group("guidelines")
def guidelines() -> None:
    """Draft guidelines backed by coded evidence (list, add, edit, evidence, coverage...)."""


@guidelines.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool, project_path: Path | None) -> None:
    """Sections and their guidelines with priority, status and support."""
    project = open_project_for(ctx, project_path)
    service = _service(project)
    index = service.index()
    sections = service.sections()
    titles = {s.id: s.title for s in sections}
    items = service.guidelines()
    if as_json:
        echo_json([_guideline_json(service, index, g, titles, full=False) for g in items])
        return
    if not sections:
        click.echo("no guideline sections yet: qualtui guidelines template (or section add)")
        return
    for number, section in enumerate(sections, start=1):
        click.echo(f"{number} {section.title}")
        inside = [g for g in items if g.section_id == section.id]
        if not inside:
            click.echo("      (no guidelines yet)")
        for g in inside:
            support = index.support(g)
            counter = f" -{support.counter}" if support.counter else ""
            click.echo(f"  {g.number:<5} {g.priority:<6} {g.status:<8}"
                       f" {support.evidence:>2}/{support.total:<2}{counter:<3}"
                       f" {_short(g.title, 52)}")
    click.echo(f"{len(items)} guidelines; support = respondents among the evidence"
               " (-n: respondents giving counter-evidence)", err=True)


@guidelines.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def show(ctx: click.Context, ref: str, as_json: bool, project_path: Path | None) -> None:
    """One guideline in full: statement, rationale, support, evidence and history."""
    project = open_project_for(ctx, project_path)
    service = _service(project)
    index = service.index()
    titles = {s.id: s.title for s in service.sections()}
    g = service.get(ref)
    data = _guideline_json(service, index, g, titles)
    if as_json:
        echo_json(data)
        return
    support = index.support(g)
    click.echo(f"{g.number} {g.title}")
    click.echo(f"section {data['section']} | priority {g.priority} | status {g.status}"
               f" | author {g.author or '-'}")
    click.echo(f"support: {support.label()} (evidence), {support.codes_label()} (linked"
               f" codes), counter-evidence from {support.counter}")
    if g.statement:
        click.echo("\n" + g.statement.strip())
    if g.rationale:
        click.echo("\nRationale: " + g.rationale.strip())
    for address in data["addresses"]:
        code = f" [{address['code']}]" if address["code"] else ""
        click.echo(f"addresses {address['kind']}: {address['text']}{code}")
    if data["codes"]:
        click.echo("codes: " + "; ".join(data["codes"]))
    for item in data["evidence"]:
        if item.get("missing"):
            click.echo(f"  ? {item['segment_id'][:8]}  (segment deleted)")
            continue
        mark = "-" if item["counter"] else ("*" if item["quote"] else "+")
        click.echo(f"  {mark} {item['segment_id'][:8]}  {item['respondent']:<5}"
                   f" {_short(item['role'], 22):<22} {item['code']}\n"
                   f"      \"{_short(item['text'], 90)}\"")
    click.echo("evidence: + supporting, * quoted in the report, - counter-evidence", err=True)


@guidelines.command("coverage")
@click.option("-k", "k", type=click.IntRange(min=1), default=3, show_default=True,
              help="Respondents needed for a theme to count (and for a guideline to be"
                   " well supported).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def coverage(ctx: click.Context, k: int, as_json: bool, project_path: Path | None) -> None:
    """Codes backed by >= k respondents that no guideline addresses; weak guidelines."""
    project = open_project_for(ctx, project_path)
    result = _service(project).coverage(k)
    if as_json:
        echo_json(result.as_json())
        return
    click.echo(f"codes backed by >= {k} of {result.total} respondents that no guideline"
               " addresses:")
    for gap in result.gaps:
        click.echo(f"  {gap.respondents:>3} resp. {gap.segments:>4} seg.  {gap.path}")
    if not result.gaps:
        click.echo("  none")
    click.echo(f"guidelines with support below {k} respondents:")
    for weak in result.weak:
        click.echo(f"  {weak.number:<5} {weak.support.evidence:>2}/{weak.support.total}"
                   f"  {_short(weak.title, 60)}")
    if not result.weak:
        click.echo("  none")


@guidelines.command("template")
@project_option
@coder_option
@click.pass_context
def template(ctx: click.Context, project_path: Path | None, coder: str | None) -> None:
    """Add the public-sector guideline template's sections that the project lacks."""
    project = open_project_for(ctx, project_path, coder)
    added = _service(project).add_template()
    if not added:
        click.echo("every template section is already there")
        return
    for section in added:
        click.echo(f"+ {section.title}")
    click.echo(f"{len(added)} sections added")


@guidelines.command("sections")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def sections_cmd(ctx: click.Context, as_json: bool, project_path: Path | None) -> None:
    """The sections in order, with how many guidelines each holds."""
    project = open_project_for(ctx, project_path)
    service = _service(project)
    items = service.guidelines()
    rows = [{"number": n, "id": s.id, "title": s.title, "description": s.description,
             "guidelines": sum(1 for g in items if g.section_id == s.id)}
            for n, s in enumerate(service.sections(), start=1)]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        count = row["guidelines"]
        click.echo(f"{row['number']:>3}  {count:>3} guideline{'' if count == 1 else 's'}"
                   f"  {row['title']}")


@guidelines.group("section")
def section() -> None:
    """Add, rename, move or delete a section."""


@section.command("add")
@click.argument("title")
@click.option("--description", default="", help="What the section covers.")
@click.option("--position", type=click.IntRange(min=1), default=None,
              help="Place (1 = first); default last.")
@project_option
@coder_option
@click.pass_context
def section_add(ctx: click.Context, title: str, description: str, position: int | None,
                project_path: Path | None, coder: str | None) -> None:
    """Add a section."""
    project = open_project_for(ctx, project_path, coder)
    added = _service(project).add_section(title, description, position)
    click.echo(f"added section {added.title}")


@section.command("rename")
@click.argument("ref")
@click.argument("title")
@click.option("--description", default=None, help="Replace the description too.")
@project_option
@coder_option
@click.pass_context
def section_rename(ctx: click.Context, ref: str, title: str, description: str | None,
                   project_path: Path | None, coder: str | None) -> None:
    """Rename a section (REF: number, title or id)."""
    project = open_project_for(ctx, project_path, coder)
    service = _service(project)
    target = service.section(ref)
    service.update_section(target.id, title=title, description=description)
    click.echo(f"renamed {target.title} to {title}")


@section.command("move")
@click.argument("ref")
@click.argument("position", type=click.IntRange(min=1))
@project_option
@coder_option
@click.pass_context
def section_move(ctx: click.Context, ref: str, position: int, project_path: Path | None,
                 coder: str | None) -> None:
    """Move a section to POSITION (1 = first); guidelines are renumbered."""
    project = open_project_for(ctx, project_path, coder)
    service = _service(project)
    moved = service.move_section(service.section(ref).id, position)
    click.echo(f"moved {moved.title} to {service.section_number(moved.id)}")


@section.command("delete")
@click.argument("ref")
@click.option("--force", is_flag=True, help="Delete the section's guidelines too.")
@project_option
@coder_option
@click.pass_context
def section_delete(ctx: click.Context, ref: str, force: bool, project_path: Path | None,
                   coder: str | None) -> None:
    """Delete a section (refused while it holds guidelines, unless --force)."""
    project = open_project_for(ctx, project_path, coder)
    service = _service(project)
    target = service.section(ref)
    removed = service.delete_section(target.id, force=force)
    click.echo(f"deleted section {target.title}"
               + (f" and {removed} guideline(s)" if removed else ""))


def _addresses(project: Project, benefits: tuple[str, ...], risks: tuple[str, ...]
               ) -> list[Any]:
    """``--benefit TEXT`` / ``--risk TEXT``; ``TEXT=CODE/PATH`` ties it to a code."""
    from qualtui.core.guidelines import Address

    out = []
    for kind, values in (("benefit", benefits), ("risk", risks)):
        for value in values:
            text, _, path = value.partition("=")
            out.append(Address(kind, text.strip(),
                               _code_id(project, path.strip()) if path.strip() else None))
    return out


@guidelines.command("add")
@click.argument("title")
@click.option("--section", "section_ref", required=True,
              help="Section number, title or id.")
@click.option("--statement", default="", help="The recommendation (Markdown; - reads stdin).")
@click.option("--rationale", default="", help="Why (Markdown).")
@click.option("--code", "codes", multiple=True, metavar="PATH",
              help="Link a code (repeat for several).")
@click.option("--benefit", "benefits", multiple=True, metavar="TEXT[=CODE]",
              help="A benefit it pursues (optionally =Code/Path).")
@click.option("--risk", "risks", multiple=True, metavar="TEXT[=CODE]",
              help="A risk it mitigates (optionally =Code/Path).")
@click.option("--priority", type=PRIORITY_CHOICE, default="medium", show_default=True)
@click.option("--status", type=STATUS_CHOICE, default="draft", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the new guideline as JSON.")
@project_option
@coder_option
@click.pass_context
def add(ctx: click.Context, title: str, section_ref: str, statement: str, rationale: str,
        codes: tuple[str, ...], benefits: tuple[str, ...], risks: tuple[str, ...],
        priority: str, status: str, as_json: bool, project_path: Path | None,
        coder: str | None) -> None:
    """Add a guideline at the end of a section."""
    project = open_project_for(ctx, project_path, coder)
    service = _service(project)
    target = service.section(section_ref)
    created = service.add(target.id, title, statement=_text_arg(statement) or "",
                          rationale=_text_arg(rationale) or "",
                          code_ids=[_code_id(project, p) for p in codes],
                          addresses=_addresses(project, benefits, risks),
                          priority=priority, status=status)
    if as_json:
        echo_json(_guideline_json(service, service.index(), created, {target.id: target.title}))
    else:
        click.echo(f"{created.number}  {created.title}  ({created.id})")


@guidelines.command("edit")
@click.argument("ref")
@click.option("--title", default=None)
@click.option("--statement", default=None, help="Replace the statement (- reads stdin).")
@click.option("--rationale", default=None, help="Replace the rationale (- reads stdin).")
@click.option("--priority", type=PRIORITY_CHOICE, default=None)
@click.option("--status", type=STATUS_CHOICE, default=None)
@click.option("--add-code", "add_codes", multiple=True, metavar="PATH", help="Link a code.")
@click.option("--remove-code", "remove_codes", multiple=True, metavar="PATH",
              help="Unlink a code.")
@click.option("--benefit", "benefits", multiple=True, metavar="TEXT[=CODE]",
              help="Add a benefit it pursues.")
@click.option("--risk", "risks", multiple=True, metavar="TEXT[=CODE]",
              help="Add a risk it mitigates.")
@click.option("--clear-addresses", is_flag=True, help="Remove what it addresses first.")
@click.option("--section", "section_ref", default=None, help="Move to this section.")
@click.option("--position", type=click.IntRange(min=1), default=None,
              help="Move to this place in its section (1 = first).")
@project_option
@coder_option
@click.pass_context
def edit(ctx: click.Context, ref: str, title: str | None, statement: str | None,
         rationale: str | None, priority: str | None, status: str | None,
         add_codes: tuple[str, ...], remove_codes: tuple[str, ...], benefits: tuple[str, ...],
         risks: tuple[str, ...], clear_addresses: bool, section_ref: str | None,
         position: int | None, project_path: Path | None, coder: str | None) -> None:
    """Change a guideline's fields, codes, addresses or place (one operation per change)."""
    from qualtui.core.errors import QualtuiError

    project = open_project_for(ctx, project_path, coder)
    service = _service(project)
    current = service.get(ref)
    values: dict[str, Any] = {}
    for key, value in (("title", title), ("statement", _text_arg(statement)),
                       ("rationale", _text_arg(rationale)), ("priority", priority),
                       ("status", status)):
        if value is not None:
            values[key] = value
    if add_codes or remove_codes:
        removing = {_code_id(project, p) for p in remove_codes}
        missing = removing - set(current.code_ids)
        if missing:
            raise QualtuiError("not linked: " + ", ".join(
                project.codebook.path_of(c) for c in sorted(missing)))
        code_ids = [c for c in current.code_ids if c not in removing]
        code_ids += [c for c in (_code_id(project, p) for p in add_codes) if c not in code_ids]
        values["code_ids"] = code_ids
    if benefits or risks or clear_addresses:
        kept = [] if clear_addresses else list(current.addresses)
        values["addresses"] = kept + _addresses(project, benefits, risks)
    if not values and section_ref is None and position is None:
        raise click.UsageError("nothing to change: give --title, --statement, --status, ...")
    updated = service.update(current.id, **values) if values else current
    if section_ref is not None or position is not None:
        target = service.section(section_ref).id if section_ref else None
        updated = service.move(current.id, target, position)
    click.echo(f"{updated.number}  {updated.title}")


@guidelines.command("delete")
@click.argument("ref")
@project_option
@coder_option
@click.pass_context
def delete(ctx: click.Context, ref: str, project_path: Path | None, coder: str | None) -> None:
    """Delete a guideline (qualtui undo brings it back)."""
    project = open_project_for(ctx, project_path, coder)
    service = _service(project)
    removed = service.delete(service.get(ref).id)
    click.echo(f"deleted {removed.number} {removed.title}")


@guidelines.command("evidence")
@click.argument("ref")
@click.option("--add", "adds", multiple=True, metavar="SEGMENT",
              help="Add a segment (id or 6+ character prefix) as supporting evidence.")
@click.option("--counter", "counters", multiple=True, metavar="SEGMENT",
              help="Add a segment as counter-evidence, or mark evidence as such.")
@click.option("--support", "supports", multiple=True, metavar="SEGMENT",
              help="Mark counter-evidence as supporting again.")
@click.option("--remove", "removes", multiple=True, metavar="SEGMENT",
              help="Remove a segment from the evidence.")
@click.option("--quote", "quotes", multiple=True, metavar="SEGMENT",
              help="Show this evidence as a quote in the report (at most 3).")
@click.option("--unquote", "unquotes", multiple=True, metavar="SEGMENT",
              help="No longer show it as a quote.")
@click.option("--candidates", is_flag=True,
              help="List the segments of the linked codes that could be evidence.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@coder_option
@click.pass_context
def evidence(ctx: click.Context, ref: str, adds: tuple[str, ...], counters: tuple[str, ...],
             supports: tuple[str, ...], removes: tuple[str, ...], quotes: tuple[str, ...],
             unquotes: tuple[str, ...], candidates: bool, as_json: bool,
             project_path: Path | None, coder: str | None) -> None:
    """List, add, remove or mark a guideline's evidence (or its --candidates)."""
    project = open_project_for(ctx, project_path, coder)
    service = _service(project)
    guideline = service.get(ref)

    def segment(ref_: str) -> str:
        return project.coding.get(ref_).id

    for item in adds:
        service.add_evidence(guideline.id, segment(item))
    for item in counters:
        service.set_counter(guideline.id, segment(item), True)
    for item in supports:
        service.set_counter(guideline.id, segment(item), False)
    for item in removes:
        service.remove_evidence(guideline.id, segment(item))
    for item in quotes:
        service.set_quote(guideline.id, segment(item), True)
    for item in unquotes:
        service.set_quote(guideline.id, segment(item), False)
    guideline = service.get(guideline.id)
    index = service.index()
    if candidates:
        rows = index.candidates(guideline)
        if as_json:
            echo_json([_evidence_json(index, c.segment_id, c.counter, c.quote)
                       | {"codes": list(c.codes), "chosen": c.chosen} for c in rows])
            return
        for c in rows:
            mark = ("-" if c.counter else "*" if c.quote else "+") if c.chosen else " "
            click.echo(f"{mark} {c.segment_id[:8]}  {c.respondent:<5} {_short(c.role, 22):<22}"
                       f" {'; '.join(c.codes)}\n      \"{_short(c.text, 90)}\"")
        click.echo(f"{len(rows)} candidates for {guideline.number}; + evidence, * quoted,"
                   " - counter-evidence", err=True)
        return
    items = [_evidence_json(index, e.segment_id, e.counter, e.quote, e.note)
             for e in guideline.evidence]
    if as_json:
        echo_json({"number": guideline.number, "support": index.support(guideline).as_json(),
                   "evidence": items})
        return
    support = index.support(guideline)
    click.echo(f"{guideline.number} {guideline.title}: {support.label()},"
               f" counter-evidence from {support.counter}")
    for item in items:
        if item.get("missing"):
            click.echo(f"  ? {item['segment_id'][:8]}  (segment deleted)")
            continue
        mark = "-" if item["counter"] else ("*" if item["quote"] else "+")
        click.echo(f"  {mark} {item['segment_id'][:8]}  {item['respondent']:<5}"
                   f" {item['code']}\n      \"{_short(item['text'], 90)}\"")


@guidelines.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@project_option
@coder_option
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, project_path: Path | None,
               coder: str | None) -> None:
    """Merge sections and guidelines from YAML (matched by title); quotes must be coded."""
    from qualtui.core.errors import QualtuiError
    from qualtui.core.guidelines import parse_spec

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QualtuiError(f"{file}: not UTF-8 text") from None
    spec = parse_spec(text, file.name)
    project = open_project_for(ctx, project_path, coder)
    sections_added, added, updated = _service(project).import_spec(spec)
    click.echo(f"{sections_added} sections added, {added} guidelines added, {updated} updated")


@guidelines.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
@project_option
@click.pass_context
def export_cmd(ctx: click.Context, output: Path | None, project_path: Path | None) -> None:
    """Write sections and guidelines as YAML (re-importable with 'guidelines import')."""
    project = open_project_for(ctx, project_path)
    write_output(_service(project).export_yaml(), output)


def register(main: click.Group) -> None:
    """Add ``report`` and the ``guidelines`` group to the ``qualtui`` group."""
    main.add_command(report)
    main.add_command(guidelines)
