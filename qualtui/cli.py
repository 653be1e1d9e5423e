"""The ``qualtui`` command line (click). Thin: parses options, calls core services, prints.

Errors a user can cause print one line on stderr and exit 1 (a traceback only with
``--debug``). Textual is imported only by ``qualtui open``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualtui import startup

if startup.is_open_command(sys.argv):
    startup.pause_gc()  # until the first paint; see qualtui.startup

import click

if TYPE_CHECKING:
    from qualtui.core.project import Project

from qualtui.commands.common import (
    DEBUG_ENV,
    coder_option,
    echo_json,
    open_project_for,
    progress,
    project_option,
    write_output,
)


class QualtuiGroup(click.Group):
    """Turns every user error into one line on stderr and exit status 1, and loads the
    per-area command modules only when one of their commands is asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: set[str] = set()

    def load_extension(self, module_name: str) -> None:
        if module_name not in self._loaded:
            import importlib

            self._loaded.add(module_name)
            importlib.import_module(module_name).register(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from qualtui.commands import COMMAND_MODULES, GROUP_EXTENSIONS

        if cmd_name in COMMAND_MODULES:
            self.load_extension(COMMAND_MODULES[cmd_name])
        for module_name in GROUP_EXTENSIONS.get(cmd_name, ()):
            self.load_extension(module_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        from qualtui.commands import EXTENSION_MODULES

        for module_name in EXTENSION_MODULES:
            self.load_extension(module_name)
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        from qualtui.core.errors import QualtuiError

        try:
            return super().invoke(ctx)
        except QualtuiError as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            click.echo(f"qualtui: error: {exc}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # output piped into e.g. `head`, which stopped reading: not an error
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("qualtui: interrupted", err=True)
            ctx.exit(130)
        except OSError as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            name = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            click.echo(f"qualtui: error: {name}{exc.strerror or exc}", err=True)
            ctx.exit(1)
        except Exception as exc:  # noqa: BLE001 - never a traceback without --debug
            if os.environ.get(DEBUG_ENV):
                raise
            click.echo(f"qualtui: internal error: {type(exc).__name__}: {exc}"
                       " (run with --debug for the traceback)", err=True)
            ctx.exit(2)


@click.group(cls=QualtuiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-p", "--project", "project_path", type=click.Path(path_type=Path), default=None,
              help="Project directory (default: nearest upward holding qualtui.yaml).")
@click.option("--coder", default=None, help="Coder id for this run.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="qualtui")
def main(project_path: Path | None, coder: str | None, debug: bool) -> None:
    """qualtui - a keyboard-driven terminal workbench for qualitative data analysis.

    Start with 'qualtui open sample_project', or 'qualtui init PATH' for a new project.
    """
    if debug:
        os.environ[DEBUG_ENV] = "1"


def _interactive() -> bool:
    """May we ask the user a question (a terminal on stdin, not CI)?"""
    return sys.stdin.isatty() and not os.environ.get("CI")


# -- project ------------------------------------------------------------------------------
@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="Project title.")
@click.option("--codebook", "codebook_file", type=click.Path(path_type=Path), default=None,
              help="Start from this codebook (.yaml or .csv).")
@click.option("--group", is_flag=True,
              help="Team project on a shared server: group-writable (0660/2770, setgid).")
@click.option("--from", "from_file", type=click.Path(path_type=Path), default=None,
              help="Create the project from a REFI-QDA project (.qdpx).")
@click.option("--guideline-template/--no-guideline-template", default=True,
              help="Start the guideline document with the public-sector template sections"
                   " (default: yes).")
def init(path: Path, title: str | None, codebook_file: Path | None, group: bool,
         from_file: Path | None, guideline_template: bool) -> None:
    """Create a new project directory at PATH (empty, or from a .qdpx)."""
    if from_file is not None:
        from qualtui.commands.exchange import run_import_qdpx

        run_import_qdpx(path, from_file, group=group, title=title)
        return
    from qualtui.io.codebook_files import read_codebook
    from qualtui.store.project import init_project, open_project

    specs = read_codebook(codebook_file) if codebook_file else None  # validate before creating
    init_project(path, title=title or path.name, group=group)
    project = open_project(path)
    parts = []
    if specs:
        added, _ = project.codebook.import_specs(specs)
        parts.append(f"{len(added)} codes")
    if guideline_template:
        sections = project.guidelines.add_template()
        parts.append(f"{len(sections)} guideline sections")
    project.close()
    click.echo(f"created {path}" + (f" with {' and '.join(parts)}" if parts else ""))


@main.command("open")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@coder_option
@click.option("--theme", default=None, help="Theme name for this session.")
@click.pass_context
def open_cmd(ctx: click.Context, path: Path | None, coder: str | None,
             theme: str | None) -> None:
    """Open the project in the terminal UI."""
    project = open_project_for(ctx, path, coder, announce=False)  # the UI shows notices
    from qualtui.tui.app import run_app  # Textual is imported only here

    run_app(project, theme=theme)


# -- documents ------------------------------------------------------------------------------
@main.command("import")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--encoding", default=None, help="Text encoding of .txt/.md files, e.g. latin-1.")
@click.option("--attributes", "attributes_file", type=click.Path(path_type=Path), default=None,
              help="CSV of document attributes (document,case,attr1,...).")
@click.option("--name", default=None, help="Document name (one file only).")
@click.option("--force", is_flag=True, help="Import again even if already imported.")
@project_option
@coder_option
@click.pass_context
def import_cmd(ctx: click.Context, files: tuple[Path, ...], encoding: str | None,
               attributes_file: Path | None, name: str | None, force: bool,
               project_path: Path | None, coder: str | None) -> None:
    """Import transcripts (.txt .md .docx .vtt .srt) and/or an attributes CSV."""
    from qualtui.core.errors import QualtuiError
    from qualtui.io.importers import read_document

    if not files and not attributes_file:
        raise click.UsageError("give files to import and/or --attributes FILE.csv")
    if name and len(files) > 1:
        raise click.UsageError("--name works with one file only")
    project = open_project_for(ctx, project_path, coder)
    # Read and validate every file first: nothing is written if one is bad.
    prepared = []
    with progress("reading", len(files)) as advance:
        for file in files:
            prepared.append((file, read_document(file, encoding=encoding)))
            advance()
    if attributes_file is not None:
        from qualtui.io.tables import parse_attribute_csv

        table = parse_attribute_csv(attributes_file)
        planned = {name or f.stem for f, _ in prepared} | {d.name for d in project.documents.all()}
        unknown = [d for d in table.rows if d not in planned]
        if unknown:
            raise QualtuiError(f"{attributes_file}: unknown document(s) {', '.join(unknown)}"
                               " (names are file names without extension)")
    forced: set[Path] = set()
    for file, result in prepared:
        same = project.documents.find_same_text(result.text)
        if same is not None and not force:
            if _interactive():
                if not click.confirm(f"{file} is already imported as '{same.name}'."
                                     " Import it again as a new document?", default=False):
                    raise QualtuiError(f"{file}: not imported (already imported as"
                                       f" '{same.name}')")
                forced.add(file)
            else:
                raise QualtuiError(f"{file}: already imported as '{same.name}'"
                                   " (use --force to import it again)")
    imported = 0
    with progress("importing", len(prepared)) as advance:
        for file, result in prepared:
            doc = project.documents.add(
                name or file.stem, result.text, fmt=result.format, filename=file.name,
                turns=result.turns, cues=result.cues, original=file.read_bytes(),
                force=force or file in forced)
            imported += 1
            for warning in result.warnings:
                click.echo(f"warning: {file}: {warning}", err=True)
            click.echo(f"imported {doc.name}: {doc.words} words, {len(doc.turns)} turns")
            advance()
    if attributes_file is not None:
        report = project.cases.apply_table(table)
        types = ", ".join(f"{k} ({v})" for k, v in report.attributes.items())
        click.echo(f"attributes: {report.documents_updated} documents updated,"
                   f" {report.cases_added} cases added; {types}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def documents(ctx: click.Context, as_json: bool, project_path: Path | None) -> None:
    """List documents with their size and number of segments."""
    project = open_project_for(ctx, project_path)
    counts: dict[str, int] = {}
    for seg in project.coding.segments():
        counts[seg.document_id] = counts.get(seg.document_id, 0) + 1
    cases = {c.id: c.name for c in project.cases.all()}
    rows = [{"id": d.id, "name": d.name, "filename": d.filename, "format": d.format,
             "chars": d.chars, "words": d.words, "turns": len(d.turns),
             "segments": counts.get(d.id, 0), "case": cases.get(d.case_id or ""),
             "attributes": d.attributes, "imported_at": d.imported_at}
            for d in project.documents.all()]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no documents yet: qualtui import FILE...")
        return
    width = max(len(r["name"]) for r in rows)
    click.echo(f"{'name':<{width}}  {'words':>6}  {'turns':>5}  {'segments':>8}  format")
    for r in rows:
        click.echo(f"{r['name']:<{width}}  {r['words']:>6}  {r['turns']:>5}"
                   f"  {r['segments']:>8}  {r['format']}")


@main.group()
def attributes() -> None:
    """Case attributes (role, agency level, ...)."""


@attributes.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@project_option
@click.pass_context
def attributes_import(ctx: click.Context, file: Path, project_path: Path | None) -> None:
    """Import a CSV with columns document[,case],attribute,..."""
    from qualtui.io.tables import parse_attribute_csv

    project = open_project_for(ctx, project_path)
    report = project.cases.apply_table(parse_attribute_csv(file))
    types = ", ".join(f"{k} ({v})" for k, v in report.attributes.items())
    click.echo(f"{report.documents_updated} documents updated, {report.cases_added} cases"
               f" added; attributes: {types}")


# -- codebook --------------------------------------------------------------------------------
@main.group()
def codebook() -> None:
    """Export or import the codebook."""


@codebook.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
@click.option("--format", "fmt", type=click.Choice(["yaml", "md", "csv", "qdc"]), default=None,
              help="Default: from the output's extension, else yaml. qdc: REFI-QDA codebook.")
@project_option
@click.pass_context
def codebook_export(ctx: click.Context, output: Path | None, fmt: str | None,
                    project_path: Path | None) -> None:
    """Write the codebook as YAML (round-trips), CSV or a Markdown appendix."""
    from qualtui.io import codebook_files

    project = open_project_for(ctx, project_path)
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = {"md": "md", "markdown": "md", "csv": "csv", "qdc": "qdc"}.get(suffix, "yaml")
    if fmt == "qdc":
        from qualtui.commands.exchange import qdc_text

        write_output(qdc_text(project), output)
        return
    specs = project.codebook.export_specs()
    counts = {project.codebook.path_of(k): v for k, v in project.codebook.segment_counts().items()}
    title = project.settings.title
    if fmt == "yaml":
        text = codebook_files.to_yaml(specs, title)
    elif fmt == "csv":
        text = codebook_files.to_csv(specs, counts)
    else:
        text = codebook_files.to_markdown(specs, title, counts)
    write_output(text, output)


@codebook.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@project_option
@click.pass_context
def codebook_import(ctx: click.Context, file: Path, project_path: Path | None) -> None:
    """Merge a codebook (.yaml/.csv/.qdc) by path: add missing codes, update changed fields."""
    if file.suffix.lower() == ".qdc":
        from qualtui.commands.exchange import run_import_qdc

        run_import_qdc(open_project_for(ctx, project_path), file)
        return
    from qualtui.io.codebook_files import read_codebook

    specs = read_codebook(file)
    project = open_project_for(ctx, project_path)
    from qualtui.core.codebook import SEP, split_path

    added, changed = project.codebook.import_specs(specs)
    touched = set(added) | set(changed)
    unchanged = [s for s in specs if SEP.join(split_path(s.path)) not in touched]
    click.echo(f"{len(added)} codes added, {len(changed)} changed, {len(unchanged)} unchanged")
    for path in added:
        click.echo(f"  + {path}")
    for path in changed:
        click.echo(f"  ~ {path}")


# -- coding ------------------------------------------------------------------------------------
@main.command()
@click.option("--doc", "doc_name", required=True, help="Document name.")
@click.option("--start", type=int, required=True, help="Start offset (code points, from 0).")
@click.option("--end", type=int, required=True, help="End offset (exclusive).")
@click.option("--code", "code_path", required=True, help='Code path, e.g. "Benefits/Efficiency".')
@click.option("--memo", default="", help="A memo on the new segment.")
@click.option("--create", is_flag=True, help="Create the code path if it is missing.")
@project_option
@coder_option
@click.option("--json", "as_json", is_flag=True, help="Print the new segment as JSON.")
@click.pass_context
def code(ctx: click.Context, doc_name: str, start: int, end: int, code_path: str, memo: str,
         create: bool, project_path: Path | None, coder: str | None, as_json: bool) -> None:
    """Apply a code to a range of a document."""
    project = open_project_for(ctx, project_path, coder)
    doc = project.documents.by_name(doc_name)
    code_rec = project.codebook.resolve(code_path, create=create)
    segment = project.coding.apply(doc.id, start, end, code_rec.id, memo=memo)
    if as_json:
        echo_json(_segment_json(project, segment, {doc.id: doc.name}))
    else:
        click.echo(f"{segment.id}  {doc.name} {start}-{end}  {project.codebook.path_of(code_rec)}")


@main.command()
@click.option("--segment", "segment_id", required=True, help="Segment id (or a unique prefix).")
@project_option
@coder_option
@click.pass_context
def uncode(ctx: click.Context, segment_id: str, project_path: Path | None,
           coder: str | None) -> None:
    """Remove a coded segment."""
    project = open_project_for(ctx, project_path, coder)
    segment = project.coding.remove(segment_id)
    click.echo(f"removed {segment.id}")


def _segment_json(project: Project, segment: Any, names: dict[str, str],
                  memos: dict[str, str] | None = None) -> dict[str, Any]:
    return {"id": segment.id, "document": names.get(segment.document_id, ""),
            "document_id": segment.document_id, "code": project.codebook.path_of(segment.code_id),
            "code_id": segment.code_id, "coder": segment.coder, "start": segment.start,
            "end": segment.end, "text": project.coding.text_of(segment),
            "memo": (memos or {}).get(segment.id, ""), "created_at": segment.created_at}


@main.group(invoke_without_command=True)
@click.option("--code", "code_path", default=None, help="Only this code (and its sub-codes).")
@click.option("--doc", "doc_name", default=None, help="Only this document.")
@click.option("--coder", "coder_filter", default=None, help="Only this coder's segments.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@project_option
@click.pass_context
def segments(ctx: click.Context, code_path: str | None, doc_name: str | None,
             coder_filter: str | None, as_json: bool, as_csv: bool,
             project_path: Path | None) -> None:
    """List coded segments (or 'segments import FILE.csv')."""
    if ctx.invoked_subcommand is not None:
        return
    project = open_project_for(ctx, project_path)
    code_ids = None
    if code_path:
        root = project.codebook.resolve(code_path)
        code_ids = {root.id, *project.codebook.descendants(root.id)}
    doc_id = project.documents.by_name(doc_name).id if doc_name else None
    names = {d.id: d.name for d in project.documents.all()}
    memos = {m.target_id or "": m.body for m in project.memos.all(kind="segment")}
    rows = [_segment_json(project, s, names, memos) for s in
            project.coding.segments(code_ids=code_ids, document_id=doc_id, coder=coder_filter)]
    order = {d.id: i for i, d in enumerate(project.documents.all())}
    rows.sort(key=lambda r: (order.get(r["document_id"], 0), r["start"], r["end"]))
    if as_json:
        echo_json(rows)
    elif as_csv:
        from qualtui.io.tables import write_csv

        header = ["id", "document", "code", "coder", "start", "end", "text", "memo"]
        sys.stdout.write(write_csv(([r[h] for h in header] for r in rows), header))
    else:
        for r in rows:
            text = " ".join(r["text"].split())
            text = text if len(text) <= 70 else text[:67] + "..."
            click.echo(f"{r['id'][:8]}  {r['document']:<8} {r['start']:>6}-{r['end']:<6}"
                       f" {r['coder']:<8} {r['code']}\n          \"{text}\"")
        click.echo(f"{len(rows)} segments", err=True)


@segments.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--create", is_flag=True, help="Add missing code paths.")
@project_option
@coder_option
@click.pass_context
def segments_import(ctx: click.Context, file: Path, create: bool, project_path: Path | None,
                    coder: str | None) -> None:
    """Bulk-code from a CSV (document,start,end,code[,coder][,memo]); all or nothing."""
    from qualtui.core.coding import CodingRequest
    from qualtui.core.errors import QualtuiError
    from qualtui.io.tables import parse_segment_csv

    project = open_project_for(ctx, project_path, coder or ctx.find_root().params.get("coder"))
    rows, errors = parse_segment_csv(file)
    docs = {d.name: d for d in project.documents.all()}
    paths = project.codebook.paths()
    requests: list[CodingRequest] = []
    missing_codes: list[str] = []
    with progress("checking", len(rows)) as advance:
        for row in rows:
            doc = docs.get(row.document)
            if doc is None:
                errors.append(f"line {row.line}: unknown document '{row.document}'")
            elif not (0 <= row.start < row.end <= doc.chars):
                errors.append(f"line {row.line}: range {row.start}-{row.end} outside"
                              f" '{row.document}' (0-{doc.chars})")
            code_rec = paths.get(row.code.strip("/"))
            if code_rec is None:
                if not create:
                    errors.append(f"line {row.line}: unknown code '{row.code}'"
                                  " (use --create to add it)")
                elif row.code not in missing_codes:
                    missing_codes.append(row.code)
            elif not code_rec.codable:
                errors.append(f"line {row.line}: '{row.code}' is a category only")
            advance()
    if errors:
        shown = "; ".join(errors[:10]) + (f"; ... {len(errors) - 10} more" if len(errors) > 10
                                          else "")
        raise QualtuiError(f"{file}: {len(errors)} bad row(s), nothing imported: {shown}")
    if missing_codes:
        from qualtui.core.codebook import CodeSpec

        project.codebook.import_specs([CodeSpec(p, {}) for p in missing_codes])
        paths = project.codebook.paths()
    for row in rows:
        requests.append(CodingRequest(docs[row.document].id, row.start, row.end,
                                      paths[row.code.strip("/")].id, row.coder or project.coder,
                                      row.memo))
    added, skipped = project.coding.apply_many(requests, f"imported {len(requests)} segments"
                                               f" from {file.name}")
    click.echo(f"{added} segments imported, {skipped} duplicates skipped"
               + (f", {len(missing_codes)} codes created" if missing_codes else ""))


# -- history -------------------------------------------------------------------------------------
@main.command()
@project_option
@coder_option
@click.pass_context
def undo(ctx: click.Context, project_path: Path | None, coder: str | None) -> None:
    """Undo your last change (never another coder's)."""
    click.echo(open_project_for(ctx, project_path, coder).undo())


@main.command()
@project_option
@coder_option
@click.pass_context
def redo(ctx: click.Context, project_path: Path | None, coder: str | None) -> None:
    """Redo the change you last undid."""
    click.echo(open_project_for(ctx, project_path, coder).redo())


@main.command()
@click.option("--since", default=None, help="Only entries at or after this ISO time/date.")
@click.option("--coder", "coder_filter", default=None, help="Only this coder's entries.")
@click.option("--limit", type=int, default=None, help="Only the last N entries.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with before/after).")
@project_option
@click.pass_context
def log(ctx: click.Context, since: str | None, coder_filter: str | None, limit: int | None,
        as_json: bool, project_path: Path | None) -> None:
    """The audit log: who changed what, when."""
    project = open_project_for(ctx, project_path)
    entries = project.log.entries(coder=coder_filter, since=since, limit=limit)
    if as_json:
        echo_json([e.__dict__ for e in entries])
        return
    for e in entries:
        mark = " (undone)" if e.undone else ""
        click.echo(f"{e.seq:>5}  {e.at}  {e.coder:<10} {e.summary}{mark}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def stats(ctx: click.Context, as_json: bool, project_path: Path | None) -> None:
    """Documents, words, codes, segments; segments per code and per coder."""
    result = open_project_for(ctx, project_path).stats()
    if as_json:
        echo_json(result.as_json())
        return
    click.echo(f"documents {result.documents}   words {result.words}   codes {result.codes}"
               f"   segments {result.segments}   memos {result.memos}")
    click.echo("segments per coder: " + ", ".join(
        f"{k} {v}" for k, v in result.segments_per_coder.items()))
    for path, count in result.segments_per_code.items():
        click.echo(f"{count:>6}  {path}")


@main.command()
@click.option("--restore", is_flag=True, help="Restore project.json from the newest good backup.")
@project_option
@click.pass_context
def doctor(ctx: click.Context, restore: bool, project_path: Path | None) -> None:
    """Check the store, the sources' hashes and every offset; optionally restore a backup."""
    from qualtui.store.project import doctor as run_doctor
    from qualtui.store.project import find_project_root, restore_newest_backup

    root = project_path or ctx.find_root().params.get("project_path") or find_project_root()
    if restore:
        backup, kept = restore_newest_backup(root)
        click.echo(f"restored {root / 'project.json'} from {backup}"
                   + (f"; the broken file is kept as {kept}" if kept else ""))
    with progress("checking", 100) as advance:
        state = {"done": 0}

        def report(done: int, total: int) -> None:
            step = int(100 * done / max(total, 1)) - state["done"]
            if step > 0:
                advance(step)
                state["done"] += step

        findings = run_doctor(root, progress=report)
    errors = 0
    for finding in findings:
        if finding.level == "error":
            errors += 1
        click.echo(f"{finding.level}: {finding.message}")
    if errors:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
