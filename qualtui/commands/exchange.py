"""Exchange commands: REFI-QDA export/import, CSV exports, pseudonyms and redactions.

``qualtui export --format qdpx|qdc|csv -o FILE [--pseudonymize]``,
``qualtui import-qdpx FILE.qdpx PATH``, ``qualtui import-qdc FILE.qdc`` and the
``qualtui pseudonyms`` group. Cheap to import: the work is imported inside the commands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualtui.commands.common import (
    coder_option,
    echo_json,
    open_project_for,
    progress,
    project_option,
    write_output,
)

if TYPE_CHECKING:
    from qualtui.core.exchange import CodebookMerge
    from qualtui.core.project import Project
    from qualtui.io.refi import ImportReport

CSV_TABLES = ("segments", "codebook", "attributes")


@contextmanager
def progress_reporter() -> Iterator[Callable[[str, int, int], None]]:
    """A ``(phase, done, total)`` callback drawing one progress bar per phase."""
    stack = ExitStack()
    state: dict[str, Any] = {"phase": None, "done": 0, "advance": None}

    def report(phase: str, done: int, total: int) -> None:
        if phase != state["phase"]:
            stack.close()
            state.update(phase=phase, done=0,
                         advance=stack.enter_context(progress(phase, total)))
        step = done - state["done"]
        if step > 0:
            state["advance"](step)
            state["done"] = done

    try:
        yield report
    finally:
        stack.close()


def echo_import_report(report: ImportReport) -> None:
    """Warnings (and the skipped elements) on stderr, then the one-line summary."""
    for warning in report.all_warnings():
        click.echo(f"warning: {warning}", err=True)
    click.echo(report.summary())


def echo_codebook_merge(merge: CodebookMerge, report: ImportReport) -> None:
    for warning in report.all_warnings():
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{len(merge.added)} codes added, {len(merge.changed)} changed,"
               f" {len(merge.unchanged)} unchanged" + (f", {merge.sets} sets" if merge.sets
                                                       else ""))
    for path in merge.added:
        click.echo(f"  + {path}")
    for path in merge.changed:
        click.echo(f"  ~ {path}")


def qdc_text(project: Project, pseudonymize: bool = False) -> str:
    """The codebook as REFI-QDA .qdc text (for ``qualtui codebook export --format qdc``)."""
    from qualtui.io.refi import codebook_qdc

    return codebook_qdc(project, pseudonymize=pseudonymize)


def run_import_qdpx(path: Path, qdpx: Path, *, coder: str | None = None,
                    external: bool = True, group: bool = False,
                    title: str | None = None) -> None:
    """Create a project at ``path`` from ``qdpx`` with a progress bar, then print the
    report (for ``qualtui init PATH --from FILE.qdpx``)."""
    from qualtui.io.refi import import_qdpx

    with progress_reporter() as report_progress:
        report = import_qdpx(path, qdpx, coder=coder, external=external,
                             progress=report_progress, group=group, title=title)
    echo_import_report(report)


def run_import_qdc(project: Project, file: Path) -> None:
    """Merge a .qdc into the project and print the result (for ``codebook import``)."""
    from qualtui.io.refi import import_qdc

    merge, report = import_qdc(project, file)
    echo_codebook_merge(merge, report)


# -- export ------------------------------------------------------------------------------------
@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["qdpx", "qdc", "csv"]), default=None,
              help="qdpx (REFI-QDA project), qdc (REFI-QDA codebook) or csv."
                   " Default: from the output's extension.")
@click.option("--table", type=click.Choice(CSV_TABLES), default=None,
              help="Which CSV: coded segments (default), the codebook, or the attributes;"
                   " implies --format csv.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file (qdpx needs one; qdc and csv print to stdout without).")
@click.option("--pseudonymize", "--pseudonymise", "pseudonymize", is_flag=True,
              help="Replace names by their pseudonyms and redacted ranges by [REDACTED].")
@project_option
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str | None, table: str | None, output: Path | None,
               pseudonymize: bool, project_path: Path | None) -> None:
    """Export the project (REFI-QDA .qdpx), the codebook (.qdc) or a CSV table."""
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in ("qdpx", "qdc", "csv") else ("csv" if table else None)
        if fmt is None:
            raise click.UsageError("give --format qdpx|qdc|csv (or an output file ending in"
                                   " .qdpx, .qdc or .csv)")
    project = open_project_for(ctx, project_path)
    if fmt == "qdpx":
        if output is None:
            raise click.UsageError("a .qdpx is a zip file: give -o FILE.qdpx")
        from qualtui.io.refi import export_qdpx

        with progress_reporter() as report_progress:
            report = export_qdpx(project, output, pseudonymize=pseudonymize,
                                 progress=report_progress)
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(report.summary())
        return
    if fmt == "qdc":
        write_output(qdc_text(project, pseudonymize), output)
        return
    from qualtui.io.csv_export import export_csv

    write_output(export_csv(project, table or "segments", pseudonymize=pseudonymize), output)


# -- import ------------------------------------------------------------------------------------
@click.command("import-qdpx")
@click.argument("file", type=click.Path(path_type=Path))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--no-external", is_flag=True,
              help="Do not read sources the project refers to outside the .qdpx file.")
@click.option("--group", is_flag=True, help="Create a team project (group-writable).")
@coder_option
@click.pass_context
def import_qdpx_cmd(ctx: click.Context, file: Path, path: Path, no_external: bool,
                    group: bool, coder: str | None) -> None:
    """Create a new project at PATH from a REFI-QDA project (.qdpx).

    Reads NVivo, ATLAS.ti, MAXQDA, QualCoder and qc exports. PATH must not exist yet (or be
    an empty directory); it is created only if the import succeeds.
    """
    run_import_qdpx(path, file, coder=coder or ctx.find_root().params.get("coder"),
                    external=not no_external, group=group)


@click.command("import-qdc")
@click.argument("file", type=click.Path(path_type=Path))
@project_option
@coder_option
@click.pass_context
def import_qdc_cmd(ctx: click.Context, file: Path, project_path: Path | None,
                   coder: str | None) -> None:
    """Merge a REFI-QDA codebook (.qdc) into the project (by GUID, then by path)."""
    project = open_project_for(ctx, project_path, coder)
    run_import_qdc(project, file)


# -- pseudonyms ----------------------------------------------------------------------------------
@click.group()
def pseudonyms() -> None:
    """Pseudonyms (real name -> pseudonym) and redactions, applied by --pseudonymize."""


def _privacy(project: Project) -> Any:
    from qualtui.core.privacy import PrivacyService

    return PrivacyService(project.repo, project.log)


@pseudonyms.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def pseudonyms_list(ctx: click.Context, as_json: bool, project_path: Path | None) -> None:
    """Show the mapping and the redactions."""
    project = open_project_for(ctx, project_path)
    service = _privacy(project)
    names = {d.id: d.name for d in project.documents.all()}
    entries, redactions = service.pseudonyms(), service.redactions()
    if as_json:
        echo_json({"pseudonyms": [{"real": e.real, "pseudonym": e.pseudonym, "kind": e.kind}
                                  for e in entries],
                   "redactions": [{"id": r.id, "document": names.get(r.document_id, ""),
                                   "start": r.start, "end": r.end, "reason": r.reason}
                                  for r in redactions]})
        return
    if not entries and not redactions:
        click.echo("no pseudonyms or redactions yet: qualtui pseudonyms add REAL PSEUDONYM")
        return
    width = max((len(e.real) for e in entries), default=4)
    for entry in entries:
        click.echo(f"{entry.kind:<7} {entry.real:<{width}}  ->  {entry.pseudonym}")
    for red in redactions:
        reason = f"  ({red.reason})" if red.reason else ""
        click.echo(f"redact  {red.id[:8]}  {names.get(red.document_id, '?')}"
                   f" {red.start}-{red.end}{reason}")
    click.echo(f"{len(entries)} pseudonyms, {len(redactions)} redactions", err=True)


@pseudonyms.command("add")
@click.argument("real")
@click.argument("pseudonym")
@click.option("--kind", type=click.Choice(["person", "place", "other"]), default="person",
              show_default=True)
@project_option
@coder_option
@click.pass_context
def pseudonyms_add(ctx: click.Context, real: str, pseudonym: str, kind: str,
                   project_path: Path | None, coder: str | None) -> None:
    """Map REAL (a name as written in the texts) to PSEUDONYM."""
    entry = _privacy(open_project_for(ctx, project_path, coder)).set(real, pseudonym, kind)
    click.echo(f"{entry.kind} {entry.real} -> {entry.pseudonym}")


@pseudonyms.command("remove")
@click.argument("real")
@project_option
@coder_option
@click.pass_context
def pseudonyms_remove(ctx: click.Context, real: str, project_path: Path | None,
                      coder: str | None) -> None:
    """Remove the pseudonym of REAL."""
    entry = _privacy(open_project_for(ctx, project_path, coder)).remove(real)
    click.echo(f"removed {entry.real} -> {entry.pseudonym}")


@pseudonyms.command("export")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@project_option
@click.pass_context
def pseudonyms_export(ctx: click.Context, file: Path | None, project_path: Path | None) -> None:
    """Write the mapping and redactions as YAML to FILE (mode 0600), or stdout."""
    write_output(_privacy(open_project_for(ctx, project_path)).export_yaml(), file)


@pseudonyms.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@project_option
@coder_option
@click.pass_context
def pseudonyms_import(ctx: click.Context, file: Path, project_path: Path | None,
                      coder: str | None) -> None:
    """Replace the mapping and redactions by those in a YAML FILE (checked first)."""
    from qualtui.io.codebook_files import read_text

    text = read_text(file)
    project = open_project_for(ctx, project_path, coder)
    added, changed, removed = _privacy(project).import_yaml(text, file.name)
    click.echo(f"{added} added, {changed} changed, {removed} removed")


@pseudonyms.command("redact")
@click.option("--doc", "doc_name", required=True, help="Document name.")
@click.option("--start", type=int, required=True, help="Start offset (code points, from 0).")
@click.option("--end", type=int, required=True, help="End offset (exclusive).")
@click.option("--reason", default="", help="Why (shown in lists, never exported).")
@project_option
@coder_option
@click.pass_context
def pseudonyms_redact(ctx: click.Context, doc_name: str, start: int, end: int, reason: str,
                      project_path: Path | None, coder: str | None) -> None:
    """Replace a range of a document by [REDACTED] in pseudonymised exports."""
    project = open_project_for(ctx, project_path, coder)
    doc = project.documents.by_name(doc_name)
    red = _privacy(project).redact(doc.id, start, end, reason)
    click.echo(f"{red.id}  {doc.name} {red.start}-{red.end}")


@pseudonyms.command("unredact")
@click.argument("redaction_id")
@project_option
@coder_option
@click.pass_context
def pseudonyms_unredact(ctx: click.Context, redaction_id: str, project_path: Path | None,
                        coder: str | None) -> None:
    """Remove a redaction (id or a unique prefix of at least 6 characters)."""
    red = _privacy(open_project_for(ctx, project_path, coder)).unredact(redaction_id)
    click.echo(f"removed redaction {red.id[:8]} {red.start}-{red.end}")


def register(main: click.Group) -> None:
    """Add the exchange commands to the ``qualtui`` group."""
    main.add_command(export_cmd)
    main.add_command(import_qdpx_cmd)
    main.add_command(import_qdc_cmd)
    main.add_command(pseudonyms)
